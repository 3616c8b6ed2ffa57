"""Learned checks: the shipped tables are what their utterance files train to, and hits explain themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from telqc.inspection import training
from telqc.inspection.calls import Turn
from telqc.inspection.engine import evaluate
from telqc.inspection.learned import MODEL_DIR, load_model
from telqc.inspection.rules import load_default_scorecard

GREET = Turn("agent", 0, 3000, "您好，工号1234为您服务。")


@pytest.mark.parametrize("name", sorted(training.SETTINGS))
def test_shipped_model_is_what_its_utterances_train_to(name: str) -> None:
    shipped = json.loads((MODEL_DIR / f"{name}.json").read_text(encoding="utf-8"))
    fresh = json.loads(training.train_shipped(name).to_json())
    assert fresh["threshold"] == shipped["threshold"] and fresh["max_n"] == shipped["max_n"]
    assert set(fresh["weights"]) == set(shipped["weights"]), f"run: telqc inspect train {name}"
    assert max(abs(fresh["weights"][g] - w) for g, w in shipped["weights"].items()) < 1e-3
    assert abs(fresh["bias"] - shipped["bias"]) < 1e-3


def test_automaton_score_equals_plain_text_score() -> None:
    """The engine scores from its one automaton pass; that must be the model's own score."""
    model = load_model("anger")
    text = "你们到底有没有人管？我都打了三次了！"
    turns = [GREET, Turn("customer", 3000, 8000, text)]
    hit = next(h for h in evaluate(load_default_scorecard(), turns) if h.why.startswith("模型"))
    assert hit.value == pytest.approx(model.probability(text), abs=1e-3)


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("我真的受够了，每次打过来都让我等等等！", True),  # no swear word, no lexicon entry
        ("你哋做嘢咁慢，我等咗成个礼拜啦！", True),
        ("好的，那我等你们的短信通知。", False),
        ("我不生气，就是想问清楚怎么回事。", False),
    ],
)
def test_anger_without_lexicon_words(text: str, fires: bool) -> None:
    turns = [GREET, Turn("customer", 3000, 8000, text)]
    hits = [h for h in evaluate(load_default_scorecard(), turns) if h.rule_id == "customer_negative_emotion"]
    assert bool(hits) is fires
    for h in hits:
        assert h.turn_index == 1 and h.text and h.text in text and h.why


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("这事跟我说没用，我管不了。", True),
        ("那是你自己操作的问题，跟我们没关系。", True),
        ("不知道您现在方便接听吗？", False),
        ("我帮您提交工单并跟进进度。", False),
    ],
)
def test_dismissive_paraphrases(text: str, fires: bool) -> None:
    turns = [GREET, Turn("agent", 3000, 8000, text)]
    hits = [h for h in evaluate(load_default_scorecard(), turns) if h.rule_id == "forbidden_phrase"]
    assert bool(hits) is fires


def test_training_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("1\t好\n2\t坏\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv:2"):
        training.read_tsv(path)
