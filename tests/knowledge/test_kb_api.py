"""Knowledge base through the API: review workflow, permissions, search of published text, expiry."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.core.settings import Settings
from telqc.knowledge import searcher
from telqc.knowledge.inverted_index import Article, KnowledgeIndex

Headers = dict[str, str]

ROUTER = {
    "title": "光猫红灯闪烁怎么办", "category": "宽带故障", "tags": ["宽带"], "audience": "public",
    "body": "光猫LOS红灯闪烁说明光信号中断，请检查光纤是否弯折，重启光猫后仍未恢复请报修。",
    "questions": ["光猫亮红灯", "宽带断网光猫红灯"],
}


def _people(app: FastAPI, client: TestClient) -> dict[str, Headers]:
    make_user(app, "writer", Role.agent, region_scope=["440000"])
    make_user(app, "lead", Role.supervisor, region_scope=["440000"])
    make_user(app, "lead2", Role.supervisor, region_scope=["440000"])
    make_user(app, "cust", Role.customer)
    return {n: login(client, n) for n in ("writer", "lead", "lead2", "cust")}


def _search(client: TestClient, h: Headers, q: str) -> list[str]:
    r = client.get("/api/v1/kb/search", params={"q": q}, headers=h)
    assert r.status_code == 200, r.text
    return [x["title"] for x in r.json()["hits"]]


def test_review_workflow_and_search_sees_only_published(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    art = client.post("/api/v1/kb/articles", json=ROUTER, headers=h["writer"]).json()
    assert art["status"] == "draft" and art["published_version"] is None
    assert _search(client, h["writer"], "光猫红灯") == [], "drafts are not searchable"

    assert client.post(f"/api/v1/kb/articles/{art['id']}/approve", json={}, headers=h["writer"]).status_code == 403
    bad = client.post(f"/api/v1/kb/articles/{art['id']}/approve", json={}, headers=h["lead"])
    assert bad.status_code == 409, "only an article in review can be approved"
    client.post(f"/api/v1/kb/articles/{art['id']}/submit", json={"note": "请审核"}, headers=h["writer"])
    rej = client.post(f"/api/v1/kb/articles/{art['id']}/reject", json={"note": "补充报修电话"}, headers=h["lead"])
    assert rej.json()["status"] == "draft"
    client.post(f"/api/v1/kb/articles/{art['id']}/submit", json={}, headers=h["writer"])
    ok = client.post(f"/api/v1/kb/articles/{art['id']}/approve", json={}, headers=h["lead"])
    assert ok.status_code == 200 and ok.json()["published_version"] == 1

    assert _search(client, h["writer"], "光猫 红灯") == [ROUTER["title"]]
    assert _search(client, h["cust"], "光猫红灯") == [ROUTER["title"]], "public article visible to customers"
    hist = client.get(f"/api/v1/kb/articles/{art['id']}/history", headers=h["writer"]).json()
    assert [x["to_status"] for x in hist] == ["draft", "review", "draft", "review", "published"]
    assert hist[2]["note"] == "补充报修电话"


def test_author_may_not_approve_own_version(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    art = client.post("/api/v1/kb/articles", json=ROUTER, headers=h["lead"]).json()
    client.post(f"/api/v1/kb/articles/{art['id']}/submit", json={}, headers=h["lead"])
    own = client.post(f"/api/v1/kb/articles/{art['id']}/approve", json={}, headers=h["lead"])
    assert own.status_code == 409 and own.json()["field"] == "reviewer"
    assert client.post(f"/api/v1/kb/articles/{art['id']}/approve", json={}, headers=h["lead2"]).status_code == 200


def _publish(client: TestClient, h: dict[str, Headers], body: dict[str, Any]) -> dict[str, Any]:
    art: dict[str, Any] = client.post("/api/v1/kb/articles", json=body, headers=h["writer"]).json()
    client.post(f"/api/v1/kb/articles/{art['id']}/submit", json={}, headers=h["writer"])
    client.post(f"/api/v1/kb/articles/{art['id']}/approve", json={}, headers=h["lead"])
    return art


def test_index_follows_revise_retire_and_internal_audience(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    art = _publish(client, h, ROUTER)
    internal = _publish(client, h, {**ROUTER, "title": "内部：光猫更换审批流程", "audience": "internal",
                                    "body": "光猫更换需班组长审批，旧光猫回收入库。", "questions": []})
    assert ROUTER["title"] in _search(client, h["writer"], "光猫")
    assert internal["id"] and "内部：光猫更换审批流程" not in _search(client, h["cust"], "光猫"), "internal hidden"

    revised = {**ROUTER, "title": "光猫LOS灯红色闪烁处理", "note": "改标题"}
    etag = client.get(f"/api/v1/kb/articles/{art['id']}", headers=h["writer"]).headers["etag"]
    r = client.put(f"/api/v1/kb/articles/{art['id']}", json=revised, headers={**h["writer"], "If-Match": etag})
    assert r.status_code == 200 and r.json()["status"] == "draft" and r.json()["published_version"] == 1
    stale = client.put(f"/api/v1/kb/articles/{art['id']}", json=revised, headers={**h["writer"], "If-Match": etag})
    assert stale.status_code == 412
    assert ROUTER["title"] in _search(client, h["writer"], "光猫"), "published text stays live during revision"
    client.post(f"/api/v1/kb/articles/{art['id']}/submit", json={}, headers=h["writer"])
    client.post(f"/api/v1/kb/articles/{art['id']}/approve", json={}, headers=h["lead"])
    titles = _search(client, h["writer"], "光猫")
    assert "光猫LOS灯红色闪烁处理" in titles and ROUTER["title"] not in titles

    client.post(f"/api/v1/kb/articles/{art['id']}/retire", json={"note": "停用"}, headers=h["lead"])
    assert "光猫LOS灯红色闪烁处理" not in _search(client, h["writer"], "光猫")


def test_promotion_expires_from_search(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    h = _people(app, client)
    start = clock.now()
    promo = {"title": "双十一流量包半价活动", "category": "流量咨询", "audience": "public",
             "body": "活动期间订购20GB流量包半价。", "valid_from": start.isoformat(),
             "valid_to": (start + timedelta(days=10)).isoformat()}
    _publish(client, h, promo)
    assert _search(client, h["writer"], "流量包") == [promo["title"]]
    clock.advance(timedelta(days=11))
    assert _search(client, login(client, "writer"), "流量包") == [], "expired promotions drop out of search"


def test_bad_input_names_field(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    r = client.post("/api/v1/kb/articles", json={**ROUTER, "kind": "faq", "questions": []}, headers=h["writer"])
    assert r.status_code == 422
    r = client.post("/api/v1/kb/articles", json={**ROUTER, "valid_from": "2026-01-01T00:00:00"}, headers=h["writer"])
    assert r.status_code == 422 and "时区" in r.json()["detail"][0]["msg"]


def test_a_new_process_loads_the_index_snapshot_and_applies_only_later_changes(
        app: FastAPI, client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    h = _people(app, client)
    _publish(client, h, ROUTER)
    _publish(client, h, {**ROUTER, "title": "宽带续费办理", "body": "宽带到期前可在掌上营业厅续费。", "questions": []})
    assert ROUTER["title"] in _search(client, h["writer"], "光猫")  # first search builds the index ...
    searcher.wait_for_snapshots()  # ... and a background thread saves it
    snapshots = list((Path(settings.data_dir) / "kb-index").glob("*.pickle"))
    assert len(snapshots) == 1

    indexed: list[str] = []
    real_add = KnowledgeIndex.add

    def counting_add(self: KnowledgeIndex, article: Article) -> None:
        indexed.append(article.title)
        real_add(self, article)

    monkeypatch.setattr(KnowledgeIndex, "add", counting_add)
    searcher._states.clear()  # a fresh worker process
    assert ROUTER["title"] in _search(client, h["writer"], "光猫")
    assert indexed == [], "loaded from the snapshot, nothing segmented again"

    _publish(client, h, {**ROUTER, "title": "国际漫游开通", "body": "出国前开通国际漫游。", "questions": []})
    searcher._states.clear()
    assert _search(client, h["writer"], "国际漫游") == ["国际漫游开通"]
    assert indexed == ["国际漫游开通"], "only the article published after the snapshot"


def test_snapshot_is_written_after_the_search_that_built_the_index_returns(
        app: FastAPI, client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    h = _people(app, client)
    _publish(client, h, ROUTER)
    started, release = threading.Event(), threading.Event()
    real_save = searcher._save

    def slow_save(*args: Any) -> None:
        started.set()
        release.wait(10)
        real_save(*args)

    monkeypatch.setattr(searcher, "_save", slow_save)
    searcher._states.clear()
    folder = Path(settings.data_dir) / "kb-index"
    assert ROUTER["title"] in _search(client, h["writer"], "光猫"), "answered while the snapshot is pending"
    assert started.wait(5) and not list(folder.glob("*.pickle"))
    assert ROUTER["title"] in _search(client, h["writer"], "光猫"), "an unchanged index needs no lock"
    release.set()
    searcher.wait_for_snapshots()
    assert len(list(folder.glob("*.pickle"))) == 1
