"""A month's evaluation from real KPI rollups: ranked by team, explained, capped, objected to, exported."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from evaluation.conftest import run_october
from helpers import page_login
from metrics import metrics_factories as mf
from metrics.metrics_factories import emit_all
from telqc.core.audit import AuditEntry

A = "/api/v1/evaluation"
OCT = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)


def test_month_evaluation_ranked_by_team_with_explanation_and_a_fatal_cap(client: TestClient,
                                                                          staff: dict[str, Any]) -> None:
    run = run_october(client, staff["sup"])
    rows = {x["agent"]: x for x in run["results"]}
    assert run["agents"] == 3 and [x["agent"] for x in run["results"]] == ["li", "wang", "zhao"]
    li, wang, zhao = rows["li"], rows["wang"], rows["zhao"]
    assert (li["team"], li["rank_in_team"], li["team_size"]) == ("东区一组", 1, 2)
    assert wang["capped_by"] == ["fatal"] and wang["total"] == 79.99 and wang["grade"] == "C"
    assert (zhao["team"], zhao["rank_in_team"], zhao["team_size"]) == ("西区二组", 1, 1)
    parts = {p["key"]: p for p in li["parts"]}
    assert parts["qa_score"]["points"] == 100.0 and parts["qa_score"]["shown"] == "96.0"
    assert parts["csat"]["shown"] == "100.0%" and parts["aht"]["shown"] == "4.7 分钟"
    assert parts["offered"]["points"] == 100.0 and parts["offered"]["method"] == "团队内百分位"
    assert parts["fcr"]["points"] is not None and parts["sla_compliance"]["points"] is None, "no orders: no SLA"
    assert li["total"] == pytest.approx(100.0) and li["grade"] == "A" and li["tier"] == "reward"
    zp = {p["key"]: p for p in zhao["parts"]}
    assert zp["aht"]["points"] == pytest.approx(100 * 360 / 520, abs=0.1) and zp["offered"]["points"] == 50.0
    # (qa 80 × 30 + csat 55.6 × 25 + fcr 100 × 15 + aht 69.2 × 10 + volume 50 × 10) / 90, no SLA data
    assert zhao["total"] == pytest.approx(72.0, abs=0.1) and (zhao["grade"], zhao["tier"]) == ("C", "coach")


def test_an_agent_sees_only_their_own_and_objects_and_the_supervisor_decides(
        app: FastAPI, client: TestClient, staff: dict[str, Any]) -> None:
    run = run_october(client, staff["sup"])
    results = {x["agent"]: x for x in run["results"]}
    mine = client.get(f"{A}/mine", headers=staff["wang"]).json()
    assert [x["agent"] for x in mine] == ["wang"] and mine[0]["parts"], "explained component by component"
    assert client.get(f"{A}/runs", headers=staff["wang"]).status_code == 403
    r = client.post(f"{A}/results/{results['li']['id']}/objections", json={"reason": "我想看看别人的分数"},
                    headers=staff["wang"])
    assert r.status_code == 404, "another agent's result does not exist for wang"
    r = client.post(f"{A}/results/{results['wang']['id']}/objections", headers=staff["wang"],
                    json={"reason": "10月4日的致命项已申诉成功，应撤销"})
    assert r.status_code == 201, r.text
    again = client.post(f"{A}/results/{results['wang']['id']}/objections", headers=staff["wang"],
                        json={"reason": "再申诉一次试试"})
    assert again.status_code == 409
    oid = r.json()["id"]
    assert client.get(f"{A}/objections", headers=staff["zj_sup"]).json() == [], "another province's objection"
    assert client.post(f"{A}/objections/{oid}/decide", headers=staff["zj_sup"],
                       json={"upheld": True, "decision": "同意", "adjusted_total": 99}).status_code == 404
    r = client.post(f"{A}/objections/{oid}/decide", headers=staff["sup"],
                    json={"upheld": True, "decision": "致命项申诉已成立，按实际得分", "adjusted_total": 99.5})
    assert r.status_code == 200 and r.json()["status"] == "upheld"
    after = {x["agent"]: x for x in client.get(f"{A}/runs/{run['id']}", headers=staff["sup"]).json()["results"]}
    assert (after["wang"]["total"], after["wang"]["grade"], after["wang"]["adjusted"]) == (99.5, "A", True)
    assert (after["wang"]["rank_in_team"], after["li"]["rank_in_team"]) == (2, 1)
    assert client.post(f"{A}/objections/{oid}/decide", headers=staff["sup"],
                       json={"upheld": False, "decision": "再次处理"}).status_code == 409
    with app.state.sessionmaker() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "evaluation.objection_decided")).one()
    data = json.loads(entry.data) if isinstance(entry.data, str) else entry.data
    assert data["grade_before"] == "C" and data["grade"] == "A"


def test_grades_and_tiers_export_to_excel(client: TestClient, staff: dict[str, Any]) -> None:
    run = run_october(client, staff["sup"])
    r = client.get(f"{A}/runs/{run['id']}/export", headers=staff["sup"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content))["考评结果"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0][:6] == ["班组", "组内排名", "坐席", "总分", "等级", "奖励档"]
    assert [(x[0], x[2], x[4], x[5]) for x in rows[1:]] == [("东区一组", "li", "A", "奖励"),
                                                          ("东区一组", "wang", "C", "辅导"),
                                                          ("西区二组", "zhao", "C", "辅导")]
    assert rows[2][-2] == "致命差错"


@pytest.mark.parametrize(("body", "field"), [
    ({"period_end": "2026-09-01"}, "body.period_end"),
    ({"period_end": "2026-11-02"}, "body.period_end"),   # today: the period has not ended
    ({"period_start": "2025-01-01"}, "body.period_end"),  # longer than half a year
    ({"province": "330000"}, "body.province"),            # not the supervisor's province
    ({"province": "44"}, "body.province"),
])
def test_bad_runs_are_refused_naming_the_field(client: TestClient, staff: dict[str, Any], body: dict[str, Any],
                                               field: str) -> None:
    base = {"name": "考评", "period_start": "2026-10-01", "period_end": "2026-10-31", "province": "440000"}
    r = client.post(f"{A}/runs", headers=staff["sup"], json=base | body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field
    assert client.get(f"{A}/runs", headers=staff["sup"]).json() == []


def test_order_and_exam_components_link_to_what_they_were_computed_from(
        app: FastAPI, client: TestClient, staff: dict[str, Any]) -> None:
    """The run page explains a result component by component; the SLA component links to the agent's orders
    of the month behind it, which the supervisor opens; an agent's own page has no link their role cannot open."""
    li = staff["ids"]["li"]
    at = OCT + timedelta(days=2)
    team = staff["teams"]["east"]
    emit_all(app, [mf.order(900, at, "business", None, "signal", agent=li, team=team),
                   mf.order_event("order.resolved", 900, at + timedelta(hours=3), "business",
                                  d=mf.dims(category="signal", agent=li, team=team), resolution_business_s=3600,
                                  within_deadline=True, reopened=False, solution_code="done"),
                   mf.order(901, at, "complaint", None, "billing", agent=li, team=team),
                   mf.order_event("order.closed", 901, at + timedelta(hours=5), "complaint",
                                  d=mf.dims(category="billing", agent=li, team=team), within_deadline=False,
                                  closed_loop=True)])
    run = run_october(client, staff["sup"])
    parts = {p["key"]: p for x in run["results"] if x["agent"] == "li" for p in x["parts"]}
    assert parts["sla_compliance"]["points"] == 100.0
    tch = parts["timely_complaint_handling"]
    assert (tch["name"], tch["raw"], tch["points"], tch["shown"]) == ("投诉处理及时率", 0.0, 0.0, "0.0%"), \
        "the complaint-handling rate is a component: li's one complaint closed late"
    browser = TestClient(app, raise_server_exceptions=False)
    page_login(browser, "sup")
    html = browser.get(f"/evaluation/runs/{run['id']}").text
    row = html.split('<tr data-agent="li">', 1)[1].split("</details>", 1)[0]
    links = dict(re.findall(r'<tr data-part="([a-z_]+)"><td><a href="([^"]+)" class="evidence">', row))
    span = f"agent={li}&amp;from=2026-10-01&amp;to=2026-10-31"
    result_id = next(x["id"] for x in run["results"] if x["agent"] == "li")
    assert links == {"sla_compliance": f"/metrics/orders?kpi=sla_compliance&amp;{span}",
                     "timely_complaint_handling": f"/metrics/orders?kpi=timely_complaint_handling&amp;{span}",
                     "qa_score": f"/evaluation/results/{result_id}/evidence/qa_score",
                     "csat": f"/evaluation/results/{result_id}/evidence/csat"}
    orders = browser.get(links["sla_compliance"].replace("&amp;", "&"))
    assert orders.status_code == 200 and 'href="/orders/900"' in orders.text
    late = browser.get(links["timely_complaint_handling"].replace("&amp;", "&"))
    assert late.status_code == 200 and 'href="/orders/901"' in late.text and 'href="/orders/900"' not in late.text
    agent = TestClient(app, raise_server_exceptions=False)
    page_login(agent, "li")
    mine = agent.get("/evaluation/mine").text
    assert 'data-part="sla_compliance"' in mine and "/metrics/orders" not in mine, "an agent cannot open the drill"


def test_the_evidence_page_opens_for_the_agent_and_their_supervisor_only(
        app: FastAPI, client: TestClient, staff: dict[str, Any]) -> None:
    """The calls and surveys behind QA score and CSAT are the agent's own: another agent, or a supervisor of
    another province, finds no such result (404, as for the API's objections), while li and li's supervisor
    open it."""
    run = run_october(client, staff["sup"])
    result_id = next(x["id"] for x in run["results"] if x["agent"] == "li")
    seen = {}
    for who in ("li", "sup", "wang", "zj_sup"):
        browser = TestClient(app, raise_server_exceptions=False)
        page_login(browser, who)
        seen[who] = tuple(browser.get(f"/evaluation/results/{result_id}/evidence/{key}").status_code
                          for key in ("qa_score", "csat"))
    assert seen == {"li": (200, 200), "sup": (200, 200), "wang": (404, 404), "zj_sup": (404, 404)}, seen
