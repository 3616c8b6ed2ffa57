"""A complaint storm end to end: detection, confirmation, broadcast, the agents' banner, auto-linking,
restoration resolving every linked order once, verification and the review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import create_customer, login, page_login
from incidents.incidents_helpers import NetWorld
from orders.orders_helpers import staff
from telqc.core.rbac import Role
from telqc.incidents import links
from telqc.incidents.models import IncidentLink, IncidentNotice
from telqc.orders import notify


def test_storm_detected_once_confirmed_restored_reviewed(app: FastAPI, client: TestClient,
                                                        channel: notify.RecordingChannel) -> None:
    w = NetWorld(app, client)
    w.complaints("440106", 9)
    assert w.incidents() == []  # nine is below the threshold
    w.complaints("440104", 9)  # another district: its own window
    w.complaints("440106", 1, first=9)
    found = w.incidents()
    assert len(found) == 1
    inc = found[0]
    assert (inc["status"], inc["district_code"], inc["linked_count"], inc["kind"]) == ("suspected", "440106", 10,
                                                                                      "storm")
    assert inc["title"] == "天河区网络质量批量投诉"

    detail = w.move(inc["id"], "confirmed", note="基站掉电")
    assert detail["confirmed_at"] is not None
    sms = [m for m in channel.sent if m.kind == "incident.confirmed"]
    assert len(sms) >= 10 and len({m.recipient for m in sms}) == len(sms)  # one each

    later = w.complaints("440106", 2, first=10)  # new complaints attach to the open incident
    assert w.incidents()[0]["linked_count"] == 12
    banner = client.get(f"/api/v1/incidents/active?customer_id={w.customer_in('440106', 0)}", headers=w.agent)
    assert banner.status_code == 200 and [b["id"] for b in banner.json()] == [inc["id"]]
    assert client.get(f"/api/v1/incidents/active?customer_id={w.customer_in('440104', 0)}",
                      headers=w.agent).json() == []

    w.move(inc["id"], "restored", note="基站已恢复供电")
    w.relay()
    for o in later:
        r = client.get(f"/api/v1/orders/{o['id']}", headers=w.sup)
        assert r.json()["status"] == "resolved"
        assert len(r.json()["callbacks"]) == 1
    with app.state.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(IncidentLink).where(
            IncidentLink.incident_id == inc["id"], IncidentLink.resolved_at.is_(None))) == 0
        restored = s.scalar(select(func.count()).select_from(IncidentNotice).where(IncidentNotice.kind == "restored"))
    assert restored >= 10
    resolved_sms = [m for m in channel.sent if m.kind == "resolved"]
    assert len(resolved_sms) == 12 and len({m.key for m in resolved_sms}) == 12

    w.move(inc["id"], "verified")
    r = client.post(f"/api/v1/incidents/{inc['id']}/review", headers=w.netops, json={
        "timeline": "14:00 投诉集中；14:20 确认；16:00 恢复", "cause": "基站掉电", "actions": "加装备用电源",
        "lessons": "动环监控告警未接入", "improvement": "动环告警接入网管"})
    assert r.status_code == 201, r.text
    assert r.json()["impact"]["orders"] == 12
    plan_id = r.json()["improvement_plan_id"]
    plan = client.get(f"/api/v1/improvement/plans/{plan_id}", headers=w.admin)
    assert plan.status_code == 200, plan.text
    assert (plan.json()["source"], plan.json()["source_ref"]) == ("incident", f"incident:{inc['id']}")
    assert w.incidents()[0]["status"] == "reviewed"
    w.move(inc["id"], "archived")


def test_illegal_transition_and_scope(app: FastAPI, client: TestClient) -> None:
    w = NetWorld(app, client)
    r = client.post("/api/v1/incidents", headers=w.netops, json={
        "title": "越秀区光缆中断", "severity": "major", "province_code": "440000", "district_code": "440104",
        "categories": ["repair.broadband"], "services": ["broadband"]})
    assert r.status_code == 201, r.text
    i = r.json()
    bad = client.post(f"/api/v1/incidents/{i['id']}/transition", json={"to": "archived"}, headers=w.netops)
    assert bad.status_code == 409 and bad.json()["allowed"] == ["restored", "restoring"]
    w.move(i["id"], "restored")
    refused = w.move(i["id"], "verified", expect=422)
    assert "联合测试" in refused["message"]
    jt = client.post(f"/api/v1/incidents/{i['id']}/joint-test", json={"record": "与装维联合拨测 20 户正常"},
                     headers=w.netops)
    assert jt.status_code == 200
    w.move(i["id"], "verified")
    # another province's netops does not see it
    staff(app, "net_bj", Role.netops, province="330000")
    other = login(client, "net_bj")
    assert client.get(f"/api/v1/incidents/{i['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/incidents", headers=other).json() == []


def test_kpis_and_customer_api(app: FastAPI, client: TestClient, channel: object) -> None:
    w = NetWorld(app, client)
    orders = w.complaints("440106", 10)
    inc = w.incidents()[0]
    w.move(inc["id"], "confirmed")
    app.state.clock.advance(timedelta(hours=2))
    w.move(inc["id"], "restored")
    k = client.get("/api/v1/incidents/kpis", headers=w.sup)
    assert k.status_code == 200, k.text
    body = k.json()
    assert body["by_severity"] == {"general": 1} and body["time_to_restore_s"] == 7200.0
    assert body["time_to_detect_s"] == 0.0 and body["customers_affected"] == 11  # ten callers and the World's
    cust = w.customer_login("cust9", customer_id=orders[0]["customer_id"])
    mine = client.get("/api/v1/me/incidents", headers=cust).json()
    assert [m["order_id"] for m in mine] == [orders[0]["id"]] and mine[0]["status"] == "restored"
    assert [st["to_value"] for st in mine[0]["steps"]] == ["confirmed", "restored"]
    # an agent outside the customer's region gets 404 for the banner data
    staff(app, "agent_zj", Role.agent, province="330000")
    assert client.get(f"/api/v1/incidents/active?customer_id={orders[0]['customer_id']}",
                      headers=login(client, "agent_zj")).status_code == 404


def test_linking_a_whole_area_reads_every_page(app: FastAPI, client: TestClient,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """More open orders than one page: all are linked in one call, and a second call links none twice."""
    w = NetWorld(app, client)
    before = w.complaints("440104", 7)  # below the threshold: open orders, no incident yet
    assert w.incidents() == []
    r = client.post("/api/v1/incidents", headers=w.netops, json={
        "title": "越秀区基站退服", "province_code": "440000", "district_code": "440104",
        "categories": ["complaint.network"]})
    assert r.status_code == 201, r.text
    monkeypatch.setattr(links, "PAGE", 3)
    first = client.post(f"/api/v1/incidents/{r.json()['id']}/links", json={"all_open_in_area": True},
                        headers=w.netops)
    assert first.status_code == 200, first.text
    assert sorted(first.json()["linked"]) == sorted(o["id"] for o in before)
    again = client.post(f"/api/v1/incidents/{r.json()['id']}/links", json={"all_open_in_area": True},
                        headers=w.netops).json()
    assert again["linked"] == [] and {x["reason"] for x in again["skipped"]} == {"already_linked"}
    assert len(again["skipped"]) == 7


def test_broadcast_reaches_the_customers_of_the_affected_service(app: FastAPI, client: TestClient,
                                                                 channel: notify.RecordingChannel) -> None:
    """A broadband outage tells the area's broadband and bundle customers (and those with no plan on record),
    not its mobile-only customers; an outage naming no service tells the whole area."""
    w = NetWorld(app, client)
    made = {name: create_customer(client, w.admin, phone=phone, district="440117", plans=plans)["id"]
            for name, phone, plans in (("broadband", "13900000001", ["BB100"]), ("mobile", "13900000002", ["5G59"]),
                                       ("bundle", "13900000003", ["FUS169"]), ("none", "13900000004", []))}

    def told(body: dict[str, object]) -> set[int]:
        r = client.post("/api/v1/incidents", headers=w.netops, json={
            "province_code": "440000", "district_code": "440117", **body})
        assert r.status_code == 201, r.text
        with app.state.sessionmaker() as s:
            return set(s.scalars(select(IncidentNotice.customer_id)
                                 .where(IncidentNotice.incident_id == r.json()["id"])))

    broadband = told({"title": "从化区光缆中断", "services": ["broadband"]})
    assert broadband == {made["broadband"], made["bundle"], made["none"]}
    assert told({"title": "从化区机房断电"}) == set(made.values())


def test_the_grades_roles_are_told_once_when_an_incident_is_confirmed(app: FastAPI, client: TestClient,
                                                                     channel: notify.RecordingChannel) -> None:
    """Who is told (the grade's notify_roles; 操作流程 四.4: a major fault goes at once to the leaders): a major
    incident tells netops, supervisors and managers of its region, each once, with the grade's response time;
    a general one only netops; raising it to major tells the new grade's roles once."""
    w = NetWorld(app, client)
    mgr = staff(app, "mgr", Role.manager, province=None)
    staff(app, "sup_zj", Role.supervisor, province="330000")
    staff(app, "net_zj", Role.netops, province="330000")
    net1 = client.get("/api/v1/auth/me", headers=w.netops).json()["id"]

    def told(incident_id: int) -> list[str]:
        w.relay()
        return sorted(m.recipient for m in channel.sent
                      if m.kind == "incident.escalated" and m.key.startswith(f"incident:{incident_id}:"))

    major = client.post("/api/v1/incidents", headers=w.netops, json={
        "title": "越秀区核心机房断电", "severity": "major", "province_code": "440000", "district_code": "440104"})
    assert major.status_code == 201, major.text
    assert told(major.json()["id"]) == sorted(f"user:{u}" for u in (net1, w.sup_id, mgr))
    body = next(m.body for m in channel.sent if m.kind == "incident.escalated")
    assert "重大" in body and "30 分钟内响应" in body and "越秀区" in body
    general = client.post("/api/v1/incidents", headers=w.netops, json={
        "title": "天河区个别小区信号弱", "province_code": "440000", "district_code": "440106"}).json()
    assert told(general["id"]) == [f"user:{net1}"]
    r = client.post(f"/api/v1/incidents/{general['id']}/updates", headers=w.netops,
                    json={"severity": "major", "note": "影响扩大到整个天河区"})
    assert r.status_code == 200, r.text
    client.post(f"/api/v1/incidents/{general['id']}/updates", headers=w.netops, json={"note": "抢修中"})
    assert told(general["id"]) == sorted([f"user:{net1}", f"user:{net1}", f"user:{w.sup_id}", f"user:{mgr}"])


def test_the_scale_and_rules_are_configurable_nationally(app: FastAPI, client: TestClient,
                                                         channel: notify.RecordingChannel) -> None:
    """Item 1 and 2: a grade's intervals and who is told, and the mass-complaint rules, change through the API
    (national scope only) and take effect: a 3-in-30 rule opens an incident at the third complaint, and a
    general grade that tells supervisors tells them."""
    w = NetWorld(app, client)
    staff(app, "net_nat", Role.netops, province=None)
    nat = login(client, "net_nat")
    now = client.get("/api/v1/incident-settings", headers=w.netops).json()
    assert [x["code"] for x in now["levels"]] == ["especially_major", "major", "large", "general"]
    assert {(r["area_type"], r["threshold"]) for r in now["rules"]} == {(None, 10), ("rural", 5)}
    body = {"response_min": 60, "update_min": 90, "notify_roles": ["netops", "supervisor"]}
    assert client.put("/api/v1/incident-settings/levels/general", json=body, headers=w.netops).status_code == 403
    r = client.put("/api/v1/incident-settings/levels/general", json=body, headers=nat)
    assert r.status_code == 200 and r.json()["notify_roles"] == ["netops", "supervisor"], r.text
    bad = client.put("/api/v1/incident-settings/rules", headers=nat, json={"rules": [
        {"threshold": 5, "window_min": 30, "confirm_threshold": 3}]})
    assert bad.status_code == 422 and "confirm_threshold" in bad.text
    r = client.put("/api/v1/incident-settings/rules", headers=nat, json={"rules": [
        {"threshold": 3, "window_min": 30, "confirm_threshold": 6}]})
    assert r.status_code == 200, r.text
    w.complaints("440106", 2)
    assert w.incidents() == []
    w.complaints("440106", 1, first=2)
    inc = w.incidents()[0]
    assert (inc["status"], inc["linked_count"]) == ("suspected", 3)
    w.move(inc["id"], "confirmed")
    w.relay()
    assert f"user:{w.sup_id}" in {m.recipient for m in channel.sent if m.kind == "incident.escalated"}


def test_customers_hear_news_at_each_update_interval_once(app: FastAPI, client: TestClient,
                                                          channel: notify.RecordingChannel) -> None:
    """Item 6: confirmed, then at each update interval of the grade (一般: 240 min) with no news from netops,
    the area hears that the repair goes on — once per interval, whatever the number of relay passes; a
    progress broadcast by netops restarts the interval; restored incidents send no more."""
    w = NetWorld(app, client)
    for k in range(3):
        w.customer_in("440104", k)
    i = client.post("/api/v1/incidents", headers=w.netops, json={
        "title": "越秀区基站退服", "province_code": "440000", "district_code": "440104"}).json()

    def updates() -> int:
        w.relay()
        w.relay()
        return sum(1 for m in channel.sent if m.kind == "incident.update")

    assert updates() == 0
    app.state.clock.advance(timedelta(minutes=239))
    assert updates() == 0
    app.state.clock.advance(timedelta(minutes=2))
    assert updates() == 3  # the area's three customers, once each
    app.state.clock.advance(timedelta(minutes=100))
    assert updates() == 3
    app.state.clock.advance(timedelta(minutes=140))
    assert updates() == 6
    r = client.post(f"/api/v1/incidents/{i['id']}/updates", headers=w.netops,
                    json={"note": "光缆熔接中", "broadcast": True})
    assert r.status_code == 200, r.text
    assert updates() == 9
    app.state.clock.advance(timedelta(minutes=200))
    assert updates() == 9  # 200 min since netops' news: not yet
    detail = client.get(f"/api/v1/incidents/{i['id']}", headers=w.netops).json()
    assert sum(1 for h in detail["timeline"] if h["note"] == "抢修仍在进行中，我们将按时通报进展。") == 2
    w.move(i["id"], "restored")
    app.state.clock.advance(timedelta(hours=10))
    assert updates() == 9
    page_login(client, "net1")
    page = client.get(f"/incidents/{i['id']}").text
    assert page.count("定时通报进展") == 2 and "i1</" not in page
