"""Attribute re-ranking inside near-duplicate clusters (issue 24 §2): 国际 vs 港澳台, 主卡 vs 副卡, 预付费 vs
后付费, 同城 vs 异地. Such articles share almost every word, so the lexical score cannot tell them apart; the one
detail that does is usually named in the title. When the query states exactly one value of an attribute, the
top candidates whose title states that value (and no other) are boosted and those whose title states only
another value are demoted; after the learned component is fused in, the same detail settles the order inside
the cluster (``decide``). Pure: text in, values and orders out; the table is data (data/attributes.txt).

What a text states is read in three ways: the cue words of the table (longest first, so 未成年人 is not
成年人); a cue after a negation names the other value of a two-valued attribute (号码不是本地的 → 异地); and
details given indirectly (cues.py: 才15岁 → 未成年, two different places → 异地). When a text changes one value
into another (后付费改为预付费, 不想用5g了 改个4g), only the value it changes *to* is stated; a text that only
says what it changes away from (5g套餐太贵 想换回便宜的) states the other value of a two-valued attribute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from telqc.knowledge import cues
from telqc.knowledge.segment import DATA_DIR, normalize

BOOST = 1.2
DEMOTE = 0.8
DECIDE_DEPTH = 10  # fused candidates whose order the stated detail settles
# a negation right before a cue: 不是本地的, 非本地, 不在本地
_NEGATION = ("不是", "不在", "并非", "不属于", "非")
# a change from one value into another: the value after it is the one wanted
_CHANGE = re.compile(r"改成|改为|改回|改到|改个|换成|换为|换回|换到|换个|转成|转为|变成|变为|升级为|升级到|升到|降到"
                     r"|降为")


@dataclass(frozen=True)
class Attributes:
    """``cues`` is every (cue, name, value), longest cue first; ``values`` each attribute's values in order;
    ``weak`` the attributes whose cues are too common to settle a fused ranking (they only re-rank lexically)."""

    cues: tuple[tuple[str, str, str], ...]
    values: dict[str, tuple[str, ...]]
    weak: frozenset[str] = frozenset()

    def _found(self, text: str) -> list[tuple[int, str, str]]:
        """(position, attribute, value) of every cue read in ``text``, negated cues flipped."""
        rest = text
        found: list[tuple[int, str, str]] = []
        for cue, name, value in self.cues:
            start = rest.find(cue)
            while start >= 0:
                found.append((start, name, self._negated(text, start, name, value)))
                rest = rest[:start] + "\0" * len(cue) + rest[start + len(cue):]
                start = rest.find(cue, start + len(cue))
        return found

    def _negated(self, text: str, at: int, name: str, value: str) -> str:
        values = self.values[name]
        if len(values) == 2 and any(text[:at].endswith(neg) for neg in _NEGATION):
            return values[1] if value == values[0] else values[0]
        return value

    def stated(self, text: str) -> dict[str, frozenset[str]]:
        """The values ``text`` states, per attribute."""
        norm = normalize(text)
        found = self._found(norm)
        if "age" in self.values:
            found += [(-1, "age", g) for a in cues.ages(norm) if (g := cues.age_group(a)) in self.values["age"]]
        if "place" in self.values and cues.places().elsewhere(norm):
            found.append((-1, "place", self.values["place"][-1]))
        change = _CHANGE.search(norm)
        out: dict[str, set[str]] = {}
        for _, name, value in found:
            out.setdefault(name, set()).add(value)
        if change is not None:
            for name in list(out):
                after = {v for pos, n, v in found if n == name and pos >= change.end()}
                before = {v for pos, n, v in found if n == name and 0 <= pos < change.start()}
                if after and before and after != before:
                    out[name] = after
                elif before and not after and len(before) == 1 and len(self.values[name]) == 2:
                    out[name] = set(self.values[name]) - before  # 不想用5g了 换个便宜的: away from 5G
        return {name: frozenset(values) for name, values in out.items()}

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

    def decide(self, query: dict[str, frozenset[str]], ranked: Sequence[tuple[str, float]], title: Callable[[str], str],
               depth: int = DECIDE_DEPTH) -> list[tuple[str, float]]:
        """``ranked`` with the order inside each cluster settled by the detail the query states (``query``:
        what ``stated`` read in it).

        For every (not weak) attribute the query states exactly one value of, the places among the first
        ``depth`` held by articles whose title states a value of that attribute are refilled: titles stating
        that value (alone or with another) first, then titles stating only another, each group in its ranked
        order. Articles whose title says nothing about the attribute keep their places, so the detail decides
        inside the cluster and never lifts an unrelated article. Each place keeps its score.
        """
        stated = {name: values for name, values in query.items() if len(values) == 1 and name not in self.weak}
        out = list(ranked)
        if not stated:
            return out
        head = out[:depth]
        titles = {aid: self.stated(title(aid)) for aid, _ in head}
        for name, values in stated.items():
            places = [i for i, (aid, _) in enumerate(head) if titles[aid].get(name)]
            other = {i for i in places if not titles[head[i][0]][name] & values}  # states only another value
            order = sorted(places, key=lambda i: (i in other, i))
            moved = dict(zip(places, order, strict=True))
            head = [(head[moved[i]][0] if i in moved else aid, sc) for i, (aid, sc) in enumerate(head)]
        return head + out[depth:]


def load_attributes(path: Path) -> Attributes:
    cues_: list[tuple[str, str, str]] = []
    values: dict[str, tuple[str, ...]] = {}
    weak: set[str] = set()
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, *groups = (part.strip() for part in line.split("|"))
        if name.endswith("~"):
            name = name[:-1].strip()
            weak.add(name)
        if not name or len(groups) < 2:
            raise ValueError(f"{path.name}:{lineno}: expected 'name | value: cues | value: cues', got {line!r}")
        names: list[str] = []
        for group in groups:
            value, sep, words = group.partition(":")
            if not sep or not value.strip() or not words.split():
                raise ValueError(f"{path.name}:{lineno}: expected 'value: cue cue ...', got {group!r}")
            names.append(value.strip())
            cues_ += [(normalize(w), name, value.strip()) for w in words.split()]
        values[name] = tuple(names)
    cues_.sort(key=lambda c: -len(c[0]))
    return Attributes(tuple(cues_), values, frozenset(weak))


@lru_cache(maxsize=1)
def default() -> Attributes:
    return load_attributes(DATA_DIR / "attributes.txt")
