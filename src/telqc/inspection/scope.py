"""Scope of a phrase inside its clause: negated, hypothetical, reported, or in the past.

"我要去工信部投诉" is a threat; "我不想去工信部投诉", "我朋友说让我去工信部", "上次我投诉到工信部"
and "如果还不行我可以去问问" are not (issue 19: escalation threats and forbidden phrases are
judged on what the speaker does now, not on every mention). A clause is the text between
two punctuation marks; markers are looked for in the clause before the phrase (negation,
hypothesis, past) and in the sentence before it (someone else's words). Pure string work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CLAUSE_END = re.compile(r"[，,。！!？?；;：:…\n]")
_SENTENCE_END = re.compile(r"[。！!？?；;\n]")
_NEAR = 8  # a negation scopes over the next few characters: "你们不给我解决我就去工信部" is a threat


def clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the clause around ``text[start:end]``."""
    left = max((m.end() for m in _CLAUSE_END.finditer(text, 0, start)), default=0)
    m = _CLAUSE_END.search(text, end)
    return left, (m.start() if m else len(text))


def sentence_start(text: str, start: int) -> int:
    return max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)


@dataclass(frozen=True)
class Scope:
    """Marker sets; each is a tuple of literals (kept in lexicon files beside the scorecard)."""

    negation: tuple[str, ...] = ()
    hypothetical: tuple[str, ...] = ()
    reported: tuple[str, ...] = ()
    past: tuple[str, ...] = ()

    def why_not(self, text: str, start: int, end: int) -> str | None:
        """The reason a phrase at ``text[start:end]`` is out of scope, or None when it counts."""
        left, right = clause(text, start, end)
        before = text[max(left, start - _NEAR) : start]
        whole = text[left:right]
        if _any(before, self.negation):
            return "否定"
        if _any(whole, self.hypothetical):
            return "假设/条件"
        if _any(text[sentence_start(text, start) : start], self.reported):
            return "转述他人"
        if _any(whole, self.past):
            return "过去的事"
        return None


def _any(text: str, markers: Iterable[str]) -> bool:
    return any(m in text for m in markers)
