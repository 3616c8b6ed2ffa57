"""Lexicon files of automatic inspection: ``phrase[<whitespace>weight]`` lines, looked up beside the scorecard
first, then in the shipped `lexicons/` folder; read once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from telqc.inspection.scope import GROUPS, Scope

LEXICON_DIR = Path(__file__).with_name("lexicons")


def lexicon_path(name: str, base_dir: str | None) -> Path:
    candidates = []
    if base_dir is not None:
        candidates += [Path(base_dir) / name, Path(base_dir) / f"{name}.txt"]
    candidates += [LEXICON_DIR / name, LEXICON_DIR / f"{name}.txt"]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(f"lexicon {name!r} not found")


@lru_cache(maxsize=128)
def load_lexicon(name: str, base_dir: str | None = None) -> tuple[tuple[str, float], ...]:
    """Read ``phrase[<whitespace>weight]`` lines; ``#`` starts a comment. Cached: lexicons are shared."""
    entries: dict[str, float] = {}
    path = lexicon_path(name, base_dir)
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        weight = 1.0
        if len(parts) == 2:
            try:
                weight = float(parts[1])
            except ValueError as exc:
                raise ValueError(f"{path.name}:{lineno}: bad weight {parts[1]!r}") from exc
        elif len(parts) > 2:
            raise ValueError(f"{path.name}:{lineno}: expected 'phrase [weight]'")
        entries[parts[0]] = weight
    if not entries:
        raise ValueError(f"lexicon {name!r} is empty")
    return tuple(entries.items())


def phrase_list(phrases: list[str], lexicon: str | None, base_dir: str | None) -> list[str]:
    """Inline phrases followed by the lexicon's, de-duplicated in order."""
    out = list(phrases)
    if lexicon:
        out += [p for p, _ in load_lexicon(lexicon, base_dir)]
    return list(dict.fromkeys(out))


def load_scope(name: str, base_dir: str | None) -> Scope:
    """A scope lexicon: ``group:marker`` lines, the group one of :data:`telqc.inspection.scope.GROUPS`."""
    groups: dict[str, list[str]] = {g: [] for g in GROUPS}
    for entry, _ in load_lexicon(name, base_dir):
        group, sep, marker = entry.partition(":")
        if not sep or group not in groups or not marker:
            raise ValueError(f"lexicon {name!r}: {entry!r} is not 'group:marker' with a group of {', '.join(groups)}")
        groups[group].append(marker)
    return Scope(**{g: tuple(m) for g, m in groups.items()})
