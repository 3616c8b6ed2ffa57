"""Attribute re-ranking inside near-duplicate clusters (data/attributes.txt)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telqc.knowledge.attributes import BOOST, DEMOTE, default, load_attributes
from telqc.knowledge.inverted_index import Article, KnowledgeIndex

AT = datetime(2025, 1, 1, tzinfo=UTC)


def test_values_are_read_longest_cue_first() -> None:
    table = default()
    assert table.stated("未成年人办卡实名登记")["age"] == {"未成年"}
    assert table.stated("成年人新入网实名登记")["age"] == {"成年"}
    assert table.stated("下个月去德国出差")["region"] == {"国际"}
    assert table.stated("国际漫游功能开通（港澳台除外）")["region"] == {"国际", "港澳台"}


def test_factor_boosts_the_same_value_and_demotes_only_another() -> None:
    table = default()
    query = table.stated("去香港用手机上网")
    assert table.factor(query, table.stated("港澳台漫游功能开通")) == BOOST
    assert table.factor(query, table.stated("国际漫游流量包订购")) == DEMOTE
    assert table.factor(query, table.stated("国际漫游功能开通（港澳台除外）")) == 1.0  # states both
    assert table.factor(query, table.stated("话费余额查询")) == 1.0


def test_malformed_line_names_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "attrs.txt"
    bad.write_text("card | 副卡: 副卡 | 主卡 主号\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"attrs.txt:1"):
        load_attributes(bad)


@given(st.text(alphabet=st.sampled_from("港澳台国际日本主副卡预付费后同城异地外省成年未人的 a"), max_size=30),
       st.text(alphabet=st.sampled_from("港澳台国际日本主副卡预付费后同城异地外省成年未人的 a"), max_size=30))
def test_factor_is_neutral_unless_the_query_states_exactly_one_value(query: str, title: str) -> None:
    table = default()
    stated = table.stated(query)
    factor = table.factor(stated, table.stated(title))
    if not any(len(v) == 1 for v in stated.values()):
        assert factor == 1.0
    assert factor > 0


def test_stated_detail_decides_between_near_duplicates() -> None:
    index = KnowledgeIndex()
    index.add(Article(id="hk", title="港澳台漫游功能开通", body="出行前开通漫游功能，按目的地订购流量包。"))
    index.add(Article(id="intl", title="国际漫游流量包订购", body="出行前开通漫游功能，按目的地订购流量包。"))
    assert index.search("去香港出差漫游怎么开", at=AT).hits[0].id == "hk"
    assert index.search("去日本出差漫游怎么开", at=AT).hits[0].id == "intl"
    off = KnowledgeIndex(rerank_depth=0)
    off.add(Article(id="1", title="副卡补卡", body="补卡"))
    assert off.search("副卡补卡", at=AT).hits[0].id == "1"


def test_action_splits_install_from_cancel() -> None:
    table = default()
    assert table.stated("店里想装个座机")["action"] == {"新办"}
    assert table.stated("固定电话拆机")["action"] == {"取消"}
    assert table.factor(table.stated("想装个座机"), table.stated("固定电话拆机")) == DEMOTE
    assert table.factor(table.stated("想装个座机"), table.stated("固定电话新装")) == BOOST
