"""'Did you mean' for knowledge search: a mistyped word (宽代续费) is replaced by a known word one edit away.

Known words are kept by their one-deletion keys (symmetric delete), so a lookup costs a few
dictionary reads instead of a scan of the vocabulary while the agent is typing. Pure: the
index feeds it the words it learns and the vocabulary with document frequencies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sized
from dataclasses import dataclass, field

from telqc.knowledge.segment import normalize

_HAN_OR_WORD = re.compile(r"\w")


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass
class Spelling:
    """Known words by deletion key; ``known`` maps a word to its postings (their count is its frequency)."""

    _near: dict[str, set[str]] = field(default_factory=dict)

    def learn(self, term: str) -> None:
        """Remember a word the index has just seen for the first time."""
        if 2 <= len(term) <= 8 and _HAN_OR_WORD.match(term):
            for key in _deletes(term):
                self._near.setdefault(key, set()).add(term)

    def suggest(self, pieces: list[str], known: Mapping[str, Sized],
                synonyms: Callable[[str], tuple[str, ...]]) -> str | None:
        """The query (as segmented ``pieces``) with unknown words replaced, or None when nothing changed.

        Adjacent short pieces are tried joined too, because jieba splits a mistyped
        word (宽代续费) into fragments that are each unremarkable.
        """
        out: list[str] = []
        changed = False
        i = 0
        while i < len(pieces):
            best: tuple[int, int, str] | None = None
            for span in (3, 2, 1):
                word = "".join(pieces[i : i + span])
                key = normalize(word)
                if i + span > len(pieces) or len(word) < 2 or key in known or key.isascii():
                    continue
                if any(syn in known for syn in synonyms(key)):
                    continue  # a colloquial word the synonym table already bridges is not a typo
                fix = self._nearest(key, known)
                if fix and (best is None or len(word) > best[0]):
                    best = (len(word), span, fix)
            if best:
                out.append(best[2])
                i += best[1]
                changed = True
            else:
                out.append(pieces[i])
                i += 1
        return "".join(out) if changed else None

    def _nearest(self, word: str, known: Mapping[str, Sized]) -> str | None:
        candidates = set(self._near.get(word, ()))
        for key in _deletes(word):
            candidates |= self._near.get(key, set())
            if key in known:
                candidates.add(key)
        scored = [  # a same-length substitution (宽代→宽带) beats dropping or adding a character
            (len(c) == len(word), len(known[c]), c)
            for c in candidates
            if c in known and len(c) >= 2 and _edit_distance(word, c) == 1
        ]
        return max(scored)[2] if scored else None
