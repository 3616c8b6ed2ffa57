"""Attribute re-ranking inside near-duplicate clusters (issue 24 §2): 国际 vs 港澳台, 主卡 vs 副卡, 预付费 vs
后付费, 同城 vs 异地. Such articles share almost every word, so the lexical score cannot tell them apart; the one
detail that does is usually named in the title. When the query states exactly one value of an attribute, the
top candidates whose title states that value (and no other) are boosted and those whose title states only
another value are demoted. Pure: text in, values and factors out; the table is data (data/attributes.txt).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from telqc.knowledge.segment import DATA_DIR, normalize

BOOST = 1.2
DEMOTE = 0.8


@dataclass(frozen=True)
class Attributes:
    """name → value → cues; ``cues`` is every (cue, name, value), longest cue first."""

    cues: tuple[tuple[str, str, str], ...]

    def stated(self, text: str) -> dict[str, frozenset[str]]:
        """The values ``text`` states, per attribute; a cue inside a longer cue already read does not count."""
        rest = normalize(text)
        found: dict[str, set[str]] = {}
        for cue, name, value in self.cues:
            if cue in rest:
                found.setdefault(name, set()).add(value)
                rest = rest.replace(cue, "\0")
        return {name: frozenset(values) for name, values in found.items()}

    @staticmethod
    def factor(query: dict[str, frozenset[str]], title: dict[str, frozenset[str]]) -> float:
        """Score multiplier for a title given the query's stated values (1.0 when nothing decides)."""
        out = 1.0
        for name, values in query.items():
            if len(values) != 1:
                continue
            said = title.get(name, frozenset())
            if said == values:
                out *= BOOST
            elif said and not said & values:
                out *= DEMOTE
        return out


def load_attributes(path: Path) -> Attributes:
    cues: list[tuple[str, str, str]] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, *groups = (part.strip() for part in line.split("|"))
        if not name or len(groups) < 2:
            raise ValueError(f"{path.name}:{lineno}: expected 'name | value: cues | value: cues', got {line!r}")
        for group in groups:
            value, sep, words = group.partition(":")
            if not sep or not value.strip() or not words.split():
                raise ValueError(f"{path.name}:{lineno}: expected 'value: cue cue ...', got {group!r}")
            cues += [(normalize(w), name, value.strip()) for w in words.split()]
    cues.sort(key=lambda c: -len(c[0]))
    return Attributes(tuple(cues))


@lru_cache(maxsize=1)
def default() -> Attributes:
    return load_attributes(DATA_DIR / "attributes.txt")
