"""The learned checks' scores for every turn of a call at once, in numpy (batch inspection only).

A learned check's logit is its bias plus the weights of the distinct 1–3-character n-grams of a turn
(:class:`telqc.inspection.learned.TextModel`). Cutting those n-grams as Python strings costs about 10 µs
per turn (a 22-character turn has 66 windows, each a new string), which was most of the engine's time.
Here the turns of a call are one array of code points; an n-gram is an integer (code points packed 21
bits apart, so lengths never collide and n ≤ 3 fits in 63 bits), looked up in a collision-free table
of the model's codes, marked once per turn in a turns × n-grams matrix and weighed by one matrix
product: some twenty numpy calls per call instead of a Python loop per turn.

Measured by ``bench/inspect_bench.py --n 1000`` (60,000 turns, 2-core machine shared with other work,
CPU time, best of 3): the whole engine 0.92 s before (n-grams matched by the Aho–Corasick pass and
summed in Python) → 0.59 s with this module, ratio to the bare scan 0.18 → 0.29; the hits are identical.
Live sessions score one turn at a time and keep the slicing path; the two agree up to the order of a
float sum (1e-15), which a threshold cannot tell apart in practice.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from telqc.inspection.learned import TextModel

BITS = 21  # every Unicode code point fits in 21 bits
MAX_N = 3  # 3 × 21 = 63 bits: the largest n whose packed code fits an int64


class PackedModel:
    """A model's n-grams as packed integer codes beside their weights, with a lookup table."""

    __slots__ = ("bias", "codes", "max_n", "modulus", "table", "weights")

    def __init__(self, model: TextModel) -> None:
        if model.max_n > MAX_N:
            raise ValueError(f"model {model.name!r}: n-grams longer than {MAX_N} cannot be packed")
        grams = list(model.weights)
        codes = np.array([pack(g) for g in grams], dtype=np.int64)
        order = np.argsort(codes)
        self.weights = np.array([model.weights[g] for g in grams], dtype=np.float64)[order]
        self.bias, self.max_n = model.bias, model.max_n
        # A collision-free ``code % modulus`` table: one gather per lookup (a binary search was 3× slower).
        # At modulus ≈ n² the chance of no collision is about e^-1/2, so a few tries find one.
        size = len(grams)
        self.modulus = max(size * size, 1) | 1
        while len(np.unique(codes % self.modulus)) != size:
            self.modulus += 2
        kind = np.int16 if size < 2**15 else np.int32  # 4.5 MB for a 1,500-gram model
        self.table = np.full(self.modulus, size, dtype=kind)
        self.table[codes[order] % self.modulus] = np.arange(size, dtype=kind)
        self.codes = np.append(codes[order], -1)  # index ``size``: no n-gram, never equal to a code

    def logits(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """One logit per text: the bias plus the weights of its distinct known n-grams."""
        if not texts or not len(self.weights):
            return np.full(len(texts), self.bias, dtype=np.float64)
        joined = "\x00".join(texts)  # NUL never occurs in a stored turn: it separates turns
        # a lone surrogate (JSON may carry "\ud800") is a code point like any other: it matches no n-gram
        points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        owner = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[: len(points)]
        starts = points != 0  # a window starting at a separator would read as the next turn's shorter gram
        codes, owners, oks = [points], [owner], [starts]
        for n in range(2, self.max_n + 1):
            codes.append((codes[-1][:-1] << BITS) | points[n - 1 :])
            owners.append(owner[: len(codes[-1])])
            oks.append(starts[: len(codes[-1])])
        code, own = np.concatenate(codes), np.concatenate(owners)
        size = len(self.weights)
        at = self.table[code % self.modulus]
        hit = (self.codes[at] == code) & np.concatenate(oks)  # a NUL inside a window matches no model gram
        present = np.zeros((len(texts), size), dtype=np.float64)  # distinct: a gram counts once per turn
        present[own[hit], at[hit]] = 1.0
        return self.bias + present @ self.weights


def pack(gram: str) -> int:
    code = 0
    for ch in gram:
        code = (code << BITS) | ord(ch)
    return code
