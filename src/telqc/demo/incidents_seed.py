"""Demo network incidents, one of each kind, through the real services: a complaint storm in the busiest
Guangdong district (its complaints arrive in the last 20 minutes; the relay's detection opens the incident,
`advance_incidents` confirms it with an estimate and a prepared answer), a network alarm from rising latency
in another district, and a planned cutover tomorrow night in a third, announced to its customers. Beside them,
a few single network complaints elsewhere are handed to network operations (`orders.complaints.hand_to_network`):
the netops home page and its network-problem list count those one-complaint problems, not incidents, and
would read 0 in a demo whose only network work were the three incidents."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select

from telqc.core.auth import principal_of
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.models import Region, User
from telqc.customers.models import Customer
from telqc.incidents import network, planned, service
from telqc.incidents import schemas as si
from telqc.incidents.models import Incident
from telqc.incidents.states import IncidentState
from telqc.orders import complaints
from telqc.orders import schemas as so
from telqc.orders import service as orders

STORM = 12
SINGLE = 3  # single network complaints handed to netops, one per district beyond the incidents' three


def _user(ctx: Ctx, username: str) -> User | None:
    return ctx.session.scalar(select(User).where(User.username == username))


def _districts(ctx: Ctx, province: str) -> list[str]:
    """The province's districts, most customers first."""
    rows = ctx.session.execute(select(Customer.district_code, func.count()).where(
        Customer.province_code == province).group_by(Customer.district_code)
        .order_by(func.count().desc(), Customer.district_code))
    return [d for d, _ in rows if d]


def seed_incidents(ctx: Ctx) -> int:
    """The storm's complaints, the alarm and the cutover; answers how many complaints were created."""
    agent, netops = _user(ctx, "agent"), _user(ctx, "netops")
    districts = _districts(ctx, "440000")
    if agent is None or netops is None or len(districts) < 3:
        return 0
    now = ctx.now()
    storm, alarm, cutover = districts[:3]
    found = list(ctx.session.scalars(select(Customer.id).where(Customer.district_code == storm)
                                     .order_by(Customer.id).limit(STORM)))
    callers = [found[k % len(found)] for k in range(STORM)]  # a small demo has few customers per district
    clock = FrozenClock(now - timedelta(minutes=20))
    as_agent = replace(ctx, clock=clock, principal=principal_of(agent))
    for cid in callers:
        clock.advance(timedelta(seconds=90))
        orders.create(as_agent, so.OrderCreate.model_validate({
            "type": "complaint", "category": "complaint.network", "customer_id": cid, "channel": "hotline",
            "title": "手机信号中断", "description": "从半小时前开始手机没有信号，打不了电话也上不了网"}))
    as_netops = replace(ctx, principal=principal_of(netops))
    network.ingest(as_netops, [si.SampleIn(district_code=alarm, metric="latency_ms", at=now - timedelta(minutes=m),
                                           value=v) for m, v in ((20, 38.0), (15, 41.0), (10, 96.0), (5, 172.0))])
    province_city = _city(ctx, cutover)
    start = (now + timedelta(days=1)).replace(hour=17, minute=0, second=0, microsecond=0)  # 01:00 Beijing
    planned.create(as_netops, si.PlannedWorkIn(
        title="核心网设备割接", description="核心网设备升级割接，期间移动数据业务可能中断约30分钟",
        province_code="440000", city_code=province_city, district_code=cutover,
        categories=["complaint.network", "repair.mobile"], services=["mobile"], start_at=start,
        end_at=start + timedelta(hours=4)))
    _single_problems(ctx, agent, districts[3:3 + SINGLE], now)
    return len(callers)


def _single_problems(ctx: Ctx, agent: User, districts: list[str], now: datetime) -> None:
    """One weak-signal complaint per district, this morning, handed to network operations (网络部)."""
    clock = FrozenClock(now - timedelta(hours=3))
    as_agent = replace(ctx, clock=clock, principal=principal_of(agent))
    for district in districts:
        cid = ctx.session.scalar(select(Customer.id).where(Customer.district_code == district)
                                 .order_by(Customer.id).limit(1))
        if cid is None:
            continue
        clock.advance(timedelta(minutes=25))
        o = orders.create(as_agent, so.OrderCreate.model_validate({
            "type": "complaint", "category": "complaint.network", "customer_id": cid, "channel": "hotline",
            "title": "家中信号差", "description": "家里室内4G/5G信号很弱，卧室经常无服务，已经持续一周"}))
        complaints.hand_to_network(as_agent, o.id, "室内弱覆盖，请网络部测试并评估是否需要加装室分或微站")


def _city(ctx: Ctx, district: str) -> str | None:
    r = ctx.session.get(Region, district)
    return r.parent_code if r else None


def advance_incidents(ctx: Ctx) -> None:
    """After the relay detected the storm: netops confirm it, with an estimate and the agents' answer. In a rural
    district the storm's twelve complaints pass the rule's confirmation threshold (10) and detection confirms
    it itself; netops then only add the estimate and the answer."""
    netops = _user(ctx, "netops")
    storm = ctx.session.scalar(select(Incident).where(
        Incident.kind == "storm", Incident.status.in_([IncidentState.SUSPECTED.value, IncidentState.CONFIRMED.value]))
        .order_by(Incident.id))
    if netops is None or storm is None:
        return
    as_netops = replace(ctx, principal=principal_of(netops))
    if storm.status == IncidentState.SUSPECTED.value:
        service.change_state(as_netops, storm, IncidentState.CONFIRMED, "基站传输中断，已派抢修")
    service.update(as_netops, storm.id, si.UpdateIn(
        severity="large", cause="基站传输光缆被施工挖断", estimated_restore_at=ctx.now() + timedelta(hours=3),
        prepared_answer="您好，您所在区域因光缆被挖断导致信号中断，抢修人员已到场，预计3小时内恢复，恢复后将短信通知您。"))
