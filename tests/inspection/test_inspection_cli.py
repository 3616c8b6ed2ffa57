"""``telqc inspect import`` / ``run``: atomic import with a line-and-field report, and a summary table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from typer.testing import CliRunner

from helpers import make_user
from inspection.qa_helpers import jsonl, line, turns
from telqc.cli import app as cli
from telqc.contacts.models import Interaction
from telqc.core.rbac import Role
from telqc.core.settings import Settings, get_settings


@pytest.fixture
def env(app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TELQC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    make_user(app, "agent1", Role.agent, region_scope=["440000"])
    yield app
    get_settings.cache_clear()


def _count(app: FastAPI) -> int:
    with app.state.sessionmaker() as s:
        return s.scalar(select(func.count()).select_from(Interaction)) or 0


def test_import_is_atomic_and_names_line_and_field(env: FastAPI, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(jsonl([line(), line(agent="ghost"), line()]), encoding="utf-8")
    res = CliRunner().invoke(cli, ["inspect", "import", str(bad)])
    assert res.exit_code == 1, res.output
    assert "ghost" in res.output and "agent" in res.output and "│ 2 " in res.output
    assert _count(env) == 0
    good = tmp_path / "good.jsonl"
    rude = turns([("agent", "您好，很高兴为您服务。"), ("agent", "我不知道，你自己看。")])
    good.write_text(jsonl([line(), line(turns=rude)]), encoding="utf-8")
    res = CliRunner().invoke(cli, ["inspect", "import", str(good)])
    assert res.exit_code == 0, res.output
    assert "imported 2 interactions" in res.output
    assert _count(env) == 2


def test_run_prints_summary_per_rule(env: FastAPI, tmp_path: Path) -> None:
    rude = turns([("agent", "您好，很高兴为您服务。"), ("agent", "我不知道，你自己看。")])
    f = tmp_path / "calls.jsonl"
    f.write_text(jsonl([line(), line(turns=rude), line(turns=rude)]), encoding="utf-8")
    res = CliRunner().invoke(cli, ["inspect", "run", str(f), "--scorecard", "默认热线质检评分表"])
    assert res.exit_code == 0, res.output
    row = next(ln for ln in res.output.splitlines() if "forbidden_phrase" in ln)
    assert [c.strip() for c in row.split("│")[2:4]] == ["4", "2"], "4 hits in 2 interactions"
    assert "3 interactions" in res.output
    res = CliRunner().invoke(cli, ["inspect", "run", str(f), "--scorecard", "no-such-card"])
    assert res.exit_code == 1 and "no-such-card" in res.output


def test_run_writes_one_jsonl_line_per_interaction(env: FastAPI, tmp_path: Path) -> None:
    rude = turns([("agent", "您好，很高兴为您服务。"), ("agent", "我不知道，你自己看。")])
    f = tmp_path / "calls.jsonl"
    f.write_text(jsonl([{**line(), "id": "a-1"}, {**line(turns=rude), "id": 7}]), encoding="utf-8")
    out = tmp_path / "hits.jsonl"
    res = CliRunner().invoke(cli, ["inspect", "run", str(f), "--jsonl", str(out)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a-1", 7]
    assert rows[0]["hits"] == []
    forbidden = [h for h in rows[1]["hits"] if h["rule"] == "forbidden_phrase"]
    assert [(h["turn"], h["evidence"]) for h in forbidden] == [(1, "不知道"), (1, "你自己看")]
    assert all({"rule", "turn", "evidence", "why"} <= set(h) for h in rows[1]["hits"])


def test_eval_prints_precision_recall_and_macro_f1(tmp_path: Path) -> None:
    rude = turns([("agent", "喂。"), ("customer", "你好。"), ("agent", "我不知道，你自己看。")])
    labels = dict.fromkeys(["greeting_missing", "closing_missing", "forbidden_phrase"], True)
    f = tmp_path / "set.jsonl"
    f.write_text(jsonl([{"id": 1, "channel": "call", "labels": {}, "turns": turns()},
                        {"id": 2, "channel": "chat", "labels": labels, "turns": rude}]), encoding="utf-8")
    res = CliRunner().invoke(cli, ["inspect", "eval", str(f), "--errors"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    row = next(ln for ln in res.output.splitlines() if ln.startswith("forbidden_phrase"))
    assert row.split()[1:5] == ["1", "0", "0", "1"]
    assert "macro F1 over 8 checks: 1.000 (2 interactions)" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["inspect", "eval", str(bad)])
    assert res.exit_code == 1 and "line 1" in res.output


@pytest.mark.parametrize("command", ["import", "run"])
def test_a_line_nested_past_the_parser_is_named_not_a_traceback(env: FastAPI, tmp_path: Path, command: str) -> None:
    """``[[[[…`` raised RecursionError out of json.loads: a traceback instead of the line (issue 17)."""
    f = tmp_path / "deep.jsonl"
    f.write_text(jsonl([line(), "[" * 100_000 + "]" * 100_000]), encoding="utf-8")
    res = CliRunner().invoke(cli, ["inspect", command, str(f)])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "nested too deeply" in res.output, res.output
    assert _count(env) == 0


def test_a_gbk_file_or_a_huge_id_is_named_by_line_not_a_traceback(env: FastAPI, tmp_path: Path) -> None:
    """Issue 17: ``telqc inspect import`` crashed with UnicodeDecodeError / OverflowError tracebacks."""
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(jsonl([line()]).encode("utf-8") + jsonl([line()]).replace("您好", "你好").encode("gbk"))
    res = CliRunner().invoke(cli, ["inspect", "import", str(gbk)])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.output
    assert "gbk.jsonl:2: not UTF-8 text" in res.output, res.output
    huge = tmp_path / "huge.jsonl"
    huge.write_text(jsonl([line(), {**line(), "customer_id": 2**63}]), encoding="utf-8")
    res = CliRunner().invoke(cli, ["inspect", "import", str(huge)])
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit), res.output
    assert "customer_id" in res.output and "2147483647" in res.output, res.output
    assert _count(env) == 0
