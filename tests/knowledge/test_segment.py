"""Segmentation with the telecom dictionary, stopwords and the synonym table."""

from __future__ import annotations

import jieba

from telqc.knowledge.segment import DATA_DIR, char_bigrams, default, load_synonyms, normalize


def test_telecom_compounds_stay_whole() -> None:
    seg = default()
    assert seg.cut("宽带续费") == ["宽带续费"]
    assert "携号转网" in seg.cut("我想办理携号转网")
    assert "停机保号" in seg.cut("停机保号怎么收费")


def test_search_terms_add_parts_and_drop_stopwords() -> None:
    terms = default().terms("请问宽带续费怎么办理")
    assert {"宽带续费", "宽带", "续费", "办理"} <= set(terms)
    assert "请问" not in terms and "怎么" not in terms


def test_full_width_and_case_fold() -> None:
    assert normalize("ＷｉＦｉ") == "wifi"
    assert "5g套餐" in default().cut("5G套餐多少钱")


def test_private_tokenizer_leaves_global_jieba_alone() -> None:
    default().cut("携号转网")
    assert jieba.dt.FREQ.get("携号转网", 0) == 0


def test_dictionary_is_large_enough() -> None:
    lines = [ln for ln in (DATA_DIR / "telecom_dict.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(lines) >= 150


def test_synonym_groups_are_symmetric() -> None:
    table = load_synonyms(DATA_DIR / "synonyms.txt")
    assert "路由器" in table["无线猫"] and "无线猫" in table["路由器"]
    weights = default().expand(["无线猫"])
    assert weights["无线猫"] == 1.0 and weights["路由器"] < 1.0


def test_char_bigrams_skip_punctuation() -> None:
    assert char_bigrams("宽带，续费") == ["宽带", "带续", "续费"]
