"""The audit log is a hash chain: editing or deleting any row is detected and the row named."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from helpers import create_customer, login, make_user
from telqc.cli import app as cli
from telqc.core import audit
from telqc.core.rbac import Role


def _disable_guard(conn, kind: str) -> None:  # type: ignore[no-untyped-def]
    """What an attacker with owner rights would do first: switch off the append-only trigger."""
    if kind == "postgresql":
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    else:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("DROP TRIGGER audit_log_no_delete"))


@pytest.fixture
def filled(app, client, database):  # type: ignore[no-untyped-def]
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    for i in range(4):
        create_customer(client, h, phone=f"1381234567{i}")
    with app.state.sessionmaker() as s:
        n = s.query(audit.AuditEntry).count()
        assert n >= 8
        assert audit.verify(s).ok
    return n


def test_chain_is_intact_and_each_change_is_logged(app, filled) -> None:  # type: ignore[no-untyped-def]
    with app.state.sessionmaker() as s:
        actions = [a for (a,) in s.query(audit.AuditEntry.action).order_by(audit.AuditEntry.id)]
    assert actions.count("customer.created") == 4
    assert "auth.login" in actions


def test_database_refuses_updates_and_deletes(app, filled) -> None:  # type: ignore[no-untyped-def]
    for stmt in ("UPDATE audit_log SET actor = 'x' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2"):
        with pytest.raises(Exception, match="append-only"), app.state.engine.begin() as conn:
            conn.execute(text(stmt))


@pytest.mark.parametrize(
    ("tamper", "bad_row"),
    [
        ("UPDATE audit_log SET data = '{\"tier\":\"vip\"}' WHERE id = 3", 3),
        ("UPDATE audit_log SET actor = 'nobody' WHERE id = 5", 5),
        ("DELETE FROM audit_log WHERE id = 4", 5),
    ],
)
def test_tampering_names_first_broken_row(app, filled, database, tamper: str, bad_row: int) -> None:  # type: ignore[no-untyped-def]
    with app.state.engine.begin() as conn:
        _disable_guard(conn, database.kind)
        conn.execute(text(tamper))
    with app.state.sessionmaker() as s:
        result = audit.verify(s)
    assert not result.ok
    assert result.bad_id == bad_row, result.reason


def test_deleting_newest_rows_is_detected(app, filled, database) -> None:  # type: ignore[no-untyped-def]
    with app.state.engine.begin() as conn:
        _disable_guard(conn, database.kind)
        conn.execute(text("DELETE FROM audit_log WHERE id = :n"), {"n": filled})
    with app.state.sessionmaker() as s:
        result = audit.verify(s)
    assert not result.ok and result.bad_id == filled


def test_cli_verify_exit_codes(app, filled, settings, database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    from telqc.core.settings import get_settings

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


def test_hash_prefix_plus_id_and_prev_is_the_entry_hash() -> None:
    """PostgreSQL chains rows from this prefix (audit._AUDIT_CTES); it must hash exactly like `entry_hash`."""
    import hashlib
    from datetime import UTC, datetime

    row = {"at": datetime(2026, 11, 2, 2, 0, 0, 123456, tzinfo=UTC), "actor_id": None, "actor": "系统 \"x\"",
           "action": "order.created", "entity_type": "order", "entity_id": "42", "data": '{"a":"引号\\"\\n"}'}
    prev = "ab" * 32
    body = f'{audit.hash_prefix(**row)}7,"prev":"{prev}"}}'
    assert hashlib.sha256(body.encode()).hexdigest() == audit.entry_hash(id=7, prev_hash=prev, **row)


def test_concurrent_multi_row_commits_keep_one_unbroken_chain(app, database, clock) -> None:  # type: ignore[no-untyped-def]
    """Writers commit 1-3 rows each at the same time: ids stay contiguous in commit order and verify passes."""
    import threading

    writers, per_writer = (8, 5) if database.kind == "postgresql" else (2, 3)
    actor = audit.Actor(None, "test")
    failures: list[BaseException] = []
    start = threading.Barrier(writers)

    def write(w: int) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                with app.state.sessionmaker() as s:
                    for k in range(1 + (w + i) % 3):
                        audit.record(s, actor, "test.write", "writer", w, clock.now(), {"i": i, "k": k})
                    s.commit()
        except BaseException as e:  # reported below: a thread's exception would otherwise vanish
            failures.append(e)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    expected = sum(1 + (w + i) % 3 for w in range(writers) for i in range(per_writer))
    with app.state.sessionmaker() as s:
        result = audit.verify(s)
        written = s.query(audit.AuditEntry).filter(audit.AuditEntry.action == "test.write").count()
        head = s.get(audit.AuditHead, 1)
    assert result.ok, result.reason
    assert written == expected
    assert head is not None and head.last_id == result.checked


def test_rows_are_chained_by_the_commit_and_vanish_with_a_rollback(app, database, clock) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL rows wait in audit_pending until the COMMIT chains them; SQLite chains them in Python."""
    actor = audit.Actor(None, "test")
    with app.state.sessionmaker() as s:
        before = s.query(audit.AuditEntry).count()
        audit.record(s, actor, "test.kept", "writer", 1, clock.now(), {"i": 1})
        s.commit()
    with app.state.sessionmaker() as s:
        audit.record(s, actor, "test.dropped", "writer", 2, clock.now(), {"i": 2})
        s.flush()
        if database.kind == "postgresql":  # written by the WITH at commit, not before
            assert s.execute(text("SELECT count(*) FROM audit_pending")).scalar() == 0
        s.rollback()
    with app.state.sessionmaker() as s:
        actions = [a for (a,) in s.execute(text("SELECT action FROM audit_log ORDER BY id"))][before:]
        assert actions == ["test.kept"]
        assert audit.verify(s).ok
        if database.kind == "postgresql":  # nothing left waiting once its transaction is over
            assert s.execute(text("SELECT count(*) FROM audit_pending")).scalar() == 0
