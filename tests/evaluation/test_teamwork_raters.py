"""Who rates teamwork (evaluation:rate): teammates, the team lead of their own team only, a manager of their regions.

The cast (conftest): li and wang in 东区一组, zhao in 西区二组, all Guangdong; here sup leads 东区一组, qm is a
national manager, the administrator rates nobody.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from evaluation.conftest import A
from evaluation.test_evaluation_schemes import join
from helpers import csrf_of, login, make_user, page_login
from telqc.core.audit import AuditEntry
from telqc.core.rbac import Role


def _rate(client: TestClient, h: dict[str, str], ratee: int, score: int = 4, month: str = "2026-10") -> Any:
    return client.post(f"{A}/teamwork", headers=h, json={"ratee_id": ratee, "month": month, "score": score})


def _audited(app: FastAPI) -> list[dict[str, Any]]:
    with app.state.sessionmaker() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "evaluation.teamwork_rated")
                         .order_by(AuditEntry.id)).all()
        return [json.loads(e.data) if isinstance(e.data, str) else dict(e.data) for e in rows]


def test_a_team_lead_rates_their_own_team_and_a_manager_their_regions(
        app: FastAPI, client: TestClient, staff: dict[str, Any]) -> None:
    ids, teams = staff["ids"], staff["teams"]
    join(app, [ids["sup"]], teams["east"])
    make_user(app, "qm", Role.manager)
    make_user(app, "zj_qm", Role.manager, ["330000"])
    make_user(app, "lead2", Role.supervisor, ["440000"])  # a supervisor who leads no team
    make_user(app, "root", Role.admin)
    h = {n: login(client, n) for n in ("qm", "zj_qm", "lead2", "root")}

    r = _rate(client, staff["sup"], ids["wang"], 3)
    assert r.status_code == 201 and r.json()["rater_kind"] == "supervisor", r.text
    r = _rate(client, staff["sup"], ids["zhao"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.ratee_id", r.text
    assert "本班组" in r.json()["detail"][0]["msg"], r.text
    r = _rate(client, h["lead2"], ids["li"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.ratee_id", "no team, nobody to rate"
    r = _rate(client, h["qm"], ids["zhao"], 5)
    assert r.status_code == 201 and r.json()["rater_kind"] == "supervisor", r.text
    r = _rate(client, h["qm"], ids["sup"], 4)
    assert r.status_code == 201, "a manager rates the team leads too"
    r = _rate(client, h["zj_qm"], ids["zhao"])
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.ratee_id", "not the manager's region"
    assert _rate(client, h["root"], ids["li"]).status_code == 403
    assert [(a["ratee_id"], a["kind"], a["score"]) for a in _audited(app)] == [
        (ids["wang"], "supervisor", 3), (ids["zhao"], "supervisor", 5), (ids["sup"], "supervisor", 4)]


def _form(page: str) -> str:
    found = re.search(r'<form method="post" action="/evaluation/teamwork".*?</form>', page, re.S)
    return found.group(0) if found else ""


def test_the_team_lead_and_the_manager_rate_on_the_evaluation_page(
        app: FastAPI, staff: dict[str, Any]) -> None:
    ids, teams = staff["ids"], staff["teams"]
    join(app, [ids["sup"]], teams["east"])
    make_user(app, "qm", Role.manager)
    lead = TestClient(app, raise_server_exceptions=False)
    page_login(lead, "sup")
    form = _form(lead.get("/evaluation").text)
    assert "被评价人" in form and "月份" in form and "评分" in form
    assert "li · 东区一组" in form and "wang · 东区一组" in form and "zhao" not in form, "the lead's own team only"
    assert not _form(lead.get("/evaluation/mine").text), "a lead rates as a supervisor, on the evaluation page"
    csrf = csrf_of(lead.get("/evaluation").text)
    r = lead.post("/evaluation/teamwork", data={"csrf_token": csrf, "ratee_id": str(ids["zhao"]),
                                                "month": "2026-10", "score": "4"})
    assert r.status_code == 422 and "班组长只能评价本班组的成员" in r.text
    r = lead.post("/evaluation/teamwork", data={"csrf_token": csrf, "ratee_id": str(ids["li"]),
                                                "month": "2026-13", "score": "4"})
    assert r.status_code == 422 and "月份：" in r.text, "the refused field is named in Chinese"
    r = lead.post("/evaluation/teamwork", data={"csrf_token": csrf, "ratee_id": str(ids["li"]),
                                                "month": "2026-10", "score": "4"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/evaluation#teamwork"
    given = lead.get("/evaluation").text
    assert re.search(r'<ul class="given"><li>li · 2026-10 · 4</li>', given), given[-1500:]

    manager = TestClient(app, raise_server_exceptions=False)
    page_login(manager, "qm")
    form = _form(manager.get("/evaluation").text)
    assert "zhao · 西区二组" in form and "li · 东区一组" in form and "sup · 东区一组" in form
    agent = TestClient(app, raise_server_exceptions=False)
    page_login(agent, "li")
    form = _form(agent.get("/evaluation/mine").text)
    assert "wang · 东区一组" in form and "zhao" not in form, "an agent rates the teammates"
