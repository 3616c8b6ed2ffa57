"""Number normalisation for automatic inspection: digit strings read aloud, in any written form.

An agent who reads a customer's full ID or mobile number back leaks personal data (a fatal item,
KPI.md 致命差错率), but ASR and hand transcripts write the same reading many ways: Arabic or
full-width digits, Chinese digits with the phone habits 幺 (1), 两 (2) and 洞 (0), grouped with
spaces, dashes or commas. :func:`digit_runs` turns every such run back into plain digits with
its span, and :func:`classify` says whether the digits are a resident ID (GB 11643 check
character and a real birth date) or a mobile number (a mainland mobile prefix). Pure: text in,
spans out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

DIGIT_OF: dict[str, str] = {
    **{str(d): str(d) for d in range(10)},
    **{chr(0xFF10 + d): str(d) for d in range(10)},
    **dict(zip("零〇○洞一幺壹二两贰三叁四肆五伍六陆七柒八捌九玖", "000011122233445566778899", strict=True)),
}
CHECK_X = "XxＸｘ叉"
SEPARATORS = " \u3000-－—–·,，、"
_D = re.escape("".join(DIGIT_OF))
_S = re.escape(SEPARATORS)
# A run: digits, at most two separator characters between two digits, an optional trailing X.
_RUN = re.compile(rf"[{_D}](?:[{_S}]{{0,2}}[{_D}])*(?:[{_S}]?[{re.escape(CHECK_X)}])?")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Mainland mobile number segments (MIIT numbering plan): 13x, 14x data/IoT-free ones, 15x, 16x, 17x, 18x, 19x.
MOBILE_PREFIXES = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "147", "149"]
    + [f"15{d}" for d in "012356789"]
    + ["162", "165", "166", "167"]
    + [f"17{d}" for d in "0135678"]
    + [f"18{d}" for d in range(10)]
    + [f"19{d}" for d in range(10)]
)

Kind = Literal["id", "mobile"]


@dataclass(frozen=True, slots=True)
class DigitRun:
    """A run of digits in ``text[start:end]``; ``digits`` is its plain form (``X`` as check character)."""

    start: int
    end: int
    digits: str


def digit_runs(text: str) -> list[DigitRun]:
    """Every maximal run of digits in any written form; separators inside a run are dropped."""
    out = []
    for m in _RUN.finditer(text):
        raw = m.group()
        digits = "".join(DIGIT_OF.get(c, "X" if c in CHECK_X else "") for c in raw)
        out.append(DigitRun(m.start(), m.end(), digits))
    return out


def id_check_char(body: str) -> str:
    """GB 11643-1999 check character of the first 17 digits (ISO 7064 MOD 11-2)."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def has_id_structure(digits: str) -> bool:
    """18 characters, a province code 11..82 and a real birth date: an ID, whatever its check character."""
    if len(digits) != 18 or not digits[:17].isdigit() or not (digits[17].isdigit() or digits[17] == "X"):
        return False
    if not 11 <= int(digits[:2]) <= 82:
        return False
    try:
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2099


def is_id_number(digits: str) -> bool:
    """The ID structure and the right GB 11643 check character."""
    return has_id_structure(digits) and id_check_char(digits[:17]) == digits[17]


def is_mobile(digits: str) -> bool:
    """11 digits in a mobile segment; a leading 86 country code is allowed."""
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return len(digits) == 11 and digits.isdigit() and digits[:3] in MOBILE_PREFIXES


def _groups(text: str, run: DigitRun) -> list[DigitRun]:
    """The separator-delimited groups of a run (``138 1234 5678`` → three groups)."""
    out, start = [], None
    for i in range(run.start, run.end + 1):
        if i < run.end and text[i] not in SEPARATORS:
            if start is None:
                start = i
        elif start is not None:
            out.append(DigitRun(start, i, "".join(DIGIT_OF.get(c, "X") for c in text[start:i])))
            start = None
    return out


def numbers_in(text: str, checksum: bool = True, structure: bool = False) -> list[tuple[DigitRun, Kind]]:
    """Full ID and mobile numbers in ``text``: a whole run, or consecutive groups of one.

    Groups matter because a reading runs into the next words (``…五六七八，一会儿…`` would
    otherwise be a 12-digit run); a run without separators is never cut, so a 12-digit account
    number does not hide a phone number. ``structure``: an ID needs its structure only, not the
    check character (the caller knows from the words around it that an ID is being read).
    """
    found: list[tuple[DigitRun, Kind]] = []
    for run in digit_runs(text):
        if len(run.digits) < 11:
            continue
        kind = classify(run.digits, checksum, structure)
        if kind is not None:
            found.append((run, kind))
            continue
        groups = _groups(text, run)
        i = 0
        while i < len(groups):
            for j in range(len(groups), i, -1):
                digits = "".join(g.digits for g in groups[i:j])
                kind = classify(digits, checksum, structure) if len(digits) in (11, 13, 18) else None
                if kind is not None:
                    found.append((DigitRun(groups[i].start, groups[j - 1].end, digits), kind))
                    i = j - 1
                    break
            i += 1
    return found


def classify(digits: str, checksum: bool = True, structure: bool = False) -> Kind | None:
    if not checksum and len(digits) == 18 and digits[:17].isdigit():
        return "id"
    if is_id_number(digits) or (structure and has_id_structure(digits)):
        return "id"
    if is_mobile(digits):
        return "mobile"
    return None


def mask(text: str, keep: int = 4) -> str:
    """Every digit but the last ``keep`` replaced by ``*`` (hits end up in lists and logs, DESIGN.md)."""
    out, left = [], keep
    for c in reversed(text):
        if c in DIGIT_OF or c in CHECK_X:
            out.append(c if left > 0 else "*")
            left -= 1
        else:
            out.append(c)
    return "".join(reversed(out))
