"""A call as the inspection engine sees it (turns, transcript) and the evidence it returns (hits).

Plain data shared by :mod:`telqc.inspection.engine` and the per-rule :mod:`telqc.inspection.detectors`,
kept apart from both so that neither has to import the other for its types.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

SpeakerName = Literal["agent", "customer"]
SPEAKERS: tuple[SpeakerName, ...] = ("agent", "customer")


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance; times are ms from the start of the call."""

    speaker: SpeakerName
    start_ms: int
    end_ms: int
    text: str

    def __post_init__(self) -> None:
        if self.speaker not in SPEAKERS:
            raise ValueError(f"speaker must be 'agent' or 'customer', got {self.speaker!r}")
        if not 0 <= self.start_ms <= self.end_ms:
            raise ValueError(f"need 0 <= start_ms <= end_ms, got {self.start_ms}..{self.end_ms}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Turn:
        return cls(data["speaker"], int(data["start_ms"]), int(data["end_ms"]), str(data["text"]))


@dataclass(frozen=True, slots=True)
class Transcript:
    """Turns ordered by start time (overlaps allowed: that is what interruption rules look for)."""

    turns: tuple[Turn, ...]

    def __post_init__(self) -> None:
        for i in range(1, len(self.turns)):
            if self.turns[i].start_ms < self.turns[i - 1].start_ms:
                raise ValueError(f"turn {i} starts before turn {i - 1}: turns must be ordered by start_ms")

    @classmethod
    def from_dicts(cls, turns: Iterable[Mapping[str, Any]]) -> Transcript:
        return cls(tuple(Turn.from_dict(t) for t in turns))


class Hit(NamedTuple):
    """Evidence of one rule firing. ``turn_index`` is None for call-level rules (talk ratio).

    ``span_start``/``span_end`` index the turn's text; ``start_ms`` is interpolated inside the
    turn so a reviewer can jump into the recording. ``value`` carries the measured number
    (score, gap, rate, ratio); ``why`` says in words why the rule fired. An ID number's
    ``text`` is masked: hits end up in lists and logs.
    """

    rule_id: str
    kind: str
    severity: str
    turn_index: int | None
    start_ms: int
    span_start: int
    span_end: int
    text: str
    value: float | None
    alert: bool
    scorecard_item: str
    why: str = ""  # the reason in words (and for learned parts the score): every hit explains itself


class RuleMeta(NamedTuple):
    rule_id: str
    kind: str
    severity: str
    alert: bool
    item: str
    order: int

    def hit(
        self,
        ti: int | None,
        turn: Turn | None,
        s: int,
        e: int,
        text: str,
        value: float | None,
        ms: int = -1,
        why: str = "",
    ) -> Hit:
        if ms >= 0 or turn is None:
            ms = max(ms, 0)
        else:
            ms = turn.start_ms
            if s and turn.text:
                ms += (turn.end_ms - turn.start_ms) * s // len(turn.text)
        return Hit(self.rule_id, self.kind, self.severity, ti, ms, s, e, text, value, self.alert, self.item, why)


Found = dict[int, list[tuple[int, int]]]
