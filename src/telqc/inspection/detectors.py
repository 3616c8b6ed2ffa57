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

from telqc.inspection import numbers
from telqc.inspection.calls import Found, Hit, RuleMeta, Turn
from telqc.inspection.scope import Scope

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

    __slots__ = ("excl", "maxlen", "meta", "neg", "scope", "slot")

    def __init__(
        self, meta: RuleMeta, slot: int, excl: int | None, neg: set[str] | None, scope: Scope | None = None
    ) -> None:
        self.meta, self.slot, self.excl, self.neg, self.scope = meta, slot, excl, neg, scope
        self.maxlen = max(map(len, neg)) if neg else 0

    def __call__(self, ti: int, turn: Turn, found: Found, out: list[Hit]) -> None:
        text = turn.text
        spans = select(found[self.slot], found.get(self.excl) if self.excl is not None else None)
        for s, e in spans:
            if self.neg and lookback(text, s, self.neg, {}, self.maxlen)[0]:
                continue
            if self.scope is not None and self.scope.why_not(text, s, e) is not None:
                continue
            out.append(self.meta.hit(ti, turn, s, e, text[s:e], None, why=f"命中短语「{text[s:e]}」"))


class Emotion:
    """Customer negative emotion: Σ weight × degree over un-negated lexicon words ≥ threshold."""

    __slots__ = ("degree", "excl", "maxlen", "meta", "neg", "scope", "slot", "threshold", "weights")

    def __init__(
        self,
        meta: RuleMeta,
        slot: int,
        excl: int | None,
        weights: dict[str, float],
        neg: set[str],
        degree: dict[str, float],
        threshold: float,
        scope: Scope | None = None,
    ) -> None:
        self.meta, self.slot, self.excl, self.weights = meta, slot, excl, weights
        self.neg, self.degree, self.threshold, self.scope = neg, degree, threshold, scope
        self.maxlen = max(map(len, [*neg, *degree])) if neg or degree else 0

    def __call__(self, ti: int, turn: Turn, found: Found, out: list[Hit]) -> None:
        text = turn.text
        spans = select(found[self.slot], found.get(self.excl) if self.excl is not None else None)
        score, first, last = 0.0, -1, -1
        for s, e in spans:
            negated, mult = lookback(text, s, self.neg, self.degree, self.maxlen)
            if negated or (self.scope is not None and self.scope.why_not(text, s, e) is not None):
                continue
            score += self.weights[text[s:e]] * mult
            if first < 0:
                first = s
            last = e
        if first >= 0 and score >= self.threshold:
            why = f"负面情绪词加权得分 {score:.1f} ≥ 阈值 {self.threshold:g}"
            out.append(self.meta.hit(ti, turn, first, last, text[first:last], round(score, 3), why=why))


class RegexMatch:
    """Regex rule; the engine calls it only when a prefilter literal occurred in the turn."""

    __slots__ = ("meta", "pattern")

    def __init__(self, meta: RuleMeta, pattern: str, ignore_case: bool) -> None:
        self.meta = meta
        self.pattern = re.compile(pattern, re.IGNORECASE if ignore_case else 0)

    def __call__(self, ti: int, turn: Turn, found: Found | None, out: list[Hit]) -> None:
        for m in self.pattern.finditer(turn.text):
            if m.end() > m.start():
                out.append(self.meta.hit(ti, turn, m.start(), m.end(), m.group(), None, why=f"匹配规则「{m.group()}」"))


class IdNumber:
    """Agent reads out a full resident ID or mobile number, in any written form (:mod:`numbers`).

    Fragments (尾号), masked forms (138****5678) and numbers that are neither a valid ID nor a
    mobile segment never count; a number introduced as a ticket or order number does not either.
    The hit's text is masked but for the last four digits: hits end up in lists and logs.
    """

    __slots__ = ("checksum", "context", "id_context", "meta", "phones", "spoken")

    def __init__(self, meta: RuleMeta, spoken: bool, checksum: bool, phones: bool, context: tuple[str, ...],
                 id_context: tuple[str, ...] = ()) -> None:
        self.meta, self.spoken, self.checksum, self.phones, self.context = meta, spoken, checksum, phones, context
        self.id_context = id_context

    def __call__(self, ti: int, turn: Turn, found: Found | None, out: list[Hit]) -> None:
        text = turn.text
        if not _ANY_DIGIT.search(text):
            return
        structure = any(word in text for word in self.id_context)
        for run, kind in numbers.numbers_in(text, self.checksum, structure):
            raw = text[run.start : run.end]
            if kind == "mobile" and not self.phones:
                continue
            if not self.spoken and any(c not in _ARABIC for c in raw if c in numbers.DIGIT_OF):
                continue
            before = text[max(0, run.start - 8) : run.start]
            if any(word in before for word in self.context):
                continue
            what = "身份证号" if kind == "id" else "手机号"
            check = "校验通过" if kind == "mobile" or numbers.is_id_number(run.digits) else "结构为身份证号，校验位不符"
            out.append(self.meta.hit(ti, turn, run.start, run.end, numbers.mask(raw), None,
                                     why=f"坐席完整读出{what}（{len(run.digits)}位，{check}）"))


_ARABIC = frozenset("0123456789" + "".join(chr(0xFF10 + d) for d in range(10)))
_D, _S = re.escape("".join(numbers.DIGIT_OF)), re.escape(numbers.SEPARATORS)
_ANY_DIGIT = re.compile(f"[{_D}](?:[{_S}]{{0,2}}[{_D}]){{10}}")  # the cheap gate: 11 digits in a run


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
            why = f"语速 {cps:.1f} 字/秒，超出 {self.lo:g}–{self.hi:g}"
            out.append(self.meta.hit(ti, turn, 0, len(text), text, round(cps, 3), why=why))


def _has(found: Found | None, slot: int, excl: int | None) -> bool:
    if found is None or slot not in found:
        return False
    return bool(select(found[slot], found.get(excl) if excl is not None else None))


class Position:
    """Required phrase missing at the start (greeting) or end (closing) of the speaker's turns."""

    __slots__ = ("also", "anchor", "excl", "meta", "n", "slot", "sps", "within")

    def __init__(
        self,
        meta: RuleMeta,
        slot: int,
        excl: int | None,
        sps: frozenset[str],
        anchor: str,
        n: int,
        within: int | None,
        also: int | None = None,
    ) -> None:
        self.meta, self.slot, self.excl, self.sps = meta, slot, excl, sps
        self.anchor, self.n, self.within, self.also = anchor, n, within, also

    def _ok(self, found: Found | None) -> bool:
        """The phrase, and (greeting) the self-introduction in the same turn."""
        return _has(found, self.slot, self.excl) and (self.also is None or _has(found, self.also, None))

    def _why(self) -> str:
        if self.anchor == "start":
            return f"坐席第{self.n}句内无规范开场白" + ("（问候语+自报工号/身份）" if self.also is not None else "")
        return f"坐席最后{self.n}句内无规范结束语"

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
        if any(self._ok(f) for _, f in window):
            return None
        return self.meta.hit(ti, turns[ti], 0, 0, "", None, why=self._why())

    def live_state(self) -> dict[str, Any]:
        return {"count": 0, "done": False, "first": None, "tail": deque(maxlen=self.n)}

    def live_step(self, state: dict[str, Any], ti: int, turn: Turn, found: Found | None) -> Hit | None:
        """Start anchor: decided as soon as no later turn could still carry the greeting."""
        if turn.speaker in self.sps:
            has = self._ok(found)
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
            return self.meta.hit(ti, first, 0, 0, "", None, why=self._why())
        return None

    def live_finish(self, state: dict[str, Any]) -> Hit | None:
        if self.anchor == "start":
            if state["done"] or state["first"] is None:
                return None
            ti, first = state["first"]
            return self.meta.hit(ti, first, 0, 0, "", None, why=self._why())
        tail = state["tail"]
        if not tail or any(has for _, _, has in tail):
            return None
        ti, turn, _ = tail[-1]
        return self.meta.hit(ti, turn, 0, 0, "", None, why=self._why())


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
                out.append(self.meta.hit(ti, turn, s, e, turn.text[s:e], None, why="办理前未出现必需的前置环节"))
                state[1] = True
                if self.once:
                    break
        if req:
            state[0] = True
