"""The scheduled tier and stage assessment: facts for every customer from stored bills, usage, contracts and
complaints, the rules of :mod:`telqc.insight.tiering`, the changes written through the customers service.

Facts are gathered per kind in a few grouped queries (not per customer), then assessed in Python; a customer
with no stored bill keeps the tier it has (the stage is still assessed from tenure, contract and complaints).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from telqc.core.context import Ctx
from telqc.customers import service as customers
from telqc.customers.read import CUSTOMERS
from telqc.insight import tiering
from telqc.insight.models import InsightBill, InsightUsageMonth
from telqc.orders import read as orders_read

WINDOW = 6  # months of bills and usage read: the last 3 against the 3 before


@dataclass(frozen=True)
class Summary:
    assessed: int
    changed: int
    tiers: dict[str, int]
    stages: dict[str, int]


def _months(a: date, b: date) -> int:
    """Whole months from a to b (negative when b is earlier)."""
    return (b.year - a.year) * 12 + b.month - a.month - (1 if b.day < a.day else 0)


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def facts(ctx: Ctx, today: date) -> dict[int, tiering.Facts]:
    s = ctx.session
    now_m = _month_index(today)
    since = _first_of(now_m - WINDOW)
    bills: dict[int, dict[int, int]] = defaultdict(dict)
    overdue: dict[int, int] = defaultdict(int)
    for cid, month, amount, paid in s.execute(select(InsightBill.customer_id, InsightBill.month,
                                                     InsightBill.amount_fen, InsightBill.paid_fen)
                                              .where(InsightBill.month >= since)):
        bills[cid][_month_index(month)] = amount
        if paid < amount and _month_index(month) < now_m - 1:
            overdue[cid] += 1
    data: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for cid, month, mb in s.execute(select(InsightUsageMonth.customer_id, InsightUsageMonth.month,
                                           func.sum(InsightUsageMonth.data_mb))
                                    .where(InsightUsageMonth.month >= since)
                                    .group_by(InsightUsageMonth.customer_id, InsightUsageMonth.month)):
        data[cid][_month_index(month)] += int(mb or 0)
    ever_used = dict(s.execute(select(InsightUsageMonth.customer_id, func.max(InsightUsageMonth.month))
                               .group_by(InsightUsageMonth.customer_id)).all())
    tz = ZoneInfo(ctx.settings.timezone)
    complaints = orders_read.complaints_per_customer(s, ctx.now().astimezone(tz) - timedelta(days=90))
    out: dict[int, tiering.Facts] = {}
    c = CUSTOMERS.c
    for cid, joined, contract_end in s.execute(select(c.id, c.joined_on, c.contract_end)):
        b = bills.get(cid, {})
        last3 = [b[m] for m in range(now_m - 3, now_m) if m in b]
        before3 = [b[m] for m in range(now_m - 6, now_m - 3) if m in b]
        d = data.get(cid, {})
        used = [d[m] for m in range(now_m - 3, now_m) if m in d]
        last_used = ever_used.get(cid)
        out[cid] = tiering.Facts(
            tenure_months=max(_months(joined, today), 0),
            months_to_contract_end=_months(today, contract_end) if contract_end else None,
            arpu_yuan=sum(last3) / len(last3) / 100 if last3 else None,
            arpu_before_yuan=sum(before3) / len(before3) / 100 if before3 else None,
            data_gb=sum(used) / len(used) / 1024 if used else None,
            months_since_usage=now_m - 1 - _month_index(last_used) if last_used else None,
            overdue_bills=overdue.get(cid, 0),
            complaints_90d=complaints.get(cid, 0),
        )
    return out


def _first_of(index: int) -> date:
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, 1)


def run(ctx: Ctx, rules_file: Path | None = None) -> Summary:
    """Assess every customer; write and audit the changes (a second run on the same data changes nothing)."""
    rules = tiering.load_rules(rules_file)
    today = ctx.now().astimezone(ZoneInfo(ctx.settings.timezone)).date()
    changed = 0
    tiers: dict[str, int] = defaultdict(int)
    stages: dict[str, int] = defaultdict(int)
    all_facts = facts(ctx, today)
    for cid, f in sorted(all_facts.items()):
        a = tiering.assess(rules, f)
        changed += customers.apply_assessment(ctx, cid, a.tier, a.stage, list(a.reasons))
        tiers[a.tier or "unchanged"] += 1
        stages[a.stage] += 1
    ctx.audit("insight.assessed", "insight", "tiering", assessed=len(all_facts), changed=changed)
    return Summary(len(all_facts), changed, dict(tiers), dict(stages))
