"""Homophone typo correction against the index vocabulary (宽代 → 宽带)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from telqc.knowledge.homophones import Homophones, sound
from telqc.knowledge.inverted_index import Article, KnowledgeIndex

KNOWN = {"宽带": [1, 2, 3], "流量": [1, 2], "套餐": [1], "话费": [1, 2], "出国": [1]}
# characters as common as in the general dictionary: an IME typo is a common character
FREQ = {"的话": 1000, "出国": 500, "是": 800_000, "期间": 300, "代": 6666, "废": 2641, "亮": 4307, "参": 2849,
        "冇": 3, "冒": 1500, "用": 90_000}


def _corrector() -> Homophones:
    h = Homophones()
    for w in KNOWN:
        h.learn(w)
    return h


def test_sound_is_toneless_pinyin_per_character() -> None:
    assert sound("宽代") == sound("宽带") == ("kuan", "dai")


def test_same_sound_typos_become_indexed_words() -> None:
    h = _corrector()
    assert h.correct("装宽代要多少钱", KNOWN, FREQ) == "装宽带要多少钱"
    assert h.correct("查话废发什么短信", KNOWN, FREQ) == "查话费发什么短信"
    assert h.correct("共用流亮 套参", KNOWN, FREQ) == "共用流量 套餐"


def test_a_rare_character_is_typed_on_purpose_and_kept() -> None:
    h = Homophones()
    known = {"冒用": [1, 2]}
    h.learn("冒用")
    assert h.correct("重启都冇用", known, FREQ) == "重启都冇用"  # Cantonese 冇 (no), not a typo of 冒
    assert h.correct("身份证被冒甬", known, {**FREQ, "甬": 300}) == "身份证被冒用"


def test_words_and_function_characters_are_left_alone() -> None:
    h = _corrector()
    assert h.correct("帮朋友充的话", KNOWN, FREQ) == "帮朋友充的话"  # 的话 is a word
    assert h.correct("出国期间", KNOWN, FREQ) == "出国期间"  # 国 belongs to 出国


def test_a_word_the_index_forgot_is_not_a_correction() -> None:
    h = _corrector()
    assert h.correct("宽代", {"流量": [1]}, FREQ) == "宽代"


_HAN = st.text(alphabet=st.sampled_from("宽带代流量亮套餐参话费废的是我要办出国期间 ,a1"), max_size=30)


@given(_HAN)
def test_correction_keeps_length_and_is_idempotent(text: str) -> None:
    h = _corrector()
    once = h.correct(text, KNOWN, FREQ)
    assert len(once) == len(text)
    assert h.correct(once, KNOWN, FREQ) == once
    assert [c for c in once if not "\u4e00" <= c <= "\u9fff"] == [c for c in text if not "\u4e00" <= c <= "\u9fff"]


def test_index_search_reads_a_homophone_typo() -> None:
    index = KnowledgeIndex()
    index.add(Article(id="1", title="家庭宽带新装", body="千兆宽带每月100元，光猫免费提供。"))
    index.add(Article(id="2", title="话费余额查询", body="发送短信YE查询话费余额。"))
    at = datetime(2025, 1, 1, tzinfo=UTC)
    assert index.understand("想装个千兆的宽代") == "想装个千兆的宽带"
    assert index.search("想装个千兆的宽代", at=at).hits[0].id == "1"


def test_the_correction_is_offered_as_did_you_mean() -> None:
    index = KnowledgeIndex()
    index.add(Article(id="1", title="家庭宽带新装", body="千兆宽带每月100元。"))
    at = datetime(2025, 1, 1, tzinfo=UTC)
    assert index.search("宽代新装", at=at).suggestion == "宽带新装"
    assert index.search("宽带新装", at=at).suggestion is None
