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


@pytest.mark.parametrize(("text", "name", "value"), [
    ("号码不是本地的 装网只能单独办吗", "place", "异地"),  # a negated cue: the other value
    ("本地号码办融合", "place", "本地"),
    ("后付费改为预付费", "payment", "预付费"),  # a change: the value it changes to
    ("预付费改为后付费", "payment", "后付费"),
    ("月结的改成先充值后用", "payment", "预付费"),
    ("不想用5g了 改个4g套餐", "generation", "4G"),
    ("5g套餐太贵了 想换回便宜点的", "generation", "4G"),  # away from 5G
    ("5G套餐档位介绍与选择", "generation", "5G"),
    ("给我儿子办张卡 他才15", "age", "未成年"),  # given indirectly
    ("我爸快七十了 有便宜套餐吗", "age", "老年"),
    ("在深圳上班 号是江西的 想装宽带", "place", "异地"),
    ("每个月先充钱那种", "payment", "预付费"),
])
def test_what_a_text_states(text: str, name: str, value: str) -> None:
    assert default().stated(text)[name] == {value}


def test_a_discount_is_not_an_age() -> None:
    assert "age" not in default().stated("领了个满50减5的券")


def test_the_index_reads_an_implied_detail_as_its_written_form() -> None:
    index = KnowledgeIndex()
    index.add(Article(id="1", title="未成年人办卡实名登记", body="监护人陪同办理"))
    assert "未成年" in index.understand("娃上初一 想给他弄个号码")
    assert index.stated("给我儿子办张卡 他才15") == {"age": frozenset({"未成年"})}


def _titles(ids: list[str]) -> dict[str, str]:
    pool = ["港澳台漫游功能开通", "国际漫游流量包订购", "国际漫游功能开通（港澳台除外）", "话费余额查询",
            "副卡补卡换卡", "宽带同城移机", "宽带跨城市迁移", "单独退订IPTV"]
    return {aid: pool[int(aid) % len(pool)] for aid in ids}


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=0, max_size=15, unique=True),
       st.sampled_from(["去香港用手机", "去日本出差", "搬到别的城市宽带", "同城搬家", "话费", "电视不要了"]))
def test_decide_only_reorders_articles_that_state_the_detail(ids: list[int], query: str) -> None:
    table = default()
    ranked = [(str(i), float(100 - n)) for n, i in enumerate(ids)]
    titles = _titles([a for a, _ in ranked])
    stated = table.stated(query)
    out = table.decide(stated, ranked, titles.__getitem__)
    assert [sc for _, sc in out] == [sc for _, sc in ranked]  # every place keeps its score
    assert sorted(a for a, _ in out) == sorted(a for a, _ in ranked)
    decisive = {n for n, v in stated.items() if len(v) == 1 and n not in table.weak}
    for (before, _), (after, _) in zip(ranked, out, strict=True):
        if not any(table.stated(titles[before]).get(n) for n in decisive):
            assert before == after  # an article silent on the detail keeps its place


def test_decide_puts_the_stated_value_first_inside_the_cluster() -> None:
    table = default()
    titles = {"intl": "国际漫游流量包订购", "bill": "话费余额查询", "hk": "港澳台漫游功能开通"}
    ranked = [("intl", 3.0), ("bill", 2.0), ("hk", 1.0)]
    out = table.decide(table.stated("去香港玩 手机上网买个啥"), ranked, titles.__getitem__)
    assert [a for a, _ in out] == ["hk", "bill", "intl"]
    # a weak attribute (action) re-ranks lexically only: it never reorders a fused ranking
    weak = table.decide(table.stated("电视不要了 取消"), [("a", 2.0), ("b", 1.0)],
                        {"a": "IPTV加装第二台电视", "b": "单独退订IPTV"}.__getitem__)
    assert [a for a, _ in weak] == ["a", "b"]


def test_settle_applies_what_the_search_read_to_a_fused_ranking() -> None:
    index = KnowledgeIndex()
    index.add(Article(id="hk", title="港澳台漫游功能开通", body="出行前开通漫游功能。"))
    index.add(Article(id="intl", title="国际漫游流量包订购", body="出行前订购流量包。"))
    index.add(Article(id="bill", title="话费余额查询", body="查询余额。"))
    res = index.search("下周去澳门 手机漫游", at=AT)
    assert res.stated == {"region": frozenset({"港澳台"})}
    fused = [("intl", 3.0), ("bill", 2.0), ("hk", 1.0)]  # as a learned model might order them
    assert index.settle(res.stated, fused) == [("hk", 3.0), ("bill", 2.0), ("intl", 1.0)]
    assert index.settle({}, fused) == fused
