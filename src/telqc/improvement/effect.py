"""Did the plan work? The effect of an improvement plan on its KPI, credited only with what it caused.

The handbook's check step (管理规范手册 4.3.4–4.3.5, 操作流程 六.4) compares the KPI before and after the
measures. A plain before/after comparison also credits the plan with the season: complaint rates fall after
the Spring Festival whatever anyone did. So:

- **With a comparison group** (another region or team that did not get the measures): a
  difference-in-differences estimate. Each day's treated value minus the comparison's value removes what both
  share (season, weekday, a network incident in both); the effect is the mean of that daily difference after
  minus before, with a Welch t confidence interval (the two periods' variances differ). Assumes the two
  groups would have moved in parallel without the plan — the page shows both series so a reader can judge.
- **Without one**: a before/after test suited to the KPI — a two-proportion z-test when the KPI is a rate and
  its successes and trials are known, otherwise Mann–Whitney U on the daily values (durations and scores
  are skewed: no normality assumed). The verdict then says no comparison group was used.

Verdicts: ``effective`` (significant change in the KPI's good direction), ``worse`` (significant change the
other way), ``not_shown`` (no significant change, or too few days to tell). Pure: plain data in, plain data out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from scipy import stats

ALPHA = 0.05
MIN_DAYS = 5  # per period and group: fewer days cannot tell a change from daily noise


class Verdict(StrEnum):
    EFFECTIVE = "effective"
    NOT_SHOWN = "not_shown"
    WORSE = "worse"


class Method(StrEnum):
    DID = "did"                      # difference in differences, Welch t interval on daily differences
    TWO_PROPORTION = "two_proportion"
    MANN_WHITNEY = "mann_whitney"
    NONE = "none"                    # too little data


@dataclass(frozen=True)
class Counts:
    """A rate's successes and trials over one period (e.g. complaints closed in time / complaints closed)."""

    successes: float
    trials: float


@dataclass(frozen=True)
class Effect:
    method: Method
    verdict: Verdict
    before: float | None          # treated group's mean daily value before
    after: float | None
    estimate: float | None        # after − before (DiD: net of the comparison group's change)
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    days_before: int
    days_after: int
    comparison_before: float | None = None
    comparison_after: float | None = None


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _verdict(estimate: float, significant: bool, direction: str) -> Verdict:
    if not significant or estimate == 0 or direction not in ("higher", "lower"):
        return Verdict.NOT_SHOWN
    better = estimate > 0 if direction == "higher" else estimate < 0
    return Verdict.EFFECTIVE if better else Verdict.WORSE


def _values(series: Mapping[str, float | None]) -> list[float]:
    return [v for _, v in sorted(series.items()) if v is not None and math.isfinite(v)]


def difference_in_differences(treated_before: Mapping[str, float | None], treated_after: Mapping[str, float | None],
                              control_before: Mapping[str, float | None], control_after: Mapping[str, float | None],
                              direction: str, alpha: float = ALPHA) -> Effect:
    """Daily series keyed by day (ISO date); only days where both groups have a value count."""
    def diffs(t: Mapping[str, float | None], c: Mapping[str, float | None]) -> list[float]:
        return [tv - cv for d, tv in sorted(t.items())
                if tv is not None and (cv := c.get(d)) is not None and math.isfinite(tv) and math.isfinite(cv)]

    d0, d1 = diffs(treated_before, control_before), diffs(treated_after, control_after)
    base: dict[str, Any] = {
        "before": _mean(_values(treated_before)), "after": _mean(_values(treated_after)),
        "comparison_before": _mean(_values(control_before)), "comparison_after": _mean(_values(control_after)),
        "days_before": len(d0), "days_after": len(d1)}
    if len(d0) < MIN_DAYS or len(d1) < MIN_DAYS:
        return Effect(Method.NONE, Verdict.NOT_SHOWN, estimate=None, ci_low=None, ci_high=None, p_value=None, **base)
    estimate = sum(d1) / len(d1) - sum(d0) / len(d0)
    v0, v1 = _var(d0) / len(d0), _var(d1) / len(d1)
    se = math.sqrt(v0 + v1)
    if se == 0:
        p, low, high = (1.0 if estimate == 0 else 0.0), estimate, estimate
    else:
        # Welch–Satterthwaite on the variance shares, which sum to 1: the same dof, without v² underflowing to
        # 0 on tiny variances (Hypothesis found a ZeroDivisionError on the unscaled form)
        w0, w1 = v0 / (v0 + v1), v1 / (v0 + v1)
        dof = 1 / (w0 ** 2 / (len(d0) - 1) + w1 ** 2 / (len(d1) - 1))
        t_crit = float(stats.t.ppf(1 - alpha / 2, dof))
        p = float(2 * stats.t.sf(abs(estimate) / se, dof))
        low, high = estimate - t_crit * se, estimate + t_crit * se
    return Effect(Method.DID, _verdict(estimate, p < alpha, direction), estimate=estimate, ci_low=low, ci_high=high,
                  p_value=p, **base)


def before_after(before: Mapping[str, float | None], after: Mapping[str, float | None], direction: str,
                 counts: tuple[Counts, Counts] | None = None, alpha: float = ALPHA) -> Effect:
    """No comparison group: two-proportion z-test on the rate's counts if given, else Mann–Whitney U."""
    x0, x1 = _values(before), _values(after)
    base: dict[str, Any] = {"before": _mean(x0), "after": _mean(x1), "days_before": len(x0), "days_after": len(x1)}
    if counts is not None and counts[0].trials > 0 and counts[1].trials > 0:
        c0, c1 = counts
        p0, p1 = c0.successes / c0.trials, c1.successes / c1.trials
        pooled = (c0.successes + c1.successes) / (c0.trials + c1.trials)
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / c0.trials + 1 / c1.trials))
        p = 1.0 if se0 == 0 else float(2 * stats.norm.sf(abs(p1 - p0) / se0))
        se = math.sqrt(p0 * (1 - p0) / c0.trials + p1 * (1 - p1) / c1.trials)
        z = float(stats.norm.ppf(1 - alpha / 2))
        return Effect(Method.TWO_PROPORTION, _verdict(p1 - p0, p < alpha, direction),
                      estimate=p1 - p0, ci_low=p1 - p0 - z * se, ci_high=p1 - p0 + z * se, p_value=p,
                      **base | {"before": p0, "after": p1})
    if len(x0) < MIN_DAYS or len(x1) < MIN_DAYS:
        return Effect(Method.NONE, Verdict.NOT_SHOWN, estimate=None, ci_low=None, ci_high=None, p_value=None, **base)
    p = float(stats.mannwhitneyu(x1, x0, alternative="two-sided").pvalue)
    estimate = float(sum(x1) / len(x1) - sum(x0) / len(x0))
    return Effect(Method.MANN_WHITNEY, _verdict(estimate, p < alpha, direction), estimate=estimate,
                  ci_low=None, ci_high=None, p_value=p, **base)


def _var(xs: Sequence[float]) -> float:
    m = sum(xs) / len(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)
