"""Incident fixtures: the recording notification channel (SMS fake) the orders tests use too."""

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
