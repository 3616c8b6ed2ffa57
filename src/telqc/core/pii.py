"""Personal data protection: encryption at rest, blind indexes for exact search, masking for display.

Phone numbers, ID numbers and addresses are stored only as AES-256-GCM ciphertext tagged
with the key id, so keys can rotate; exact phone search uses a keyed hash (blind index),
never decrypting every row. The index key rotates too: TELQC_BLIND_INDEX_KEY lists keys
newest first, lookups try each, and ``telqc pii-rotate`` rewrites indexes under the newest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from telqc.core.settings import Settings, get_settings


@dataclass(frozen=True)
class Keyring:
    active: str
    keys: dict[str, AESGCM]
    index_keys: tuple[bytes, ...]  # newest (used for writes) first

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        keys: dict[str, AESGCM] = {}
        order: list[str] = []
        for item in settings.pii_keys.split(","):
            kid, _, b64 = item.strip().partition(":")
            raw = base64.b64decode(b64)
            if len(raw) != 32:
                raise ValueError(f"TELQC_PII_KEYS: key {kid!r} must be 32 bytes (base64)")
            keys[kid] = AESGCM(raw)
            order.append(kid)
        index_keys = tuple(k.strip().encode() for k in settings.blind_index_key.split(",") if k.strip())
        if not index_keys:
            raise ValueError("TELQC_BLIND_INDEX_KEY: at least one key is required")
        return cls(active=order[0], keys=keys, index_keys=index_keys)


_keyring: Keyring | None = None


def configure(settings: Settings) -> None:
    global _keyring
    _keyring = Keyring.from_settings(settings)


def keyring() -> Keyring:
    if _keyring is None:
        configure(get_settings())
    assert _keyring is not None
    return _keyring


def encrypt(plain: str) -> str:
    ring = keyring()
    nonce = os.urandom(12)
    ct = ring.keys[ring.active].encrypt(nonce, plain.encode(), ring.active.encode())
    return f"{ring.active}:{base64.b64encode(nonce + ct).decode()}"


def decrypt(stored: str) -> str:
    ring = keyring()
    kid, _, b64 = stored.partition(":")
    raw = base64.b64decode(b64)
    return ring.keys[kid].decrypt(raw[:12], raw[12:], kid.encode()).decode()


def key_id(stored: str) -> str:
    return stored.partition(":")[0]


def normalize_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def blind_index(value: str, key: bytes | None = None) -> str:
    return hmac.new(key or keyring().index_keys[0], value.encode(), hashlib.sha256).hexdigest()


def phone_index(phone: str) -> str:
    """The index written for a phone (newest key)."""
    return blind_index("phone:" + normalize_phone(phone))


def phone_indexes(phone: str) -> list[str]:
    """Every index a stored phone may still carry: lookups keep working while a key rotation runs."""
    value = "phone:" + normalize_phone(phone)
    return [blind_index(value, key) for key in keyring().index_keys]


TAIL_DIGITS = 4


def phone_tail_index(phone: str) -> str:
    """The blind index of a phone's last four digits (尾号), for partial search.

    Deliberately coarse: one tail is shared by about one number in 10,000, so the index narrows a search to
    a bucket that is then decrypted and filtered, and a stolen table does not reveal more than the keyed
    hash of four digits each.
    """
    return blind_index("tail:" + normalize_phone(phone)[-TAIL_DIGITS:])


def phone_tail_indexes(digits: str) -> list[str]:
    """Every tail index a stored phone ending in `digits` may carry (all index keys, as `phone_indexes`)."""
    value = "tail:" + normalize_phone(digits)[-TAIL_DIGITS:]
    return [blind_index(value, key) for key in keyring().index_keys]


class EncryptedText(TypeDecorator[str]):
    """Column type that encrypts on write and decrypts on read."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(value)


def mask_phone(phone: str) -> str:
    p = normalize_phone(phone)
    if len(p) < 7:
        return "*" * len(p)
    return p[:3] + "*" * (len(p) - 7) + p[-4:]


def mask_id_number(idn: str) -> str:
    if len(idn) <= 8:
        return "*" * len(idn)
    return idn[:4] + "*" * (len(idn) - 8) + idn[-4:]


def mask_address(address: str) -> str:
    """Keep the administrative part (province/city/district) so the case can be routed."""
    m = re.match(r"^(.*?(?:省|自治区|市))?(.*?(?:市|州|盟))?(.*?(?:区|县|旗))?", address)
    head = "".join(g for g in (m.groups() if m else ()) if g)
    return (head or address[:2]) + "****"
