"""Demo agent evaluations: a floor of agents per demo province, and a quarter of monthly evaluations.

One demo agent per province would make every ranking trivial, so each demo province gets a floor of seven more
agents over its two hotline teams (created before the contacts, so the contacts spread over them). After the
rollups are built, the three calendar months before the current one are evaluated through the evaluation
service, each month on its own (the handbook's monthly evaluation), plus the quarter as a whole; the demo agent
王晓燕 objects to her latest result, so the supervisor's objection list has one to decide.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select

from telqc.core.auth import create_user, principal_of
from telqc.core.context import Ctx
from telqc.core.models import Team, User
from telqc.core.rbac import Role
from telqc.demo.peer_input_seed import seed_peer_input
from telqc.evaluation import schemas as es
from telqc.evaluation import service as evaluation
from telqc.metrics import service as metrics

FLOOR = {"440000": "gd", "330000": "zj", "510000": "sc", "410000": "ha"}
NAMES = ("黄嘉欣", "林志豪", "何雨桐", "郑文博", "梁晓琳", "谢俊杰", "罗佳怡", "周子涵", "孙浩然", "马婷婷",
         "朱一鸣", "胡静怡", "郭子轩", "高思琪", "徐明轩", "宋雨欣", "唐浩宇", "许梦瑶", "韩宇航", "冯欣怡",
         "邓嘉豪", "曹诗涵", "彭俊熙", "曾可欣", "肖天佑", "田晓雯", "董博文", "袁思彤")
PER_PROVINCE = 7


def load_demo_floor(ctx: Ctx, password: str) -> int:
    """Seven more agents per demo province, alternating between its teams. Idempotent; returns agents made."""
    made = 0
    names = iter(NAMES)
    for province, short in FLOOR.items():
        teams = list(ctx.session.scalars(select(Team.id).where(Team.province_code == province).order_by(Team.id)))
        for i in range(PER_PROVINCE):
            name = next(names)
            username = f"{short}_agent{i + 1:02d}"
            if ctx.session.scalar(select(User.id).where(User.username == username)) is not None:
                continue
            team = teams[(i + 1) % len(teams)] if teams else None
            create_user(ctx, username=username, password=password, role=Role.agent, display_name=name,
                        team_id=team, region_scope=[province])
            made += 1
    return made


def _month_start(d: date) -> date:
    return d.replace(day=1)


def evaluated_months(ctx: Ctx, days: int) -> list[tuple[date, date]]:
    """The (up to) three calendar months before the current one that the history reaches, oldest first."""
    today = metrics.local_today(ctx)
    first_data = today - timedelta(days=days)
    months: list[tuple[date, date]] = []
    end = _month_start(today) - timedelta(days=1)
    while len(months) < 3:
        start = _month_start(end)
        if end < first_data:
            break
        months.append((max(start, first_data), end))
        end = start - timedelta(days=1)
    months.reverse()
    return months


def seed_evaluations(ctx: Ctx, days: int) -> int:
    """Per demo province, the three months before the current one (those the rollups reach) and the quarter,
    after the quarter's teamwork ratings, suggestions and simulated calls (`telqc.demo.peer_input_seed`);
    returns the runs made."""
    months = evaluated_months(ctx, days)
    seed_peer_input(ctx, months)
    made = 0
    for province in FLOOR:  # one run per province: a supervisor sees the runs of their own province
        runs = [evaluation.run(ctx, es.RunIn(name=f"{end.year}年{end.month}月坐席月度考评", period_start=start,
                                             period_end=end, province=province)) for start, end in months]
        if len(months) == 3:
            q_start, q_end = months[0][0], months[-1][1]
            runs.append(evaluation.run(ctx, es.RunIn(
                name=f"{q_end.year}年{q_start.month}–{q_end.month}月季度考评", period_start=q_start,
                period_end=q_end, province=province)))
        if province == "440000" and months:
            _object(ctx, runs[len(months) - 1].id)
        made += len(runs)
    return made


def _object(ctx: Ctx, run_id: int) -> None:
    agent = ctx.session.scalar(select(User).where(User.username == "agent"))
    if agent is None:
        return
    _, results = evaluation.results(ctx, run_id)
    mine = next((r for r in results if r.agent_id == agent.id), None)
    if mine is not None:
        evaluation.object_to(replace(ctx, principal=principal_of(agent)), mine.id, es.ObjectionIn(
            reason="本月有两天在做新员工带教，接听量偏低，申请按实际在线时长折算话务量得分。"))
