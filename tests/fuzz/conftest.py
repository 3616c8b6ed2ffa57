"""The fuzz run uses SQLite by default; TELQC_FUZZ_PG=1 adds the PostgreSQL variant (about as long again), and CI
runs both (PostgreSQL refuses what SQLite stores: NULs, integers beyond INTEGER)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from conftest import Database, open_database

_BOTH = any(os.environ.get(v, "").lower() in ("1", "true") for v in ("TELQC_FUZZ_PG", "CI"))
_KINDS = ["sqlite", "postgresql"] if _BOTH else ["sqlite"]


@pytest.fixture(scope="session", params=_KINDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from open_database(request.param, tmp_path_factory, owner="fuzz_")
