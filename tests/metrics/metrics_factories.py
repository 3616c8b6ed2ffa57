"""Contract events for metrics tests: built here, emitted through the real outbox and drained."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import FastAPI

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.metrics import service

Ev = tuple[str, str, object, dict[str, Any]]


def dims(channel: str = "hotline", province: str = "440000", city: str = "440100", area: str = "urban",
         tier: str = "regular", team: int | None = 1, agent: int | None = 7, category: str | None = None,
         ) -> dict[str, Any]:
    return {"province_code": province, "city_code": city, "district_code": None, "area_type": area, "tier": tier,
            "channel": channel, "team_id": team, "agent_id": agent, "category": category}


def contact(cid: int, at: datetime, customer: int | None, category: str | None, wait: int = 10, talk: int = 100,
            hold: int = 0, acw: int = 0, abandoned: bool = False, transferred: bool = False, **d: Any) -> Ev:
    return ("contact.closed", "contact", cid, {
        "contact_id": cid, "customer_id": customer, "started_at": at.isoformat(), "queue_wait_s": wait,
        "talk_s": 0 if abandoned else talk, "hold_s": 0 if abandoned else hold, "acw_s": 0 if abandoned else acw,
        "abandoned": abandoned, "transferred": transferred, "answered_within_s": None if abandoned else wait,
        "dims": dims(category=category, **d)})


def order(oid: int, at: datetime, typ: str, customer: int | None, category: str, regulator: bool = False,
          **d: Any) -> Ev:
    return ("order.created", "order", oid, {
        "order_id": oid, "type": typ, "priority": "P3", "customer_id": customer, "created_at": at.isoformat(),
        "escalation_risk": False, "regulator": regulator, "dims": dims(category=category, **d)})


def order_event(kind: str, oid: int, at: datetime, typ: str, category: str = "signal", d: dict[str, Any] | None = None,
                **fields: Any) -> Ev:
    return (kind, "order", oid, {"order_id": oid, "type": typ, "at": at.isoformat(),
                                 "dims": d or dims(category=category), **fields})


def survey_answered(sid: int, at: datetime, csat: int | None, nps: int | None, resolved: bool | None,
                    **d: Any) -> Ev:
    return ("survey.answered", "survey", sid, {"survey_id": sid, "order_id": None, "contact_id": None,
                                               "agent_id": 7, "csat": csat, "nps": nps, "resolved": resolved,
                                               "at": at.isoformat(), "dims": dims(**d)})


def survey_invited(sid: int, at: datetime, **d: Any) -> Ev:
    return ("survey.invited", "survey", sid, {"survey_id": sid, "order_id": None, "contact_id": None,
                                              "channel": "sms", "at": at.isoformat(), "dims": dims(**d)})


def inspection(iid: int, at: datetime, score: float, passed: bool, fatal: bool, **d: Any) -> Ev:
    return ("inspection.scored", "inspection", iid, {
        "inspection_id": iid, "interaction_id": iid, "agent_id": 7, "score": score, "passed": passed,
        "fatal": fatal, "at": at.isoformat(), "dims": dims(**d)})


def calibrated(sid: int, at: datetime, scores: list[float]) -> Ev:
    return ("inspection.calibrated", "calibration", sid, {"session_id": sid, "interaction_id": sid,
                                                          "item": "total", "scores": scores, "at": at.isoformat()})


def availability(agent: int, at: datetime, seconds: int) -> Ev:
    return ("agent.availability", "agent", agent, {"agent_id": agent, "at": at.isoformat(), "available_s": seconds,
                                                  "dims": dims(agent=agent)})


def emit_all(app: FastAPI, evs: list[Ev]) -> None:
    """Emit in one transaction, then deliver to every handler exactly as production does."""
    st = app.state
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=st.clock, settings=st.settings)
        for kind, entity, eid, payload in evs:
            events.emit(ctx, kind, entity, eid, **payload)
        uow.commit()
    while events.drain(st.sessionmaker, st.clock, st.settings):
        pass


def set_subscribers(app: FastAPI, rows: list[tuple[str, str, str, str, int]]) -> None:
    st = app.state
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        service.set_subscribers(Ctx(uow=uow, clock=st.clock, settings=st.settings), rows)
        uow.commit()


_PLACES = ["小区", "家里", "地下室", "办公室", "学校附近", "村里"]
_SIGNAL = ["信号差", "没有信号", "信号弱", "信号不好"]
_BILLS = ["话费扣费异常", "扣费不明", "多扣话费", "流量扣费错误"]
_TAILS = ["，已经一周了", "，请尽快处理", "，很不满意", ""]
SIGNAL = [f"{p}{s}{t}" for p in _PLACES for s in _SIGNAL for t in _TAILS[:2]]
BILLING = [f"{b}{t}" for b in _BILLS for t in _TAILS]


def october_events() -> list[Ev]:
    """A month of complaints: a significant signal hotspot in 440300, a little noise in 440100."""
    from datetime import UTC, timedelta

    base = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
    sep = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
    evs: list[Ev] = []
    n = 1000
    for i in range(30):  # October: 30 signal complaints in 440300
        n += 1
        e = order(n, base + timedelta(days=i % 28, hours=i % 5), "complaint", 500 + i, "signal", city="440300",
                  team=2)
        e[3]["description"] = SIGNAL[(i * 7) % len(SIGNAL)]
        evs.append(e)
    for i in range(12):  # October: billing complaints spread over both cities
        n += 1
        e = order(n, base + timedelta(days=i * 2), "complaint", 600 + i, "billing",
                  city="440100" if i % 4 else "440300", team=1)
        e[3]["description"] = BILLING[(i * 5) % len(BILLING)]
        evs.append(e)
    for i in range(3):  # September: the previous period
        n += 1
        evs.append(order(n, sep + timedelta(days=i * 7), "complaint", 700 + i, "signal", city="440300", team=2))
    for i in range(6):
        n += 1
        evs.append(order(n, sep + timedelta(days=i * 4), "complaint", 800 + i, "billing", city="440100", team=1))
    for i in range(40):  # contacts for team rankings and trends
        evs.append(contact(5000 + i, base + timedelta(days=i % 30, hours=1), 900 + i % 7, "billing",
                           wait=5 + i % 30, talk=200 + i, transferred=i % 5 == 0, team=1 + i % 2,
                           channel=["hotline", "app", "wechat"][i % 3], city="440100" if i % 2 else "440300"))
    return evs


SUBSCRIBERS = [("440000", "440100", "urban", "regular", 30000), ("440000", "440300", "urban", "regular", 20000)]
