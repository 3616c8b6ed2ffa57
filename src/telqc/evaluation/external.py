"""The components no KPI computes, each read from the domain that owns it, for every person of a run at once.

- ``exam_score``: the best exam passed in the period (`telqc.training.service.exam_scores`), 0–100;
- ``course_completion``: completed ÷ assigned over the courses assigned in the period (`telqc.training.read`);
- ``sim_call_score``: the mean score of the simulated calls (模拟通话) scored in the period (`telqc.training.read`);
- ``teamwork``: the teammates' and supervisors' ratings, 1–5 (`telqc.evaluation.teamwork`);
- ``suggestions_adopted``: suggestions adopted in the period (`telqc.improvement.read`).

A person with nothing to count has no value (None): the engine shares that weight among the other components,
so having had no course assigned or no suggestion adopted neither helps nor hurts.
"""

from __future__ import annotations

from datetime import date

from telqc.core.context import Ctx
from telqc.evaluation import teamwork
from telqc.improvement import read as improvement
from telqc.metrics import rollup
from telqc.metrics import service as metrics
from telqc.training import read as training_read
from telqc.training import service as training


def fill(ctx: Ctx, values: dict[int, dict[str, float | None]], keys: set[str], start: date, end: date) -> None:
    """Set ``values[person][key]`` for each external key the scheme uses (one query per key)."""
    ids = list(values)
    found: dict[str, dict[int, float]] = {}
    if "exam_score" in keys:
        found["exam_score"] = training.exam_scores(ctx, ids, start, end)
    if "course_completion" in keys:
        found["course_completion"] = {a: done / n for a, (done, n) in
                                      training_read.course_completion(ctx, ids, start, end).items() if n}
    if "sim_call_score" in keys:
        found["sim_call_score"] = {a: mean for a, (mean, _n) in
                                   training_read.sim_call_scores(ctx, ids, start, end).items()}
    if "teamwork" in keys:
        found["teamwork"] = teamwork.values(ctx, ids, start, end)
    if "suggestions_adopted" in keys:
        tz = metrics.tz_of(ctx)
        found["suggestions_adopted"] = {a: float(n) for a, n in improvement.adopted_counts(
            ctx.session, ids, rollup.local_midnight(start, tz),
            rollup.local_midnight(date.fromordinal(end.toordinal() + 1), tz)).items()}
    for key, by_person in found.items():
        for person, v in values.items():
            v[key] = by_person.get(person)
