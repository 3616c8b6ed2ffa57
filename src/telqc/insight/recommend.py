"""Plan recommendation from the last months of usage and the household (issue 23 §5), pure.

Cost model, all money in fen (integers):

- a plan's monthly cost is its fee plus overage at the customer's *mean* month: the data above the quota billed
  per started GB (1 GB = 1,024 MB), the voice minutes above the quota per started minute;
- a family plan (``is_family``) pools its quotas for up to ``members`` people, for one fee, and is offered only
  to a household of 2 to ``members`` people — never to a household of one (a single renter is not sold a
  family plan, 三.三);
- a personal plan covers one person: a household of ``h`` people needs ``h`` of them, each priced on an equal
  share (usage ÷ h) of the household's usage;
- the cheapest plan wins; between plans of equal cost, one that also covers the busiest month (no overage
  even then) is preferred, then the lower fee, then the code, so the answer never depends on catalogue order;
- a recommendation is made only when it costs strictly less than the current plan; otherwise ``plan`` is None
  and the text says the current plan is already the cheapest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

MB_PER_GB = 1024


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    fee_fen: int
    data_mb: int
    voice_min: int
    data_fen_per_gb: int
    voice_fen_per_min: int
    is_family: bool = False
    members: int = 1


@dataclass(frozen=True)
class Month:
    data_mb: int
    voice_min: int


@dataclass(frozen=True)
class Option:
    plan: Plan
    cost_fen: int
    overage_fen: int
    covers_peak: bool


@dataclass(frozen=True)
class Recommendation:
    plan: Plan | None  # None: nothing is cheaper than the current plan
    cost_fen: int | None
    current: Plan | None  # None: the current plan is not in the catalogue
    current_cost_fen: int | None
    current_overage_fen: int | None
    saving_fen: int | None
    mean_data_mb: Fraction
    mean_voice_min: Fraction
    options: tuple[Option, ...]  # every eligible plan, cheapest first
    text: str


def eligible(plan: Plan, household: int) -> bool:
    """A family plan needs 2 to `members` people; a personal plan suits any household (one per person)."""
    return 2 <= household <= plan.members if plan.is_family else True


def _lines(plan: Plan, household: int) -> int:
    return 1 if plan.is_family else household


def _overage(plan: Plan, data_mb: Fraction, voice_min: Fraction) -> int:
    """Overage of one line at the given usage: started GB above the data quota, started minutes above voice."""
    gb = max(0, math.ceil((data_mb - plan.data_mb) / MB_PER_GB))
    minutes = max(0, math.ceil(voice_min - plan.voice_min))
    return gb * plan.data_fen_per_gb + minutes * plan.voice_fen_per_min


def cost(plan: Plan, household: int, data_mb: Fraction, voice_min: Fraction) -> tuple[int, int]:
    """(monthly total, overage part) in fen for the household's usage `data_mb`, `voice_min` in a month."""
    lines = _lines(plan, household)
    over = _overage(plan, data_mb / lines, voice_min / lines) * lines
    return plan.fee_fen * lines + over, over


def covers(plan: Plan, household: int, month: Month) -> bool:
    lines = _lines(plan, household)
    return Fraction(month.data_mb, lines) <= plan.data_mb and Fraction(month.voice_min, lines) <= plan.voice_min


def _num(x: Fraction | float, digits: int = 1) -> str:
    """A number for the explanation: rounded to `digits`, without trailing zeros ("45", "12.5")."""
    s = f"{float(x):.{digits}f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def yuan(fen: int) -> str:
    return _num(Fraction(fen, 100), 2)


def recommend(
    catalogue: Sequence[Plan], current_code: str | None, months: Sequence[Month], household: int
) -> Recommendation:
    """The least-cost plan for the household's recent `months` of usage, against the current plan."""
    if not months:
        raise ValueError("at least one month of usage is needed")
    if household < 1:
        raise ValueError("household must be at least 1")
    n = len(months)
    mean_data = Fraction(sum(m.data_mb for m in months), n)
    mean_voice = Fraction(sum(m.voice_min for m in months), n)
    peak = Month(max(m.data_mb for m in months), max(m.voice_min for m in months))

    options = []
    for plan in catalogue:
        if eligible(plan, household):
            total, over = cost(plan, household, mean_data, mean_voice)
            options.append(Option(plan, total, over, covers(plan, household, peak)))
    options.sort(key=lambda o: (o.cost_fen, not o.covers_peak, o.plan.fee_fen, o.plan.code))

    current = next((p for p in catalogue if p.code == current_code), None)
    current_cost = current_over = None
    if current is not None:
        current_cost, current_over = cost(current, household, mean_data, mean_voice)

    usage = f"近{n}个月平均每月流量 {_num(mean_data / MB_PER_GB)} GB、通话 {_num(mean_voice, 0)} 分钟"
    if current is not None and current_over:
        usage += f"，当前套餐 {current.name} 超出费用 {yuan(current_over)} 元"
    best = options[0] if options else None
    if best is None or (current_cost is not None and best.cost_fen >= current_cost) or best.plan == current:
        where = f"当前套餐 {current.name} " if current is not None else ""
        return Recommendation(
            None,
            None,
            current,
            current_cost,
            current_over,
            None,
            mean_data,
            mean_voice,
            tuple(options),
            f"{usage}，{where}已是最省的选择，暂无推荐",
        )
    if current_cost is None:
        text = f"{usage}，改为 {best.plan.name} 每月预计费用 {yuan(best.cost_fen)} 元"
        saving = None
    else:
        saving = current_cost - best.cost_fen
        text = f"{usage}，改为 {best.plan.name} 每月预计节省 {yuan(saving)} 元"
    return Recommendation(
        best.plan,
        best.cost_fen,
        current,
        current_cost,
        current_over,
        saving,
        mean_data,
        mean_voice,
        tuple(options),
        text,
    )
