"""The audit chain's keys: rotation, a key removed too early, the unkeyed rows from before migration 0005_audit,
bad key settings, and the development key refused in production."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from telqc.cli import app as cli
from telqc.core import audit, migrate
from telqc.core.audit_keys import AuditKeys
from telqc.core.clock import FrozenClock
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.settings import DEV_AUDIT_KEY, Settings, get_settings
from telqc.core.uow import UnitOfWork

if TYPE_CHECKING:
    from conftest import Database


def _key(kid: str, fill: int) -> str:
    return f"{kid}:{base64.b64encode(bytes([fill]) * 32).decode()}"


@pytest.fixture
def factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """Sessions on the test's clean database without the app (whose teardown verifies with the default key)."""
    engine = make_engine(settings.database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def _write(factory: sessionmaker[Session], clock: FrozenClock, keys: AuditKeys, n: int, action: str) -> None:
    with factory() as s:
        uow = UnitOfWork(s)
        for i in range(n):
            audit.record(uow, audit.Actor(7, "agent7"), action, "order", i, clock.now(), {"i": i})
        uow.commit()
        audit.chain_all(s, keys)


def test_rotation_keeps_old_rows_verifying_under_their_key(factory: sessionmaker[Session],
                                                             clock: FrozenClock) -> None:
    """Rotation is putting a new key first in TELQC_AUDIT_KEYS: new rows are signed with it, the rows signed
    before still verify with the key they name."""
    old = AuditKeys.parse(_key("k1", 1))
    _write(factory, clock, old, 3, "before.rotation")
    rotated = AuditKeys.parse(f"{_key('k2', 2)},{_key('k1', 1)}")
    _write(factory, clock, rotated, 2, "after.rotation")
    with factory() as s:
        assert [k for (k,) in s.execute(select(audit.AuditEntry.key_id).order_by(audit.AuditEntry.id))] == \
            ["k1", "k1", "k1", "k2", "k2"]
        result = audit.verify(s, rotated)
        assert result.ok and result.checked == 5, result.reason
        assert not audit.verify(s, old).ok  # the old keyring alone cannot vouch for the new rows


def test_a_key_removed_too_early_names_the_row_and_the_key(factory: sessionmaker[Session], clock: FrozenClock,
                                                            settings: Settings,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _write(factory, clock, AuditKeys.parse(_key("k1", 1)), 2, "signed.k1")
    only_new = AuditKeys.parse(_key("k2", 2))
    with factory() as s:
        result = audit.verify(s, only_new)
    assert not result.ok and result.bad_id == 1
    assert result.reason == "row 1 is signed with key k1, which TELQC_AUDIT_KEYS does not list"
    assert "TELQC_AUDIT_KEYS 中没有该密钥" in result.message("zh-CN")
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TELQC_AUDIT_KEYS", _key("k2", 2))
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli, ["audit", "verify"])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 1
    assert "审计链损坏，第 1 行" in out.output and "key k1, which TELQC_AUDIT_KEYS does not list" in out.output


def _legacy_rows(factory: sessionmaker[Session], clock: FrozenClock, n: int) -> None:
    """Rows as the chain before migration 0005_audit wrote them: plain SHA-256, key id "sha256"."""
    with factory() as s:
        prev = audit.GENESIS
        for i in range(1, n + 1):
            at = clock.now()
            body = audit.canonical({"id": i, "at": at.isoformat(), "actor_id": None, "actor": "system",
                                    "action": "legacy", "entity_type": "x", "entity_id": str(i), "data": "{}",
                                    "prev": prev})
            h = hashlib.sha256(body.encode()).hexdigest()  # exactly the unkeyed chain's formula
            s.add(audit.AuditEntry(id=i, at=at, actor_id=None, actor="system", action="legacy", entity_type="x",
                                   entity_id=str(i), data="{}", prev_hash=prev, hash=h, key_id="sha256"))
            prev = h
        s.execute(audit.AuditHead.__table__.update().values(last_id=n, last_hash=prev))
        s.commit()


def test_legacy_rows_verify_only_up_to_the_configured_boundary(factory: sessionmaker[Session],
                                                                clock: FrozenClock) -> None:
    _legacy_rows(factory, clock, 3)
    keyed = AuditKeys.parse(_key("k1", 1), legacy_until=3)
    _write(factory, clock, keyed, 2, "after.migration")
    with factory() as s:
        assert audit.verify(s, keyed).ok
        result = audit.verify(s, AuditKeys.parse(_key("k1", 1)))  # boundary not configured
        assert not result.ok and result.bad_id == 1 and "TELQC_AUDIT_LEGACY_UNTIL=0" in result.reason


@pytest.mark.parametrize(("spec", "error"), [
    ("k1:" + base64.b64encode(b"short").decode(), "key 'k1' must be 32 bytes"),
    ("k1:not base64!", "key 'k1' is not valid base64"),
    (_key("sha256", 1), "key id 'sha256' must be"),
    (f"{_key('k1', 1)},{_key('k1', 2)}", "key id 'k1' must be 1-32 characters, unique"),
    ("", "at least one key"),
])
def test_bad_key_settings_name_the_key(spec: str, error: str) -> None:
    with pytest.raises(ValueError, match=error.replace("(", r"\(")):
        AuditKeys.parse(spec)


def _production(audit_keys: str = DEV_AUDIT_KEY) -> Settings:
    return Settings(env="production", secret_key="s" * 32, pii_keys=_key("p1", 3), blind_index_key="b" * 32,
                    audit_keys=audit_keys)


def test_production_refuses_the_development_audit_key() -> None:
    with pytest.raises(ValueError, match="TELQC_AUDIT_KEYS"):
        _production()
    with pytest.raises(ValueError, match="TELQC_AUDIT_KEYS"):  # not even kept to verify older rows
        _production(f"{_key('k1', 1)},{DEV_AUDIT_KEY}")
    assert _production(_key("k1", 1)).audit_keys.startswith("k1:")


@pytest.fixture
def scratch_url(database: Database, tmp_path: Path) -> Iterator[str]:
    """An empty database of the parametrized kind, for migrating step by step."""
    if database.kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    admin = database.url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/test"
    name = f"telqc_scratch_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    yield database.url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_migration_keeps_old_rows_as_legacy_and_keyed_rows_continue_the_chain(scratch_url: str,
                                                                              clock: FrozenClock) -> None:
    """Rows chained before revision 0005_audit are not rewritten: they get key id "sha256" and verify as
    plain SHA-256 up to TELQC_AUDIT_LEGACY_UNTIL; the next entries are keyed and link to the last old row."""
    migrate.upgrade(scratch_url, "0004")
    engine = make_engine(scratch_url)
    factory = make_sessionmaker(engine)
    try:
        with engine.begin() as conn:
            prev = audit.GENESIS
            for i in (1, 2, 3):
                body = audit.canonical({"id": i, "at": clock.now().isoformat(), "actor_id": None, "actor": "system",
                                        "action": "old", "entity_type": "x", "entity_id": str(i), "data": "{}",
                                        "prev": prev})
                h = hashlib.sha256(body.encode()).hexdigest()
                conn.execute(text("INSERT INTO audit_log (id, at, actor_id, actor, action, entity_type, entity_id, "
                                  "data, prev_hash, hash) VALUES (:i, :at, NULL, 'system', 'old', 'x', :e, '{}', "
                                  ":p, :h)"), {"i": i, "at": clock.now().replace(tzinfo=None), "e": str(i),
                                                "p": prev, "h": h})
                prev = h
            conn.execute(text("UPDATE audit_head SET last_id = 3, last_hash = :h"), {"h": prev})
        migrate.upgrade(scratch_url)
        keys = AuditKeys.parse(_key("k1", 1), legacy_until=3)
        _write(factory, clock, keys, 2, "new")
        with factory() as s:
            assert [k for (k,) in s.execute(select(audit.AuditEntry.key_id).order_by(audit.AuditEntry.id))] == \
                ["sha256"] * 3 + ["k1"] * 2
            assert audit.verify(s, keys).ok
            unset = audit.verify(s, AuditKeys.parse(_key("k1", 1)))
            assert not unset.ok and unset.bad_id == 1 and unset.code == "audit.legacy"
    finally:
        engine.dispose()
