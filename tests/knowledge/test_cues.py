"""Details stated without naming them (knowledge/cues.py): ages as numbers, two different places."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telqc.knowledge.cues import age_group, ages, chinese_number, load_places, places

_DIGIT = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """How a customer writes 0–99 in Chinese numerals: 十五, 二十, 七十三."""
    if n < 10:
        return _DIGIT[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGIT[tens]) + "十" + (_DIGIT[ones] if ones else "")


@given(st.integers(min_value=0, max_value=99))
def test_numbers_in_digits_and_chinese_numerals_read_back(n: int) -> None:
    assert chinese_number(str(n)) == n
    assert chinese_number(_chinese(n)) == n


@given(st.text(alphabet=st.sampled_from("零一二两三四五六七八九十百a1"), max_size=6))
def test_number_parser_never_raises_and_stays_in_range(text: str) -> None:
    n = chinese_number(text)
    assert n is None or 0 <= n <= 999_999


def test_not_numbers() -> None:
    assert chinese_number("十十") is None
    assert chinese_number("三五") is None
    assert chinese_number("") is None


@given(st.integers(min_value=1, max_value=99), st.sampled_from(["才{}岁", "他才{}", "快{}了", "{}周岁", "今年{}"]),
       st.booleans())
def test_an_age_is_read_in_the_ways_people_give_it(n: int, form: str, chinese: bool) -> None:
    text = "给我儿子办卡 " + form.format(_chinese(n) if chinese else n)
    assert ages(text) == [n]


@given(st.integers(min_value=1, max_value=99), st.sampled_from(["块", "元", "g", "个", "天", "分钟"]))
def test_a_price_or_a_quantity_is_not_an_age(n: int, unit: str) -> None:
    assert ages(f"快{n}{unit}了 怎么回事") == []
    assert ages(f"满{n}减5的券") == []


def test_age_groups_follow_the_articles_lines() -> None:
    assert age_group(15) == "未成年"
    assert age_group(16) is None and age_group(17) is None  # 16+ registers alone, legally still a minor
    assert age_group(18) == "成年"
    assert age_group(59) == "成年"
    assert age_group(60) == "老年"
    assert ages("我爸快七十 用不了多少流量") == [70]


def test_two_different_places_mean_elsewhere() -> None:
    p = places()
    assert p.elsewhere("在深圳上班 号是江西的")
    assert p.elsewhere("我号码是成都的 现在在重庆买了房")
    assert not p.elsewhere("成都 四川")  # a city and its own province
    assert not p.elsewhere("搬到杭州了 号码能改成杭州的吗")  # one place, twice
    assert not p.elsewhere("宽带网速慢")


def test_malformed_places_line_names_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "places.txt"
    bad.write_text("广东 广州 深圳\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"places.txt:1"):
        load_places(bad)
