"""Learned checks where a lexicon can't reach: anger without swear words, paraphrased dismissive phrases.

A logistic regression over binary character n-grams (trained by :mod:`telqc.inspection.training`
on hand-written, hand-labelled utterances shipped beside it) is a weight per n-gram plus a bias.
Shipped as that table (``models/<name>.json``), it is evaluated with no scikit-learn at run time:
the n-grams go into the engine's one Aho–Corasick pass like any lexicon, and a turn's score is
the bias plus the weights of the distinct n-grams found. The evidence is the clause that carries
most of the positive weight, and the hit reports the probability, so an inspector sees why.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from telqc.inspection.calls import Found, Hit, RuleMeta, Turn
from telqc.inspection.scope import clause

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


class ModelMatch:
    """One hit per turn whose probability reaches the threshold (the engine hands it the n-gram spans)."""

    __slots__ = ("defer", "meta", "model", "slot", "threshold")

    def __init__(
        self, meta: RuleMeta, slot: int, model: TextModel, threshold: float | None, defer: int | None = None
    ) -> None:
        self.meta, self.slot, self.model, self.defer = meta, slot, model, defer
        self.threshold = model.threshold if threshold is None else threshold

    def __call__(self, ti: int, turn: Turn, found: Found, out: list[Hit]) -> None:
        if self.defer is not None and self.defer in found:
            return  # the rule's phrase list matched this turn: its exact phrases are the better evidence
        text, weights = turn.text, self.model.weights
        spans = found[self.slot]
        grams = {text[s:e] for s, e in spans}
        p = _sigmoid(self.model.logit(grams))
        if p < self.threshold:
            return
        by_clause: dict[tuple[int, int], float] = {}
        seen: set[str] = set()
        for s, e in spans:
            gram = text[s:e]
            w = weights.get(gram, 0.0)
            if w > 0 and gram not in seen:
                seen.add(gram)
                key = clause(text, s, e)
                by_clause[key] = by_clause.get(key, 0.0) + w
        lo, hi = max(by_clause, key=lambda k: by_clause[k]) if by_clause else (0, len(text))
        why = f"模型 {self.model.name} 判定概率 {p:.2f} ≥ {self.threshold:.2f}"
        out.append(self.meta.hit(ti, turn, lo, hi, text[lo:hi], round(p, 3), why=why))
