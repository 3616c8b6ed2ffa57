"""The fuzz run uses SQLite by default; TELQC_FUZZ_PG=1 adds the PostgreSQL variant (about as long again)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from conftest import Database, open_database

_KINDS = ["sqlite", "postgresql"] if os.environ.get("TELQC_FUZZ_PG", "").lower() in ("1", "true") else ["sqlite"]


@pytest.fixture(scope="session", params=_KINDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from open_database(request.param, tmp_path_factory)
