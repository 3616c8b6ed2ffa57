"""KPI history for improvement tests: daily CSAT answers in two provinces, through the real outbox and rollups."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from fastapi import FastAPI

from metrics.metrics_factories import Ev, emit_all, survey_answered

GD, ZJ = "440000", "330000"
CITY = {GD: "440100", ZJ: "330100"}
BASELINE = (date(2026, 9, 8), date(2026, 10, 5))
AFTER = (date(2026, 10, 6), date(2026, 11, 1))


def csat_history(app: FastAPI, rates: dict[str, tuple[float, float]], per_day: int = 30, seed: int = 5) -> None:
    """Answers per day per province with P(csat ≥ 4) = rates[province][0] in the baseline, [1] after, plus a
    weekly cycle shared by both provinces (the season the comparison group must remove)."""
    rng = random.Random(seed)
    evs: list[Ev] = []
    sid = 0
    day = BASELINE[0]
    while day <= AFTER[1]:
        weekly = 0.04 if day.weekday() >= 5 else 0.0
        for province, (before, after) in rates.items():
            p = (after if day >= AFTER[0] else before) - weekly
            for _ in range(per_day):
                sid += 1
                at = datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC) + timedelta(minutes=rng.randrange(600))
                evs.append(survey_answered(sid, at, csat=5 if rng.random() < p else 2, nps=None, resolved=None,
                                           province=province, city=CITY[province]))
        day += timedelta(days=1)
    emit_all(app, evs)
