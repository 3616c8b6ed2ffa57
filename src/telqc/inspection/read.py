"""What other domains may read of inspection results without the service: which scorecard items agents failed.

Training assigns a course when an agent keeps failing the same item (e.g. identity verification three times
in a month); it reads that here instead of importing `models`. Only finished manual inspections count (what
the agent also sees, and may appeal: an overturned appeal's re-score is what is read), never the engine's
automatic proposals, blind second scorings or calibration runs. An item is failed when it scored below its
full marks (a fatal item: not met).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from telqc.inspection import carddef, scorecards
from telqc.inspection.models import Inspection, Kind, ScorecardVersion
from telqc.inspection.repository import SHOWN_TO_AGENT


@dataclass(frozen=True)
class ItemFailures:
    agent_id: int
    item: str       # the scorecard item's code, e.g. ``verification.identity``
    name: str       # its name on the card, e.g. 按规定核实客户身份
    count: int      # inspections in the period that failed it
    last_at: datetime


def item_names(session: Session) -> dict[str, str]:
    """Item code → its name on the newest scorecard version that has it (pages show names, never codes)."""
    names: dict[str, str] = {}
    for sc in session.scalars(select(ScorecardVersion).order_by(ScorecardVersion.id.desc())):
        for it in scorecards.compiled(sc)[0].items:
            names.setdefault(it.code, it.name)
    return names


def _full(card: carddef.CardDef, code: str) -> float | None:
    it = card.item(code)
    if it is None:
        return None
    return 1.0 if it.fatal else it.weight


def item_failures(session: Session, start: datetime, end: datetime, min_count: int = 1) -> list[ItemFailures]:
    """Per agent and item, the inspections scored in [start, end] that failed it, at least ``min_count``."""
    rows = session.execute(select(Inspection.agent_id, Inspection.scorecard_id, Inspection.items,
                                  Inspection.scored_at).where(
        Inspection.kind == Kind.manual.value, Inspection.status.in_(SHOWN_TO_AGENT),
        Inspection.agent_id.is_not(None), Inspection.scored_at >= start, Inspection.scored_at <= end))
    cards: dict[int, carddef.CardDef] = {}
    found: dict[tuple[int, str], list[datetime]] = {}
    names: dict[str, str] = {}
    for agent_id, scorecard_id, items, scored_at in rows:
        if scorecard_id not in cards:
            sc = session.get(ScorecardVersion, scorecard_id)
            assert sc is not None, "an inspection's scorecard is never deleted (RESTRICT)"
            cards[scorecard_id] = scorecards.compiled(sc)[0]
        card = cards[scorecard_id]
        for code, value in (items or {}).items():
            full = _full(card, code)
            score = value.get("score") if isinstance(value, dict) else None
            if full is None or not isinstance(score, int | float) or score >= full:
                continue
            found.setdefault((agent_id, code), []).append(scored_at)
            names.setdefault(code, (it.name if (it := card.item(code)) else code))
    return [ItemFailures(agent, code, names[code], len(at), max(at))
            for (agent, code), at in sorted(found.items()) if len(at) >= min_count]


@dataclass(frozen=True)
class ScoredCall:
    inspection_id: int
    contact_id: int
    scored_at: datetime
    score: float | None
    passed: bool | None
    fatal: bool | None


def agent_calls(session: Session, agent_id: int, start: datetime, end: datetime, limit: int = 500) -> list[ScoredCall]:
    """The agent's manually inspected calls scored in start ≤ scored_at < end (what their QA score and fatal gate
    are computed from, and what they may see and appeal), newest first."""
    rows = session.execute(select(Inspection.id, Inspection.contact_id, Inspection.scored_at, Inspection.score,
                                  Inspection.passed, Inspection.fatal).where(
        Inspection.agent_id == agent_id, Inspection.kind == Kind.manual.value,
        Inspection.status.in_(SHOWN_TO_AGENT), Inspection.scored_at >= start, Inspection.scored_at < end)
        .order_by(Inspection.scored_at.desc(), Inspection.id.desc()).limit(limit))
    return [ScoredCall(int(i), int(c), at, score, passed, fatal) for i, c, at, score, passed, fatal in rows
            if at is not None]
