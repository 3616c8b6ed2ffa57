"""The colloquial lexicon (data/colloquial.txt): well-formed, pointing at words the knowledge base uses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telqc.demo.kb_seed import ARTICLES
from telqc.knowledge.inverted_index import Article, KnowledgeIndex
from telqc.knowledge.segment import DATA_DIR, default, load_lexicon, normalize

HELDOUT = Path(__file__).parent / "data" / "heldout" / "answers.jsonl"
LEXICON = load_lexicon(DATA_DIR / "colloquial.txt")


def _demo_kb_text() -> str:
    """The demo knowledge base: the seeded articles and the held-out set's articles (never its queries)."""
    texts = [" ".join([title, *questions, body]) for title, _, _, questions, body in ARTICLES]
    with HELDOUT.open(encoding="utf-8") as fh:
        texts += [f"{row['title']} {row['text']}" for row in map(json.loads, fh)]
    return normalize("\n".join(texts))


def test_every_written_form_occurs_in_the_demo_kb() -> None:
    kb = _demo_kb_text()
    missing = [(said, w) for said, written in LEXICON.items() for w in written if w not in kb]
    assert not missing


def test_a_said_form_is_not_its_own_written_form() -> None:
    assert not [said for said, written in LEXICON.items() if said in written]


def test_malformed_line_names_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "lex.txt"
    bad.write_text("# comment\n猫 => 光猫\n冇网 断网\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lex.txt:2"):
        load_lexicon(bad)


def test_nicknames_and_regional_forms_reach_the_written_word() -> None:
    seg = default()
    assert "光猫" in seg.colloquial("猫一直亮红灯")
    assert "携号转网" in seg.colloquial("我想转网")
    assert "断网" in seg.colloquial("屋企冇网")


_TEXT = st.text(alphabet=st.sampled_from("猫转网冇信号屋企小卡宽代的我是,a "), max_size=25)


@given(_TEXT, _TEXT)
def test_written_forms_come_from_the_lexicon_and_only_grow_with_the_text(a: str, b: str) -> None:
    seg = default()
    values = {w for written in LEXICON.values() for w in written}
    found = seg.colloquial(a)
    assert set(found) <= values
    assert len(found) == len(set(found))
    assert set(found) <= set(seg.colloquial(a + b))


def test_search_finds_the_article_written_in_the_operator_wording() -> None:
    index = KnowledgeIndex()
    index.add(Article(id="1", title="携号转网办理", body="号码满120天即可申请携号转网。"))
    index.add(Article(id="2", title="话费余额查询", body="发送短信YE查询话费余额。"))
    assert index.search("我想转网到你们这边", at=datetime(2025, 1, 1, tzinfo=UTC)).hits[0].id == "1"
