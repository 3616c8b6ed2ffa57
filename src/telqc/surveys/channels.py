"""How a survey invitation reaches the customer: SMS or app push behind one small interface.

Production plugs an SMS gateway / push provider in with ``use``; the default records messages
in memory, which is what the tests and the embedded demo read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Message:
    channel: str        # sms | app_push
    customer_id: int
    text: str
    link: str


class SurveyChannel(Protocol):
    def send(self, message: Message) -> None: ...


@dataclass
class RecordingChannel:
    sent: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> None:
        self.sent.append(message)


_current: list[SurveyChannel] = [RecordingChannel()]


def current() -> SurveyChannel:
    return _current[0]


def use(channel: SurveyChannel) -> SurveyChannel:
    """Install a channel; returns the previous one (tests restore it)."""
    previous = _current[0]
    _current[0] = channel
    return previous
