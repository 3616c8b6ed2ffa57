"""Homophone typos (宽代 → 宽带, 流亮 → 流量, 套参 → 套餐): a query word the index does not know is replaced by
an indexed word with the same toneless pinyin that shares all but one of its characters.

Customers and agents type Chinese through a pinyin IME, so the commonest typo is the right sound with the wrong
character, and it is usually *not* one edit away in any sense the character-level speller sees: jieba cuts the
mistyped word into fragments (装宽代要 / 查话 废发). The corrector therefore looks at every 2–4 character window
of the query's Chinese runs, not at the segmenter's words. Known words are kept by their sound, learned once
per new index term, so a lookup is a few dictionary reads, never a scan of the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sized
from dataclasses import dataclass, field
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_ALL_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
MIN_LEN, MAX_LEN = 2, 4
FUNCTION_CHAR_FREQ = 50_000  # 是, 不, 的, 在 ...: in the general dictionary far above any content character
# 冇, 咗, 嚟, 侬 ...: a pinyin IME offers common characters first, so a typo is a common character; a character this
# rare in the general dictionary was typed on purpose (Cantonese, Shanghainese) and is never "corrected"
RARE_CHAR_FREQ = 100


@lru_cache(maxsize=65536)
def _char_sound(char: str) -> str:
    return lazy_pinyin(char, style=Style.NORMAL, errors="default")[0]


def sound(text: str) -> tuple[str, ...]:
    """Toneless pinyin, one syllable per character, each character read alone (its commonest reading).

    Context-free on purpose: index terms and query windows are read the same way, and a cached character costs
    a dictionary read where pypinyin's phrase matching costs ~17 µs a call (the index learns every new term).
    """
    return tuple(_char_sound(c) for c in text)


def _changed_at(a: str, b: str) -> int | None:
    """The one position where equal-length ``a`` and ``b`` differ, else None."""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y] if len(a) == len(b) else []
    return diff[0] if len(diff) == 1 else None


def _in_a_word(text: str, pos: int, is_word: Callable[[str], bool]) -> bool:
    """Whether the character at ``pos`` belongs to a word (2–4 characters) of ``text``: 出国期间 keeps 国."""
    for n in range(2, MAX_LEN + 1):
        for start in range(max(0, pos - n + 1), min(pos, len(text) - n) + 1):
            if is_word(text[start : start + n]):
                return True
    return False


@dataclass
class Homophones:
    """Indexed words by sound; ``known`` (the index's postings) decides which of them still exist."""

    _by_sound: dict[tuple[str, ...], set[str]] = field(default_factory=dict)

    def learn(self, term: str) -> None:
        if MIN_LEN <= len(term) <= MAX_LEN and _ALL_HAN.match(term):
            self._by_sound.setdefault(sound(term), set()).add(term)

    def correct(self, text: str, known: Mapping[str, Sized], freq: Mapping[str, int]) -> str:
        """``text`` with each unknown, non-dictionary window replaced by its most frequent homophone.

        Windows are tried longest first, left to right. Never touched: a window the index knows or that is
        an ordinary word of the general dictionary ``freq`` (的话, 一下); a character that belongs to another
        word of the query (自己号码, 出国期间); a function character (是, 不); a rare character (冇, 咗), which
        no IME offers by mistake. So correct text comes back unchanged.
        """

        def is_word(w: str) -> bool:
            return w in known or freq.get(w, 0) > 0
        out: list[str] = []
        last = 0
        for run in _HAN_RUN.finditer(text):
            chars = run.group()
            syllables = sound(chars)
            if len(syllables) != len(chars):
                continue
            i = 0
            while i < len(chars) - 1:
                fixed = None
                for n in range(min(MAX_LEN, len(chars) - i), MIN_LEN - 1, -1):
                    window = chars[i : i + n]
                    if is_word(window):
                        continue
                    fixed = self._best(chars, i, n, tuple(syllables[i : i + n]), known, freq, is_word)
                    if fixed is not None:
                        break
                if fixed is None:
                    i += 1
                    continue
                start = run.start() + i
                out.append(text[last:start])
                out.append(fixed)
                last = start + len(fixed)
                i += len(fixed)
        out.append(text[last:])
        return "".join(out)

    def _best(self, chars: str, at: int, n: int, key: tuple[str, ...], known: Mapping[str, Sized],
              freq: Mapping[str, int], is_word: Callable[[str], bool]) -> str | None:
        """The most frequent indexed homophone of ``chars[at:at + n]`` that changes one free character."""
        window = chars[at : at + n]
        candidates = []
        for c in self._by_sound.get(key, ()):
            pos = _changed_at(window, c)
            if (pos is not None and c in known and RARE_CHAR_FREQ <= freq.get(window[pos], 0) < FUNCTION_CHAR_FREQ
                    and not _in_a_word(chars, at + pos, is_word)):
                candidates.append((len(known[c]), c))
        return max(candidates)[1] if candidates else None
