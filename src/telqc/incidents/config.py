"""The incident configuration in force: the severity scale and the detection rules, stored so netops and
administrators can change them, with the defaults a fresh installation writes on first use."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from telqc.core.context import Ctx
from telqc.core.errors import Forbidden, NotFound
from telqc.incidents import schemas as s
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
    db = ctx.session
    name = db.get_bind().dialect.name
    ins = pg_insert if name == "postgresql" else sqlite_insert
    now = ctx.now()
    db.execute(ins(_LEVELS).on_conflict_do_nothing(index_elements=["code"]), [
        {"code": g.code, "rank": g.rank, "name": g.name, "name_en": g.name_en, "response_min": g.response_min,
         "update_min": g.update_min, "notify_roles": list(g.notify_roles),
         "joint_test_required": g.joint_test_required, "updated_at": now} for g in severity.DEFAULTS])
    if db.scalar(select(DetectionRule.id).limit(1)) is None:
        db.execute(ins(_RULES).on_conflict_do_nothing(index_elements=["category", "area_type"]), [
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


def _national(ctx: Ctx) -> None:
    """The scale and rules hold for every region: only a user with national scope changes them."""
    if ctx.principal is None or ctx.principal.region_scope is not None:
        raise Forbidden()


def settings(ctx: Ctx) -> s.SettingsOut:
    ensure_defaults(ctx)
    levels = ctx.session.scalars(select(SeverityLevel).order_by(SeverityLevel.rank))
    stored = ctx.session.scalars(select(DetectionRule).order_by(DetectionRule.id))
    return s.SettingsOut(levels=[s.LevelOut.model_validate(x) for x in levels],
                         rules=[s.RuleOut.model_validate(x) for x in stored])


def set_level(ctx: Ctx, code: str, data: s.LevelIn) -> SeverityLevel:
    _national(ctx)
    lv = level(ctx, code)
    if lv is None:
        raise NotFound(what="w.severity")
    old = {"response_min": lv.response_min, "update_min": lv.update_min, "notify_roles": list(lv.notify_roles),
           "joint_test_required": lv.joint_test_required}
    lv.response_min, lv.update_min = data.response_min, data.update_min
    lv.notify_roles, lv.joint_test_required = list(data.notify_roles), data.joint_test_required
    lv.updated_at = ctx.now()
    ctx.session.flush()
    ctx.audit("incident_settings.level_changed", "incident_settings", code, **{"from": old,
              "to": data.model_dump()})
    return lv


def set_rules(ctx: Ctx, data: s.RulesIn) -> list[DetectionRule]:
    """Replace the rule table; detection reads it at its next batch (`rules`)."""
    _national(ctx)
    ensure_defaults(ctx)
    old = [(r.category, r.area_type, r.threshold, r.window_min, r.confirm_threshold)
           for r in ctx.session.scalars(select(DetectionRule).order_by(DetectionRule.id))]
    ctx.session.execute(delete(DetectionRule))
    now = ctx.now()
    rows = [DetectionRule(category=r.category, area_type=r.area_type, threshold=r.threshold, window_min=r.window_min,
                          confirm_threshold=r.confirm_threshold, updated_at=now) for r in data.rules]
    ctx.session.add_all(rows)
    ctx.session.flush()
    ctx.audit("incident_settings.rules_changed", "incident_settings", "rules", before=old,
              after=[r.model_dump() for r in data.rules])
    return rows
