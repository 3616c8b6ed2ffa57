"""Loading scorecards: every mistake names the rule id and the field, nothing half-loads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from telqc.inspection.rules import (
    RULE_KINDS,
    PhraseRule,
    RuleConfigError,
    load_default_scorecard,
    load_scorecard,
    load_scorecard_text,
    parse_scorecard,
)


def _card(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"name": "测试评分表", "rules": list(rules)}


def _phrase(**kw: Any) -> dict[str, Any]:
    return {"id": "r1", "kind": "phrase", "phrases": ["不知道"], "scorecard_item": "服务忌语", **kw}


def _error(data: Any) -> RuleConfigError:
    with pytest.raises(RuleConfigError) as info:
        parse_scorecard(data)
    return info.value


def test_default_scorecard_uses_every_kind() -> None:
    card = load_default_scorecard()
    assert {r.kind for r in card.rules} == set(RULE_KINDS)
    alerts = {r.id for r in card.rules if r.alert}
    assert {"agent_abusive", "escalation_threat", "long_silence", "unverified_account_change"} <= alerts


def test_unknown_kind_names_rule_and_field() -> None:
    err = _error(_card(_phrase(id="weird", kind="telepathy")))
    assert err.problems[0][:2] == ("weird", "kind")
    assert "telepathy" in str(err) and "'weird'" in str(err) and "'kind'" in str(err)


def test_bad_regex_names_rule_and_field() -> None:
    rule = {"id": "rx", "kind": "regex", "pattern": "(保证", "scorecard_item": "过度承诺"}
    err = _error(_card(rule))
    assert err.problems[0][:2] == ("rx", "pattern")
    assert "invalid regular expression" in str(err)


def test_regex_matching_empty_string_is_rejected() -> None:
    err = _error(_card({"id": "rx", "kind": "regex", "pattern": "a*", "scorecard_item": "x"}))
    assert err.problems[0][:2] == ("rx", "pattern")


def test_missing_field_names_rule_and_field() -> None:
    rule = _phrase()
    del rule["scorecard_item"]
    err = _error(_card(rule))
    assert err.problems == [("r1", "scorecard_item", "Field required")]


def test_missing_threshold_field_of_silence() -> None:
    err = _error(_card({"id": "quiet", "kind": "silence", "scorecard_item": "静音"}))
    assert err.problems[0][:2] == ("quiet", "max_gap_ms")


def test_unknown_field_is_forbidden() -> None:
    err = _error(_card(_phrase(colour="red")))
    assert err.problems[0][:2] == ("r1", "colour")


def test_missing_id_and_kind() -> None:
    err = _error(_card({"kind": "phrase", "phrases": ["x"], "scorecard_item": "x"}, {"id": "nokind"}))
    fields = {(rid, field) for rid, field, _ in err.problems}
    assert ("#0", "id") in fields and ("nokind", "kind") in fields


def test_all_problems_reported_at_once() -> None:
    err = _error(_card(_phrase(id="a", severity="fatal"), _phrase(id="a"), _phrase(id="b", lexicon="no_such_list")))
    fields = {(rid, field) for rid, field, _ in err.problems}
    assert fields == {("a", "severity"), ("a", "id"), ("b", "lexicon")}


def test_phrase_rule_needs_phrases() -> None:
    err = _error(_card({"id": "empty", "kind": "phrase", "scorecard_item": "x"}))
    assert err.problems[0][0] == "empty" and "phrases" in err.problems[0][2]


def test_speech_rate_bounds_must_be_ordered() -> None:
    rule = {"id": "rate", "kind": "speech_rate", "min_cps": 7, "max_cps": 2, "scorecard_item": "语速"}
    assert "min_cps" in str(_error(_card(rule)))


def test_scorecard_level_errors() -> None:
    assert _error({"name": "x", "rules": []}).problems[0][:2] == ("(scorecard)", "rules")
    assert _error([1, 2]).problems[0][0] == "(scorecard)"
    with pytest.raises(RuleConfigError, match="syntax"):
        load_scorecard_text("rules: [", "yaml")
    with pytest.raises(RuleConfigError, match="syntax"):
        load_scorecard_text("{", "json")


def test_json_and_yaml_files_with_local_lexicon(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("# 本地词表\n自定义词\n", encoding="utf-8")
    data = _card(_phrase(phrases=[], lexicon="mine"))
    (tmp_path / "card.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "card.yaml").write_text("name: 测试\nrules:\n  - " + json.dumps(data["rules"][0]), encoding="utf-8")
    for name in ("card.json", "card.yaml"):
        card = load_scorecard(tmp_path / name)
        rule = card.rules[0]
        assert isinstance(rule, PhraseRule) and rule.lexicon == "mine"


def test_bad_lexicon_weight_is_reported(tmp_path: Path) -> None:
    (tmp_path / "w.txt").write_text("生气 lots\n", encoding="utf-8")
    rule = {"id": "emo", "kind": "emotion", "lexicon": "w", "scorecard_item": "情绪"}
    err = _error_at(tmp_path, _card(rule))
    assert err.problems[0][:2] == ("emo", "lexicon") and "bad weight" in err.problems[0][2]


def _error_at(base: Path, data: Any) -> RuleConfigError:
    with pytest.raises(RuleConfigError) as info:
        parse_scorecard(data, base)
    return info.value
