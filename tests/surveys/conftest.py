"""Survey fixtures: the channel fake that records every invitation sent during a test, and the customers a
campaign draws from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from surveys.campaign_data import make_people
from telqc.core.clock import FrozenClock
from telqc.surveys import channels


@pytest.fixture
def outbox() -> Iterator[channels.RecordingChannel]:
    rec = channels.RecordingChannel()
    previous = channels.use(rec)
    yield rec
    channels.use(previous)


@pytest.fixture
def people(app: FastAPI, clock: FrozenClock) -> dict[int, tuple[str, str]]:
    return make_people(app, clock)
