"""The field engineers' roster as the planner builds and reads it (issue 21 item 5): the engineers needed per
province and day (`service.field_requirement`, the repair visits' forecast through the exact Erlang C engine),
the active engineers of the orders domain's users (role engineer, their region scope), `field_roster.solve`,
stored with the need it answers. Repair dispatch reads who is on duty through `workforce.read`."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np

from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Invalid, NotFound
from telqc.workforce import field_roster as fr
from telqc.workforce import repository as repo
from telqc.workforce import schemas as s
from telqc.workforce import service
from telqc.workforce.models import EngineerDuty, EngineerRoster

SOLVER = service.SOLVER


def need_by_province(out: s.FieldOut) -> dict[str, list[int]]:
    """Engineers to have on duty per province and day: the sum over the province's areas."""
    need: dict[str, list[int]] = defaultdict(lambda: [0] * out.days)
    for a in out.areas:
        for i, d in enumerate(a.days):
            need[a.province_code][i] += d.scheduled
    return dict(sorted(need.items()))


def build(ctx: Ctx, data: s.EngineerRosterIn, time_limit_s: float = 30.0) -> tuple[EngineerRoster, fr.FieldRoster]:
    field = service.field_requirement(ctx, data.days, data.start_date)
    need = need_by_province(field)
    if not need:
        raise Invalid("workforce.error.no_repairs", field="body.start_date")
    engineers = [fr.Engineer(uid, frozenset(scope) if scope is not None else None)
                 for uid, _name, scope in repo.engineers(ctx.session)]
    if not any(e.covers(p) for e in engineers for p in need):
        raise Invalid("workforce.error.no_engineers", field="body.start_date")
    days = [field.start_date + timedelta(days=i) for i in range(data.days)]
    res = fr.solve(days, need, engineers, time_limit_s=time_limit_s)
    r = EngineerRoster(created_at=ctx.now(), created_by=ctx.principal.user_id if ctx.principal else None,
                       start_date=field.start_date, days=data.days, solver=SOLVER, status=res.status, need=need,
                       short_blocks=res.short, over_blocks=res.over, nights_uncovered=res.nights_uncovered,
                       solve_s=round(res.solve_s, 3))
    ctx.session.add(r)
    ctx.session.flush()
    ctx.session.add_all(EngineerDuty(roster_id=r.id, engineer_id=x.engineer_id, province_code=x.province, day=x.day,
                                     kind=x.kind) for x in res.duties)
    ctx.session.flush()
    ctx.audit("workforce.engineer_roster_built", "wfm_engineer_roster", r.id, start=r.start_date.isoformat(),
              days=r.days, duties=len(res.duties), engineers=len(engineers), short=res.short,
              nights_uncovered=res.nights_uncovered, status=res.status)
    return r, res


def get(ctx: Ctx, roster_id: int) -> EngineerRoster:
    r = repo.engineer_roster(ctx.session, roster_id)
    if r is None:
        raise NotFound(what="w.wfm_engineer_roster")
    return r


def latest(ctx: Ctx) -> EngineerRoster | None:
    return next(iter(repo.engineer_rosters(ctx.session, 1)), None)


def view(ctx: Ctx, r: EngineerRoster) -> s.EngineerRosterOut:
    rows = repo.duties(ctx.session, r.id)
    names = repo.user_names(ctx.session, sorted({x.engineer_id for x in rows}))
    regions = core_repo.region_names(ctx.session, set(r.need) | {x.province_code for x in rows})
    out = s.EngineerRosterOut.model_validate(r)
    out.duties = [s.EngineerDutyOut(engineer_id=x.engineer_id, engineer=names.get(x.engineer_id, "—"),
                                    province_code=x.province_code,
                                    province=regions.get(x.province_code, x.province_code), day=x.day,
                                    kind=x.kind)  # type: ignore[arg-type]
                  for x in rows]
    return out


def chart(r: EngineerRoster, rows: list[s.EngineerDutyOut], province: str) -> dict[str, list[int]]:
    """One province's engineers needed and on duty per 30-minute interval of the roster (local), as the agents'
    requirement-vs-roster chart."""
    days = [r.start_date + timedelta(days=i) for i in range(r.days)]
    need = r.need.get(province, [0] * r.days)
    req = fr.required(r.days, need)
    cov = fr.coverage([fr.Duty(x.engineer_id, x.province_code, x.day, x.kind) for x in rows], days, [province])
    return {"required": [int(v) for v in np.ravel(req)], "on_duty": [int(v) for v in np.ravel(cov[province])]}


def duty_table(r: EngineerRoster, rows: list[s.EngineerDutyOut]) -> list[dict[str, object]]:
    """Per day and province: who is on the early and late duty and on call that night, against the need."""
    by: dict[tuple[date, str], dict[str, list[str]]] = defaultdict(lambda: {k: [] for k in fr.KINDS})
    names: dict[str, str] = {}
    for x in rows:
        by[(x.day, x.province_code)][x.kind].append(x.engineer)
        names[x.province_code] = x.province
    out: list[dict[str, object]] = []
    for i in range(r.days):
        day = r.start_date + timedelta(days=i)
        for p in sorted(set(r.need) | {x.province_code for x in rows}):
            cell = by[(day, p)]
            out.append({"day": day, "province": names.get(p, p), "province_code": p,
                        "need": r.need.get(p, [0] * r.days)[i], **cell})
    return out
