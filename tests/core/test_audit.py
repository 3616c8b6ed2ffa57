"""The audit log is a keyed hash chain: editing or deleting any row is detected and the row named, and so is a
rewrite that recomputes every hash the way the unkeyed chain was computed."""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select, text
from typer.testing import CliRunner

from helpers import create_customer, login, make_user
from telqc.cli import app as cli
from telqc.core import audit
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.core.settings import Settings, get_settings
from telqc.core.uow import UnitOfWork

if TYPE_CHECKING:
    from conftest import Database


def _disable_guard(conn: Connection, kind: str) -> None:
    """What an attacker with owner rights would do first: switch off the append-only trigger."""
    if kind == "postgresql":
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    else:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("DROP TRIGGER audit_log_no_delete"))


@pytest.fixture
def filled(app: FastAPI, client: TestClient, database: Database) -> int:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    for i in range(4):
        create_customer(client, h, phone=f"1381234567{i}")
    with app.state.sessionmaker() as s:
        n = s.query(audit.AuditEntry).count()
        assert n >= 8
        assert audit.verify(s).ok
    return n


def test_chain_is_intact_and_each_change_is_logged(app: FastAPI, filled: int) -> None:
    with app.state.sessionmaker() as s:
        actions = [a for (a,) in s.query(audit.AuditEntry.action).order_by(audit.AuditEntry.id)]
    assert actions.count("customer.created") == 4
    assert "auth.login" in actions


def test_database_refuses_updates_and_deletes(app: FastAPI, filled: int) -> None:
    for stmt in ("UPDATE audit_log SET actor = 'x' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2"):
        with pytest.raises(Exception, match="append-only"), app.state.engine.begin() as conn:
            conn.execute(text(stmt))


@pytest.mark.audit_tampered
@pytest.mark.parametrize(
    ("tamper", "bad_row"),
    [
        ("UPDATE audit_log SET data = '{\"tier\":\"vip\"}' WHERE id = 3", 3),
        ("UPDATE audit_log SET actor = 'nobody' WHERE id = 5", 5),
        ("DELETE FROM audit_log WHERE id = 4", 5),
    ],
)
def test_tampering_names_first_broken_row(app: FastAPI, filled: int, database: Database, tamper: str,
                                          bad_row: int) -> None:
    with app.state.engine.begin() as conn:
        _disable_guard(conn, database.kind)
        conn.execute(text(tamper))
    with app.state.sessionmaker() as s:
        result = audit.verify(s)
    assert not result.ok
    assert result.bad_id == bad_row, result.reason


@pytest.mark.audit_tampered
def test_deleting_newest_rows_is_detected(app: FastAPI, filled: int, database: Database) -> None:
    with app.state.engine.begin() as conn:
        _disable_guard(conn, database.kind)
        conn.execute(text("DELETE FROM audit_log WHERE id = :n"), {"n": filled})
    with app.state.sessionmaker() as s:
        result = audit.verify(s)
    assert not result.ok and result.bad_id == filled


@pytest.mark.audit_tampered
def test_cli_verify_exit_codes(app: FastAPI, filled: int, settings: Settings, database: Database,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        ok = CliRunner().invoke(cli, ["audit", "verify"])
        assert ok.exit_code == 0, ok.output
        assert f"{filled} rows" in ok.output
        with app.state.engine.begin() as conn:
            _disable_guard(conn, database.kind)
            conn.execute(text("UPDATE audit_log SET action = 'forged' WHERE id = 2"))
        bad = CliRunner().invoke(cli, ["audit", "verify"])
        assert bad.exit_code == 1
        assert "row 2" in bad.output
    finally:
        get_settings.cache_clear()


def test_concurrent_writers_and_chainers_keep_one_unbroken_chain(app: FastAPI, database: Database,
                                                                 clock: FrozenClock) -> None:
    """Writers commit 1-3 entries each while chainers run at the same time: every committed entry is chained
    once, ids stay contiguous, and verify passes."""
    writers, per_writer = (8, 5) if database.kind == "postgresql" else (2, 3)
    actor = audit.Actor(None, "test")
    failures: list[BaseException] = []
    start = threading.Barrier(writers + 2)
    done = threading.Event()

    def write(w: int) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                with app.state.sessionmaker() as s:
                    uow = UnitOfWork(s)
                    for k in range(1 + (w + i) % 3):
                        audit.record(uow, actor, "test.write", "writer", w, clock.now(), {"i": i, "k": k})
                    uow.commit()
        except BaseException as e:  # reported below: a thread's exception would otherwise vanish
            failures.append(e)

    def chain() -> None:
        try:
            start.wait()
            while not done.is_set():
                with app.state.sessionmaker() as s:
                    audit.chain_all(s)
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    chainers = [threading.Thread(target=chain) for _ in range(2)]
    for t in (*threads, *chainers):
        t.start()
    for t in threads:
        t.join()
    done.set()
    for t in chainers:
        t.join()
    assert not failures, failures
    expected = sum(1 + (w + i) % 3 for w in range(writers) for i in range(per_writer))
    with app.state.sessionmaker() as s:
        audit.chain_all(s)
        result = audit.verify(s)
        written = s.query(audit.AuditEntry).filter(audit.AuditEntry.action == "test.write").count()
        head = s.get(audit.AuditHead, 1)
        pending = s.query(audit.PendingEntry).count()
    assert result.ok, result.reason
    assert written == expected and pending == 0
    assert head is not None and head.last_id == result.checked


def test_entries_are_chained_after_their_commit_and_vanish_with_a_rollback(app: FastAPI, clock: FrozenClock) -> None:
    """An entry is written to audit_pending with its change, chained by the next `chain`; a rolled-back
    transaction leaves none behind."""
    actor = audit.Actor(None, "test")
    with app.state.sessionmaker() as s:
        audit.chain_all(s)
        before = s.query(audit.AuditEntry).count()
        uow = UnitOfWork(s)
        audit.record(uow, actor, "test.kept", "writer", 1, clock.now(), {"i": 1})
        uow.commit()
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        audit.record(uow, actor, "test.dropped", "writer", 2, clock.now(), {"i": 2})
        uow.flush()
        assert s.execute(text("SELECT count(*) FROM audit_pending")).scalar() == 2
        uow.rollback()
    with app.state.sessionmaker() as s:
        assert s.execute(text("SELECT count(*) FROM audit_pending")).scalar() == 1
        assert audit.chain_all(s) == 1
        actions = [a for (a,) in s.execute(text("SELECT action FROM audit_log ORDER BY id"))][before:]
        assert actions == ["test.kept"]
        assert audit.verify(s).ok
        assert s.execute(text("SELECT count(*) FROM audit_pending")).scalar() == 0


def test_the_cli_chains_what_is_pending_before_it_verifies(app: FastAPI, settings: Settings, clock: FrozenClock,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from telqc.core.settings import get_settings
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        audit.record(uow, audit.Actor(None, "test"), "test.cli", "writer", 1, clock.now())
        uow.commit()
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        ok = CliRunner().invoke(cli, ["audit", "verify"])
    finally:
        get_settings.cache_clear()
    assert ok.exit_code == 0, ok.output
    assert "1 pending entries chained" in ok.output
    with app.state.sessionmaker() as s:
        assert s.query(audit.AuditEntry).filter(audit.AuditEntry.action == "test.cli").count() == 1


def _plain_rewrite(app: FastAPI, kind: str, row_id: int, data: str, relabel: bool) -> None:
    """The attacker with write access to the database: switch off the guard, change one row's content, recompute
    the plain SHA-256 chain from that row on exactly as the unkeyed code did (and, with `relabel`, mark the
    rows as unkeyed legacy rows), move ``audit_head`` to the new last hash."""
    with app.state.sessionmaker() as s:
        rows = s.scalars(select(audit.AuditEntry).where(audit.AuditEntry.id >= row_id)
                         .order_by(audit.AuditEntry.id)).all()
        prev, changes = rows[0].prev_hash, []
        for r in rows:
            content = data if r.id == row_id else r.data
            body = audit.canonical({"id": r.id, "at": r.at.isoformat(), "actor_id": r.actor_id, "actor": r.actor,
                                    "action": r.action, "entity_type": r.entity_type, "entity_id": r.entity_id,
                                    "data": content, "prev": prev})
            new = hashlib.sha256(body.encode()).hexdigest()
            changes.append({"id": r.id, "data": content, "prev": prev, "h": new})
            prev = new
    relabelled = ", key_id = 'sha256'" if relabel else ""
    with app.state.engine.begin() as conn:
        _disable_guard(conn, kind)
        conn.execute(text(f"UPDATE audit_log SET data = :data, prev_hash = :prev, hash = :h{relabelled} "
                          "WHERE id = :id"), changes)
        conn.execute(text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": prev})


@pytest.mark.audit_tampered
@pytest.mark.parametrize("relabel", [False, True], ids=["same-key-id", "relabelled-as-legacy"])
def test_rewrite_with_recomputed_plain_chain_is_detected(app: FastAPI, filled: int, database: Database,
                                                         relabel: bool) -> None:
    """Issue 17: changing a row and recomputing the plain SHA-256 chain and audit_head made verify say "intact".
    The chain is now an HMAC under a key the database does not hold, and an unkeyed row after the legacy
    boundary (TELQC_AUDIT_LEGACY_UNTIL, 0 here) is refused."""
    _plain_rewrite(app, database.kind, 3, '{"tier":"vip"}', relabel)
    with app.state.sessionmaker() as s:
        result = audit.verify(s)
    assert not result.ok
    assert result.bad_id == 3, result.reason
