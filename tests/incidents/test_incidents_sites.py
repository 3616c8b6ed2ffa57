"""Issue 20 item 1, areas as a list of cells or broadband access points: an incident listing sites tells, links
and banners the customers on those sites (by their subscriptions' sites, or the site the order names), not
their neighbours in the same district; the subscription's site is set through the customer API, audited."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import create_customer, login, page_login
from incidents.incidents_helpers import NetWorld
from orders.orders_helpers import staff
from telqc.core.audit import AuditEntry, PendingEntry
from telqc.core.rbac import Role
from telqc.incidents.models import ComplaintSignal, IncidentLink, IncidentNotice
from telqc.orders import notify


def _site(w: NetWorld, customer_id: int, plan: str, site: str | None, expect: int = 200,
          headers: dict[str, str] | None = None) -> dict[str, Any]:
    r = w.client.put(f"/api/v1/customers/{customer_id}/plans/{plan}/site", json={"site_id": site},
                     headers=headers or w.admin)
    assert r.status_code == expect, r.text
    return dict(r.json())


def test_setting_a_subscriptions_site_is_audited_scoped_and_validated(app: FastAPI, client: TestClient) -> None:
    w = NetWorld(app, client)
    c = create_customer(client, w.admin, phone="13900001001", district="440106", plans=["5G59", "BB100"])["id"]
    out = _site(w, c, "BB100", "OLT-7/3")
    assert {p["code"]: p["site_id"] for p in out["plans"]} == {"5G59": None, "BB100": "OLT-7/3"}
    with app.state.sessionmaker() as s:
        rows = [*s.scalars(select(PendingEntry.entity_id).where(PendingEntry.action == "customer.plan_site_set")),
                *s.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == "customer.plan_site_set"))]
        assert rows == [str(c)]
    _site(w, c, "FUS169", "CELL-1", expect=404)  # not one of the customer's current plans
    _site(w, c, "BB100", "OLT 7/3 <b>", expect=422)  # no spaces or markup in a site id
    staff(app, "adm_zj", Role.admin, province="330000")
    _site(w, c, "BB100", "CELL-1", expect=404, headers=login(client, "adm_zj"))  # another province's customer
    assert all(p["site_id"] is None for p in _site(w, c, "BB100", None)["plans"])


def test_a_site_listed_incident_reaches_only_the_customers_on_its_sites(app: FastAPI, client: TestClient,
                                                                        channel: notify.RecordingChannel) -> None:
    w = NetWorld(app, client)
    on = create_customer(client, w.admin, phone="13900002001", district="440106", plans=["5G59"])["id"]
    neighbour = create_customer(client, w.admin, phone="13900002002", district="440106", plans=["5G59"])["id"]
    unknown = create_customer(client, w.admin, phone="13900002003", district="440106", plans=["5G59"])["id"]
    across = create_customer(client, w.admin, phone="13900002004", district="440104", plans=["5G59"])["id"]
    _site(w, on, "5G59", "CELL-1")
    _site(w, neighbour, "5G59", "CELL-2")
    _site(w, across, "5G59", "CELL-1")  # the cell serves across the district line
    before = {c: w.create(customer_id=c, category="complaint.network", title="手机没有信号",
                          description="今天下午开始手机没有信号")["id"] for c in (on, neighbour, unknown, across)}
    assert w.incidents() == []  # four complaints: no storm
    r = client.post("/api/v1/incidents", headers=w.netops, json={
        "title": "天河体育西基站退服", "province_code": "440000", "district_code": "440106", "cells": ["CELL-1"],
        "categories": ["complaint.network"]})
    assert r.status_code == 201, r.text
    inc = r.json()["id"]
    with app.state.sessionmaker() as s:
        told = set(s.scalars(select(IncidentNotice.customer_id).where(IncidentNotice.incident_id == inc)))
    assert told == {on, across}  # not the neighbours of the same district on another cell or no known cell

    linked = client.post(f"/api/v1/incidents/{inc}/links", json={"all_open_in_area": True}, headers=w.netops)
    assert linked.status_code == 200, linked.text
    assert sorted(linked.json()["linked"]) == sorted([before[on], before[across]])
    by_id = client.post(f"/api/v1/incidents/{inc}/links", json={"order_ids": [before[neighbour]]},
                        headers=w.netops).json()
    assert by_id["linked"] == [] and by_id["skipped"][0]["reason"] == "outside_area"

    # new complaints: the one naming the cell attaches although its customer's plan has no site on record;
    # the neighbour's (subscription on CELL-2) does not
    named = w.create(customer_id=unknown, category="complaint.network", title="手机没有信号",
                     description="体育西路一带手机没有信号", site_id="CELL-1")
    other = w.create(customer_id=neighbour, category="complaint.network", title="手机没有信号",
                     description="家里手机没有信号")
    w.relay()
    with app.state.sessionmaker() as s:
        links = {o: i for o, i in s.execute(select(IncidentLink.order_id, IncidentLink.incident_id))}
        assert s.scalar(select(ComplaintSignal.site_id).where(ComplaintSignal.order_id == named["id"])) == "CELL-1"
    assert links.get(named["id"]) == inc and other["id"] not in links


def test_the_banner_shows_for_an_order_naming_an_affected_site(app: FastAPI, client: TestClient) -> None:
    w = NetWorld(app, client)
    cust = create_customer(client, w.admin, phone="13900003001", district="440106", plans=["BB100"])["id"]
    r = client.post("/api/v1/incidents", headers=w.netops, json={
        "title": "天河OLT-7板卡故障", "province_code": "440000", "district_code": "440106", "cells": ["OLT-7/3"]})
    assert r.status_code == 201, r.text
    api = client.get(f"/api/v1/incidents/active?customer_id={cust}&site_id=OLT-7/3", headers=w.agent)
    assert [i["id"] for i in api.json()] == [r.json()["id"]]
    assert client.get(f"/api/v1/incidents/active?customer_id={cust}", headers=w.agent).json() == []
    page_login(client, "agent1")
    assert 'name="site_id"' in client.get(f"/orders/new?customer_id={cust}").text
    assert "该区域有进行中的网络故障" in client.get(f"/incidents/banner?customer_id={cust}&site_id=OLT-7/3").text
    assert "网络故障" not in client.get(f"/incidents/banner?customer_id={cust}&site_id=OLT-9/1").text
    assert "网络故障" not in client.get(f"/incidents/banner?customer_id={cust}").text  # no site on record
    assert "网络故障" not in client.get(f"/incidents/banner?customer_id={cust}&site_id=%3Cb%3E").text


def test_netops_declare_a_site_listed_incident_from_the_board(app: FastAPI, client: TestClient) -> None:
    NetWorld(app, client)
    csrf = page_login(client, "net1")
    form = {"csrf_token": csrf, "title": "天河两个基站退服", "district_code": "440106"}
    bad = client.post("/incidents", data={**form, "cells": "CELL-1，<b>"})
    assert bad.status_code == 422 and "受影响小区/宽带接入点" in bad.text
    r = client.post("/incidents", data={**form, "cells": "CELL-1， CELL-2"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    detail = client.get(r.headers["location"])
    assert "CELL-1, CELL-2" in detail.text
