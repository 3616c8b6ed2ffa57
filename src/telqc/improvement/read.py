"""What evaluation reads of improvement: how many of each person's suggestions were adopted in a period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telqc.improvement.models import ImprovementSuggestion


def adopted_counts(session: Session, author_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, int]:
    """Suggestions adopted in ``start`` ≤ decided_at < ``end``, per author; authors with none are absent (an
    adopted suggestion is credit, the lack of one no penalty: the scheme leaves the component out for them)."""
    ids = list(author_ids)
    if not ids:
        return {}
    rows = session.execute(select(ImprovementSuggestion.author_id, func.count()).where(
        ImprovementSuggestion.author_id.in_(ids), ImprovementSuggestion.status == "adopted",
        ImprovementSuggestion.decided_at >= start, ImprovementSuggestion.decided_at < end)
        .group_by(ImprovementSuggestion.author_id))
    return {int(a): int(n) for a, n in rows}
