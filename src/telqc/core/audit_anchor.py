"""Signed checkpoints of the audit chain, kept outside the database.

A keyed chain stops whoever can write the database but does not hold the key. Whoever stole the key as
well can still rewrite a row and recompute every HMAC after it. An anchor closes that: once an hour (the
Celery beat job ``telqc.audit_anchor``) or on ``telqc audit anchor``, the head's id and hash are written,
with the time and an HMAC signature under the active audit key, as one JSON file in
TELQC_AUDIT_ANCHOR_DIR, created exclusively (never overwritten). ``telqc audit verify --anchors DIR``
then checks that every anchored row still has the anchored hash: a rewrite of any row before the last
anchor changes that row's hash or one after it, up to the anchored head, so it is detected, and the first
failing anchor bounds where (after the previous anchor's head, at or before its own).

The files are only as safe as the place they are kept: a directory the database's operators cannot write
(another host, a write-once bucket synced from it). The signature stops a forged or edited file.
"""

from __future__ import annotations

import hmac
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from telqc.core import audit
from telqc.core.audit_keys import AuditKeys, UnknownKey, keys_for
from telqc.core.clock import Clock
from telqc.core.settings import Settings

KIND = "telqc.audit.anchor"


@dataclass(frozen=True)
class Anchor:
    head_id: int
    head_hash: str
    at: str  # ISO 8601, UTC
    key_id: str
    signature: str = ""

    def signed_body(self) -> bytes:
        """What the signature covers: every field but itself, with the kind (an anchor never passes as a row)."""
        return audit.canonical({"kind": KIND, "head_id": self.head_id, "head_hash": self.head_hash,
                                "at": self.at, "key_id": self.key_id}).encode()


def sign(keys: AuditKeys, head_id: int, head_hash: str, at: datetime) -> Anchor:
    unsigned = Anchor(head_id, head_hash, at.isoformat(), keys.active)
    return Anchor(head_id, head_hash, unsigned.at, keys.active, keys.sign(keys.active, unsigned.signed_body()))


def write(session: Session, keys: AuditKeys, directory: Path, now: datetime) -> tuple[Path, Anchor]:
    """Write an anchor of the committed head into `directory` as a new file; returns its path and content."""
    head = session.execute(select(audit.AuditHead.last_id, audit.AuditHead.last_hash)
                           .where(audit.AuditHead.id == 1)).one()
    anchor = sign(keys, head.last_id, head.last_hash, now)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"anchor-{now:%Y%m%dT%H%M%S%f}Z-{head.last_id}.json"
    with path.open("x", encoding="utf-8") as f:  # "x": an existing anchor is never overwritten
        json.dump(asdict(anchor), f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    path.chmod(0o444)
    return path, anchor


def anchor_now(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> tuple[Path, Anchor]:
    """Chain what is pending, then anchor the head: the hourly job and ``telqc audit anchor``."""
    keys = keys_for(settings)
    with factory() as session:
        audit.chain_all(session, keys)
        return write(session, keys, settings.effective_audit_anchor_dir, clock.now())


def _load(path: Path) -> Anchor:
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    fields = {"head_id": int, "head_hash": str, "at": str, "key_id": str, "signature": str}
    for name, kind in fields.items():
        if not isinstance(raw.get(name), kind):
            raise ValueError(f"field {name} missing or not {kind.__name__}")
    return Anchor(raw["head_id"], raw["head_hash"], raw["at"], raw["key_id"], raw["signature"])


def check(session: Session, keys: AuditKeys, directory: Path) -> audit.VerifyResult:
    """Check every anchor in `directory` against the chain, oldest head first; name the first that fails.

    `checked` counts the anchors. Run it after `audit.verify`: that one proves each row links to the one
    before, this one that the rows are still the ones anchored."""
    paths = sorted(directory.glob("*.json")) if directory.is_dir() else []
    if not paths:
        return audit.broken(0, 0, "anchor.none", dir=str(directory))
    anchors: list[tuple[Anchor, str]] = []
    for path in paths:
        try:
            anchors.append((_load(path), path.name))
        except (OSError, ValueError) as e:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
            return audit.broken(0, 0, "anchor.unreadable", file=path.name, error=str(e))
    anchors.sort(key=lambda a: (a[0].head_id, a[0].at))
    ids = sorted({a.head_id for a, _ in anchors if a.head_id > 0})
    hashes: dict[int, str] = {0: audit.GENESIS}
    row = audit.AuditEntry
    for i in range(0, len(ids), 1000):
        for row_id, row_hash in session.execute(select(row.id, row.hash).where(row.id.in_(ids[i:i + 1000]))):
            hashes[row_id] = row_hash
    head = session.get(audit.AuditHead, 1)
    head_id = head.last_id if head is not None else 0
    confirmed = 0
    for n, (anchor, name) in enumerate(anchors, 1):
        try:
            expected = keys.sign(anchor.key_id, anchor.signed_body())
        except UnknownKey:
            return audit.broken(n, anchor.head_id, "anchor.unknown_key", file=name, key_id=anchor.key_id)
        if not hmac.compare_digest(expected, anchor.signature):
            return audit.broken(n, anchor.head_id, "anchor.bad_signature", file=name)
        now = hashes.get(anchor.head_id)
        if now is None:
            return audit.broken(n, anchor.head_id, "anchor.missing_row", file=name, row=anchor.head_id, head=head_id)
        if not hmac.compare_digest(now, anchor.head_hash):
            return audit.broken(n, anchor.head_id, "anchor.rewritten", file=name, row=anchor.head_id,
                                after=confirmed)
        confirmed = anchor.head_id
    return audit.VerifyResult(True, len(anchors))
