"""Re-encrypt personal data and rewrite blind indexes under the newest keys, so old keys can be retired.

Both work on the tables of the metadata they are given (``telqc.tables.metadata`` holds every domain's):
encrypted columns are found by their type (`pii.EncryptedText`), blind indexes by the column's
``info={"blind_index_of": (source column, kind)}``, kind naming the index function in `INDEX_FUNCTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import MetaData, Text, select, type_coerce, update
from sqlalchemy.orm import Session

from telqc.core import pii

INDEX_FUNCTIONS: dict[str, Callable[[str], str]] = {"phone": pii.phone_index, "phone_tail": pii.phone_tail_index}


def encrypted_columns(metadata: MetaData) -> list[tuple[str, str]]:
    return [(t.name, c.name) for t in metadata.sorted_tables for c in t.columns
            if isinstance(c.type, pii.EncryptedText)]


def blind_indexes(metadata: MetaData) -> list[tuple[str, str, str, Callable[[str], str]]]:
    """(table, index column, encrypted source column, index function) for every blind index."""
    return [(t.name, c.name, c.info["blind_index_of"][0], INDEX_FUNCTIONS[c.info["blind_index_of"][1]])
            for t in metadata.sorted_tables for c in t.columns if "blind_index_of" in c.info]


def reindex(session: Session, metadata: MetaData, batch: int = 2000,
            progress: Callable[[int], None] | None = None) -> int:
    """Recompute every blind index under the newest index key; returns how many rows changed."""
    changed = 0
    for table_name, index_col, source_col, fn in blind_indexes(metadata):
        table = metadata.tables[table_name]
        pk = table.primary_key.columns.values()[0]
        after = None
        while True:
            stmt = select(pk, table.c[source_col], table.c[index_col]).order_by(pk).limit(batch)
            if after is not None:
                stmt = stmt.where(pk > after)
            rows = session.execute(stmt).all()
            if not rows:
                break
            for key, plain, stored in rows:
                fresh = fn(plain)
                if fresh != stored:
                    session.execute(update(table).where(pk == key).values({index_col: fresh}))
                    changed += 1
            after = rows[-1][0]
            if progress:
                progress(len(rows))
    return changed


def rotate(session: Session, metadata: MetaData, batch: int = 2000,
           progress: Callable[[int], None] | None = None) -> int:
    """Rewrite every value not under the active key; returns how many values changed."""
    active = pii.keyring().active
    changed = 0
    for table_name, col_name in encrypted_columns(metadata):
        table = metadata.tables[table_name]
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
