"""The home page (工作台): each role's to-do list for the day, every count a link to the filtered list.

Composed from the domains' worklists (`orders.worklist`, `inspection.worklist`, `training.service.trainer_counts`)
and the KPI view; a role sees only the parts its permissions cover, so the page never offers a list that would
answer 403.
"""

from __future__ import annotations

from typing import Any

from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.rbac import Perm, Role
from telqc.incidents import service as incidents
from telqc.insight import campaigns as retention_tasks
from telqc.inspection import worklist as qa_worklist
from telqc.metrics import service as metrics
from telqc.metrics.reports import fmt
from telqc.metrics.schemas import default_range
from telqc.orders import timeline, worklist
from telqc.orders.worklist import Tile
from telqc.training import service as training

MANAGER_KPIS = ("complaint_rate", "csat", "sla_compliance", "timely_complaint_handling", "fcr", "qa_score")


def _arrow(k: dict[str, Any]) -> tuple[str, str]:
    """↑/↓ against the previous equal period, coloured by whether that is better for this KPI."""
    change = k.get("change")
    if not change:
        return "→", ""
    up = change > 0
    good = up if k["direction"] == "higher" else (not up if k["direction"] == "lower" else None)
    return ("↑" if up else "↓"), ("" if good is None else "ok" if good else "bad")


def manager_tiles(ctx: Ctx) -> list[dict[str, Any]]:
    start, end = default_range(ctx, None, None)
    view = metrics.view(ctx, metrics.Query(kpis=list(MANAGER_KPIS), start=start, end=end, period="day"))
    out = []
    for k in view["kpis"]:
        arrow, tone = _arrow(k)
        out.append({"name": k["name"], "zh": k["zh"], "en": k["en"], "value": fmt(k["unit"], k["value"]),
                    "target": fmt(k["unit"], k["target"]), "status": k["status"], "arrow": arrow, "tone": tone,
                    "href": f"/metrics/kpi/{k['name']}?from={start}&to={end}"})
    return out


def view(ctx: Ctx) -> dict[str, Any]:
    """Everything the home page shows for the caller."""
    p = ctx.principal
    assert p is not None
    out: dict[str, Any] = {"tiles": [], "orders": [], "teams": [], "visits": [], "kpis": [], "people": {}}
    parts: list[worklist.Worklist] = []
    extra: list[Tile] = []
    if p.role is Role.agent:
        parts.append(worklist.agent(ctx))
        extra.append(Tile("home.appeals_answered", qa_worklist.agent_appeals_answered(ctx), "/qa/my"))
    if p.can(Perm.orders_assign) and p.can(Perm.orders_read):
        parts.append(worklist.supervisor(ctx))
    if p.can(Perm.insight_tasks) and p.role is Role.agent:
        extra.append(Tile("home.retention_tasks", retention_tasks.open_count(ctx), "/insight/tasks"))
    if p.can(Perm.insight_read):
        extra.append(Tile("home.insight", None, "/insight"))
    if p.can(Perm.alerts_live):
        extra.append(Tile("home.live_alerts", None, "/qa/live"))
    if p.can(Perm.inspection_score):
        c = qa_worklist.inspector_counts(ctx)
        extra += [Tile("home.samples_assigned", c["assigned"], "/qa/workbench#queue"),
                         Tile("home.appeals_to_rule", c["appeals"], "/qa/workbench#appeals",
                              "warn" if c["appeals"] else "")]
    if p.role is Role.trainer and p.can(Perm.training_manage):
        c = training.trainer_counts(ctx)
        extra += [Tile("home.training_needs", c["needs"], "/training#needs", "warn" if c["needs"] else ""),
                  Tile("home.training_retakes", c["retakes"], "/training#results"),
                  Tile("home.training_open", c["open"], "/training#assignments")]
    if p.can(Perm.repair_work):
        parts.append(worklist.engineer(ctx))
    if p.can(Perm.network_work):
        parts.append(worklist.netops(ctx))
    if p.can(Perm.incidents_manage):  # network incidents: many complaints, one problem (issue 20)
        c = incidents.worklist(ctx)
        extra += [Tile("home.incidents_suspected", c["suspected"], "/incidents", "warn" if c["suspected"] else ""),
                  Tile("home.incidents_active", c["active"], "/incidents"),
                  Tile("home.incidents_to_verify", c["to_verify"], "/incidents"),
                  Tile("home.planned_soon", c["planned"], "/incidents/planned")]
    if p.can(Perm.metrics_read) and p.role in (Role.manager, Role.admin):
        out["kpis"] = manager_tiles(ctx)
    if p.can(Perm.users_admin):
        users = core_repo.users(ctx.session)
        extra += [Tile("home.users_active", sum(1 for u in users if u.is_active), "/users"),
                         Tile("home.users_disabled", sum(1 for u in users if not u.is_active),
                              "/users?active=false")]
    if p.can(Perm.self_read):
        mine = timeline.my_orders(ctx)
        extra.append(Tile("home.my_orders", sum(1 for o in mine if o.status not in ("closed", "cancelled")),
                          "/my/orders"))
    out["tiles"] = [*(t for w in parts for t in w.tiles), *extra]
    for w in parts:
        out["orders"] += w.orders
        out["teams"] += w.teams
        out["visits"] += w.visits
    out["people"] = core_repo.display_names(ctx.session, [o.handler_id for o in out["orders"]])
    return out
