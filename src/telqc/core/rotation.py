"""Re-encrypt personal data under the active key, so an old key can be retired."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Text, select, type_coerce, update
from sqlalchemy.orm import Session

from telqc.core import pii
from telqc.core.db import Base


def encrypted_columns() -> list[tuple[str, str]]:
    import telqc.tables  # noqa: F401 - every table registered

    return [(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns
            if isinstance(c.type, pii.EncryptedText)]


def rotate(session: Session, batch: int = 2000, progress: Callable[[int], None] | None = None) -> int:
    """Rewrite every value not under the active key; returns how many values changed."""
    active = pii.keyring().active
    changed = 0
    for table_name, col_name in encrypted_columns():
        table = Base.metadata.tables[table_name]
        col = type_coerce(table.c[col_name], Text)
        pk = table.primary_key.columns.values()[0]
        after = None
        while True:
            stmt = select(pk, col).where(col.is_not(None)).order_by(pk).limit(batch)
            if after is not None:
                stmt = stmt.where(pk > after)
            rows = session.execute(stmt).all()
            if not rows:
                break
            for key, stored in rows:
                if pii.key_id(stored) != active:
                    session.execute(update(table).where(pk == key).values(
                        {col_name: type_coerce(pii.encrypt(pii.decrypt(stored)), Text)}))
                    changed += 1
            after = rows[-1][0]
            if progress:
                progress(len(rows))
    return changed
