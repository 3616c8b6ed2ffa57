"""Index behaviour: synonyms, validity window, channels, incremental edits, snippets, did-you-mean."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.knowledge.excerpts import lead, snippet
from telqc.knowledge.inverted_index import Article, KnowledgeIndex

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def ids(index: KnowledgeIndex, query: str, **kw: Any) -> list[str]:
    return [h.id for h in index.search(query, at=NOW, **kw).hits]


@pytest.fixture
def index() -> KnowledgeIndex:
    ix = KnowledgeIndex()
    ix.add(Article("router", "路由器无法上网", body="请重启路由器，检查网线是否插好。", category="fault"))
    ix.add(Article("renew", "宽带续费办理", body="宽带到期前可在掌上营业厅续费。", questions=("宽带怎么续费",)))
    ix.add(Article("port", "携号转网条件", body="需实名认证、无欠费。", audience="internal", tags=frozenset({"携转"})))
    return ix


def test_synonym_reaches_operator_wording(index: KnowledgeIndex) -> None:
    assert ids(index, "无线猫坏了")[0] == "router"


def test_untitled_answer_is_titled_by_its_lead_sentence() -> None:
    assert lead("国际漫游需要提前开通。出国前拨打客服热线。") == "国际漫游需要提前开通。"
    assert len(lead("长" * 500)) == 60
    ix = KnowledgeIndex()
    ix.add(Article("deep", "", body="出国前请检查套餐。很多客户忘记开通国际漫游，也可以在营业厅办理国际漫游。"))
    ix.add(Article("lead", "", body="国际漫游需要提前开通。出国前请检查套餐，到营业厅办理。"))
    assert ids(ix, "国际漫游怎么开通")[0] == "lead", "the sentence that restates the question weighs as a title"


def test_validity_window() -> None:
    ix = KnowledgeIndex()
    ix.add(Article("old", "宽带老资费", body="宽带资费", valid_to=NOW - timedelta(days=1)))
    ix.add(Article("next", "宽带新资费", body="宽带资费", valid_from=NOW + timedelta(days=1)))
    ix.add(Article("now", "宽带资费", body="宽带资费", valid_from=NOW - timedelta(days=1), valid_to=NOW + timedelta(1)))
    assert ids(ix, "宽带资费") == ["now"]
    later = [h.id for h in ix.search("宽带资费", at=NOW + timedelta(days=3)).hits]
    assert later == ["next"]


def test_naive_datetimes_are_refused(index: KnowledgeIndex) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Article("x", "t", valid_from=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        index.search("宽带", at=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="valid_to must be after"):
        Article("x", "t", valid_from=NOW, valid_to=NOW)


def test_channel_category_and_tags(index: KnowledgeIndex) -> None:
    assert ids(index, "携号转网") == ["port"]
    assert ids(index, "携号转网", customer_facing=True) == []
    assert ids(index, "携号转网", tags={"携转"}) == ["port"]
    assert ids(index, "携号转网", tags={"其他"}) == []
    assert ids(index, "路由器", category="fault") == ["router"]
    assert ids(index, "路由器", category="billing") == []


def test_publish_retire_update_without_rebuild(index: KnowledgeIndex) -> None:
    index.add(Article("roam", "国际漫游开通", body="出国前开通国际漫游。"))
    assert ids(index, "国际漫游") == ["roam"]
    assert index.remove("roam") and not index.remove("roam")
    assert ids(index, "国际漫游") == []
    before = ids(index, "宽带续费")
    index.add(Article("router", "宽带续费常见问题", body="宽带续费失败怎么办？宽带续费请先缴清欠费。"))
    after = ids(index, "宽带续费")
    assert before[0] == "renew" and after[0] == "router" and len(index) == 3


def test_snippet_marks_and_escapes() -> None:
    html = snippet("重启<路由器>后，路由器指示灯变绿", ["路由器"])
    assert html == "重启&lt;<mark>路由器</mark>&gt;后，<mark>路由器</mark>指示灯变绿"
    long = "无关内容" * 40 + "宽带续费在这里" + "结尾" * 40
    cut = snippet(long, ["宽带续费"], width=30)
    assert "<mark>宽带续费</mark>" in cut and cut.startswith("…") and cut.endswith("…")


def test_hits_carry_highlighted_snippet(index: KnowledgeIndex) -> None:
    hit = index.search("宽带续费", at=NOW).hits[0]
    assert "<mark>宽带</mark>" in hit.snippet and "宽带续费" in hit.matched_terms


def test_did_you_mean(index: KnowledgeIndex) -> None:
    assert index.search("宽代续费", at=NOW).suggestion == "宽带续费"
    assert index.suggest("携号专网") == "携号转网"
    assert index.suggest("宽带续费") is None
    assert index.suggest("无线猫") is None  # bridged by the synonym table, not a typo


WORDS = ["宽带", "续费", "光猫", "携号转网", "流量包", "副卡", "话费", "补卡", "路由器", "停机保号"]
texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map("".join)
ops = st.lists(st.tuples(st.sampled_from(["add", "remove"]), st.integers(0, 5), texts, texts), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None)
@given(ops=ops, query=texts)
def test_incremental_edits_equal_a_fresh_build(ops: list[tuple[str, int, str, str]], query: str) -> None:
    live = KnowledgeIndex()
    final: dict[str, Article] = {}
    for op, n, title, body in ops:
        live.search(query, at=NOW)  # compile postings so later edits must patch them
        if op == "add":
            final[f"d{n}"] = Article(f"d{n}", title, body=body)
            live.add(final[f"d{n}"])
        else:
            live.remove(f"d{n}")
            final.pop(f"d{n}", None)
    fresh = KnowledgeIndex()
    for art in final.values():
        fresh.add(art)
    got = {h.id: h.score for h in live.search(query, limit=10, at=NOW).hits}
    want = {h.id: h.score for h in fresh.search(query, limit=10, at=NOW).hits}
    assert got.keys() == want.keys()  # at most six documents, so limit=10 returns every match
    for key, score in want.items():
        assert got[key] == pytest.approx(score)
