"""Append-only, hash-chained audit log.

A service records an entry with `record` (through ``ctx.audit``): the unit of work writes it to
``audit_pending`` in the same statement and the same transaction as the change it describes, so an entry
exists exactly when its change committed. `chain` then appends the committed entries to the chain: it
takes the lock on the single ``audit_head`` row, reads the waiting entries, hashes each with `entry_hash`
(the one place the hash is computed) over its content and its predecessor's hash, and moves them to
``audit_log``. The relay runs it before every pass (`telqc.jobs.relay`), and ``telqc audit verify`` runs it
before it checks.

Why after the commit rather than inside it: whoever chains holds the head lock until its transaction
ends, and every audited write in the installation waits for that lock. Chained by the writers, each
write held it from its last statement to its COMMIT (under load, 67,540 lock waits for 1,500 orders,
docs/BENCHMARKS.md session 7). Chained by the relay, a write takes no lock at all and one short
transaction chains every entry committed since the last pass. Until then an entry is committed but not
yet tamper-evident; the relay's delay (at most one wake window plus a pass in production, right after
the request in the embedded default) bounds that time.

Why keyed: a plain SHA-256 chain proves nothing against someone who can write the database, who changes a
row and recomputes every hash after it and the head (issue 17). Each entry's hash is an HMAC-SHA256 under
a key held outside the database (`telqc.core.audit_keys`) and the entry records the key's id, so keys
rotate; the anchors (`telqc.core.audit_anchor`) cover a stolen key up to the last checkpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from telqc.core.audit_keys import LEGACY, AuditKeys, UnknownKey, keys_for
from telqc.core.db import Base, UTCDateTime
from telqc.core.i18n import t
from telqc.core.settings import get_settings
from telqc.core.uow import UnitOfWork

GENESIS = "0" * 64
BigId = BigInteger().with_variant(Integer, "sqlite")


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The TELQC_AUDIT_KEYS id whose HMAC `hash` is; "sha256" for the unkeyed rows before migration 0005_audit.
    key_id: Mapped[str] = mapped_column(String(32), server_default=LEGACY)


class PendingEntry(Base):
    """An entry committed with its change and not yet chained (`chain` moves it to the log)."""

    __tablename__ = "audit_pending"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)


class AuditHead(Base):
    """The last link of the chain: deleting the newest rows is detected against it."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


_PENDING = PendingEntry.__table__


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str

    @classmethod
    def system(cls) -> Actor:
        return cls(None, "system")


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(
    keys: AuditKeys, *, key_id: str, id: int, at: datetime, actor_id: int | None, actor: str, action: str,
    entity_type: str, entity_id: str, data: str, prev_hash: str,
) -> str:
    """The one place an entry's hash is computed: HMAC-SHA256 under `key_id` of the canonical row, its
    predecessor's hash and the key id; a legacy row (key id "sha256") is the plain SHA-256 it was chained with.
    Raises UnknownKey when `key_id` is not configured."""
    fields: dict[str, Any] = {
        "id": id, "at": at.isoformat(), "actor_id": actor_id, "actor": actor, "action": action,
        "entity_type": entity_type, "entity_id": entity_id, "data": data, "prev": prev_hash,
    }
    if key_id == LEGACY:
        return hashlib.sha256(canonical(fields).encode()).hexdigest()
    fields["key"] = key_id
    return keys.sign(key_id, canonical(fields).encode())


def default_keys() -> AuditKeys:
    """The keys of this process's settings (TELQC_AUDIT_KEYS), for callers that hold no Settings of their own."""
    return keys_for(get_settings())


def record(
    uow: UnitOfWork, actor: Actor, action: str, entity_type: str, entity_id: object,
    at: datetime, data: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry to the unit of work: it is written with the change it describes."""
    uow.add(_PENDING, {"at": at, "actor_id": actor.id, "actor": actor.name, "action": action,
                       "entity_type": entity_type, "entity_id": str(entity_id), "data": canonical(data or {})})


CHAIN_BATCH = 5000


def chain(session: Session, keys: AuditKeys | None = None, limit: int = CHAIN_BATCH) -> int:
    """Append up to `limit` committed pending entries to the chain, oldest first, signed with the first key of
    `keys` (default: the process's settings); the caller commits.

    The head's lock (``SELECT … FOR UPDATE``; SQLite locks the whole database for a write transaction)
    makes chainers take turns, and the pending entries are read by a statement after it, so a chainer
    that waited sees what the one before it moved."""
    head = session.execute(select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)
                           .with_for_update()).one()
    p = _PENDING.c
    pending = session.execute(select(p.seq, p.at, p.actor_id, p.actor, p.action, p.entity_type, p.entity_id, p.data)
                              .order_by(p.seq).limit(limit)).all()
    if not pending:
        return 0
    keys = keys or default_keys()
    kid = keys.active
    last_id, last_hash = head.last_id, head.last_hash
    rows = []
    for e in pending:
        last_id += 1
        h = entry_hash(keys, key_id=kid, id=last_id, at=e.at, actor_id=e.actor_id, actor=e.actor, action=e.action,
                       entity_type=e.entity_type, entity_id=e.entity_id, data=e.data, prev_hash=last_hash)
        rows.append({"id": last_id, "at": e.at, "actor_id": e.actor_id, "actor": e.actor, "action": e.action,
                     "entity_type": e.entity_type, "entity_id": e.entity_id, "data": e.data,
                     "prev_hash": last_hash, "hash": h, "key_id": kid})
        last_hash = h
    session.execute(AuditEntry.__table__.insert(), rows)
    session.execute(delete(_PENDING).where(p.seq.in_([e.seq for e in pending])))
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_id=last_id, last_hash=last_hash))
    return len(rows)


def chain_all(session: Session, keys: AuditKeys | None = None) -> int:
    """Chain every committed pending entry, committing after each batch; returns how many."""
    total = 0
    while True:
        done = chain(session, keys)
        session.commit()
        total += done
        if done < CHAIN_BATCH:
            return total


@dataclass(frozen=True)
class VerifyResult:
    """The verdict; a failure names the first bad row and why, as a message key of `audit_messages`."""

    ok: bool
    checked: int
    bad_id: int | None = None
    code: str = ""
    params: tuple[tuple[str, object], ...] = ()

    def message(self, lang: str) -> str:
        return t(self.code, lang, **dict(self.params)) if self.code else ""

    @property
    def reason(self) -> str:
        return self.message("en")


def broken(checked: int, bad_id: int, code: str, **params: object) -> VerifyResult:
    return VerifyResult(False, checked, bad_id, code, tuple(params.items()))


def _rows(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    after = 0
    while True:
        chunk = session.scalars(
            select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].id


def verify(session: Session, keys: AuditKeys | None = None) -> VerifyResult:
    """Walk the chain; name the first row whose content, link, position or key is wrong. Each row verifies
    under the key it names, so rows signed before a rotation still verify; an unkeyed row only up to the
    legacy boundary (TELQC_AUDIT_LEGACY_UNTIL)."""
    keys = keys or default_keys()
    prev_id, prev_hash, n, keyed = 0, GENESIS, 0, False
    for row in _rows(session):
        n += 1
        if row.id != prev_id + 1:
            return broken(n, row.id, "audit.gap", first=prev_id + 1, last=row.id - 1, row=row.id)
        if row.prev_hash != prev_hash:
            return broken(n, row.id, "audit.link", row=row.id, prev=prev_id)
        if row.key_id == LEGACY and (keyed or row.id > keys.legacy_until):  # legacy rows are a prefix
            return broken(n, row.id, "audit.legacy", row=row.id, until=keys.legacy_until)
        keyed = keyed or row.key_id != LEGACY
        try:
            expected = entry_hash(
                keys, key_id=row.key_id, id=row.id, at=row.at, actor_id=row.actor_id, actor=row.actor,
                action=row.action, entity_type=row.entity_type, entity_id=row.entity_id, data=row.data,
                prev_hash=row.prev_hash,
            )
        except UnknownKey:
            return broken(n, row.id, "audit.unknown_key", row=row.id, key_id=row.key_id)
        if not hmac.compare_digest(expected, row.hash):
            return broken(n, row.id, "audit.content", row=row.id)
        prev_id, prev_hash = row.id, row.hash
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id != prev_id or head.last_hash != prev_hash):
        return broken(n, prev_id + 1, "audit.truncated", prev=prev_id, head=head.last_id)
    return VerifyResult(True, n)
