"""Automatic-inspection rule configuration: schema and scorecard loading (lexicon files: `lexicon_files`).

A scorecard's rule set is plain data (YAML or JSON) edited by administrators, so
every mistake must come back as an error naming the rule id and the field (the
"bad input gets a clear, specific error" non-negotiable in DESIGN.md). Nothing
here evaluates text; :mod:`telqc.inspection.engine` compiles these models once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from telqc.inspection.learned import load_model
from telqc.inspection.lexicon_files import load_lexicon

DEFAULT_SCORECARD = Path(__file__).with_name("default_scorecard.yaml")

Speaker = Literal["agent", "customer", "any"]


class Severity(StrEnum):
    """How bad a hit is; ``critical`` maps to the scorecard's fatal items (KPI.md 致命差错率)."""

    info = "info"
    warn = "warn"
    critical = "critical"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _RuleBase(_Model):
    """Fields every rule has: who it listens to, how bad a hit is, whether a supervisor is paged."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$")
    name: str = ""
    description: str = ""
    speaker: Speaker = "any"
    severity: Severity = Severity.warn
    alert: bool = False
    scorecard_item: str = Field(min_length=1)
    enabled: bool = True


class _PhraseSource(_Model):
    """A phrase set: inline phrases plus an optional lexicon file, minus exclusions.

    Exclusions suppress a hit lying inside a longer harmless phrase (``知不知道`` contains
    ``不知道``); they are cheaper and clearer than regex look-arounds.
    """

    phrases: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    lexicon: str | None = None
    exclude: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    exclude_lexicon: str | None = None

    @model_validator(mode="after")
    def _has_phrases(self) -> _PhraseSource:
        if not self.phrases and not self.lexicon:
            raise ValueError("needs 'phrases' or 'lexicon'")
        return self


class _Learned(_Model):
    """An optional learned model (telqc.inspection.learned) that fires the rule on its own too."""

    model: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    model_threshold: float | None = Field(default=None, gt=0, lt=1)


class PhraseRule(_RuleBase, _PhraseSource, _Learned):
    """Fires on every (non-overlapping) occurrence of a listed phrase: forbidden words, threats, abuse."""

    kind: Literal["phrase"]
    negation: bool = False  # skip a phrase preceded by a negation word ("我不投诉")
    negation_lexicon: str = "negation"
    # clause scope markers (``negation:``/``hypothetical:``/``reported:``/``past:`` lines): skip a
    # phrase that is negated, hypothetical, someone else's words or a past event (telqc.inspection.scope)
    scope_lexicon: str | None = None


class RegexRule(_RuleBase):
    """Fires on each regex match; ``prefilter`` literals gate the regex so most turns never run it."""

    kind: Literal["regex"]
    pattern: str = Field(min_length=1)
    ignore_case: bool = False
    prefilter: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
        if compiled.match(""):
            raise ValueError("pattern matches the empty string")
        return value


class PositionRule(_RuleBase, _PhraseSource):
    """Fires when a required phrase is MISSING from where the service standard puts it.

    ``anchor=start``: standard greeting in the first ``turns`` agent turns or any agent turn
    starting within ``within_ms``; ``anchor=end``: closing phrase in the last ``turns`` agent turns.
    """

    kind: Literal["position"]
    anchor: Literal["start", "end"]
    speaker: Speaker = "agent"
    turns: int = Field(default=1, ge=1, le=50)
    within_ms: int | None = Field(default=None, ge=0)
    # a second phrase set that must occur in the same turn (greeting: 您好 *and* a self-introduction)
    also_phrases: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    also_lexicon: str | None = None


class OrderRule(_RuleBase, _PhraseSource):
    """Fires when a trigger phrase (account change) comes with no earlier prerequisite (verification).

    Unverified identity before an account change is a fatal item (KPI.md), hence a rule kind.
    ``speaker`` filters the trigger, ``require_speaker`` the prerequisite.
    """

    kind: Literal["order"]
    require_phrases: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    require_lexicon: str | None = None
    require_speaker: Speaker = "any"
    once: bool = True
    # Dialogue-state tracking (telqc.inspection.dialogue) when ``ask_lexicon`` is set: the agent asks
    # (ask), the customer supplies (digits or supply) or refuses (refuse), the agent confirms (the
    # require set) or rejects (fail); triggers in a clause with a not_account or hypothetical phrase
    # (repairs, offers, conditions) are not account changes performed now.
    ask_lexicon: str | None = None
    supply_lexicon: str | None = None
    refuse_lexicon: str | None = None
    fail_lexicon: str | None = None
    not_account_lexicon: str | None = None
    hypothetical_lexicon: str | None = None
    # generic completions of the agent (提交了, 关掉了) count as the action only once either side has
    # named an account-change request (副卡, 漫游, 挂失): "我这边提交了" in a repair call is a ticket
    request_lexicon: str | None = None
    completion_lexicon: str | None = None

    @model_validator(mode="after")
    def _has_requirement(self) -> OrderRule:
        if not self.require_phrases and not self.require_lexicon:
            raise ValueError("needs 'require_phrases' or 'require_lexicon'")
        return self


class SilenceRule(_RuleBase):
    """Dead air: a gap longer than ``max_gap_ms`` since everybody stopped talking."""

    kind: Literal["silence"]
    max_gap_ms: int = Field(gt=0)


class OverlapRule(_RuleBase):
    """Interruption: ``speaker`` starts while the other side is still talking, by > ``min_overlap_ms``."""

    kind: Literal["overlap"]
    speaker: Speaker = "agent"
    min_overlap_ms: int = Field(default=1000, ge=0)


class SpeechRateRule(_RuleBase):
    """Chars per second per turn outside bounds; short turns are skipped as too noisy to judge."""

    kind: Literal["speech_rate"]
    speaker: Speaker = "agent"
    min_cps: float | None = Field(default=None, gt=0)
    max_cps: float | None = Field(default=None, gt=0)
    min_duration_ms: int = Field(default=2000, ge=1)
    min_chars: int = Field(default=8, ge=1)

    @model_validator(mode="after")
    def _bounds(self) -> SpeechRateRule:
        if self.min_cps is None and self.max_cps is None:
            raise ValueError("needs 'min_cps' or 'max_cps'")
        if self.min_cps is not None and self.max_cps is not None and self.min_cps >= self.max_cps:
            raise ValueError("'min_cps' must be below 'max_cps'")
        return self


class TalkRatioRule(_RuleBase):
    """Agent talk time / customer talk time outside bounds: monologue or a mute agent."""

    kind: Literal["talk_ratio"]
    min_ratio: float | None = Field(default=None, ge=0)
    max_ratio: float | None = Field(default=None, gt=0)
    min_total_ms: int = Field(default=30_000, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> TalkRatioRule:
        if self.min_ratio is None and self.max_ratio is None:
            raise ValueError("needs 'min_ratio' or 'max_ratio'")
        return self


class EmotionRule(_RuleBase, _Learned):
    """Customer negative emotion: weighted lexicon score per turn with negation and degree words."""

    kind: Literal["emotion"]
    speaker: Speaker = "customer"
    lexicon: str = "sentiment_negative"
    negation_lexicon: str = "negation"
    degree_lexicon: str = "degree"
    exclude: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    threshold: float = Field(default=2.0, gt=0)
    # clause scope (telqc.inspection.scope): "之前我挺生气的，不过后来处理好了" is not anger now
    scope_lexicon: str | None = None


class IdNumberRule(_RuleBase):
    """Agent reading out a full 18-digit resident ID or 11-digit mobile number (personal-data leak, fatal)."""

    kind: Literal["id_number"]
    speaker: Speaker = "agent"
    checksum: bool = True
    spoken_digits: bool = True
    phones: bool = False  # also full mobile numbers (segment-checked)
    # words just before a number that make it a ticket/order number, not personal data
    not_after: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    # words in the same turn that say an ID is being read back (身份证, 复述, 核对): then an 18-digit
    # number with an ID's structure counts even if its check character is wrong (one digit misheard
    # or mistyped is still the customer's ID read out)
    id_context: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)


Rule = Annotated[
    PhraseRule
    | RegexRule
    | PositionRule
    | OrderRule
    | SilenceRule
    | OverlapRule
    | SpeechRateRule
    | TalkRatioRule
    | EmotionRule
    | IdNumberRule,
    Field(discriminator="kind"),
]
RULE_KINDS: tuple[str, ...] = (
    "phrase",
    "regex",
    "position",
    "order",
    "silence",
    "overlap",
    "speech_rate",
    "talk_ratio",
    "emotion",
    "id_number",
)
_RULE_ADAPTER: TypeAdapter[Any] = TypeAdapter(Rule)


class Scorecard(_Model):
    """A named, versioned rule set; ``base_dir`` resolves lexicon paths relative to the file."""

    name: str = Field(min_length=1)
    version: int = Field(default=1, ge=1)
    rules: tuple[Rule, ...]
    base_dir: str | None = None

    def active_rules(self) -> tuple[Any, ...]:
        return tuple(r for r in self.rules if r.enabled)


class RuleConfigError(ValueError):
    """All problems of a rule set at once, each as (rule id, field, message)."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        lines = [f"rule {rid!r}, field {field!r}: {msg}" for rid, field, msg in problems]
        super().__init__("invalid rule set:\n  " + "\n  ".join(lines))


def _lexicon_fields(rule: Any) -> list[tuple[str, str]]:
    fields = ["lexicon", "exclude_lexicon", "require_lexicon", "negation_lexicon", "degree_lexicon", "also_lexicon",
              "scope_lexicon", "ask_lexicon", "supply_lexicon", "refuse_lexicon", "fail_lexicon",
              "not_account_lexicon", "hypothetical_lexicon", "request_lexicon", "completion_lexicon"]
    return [(f, getattr(rule, f)) for f in fields if getattr(rule, f, None)]


# ---------------------------------------------------------------- loading


def _field_of(loc: tuple[Any, ...], kind: str | None) -> str:
    parts = [str(p) for p in loc]
    if parts and kind is not None and parts[0] == kind:
        parts = parts[1:]  # drop the discriminator tag pydantic puts first
    return ".".join(parts) or "(rule)"


def _rule_problems(index: int, raw: Any, base_dir: str | None) -> tuple[Any, list[tuple[str, str, str]]]:
    if not isinstance(raw, Mapping):
        return None, [(f"#{index}", "(rule)", "a rule must be a mapping")]
    rid = str(raw.get("id") or f"#{index}")
    kind = raw.get("kind")
    if kind is None:
        return None, [(rid, "kind", "missing")]
    if kind not in RULE_KINDS:
        return None, [(rid, "kind", f"unknown kind {kind!r}; expected one of {', '.join(RULE_KINDS)}")]
    try:
        rule = _RULE_ADAPTER.validate_python(dict(raw))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            problems.append((rid, _field_of(err["loc"], str(kind)), msg))
        return None, problems
    problems = []
    for field, name in _lexicon_fields(rule):
        try:
            load_lexicon(name, base_dir)
        except (FileNotFoundError, ValueError) as exc:
            problems.append((rid, field, str(exc)))
    if getattr(rule, "model", None):
        try:
            load_model(rule.model, base_dir)
        except (FileNotFoundError, ValueError, KeyError) as exc:
            problems.append((rid, "model", str(exc)))
    return rule, problems


def parse_scorecard(data: Any, base_dir: str | Path | None = None) -> Scorecard:
    """Validate already-parsed YAML/JSON data; raises :class:`RuleConfigError` listing every problem."""
    base = str(base_dir) if base_dir is not None else None
    if not isinstance(data, Mapping):
        raise RuleConfigError([("(scorecard)", "(root)", "expected a mapping with 'name' and 'rules'")])
    problems: list[tuple[str, str, str]] = []
    # ``pass_mark``/``items`` are the scoring half of the card (telqc.inspection.carddef).
    unknown = set(data) - {"name", "version", "rules", "pass_mark", "items"}
    problems += [("(scorecard)", key, "unknown field") for key in sorted(unknown)]
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append(("(scorecard)", "rules", "expected a non-empty list of rules"))
        raw_rules = []
    rules, seen = [], set()
    for index, raw in enumerate(raw_rules):
        rule, rule_problems = _rule_problems(index, raw, base)
        problems += rule_problems
        rid = raw.get("id") if isinstance(raw, Mapping) else None
        if rid is not None and rid in seen:
            problems.append((str(rid), "id", "duplicate rule id"))
        seen.add(rid)
        if rule is not None:
            rules.append(rule)
    try:
        card = Scorecard(name=data.get("name", ""), version=data.get("version", 1), rules=(), base_dir=base)
    except ValidationError as exc:
        problems += [("(scorecard)", _field_of(e["loc"], None), e["msg"]) for e in exc.errors()]
    if problems:
        raise RuleConfigError(problems)
    return card.model_copy(update={"rules": tuple(rules)})


def load_scorecard_text(
    text: str, fmt: Literal["yaml", "json"] = "yaml", base_dir: str | Path | None = None
) -> Scorecard:
    """Parse YAML or JSON text; syntax errors become a :class:`RuleConfigError` too."""
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise RuleConfigError([("(scorecard)", "(syntax)", str(exc))]) from exc
    return parse_scorecard(data, base_dir)


def load_scorecard(path: str | Path) -> Scorecard:
    """Load a ``.yaml``/``.yml``/``.json`` scorecard; lexicon names resolve next to the file first."""
    path = Path(path)
    fmt: Literal["yaml", "json"] = "json" if path.suffix.lower() == ".json" else "yaml"
    return load_scorecard_text(path.read_text(encoding="utf-8"), fmt, base_dir=path.parent)


def load_default_scorecard() -> Scorecard:
    """The shipped rule set wired to the built-in lexicons."""
    return load_scorecard(DEFAULT_SCORECARD)
