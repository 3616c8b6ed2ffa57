"""The severity scale (特别重大 / 重大 / 较大 / 一般) and its defaults.

Each grade says how fast network operations must respond, how often affected customers hear news, who is
told, and whether a joint test (联合测试) is required before the fix is verified: 操作流程 四.4 grades
network problems as major or ordinary and asks leaders to be told of a major one, with an emergency
mechanism. The stored rows (`SeverityLevel`) are the configuration in force; these are what a fresh
installation starts with.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Grade:
    code: str
    rank: int
    name: str
    name_en: str
    response_min: int
    update_min: int
    notify_roles: tuple[str, ...]
    joint_test_required: bool


DEFAULTS = (
    Grade("especially_major", 1, "特别重大", "Especially major", 15, 30, ("netops", "manager", "supervisor"), True),
    Grade("major", 2, "重大", "Major", 30, 60, ("netops", "manager", "supervisor"), True),
    Grade("large", 3, "较大", "Large", 60, 120, ("netops", "supervisor"), False),
    Grade("general", 4, "一般", "General", 120, 240, ("netops",), False),
)
CODES = tuple(g.code for g in DEFAULTS)


def for_count(complaints: int, threshold: int) -> str:
    """The grade a detected burst starts at: 5× the threshold is major, 2× large, else general."""
    if complaints >= 5 * threshold:
        return "major"
    if complaints >= 2 * threshold:
        return "large"
    return "general"
