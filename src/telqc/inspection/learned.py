"""Learned checks where a lexicon can't reach: anger without swear words, paraphrased dismissive phrases.

A logistic regression over binary character n-grams (trained by :mod:`telqc.inspection.training`
on hand-written, hand-labelled utterances shipped beside it) is a weight per n-gram plus a bias.
Shipped as that table (``models/<name>.json``), it is evaluated with no scikit-learn at run time:
a turn's n-grams are cut by slicing (:func:`gram_slices`) and its score is the bias plus the weights
of the distinct n-grams found. The evidence is the clause that carries
most of the positive weight, and the hit reports the probability, so an inspector sees why.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from telqc.inspection.calls import Found, Hit, RuleMeta, Turn
from telqc.inspection.scope import Scope, clause_at, mark_positions

MODEL_DIR = Path(__file__).with_name("models")


@dataclass(frozen=True)
class TextModel:
    name: str
    bias: float
    weights: dict[str, float]
    threshold: float  # probability at or above which a turn is positive
    max_n: int

    def logit(self, grams: set[str]) -> float:
        w = self.weights
        return self.bias + sum(w[g] for g in grams if g in w)

    def probability(self, text: str) -> float:
        """Score plain text (tests, training checks); the engine scores from its automaton matches."""
        grams = {text[i : i + n] for n in range(1, self.max_n + 1) for i in range(len(text) - n + 1)}
        return _sigmoid(self.logit(grams))

    def to_json(self) -> str:
        data = {"name": self.name, "bias": self.bias, "threshold": self.threshold, "max_n": self.max_n,
                "weights": dict(sorted(self.weights.items()))}
        return json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -50 else 0.0


def model_path(name: str, base_dir: str | None) -> Path:
    for folder in ([Path(base_dir)] if base_dir else []) + [MODEL_DIR]:
        path = folder / f"{name}.json"
        if path.is_file():
            return path
    raise FileNotFoundError(f"model {name!r} not found")


@lru_cache(maxsize=16)
def load_model(name: str, base_dir: str | None = None) -> TextModel:
    data = json.loads(model_path(name, base_dir).read_text(encoding="utf-8"))
    return TextModel(data["name"], float(data["bias"]), {k: float(v) for k, v in data["weights"].items()},
                     float(data["threshold"]), int(data["max_n"]))


@lru_cache(maxsize=4096)
def gram_slices(length: int, max_n: int) -> tuple[slice, ...]:
    """Every 1…max_n character window of a text of ``length``, by end position, longest first.

    Slicing with these (``map(text.__getitem__, …)``) makes a turn's n-gram set in C; finding the same
    n-grams through the Aho–Corasick pass handed ~25 matches per turn to a Python loop. Measured with
    ``bench/inspect_bench.py --n 1000`` (60,000 turns): engine 1.30 s → see docs/BENCHMARKS.md.
    """
    return tuple(slice(end - n, end) for end in range(1, length + 1) for n in range(min(max_n, end), 0, -1))


class ModelMatch:
    """One hit per turn whose probability reaches the threshold; run on every turn of its speaker."""

    __slots__ = ("bias", "defer", "max_n", "meta", "model", "scope", "threshold", "weights")

    def __init__(self, meta: RuleMeta, model: TextModel, threshold: float | None, defer: int | None = None,
                 scope: Scope | None = None) -> None:
        """``scope``: the rule's clause scope also judges the model's evidence clause ("当时我很生气，现在没事了")."""
        self.meta, self.model, self.defer, self.scope = meta, model, defer, scope
        self.bias, self.weights, self.max_n = model.bias, model.weights, model.max_n
        self.threshold = model.threshold if threshold is None else threshold

    def __call__(self, ti: int, turn: Turn, found: Found | None, out: list[Hit], logit: float | None = None) -> None:
        """Score the turn (or take the ``logit`` batch inspection computed for it) and add a hit if positive."""
        if self.defer is not None and found is not None and self.defer in found:
            return  # the rule's phrase list matched this turn: its exact phrases are the better evidence
        text, weights = turn.text, self.weights
        if logit is None:
            windows = gram_slices(len(text), self.max_n)
            logit = self.bias + sum(map(weights.get, set(map(text.__getitem__, windows)), repeat(0.0)))
        p = _sigmoid(logit)
        if p < self.threshold:
            return
        windows = gram_slices(len(text), self.max_n)
        by_clause: dict[tuple[int, int], float] = {}
        seen: set[str] = set()
        marks, length = mark_positions(text), len(text)
        for window in windows:
            gram = text[window]
            w = weights.get(gram, 0.0)
            if w > 0 and gram not in seen:
                seen.add(gram)
                key = clause_at(marks, length, window.start, window.stop)
                by_clause[key] = by_clause.get(key, 0.0) + w
        lo, hi = max(by_clause, key=lambda k: by_clause[k]) if by_clause else (0, len(text))
        if self.scope is not None and self.scope.why_not(text, lo, hi) is not None:
            return
        why = f"模型 {self.model.name} 判定概率 {p:.2f} ≥ {self.threshold:.2f}"
        out.append(self.meta.hit(ti, turn, lo, hi, text[lo:hi], round(p, 3), why=why))
