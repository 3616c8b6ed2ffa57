"""Import of interactions with transcripts from JSON Lines, all or nothing.

DESIGN.md: "imports are atomic or report exactly which rows were rejected and why". Every
line is validated first (JSON, fields, turn timing, agent and customer existence, duplicate
external ids); a single problem rejects the whole file with a report naming each line and
field, and nothing is written. Speech recognition is an interface (:class:`SpeechRecognizer`):
a line may carry ``audio`` instead of ``turns``; nothing here downloads or ships a model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy import select

from telqc.contacts import service as contacts
from telqc.contacts.read import INTERACTIONS
from telqc.core import textfile
from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.core.i18n import MESSAGES, t
from telqc.core.models import User
from telqc.customers.read import CUSTOMERS
from telqc.inspection import scoring
from telqc.inspection.schemas import InteractionIn, TurnIn


class SpeechRecognizer(Protocol):
    """Turns a recording into transcript turns ({speaker, start_ms, end_ms, text})."""

    def transcribe(self, audio: str) -> list[dict[str, Any]]: ...


class FakeRecognizer:
    """For tests and demos: returns the transcript it was given for each audio reference."""

    def __init__(self, transcripts: Mapping[str, list[dict[str, Any]]]) -> None:
        self.transcripts = dict(transcripts)
        self.calls: list[str] = []

    def transcribe(self, audio: str) -> list[dict[str, Any]]:
        self.calls.append(audio)
        if audio not in self.transcripts:
            raise LookupError(f"no transcript for {audio!r}")
        return [dict(t) for t in self.transcripts[audio]]


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "msg": self.message}


class ImportRejected(Invalid):
    """The whole file was refused; ``errors`` lists every problem by line and field."""

    def __init__(self, errors: list[LineError]) -> None:
        first = errors[0]
        super().__init__("qa.import_rejected", field=f"line {first.line}: {first.field}", count=len(errors))
        self.errors = errors


def _loc(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(line)"


def _pydantic_errors(line: int, exc: ValidationError, lang: str) -> list[LineError]:
    out = []
    for e in exc.errors():
        kind = e.get("type", "")
        params = dict(e.get("ctx") or {})
        if "error" in params:
            params["error"] = str(params["error"]).removeprefix("Value error, ")
        key = f"v.{kind}" if f"v.{kind}" in MESSAGES else "v.other"
        msg = t(key, lang, msg=str(e.get("msg", "")).removeprefix("Value error, "), **params)
        out.append(LineError(line, _loc(e["loc"]), msg))
    return out


def _turn_errors(line: int, turns: Sequence[Mapping[str, Any]], lang: str) -> list[LineError]:
    """Turns must be ordered; a speaker cannot overlap themselves (the other side may: interruption)."""
    out, last_end, last_idx = [], {"agent": -1, "customer": -1}, {"agent": -1, "customer": -1}
    for i, turn in enumerate(turns):
        if i and turn["start_ms"] < turns[i - 1]["start_ms"]:
            out.append(LineError(line, f"turns[{i}].start_ms", t("qa.turn_order", lang, turn=i)))
        sp = turn["speaker"]
        if turn["start_ms"] < last_end[sp]:
            out.append(LineError(line, f"turns[{i}].start_ms",
                                 t("qa.turn_overlap", lang, turn=i, prev=last_idx[sp])))
        if turn["end_ms"] >= last_end[sp]:
            last_end[sp], last_idx[sp] = turn["end_ms"], i
    return out


@dataclass(frozen=True)
class _References:
    """What the checked lines refer to: agents by username, and each known customer's province."""

    agents: dict[str, User]
    provinces: dict[int, str]


@dataclass
class _Record:
    line: int
    data: InteractionIn
    turns: list[dict[str, Any]]


def _parse(ctx: Ctx, lines: Iterable[str], recognizer: SpeechRecognizer | None,
           errors: list[LineError]) -> list[_Record]:
    lang, records = ctx.lang, []
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            obj = textfile.json_line(raw)
        except json.JSONDecodeError as exc:
            errors.append(LineError(n, f"(json) column {exc.colno}", t("qa.bad_json", lang, error=exc.msg)))
            continue
        try:
            data = InteractionIn.model_validate(obj)
        except ValidationError as exc:
            errors += _pydantic_errors(n, exc, lang)
            continue
        turns: list[dict[str, Any]] | None
        if data.turns is not None:
            turns = [tr.model_dump() for tr in data.turns]
        elif recognizer is None:
            errors.append(LineError(n, "audio", t("qa.no_recognizer", lang)))
            continue
        else:
            turns = _recognise(n, data.audio or "", recognizer, errors, lang)
            if turns is None:
                continue
        bad = _turn_errors(n, turns, lang)
        errors += bad
        if not bad:
            records.append(_Record(n, data, turns))
    return records


def _recognise(n: int, audio: str, recognizer: SpeechRecognizer, errors: list[LineError],
               lang: str) -> list[dict[str, Any]] | None:
    try:
        raw = recognizer.transcribe(audio)
        return [TurnIn.model_validate(tr).model_dump() for tr in raw]
    except ValidationError as exc:
        errors += [LineError(n, f"audio:{e.field}", e.message) for e in _pydantic_errors(n, exc, lang)]
    except Exception as exc:  # a recognizer is a plug-in: report its failure on the line
        errors.append(LineError(n, "audio", t("qa.recognizer_failed", lang, error=str(exc))))
    return None


def _check_references(ctx: Ctx, records: list[_Record], errors: list[LineError]) -> _References:
    lang, session = ctx.lang, ctx.session
    names = {r.data.agent for r in records}
    agents = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))} if names else {}
    cust_ids = {r.data.customer_id for r in records if r.data.customer_id is not None}
    provinces: dict[int, str] = {cid: province for cid, province in session.execute(
        select(CUSTOMERS.c.id, CUSTOMERS.c.province_code).where(CUSTOMERS.c.id.in_(cust_ids)))} if cust_ids else {}
    ext = [r.data.external_id for r in records if r.data.external_id]
    taken = set(session.scalars(select(INTERACTIONS.c.external_id).where(INTERACTIONS.c.external_id.in_(ext)))) \
        if ext else set()
    seen: set[str] = set()
    for r in records:
        if r.data.agent not in agents:
            errors.append(LineError(r.line, "agent", t("qa.unknown_agent", lang, agent=r.data.agent)))
        if r.data.customer_id is not None and r.data.customer_id not in provinces:
            errors.append(LineError(r.line, "customer_id", t("qa.unknown_customer", lang, id=r.data.customer_id)))
        eid = r.data.external_id
        if eid and (eid in taken or eid in seen):
            errors.append(LineError(r.line, "external_id", t("qa.duplicate_external_id", lang, id=eid)))
        if eid:
            seen.add(eid)
    return _References(agents, provinces)


def validate(ctx: Ctx, lines: Iterable[str], recognizer: SpeechRecognizer | None = None) -> tuple[
        list[_Record], _References]:
    """Every problem of the file, or the parsed records; raises :class:`ImportRejected`."""
    errors: list[LineError] = []
    records = _parse(ctx, lines, recognizer, errors)
    refs = _check_references(ctx, records, errors)
    if not errors and not records:
        errors.append(LineError(0, "(file)", t("qa.empty_import", ctx.lang)))
    if errors:
        errors.sort(key=lambda e: e.line)
        raise ImportRejected(errors)
    return records, refs


def _contact(data: InteractionIn, refs: _References, turns: list[dict[str, Any]]) -> contacts.FinishedContact:
    agent = refs.agents[data.agent]
    duration_s = max((tr["end_ms"] for tr in turns), default=0) // 1000
    ended = data.ended_at or data.started_at + timedelta(seconds=data.queue_wait_s + duration_s)
    if data.customer_id is not None:
        province = refs.provinces.get(data.customer_id)
    else:
        province = agent.region_scope[0] if agent.region_scope else None
    return contacts.FinishedContact(
        channel=data.channel.value, customer_id=data.customer_id, province_code=province, agent_id=agent.id,
        started_at=data.started_at, ended_at=ended, queue_wait_s=data.queue_wait_s,
        talk_s=data.talk_s if data.talk_s is not None else duration_s, hold_s=data.hold_s, acw_s=data.acw_s,
        abandoned=data.abandoned, transferred=data.transferred, category=data.category,
    )


def import_interactions(ctx: Ctx, lines: Iterable[str], *, recognizer: SpeechRecognizer | None = None,
                        source: str = "import", progress: Callable[[int], None] | None = None,
                        total: Callable[[int], None] | None = None, inspect: bool = True) -> list[int]:
    """Validate the whole file, then store each interaction and inspect it automatically."""
    records, refs = validate(ctx, lines, recognizer)
    if total:
        total(len(records))
    ids = []
    for r in records:
        contact_id = contacts.record_interaction(
            ctx, _contact(r.data, refs, r.turns), r.turns, source=source, external_id=r.data.external_id,
            complaint=r.data.complaint, csat=r.data.csat)
        if inspect:
            scoring.auto_inspect(ctx, contact_id)
        ids.append(contact_id)
        if progress:
            progress(1)
    ctx.audit("interactions.imported", "interaction", "batch", count=len(ids), source=source)
    return ids
