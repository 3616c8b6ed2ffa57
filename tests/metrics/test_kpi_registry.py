"""Every KPI of KPI.md on a small hand-computed data set, read back from rollups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from metrics.metrics_factories import (
    Ev,
    availability,
    calibrated,
    contact,
    dims,
    emit_all,
    inspection,
    order,
    order_event,
    set_subscribers,
    survey_answered,
    survey_invited,
)
from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.core.uow import UnitOfWork
from telqc.metrics import registry, service

T0 = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
DAY = timedelta(days=1)

EXPECTED = {
    "offered": 5, "service_level": 2 / 4, "answer_rate_15s": 2 / 5, "abandonment_rate": 1 / 5, "asa": 55 / 3,
    "asa_p90": 30, "aht": 770 / 3, "aht_p90": 420, "occupancy": 770 / 3080, "transfer_rate": 1 / 3, "fcr": 1 / 3,
    "fcr_survey": 1 / 2, "first_response_time": 3000, "first_response_p90": 5400, "resolution_time": 4200,
    "resolution_p90": 7200, "sla_compliance": 2 / 3, "complaint_rate": 12 / 40000 * 10_000,
    "timely_complaint_handling": 1 / 2, "complaint_satisfaction": 1 / 2, "closed_loop_rate": 1 / 2,
    "repeat_complaint_rate": 1 / 12, "escalated_complaint_rate": 1 / 40000 * 1_000_000, "mass_complaint": 1,
    "handling_accuracy": 1 / 2, "field_response_time": 5400, "csat": 2 / 3, "csat_mean": 4.0, "nps": 0.0,
    "survey_response_rate": 3 / 4, "qa_score": 265 / 3, "qa_pass_rate": 1 / 3, "fatal_error_rate": 1 / 3,
    "calibration_variance": 12.5,
    # incidents: a detected major storm (10 min to detect, 3 h to restore, 12 orders) and a declared one (1 h)
    "incident_count": 2, "grave_incident_count": 1, "time_to_detect": 600, "time_to_restore": (10800 + 3600) / 2,
    "incident_linked_orders": 12,
}


def _incident(kind: str, iid: int, at: datetime, severity: str, **fields: Any) -> Ev:
    """As `incidents.service` emits them."""
    return (kind, "incident", iid, {"incident_id": iid, "at": at.isoformat(), "detected_at": T0.isoformat(),
                                     "dims": {"province_code": "440000", "city_code": "440100",
                                              "district_code": "440106", "severity": severity, "kind": "storm"},
                                     **fields})


def _events() -> list[Ev]:
    ev = [
        contact(1, T0, 1, "billing", wait=10, talk=200, hold=20, acw=30),
        contact(2, T0 + 2 * DAY, 1, "billing", wait=30, talk=100, acw=20),       # repeat: contact 1 fails FCR
        contact(3, T0, 2, "network", wait=3, abandoned=True),                     # abandoned within 5 s
        contact(4, T0, 3, "network", wait=40, abandoned=True),
        contact(5, T0, 4, "plan", wait=15, talk=300, hold=60, acw=40, transferred=True),
        availability(7, T0, 2310),
        order(1, T0 + timedelta(hours=1), "complaint", 10, "signal", regulator=True),
        order(2, T0 + DAY, "complaint", 10, "signal"),                            # repeat within 30 days
        order(3, T0, "business", 11, "plan_change"),
        order(4, T0, "business", 12, "plan_change"),
        order(5, T0, "repair", 13, "broadband"),
        order_event("order.first_response", 1, T0 + timedelta(hours=2), "complaint", business_s=600),
        order_event("order.first_response", 5, T0 + timedelta(hours=2), "repair", business_s=5400),
        order_event("order.resolved", 1, T0 + DAY, "complaint", resolution_business_s=7200, within_deadline=True,
                    reopened=False, solution_code="fixed"),
        order_event("order.resolved", 3, T0 + DAY, "business", resolution_business_s=3600, within_deadline=False,
                    reopened=True, solution_code="done"),
        order_event("order.resolved", 4, T0 + DAY, "business", resolution_business_s=1800, within_deadline=True,
                    reopened=False, solution_code="done"),
        order_event("order.closed", 1, T0 + DAY, "complaint", within_deadline=True, closed_loop=True),
        order_event("order.closed", 2, T0 + 2 * DAY, "complaint", within_deadline=False, closed_loop=False),
        order_event("order.callback_recorded", 1, T0 + DAY, "complaint", outcome="satisfied", reason=None),
        order_event("order.callback_recorded", 2, T0 + 2 * DAY, "complaint", outcome="unsatisfied", reason="慢"),
        order_event("order.callback_recorded", 2, T0 + 2 * DAY, "complaint", outcome="unreachable", reason=None),
        survey_invited(1, T0), survey_invited(2, T0), survey_invited(3, T0), survey_invited(4, T0),
        survey_answered(1, T0, 5, 10, True), survey_answered(2, T0, 3, 6, False),
        survey_answered(3, T0, 4, 8, None),
        inspection(1, T0, 95, True, False), inspection(2, T0, 80, False, False), inspection(3, T0, 90, True, True),
        calibrated(1, T0, [80, 90]), calibrated(2, T0, [70, 70, 70]),
    ]
    # a burst: 10 complaints of one category in one city within one 30-minute window
    ev += [order(100 + i, T0 + timedelta(minutes=i), "complaint", None, "outage", city="440300")
           for i in range(10)]
    ev += [
        _incident("incident.suspected", 1, T0 + timedelta(minutes=10), "major"),
        _incident("incident.confirmed", 1, T0 + timedelta(minutes=20), "major", **{"from": "suspected"}),
        _incident("incident.restored", 1, T0 + timedelta(hours=3), "major", linked=12, **{"from": "restoring"}),
        _incident("incident.confirmed", 2, T0, "general"),  # declared by netops: opened, not detected
        _incident("incident.restored", 2, T0 + timedelta(hours=1), "general", linked=0, **{"from": "confirmed"}),
    ]
    return ev


def _ctx(app: FastAPI, session: Session) -> Ctx:
    return Ctx(uow=UnitOfWork(session), clock=app.state.clock, settings=app.state.settings)


def test_every_kpi_md_row_is_registered() -> None:
    assert set(registry.KPI_MD) <= set(registry.BY_NAME)
    for k in registry.KPIS:
        assert k.zh and k.unit and k.direction in ("higher", "lower", "neutral")
        assert set(k.dims) <= set(registry.DIMENSIONS)


def test_every_kpi_on_hand_computed_data(app: FastAPI, session: Session) -> None:
    set_subscribers(app, [("440000", "440100", "urban", "regular", 30000), ("440000", "440300", "urban", "gold",
                                                                             10000)])
    emit_all(app, _events())
    assert set(EXPECTED) == set(registry.BY_NAME), "a KPI without a hand-computed check"
    out = service.view(_ctx(app, session), service.Query(kpis=list(EXPECTED), start=date(2026, 10, 5),
                                                          end=date(2026, 10, 8)))
    got = {k["name"]: k["value"] for k in out["kpis"]}
    for name, want in EXPECTED.items():
        assert got[name] == pytest.approx(want), name


def test_breakdown_target_and_traffic_light(app: FastAPI, session: Session) -> None:
    set_subscribers(app, [("440000", "440100", "urban", "regular", 30000), ("440000", "440300", "urban", "gold",
                                                                             10000)])
    emit_all(app, _events())
    q = service.Query(kpis=["complaint_rate", "field_response_time"], start=date(2026, 10, 5),
                      end=date(2026, 10, 8), group_by=["city"])
    out = {k["name"]: k for k in service.view(_ctx(app, session), q)["kpis"]}
    cities = {g["key"]["city"]: g for g in out["complaint_rate"]["groups"]}
    assert cities["440100"]["value"] == pytest.approx(2 / 30000 * 10_000)   # 0.667 per 10k: green
    assert cities["440100"]["status"] == "green"
    assert cities["440300"]["value"] == pytest.approx(10 / 10000 * 10_000)  # 10 per 10k: red
    assert cities["440300"]["status"] == "red"
    trend = {t["period"]: t["value"] for t in out["complaint_rate"]["trend"]}
    assert trend["2026-10-05"] == pytest.approx(11 / 40000 * 10_000)
    assert trend["2026-10-06"] == pytest.approx(1 / 40000 * 10_000)
    assert out["field_response_time"]["status"] == "green"  # 5400 s vs the 7200 s urban target
    rural = registry.BY_NAME["field_response_time"].target_for({"area_type": "rural"})
    assert rural == 14400


def test_previous_period_change(app: FastAPI, session: Session) -> None:
    emit_all(app, [contact(1, T0, 1, "a"), contact(2, T0 - 2 * DAY, 2, "a", abandoned=True, wait=60),
                   contact(3, T0 - 2 * DAY, 3, "a")])
    out = service.view(_ctx(app, session), service.Query(kpis=["abandonment_rate"], start=date(2026, 10, 5),
                                                          end=date(2026, 10, 7)))["kpis"][0]
    assert out["value"] == 0 and out["previous"] == pytest.approx(0.5) and out["change"] == pytest.approx(-0.5)


def test_refuses_unknown_kpi_and_disallowed_cut(app: FastAPI, session: Session) -> None:
    ctx = _ctx(app, session)
    with pytest.raises(Invalid) as e:
        service.view(ctx, service.Query(kpis=["nope"], start=date(2026, 10, 1), end=date(2026, 10, 2)))
    assert e.value.field == "query.kpi"
    with pytest.raises(Invalid) as e:
        service.view(ctx, service.Query(kpis=["complaint_rate"], start=date(2026, 10, 1), end=date(2026, 10, 2),
                                        group_by=["agent"]))
    assert e.value.field == "query.group_by"
    with pytest.raises(Invalid) as e:
        service.view(ctx, service.Query(kpis=["aht"], start=date(2026, 10, 1), end=date(2026, 10, 2),
                                        group_by=["agent", "city"]))
    assert e.value.key == "metrics.error.cut"


def test_duplicate_contact_counts_once(app: FastAPI, session: Session) -> None:
    emit_all(app, [contact(1, T0, 1, "a"), contact(1, T0, 1, "a")])
    out = service.view(_ctx(app, session), service.Query(kpis=["offered"], start=date(2026, 10, 5),
                                                          end=date(2026, 10, 5)))["kpis"][0]
    assert out["value"] == 1
    assert dims()["channel"] == "hotline"
