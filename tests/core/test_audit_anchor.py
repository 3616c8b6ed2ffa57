"""Signed anchors outside the database: a rewrite of the chain before the last anchor is detected even when every
hash was recomputed with the real key."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from helpers import create_customer, login, make_user
from telqc.cli import app as cli
from telqc.core import audit, audit_anchor
from telqc.core.audit_keys import AuditKeys, keys_for
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.core.settings import Settings, get_settings
from telqc.core.uow import UnitOfWork
from telqc.jobs import celery_app, tasks

if TYPE_CHECKING:
    from conftest import Database


def _disable_guard(app: FastAPI, kind: str) -> None:
    with app.state.engine.begin() as conn:
        if kind == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


@pytest.fixture
def anchored(app: FastAPI, client: TestClient, settings: Settings, clock: FrozenClock, tmp_path: Path) -> Path:
    """Two anchors (after 2 and after 4 customers), then more entries after the last one; returns the directory."""
    anchors = tmp_path / "anchors"
    settings.audit_anchor_dir = anchors
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    for i in range(6):
        create_customer(client, h, phone=f"1381234567{i}")
        if i in (1, 3):
            audit_anchor.anchor_now(app.state.sessionmaker, settings, clock)
            clock.advance(timedelta(hours=1))
    return anchors


def _rewrite_with_key(app: FastAPI, kind: str, keys: AuditKeys, row_id: int) -> None:
    """The attacker who stole TELQC_AUDIT_KEYS: change a row, recompute the keyed chain from it on and the head."""
    with app.state.sessionmaker() as s:
        rows = s.scalars(select(audit.AuditEntry).where(audit.AuditEntry.id >= row_id)
                         .order_by(audit.AuditEntry.id)).all()
        prev, changes = rows[0].prev_hash, []
        for r in rows:
            data = '{"forged":true}' if r.id == row_id else r.data
            h = audit.entry_hash(keys, key_id=r.key_id, id=r.id, at=r.at, actor_id=r.actor_id, actor=r.actor,
                                 action=r.action, entity_type=r.entity_type, entity_id=r.entity_id, data=data,
                                 prev_hash=prev)
            changes.append({"id": r.id, "data": data, "prev": prev, "h": h})
            prev = h
    _disable_guard(app, kind)
    with app.state.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET data = :data, prev_hash = :prev, hash = :h WHERE id = :id"), changes)
        conn.execute(text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": prev})


def _cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TELQC_AUDIT_ANCHOR_DIR", str(settings.effective_audit_anchor_dir))
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli, ["audit", *args])
    finally:
        get_settings.cache_clear()
    return out.exit_code, out.output


def test_an_anchor_is_a_signed_read_only_file_of_the_head(anchored: Path, app: FastAPI, settings: Settings) -> None:
    files = sorted(anchored.glob("*.json"))
    assert len(files) == 2
    first = json.loads(files[0].read_text())
    assert set(first) == {"head_id", "head_hash", "at", "key_id", "signature"}
    assert first["key_id"] == keys_for(settings).active
    with app.state.sessionmaker() as s:
        row = s.get(audit.AuditEntry, first["head_id"])
        assert row is not None and row.hash == first["head_hash"]
        result = audit_anchor.check(s, keys_for(settings), anchored)
    assert result.ok and result.checked == 2, result.reason
    assert not files[0].stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_an_existing_anchor_is_never_overwritten(app: FastAPI, settings: Settings, clock: FrozenClock,
                                                tmp_path: Path) -> None:
    keys = keys_for(settings)
    with app.state.sessionmaker() as s:
        audit.chain_all(s, keys)
        path, _ = audit_anchor.write(s, keys, tmp_path, clock.now())
        before = path.read_bytes()
        with pytest.raises(FileExistsError):
            audit_anchor.write(s, keys, tmp_path, clock.now())  # same second, same head: same name
    assert path.read_bytes() == before


@pytest.mark.audit_tampered
def test_rewrite_recomputed_with_the_real_key_fails_against_the_anchors(
        anchored: Path, app: FastAPI, settings: Settings, database: Database,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The key alone is enough to make the chain itself consistent again, not to match the anchors."""
    first_anchor = sorted(anchored.glob("*.json"))[0]
    anchored_head = json.loads(first_anchor.read_text())["head_id"]
    keys = keys_for(settings)
    _rewrite_with_key(app, database.kind, keys, 3)
    with app.state.sessionmaker() as s:
        assert audit.verify(s, keys).ok  # what the chain alone can tell: nothing
        result = audit_anchor.check(s, keys, anchored)
    assert not result.ok and result.bad_id == anchored_head
    assert result.reason == (f"anchor {first_anchor.name}: row {anchored_head} no longer has the anchored hash: "
                             f"the chain was rewritten after row 0, at or before row {anchored_head}")
    code, output = _cli(settings, monkeypatch, "verify", "--anchors", str(anchored))
    assert code == 1
    assert f"审计链损坏，第 {anchored_head} 行：锚点 {first_anchor.name}" in output
    assert f"audit chain BROKEN at row {anchored_head}: anchor {first_anchor.name}" in output
    assert _cli(settings, monkeypatch, "verify")[0] == 0  # without anchors the rewrite passes


@pytest.mark.audit_tampered
def test_a_rewrite_between_anchors_names_the_later_one(anchored: Path, app: FastAPI, settings: Settings,
                                                       database: Database) -> None:
    first, second = (json.loads(p.read_text())["head_id"] for p in sorted(anchored.glob("*.json")))
    keys = keys_for(settings)
    _rewrite_with_key(app, database.kind, keys, first + 1)
    with app.state.sessionmaker() as s:
        result = audit_anchor.check(s, keys, anchored)
    assert not result.ok and result.bad_id == second
    assert f"after row {first}, at or before row {second}" in result.reason


@pytest.mark.audit_tampered
def test_truncating_the_chain_back_before_an_anchor_is_detected(anchored: Path, app: FastAPI, settings: Settings,
                                                                database: Database) -> None:
    """Delete the newest rows and move the head back: the chain is consistent, the last anchor's row is gone."""
    second = json.loads(sorted(anchored.glob("*.json"))[1].read_text())["head_id"]
    _disable_guard(app, database.kind)
    with app.state.engine.begin() as conn:
        keep = conn.execute(text("SELECT hash FROM audit_log WHERE id = :i"), {"i": second - 1}).scalar_one()
        conn.execute(text("DELETE FROM audit_log WHERE id >= :i"), {"i": second})
        conn.execute(text("UPDATE audit_head SET last_id = :i, last_hash = :h"), {"i": second - 1, "h": keep})
    keys = keys_for(settings)
    with app.state.sessionmaker() as s:
        assert audit.verify(s, keys).ok
        result = audit_anchor.check(s, keys, anchored)
    assert not result.ok and result.bad_id == second
    assert f"the row {second} it anchors is missing (head is at {second - 1})" in result.reason


@pytest.mark.audit_tampered
def test_an_anchor_edited_to_match_a_rewrite_has_a_bad_signature(anchored: Path, app: FastAPI, settings: Settings,
                                                                 database: Database) -> None:
    keys = keys_for(settings)
    _rewrite_with_key(app, database.kind, keys, 3)
    with app.state.sessionmaker() as s:
        for path in anchored.glob("*.json"):
            forged = json.loads(path.read_text())
            row = s.get(audit.AuditEntry, forged["head_id"])
            assert row is not None
            forged["head_hash"] = row.hash
            path.chmod(0o644)
            path.write_text(json.dumps(forged))
        result = audit_anchor.check(s, keys, anchored)
    assert not result.ok and result.code == "anchor.bad_signature", result.reason


def test_unreadable_missing_or_foreign_anchors_are_named(anchored: Path, app: FastAPI, settings: Settings,
                                                         tmp_path: Path) -> None:
    keys = keys_for(settings)
    with app.state.sessionmaker() as s:
        missing = audit_anchor.check(s, keys, tmp_path / "nowhere")
        assert not missing.ok and missing.reason == f"no anchors in {tmp_path / 'nowhere'}"
        foreign = audit_anchor.check(s, AuditKeys.parse("other:" + "QUFB" * 10 + "QUE="), anchored)
        assert "signed with key dev1, which TELQC_AUDIT_KEYS does not list" in foreign.reason
        (anchored / "zz-broken.json").write_bytes(b"\xff\xfe not json")
        bad = audit_anchor.check(s, keys, anchored)
    assert not bad.ok and bad.reason.startswith("anchor zz-broken.json is unreadable: ")


def test_cli_anchor_then_verify_with_anchors(app: FastAPI, client: TestClient, settings: Settings,
                                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings.audit_anchor_dir = tmp_path / "cli-anchors"
    make_user(app, "adm", Role.admin)
    create_customer(client, login(client, "adm"))
    code, output = _cli(settings, monkeypatch, "anchor")
    assert code == 0 and "已写入锚点" in output and "anchor written" in output, output
    assert len(list(settings.effective_audit_anchor_dir.glob("*.json"))) == 1
    code, output = _cli(settings, monkeypatch, "verify", "--anchors", str(settings.effective_audit_anchor_dir))
    assert code == 0, output
    assert "1 anchors match the chain" in output and "1 个锚点与审计链一致" in output


def test_the_hourly_beat_job_writes_an_anchor(app: FastAPI, settings: Settings, clock: FrozenClock, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert celery_app.celery.conf.beat_schedule["audit-anchor"]["task"] == celery_app.ANCHOR_TASK
    schedule = celery_app.celery.conf.beat_schedule["audit-anchor"]["schedule"]
    assert schedule.minute == {0} and len(schedule.hour) == 24
    assert "telqc.jobs.tasks" in celery_app.celery.conf.include
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        audit.record(uow, audit.Actor.system(), "test.beat", "job", 1, clock.now())
        uow.commit()
    settings.audit_anchor_dir = tmp_path / "beat"
    monkeypatch.setattr(tasks, "settings", settings)
    monkeypatch.setattr(tasks, "session_factory", lambda: app.state.sessionmaker)
    path = Path(tasks.anchor_audit_chain())
    assert path.parent == tmp_path / "beat" and json.loads(path.read_text())["head_id"] == 1  # chained, then anchored
