"""Incident pages: the netops board and detail with actions, the agents' banner while creating an order, the
customer's progress on their order page, planned works, the KPI import and the nav for each role."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import page_login
from incidents.incidents_helpers import NetWorld
from orders.orders_helpers import staff
from telqc.core.audit import AuditEntry, PendingEntry
from telqc.core.rbac import Role
from telqc.incidents.models import Incident, PlannedWork


def test_netops_board_detail_and_actions(app: FastAPI, client: TestClient) -> None:
    w = NetWorld(app, client)
    orders = w.complaints("440106", 10)
    inc = w.incidents()[0]
    csrf = page_login(client, "net1")
    board = client.get("/incidents")
    assert board.status_code == 200
    assert "天河区网络质量批量投诉" in board.text and "疑似" in board.text and 'href="/incidents"' in board.text
    assert "天河区" in client.get("/incidents/board-rows").text
    page = client.get(f"/incidents/{inc['id']}")
    assert page.status_code == 200 and 'id="chart-incident"' in page.text and "incident-data" in page.text
    # netops may not open orders (orders:read): the linked orders are listed, not links that answer 403
    assert f'<tr data-id="{orders[0]["id"]}">' in page.text and f'href="/orders/{orders[0]["id"]}"' not in page.text
    r = client.post(f"/incidents/{inc['id']}/transition", data={"to": "confirmed", "note": "基站掉电",
                                                              "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post(f"/incidents/{inc['id']}/update", data={"estimated_restore_at": "2026-11-02T14:30",
                                                          "prepared_answer": "基站故障抢修中，预计14:30恢复",
                                                          "broadcast": "true", "note": "已派抢修队",
                                                          "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    again = client.post(f"/incidents/{inc['id']}/update", data={"broadcast": "true", "note": "再报",
                                                              "csrf_token": csrf})
    assert again.status_code == 409 and "播报过于频繁" in again.text
    detail = client.get(f"/incidents/{inc['id']}").text
    assert "11-02 14:30" in detail or "2026-11-02 14:30" in detail  # the estimate in Beijing time
    bad = client.post(f"/incidents/{inc['id']}/transition", data={"to": "archived", "csrf_token": csrf})
    assert bad.status_code == 409 and "允许的下一状态" in bad.text
    client.cookies.clear()
    page_login(client, "sup1")  # a supervisor opens them
    assert f'href="/orders/{orders[0]["id"]}"' in client.get(f"/incidents/{inc['id']}").text


def test_agent_banner_and_customer_progress(app: FastAPI, client: TestClient) -> None:
    w = NetWorld(app, client)
    orders = w.complaints("440106", 10)
    inc = w.incidents()[0]
    w.move(inc["id"], "confirmed")
    cust = w.customer_in("440106", 0)
    page_login(client, "agent1")
    new = client.get(f"/orders/new?customer_id={cust}")
    assert 'hx-get="/incidents/banner"' in new.text
    banner = client.get(f"/incidents/banner?customer_id={cust}")
    assert "该区域有进行中的网络故障" in banner.text
    assert "网络故障" not in client.get(f"/incidents/banner?customer_id={w.customer_in('440104', 0)}").text
    staff(app, "cust_a", Role.customer, province=None, customer_id=cust)
    client.cookies.clear()
    page_login(client, "cust_a")
    assert f"/my/incident-progress/{orders[0]['id']}" in client.get("/my/orders").text
    prog = client.get(f"/my/incident-progress/{orders[0]['id']}")
    assert "网络故障处理进度" in prog.text and "已确认" in prog.text
    # another customer's order shows nothing
    assert "网络故障处理进度" not in client.get(f"/my/incident-progress/{orders[1]['id']}").text


def test_nav_for_netops_and_supervisor_not_for_customer(app: FastAPI, client: TestClient) -> None:
    w = NetWorld(app, client)
    for user in ("net1", "sup1"):
        client.cookies.clear()
        page_login(client, user)
        assert 'href="/incidents"' in client.get("/").text
    staff(app, "cust_b", Role.customer, province=None, customer_id=w.customer_id)
    client.cookies.clear()
    page_login(client, "cust_b")
    assert 'href="/incidents"' not in client.get("/").text
    assert client.get("/incidents").status_code == 403


def test_timeline_notes_and_planned_work_states_read_in_chinese(app: FastAPI, client: TestClient) -> None:
    """What detection writes on an incident's timeline and a planned work's state are Chinese on the zh-CN pages
    (the audit found "10 complaints within 30 minutes", "second threshold reached" and a bare "scheduled")."""
    w = NetWorld(app, client)
    w.complaints("440117", 10)  # 从化区, rural: suspected at 5, confirmed by the second threshold at 10
    inc = w.incidents()[0]
    assert inc["status"] == "confirmed"
    now = app.state.clock.now()
    r = client.post("/api/v1/planned-works", headers=w.netops, json={
        "title": "从化区核心网割接", "province_code": "440000", "city_code": "440100", "district_code": "440117",
        "categories": ["complaint.network"], "start_at": (now + timedelta(hours=20)).isoformat(),
        "end_at": (now + timedelta(hours=22)).isoformat()})
    assert r.status_code == 201, r.text
    page_login(client, "net1")
    detail = client.get(f"/incidents/{inc['id']}").text
    assert "分钟内收到 5 起同类投诉" in detail and "自动确认" in detail
    assert "complaints within" not in detail and "threshold" not in detail
    planned = client.get("/incidents/planned").text
    assert "从化区核心网割接" in planned and "已排期" in planned and "<td>scheduled</td>" not in planned


def test_a_time_that_is_no_time_is_the_forms_error_not_a_500(app: FastAPI, client: TestClient) -> None:
    """The audit sent 2026-13-45 in the datetime fields of the declare, planned-work and update forms: 500s."""
    w = NetWorld(app, client)
    w.complaints("440106", 10)
    inc = w.incidents()[0]
    client.raise_server_exceptions = False
    csrf = page_login(client, "net1")
    bad = "2026-13-45T10:00"
    r = client.post("/incidents", data={"title": "基站退服", "district_code": "440106", "severity": "general",
                                        "estimated_restore_at": bad, "csrf_token": csrf})
    assert r.status_code == 422 and "预计恢复时间不是有效的时间" in r.text
    r = client.post("/incidents/planned", data={"title": "割接", "district_code": "440106", "start_at": bad,
                                                "end_at": "2026-11-03T02:00", "csrf_token": csrf})
    assert r.status_code == 422 and "开始时间不是有效的时间" in r.text
    r = client.post(f"/incidents/{inc['id']}/update", data={"estimated_restore_at": bad, "csrf_token": csrf})
    assert r.status_code == 422 and "预计恢复时间不是有效的时间" in r.text


def _tile(html: str, key: str) -> tuple[int, str]:
    m = re.search(rf'data-key="{re.escape(key)}">\s*<a href="([^"]+)"><span class="n">(\d+)</span>', html)
    assert m, f"no tile {key}"
    return int(m.group(2)), m.group(1)


def test_netops_home_counts_incidents_not_only_single_network_problems(app: FastAPI, client: TestClient) -> None:
    """The netops home counted only one-complaint network problems (orders handed to 网络部): after a storm of
    ten complaints, an alarm and a planned cutover it read 0. Incidents are netops' work too: the suspected
    ones to decide, the active ones, the restored ones to verify, the planned works of the coming week, each
    in the user's regions."""
    w = NetWorld(app, client)
    w.complaints("440106", 10)  # suspected storm in Tianhe
    declared = client.post("/api/v1/incidents", headers=w.netops, json={
        "title": "越秀区光缆中断", "province_code": "440000", "district_code": "440104"})
    assert declared.status_code == 201, declared.text
    now = app.state.clock.now()
    r = client.post("/api/v1/planned-works", headers=w.netops, json={
        "title": "从化区核心网割接", "province_code": "440000", "district_code": "440117",
        "start_at": (now + timedelta(days=2)).isoformat(), "end_at": (now + timedelta(days=2, hours=3)).isoformat()})
    assert r.status_code == 201, r.text
    page_login(client, "net1")
    home = client.get("/").text
    assert _tile(home, "home.incidents_suspected") == (1, "/incidents")
    assert _tile(home, "home.incidents_active") == (1, "/incidents")
    assert _tile(home, "home.incidents_to_verify")[0] == 0
    assert _tile(home, "home.planned_soon") == (1, "/incidents/planned")
    assert "待确认疑似故障" in home
    staff(app, "net_zj", Role.netops, province="330000")  # another province's netops: nothing of Guangdong
    client.cookies.clear()
    page_login(client, "net_zj")
    other = client.get("/").text
    assert [_tile(other, k)[0] for k in ("home.incidents_suspected", "home.incidents_active",
                                         "home.planned_soon")] == [0, 0, 0]


def test_settings_page_edits_the_scale_names_bad_fields_and_is_national_only(app: FastAPI, client: TestClient) -> None:
    """故障分级与规则: a grade's intervals and who is told change from the page (and hold for the API and the
    audit log); a bad number is the form's error naming the field; a regional netops user reads, cannot write."""
    w = NetWorld(app, client)
    staff(app, "net_nat", Role.netops, province=None)
    csrf = page_login(client, "net_nat")
    assert 'href="/incidents/settings"' in client.get("/incidents").text
    page = client.get("/incidents/settings")
    assert page.status_code == 200 and "故障分级与规则" in page.text and "特别重大" in page.text
    r = client.post("/incidents/settings/levels/general", data={
        "csrf_token": csrf, "response_min": "45", "update_min": "90", "notify_roles": ["netops", "supervisor"]},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    level = next(x for x in client.get("/api/v1/incident-settings", headers=w.netops).json()["levels"]
                 if x["code"] == "general")
    assert (level["response_min"], level["update_min"], level["notify_roles"]) == (45, 90, ["netops", "supervisor"])
    bad = client.post("/incidents/settings/levels/general", data={
        "csrf_token": csrf, "response_min": "abc", "update_min": "90"})
    assert bad.status_code == 422 and "响应时限（分钟）" in bad.text
    rules = client.post("/incidents/settings/rules", data={
        "csrf_token": csrf, "category": ["", "repair.broadband"], "area_type": ["", "rural"],
        "threshold": ["8", "0"], "window_min": ["30", "60"], "confirm_threshold": ["16", "4"]})
    assert rules.status_code == 422 and "第 2 条规则" in rules.text and "发现阈值（条）" in rules.text
    with app.state.sessionmaker() as s:
        acts = [*s.scalars(select(PendingEntry.action)), *s.scalars(select(AuditEntry.action))]
    assert acts.count("incident_settings.level_changed") == 1 and "incident_settings.rules_changed" not in acts

    client.cookies.clear()
    csrf = page_login(client, "net1")  # Guangdong only
    mine = client.get("/incidents/settings")
    assert "仅全国范围" in mine.text and 'action="/incidents/settings/levels/general"' not in mine.text
    refused = client.post("/incidents/settings/rules", data={
        "csrf_token": csrf, "threshold": "3", "window_min": "30", "confirm_threshold": "6"})
    assert refused.status_code == 403


def _incident_rows(app: FastAPI) -> tuple[int, int]:
    with app.state.sessionmaker() as s:
        return (int(s.scalar(select(func.count()).select_from(Incident)) or 0),
                int(s.scalar(select(func.count()).select_from(PlannedWork)) or 0))


def test_the_declare_and_planned_forms_check_the_district_before_looking_it_up(app: FastAPI,
                                                                               client: TestClient) -> None:
    """Both forms looked the district code up before any input model checked it: a NUL there reached the query
    (on PostgreSQL a driver error, a 500). Now a 422 naming the field, and nothing stored (issue 17)."""
    NetWorld(app, client)
    client.raise_server_exceptions = False
    csrf = page_login(client, "net1")
    before = _incident_rows(app)
    for bad, word in (("4401\x0006", "控制字符"), ("44\u202e0106", "双向文本控制字符")):
        r = client.post("/incidents", data={"title": "基站退服", "district_code": bad, "severity": "general",
                                            "csrf_token": csrf})
        assert r.status_code == 422, r.text
        assert "区县：" in r.text and word in r.text, r.text
        r = client.post("/incidents/planned", data={"title": "割接", "district_code": bad,
                                                    "start_at": "2026-11-03T00:00", "end_at": "2026-11-03T02:00",
                                                    "csrf_token": csrf})
        assert r.status_code == 422, r.text
        assert "区县：" in r.text and word in r.text, r.text
    assert _incident_rows(app) == before


def test_linking_orders_numbered_in_superscript_is_not_a_500(app: FastAPI, client: TestClient) -> None:
    """`str.isdigit` passes "²", which `int` refuses: the link form answered 500; now the digit is skipped."""
    w = NetWorld(app, client)
    w.complaints("440106", 10)
    inc = w.incidents()[0]
    client.raise_server_exceptions = False
    csrf = page_login(client, "net1")
    r = client.post(f"/incidents/{inc['id']}/links", data={"order_ids": "²", "csrf_token": csrf})
    assert r.status_code < 500, r.text
