"""Demo quality inspection: last week's recorded calls of the Guangdong floor, a weekly sampling plan, the
inspector's queue and a few scored samples — all through the inspection services.

The demo's generated contacts have no transcripts, so nothing could be sampled: here each Guangdong agent
(王晓燕 and the floor gd_agent01…07) gets six calls in the last complete week, written from a handful of
scripts (a model call, a missing greeting, a blame-shifting phrase, an account change before verification,
an angry customer threatening 12300, a long complaint call). Importing runs the automatic inspection; the QA
manager's weekly plan (every complaint and automatic hit, at least one call per agent, 10 % of the rest)
samples the week for 赵敏, who scores a third of her queue, so her workbench, the sampling page and the
agents' 我的质检 all show real work, and the evaluations that follow have QA scores.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from telqc.core.auth import principal_of
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.models import User
from telqc.inspection import importer, sampling_plans, scorecards, scoring, store_visits
from telqc.inspection import schemas as s
from telqc.inspection.carddef import Mode

Script = list[tuple[str, str]]
GREETING = ("agent", "您好，很高兴为您服务，我是客服代表{name}，请问有什么可以帮您？")
CLOSING = ("agent", "感谢您的来电，祝您生活愉快，再见。")
SCRIPTS: dict[str, Script] = {
    "model": [GREETING, ("customer", "你好，我想查一下这个月的流量还剩多少。"),
              ("agent", "好的，为了保护您的信息，请您提供一下身份证后四位。"), ("customer", "后四位是三五七九。"),
              ("agent", "核实通过，您本月通用流量还剩六点二G，定向流量还剩十G。"), ("customer", "好的，谢谢。"),
              ("agent", "请问还有其他可以帮您的吗？"), ("customer", "没有了。"), CLOSING],
    "no_greeting": [("agent", "喂，说吧。"), ("customer", "我家宽带晚上老是断，能不能派人来看看？"),
                    ("agent", "我给您登记一个报修工单，师傅两小时内联系您。"), ("customer", "行。"), CLOSING],
    "blame": [GREETING, ("customer", "我这个月怎么多扣了三十块钱？"),
              ("agent", "这个我不知道，你自己去营业厅问吧。"), ("customer", "你们客服不就是管这个的吗？"),
              ("agent", "我帮您查一下，是上月开通的视频会员，下月起可以退订。"), CLOSING],
    "unverified": [GREETING, ("customer", "我想把套餐改成五十八的那个。"),
                   ("agent", "好的，已经为您变更为五十八元套餐，下月生效。"), ("customer", "好的。"), CLOSING],
    "angry": [GREETING, ("customer", "我都打了三次电话了，宽带还是没修好，你们到底管不管！"),
              ("agent", "非常抱歉给您带来不便，我马上为您加急处理。"),
              ("customer", "今天再不修好我就打12300投诉你们！"),
              ("agent", "理解您的心情，我已经把工单升级为加急，师傅今天下午上门。"), CLOSING],
    "long_complaint": [GREETING, ("customer", "我要投诉，你们营业厅给我办的合约和说的不一样。"),
                       ("agent", "非常抱歉，请您详细说一下当时的情况，我帮您记录核实。"),
                       ("customer", "当时说每月只要九十九，现在每月扣一百二十九，还说不能改。"),
                       ("agent", "我这边为您登记投诉，二十四小时内会有专人回电处理。"), CLOSING],
}
ROTATION = ("model", "model", "no_greeting", "blame", "unverified", "angry", "long_complaint")
CALLS_PER_AGENT = 6
PLAN_NAME = "每周常规抽检"
AGENTS = ("agent", *(f"gd_agent{i:02d}" for i in range(1, 8)))


def _turns(script: Script, name: str) -> list[dict[str, object]]:
    out, now = [], 0
    for speaker, text in script:
        line = text.format(name=name)
        length = max(1500, len(line) * 260)
        out.append({"speaker": speaker, "start_ms": now, "end_ms": now + length, "text": line})
        now += length + 700
    return out


def _user(ctx: Ctx, username: str) -> User | None:
    return ctx.session.scalar(select(User).where(User.username == username))


def _week_lines(agents: list[User], since: datetime, tag: str) -> list[str]:
    """The floor's calls of the week starting at `since` as import lines (`tag` keeps their ids apart)."""
    lines = []
    for a, agent in enumerate(agents):
        for k in range(CALLS_PER_AGENT):
            script = ROTATION[(a + k) % len(ROTATION)]
            start = since + timedelta(days=k % 5, hours=1 + (a * 7 + k * 3) % 8, minutes=(a * 13 + k * 7) % 60)
            rec = {"external_id": f"demo-qa-{tag}{agent.username}-{k}", "channel": "hotline",
                   "agent": agent.username, "started_at": start.isoformat(), "queue_wait_s": 10 + (a * k) % 50,
                   "acw_s": 30, "talk_s": 1100 if script == "long_complaint" else 180 + 20 * k,
                   "complaint": script in ("long_complaint", "angry"), "category": "complaint"
                   if script == "long_complaint" else None, "turns": _turns(SCRIPTS[script], agent.display_name)}
            lines.append(json.dumps(rec, ensure_ascii=False))
    return lines


def _earlier_weeks(now: datetime, tz: ZoneInfo, months: list[tuple[date, date]]) -> list[datetime]:
    """For each evaluated month, the Monday (local midnight, as UTC) that closes its second complete ISO week, so
    that week and the scoring the day after fall inside the month; oldest first, before last week's."""
    out = []
    this_monday, _ = sampling_plans.last_period("weekly", now, tz)
    for start, end in months:
        monday = start + timedelta(days=(7 - start.weekday()) % 7 + 7)
        at = datetime.combine(monday, time(), tz).astimezone(UTC)
        if monday + timedelta(days=1) <= end and at < this_monday:
            out.append(at)
    return out


def seed_inspection(ctx: Ctx, months: list[tuple[date, date]] | None = None) -> int:
    """Calls, a weekly plan sampled for the inspector, some of it scored; returns the samples made (0 if the
    demo users are missing or the week was sampled already).

    With the evaluated `months` (`telqc.demo.evaluation_seed.evaluated_months`), one week of each month is
    imported, sampled by the plan and scored in full on a clock set just after it, as the inspector would have
    then, so every month's evaluation has QA scores; last week's queue is scored only in part."""
    inspector, manager = _user(ctx, "inspector"), _user(ctx, "manager")
    agents = [u for name in AGENTS if (u := _user(ctx, name)) is not None]
    if inspector is None or manager is None or not agents:
        return 0
    as_manager = replace(ctx, principal=principal_of(manager))
    if any(p.name == PLAN_NAME for p in sampling_plans.listing(as_manager)):
        return 0
    tz = ZoneInfo(ctx.settings.timezone)
    weeks = _earlier_weeks(ctx.now(), tz, months or [])
    plan_id = None
    made = 0
    for monday, tag in [(w, f"{w:%Y%m%d}-") for w in weeks] + [(None, "")]:
        clock = FrozenClock(monday + timedelta(hours=1)) if monday else None  # None: now, last week
        manager_then = replace(as_manager, clock=clock) if clock else as_manager
        since = monday - timedelta(days=7) if monday else sampling_plans.last_period("weekly", ctx.now(), tz)[0]
        importer.import_interactions(manager_then, _week_lines(agents, since, tag))
        if plan_id is None:
            plan_id = sampling_plans.create(manager_then, s.PlanIn(
                name=PLAN_NAME, period="weekly", targets=["complaint", "auto_hits"], per_agent_week_min=1,
                random_pct=10, inspectors=[inspector.id])).id
        made += _sample_and_score(replace(manager_then, principal=principal_of(inspector)), plan_id,
                                  None if monday else 3)
    return made


def _sample_and_score(as_inspector: Ctx, plan_id: int, part: int | None) -> int:
    """Run the plan for the week before the clock's (two hours on) and score the queue (a `part`-th of it, or
    all of it a day later); returns the samples made."""
    if isinstance(as_inspector.clock, FrozenClock):
        as_inspector.clock.advance(timedelta(hours=2))
    batch = sampling_plans.run(as_inspector, plan_id)
    queue = sorted(i.id for i in scoring.queue(as_inspector, 1000))
    if part is None and isinstance(as_inspector.clock, FrozenClock):
        as_inspector.clock.advance(timedelta(days=1))
    card, _ = scorecards.compiled(scorecards.ensure_default(as_inspector))
    manual = [it for it in card.items if it.mode == Mode.manual]
    for n, ins_id in enumerate(queue[: batch.created // part] if part else queue):
        values = {it.code: (1.0 if it.fatal else it.weight) for it in manual}
        if n % 3 == 1 and manual:  # one in three loses points on a manual item
            it = next(i for i in manual if not i.fatal)
            values[it.code] = round(it.weight / 2, 1)
        scoring.score(as_inspector, ins_id, s.ScoreIn(items=values))
    return batch.created


# 营业厅检查与暗访: three Guangdong stores, one visit a week each for four weeks, alternating on-site inspection
# and mystery shopping; the rural store waits longer and the city store oversells, so the report has a story.
STORES = (("广州天河营业厅", "440100"), ("深圳福田营业厅", "440300"), ("梅州梅江营业厅", "441400"))
LOSSES: dict[str, tuple[tuple[str, float, str], ...]] = {
    "广州天河营业厅": (("upsell", 8, "办理停机保号时推荐升级套餐两次"),),
    "深圳福田营业厅": (),
    "梅州梅江营业厅": (("wait_time", 9, "取号后等候 35 分钟，叫号屏故障"), ("tidiness", 3, "填单台资料散乱")),
}


def seed_store_visits(ctx: Ctx, weeks: int = 4) -> int:
    """Stores and their visits scored by the inspector; returns the visits made (0 if seeded already)."""
    inspector = _user(ctx, "inspector")
    if inspector is None:
        return 0
    as_inspector = replace(ctx, principal=principal_of(inspector))
    if any(x.name == STORES[0][0] for x in store_visits.stores(as_inspector)):
        return 0
    made = 0
    for n, (name, city) in enumerate(STORES):
        store = store_visits.create_store(as_inspector, s.StoreIn(name=name, province_code="440000", city_code=city))
        for w in range(weeks):
            items = {it.code: s.VisitItemIn(score=it.points) for it in store_visits.CARD}
            for code, lost, finding in LOSSES[name][: 1 + w % 2]:
                item = store_visits.BY_CODE[code]
                items[code] = s.VisitItemIn(score=item.points - lost, finding=finding)
            when = ctx.now() - timedelta(days=7 * w + 1 + n, hours=3)
            store_visits.record(as_inspector, s.VisitIn(
                store_id=store.id, kind="mystery_shopper" if w % 2 else "store_inspection", visited_at=when,
                items=items))
            made += 1
    return made
