"""Teamwork ratings (团队协作): teammates and supervisors rate how someone works with others each month.

The handbook evaluates teamwork as working with other departments and sharing experience and knowledge
(操作流程 六.1). Only people who see that work may rate it (``evaluation:rate``): a teammate (same team, a
"peer" rating), the team lead (a supervisor rates the members of their own team only) or a manager (the people
of their regions, team leads included); the last two are "supervisor" ratings. A rating is 1–5; the component
is the mean of the teammates' mean and the supervisors' mean (each side counts half whatever its number of
raters, so one supervisor is not outvoted by a large team), over the months the period touches. Who rated whom
is never shown to the person rated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid
from telqc.core.models import User
from telqc.core.rbac import Perm, Principal, Role
from telqc.evaluation import repository as repo
from telqc.evaluation import schemas as s
from telqc.evaluation.models import TeamworkRating
from telqc.evaluation.schemes import ROLES
from telqc.metrics import service as metrics


def _month(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def rate(ctx: Ctx, data: s.TeamworkIn) -> TeamworkRating:
    assert ctx.principal is not None
    me = ctx.principal
    ratee = ctx.session.get(User, data.ratee_id)
    if ratee is None or not ratee.is_active or ratee.role not in ROLES:
        raise Invalid("evaluation.error.ratee", field="body.ratee_id")
    if ratee.id == me.user_id:
        raise Invalid("evaluation.error.rate_self", field="body.ratee_id")
    kind = rater_kind(me)
    if not _may_rate(me, ratee):
        raise Invalid("evaluation.error.not_teammate" if kind == "peer" else
                      "evaluation.error.not_your_team" if me.role is Role.supervisor else "evaluation.error.ratee",
                      field="body.ratee_id")
    month = _month(data.month)
    if month > metrics.local_today(ctx):
        raise Invalid("evaluation.error.month_future", field="body.month")
    if repo.teamwork_rated(ctx.session, me.user_id, ratee.id, month):
        raise Conflict("evaluation.error.rated", field="body.ratee_id")
    row = TeamworkRating(ratee_id=ratee.id, rater_id=me.user_id, rater_kind=kind, month=month, score=data.score,
                         comment=data.comment, created_at=ctx.now())
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("evaluation.teamwork_rated", "evaluation_teamwork", row.id, ratee_id=ratee.id, month=str(month),
              kind=kind, score=data.score)
    return row


def values(ctx: Ctx, ids: Iterable[int], start: date, end: date) -> dict[int, float]:
    """Each rated person's teamwork (1–5) over the months ``start``..``end`` touch; the unrated are absent."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = repo.teamwork_scores(ctx.session, wanted, start.replace(day=1), end)
    scores: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for ratee, kind, score in rows:
        scores[ratee][kind].append(score)
    return {ratee: sum(sum(v) / len(v) for v in sides.values()) / len(sides) for ratee, sides in scores.items()}


def rater_kind(me: Principal) -> str:
    """A team lead's or a manager's rating counts on the supervisors' side, anyone else's on the teammates'."""
    return "supervisor" if me.can(Perm.evaluation_manage) else "peer"


def _may_rate(me: Principal, ratee: User) -> bool:
    """The access scope: a peer and a team lead rate their own team (a lead without a team rates nobody), a
    manager the people of their regions."""
    if not me.can(Perm.evaluation_rate):
        return False
    if rater_kind(me) == "peer" or me.role is Role.supervisor:
        return me.team_id is not None and ratee.team_id == me.team_id
    return me.region_scope is None or bool(set(ratee.region_scope or ()) & set(me.region_scope))


def rateable(ctx: Ctx) -> list[tuple[int, str]]:
    """Whom the caller may rate, as the form offers them: (id, "name · team"), by team then id."""
    me = ctx.principal
    if me is None or not me.can(Perm.evaluation_rate):
        return []
    team = None
    if rater_kind(me) == "peer" or me.role is Role.supervisor:
        if me.team_id is None:
            return []
        team = me.team_id
    people = [u for u in repo.active_people(ctx.session, ROLES, me.user_id, team) if _may_rate(me, u)]
    teams = core_repo.team_names(ctx.session, [u.team_id for u in people if u.team_id is not None])
    return [(u.id, f"{u.display_name} · {teams[u.team_id]}" if u.team_id in teams else u.display_name)
            for u in people]


def mine(ctx: Ctx) -> list[TeamworkRating]:
    """The ratings the caller gave (never those they received)."""
    assert ctx.principal is not None
    return repo.teamwork_given(ctx.session, ctx.principal.user_id)
