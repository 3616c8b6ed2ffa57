"""采用 / 不相关 in the agent's panel: recorded, audited, validated; `telqc kb train` learns from them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from helpers import login, make_user
from telqc.cli import app as cli
from telqc.core.audit import AuditEntry
from telqc.core.rbac import Role
from telqc.core.settings import Settings, get_settings
from telqc.knowledge import learning
from telqc.knowledge.models import KbFeedback

LOS = {"title": "光猫LOS红灯处理", "category": "宽带故障", "tags": ["宽带"], "audience": "public",
       "body": "光猫LOS红灯说明光信号中断，请检查光纤是否弯折，重启后仍未恢复请报修。", "questions": ["光猫亮红灯"]}
BILL = {"title": "话费账单查询", "category": "资费", "tags": ["话费"], "audience": "public",
        "body": "可在掌上营业厅查询每月话费账单和通话详单。", "questions": ["怎么查话费"]}


def _published(client: TestClient, writer: dict[str, str], lead: dict[str, str], body: Mapping[str, object]) -> int:
    art = client.post("/api/v1/kb/articles", json=body, headers=writer).json()
    client.post(f"/api/v1/kb/articles/{art['id']}/submit", json={}, headers=writer)
    assert client.post(f"/api/v1/kb/articles/{art['id']}/approve", json={}, headers=lead).status_code == 200
    return int(art["id"])


def test_feedback_recorded_audited_validated_and_learned(app: FastAPI, client: TestClient, settings: Settings,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(app, "writer", Role.agent)
    make_user(app, "lead", Role.supervisor)
    writer, lead = login(client, "writer"), login(client, "lead")
    los, bill = _published(client, writer, lead, LOS), _published(client, writer, lead, BILL)

    panel = client.get("/kb/panel", params={"q": "光猫红灯"}, headers=writer)
    assert panel.status_code == 200 and "采用" in panel.text and "不相关" in panel.text

    symptom = "家里那个盒子老是断网"
    for _ in range(3):
        r = client.post("/api/v1/kb/feedback", json={"article_id": los, "verdict": "adopted", "query": symptom,
                                                      "order_id": 7, "rank": 2}, headers=writer)
        assert r.status_code == 204, r.text
    r = client.post("/api/v1/kb/feedback", json={"article_id": bill, "verdict": "rejected", "query": symptom},
                    headers=writer)
    assert r.status_code == 204
    bad = client.post("/api/v1/kb/feedback", json={"article_id": los, "verdict": "maybe", "query": "x"},
                      headers=writer)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.verdict"
    missing = client.post("/api/v1/kb/feedback", json={"article_id": 9999, "verdict": "adopted", "query": "x"},
                          headers=writer)
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "body.article_id"
    with app.state.sessionmaker() as s:
        assert [(f.verdict, f.order_id) for f in s.scalars(select(KbFeedback).order_by(KbFeedback.id))] == [
            ("adopted", 7)] * 3 + [("rejected", None)]
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("kb.suggestion_%"))))
    assert sorted(set(actions)) == ["kb.suggestion_adopted", "kb.suggestion_rejected"]

    def titles(q: str) -> list[str]:
        return [h["title"] for h in client.get("/api/v1/kb/search", params={"q": q}, headers=writer).json()["hits"]]

    assert LOS["title"] not in titles(symptom), "before training nothing links the symptom to the article"
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TELQC_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli, ["kb", "train"])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    assert "fitting on 2 article(s)" in out.output and "model v3 trained" in out.output
    assert learning.model_path(settings.data_dir).exists()
    assert titles(symptom)[0] == LOS["title"], "the adopted article now answers the customer's words"
    assert titles("怎么查话费")[0] == BILL["title"], "what the lexical engine knew still holds"
    roam = {**BILL, "title": "国际漫游开通", "category": "漫游", "body": "出国前开通国际漫游。",
            "questions": ["出国手机怎么用"]}
    roam_id = _published(client, writer, lead, roam)
    assert titles("出国手机怎么用")[0] == "国际漫游开通", "published after training: found, and added to the model"
    model = learning.current_model(settings.data_dir)
    assert model is not None
    assert max(model.similarities("出国手机怎么用").items(), key=lambda kv: kv[1])[0] == str(roam_id)


def test_eval_two_halves_and_training_history(tmp_path: Path) -> None:
    def write(name: str, rows: list[str]) -> Path:
        (tmp_path / name).write_text("\n".join(rows), encoding="utf-8")
        return tmp_path / name

    answers = write("answers.jsonl", [
        '{"id": "a1", "title": "光猫LOS红灯", "text": "光猫LOS红灯说明光信号中断。"}',
        '{"id": "a2", "title": "话费查询", "text": "在营业厅App查询话费。"}'])
    dev = write("dev.jsonl", ['{"id": "d1", "question": "盒子老是断网", "answer_ids": ["a1"]}'])
    test = write("test.jsonl", ['{"id": "t1", "question": "查一下话费", "answer_ids": ["a2"]}'])
    history = write("orders.jsonl", [
        '{"id": "h1", "created": "2026-05-01T08:00:00+08:00", "title": "断网", "description": "盒子老是断网上不去",'
        ' "article_id": "a1"}',
        '{"id": "h2", "created": "2026-06-01T08:00:00+08:00", "title": "断网", "description": "那个盒子一直断网",'
        ' "article_id": "a1"}'])
    out = CliRunner().invoke(cli, ["kb", "eval", "--answers", str(answers), "--dev", str(dev), "--test", str(test),
                                   "--train", str(history), "--systems", "telqc,tfidf"])
    assert out.exit_code == 0, out.output
    assert "dev half" in out.output and "test half" in out.output and out.output.count("telqc+learned") == 2
    held = CliRunner().invoke(cli, ["kb", "eval", "--answers", str(answers), "--train", str(history),
                                    "--cut", "2026-05-15"])
    assert held.exit_code == 0 and "trained on 1 orders before 2026-05-15" in held.output, held.output
    bad = CliRunner().invoke(cli, ["kb", "eval", "--answers", str(answers), "--cut", "2026-05-15"])
    assert bad.exit_code == 2 and "--cut needs --train" in bad.output
    none = CliRunner().invoke(cli, ["kb", "eval", "--answers", str(answers)])
    assert none.exit_code == 2
