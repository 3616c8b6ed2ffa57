"""From a contract event to the additive rollup parts it contributes (pure).

Parts that depend on *other* facts (a repeat contact within 7 days, a repeat complaint within
30 days, a burst of complaints) are not here: see ``telqc.metrics.stateful``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from telqc.metrics import sketch

FACT_KINDS = (
    "contact.closed", "order.created", "order.first_response", "order.status_changed", "order.transferred",
    "order.resolved", "order.reopened", "order.closed", "order.callback_recorded", "survey.invited",
    "survey.answered", "inspection.scored", "inspection.calibrated", "agent.availability",
    "incident.suspected", "incident.confirmed", "incident.restored",
)
# Rollup dimension columns, in key order; text dims use "" and id dims 0 for "unknown".
DIM_COLUMNS = ("channel", "province_code", "city_code", "area_type", "tier", "category", "team_id", "agent_id")
INT_DIMS = frozenset({"team_id", "agent_id"})

# Every additive part a fact can contribute: one rollup column each (``rollup.column``). A new part
# (e.g. for a KPI another domain registers) needs a migration adding its column.
BASE_PARTS = (
    # contacts
    "offered", "abandoned_short", "abandoned_late", "handled", "answered_20", "answered_15", "wait_sum",
    "handle_sum", "transferred", "fcr_repeat",
    # orders and complaints
    "orders_created", "complaints", "complaints_regulator", "frt_n", "frt_sum", "field_n", "field_sum", "resolved",
    "resolved_in_time", "res_sum", "biz_completed", "biz_accurate", "reopened", "order_transfers", "cmp_closed",
    "cmp_closed_in_time", "cmp_closed_loop", "cb_answers", "cb_satisfied", "cb_unreachable", "cmp_repeat", "mass",
    # customer voice, quality, workforce
    "survey_invited", "survey_answered", "csat_n", "csat_sum", "csat_good", "nps_n", "nps_pro", "nps_det", "fcrs_n",
    "fcrs_yes", "qa_n", "qa_sum", "qa_pass", "qa_fatal", "cal_n", "cal_var", "available_s",
    # network incidents
    "inc_opened", "inc_grave", "inc_detect_n", "inc_detect_sum", "inc_restored", "inc_restore_sum", "inc_linked",
)
PARTS: tuple[str, ...] = (*BASE_PARTS, *(p for m in sketch.METRICS for p in sketch.parts_of(m)))


def column(part: str) -> str:
    """Rollup column of a part (histogram bins "h.asa.03" become "h_asa_03")."""
    return part.replace(".", "_")

REPEAT_CONTACT_DAYS = 7      # FCR (KPI.md)
REPEAT_COMPLAINT_DAYS = 30   # repeat complaint rate (KPI.md)
MASS_N = 10                  # mass complaint: ≥ N complaints ...
MASS_MINUTES = 30            # ... of one category in one city within M minutes (fixed windows)
SL_SECONDS = 20              # service level T (80/20)


class Dims(NamedTuple):
    """Dimension values of a fact, in ``DIM_COLUMNS`` order (a plain tuple: cheap to hash and slice)."""

    channel: str = ""
    province_code: str = ""
    city_code: str = ""
    area_type: str = ""
    tier: str = ""
    category: str = ""
    team_id: int = 0
    agent_id: int = 0

    @classmethod
    def from_payload(cls, d: Mapping[str, Any] | None) -> Dims:
        d = d or {}
        return cls._make((*("" if d.get(c) is None else str(d[c]) for c in DIM_COLUMNS[:6]),
                          int(d.get("team_id") or 0), int(d.get("agent_id") or 0)))

    def as_tuple(self) -> tuple[str | int, ...]:
        return tuple(self)


def parse_at(value: Any) -> datetime:
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if at.tzinfo is None:
        raise ValueError("naive timestamp in event payload")
    return at.astimezone(UTC)


def fact_time(kind: str, p: Mapping[str, Any]) -> datetime:
    """The moment a fact belongs to: a contact to its start, an order to its creation."""
    key = {"contact.closed": "started_at", "order.created": "created_at"}.get(kind, "at")
    return parse_at(p[key])


def _inc(out: dict[str, float], key: str, v: float | bool = 1.0) -> None:
    if v:
        out[key] = out.get(key, 0.0) + float(v)


def base_parts(kind: str, p: Mapping[str, Any]) -> dict[str, float]:
    """Additive parts of one fact; every KPI formula in the registry reads only these."""
    out: dict[str, float] = {}
    typ = p.get("type")
    if kind == "contact.closed":
        wait = float(p.get("queue_wait_s") or 0)
        _inc(out, "offered")
        if p.get("abandoned"):
            _inc(out, "abandoned_short" if wait <= 5 else "abandoned_late")
        else:
            within = p.get("answered_within_s")
            within = wait if within is None else float(within)
            handle = float(p.get("talk_s") or 0) + float(p.get("hold_s") or 0) + float(p.get("acw_s") or 0)
            _inc(out, "handled")
            _inc(out, "answered_20", within <= SL_SECONDS)
            _inc(out, "answered_15", within <= 15)
            _inc(out, "wait_sum", wait)
            _inc(out, "handle_sum", handle)
            _inc(out, "transferred", bool(p.get("transferred")))
            sketch.add(out, "asa", wait)
            sketch.add(out, "aht", handle)
    elif kind == "order.created":
        _inc(out, "orders_created")
        if typ == "complaint":
            _inc(out, "complaints")
            _inc(out, "complaints_regulator", bool(p.get("regulator")))
    elif kind == "order.first_response":
        s = float(p.get("business_s") or 0)
        _inc(out, "frt_n")
        _inc(out, "frt_sum", s)
        sketch.add(out, "frt", s)
        if typ == "repair":
            _inc(out, "field_n")
            _inc(out, "field_sum", s)
    elif kind == "order.resolved":
        s = float(p.get("resolution_business_s") or 0)
        _inc(out, "resolved")
        _inc(out, "resolved_in_time", bool(p.get("within_deadline")))
        _inc(out, "res_sum", s)
        sketch.add(out, "res", s)
        if typ == "business":
            _inc(out, "biz_completed")
            _inc(out, "biz_accurate", not p.get("reopened"))
    elif kind == "order.reopened":
        _inc(out, "reopened")
    elif kind == "order.transferred":
        _inc(out, "order_transfers")
    elif kind == "order.closed" and typ == "complaint":
        _inc(out, "cmp_closed")
        _inc(out, "cmp_closed_in_time", bool(p.get("within_deadline")))
        _inc(out, "cmp_closed_loop", bool(p.get("closed_loop")))
    elif kind == "order.callback_recorded" and typ == "complaint":
        outcome = p.get("outcome")
        if outcome in ("satisfied", "unsatisfied"):
            _inc(out, "cb_answers")
            _inc(out, "cb_satisfied", outcome == "satisfied")
        else:
            _inc(out, "cb_unreachable")
    elif kind == "survey.invited":
        _inc(out, "survey_invited")
    elif kind == "survey.answered":
        _inc(out, "survey_answered")
        if p.get("csat") is not None:
            _inc(out, "csat_n")
            _inc(out, "csat_sum", float(p["csat"]))
            _inc(out, "csat_good", p["csat"] >= 4)
        if p.get("nps") is not None:
            _inc(out, "nps_n")
            _inc(out, "nps_pro", p["nps"] >= 9)
            _inc(out, "nps_det", p["nps"] <= 6)
        if p.get("resolved") is not None:
            _inc(out, "fcrs_n")
            _inc(out, "fcrs_yes", bool(p["resolved"]))
    elif kind == "inspection.scored":
        _inc(out, "qa_n")
        _inc(out, "qa_sum", float(p.get("score") or 0))
        _inc(out, "qa_pass", bool(p.get("passed")) and not p.get("fatal"))
        _inc(out, "qa_fatal", bool(p.get("fatal")))
    elif kind == "inspection.calibrated":
        scores = [float(s) for s in p.get("scores") or []]
        if len(scores) >= 2:
            mean = sum(scores) / len(scores)
            _inc(out, "cal_n")
            out["cal_var"] = sum((s - mean) ** 2 for s in scores) / len(scores)
    elif kind == "agent.availability":
        _inc(out, "available_s", float(p.get("available_s") or 0))
    elif kind.startswith("incident."):
        _incident(out, kind, p)
    return out


GRAVE = ("especially_major", "major")  # 特别重大 / 重大 (incidents.severity)


def _incident(out: dict[str, float], kind: str, p: Mapping[str, Any]) -> None:
    """An incident is opened by `incident.suspected` (detected from complaints or alarms) or by an
    `incident.confirmed` without a previous state (declared by netops); time to detect counts the detected
    ones only (first complaint or alarm → proposed), time to restore every restored one (detected → restored)."""
    d = p.get("dims") or {}
    if kind == "incident.suspected" or (kind == "incident.confirmed" and p.get("from") is None):
        _inc(out, "inc_opened")
        _inc(out, "inc_grave", d.get("severity") in GRAVE)
        if kind == "incident.suspected" and p.get("detected_at"):
            _inc(out, "inc_detect_n")
            _inc(out, "inc_detect_sum", max(0.0, (parse_at(p["at"]) - parse_at(p["detected_at"])).total_seconds()))
    elif kind == "incident.restored" and p.get("detected_at"):
        _inc(out, "inc_restored")
        _inc(out, "inc_restore_sum", max(0.0, (parse_at(p["at"]) - parse_at(p["detected_at"])).total_seconds()))
        _inc(out, "inc_linked", float(p.get("linked") or 0))
