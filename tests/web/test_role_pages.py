"""Role pages through the page routes (forms, redirects, rendered HTML): home to-do counts, actions shown only
when allowed, Chinese error pages, transfer from a list, identity verification, dispatch and engineer visits,
network problems, the QA workbench for supervisors."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import page_login
from orders.orders_helpers import World, staff
from telqc.core.clock import FrozenClock
from telqc.core.models import Team
from telqc.core.rbac import Role

REPAIR: dict[str, Any] = {"type": "repair", "category": "repair.broadband", "title": "宽带断网",
                          "description": "光猫红灯，无法上网", "repair": {"product": "千兆宽带"}}


def _page(app: FastAPI, username: str) -> tuple[TestClient, str]:
    """A browser-like client signed in through the login form, and its CSRF token."""
    c = TestClient(app, raise_server_exceptions=False)
    return c, page_login(c, username)


def _tile(html: str, key: str) -> tuple[int, str]:
    """(count, link) of the home page's to-do tile ``key``."""
    m = re.search(rf'data-key="{re.escape(key)}">\s*<a href="([^"]+)"><span class="n">(\d+)</span>', html)
    assert m, f"no tile {key}"
    return int(m.group(2)), m.group(1).replace("&amp;", "&")


def test_agent_home_counts_link_to_the_lists_they_count(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    mine = w.create()
    w.create(headers=w.senior)  # someone else's
    agent, _ = _page(app, "agent1")
    home = agent.get("/").text
    n, href = _tile(home, "home.my_open")
    assert (n, href) == (1, "/orders?mine=True")
    listed = agent.get(href).text
    assert f'href="/orders/{mine["id"]}"' in listed and listed.count('<tr class="sla-') == 1
    assert "我的工单（按剩余时限排序）" in home and mine["title"] in home
    assert _tile(home, "home.overdue")[0] == 0


def test_supervisor_home_shows_escalations_and_team_queues(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    o = w.create()
    r = client.post(f"/api/v1/orders/{o['id']}/escalate", headers=w.agent,
                    json={"level": "team_lead", "reason": "客户情绪激动"})
    assert r.status_code == 200, r.text
    sup, _ = _page(app, "sup1")
    home = sup.get("/").text
    n, href = _tile(home, "home.escalated")
    assert n == 1 and href == "/orders?escalated=True"
    assert f'/orders/{o["id"]}' in sup.get(href).text
    with app.state.sessionmaker() as s:
        team = s.scalar(select(Team.name).where(Team.province_code == "440000").order_by(Team.id))
    assert 'id="team-queues"' in home and f"<td>{team}</td>" in home, "teams by name, never by number"
    assert sup.get("/qa/workbench").status_code == 200, "supervisors watch the QA workbench"


def test_other_agents_order_offers_no_action_and_refusals_are_chinese(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    o = w.create(headers=w.senior)
    agent, csrf = _page(app, "agent1")
    page = agent.get(f"/orders/{o['id']}").text
    assert 'data-to="resolved"' not in page and "transfer-form" not in page and 'id="not-handler"' in page
    r = agent.post(f"/orders/{o['id']}/transition", data={"to": "acknowledged", "csrf_token": csrf})
    assert r.status_code == 403
    assert "orders:" not in r.text and "联系班组长转派" in r.text
    r = agent.get("/users")
    assert r.status_code == 403 and "users:" not in r.text and "您当前的角色不能执行这项操作" in r.text
    r = agent.get("/no-such-page")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"] and "返回工作台" in r.text
    r = agent.get("/orders?sla=late")
    assert r.status_code == 422 and "text/html" in r.headers["content-type"] and "sla" in r.text


def test_transfer_picks_a_team_or_a_person_from_the_list(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    o = w.create()
    agent, csrf = _page(app, "agent1")
    page = agent.get(f"/orders/{o['id']}").text
    assert 'name="to_queue"' not in page, "no free-text queue"
    assert f'value="user:{w.senior_id}"' in page
    team_id = int(re.search(r'value="team:(\d+)"', page).group(1))  # type: ignore[union-attr]
    r = agent.post(f"/orders/{o['id']}/transfer", follow_redirects=False,
                   data={"target": f"team:{team_id}", "handoff_note": "需计费二线核对账单", "csrf_token": csrf})
    assert r.status_code == 303, r.text
    got = client.get(f"/api/v1/orders/{o['id']}", headers=w.sup).json()
    with app.state.sessionmaker() as s:
        team = s.get(Team, team_id)
        assert team is not None
        assert got["handler_id"] is None and got["department"] == team.name, "waits in the team's queue"
    r = agent.post(f"/orders/{o['id']}/transfer", data={"target": "计费部", "handoff_note": "需计费二线核对账单",
                                                         "csrf_token": csrf})
    assert r.status_code == 422 and "请从列表中选择" in r.text


def test_identity_verification_from_the_customer_page(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    contact = client.post("/api/v1/contacts", headers=w.agent,
                          json={"channel": "hotline", "customer_id": w.customer_id}).json()
    agent, csrf = _page(app, "agent1")
    page = agent.get(f"/customers/{w.customer_id}").text
    assert f'action="/contacts/{contact["id"]}/verify"' in page and "还可尝试 3 次" in page
    form = {"phone": "13812345678", "method": "service_password", "next": f"/customers/{w.customer_id}",
            "csrf_token": csrf}
    r = agent.post(f"/contacts/{contact['id']}/verify", data={**form, "secret": "000000"})
    assert r.status_code == 200 and "核身未通过" in r.text and "还可尝试 2 次" in r.text, "a failure counts"
    r = agent.post(f"/contacts/{contact['id']}/verify", data={**form, "secret": "12"})
    assert "格式不正确" in r.text and "还可尝试 2 次" in r.text, "a malformed secret is not an attempt"
    r = agent.post(f"/contacts/{contact['id']}/verify", data={**form, "secret": "246810"})
    assert "核身通过" in r.text and "已核身 · 服务密码" in r.text
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=w.agent).json()["identity_verified"] is True


def test_dispatch_from_the_order_page_and_the_engineer_completes(app: FastAPI, client: TestClient,
                                                                  clock: FrozenClock) -> None:
    w = World(app, client)
    eng_id = staff(app, "eng1", Role.engineer, skills=["broadband", "440106"])
    o = w.create(**REPAIR)
    agent, _ = _page(app, "agent1")
    assert "dispatch-form" not in agent.get(f"/orders/{o['id']}").text, "agents do not dispatch"
    sup, csrf = _page(app, "sup1")
    page = sup.get(f"/orders/{o['id']}").text
    assert f'<option value="{eng_id}"' in page and ">eng1</option>" in page
    r = sup.post(f"/orders/{o['id']}/dispatch", data={"engineer_id": "", "appointment_start": "tomorrow",
                                                      "appointment_end": "", "csrf_token": csrf})
    assert r.status_code == 422 and "预约时段不正确" in r.text
    local = (clock.now() + timedelta(hours=9)).replace(tzinfo=None)  # Beijing time of the slot start
    start, end = local.strftime("%Y-%m-%dT%H:%M"), (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = sup.post(f"/orders/{o['id']}/dispatch", follow_redirects=False,
                 data={"engineer_id": str(eng_id), "appointment_start": start, "appointment_end": end,
                       "csrf_token": csrf})
    assert r.status_code == 303, r.text
    eng, ecsrf = _page(app, "eng1")
    home = eng.get("/").text
    assert _tile(home, "home.visits_today")[0] == 1 and "宽带断网" in home
    assert f'href="/repairs/{o["id"]}"' in eng.get("/repairs?day=today").text
    for st in ("accepted", "on_site", "fixed"):
        r = eng.post(f"/repairs/{o['id']}/updates", data={"status": st, "note": "", "csrf_token": ecsrf})
        assert r.status_code == 200, r.text
    assert "已修复" in r.text and 'id="repair-update"' not in r.text, "a finished visit takes no more updates"
    assert client.get(f"/api/v1/orders/{o['id']}", headers=w.sup).json()["status"] in ("resolved", "callback")
    other_id = staff(app, "eng2", Role.engineer)
    assert other_id and _page(app, "eng2")[0].get(f"/repairs/{o['id']}").status_code == 404


def test_network_problems_for_netops(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    o = w.create(category="complaint.network", title="信号差", description="小区手机信号一直很差")
    r = client.post(f"/api/v1/orders/{o['id']}/network-problem", headers=w.agent)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    staff(app, "net1", Role.netops)
    net, csrf = _page(app, "net1")
    home = net.get("/").text
    assert _tile(home, "home.network_open")[0] == 1
    page = net.get("/network-problems").text
    assert f'data-problem="{pid}"' in page and "新转入" in page and "广东" in page
    r = net.post(f"/network-problems/{pid}/updates", data={"status": "fixing", "note": "基站扩容", "csrf_token": csrf})
    assert r.status_code == 200 and "修复中" in r.text and "net1" in r.text
    assert "修复中" not in net.get("/network-problems?status=open").text.split("<tbody>")[1]


def test_admin_manages_users_and_reads_the_audit_log(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    adm, csrf = _page(app, "adm")
    with app.state.sessionmaker() as s:
        team_id = s.scalar(select(Team.id).where(Team.province_code == "440000").order_by(Team.id))
    form = {"username": "new.agent", "display_name": "王芳", "role": "agent", "team_id": str(team_id),
            "region_scope": ["440000"], "password": "short", "csrf_token": csrf}
    r = adm.post("/users/new", data=form)
    assert r.status_code == 422 and "密码：长度不能少于" in r.text and 'value="王芳"' in r.text, "refused, values kept"
    r = adm.post("/users/new", data={**form, "region_scope": ["999999"], "password": "long-enough-1"})
    assert r.status_code == 422 and "数据范围：地区代码不存在：999999" in r.text and "region_scope：" not in r.text
    r = adm.post("/users/new", data={**form, "password": "long-enough-1"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    uid = int(r.headers["location"].rsplit("/", 1)[1])
    c = TestClient(app, raise_server_exceptions=False)
    page_login(c, "new.agent", "long-enough-1")
    assert c.get("/orders").status_code == 200
    r = adm.post(f"/users/{uid}", data={"display_name": "王芳", "role": "supervisor", "team_id": str(team_id),
                                        "region_scope": ["440000", "330000"], "csrf_token": csrf})
    assert r.status_code == 200 and "已保存" in r.text and 'value="330000" selected' in r.text
    huge = adm.post(f"/users/{uid}", data={"display_name": "王芳", "role": "supervisor", "team_id": "9" * 23,
                                           "csrf_token": csrf})
    assert huge.status_code == 422 and "所选班组不存在" in huge.text, "a team id no column holds: refused, not a 500"
    assert c.get("/orders", follow_redirects=False).status_code == 303, "a role change ends the user's sessions"
    page_login(c, "new.agent", "long-enough-1")
    r = adm.post(f"/users/{uid}/active", data={"active": "false", "csrf_token": csrf})
    assert "账号已停用" in r.text and c.get("/", follow_redirects=False).status_code == 303
    assert adm.post(f"/users/{w.admin_id}/active", data={"active": "false", "csrf_token": csrf}).status_code == 409
    r = adm.post(f"/users/{uid}/password", data={"password": "another-pass-2", "csrf_token": csrf})
    assert "密码已重置" in r.text
    listing = adm.get("/users?active=false").text
    assert 'data-user="new.agent"' in listing and 'data-user="agent1"' not in listing
    assert "广东" in listing and "浙江" in listing, "regions by name"

    audit = adm.get("/audit?action=user.disabled").text
    assert "停用账号" in audit and "操作人" in audit and "actor" not in audit.split("<tbody>")[0].split("audit-rows")[1]
    assert "共 1 条" in audit
    assert f"账号 {uid}" not in audit and "账号 王芳" in audit, "the account by its name, not its number"
    assert adm.get("/audit?offset=0&entity_type=user").status_code == 200
    assert adm.get("/audit?from=2026-13-01").status_code == 422


def test_admin_customer_page_offers_no_self_service_that_answers_403(app: FastAPI, client: TestClient) -> None:
    """The audit found 自助报障 on an administrator's customer page, whose form then linked to 我的工单 (403):
    self-service is the customer's own."""
    w = World(app, client)
    w.create()
    w.customer_login()
    adm, _ = _page(app, "adm")
    page = adm.get(f"/customers/{w.customer_id}").text
    assert 'id="self-file"' not in page and 'href="/my/orders' not in page
    assert adm.get("/my/orders/new").status_code == 403
    cust, _ = _page(app, "cust1")
    assert cust.get("/my/orders/new").status_code == 200


def test_engineer_home_says_when_a_visit_is_not_booked_yet(app: FastAPI, client: TestClient) -> None:
    """A job dispatched without an appointment showed an empty 预约时间 cell on the engineer's home (audit)."""
    w = World(app, client)
    eng_id = staff(app, "eng1", Role.engineer, skills=["broadband", "440106"])
    o = w.create(**REPAIR)
    r = client.post(f"/api/v1/orders/{o['id']}/dispatch", headers=w.sup, json={"engineer_id": eng_id})
    assert r.status_code == 200, r.text
    eng, _ = _page(app, "eng1")
    home = eng.get("/").text
    assert "宽带断网" in home and '<span class="muted">未预约</span>' in home
