"""Detection in the database: one burst split over two concurrent relays (PostgreSQL) opens one incident;
planned works explain complaints instead of counting them; a restored incident lets the next burst open a
new one; network samples raise alarms and open suspected incidents; imports report bad rows."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from incidents.incidents_helpers import NetWorld
from telqc.core.context import Ctx
from telqc.core.events import Event
from telqc.core.uow import UnitOfWork
from telqc.incidents import detect
from telqc.incidents.detection import Rule, count_in_window, detections
from telqc.incidents.models import ComplaintSignal, Incident, IncidentLink, IncidentNotice
from telqc.orders import notify

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _event(order_id: int, at: str, district: str = "440106") -> Event:
    return Event(order_id, T0, "order.created", "order", str(order_id), {
        "order_id": order_id, "type": "complaint", "customer_id": 1, "created_at": at,
        "dims": {"category": "complaint.network", "province_code": "440000", "city_code": "440100",
                 "district_code": district, "area_type": "urban"}})


@pytest.mark.parametrize("chunk", [1, 7])
def test_one_burst_over_two_concurrent_relays_opens_one_incident(app: FastAPI, database: object, chunk: int) -> None:
    if getattr(database, "kind", "") != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL")
    factory, clock, settings = app.state.sessionmaker, app.state.clock, app.state.settings
    at = "2026-11-02T02:00:00+00:00"
    halves = [[_event(k, at) for k in range(1, 40, 2)], [_event(k, at) for k in range(2, 41, 2)]]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def relay(batch: list[Event]) -> None:
        uow = UnitOfWork(factory())
        try:
            barrier.wait()
            for i in range(0, len(batch), chunk):  # one complaint per transaction: the most interleaving
                detect.observe(Ctx(uow=uow, clock=clock, settings=settings), batch[i:i + chunk])
                uow.commit()
        except BaseException as exc:
            errors.append(exc)
        finally:
            uow.close()

    threads = [threading.Thread(target=relay, args=(h,)) for h in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with factory() as s:
        incidents = list(s.scalars(select(Incident)))
        assert len(incidents) == 1
        assert s.scalar(select(func.count()).select_from(IncidentLink)) == 40  # every complaint linked once
        assert incidents[0].linked_count == 40


def test_planned_work_explains_complaints_instead_of_counting(app: FastAPI, client: TestClient,
                                                              channel: notify.RecordingChannel) -> None:
    w = NetWorld(app, client)
    w.customer_in("440106", 0)
    now = app.state.clock.now()
    r = client.post("/api/v1/planned-works", headers=w.netops, json={
        "title": "天河区核心网割接", "province_code": "440000", "city_code": "440100", "district_code": "440106",
        "categories": ["complaint.network"], "start_at": (now - timedelta(minutes=10)).isoformat(),
        "end_at": (now + timedelta(hours=2)).isoformat()})
    assert r.status_code == 201, r.text
    # told in advance: the World's customer and ours both live in Tianhe
    assert sorted(m.recipient for m in channel.sent if m.kind == "incident.planned") == [
        f"customer:{w.customer_id}", f"customer:{w.customer_in('440106', 0)}"]
    w.complaints("440106", 12)
    assert w.incidents() == []
    works = client.get("/api/v1/planned-works", headers=w.netops).json()
    assert works[0]["linked_count"] == 12
    with app.state.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(ComplaintSignal).where(ComplaintSignal.counted)) == 0
    bad = client.post("/api/v1/planned-works", headers=w.netops, json={
        "title": "x" * 3, "province_code": "440000", "start_at": now.isoformat(), "end_at": now.isoformat()})
    assert bad.status_code == 422 and "end_at" in bad.text


def test_after_restoration_a_new_burst_is_a_new_incident(app: FastAPI, client: TestClient) -> None:
    w = NetWorld(app, client)
    w.complaints("440106", 10)
    first = w.incidents()[0]
    w.move(first["id"], "dismissed", note="误报：营销短信引发咨询")
    w.complaints("440106", 10, first=10)
    found = w.incidents()
    assert len(found) == 2 and found[0]["id"] != first["id"] and found[0]["linked_count"] == 10


def test_rural_rule_and_second_threshold_confirms(app: FastAPI, client: TestClient) -> None:
    w = NetWorld(app, client)
    w.complaints("440117", 5)  # 从化区, rural: 5 in 60 minutes
    inc = w.incidents()[0]
    assert inc["status"] == "suspected" and inc["district_code"] == "440117"
    w.complaints("440117", 5, first=5)
    assert w.incidents()[0]["status"] == "confirmed"  # the rule's confirmation threshold (10)


CSV_BAD = b"district_code,metric,at,value\n440106,latency_ms,2026-11-02T01:50:00+00:00,40\n" \
          b"440106,latency,2026-11-02T01:55:00+00:00,45\n999999,latency_ms,2026-11-02T01:55:00+00:00,x\n"


def test_network_samples_import_rejects_rows_and_alarms_open_incident(app: FastAPI, client: TestClient) -> None:
    w = NetWorld(app, client)
    r = client.post("/api/v1/network-samples/import", headers=w.netops,
                    files={"file": ("kpi.csv", CSV_BAD, "text/csv")})
    assert r.status_code == 400, r.text
    rows = r.json()["rows"]
    assert [x["row"] for x in rows] == [3, 4] and rows[0]["field"] == "metric"
    with app.state.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 0
    unknown = client.post("/api/v1/network-samples", headers=w.netops, json={"samples": [
        {"district_code": "999999", "metric": "latency_ms", "at": "2026-11-02T01:50:00+00:00", "value": 40}]})
    assert unknown.status_code == 400 and unknown.json()["rows"][0]["reason"] == "unknown district"
    jsonl = b"\n".join(
        f'{{"district_code": "440106", "metric": "latency_ms", "at": "2026-11-02T01:{m:02d}:00+00:00", "value": {v}}}'
        .encode() for m, v in ((40, 40), (45, 42), (50, 180)))
    ok = client.post("/api/v1/network-samples/import", headers=w.netops,
                     files={"file": ("kpi.jsonl", jsonl, "application/x-ndjson")})
    assert ok.status_code == 200, ok.text
    assert ok.json()["accepted"] == 3 and ok.json()["alarms"] == 1 and len(ok.json()["incidents"]) == 1
    inc = w.incidents()[0]
    assert (inc["kind"], inc["status"], inc["district_code"]) == ("network", "suspected", "440106")
    again = client.post("/api/v1/network-samples/import", headers=w.netops,
                        files={"file": ("kpi.jsonl", jsonl, "application/x-ndjson")})
    assert again.json()["alarms"] == 0  # the same readings raise nothing twice
    w.complaints("440106", 3)  # customers who call now join the network incident
    assert w.incidents()[0]["linked_count"] == 3
    page = client.get(f"/api/v1/incidents/{inc['id']}", headers=w.netops)
    assert page.status_code == 200
    with app.state.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(IncidentNotice)) == 0  # suspected: nobody told yet


_examples = iter(range(10_000, 99_999))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gaps=st.lists(st.integers(0, 120) | st.integers(0, 29 * 60), min_size=1, max_size=40),
       chunk=st.integers(min_value=1, max_value=40))
@example(gaps=[60] * 20, chunk=7)  # exactly the second threshold: confirmed
@example(gaps=[60] * 19, chunk=40)  # one short: suspected
@example(gaps=[0] * 9 + [1800] + [0] * 9, chunk=3)  # two nines a window apart: nothing
def test_batched_detection_decides_as_the_specification(app: FastAPI, gaps: list[int], chunk: int) -> None:
    """Complaints handed over in relay batches of any size: the incident opens at the complaint the sliding
    window (`detection.Window`) says, with the window's complaints and every later one linked, and the second
    threshold confirms it exactly when a window reaches it. Gaps stay under the window: one burst at most."""
    district = f"H{next(_examples)}"
    times = [T0 + timedelta(seconds=sum(gaps[: k + 1])) for k in range(len(gaps))]
    rule = Rule()
    factory, clock, cfg = app.state.sessionmaker, app.state.clock, app.state.settings
    base = int(district[1:]) * 100
    evs = [_event(base + k, t.isoformat(), district) for k, t in enumerate(times)]
    for i in range(0, len(evs), chunk):
        uow = UnitOfWork(factory())
        detect.observe(Ctx(uow=uow, clock=clock, settings=cfg), evs[i:i + chunk])
        uow.commit()
        uow.close()
    hits = detections(times, rule)
    with factory() as s:
        found = list(s.scalars(select(Incident).where(Incident.district_code == district)))
        assert len(found) == len(hits) <= 1
        if hits:
            k = hits[0]
            in_window = sum(1 for t in times[: k + 1] if times[k] - rule.window < t)
            assert found[0].linked_count == in_window + len(times) - k - 1
            confirms = any(count_in_window(times[: j + 1], times[j], rule.window) >= rule.confirm_threshold
                           for j in range(k + 1, len(times)))
            assert found[0].status == ("confirmed" if confirms else "suspected")


@pytest.mark.parametrize("bad", [b"[" * 100_000 + b"]" * 100_000, b'{"value": 1' + b"0" * 5000 + b"}",
                                 b'{"district_code": "440106", "metric": "latency_ms", '
                                 b'"at": "2026-11-02T01:40:00+00:00", "value": NaN}'],
                         ids=["nested", "digits", "nan"])
def test_a_jsonl_sample_no_parser_takes_is_a_rejected_row(app: FastAPI, client: TestClient, bad: bytes) -> None:
    """These raised RecursionError / ValueError out of json.loads (a 500), or stored NaN (issue 17)."""
    w = NetWorld(app, client)
    good = b'{"district_code": "440106", "metric": "latency_ms", "at": "2026-11-02T01:40:00+00:00", "value": 40}'
    r = client.post("/api/v1/network-samples/import", headers=w.netops,
                    files={"file": ("kpi.jsonl", good + b"\n" + bad + b"\n", "application/x-ndjson")})
    assert r.status_code == 400, r.text
    assert [(x["row"], x["reason"].split(":")[0]) for x in r.json()["rows"]] == [(2, "invalid JSON")]
