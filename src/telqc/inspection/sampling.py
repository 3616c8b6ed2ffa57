"""Sampling (抽检) of interactions for inspectors, and balanced assignment.

Three ways in, in priority order, and one reason recorded per sample:
targeted (complaints, long calls, low CSAT, automatic hits, new agents — where service
failures concentrate), stratified (at least N per agent per week so every agent is
measured, KPI.md per-agent QA score), and a random percentage of the rest (an unbiased
estimate). Samples go to the inspector with the fewest open tasks; a share is scored twice,
blind, by a second inspector to measure calibration variance (KPI.md 校准偏差).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.core.rbac import ROLE_PERMISSIONS, Perm, Role
from telqc.inspection import repository as repo
from telqc.inspection import schemas as s
from telqc.inspection import scorecards
from telqc.inspection.models import Inspection, Kind, SamplingBatch, Status


@dataclass(frozen=True)
class Candidate:
    contact_id: int
    agent_id: int
    week: str            # ISO year-week in the service time zone
    complaint: bool
    talk_s: int
    csat: int | None
    has_hits: bool
    new_agent: bool


def select(cands: list[Candidate], plan: s.SampleIn, rng: random.Random) -> list[tuple[int, str]]:
    """Pure selection: (contact id, reason) pairs, each interaction at most once."""
    chosen: dict[int, str] = {}
    tests: dict[str, Callable[[Candidate], bool]] = {
        "complaint": lambda c: c.complaint,
        "long_call": lambda c: c.talk_s >= plan.long_call_s,
        "low_csat": lambda c: c.csat is not None and c.csat <= plan.low_csat_max,
        "auto_hits": lambda c: c.has_hits,
        "new_agent": lambda c: c.new_agent,
    }
    for c in cands:
        for target in plan.targets:
            if tests[target](c):
                chosen[c.contact_id] = f"targeted:{target}"
                break
    if plan.per_agent_week_min:
        strata: dict[tuple[int, str], list[Candidate]] = defaultdict(list)
        for c in cands:
            strata[(c.agent_id, c.week)].append(c)
        for key in sorted(strata):
            members = strata[key]
            have = sum(1 for c in members if c.contact_id in chosen)
            rest = [c for c in members if c.contact_id not in chosen]
            for c in rng.sample(rest, min(len(rest), max(0, plan.per_agent_week_min - have))):
                chosen[c.contact_id] = "stratified"
    if plan.random_pct:
        rest = [c for c in cands if c.contact_id not in chosen]
        k = round(len(rest) * plan.random_pct / 100)
        for c in rng.sample(rest, k):
            chosen[c.contact_id] = "random"
    order = {c.contact_id: i for i, c in enumerate(cands)}
    return sorted(chosen.items(), key=lambda kv: order[kv[0]])


def _candidates(ctx: Ctx, plan: s.SampleIn) -> list[Candidate]:
    rows = repo.candidates(ctx.session, plan.since, plan.until)
    hits = repo.contacts_with_hits(ctx.session, [r.contact_id for r in rows])
    agents = repo.users(ctx.session, sorted({r.agent_id for r in rows}))
    new_since = plan.until - timedelta(days=plan.new_agent_days)
    tz = ZoneInfo(ctx.settings.timezone)
    out = []
    for r in rows:
        year, week, _ = r.started_at.astimezone(tz).isocalendar()
        agent = agents.get(r.agent_id)
        out.append(Candidate(
            contact_id=r.contact_id, agent_id=r.agent_id, week=f"{year}-W{week:02d}",
            complaint=r.complaint or r.category == "complaint", talk_s=r.talk_s, csat=r.csat,
            has_hits=r.contact_id in hits, new_agent=agent is not None and agent.created_at >= new_since))
    return out


def check_inspectors(ctx: Ctx, ids: list[int]) -> None:
    """Every id must be an active user whose role may score (sampling and calibration panels)."""
    found = repo.users(ctx.session, ids)
    for n, uid in enumerate(ids):
        u = found.get(uid)
        if u is None or not u.is_active or Perm.inspection_score not in ROLE_PERMISSIONS[Role(u.role)]:
            raise Invalid("qa.not_inspector", field=f"body.inspectors.{n}", id=uid)


def _least_loaded(load: dict[int, int], exclude: int | None = None) -> int:
    return min((uid for uid in load if uid != exclude), key=lambda uid: (load[uid], uid))


def run(ctx: Ctx, plan: s.SampleIn, plan_id: int | None = None) -> s.SampleOut:
    """Select, create one assigned inspection per sample, and add blind second scorings; the run is kept as
    a batch (抽检批次) of `plan_id` (None: an ad-hoc run), so the pages can show what each run created."""
    if plan.until <= plan.since:
        raise Invalid("qa.bad_period", field="body.until")
    inspectors = list(dict.fromkeys(plan.inspectors))
    check_inspectors(ctx, inspectors)
    if plan.double_pct and len(inspectors) < 2:
        raise Invalid("qa.double_needs_two", field="body.inspectors")
    sc = scorecards.resolve(ctx, plan.scorecard_id)
    rng = random.Random(plan.seed)
    cands = _candidates(ctx, plan)
    picked = select(cands, plan, rng)
    agent_of = {c.contact_id: c.agent_id for c in cands}
    load = repo.open_workload(ctx.session, inspectors)
    doubles = set(rng.sample([cid for cid, _ in picked], round(len(picked) * plan.double_pct / 100)))
    now, created, n_double = ctx.now(), [], 0
    by_reason: dict[str, int] = defaultdict(int)
    for cid, reason in picked:
        first = _least_loaded(load)
        load[first] += 1
        blind = cid in doubles
        group = f"dbl-{cid}" if blind else None
        rows = [Inspection(contact_id=cid, scorecard_id=sc.id, agent_id=agent_of[cid], inspector_id=first,
                           kind=Kind.manual.value, status=Status.assigned.value, reason=reason, group_key=group,
                           blind=blind, items={}, comments=[], created_at=now)]
        if blind:
            second = _least_loaded(load, exclude=first)
            load[second] += 1
            rows.append(Inspection(contact_id=cid, scorecard_id=sc.id, agent_id=agent_of[cid], inspector_id=second,
                                   kind=Kind.double.value, status=Status.assigned.value, reason=reason,
                                   group_key=group, blind=True, items={}, comments=[], created_at=now))
            n_double += 1
        ctx.session.add_all(rows)
        created += rows
        by_reason[reason] += 1
    ctx.session.flush()
    per_inspector: dict[int, int] = defaultdict(int)
    for ins in created:
        assert ins.inspector_id is not None
        per_inspector[ins.inspector_id] += 1
    batch = SamplingBatch(plan_id=plan_id, since=plan.since, until=plan.until, created=len(picked), double=n_double,
                          by_reason=dict(by_reason), by_inspector={str(k): v for k, v in per_inspector.items()},
                          run_by=ctx.principal.user_id if ctx.principal else None, created_at=now)
    ctx.session.add(batch)
    ctx.session.flush()
    ctx.audit("sampling.run", "scorecard", sc.id, since=plan.since.isoformat(), until=plan.until.isoformat(),
              candidates=len(cands), sampled=len(picked), double=n_double, by_reason=dict(by_reason),
              seed=plan.seed, plan=plan_id, batch=batch.id)
    return s.SampleOut(created=len(picked), double=n_double, by_reason=dict(by_reason),
                       by_inspector=dict(per_inspector), inspection_ids=[i.id for i in created])
