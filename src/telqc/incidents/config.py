"""The incident configuration in force: the severity scale and the detection rules, stored so netops and
administrators can change them, with the defaults a fresh installation writes on first use."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from telqc.core.context import Ctx
from telqc.incidents import severity
from telqc.incidents.detection import Rule, RuleTable
from telqc.incidents.models import DetectionRule, SeverityLevel

_LEVELS = SeverityLevel.__table__
_RULES = DetectionRule.__table__
DEFAULT_RULES = (
    Rule(10, timedelta(minutes=30), 20),  # KPI.md 批量投诉: 10 complaints in 30 minutes
    # rural districts have far fewer subscribers: fewer calls in a longer window mean as much
    Rule(5, timedelta(minutes=60), 10, area_type="rural"),
)


def ensure_defaults(ctx: Ctx) -> None:
    """Write the default scale and rules where none are stored (safe to run concurrently)."""
    s = ctx.session
    name = s.get_bind().dialect.name
    ins = pg_insert if name == "postgresql" else sqlite_insert
    now = ctx.now()
    s.execute(ins(_LEVELS).on_conflict_do_nothing(index_elements=["code"]), [
        {"code": g.code, "rank": g.rank, "name": g.name, "name_en": g.name_en, "response_min": g.response_min,
         "update_min": g.update_min, "notify_roles": list(g.notify_roles),
         "joint_test_required": g.joint_test_required, "updated_at": now} for g in severity.DEFAULTS])
    if s.scalar(select(DetectionRule.id).limit(1)) is None:
        s.execute(ins(_RULES).on_conflict_do_nothing(index_elements=["category", "area_type"]), [
            {"category": r.category, "area_type": r.area_type, "threshold": r.threshold,
             "window_min": int(r.window.total_seconds() // 60), "confirm_threshold": r.confirm_threshold,
             "updated_at": now} for r in DEFAULT_RULES])


def level(ctx: Ctx, code: str) -> SeverityLevel | None:
    lv = ctx.session.get(SeverityLevel, code)
    if lv is None and code in severity.CODES:
        ensure_defaults(ctx)
        lv = ctx.session.get(SeverityLevel, code)
    return lv


def rules(ctx: Ctx) -> RuleTable:
    stored = list(ctx.session.scalars(select(DetectionRule).order_by(DetectionRule.id)))
    if not stored:
        return RuleTable(DEFAULT_RULES)
    return RuleTable(tuple(Rule(r.threshold, timedelta(minutes=r.window_min), r.confirm_threshold, r.category,
                                r.area_type) for r in stored))
