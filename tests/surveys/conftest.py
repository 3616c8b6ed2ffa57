"""Survey fixtures: the channel fake that records every invitation sent during a test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from telqc.surveys import channels


@pytest.fixture
def outbox() -> Iterator[channels.RecordingChannel]:
    rec = channels.RecordingChannel()
    previous = channels.use(rec)
    yield rec
    channels.use(previous)
