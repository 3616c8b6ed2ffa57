"""``telqc kb import`` / ``export``: JSONL and Markdown, atomic, errors naming place and field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from typer.testing import CliRunner

from helpers import make_user
from telqc.cli import app as cli
from telqc.core.rbac import Role
from telqc.core.settings import Settings, get_settings
from telqc.knowledge.models import KbArticle, KbVersion
from telqc.knowledge.transfer import FormatError, parse_markdown, to_markdown

ROUTER_MD = """---
kind: faq
category: broadband
tags: [路由器, 宽带]
audience: public
valid_to: 2031-01-01T00:00:00+08:00
questions:
  - 路由器怎么重启
  - 无线猫没信号
---

# 路由器重启方法

拔掉电源等待 10 秒再插上，指示灯全亮后即可上网。
"""


@pytest.fixture
def env(app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TELQC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    make_user(app, "kbadmin", Role.admin)
    yield app
    get_settings.cache_clear()


def _count(app: FastAPI) -> int:
    with app.state.sessionmaker() as s:
        return s.scalar(select(func.count()).select_from(KbArticle)) or 0


def test_markdown_front_matter_and_heading_title() -> None:
    rec = parse_markdown(ROUTER_MD, "router.md")
    assert rec["title"] == "路由器重启方法"
    assert rec["body"] == "拔掉电源等待 10 秒再插上，指示灯全亮后即可上网。"
    assert rec["questions"] == ["路由器怎么重启", "无线猫没信号"]
    assert rec["valid_to"] == "2031-01-01T00:00:00+08:00"
    again = parse_markdown(to_markdown(rec))
    assert again == rec, "render then parse is the identity"
    with pytest.raises(FormatError, match=r"x\.md: missing YAML front matter"):
        parse_markdown("# just a heading\n\nbody", "x.md")


def test_import_markdown_directory_then_export_both_formats(env: FastAPI, tmp_path: Path) -> None:
    src = tmp_path / "kb"
    src.mkdir()
    (src / "router.md").write_text(ROUTER_MD, encoding="utf-8")
    (src / "roaming.md").write_text(
        "---\ntitle: 国际漫游开通\ncategory: roaming\n---\n出国前拨打 10086 开通国际漫游。\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["kb", "import", str(src), "--publish", "--author", "kbadmin"])
    assert res.exit_code == 0, res.output
    assert "2 article(s) imported and published" in res.output
    with env.state.sessionmaker() as s:
        art = s.scalar(select(KbArticle).where(KbArticle.category == "broadband"))
        assert art is not None and art.status == "published" and art.kind == "faq" and art.audience == "public"
        version = s.get(KbVersion, (art.id, art.published_version))
        assert version is not None and version.title == "路由器重启方法"
        assert version.questions == ["路由器怎么重启", "无线猫没信号"]

    out_md = tmp_path / "out"
    res = CliRunner().invoke(cli, ["kb", "export", str(out_md), "--format", "md"])
    assert res.exit_code == 0, res.output
    files = sorted(out_md.glob("*.md"))
    assert len(files) == 2
    exported = {parse_markdown(f.read_text(encoding="utf-8"))["title"]: f for f in files}
    router = parse_markdown(exported["路由器重启方法"].read_text(encoding="utf-8"))
    assert router["tags"] == ["路由器", "宽带"] and router["questions"] == ["路由器怎么重启", "无线猫没信号"]

    out_jsonl = tmp_path / "out.jsonl"
    assert CliRunner().invoke(cli, ["kb", "export", str(out_jsonl)]).exit_code == 0
    rows = [json.loads(ln) for ln in out_jsonl.read_text(encoding="utf-8").splitlines()]
    assert {r["title"] for r in rows} == {"路由器重启方法", "国际漫游开通"}


def test_bad_files_import_nothing_and_name_place_and_field(env: FastAPI, tmp_path: Path) -> None:
    src = tmp_path / "kb"
    src.mkdir()
    (src / "a-good.md").write_text(ROUTER_MD, encoding="utf-8")
    (src / "b-bad.md").write_text("---\ntitle: 缺少分类\naudience: everyone\n---\n正文\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["kb", "import", str(src), "--author", "kbadmin"])
    assert res.exit_code == 2, res.output
    assert "b-bad.md: category" in res.output and "b-bad.md: audience" in res.output
    assert "nothing imported: 2 error(s)" in res.output
    assert _count(env) == 0

    bad = tmp_path / "bad.jsonl"
    good = {"title": "话费查询", "body": "发送 CXHF 到 10086。", "category": "billing"}
    bad.write_text(json.dumps(good, ensure_ascii=False) + "\n{not json\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["kb", "import", str(bad), "--author", "kbadmin"])
    assert res.exit_code == 2 and "bad.jsonl:2: not valid JSON" in res.output, res.output
    assert _count(env) == 0


def test_import_is_idempotent_and_names_repeated_lines(env: FastAPI, tmp_path: Path) -> None:
    """Two identical lines make one article; importing the same file again adds none (issue 17)."""
    f = tmp_path / "twice.jsonl"
    line = json.dumps({"title": "话费查询", "body": "发送 CXHF 到 10086。", "category": "billing"}, ensure_ascii=False)
    other = json.dumps({"title": "流量查询", "body": "发送 CXLL 到 10086。", "category": "billing"}, ensure_ascii=False)
    f.write_text(f"{line}\n{line}\n{other}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["kb", "import", str(f), "--author", "kbadmin"])
    assert res.exit_code == 0, res.output
    assert "line 2: the same article as line 1, skipped" in res.output
    assert "2 article(s) imported, 1 skipped" in res.output and _count(env) == 2
    again = CliRunner().invoke(cli, ["kb", "import", str(f), "--author", "kbadmin"])
    assert again.exit_code == 0, again.output
    assert "line 1: already in the knowledge base as article #" in again.output
    assert "0 article(s) imported, 3 skipped" in again.output and _count(env) == 2


def test_a_file_that_is_not_utf8_is_refused_naming_its_line(env: FastAPI, tmp_path: Path) -> None:
    """A GBK export is named by line and column, not a decoding traceback; nothing is imported."""
    f = tmp_path / "gbk.jsonl"
    good = json.dumps({"title": "话费查询", "body": "发送 CXHF 到 10086。", "category": "billing"}, ensure_ascii=False)
    bad = json.dumps({"title": "流量查询", "body": "发送 CXLL", "category": "billing"}, ensure_ascii=False)
    f.write_bytes(good.encode("utf-8") + b"\n" + bad.encode("gbk"))
    res = CliRunner().invoke(cli, ["kb", "import", str(f), "--author", "kbadmin"])
    assert res.exit_code == 2, res.output
    assert "gbk.jsonl:2: not UTF-8 text (byte 0xc1 at column 12)" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert _count(env) == 0


@pytest.mark.parametrize(("bad", "words"), [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"title": "话费查询", "body": "x", "category": "billing", "n": 1' + "0" * 5000 + "}", "Exceeds the limit"),
    ('{"title": "话费查询", "body": NaN, "category": "billing"}', "NaN is not a JSON number"),
], ids=["nested", "digits", "nan"])
def test_an_unparsable_line_is_named_not_a_traceback(env: FastAPI, tmp_path: Path, bad: str, words: str) -> None:
    """json.loads raises RecursionError / ValueError here (or takes NaN): the import crashed (issue 17)."""
    f = tmp_path / "odd.jsonl"
    good = json.dumps({"title": "流量查询", "body": "发送 CXLL 到 10086。", "category": "billing"}, ensure_ascii=False)
    f.write_text(f"{good}\n{bad}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["kb", "import", str(f), "--author", "kbadmin"])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code == 2 and f"odd.jsonl:2: not valid JSON ({words}" in res.output, res.output
    assert _count(env) == 0
