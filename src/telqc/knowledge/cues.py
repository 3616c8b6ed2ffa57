"""Details a customer states without naming them (issue 24 §2): 才15岁 → 未成年, 快七十 → 老年, 号是江西的 人在深圳 →
异地. The attribute table (data/attributes.txt) lists the words that name a detail; these parsers read the ones
that only imply it — an age given as a number, or two different places — so the cluster's deciding detail is
known even when the query never says 未成年 or 异地. Pure functions of the query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from telqc.knowledge.segment import DATA_DIR, normalize

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUMBER = r"\d{1,3}|[零〇一二两三四五六七八九十]{1,3}"
# an age: a number followed by 岁/周岁, or after a word that announces one (才15, 快七十) and not followed by a unit
_AGE = re.compile(
    rf"(?:(?P<a>{_NUMBER})(?:多)?(?:周岁|岁))"
    rf"|(?:(?:才|快|刚满|年满|不到|今年|已经)(?P<b>{_NUMBER})(?:多)?(?![\d零〇一二两三四五六七八九十百千万块元角分毛gGmM个天月年号点倍条张次%兆分钟小时]))"
)
MINOR_BELOW = 16  # real-name registration on one's own ID from 16 (a minor below, with a guardian)
ADULT_FROM = 18
ELDER_FROM = 60


def chinese_number(text: str) -> int | None:
    """0–99 written in digits or Chinese numerals (十五, 七十, 二十三, 两); None if it is not one."""
    if text.isascii() and text.isdigit():
        return int(text)
    tens, sep, ones = text.partition("十")
    if not sep:
        return _DIGITS.get(text) if len(text) == 1 else None
    if len(tens) > 1 or len(ones) > 1 or (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS):
        return None
    if tens in ("零", "〇") or (ones and ones in "零〇"):
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def ages(text: str) -> list[int]:
    """Every age ``text`` gives as a number, in order."""
    out = []
    for m in _AGE.finditer(normalize(text)):
        n = chinese_number(m.group("a") or m.group("b"))
        if n is not None and n < 130:
            out.append(n)
    return out


def age_group(age: int) -> str | None:
    """未成年 / 成年 / 老年 as the knowledge base's articles draw the lines; None between 16 and 18."""
    if age < MINOR_BELOW:
        return "未成年"
    if age < ADULT_FROM:
        return None
    return "老年" if age >= ELDER_FROM else "成年"


@dataclass(frozen=True)
class Places:
    """Province of every place name (a province names itself); longest names first."""

    province: dict[str, str]

    def named(self, text: str) -> list[str]:
        """Provinces of the places ``text`` names, in order (a city inside a longer name counts once)."""
        rest = normalize(text)
        found: list[tuple[int, str]] = []
        for name in sorted(self.province, key=len, reverse=True):
            start = rest.find(name)
            while start >= 0:
                found.append((start, name))
                rest = rest[:start] + "\0" * len(name) + rest[start + len(name):]
                start = rest.find(name)
        return [name for _, name in sorted(found)]

    def elsewhere(self, text: str) -> bool:
        """Whether ``text`` names two places that are not one inside the other (深圳 and 江西, 成都 and 重庆):
        the customer's number is from one and they are in the other."""
        names = self.named(text)
        return any(a != b and self.province[a] != b and self.province[b] != a
                   for i, a in enumerate(names) for b in names[i + 1:])


def load_places(path: Path) -> Places:
    province: dict[str, str] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        prov, sep, cities = line.partition(":")
        if not sep or not prov.strip():
            raise ValueError(f"{path.name}:{lineno}: expected 'province: city city ...', got {line!r}")
        province[normalize(prov.strip())] = normalize(prov.strip())
        for city in cities.split():
            province[normalize(city)] = normalize(prov.strip())
    return Places(province)


@lru_cache(maxsize=1)
def places() -> Places:
    return load_places(DATA_DIR / "places.txt")
