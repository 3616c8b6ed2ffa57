"""The scoring half of a scorecard (评分表): items, weights, categories, fatal items, pass mark.

Pure: YAML text in, a validated :class:`CardDef` out; item values in, a score out. The QA
score, pass rate and fatal error rate (KPI.md 质检得分 / 质检合格率 / 致命差错率) are all
computed from :func:`compute`, so the rule "a fatal item zeroes the score" lives only here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from telqc.inspection.rules import RuleConfigError, Scorecard, parse_scorecard


class Category(StrEnum):
    opening = "opening"            # 开场问候
    verification = "verification"  # 身份核实
    listening = "listening"        # 倾听理解
    solution = "solution"          # 解答准确
    etiquette = "etiquette"        # 服务礼仪
    compliance = "compliance"      # 合规
    closing = "closing"            # 结束语


class Mode(StrEnum):
    manual = "manual"
    automatic = "automatic"
    automatic_review = "automatic_review"  # the engine proposes, an inspector confirms or overrides


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_.]*$")
    name: str = Field(min_length=1)
    category: Category
    weight: float = Field(ge=0, le=100)
    fatal: bool = False
    mode: Mode = Mode.manual
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class CardDef:
    """A validated scorecard: scoring items plus the automatic rule set they draw on."""

    name: str
    version: int
    pass_mark: float
    items: tuple[Item, ...]
    rules: Scorecard

    def item(self, code: str) -> Item | None:
        return next((i for i in self.items if i.code == code), None)

    @property
    def rule_item(self) -> dict[str, str]:
        return {rid: i.code for i in self.items for rid in i.rules}

    @property
    def total_weight(self) -> float:
        return sum(i.weight for i in self.items if not i.fatal)


def parse(text: str, base_dir: str | Path | None = None) -> CardDef:
    """Validate a whole scorecard file; every problem names the item or rule and the field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleConfigError([("(scorecard)", "(syntax)", str(exc))]) from exc
    if not isinstance(data, Mapping):
        raise RuleConfigError([("(scorecard)", "(root)", "expected a mapping")])
    problems: list[tuple[str, str, str]] = []
    try:
        rules = parse_scorecard(data, base_dir)
    except RuleConfigError as exc:
        problems += exc.problems
        rules = None
    pass_mark = data.get("pass_mark")
    if not isinstance(pass_mark, int | float) or isinstance(pass_mark, bool) or not 0 <= pass_mark <= 100:
        problems.append(("(scorecard)", "pass_mark", "expected a number between 0 and 100"))
    items: list[Item] = []
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.append(("(scorecard)", "items", "expected a non-empty list of items"))
        raw_items = []
    for n, raw in enumerate(raw_items):
        label = f"item {raw.get('code', '#' + str(n))}" if isinstance(raw, Mapping) else f"item #{n}"
        try:
            items.append(Item.model_validate(raw))
        except ValidationError as exc:
            problems += [(label, ".".join(map(str, e["loc"])) or "(item)", e["msg"]) for e in exc.errors()]
    problems += _cross_check(items, {r.id for r in rules.rules} if rules else None)
    if problems:
        raise RuleConfigError(problems)
    assert rules is not None and isinstance(pass_mark, int | float)  # no problems: both were checked above
    return CardDef(rules.name, rules.version, float(pass_mark), tuple(items), rules)


def _cross_check(items: list[Item], rule_ids: set[str] | None) -> list[tuple[str, str, str]]:
    problems: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    used: dict[str, str] = {}
    for it in items:
        label = f"item {it.code}"
        if it.code in seen:
            problems.append((label, "code", "duplicate item code"))
        seen.add(it.code)
        if it.mode != Mode.manual and not it.rules:
            problems.append((label, "rules", f"mode {it.mode.value} needs at least one rule"))
        for rid in it.rules:
            if rule_ids is not None and rid not in rule_ids:
                problems.append((label, "rules", f"unknown rule {rid!r}"))
            if rid in used:
                problems.append((label, "rules", f"rule {rid!r} already scores item {used[rid]}"))
            used[rid] = it.code
    if items and sum(i.weight for i in items if not i.fatal) <= 0:
        problems.append(("(scorecard)", "items", "non-fatal items must carry some weight"))
    return problems


@dataclass(frozen=True)
class Result:
    score: float
    passed: bool
    fatal: bool
    failed_fatal: tuple[str, ...]


def auto_values(card: CardDef, fired_rules: Iterable[str]) -> dict[str, float]:
    """What the engine proposes per non-manual item: full weight, or 0 when a linked rule fired.

    A fatal item's value is 1 (met) or 0 (failed): its weight is 0 but its failure is not.
    """
    fired = set(fired_rules)
    out = {}
    for it in card.items:
        if it.mode == Mode.manual:
            continue
        met = not (fired & set(it.rules))
        out[it.code] = (1.0 if met else 0.0) if it.fatal else (it.weight if met else 0.0)
    return out


def compute(card: CardDef, values: Mapping[str, float], *, only: Iterable[str] | None = None) -> Result:
    """Score 0–100 over the items in ``only`` (default all); any failed fatal item makes it 0."""
    codes = set(only) if only is not None else {i.code for i in card.items}
    fatal = tuple(sorted(i.code for i in card.items if i.fatal and i.code in codes and values.get(i.code) == 0))
    weights = sum(i.weight for i in card.items if not i.fatal and i.code in codes)
    got = sum(values.get(i.code, 0.0) for i in card.items if not i.fatal and i.code in codes)
    score = 0.0 if fatal or weights == 0 else round(100.0 * got / weights, 2)
    return Result(score, not fatal and score >= card.pass_mark, bool(fatal), fatal)


def check_values(card: CardDef, values: Mapping[str, Any], required: set[str]) -> list[tuple[str, str, float]]:
    """Problems of submitted item values as (item code, kind, top): kind is ``unknown``, ``range`` (0…top) or
    ``missing``; the caller words them for its reader (`telqc.inspection.scoring.resolve_values`)."""
    problems: list[tuple[str, str, float]] = []
    for code, v in values.items():
        it = card.item(code)
        if it is None:
            problems.append((code, "unknown", 0.0))
            continue
        top = 1.0 if it.fatal else it.weight
        if not isinstance(v, int | float) or isinstance(v, bool) or not 0 <= v <= top:
            problems.append((code, "range", top))
    problems += [(code, "missing", 0.0) for code in sorted(required - set(values))]
    return problems


def describe(card: CardDef) -> list[dict[str, Any]]:
    return [it.model_dump(mode="json") for it in card.items]
