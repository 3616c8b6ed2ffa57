"""The order timeline as a reader reads it: states, levels and reasons in their language, people by name.

History rows keep codes ("status new → acknowledged", "handler 2 → 6", reasons such as "created" or
"escalation manager") so the API and TMF621 stay stable; this module turns one item into a line of
the page (issue 18: no "已受理（created）", "— → acknowledged" or "处理人 2 → 6" on a zh-CN page).
"""

from __future__ import annotations

import re
from typing import Any

from telqc.core.display import NONE, Viewer
from telqc.core.i18n import is_key, t

# history field → the catalogue kind its values are codes of (None: a person id)
_VALUE_KIND: dict[str, str | None] = {
    "status": "ostatus", "escalation": "olevel", "sla": "sla", "engineer_status": "eng", "network": "net",
    "notify": "notify", "handler": None, "engineer": None, "priority": "priority", "incident": "incst",
}
_SLA_RULE = re.compile(r"SLA (\w+) at ([\d.]+%) of target \(rule: (\w+)\) → (\w+)")
_RISK = re.compile(r"escalation risk in complaint text: (.+) → (\w+)")
_TRANSFER = re.compile(r"transfer → (.*?): (.*)", re.S)
_DISPATCH = re.compile(r"dispatch; appointment (\S+)")
_NETWORK = re.compile(r"network problem #(\d+)")
_INCIDENT = re.compile(r"network incident #(\d+) restored")
_ENGINEER = re.compile(r"engineer: (\w+)")
_UNREACHABLE = re.compile(r"callback: unreachable after (\d+) attempts")
_UNSATISFIED = re.compile(r"callback: unsatisfied ?(.*)", re.S)


def _value(kind: str | None, code: Any, v: Viewer) -> str:
    if code is None or code == "":
        return NONE
    if kind is None:
        return v.person(code)
    key = f"{kind}.{code}"
    return t(key, v.lang) if is_key(key) else str(code)


def reason(text: str | None, v: Viewer) -> str:
    """A history reason in the reader's language: the codes the services write, and free text as typed."""
    if not text:
        return ""
    lang = v.lang
    simple = {"created": "tl.created", "auto": "tl.reason.auto", "manual": "tl.reason.manual",
              "escalation": "tl.reason.escalation", "sla sweep": "tl.reason.sla_sweep",
              "repeat complaint within 30 days": "tl.reason.repeat", "callback started": "tl.reason.callback",
              "callback: satisfied": "tl.reason.satisfied"}
    if text in simple:
        return t(simple[text], lang)
    if text.startswith("escalation ") and is_key(f"olevel.{text[11:]}"):
        return t("tl.reason.escalation_level", lang, level=t(f"olevel.{text[11:]}", lang))
    if m := _TRANSFER.fullmatch(text):
        return t("tl.reason.transfer", lang, to=m[1], note=m[2])
    if m := _DISPATCH.fullmatch(text):
        if m[1] == "None":  # dispatched before a visit was booked
            return t("tl.reason.dispatch_unbooked", lang)
        return t("tl.reason.dispatch", lang, at=v.time(m[1]))
    if m := _NETWORK.fullmatch(text):
        return t("tl.reason.network", lang, id=m[1])
    if m := _INCIDENT.fullmatch(text):
        return t("tl.reason.incident", lang, id=m[1])
    if m := _ENGINEER.fullmatch(text):
        return t("tl.reason.engineer", lang, status=_value("eng", m[1], v))
    if m := _UNREACHABLE.fullmatch(text):
        return t("tl.reason.unreachable", lang, n=m[1])
    if m := _UNSATISFIED.fullmatch(text):
        return t("tl.reason.unsatisfied", lang) + (f"：{m[1]}" if m[1] else "")
    return "；".join(_escalation_reason(part, v) for part in text.split("; "))


def _escalation_reason(text: str, v: Viewer) -> str:
    lang = v.lang
    if m := _SLA_RULE.fullmatch(text):
        return t("tl.reason.sla_rule", lang, status=_value("sla", m[1], v), used=m[2],
                 trigger=_value("sla", m[3], v), level=_value("olevel", m[4], v))
    if m := _RISK.fullmatch(text):
        return t("tl.reason.risk", lang, terms=m[1], level=_value("olevel", m[2], v))
    return text


def line(item: Any, v: Viewer) -> str:
    """The text of one timeline item (its kind's label is shown beside it by the template)."""
    data: dict[str, Any] = dict(item.data or {})
    kind = item.kind
    if kind == "note":
        return str(item.text or "")
    if kind == "transfer":
        moved = ""
        if data.get("to_handler_id") or data.get("from_handler_id"):
            moved = f"（{v.person(data.get('from_handler_id'))} → {v.person(data.get('to_handler_id'))}）"
        return t("tl.reason.transfer", v.lang, to=data.get("to_queue") or NONE, note=data.get("note") or "") + moved
    if kind == "escalation" and "level" in data:
        why = "；".join(_escalation_reason(r, v) for r in data.get("reasons") or [])
        return _value("olevel", data["level"], v) + (f"：{why}" if why else "")
    if kind == "link":
        return t("link.repeat", v.lang) + (f" #{data['from']}" if data.get("from") else "") + (
            f" #{data['to']}" if data.get("to") else "")
    if "from" not in data and "to" not in data:
        return str(item.text or "")
    value_kind = _VALUE_KIND.get(kind, "")
    why = reason(data.get("reason"), v)
    if kind == "status":
        text = _value("ostatus", data.get("to"), v)
        return f"{text}（{why}）" if why and data.get("reason") != "created" else text
    if kind == "notify":  # the message the customer got; staff rows keep "— → kind：message" as their text
        body = data.get("reason", item.text)
        return str(body or "") or _value("notify", data.get("to"), v)
    if value_kind == "":
        old, new = data.get("from") or NONE, data.get("to") or NONE
    else:
        old, new = _value(value_kind, data.get("from"), v), _value(value_kind, data.get("to"), v)
    return f"{old} → {new}" + (f"：{why}" if why else "")
