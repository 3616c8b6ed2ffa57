"""Measuring automatic inspection against hand-labelled interactions (the held-out sets).

A labelled interaction is ``{"id", "channel", "labels": {rule id: bool}, "turns": [...]}``; a check
is right on it when the rule fired at least once exactly when the label says it should. The eight
main checks of the default scorecard are the public contract (issue 19): scorecards and reports
name them, so their ids never change. Pure: dicts in, numbers out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from telqc.inspection.calls import Hit, Transcript
from telqc.inspection.engine import Inspector

CHECKS: tuple[str, ...] = (
    "greeting_missing",
    "closing_missing",
    "unverified_account_change",
    "forbidden_phrase",
    "escalation_threat",
    "long_silence",
    "customer_negative_emotion",
    "agent_reads_id_number",
)


def inspect(inspector: Inspector, item: Mapping[str, Any]) -> list[Hit]:
    """Hits of one interaction, with the rules of its channel (a chat has no silence rule)."""
    transcript = Transcript.from_dicts(item["turns"])
    return inspector.for_channel(item.get("channel")).evaluate(transcript)


def hit_line(item_id: Any, hits: Iterable[Hit]) -> dict[str, Any]:
    """The ``--jsonl`` contract: ``{"id", "hits": [{"rule", "turn", "evidence", …}]}`` per interaction."""
    return {
        "id": item_id,
        "hits": [
            {"rule": h.rule_id, "turn": h.turn_index, "evidence": h.text, "why": h.why, "score": h.value}
            for h in hits
        ],
    }


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    size: int = 0
    tallies: dict[str, Tally] = field(default_factory=lambda: {c: Tally() for c in CHECKS})
    wrong: list[tuple[Any, str, bool, bool]] = field(default_factory=list)  # id, check, expected, fired

    @property
    def macro_f1(self) -> float:
        return sum(t.f1 for t in self.tallies.values()) / len(self.tallies)

    def lines(self) -> list[str]:
        out = [f"{'check':<28} {'TP':>4} {'FP':>4} {'FN':>4} {'TN':>4} {'precision':>9} {'recall':>7} {'F1':>6}"]
        for check, t in self.tallies.items():
            out.append(f"{check:<28} {t.tp:>4} {t.fp:>4} {t.fn:>4} {t.tn:>4} {t.precision:>9.3f} {t.recall:>7.3f} "
                       f"{t.f1:>6.3f}")
        out.append(f"macro F1 over {len(self.tallies)} checks: {self.macro_f1:.3f} ({self.size} interactions)")
        return out


def evaluate_set(inspector: Inspector, items: Iterable[Mapping[str, Any]]) -> Report:
    report = Report()
    for item in items:
        report.size += 1
        fired = {h.rule_id for h in inspect(inspector, item)}
        labels = item["labels"]
        for check, tally in report.tallies.items():
            expected, got = bool(labels.get(check, False)), check in fired
            if expected and got:
                tally.tp += 1
            elif got:
                tally.fp += 1
            elif expected:
                tally.fn += 1
            else:
                tally.tn += 1
            if expected != got:
                report.wrong.append((item.get("id"), check, expected, got))
    return report


def read_jsonl(text: str) -> list[dict[str, Any]]:
    """Parse JSON Lines; a bad line is a ValueError naming its number."""
    items = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {n}: invalid JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or not isinstance(item.get("turns"), list):
            raise ValueError(f"line {n}: expected an object with 'turns'")
        items.append(item)
    return items
