"""营业厅检查与暗访: the visit card's arithmetic, 422 naming the item, region scope, the report, the page."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user, page_login
from telqc.core.rbac import Role
from telqc.inspection import schemas as s
from telqc.inspection import store_visits

FULL = {it.code: {"score": it.points} for it in store_visits.CARD}


def _items(**lost: float) -> dict[str, Any]:
    return {c: ({"score": v["score"] - lost[c], "finding": "扣分原因"} if c in lost else v) for c, v in FULL.items()}


def test_total_is_the_sum_and_fatal_makes_it_zero() -> None:
    items = {c: s.VisitItemIn.model_validate(v) for c, v in _items(greeting=5, wait_time=7.5).items()}
    assert store_visits.score_items(items)[1] == 87.5
    items["accuracy"] = s.VisitItemIn(score=30, fatal=True, finding="办错套餐")
    assert store_visits.score_items(items)[1:] == (0.0, True)


def _setup(app: FastAPI, client: TestClient) -> dict[str, Any]:
    make_user(app, "qa_admin", Role.admin)
    make_user(app, "insp_gd", Role.inspector)
    make_user(app, "insp_bj", Role.inspector, region_scope=["110000"])
    h = {u: login(client, u) for u in ("qa_admin", "insp_gd", "insp_bj")}
    r = client.post("/api/v1/qa/stores", headers=h["qa_admin"],
                    json={"name": "天河营业厅", "province_code": "440000", "city_code": "440100"})
    assert r.status_code == 201, r.text
    return {"h": h, "store": r.json()["id"]}


def _visit(client: TestClient, h: dict[str, str], store: int, items: dict[str, Any]) -> Any:
    return client.post("/api/v1/qa/store-visits", headers=h, json={
        "store_id": store, "kind": "mystery_shopper", "visited_at": "2026-11-01T03:00:00+00:00", "items": items})


def test_visits_scope_report_and_page(app: FastAPI, client: TestClient) -> None:
    w = _setup(app, client)
    h, store = w["h"], w["store"]
    missing = {c: v for c, v in FULL.items() if c != "upsell"}
    r = _visit(client, h["insp_gd"], store, missing)
    assert r.status_code == 422 and "upsell" in r.text
    r = _visit(client, h["insp_gd"], store, {**FULL, "greeting": {"score": 10}})
    assert r.status_code == 422 and "greeting" in r.text  # lost points without a finding
    r = _visit(client, h["insp_gd"], store, _items(greeting=5))
    assert r.status_code == 201 and r.json()["total"] == 95
    assert _visit(client, h["insp_bj"], store, FULL).status_code == 404  # not in Beijing's scope
    assert client.get("/api/v1/qa/store-visits", headers=h["insp_bj"]).json() == []
    summary = client.get("/api/v1/qa/store-visits/summary", headers=h["qa_admin"]).json()
    assert summary["by_store"][0]["name"] == "天河营业厅" and summary["top_lost"][0]["name"] == "主动迎接"
    page_login(client, "qa_admin")
    text = client.get("/qa/store-visits").text
    assert "天河营业厅" in text and "insp_gd" in text and "仪容仪表" in text and "暗访" in text


def test_the_page_form_records_a_visit_and_refuses_a_missing_finding(app: FastAPI, client: TestClient) -> None:
    w = _setup(app, client)
    csrf = page_login(client, "insp_gd")
    form = {"csrf_token": csrf, "store_id": str(w["store"]), "kind": "store_inspection",
            "visited_at": "2026-11-02T09:30", **{f"score_{c}": str(v["score"]) for c, v in FULL.items()}}
    bad = client.post("/qa/store-visits", data={**form, "score_wait_time": "5"}, follow_redirects=False)
    assert bad.status_code == 422 and "检查项“等候时长”扣分" in bad.text, "the error names the item in Chinese"
    assert client.get("/api/v1/qa/store-visits", headers=w["h"]["insp_gd"]).json() == [], "nothing stored"
    ok = client.post("/qa/store-visits", data={**form, "score_wait_time": "5", "finding_wait_time": "等了 40 分钟"},
                     follow_redirects=False)
    assert ok.status_code == 303
    [visit] = client.get("/api/v1/qa/store-visits", headers=w["h"]["insp_gd"]).json()
    assert visit["total"] == 90 and visit["items"]["wait_time"]["finding"] == "等了 40 分钟"
    assert visit["visited_at"].startswith("2026-11-02T01:30"), "the form's time is read in the viewer's zone"
