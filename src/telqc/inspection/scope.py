"""Scope of a phrase inside its clause: negated, hypothetical, reported, past, taken back, or a bare mention.

"我要去工信部投诉" is a threat; "我不想去工信部投诉", "我朋友说让我去工信部", "上次我投诉到工信部"
and "如果还不行我可以去问问" are not (issue 19: escalation threats and forbidden phrases are
judged on what the speaker does now, not on every mention). A clause is the text between
two punctuation marks; markers are looked for in the clause before the phrase (negation,
hypothesis, past) and in the sentence before it (someone else's words). Two more groups:

- ``after``: the rest of the sentence takes the phrase back ("女儿让我打12300，我觉得没必要";
  an agent's "这个没办法直接改，但我可以帮您提交申请" offers a way instead of closing the door);
- ``bare`` phrases name a body or a profession (律师, 媒体, 法院), not an act: they count only with
  a ``cue`` (去/打/找/告/投诉 …) in the same clause — "我儿子是律师" and "我在法院上班" are no threat;
- ``yet``: the rest of the sentence says it again ("我也不想闹到工信部去，但你们要是再这样，我真就去了"):
  a negation or a taking-back before it no longer counts.

Pure string work.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

_CLAUSE_END = re.compile(r"[，,。！!？?；;：:…\n]")
_SENTENCE_END = re.compile(r"[。！!？?；;\n]")
# the text after the last mark before a position, found in one C-level search (no Python loop over marks)
_CLAUSE_TAIL = re.compile(r"[^，,。！!？?；;：:…\n]*\Z")
_SENTENCE_TAIL = re.compile(r"[^。！!？?；;\n]*\Z")
_NEAR = 8  # a negation scopes over the next few characters: "你们不给我解决我就去工信部" is a threat
# "是不是要等我找记者" asks a question (A-not-A), it negates nothing: removed before negation markers are looked for
_A_NOT_A = re.compile(r"(.)[不没]\1")

GROUPS: tuple[str, ...] = ("negation", "hypothetical", "reported", "past", "after", "bare", "cue", "yet")


def clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the clause around ``text[start:end]``."""
    tail = _CLAUSE_TAIL.search(text, 0, start)
    left = tail.start() if tail else 0
    m = _CLAUSE_END.search(text, end)
    return left, (m.start() if m else len(text))


def mark_positions(text: str) -> list[int]:
    """Positions of every clause mark, for callers that need many clauses of one text (learned evidence)."""
    return [m.start() for m in _CLAUSE_END.finditer(text)]


def clause_at(marks: list[int], length: int, start: int, end: int) -> tuple[int, int]:
    """:func:`clause` from precomputed :func:`mark_positions` (two bisections instead of two scans)."""
    k = bisect_left(marks, start)
    j = bisect_left(marks, end, k)
    return (marks[k - 1] + 1 if k else 0), (marks[j] if j < len(marks) else length)


def sentence_start(text: str, start: int) -> int:
    tail = _SENTENCE_TAIL.search(text, 0, start)
    return tail.start() if tail else 0


def sentence_end(text: str, end: int) -> int:
    m = _SENTENCE_END.search(text, end)
    return m.start() if m else len(text)


@dataclass(frozen=True)
class Scope:
    """Marker sets; each is a tuple of literals (kept in lexicon files beside the scorecard).

    Each group is searched as one compiled alternation (a C-level scan): the check runs on every
    phrase match and every learned hit, so it must stay cheap (bench/inspect_bench.py, target ≥ 0.25).
    """

    negation: tuple[str, ...] = ()
    hypothetical: tuple[str, ...] = ()
    reported: tuple[str, ...] = ()
    past: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    bare: tuple[str, ...] = ()
    cue: tuple[str, ...] = ()
    yet: tuple[str, ...] = ()
    _found: dict[str, Callable[[str], object]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        found = {g: _searcher(getattr(self, g)) for g in GROUPS if g != "bare"}
        found["bare"] = frozenset(self.bare).__contains__
        object.__setattr__(self, "_found", found)

    def why_not(self, text: str, start: int, end: int) -> str | None:
        """The reason a phrase at ``text[start:end]`` is out of scope, or None when it counts."""
        has = self._found
        left, right = clause(text, start, end)
        whole = text[left:right]
        rest = text[end : sentence_end(text, end)] if self.after or self.yet else ""
        again = bool(rest) and has["yet"](rest)
        if not again and self.negation and has["negation"](_A_NOT_A.sub("", text[max(left, start - _NEAR) : start])):
            return "否定"
        if has["hypothetical"](whole):
            return "假设/条件"
        if self.reported and has["reported"](text[sentence_start(text, start) : start]):
            return "转述他人"
        if has["past"](whole):
            return "过去的事"
        if not again and rest and has["after"](rest):
            return "随后收回/另给办法"
        if has["bare"](text[start:end]) and not has["cue"](text[left:start] + "|" + text[end:right]):
            return "只提到机构或职业，没有要去做的动作"
        return None


def _searcher(markers: tuple[str, ...]) -> Callable[[str], object]:
    if not markers:
        return lambda _text: False
    return re.compile("|".join(map(re.escape, sorted(markers, key=len, reverse=True)))).search
