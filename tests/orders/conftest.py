"""Order fixtures: a recording notification channel (live_server comes from tests/browser_fixtures.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from telqc.orders import notify


@pytest.fixture
def channel() -> Iterator[notify.RecordingChannel]:
    rec = notify.RecordingChannel()
    previous = notify.set_channel(rec)
    yield rec
    notify.set_channel(previous)
