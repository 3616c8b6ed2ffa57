"""Which characters a text sent by a client may not hold: a pure function, no I/O (issue 17).

Ticket text travels far: into agents' pages, exports opened in Excel, TMF621 events read by other systems,
keyword inspection rules and search. Three kinds of character are refused there, everywhere (every text field
of every input model, forms, JSON API and TMF621 alike, query and path parameters too):

- **control characters** (Unicode category Cc: C0, DEL and C1) except tab, line feed and carriage return (a
  browser sends a textarea's line breaks as CR LF). A NUL is refused by PostgreSQL's text type; the others
  corrupt exports, terminals and pages.
- **bidirectional controls** (the Unicode property Bidi_Control: the embeddings, overrides and isolates
  U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F, U+061C). An override makes a page show text in
  another order than it is stored and searched ("Trojan Source": ``"退款\\u202e元0001"`` reads as a different
  amount).

  The three marks (LRM U+200E, RLM U+200F, ALM U+061C) are allowed in a text that holds a right-to-left letter
  (bidirectional class R or AL: Uyghur, Arabic, Hebrew …): they are zero-width letters with a direction, not
  controls with a scope, so they cannot reorder text the way an override or an isolate does (at most they place
  a neutral character as a letter of their direction would), and Uyghur and Arabic keyboards and editors put
  them into names and addresses (around digits, brackets, a Latin word). In a text without any right-to-left
  letter (Chinese, Latin) they have nothing to do and are refused as before: there a mark only hides inside a
  word ("投\\u200e诉" defeats a keyword rule) or makes a name a look-alike of another.
- **invisible characters** that render as nothing: zero-width space U+200B, zero-width non-joiner U+200C, word
  joiner and invisible operators U+2060–U+2064, the byte order mark U+FEFF, soft hyphen U+00AD, combining
  grapheme joiner U+034F, Hangul fillers U+115F, U+1160, U+3164, U+FFA0, Khmer and Mongolian invisible vowels
  U+17B4, U+17B5, U+180E, interlinear annotation marks U+FFF9–U+FFFB, and lone surrogates (not characters at
  all; they cannot be encoded in UTF-8). ``"投\\u200b诉"`` defeats a keyword rule for 投诉 and a name with one
  is a second customer that looks like the first.

Two invisible characters stay allowed where emoji need them, and only there: the zero-width joiner U+200D
between two emoji (family, "technologist" = person ZWJ laptop; after a skin tone or U+FE0F too) and the tag
characters U+E0020–U+E007F inside a subdivision flag (black flag U+1F3F4, tag letters, cancel tag U+E007F).
Everything else passes unchanged: Chinese text, every
other script, emoji, variation selectors (U+FE0F, and the ideographic variation sequences some names need).

Refused, not stripped: the client learns which character, where, and nothing is stored (DESIGN: bad input gets
a clear error and changes nothing).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

ZWJ = "\u200d"

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MARKS = "\u061c\u200e\u200f"
"""ALM, LRM, RLM: allowed in a text that holds a right-to-left letter (see the module)."""
_INVISIBLE = ("\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u2060-\u2064\u3164\ufeff\uffa0"
              "\ufff9-\ufffb\ud800-\udfff")
_TAGS = "\U000e0000-\U000e007f"
_SUSPECT = re.compile(f"[{_CONTROL}{_BIDI.pattern[1:-1]}{_INVISIBLE}{ZWJ}{_TAGS}]")
_FLAG = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")
"""A subdivision flag: black flag, tag letters, cancel tag (Unicode emoji tag sequence)."""


class Kind(StrEnum):
    control = "control"
    bidi = "bidi"
    invisible = "invisible"


@dataclass(frozen=True)
class Unsafe:
    kind: Kind
    char: str
    index: int  # 0-based, in code points

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"


def _kind(char: str) -> Kind:
    if unicodedata.category(char) == "Cc":
        return Kind.control
    return Kind.bidi if _BIDI.fullmatch(char) else Kind.invisible


def _ends_emoji(char: str) -> bool:
    """An emoji, or what ends one: a skin tone (U+1F3FB–U+1F3FF) or the emoji presentation selector U+FE0F."""
    return unicodedata.category(char) == "So" or char == "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff"


def _joins_emoji(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and _ends_emoji(text[i - 1]) and unicodedata.category(text[i + 1]) == "So"


def _in_flag(text: str, i: int) -> bool:
    return any(m.start() < i < m.end() for m in _FLAG.finditer(text))


def has_rtl_letter(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter (bidirectional class R or AL), where the marks have a use;
    RLM and ALM are of those classes themselves and do not count."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text if c not in MARKS)


def first_unsafe(text: str) -> Unsafe | None:
    """The first character of ``text`` a client may not send (see the module), None when there is none."""
    rtl: bool | None = None  # decided at the first mark, once
    for m in _SUSPECT.finditer(text):
        i = m.start()
        char = m.group()
        if (char == ZWJ and _joins_emoji(text, i)) or (char >= "\U000e0000" and _in_flag(text, i)):
            continue
        if char in MARKS:
            rtl = has_rtl_letter(text) if rtl is None else rtl
            if rtl:
                continue
        return Unsafe(_kind(char), char, i)
    return None
