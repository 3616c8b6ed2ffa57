"""Per-rule detectors used by :mod:`telqc.inspection.engine` (pure text and arithmetic).

Each detector receives the slot matches that the engine's single automaton pass found in a
turn and appends :class:`~telqc.inspection.calls.Hit` rows; none of them rescans the text
for phrases. Kept apart from the engine so each file stays small and each rule's "why"
lives next to its code.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from telqc.inspection.calls import Found, Hit, RuleMeta, Turn

Span = tuple[int, int]
_PUNCT = re.compile(r"[\s，。？！、；：“”‘’（）《》…—,.?!;:'\"()\-~]")


def needs_edge_check(phrase: str) -> bool:
    """ASCII phrases (``315``, ``12300``, ``SB``) must not match inside longer numbers or words."""
    return (phrase[0].isascii() and phrase[0].isalnum()) or (phrase[-1].isascii() and phrase[-1].isalnum())


def edges_ok(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def select(spans: list[Span], exclude: list[Span] | None) -> list[Span]:
    """Leftmost-longest, non-overlapping spans not inside an exclusion span."""
    if exclude:
        spans = [sp for sp in spans if not any(xs <= sp[0] and sp[1] <= xe for xs, xe in exclude)]
    if len(spans) < 2:
        return spans
    spans = sorted(spans, key=lambda sp: (sp[0], -sp[1]))
    kept, edge = [], -1
    for sp in spans:
        if sp[0] >= edge:
            kept.append(sp)
            edge = sp[1]
    return kept


def lookback(text: str, start: int, neg: set[str], degree: dict[str, float], maxlen: int) -> tuple[bool, float]:
    """Walk back over up to three modifiers right before a word: negations flip, degree words scale.

    "不生气" is not anger and "非常生气" is more than "有点生气"; "不是很生气" walks 很 then 不是.
    """
    negated, mult, pos = False, 1.0, start
    for _ in range(3):
        for length in range(min(maxlen, pos), 0, -1):
            word = text[pos - length : pos]
            if word in neg:
                negated = not negated
                break
            factor = degree.get(word)
            if factor is not None:
                mult *= factor
                break
        else:
            break
        pos -= length
    return negated, mult


class PhraseMatch:
    """Phrase-list rule: forbidden phrases, abuse, escalation threats. One hit per occurrence."""

    __slots__ = ("excl", "maxlen", "meta", "neg", "slot")

    def __init__(self, meta: RuleMeta, slot: int, excl: int | None, neg: set[str] | None) -> None:
        self.meta, self.slot, self.excl, self.neg = meta, slot, excl, neg
        self.maxlen = max(map(len, neg)) if neg else 0

    def __call__(self, ti: int, turn: Turn, found: Found, out: list[Hit]) -> None:
        text = turn.text
        spans = select(found[self.slot], found.get(self.excl) if self.excl is not None else None)
        for s, e in spans:
            if self.neg and lookback(text, s, self.neg, {}, self.maxlen)[0]:
                continue
            out.append(self.meta.hit(ti, turn, s, e, text[s:e], None))


class Emotion:
    """Customer negative emotion: Σ weight × degree over un-negated lexicon words ≥ threshold."""

    __slots__ = ("degree", "excl", "maxlen", "meta", "neg", "slot", "threshold", "weights")

    def __init__(
        self,
        meta: RuleMeta,
        slot: int,
        excl: int | None,
        weights: dict[str, float],
        neg: set[str],
        degree: dict[str, float],
        threshold: float,
    ) -> None:
        self.meta, self.slot, self.excl, self.weights = meta, slot, excl, weights
        self.neg, self.degree, self.threshold = neg, degree, threshold
        self.maxlen = max(map(len, [*neg, *degree])) if neg or degree else 0

    def __call__(self, ti: int, turn: Turn, found: Found, out: list[Hit]) -> None:
        text = turn.text
        spans = select(found[self.slot], found.get(self.excl) if self.excl is not None else None)
        score, first, last = 0.0, -1, -1
        for s, e in spans:
            negated, mult = lookback(text, s, self.neg, self.degree, self.maxlen)
            if negated:
                continue
            score += self.weights[text[s:e]] * mult
            if first < 0:
                first = s
            last = e
        if first >= 0 and score >= self.threshold:
            out.append(self.meta.hit(ti, turn, first, last, text[first:last], round(score, 3)))


class RegexMatch:
    """Regex rule; the engine calls it only when a prefilter literal occurred in the turn."""

    __slots__ = ("meta", "pattern")

    def __init__(self, meta: RuleMeta, pattern: str, ignore_case: bool) -> None:
        self.meta = meta
        self.pattern = re.compile(pattern, re.IGNORECASE if ignore_case else 0)

    def __call__(self, ti: int, turn: Turn, found: Found | None, out: list[Hit]) -> None:
        for m in self.pattern.finditer(turn.text):
            if m.end() > m.start():
                out.append(self.meta.hit(ti, turn, m.start(), m.end(), m.group(), None))


_DIGIT = {**{str(d): str(d) for d in range(10)}, **{chr(0xFF10 + d): str(d) for d in range(10)}}
_SPOKEN = dict(zip("零〇一幺二两三四五六七八九", "0011223456789", strict=True))
_CHECK_X = "XxＸ叉"
_SEP = " \u3000，,、-"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_prefilter(spoken: bool) -> list[str]:
    """Literals that every ID contains: the birth year starts 19 or 20 (spoken 一九 / 二零, any separator)."""
    table = {**_DIGIT, **(_SPOKEN if spoken else {})}
    ones, nines = [c for c, d in table.items() if d == "1"], [c for c, d in table.items() if d == "9"]
    twos, zeros = [c for c, d in table.items() if d == "2"], [c for c, d in table.items() if d == "0"]
    pairs = [(a, b) for a in ones for b in nines] + [(a, b) for a in twos for b in zeros]
    return [a + sep + b for a, b in pairs for sep in ["", *_SEP]]


def id_valid(digits: str) -> bool:
    """GB 11643 check character plus a plausible birth date: rules out order and card numbers."""
    year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    if not (1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(c) * w for c, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == digits[17]


class IdNumber:
    """Agent reads a full resident ID number aloud, in digits or spoken Chinese digits.

    Prefiltered by the birth-year literals; the text in the hit is masked but for the last
    four characters, as personal data must be masked in lists and logs (DESIGN.md).
    """

    __slots__ = ("checksum", "meta", "pattern", "table")

    def __init__(self, meta: RuleMeta, spoken: bool, checksum: bool) -> None:
        self.meta, self.checksum = meta, checksum
        self.table = {**_DIGIT, **(_SPOKEN if spoken else {}), **dict.fromkeys(_CHECK_X, "X")}
        digits = "".join(c for c in self.table if c not in _CHECK_X)
        d, sep = f"[{re.escape(digits)}]", f"[{re.escape(_SEP)}]"
        last = f"[{re.escape(digits + _CHECK_X)}]"
        self.pattern = re.compile(rf"(?<!{d})(?<!{d}{sep})((?:{d}{sep}?){{17}}{last})(?!{sep}?{last})")

    def __call__(self, ti: int, turn: Turn, found: Found | None, out: list[Hit]) -> None:
        for m in self.pattern.finditer(turn.text):
            raw = m.group(1)
            digits = "".join(self.table[c] for c in raw if c in self.table)
            if len(digits) != 18 or "X" in digits[:17] or (self.checksum and not id_valid(digits)):
                continue
            keep, masked = 4, []
            for c in reversed(raw):
                if c in self.table and keep:
                    keep -= 1
                    masked.append(c)
                else:
                    masked.append(c if c in _SEP else "*")
            out.append(self.meta.hit(ti, turn, m.start(1), m.end(1), "".join(reversed(masked)), None))


class SpeechRate:
    """Chars per second of one turn outside [min_cps, max_cps] (service standard: clear, even pace).

    Punctuation is discounted only when the raw rate is already suspicious; a turn that is
    mostly punctuation is an ASR artefact, not slow speech. Keeps the common case one division.
    """

    __slots__ = ("hi", "lo", "meta", "min_chars", "min_dur")

    def __init__(self, meta: RuleMeta, lo: float | None, hi: float | None, min_dur: int, min_chars: int) -> None:
        self.meta, self.min_dur, self.min_chars = meta, min_dur, min_chars
        self.lo = lo if lo is not None else 0.0
        self.hi = hi if hi is not None else float("inf")

    def __call__(self, ti: int, turn: Turn, found: Found | None, out: list[Hit]) -> None:
        dur = turn.end_ms - turn.start_ms
        if dur < self.min_dur:
            return
        text = turn.text
        n = len(text)
        rough = n * 1000.0 / dur
        if n < self.min_chars or self.lo * 2 <= rough <= self.hi:
            return
        n -= len(_PUNCT.findall(text))
        cps = n * 1000.0 / dur
        if n >= self.min_chars and (cps < self.lo or cps > self.hi):
            out.append(self.meta.hit(ti, turn, 0, len(text), text, round(cps, 3)))


def _has(found: Found | None, slot: int, excl: int | None) -> bool:
    if found is None or slot not in found:
        return False
    return bool(select(found[slot], found.get(excl) if excl is not None else None))


class Position:
    """Required phrase missing at the start (greeting) or end (closing) of the speaker's turns."""

    __slots__ = ("anchor", "excl", "meta", "n", "slot", "sps", "within")

    def __init__(
        self, meta: RuleMeta, slot: int, excl: int | None, sps: frozenset[str], anchor: str, n: int, within: int | None
    ) -> None:
        self.meta, self.slot, self.excl, self.sps = meta, slot, excl, sps
        self.anchor, self.n, self.within = anchor, n, within

    def _late(self, start_ms: int) -> bool:
        return self.within is None or start_ms > self.within

    def decide_batch(self, turns: tuple[Turn, ...], own: list[tuple[int, Found | None]]) -> Hit | None:
        """``own``: (turn index, slot matches) of every turn by this rule's speaker(s), in order."""
        if not own:
            return None
        if self.anchor == "start":
            window = [(ti, f) for k, (ti, f) in enumerate(own) if k < self.n or not self._late(turns[ti].start_ms)]
            ti = own[0][0]
        else:
            window = own[-self.n :]
            ti = own[-1][0]
        if any(_has(f, self.slot, self.excl) for _, f in window):
            return None
        return self.meta.hit(ti, turns[ti], 0, 0, "", None)

    def live_state(self) -> dict[str, Any]:
        return {"count": 0, "done": False, "first": None, "tail": deque(maxlen=self.n)}

    def live_step(self, state: dict[str, Any], ti: int, turn: Turn, found: Found | None) -> Hit | None:
        """Start anchor: decided as soon as no later turn could still carry the greeting."""
        if turn.speaker in self.sps:
            has = _has(found, self.slot, self.excl)
            if self.anchor == "end":
                state["tail"].append((ti, turn, has))
                return None
            if state["done"]:
                return None
            eligible = state["count"] < self.n or not self._late(turn.start_ms)
            if state["first"] is None:
                state["first"] = (ti, turn)
            state["count"] += 1
            if eligible and has:
                state["done"] = True
                return None
        if self.anchor == "start" and not state["done"] and state["count"] >= self.n and self._late(turn.start_ms):
            state["done"] = True
            ti, first = state["first"]
            return self.meta.hit(ti, first, 0, 0, "", None)
        return None

    def live_finish(self, state: dict[str, Any]) -> Hit | None:
        if self.anchor == "start":
            if state["done"] or state["first"] is None:
                return None
            ti, first = state["first"]
            return self.meta.hit(ti, first, 0, 0, "", None)
        tail = state["tail"]
        if not tail or any(has for _, _, has in tail):
            return None
        ti, turn, _ = tail[-1]
        return self.meta.hit(ti, turn, 0, 0, "", None)


class Order:
    """Trigger phrase (account change) with no earlier prerequisite (identity verification)."""

    __slots__ = ("excl", "meta", "once", "req", "slot", "sps")

    def __init__(self, meta: RuleMeta, slot: int, excl: int | None, req: int, sps: frozenset[str], once: bool) -> None:
        self.meta, self.slot, self.excl, self.req, self.sps, self.once = meta, slot, excl, req, sps, once

    def step(self, ti: int, turn: Turn, found: Found, state: list[bool], out: list[Hit]) -> None:
        req = found.get(self.req)
        if not state[0] and (not state[1] or not self.once) and self.slot in found:
            triggers = select(found[self.slot], found.get(self.excl) if self.excl is not None else None)
            for s, e in triggers:
                if req and any(re_ <= s for _, re_ in req):
                    break  # verified earlier in this same turn
                out.append(self.meta.hit(ti, turn, s, e, turn.text[s:e], None))
                state[1] = True
                if self.once:
                    break
        if req:
            state[0] = True
