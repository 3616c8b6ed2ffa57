"""The audit chain's keys: HMAC-SHA256 keys held outside the database, rotatable like TELQC_PII_KEYS.

Without a key, anyone who can write to the database can change a row and recompute every hash after it
(issue 17). With one, a rewritten row no longer verifies unless the key was stolen too, and the anchors
(`telqc.core.audit_anchor`) cover that case up to the last checkpoint.

TELQC_AUDIT_KEYS lists ``keyid:base64(32 bytes)`` items, newest first: the first signs new entries and
anchors, every listed key verifies the entries that name it. Rotating is putting a new key first; the old
one stays listed as long as rows signed with it must verify (for good: the log is never rewritten).

Rows chained before migration 0005_audit carry the key id ``sha256`` and verify as plain SHA-256, but only
up to TELQC_AUDIT_LEGACY_UNTIL: the boundary is held outside the database as well, or an attacker would
simply relabel every row as legacy.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from telqc.core.settings import Settings

LEGACY = "sha256"
"""Key id of the rows chained before the chain was keyed: plain SHA-256, no key."""


class UnknownKey(KeyError):
    """A row or an anchor names a key id that TELQC_AUDIT_KEYS does not list."""


@dataclass(frozen=True)
class AuditKeys:
    active: str
    keys: dict[str, hmac.HMAC]  # each keyed once; `sign` copies it (saves re-deriving the pads per row)
    legacy_until: int = 0

    @classmethod
    def parse(cls, spec: str, legacy_until: int = 0) -> AuditKeys:
        keys: dict[str, hmac.HMAC] = {}
        order: list[str] = []
        for item in (i.strip() for i in spec.split(",")):
            if not item:
                continue
            kid, _, b64 = item.partition(":")
            if not kid or len(kid) > 32 or kid == LEGACY or kid in keys:
                raise ValueError(f"TELQC_AUDIT_KEYS: key id {kid!r} must be 1-32 characters, unique, not {LEGACY!r}")
            try:
                raw = base64.b64decode(b64, validate=True)
            except binascii.Error as e:
                raise ValueError(f"TELQC_AUDIT_KEYS: key {kid!r} is not valid base64") from e
            if len(raw) != 32:
                raise ValueError(f"TELQC_AUDIT_KEYS: key {kid!r} must be 32 bytes (base64)")
            keys[kid] = hmac.new(raw, digestmod=hashlib.sha256)
            order.append(kid)
        if not order:
            raise ValueError("TELQC_AUDIT_KEYS: at least one key is required")
        return cls(active=order[0], keys=keys, legacy_until=legacy_until)

    def sign(self, key_id: str, body: bytes) -> str:
        """HMAC-SHA256 of `body` under the key named `key_id`, hex; UnknownKey if it is not configured."""
        base = self.keys.get(key_id)
        if base is None:
            raise UnknownKey(key_id)
        mac = base.copy()
        mac.update(body)
        return mac.hexdigest()


@lru_cache(maxsize=8)
def _parsed(spec: str, legacy_until: int) -> AuditKeys:
    return AuditKeys.parse(spec, legacy_until)


def keys_for(settings: Settings) -> AuditKeys:
    """The keys a process's settings name (parsed once per distinct setting: the relay asks on every pass)."""
    return _parsed(settings.audit_keys, settings.audit_legacy_until)
