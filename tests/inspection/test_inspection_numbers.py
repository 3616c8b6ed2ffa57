"""Number normalisation: every written form of an ID or mobile number reads back to its digits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telqc.inspection import numbers
from telqc.inspection.calls import Turn
from telqc.inspection.engine import evaluate
from telqc.inspection.rules import load_default_scorecard

ARABIC = dict(zip("0123456789", "0123456789", strict=True))
FULL = {str(d): chr(0xFF10 + d) for d in range(10)}
CHINESE = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
PHONE_HABIT = dict(zip("0123456789", "洞幺两三四五六七八九", strict=True))  # 幺 / 两 / 洞
FORMS = [ARABIC, FULL, CHINESE, PHONE_HABIT]


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.integers(110000, 659999))
    born = date(1930, 1, 1) + timedelta(days=draw(st.integers(0, 30_000)))
    seq = draw(st.integers(0, 999))
    body = f"{region:06d}{born:%Y%m%d}{seq:03d}"
    return body + numbers.id_check_char(body)


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    return draw(st.sampled_from(sorted(numbers.MOBILE_PREFIXES))) + f"{draw(st.integers(0, 10**8 - 1)):08d}"


@st.composite
def written(draw: st.DrawFn, digits: str) -> str:
    """The digits in a random form (one per digit, so forms mix), grouped with random separators."""
    out = []
    for i, d in enumerate(digits):
        if d == "X":
            out.append(draw(st.sampled_from(["X", "x", "叉"])))
        else:
            out.append(draw(st.sampled_from(FORMS))[d])
        if i < len(digits) - 1 and draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from([" ", "-", "，", "、", "\u3000"])))
    return "".join(out)


@given(st.one_of(id_numbers(), mobiles()).flatmap(lambda d: st.tuples(st.just(d), written(d))))
def test_any_written_form_reads_back(case: tuple[str, str]) -> None:
    digits, text = case
    found = numbers.numbers_in(f"好的，您的号码是{text}，对吗？")
    assert [run.digits for run, _ in found] == [digits]
    assert found[0][1] == ("id" if len(digits) == 18 else "mobile")


@given(id_numbers(), st.integers(0, 16))
def test_a_wrong_check_character_or_a_cut_number_is_not_an_id(digits: str, cut: int) -> None:
    wrong = digits[:17] + ("0" if digits[17] != "0" else "1")
    assert not numbers.is_id_number(wrong)
    assert [k for _, k in numbers.numbers_in(digits[:cut] + "****" + digits[cut + 4 :]) if k == "id"] == []


@given(mobiles())
def test_masked_and_tail_fragments_never_count(digits: str) -> None:
    assert numbers.numbers_in(f"{digits[:3]}****{digits[7:]}") == []
    assert numbers.numbers_in(f"尾号{digits[7:]}") == []


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("您的手机号是幺三八 幺二三四 五六七八，对吗？", True),
        ("我跟您核对一下，一三七洞洞两两三四五六。", True),
        ("您的证件号是440305198511211237。", True),
        ("号码是138****5678对吧", False),
        ("尾号五六七八的那张卡", False),
        ("您的工单号是13812345678，请记一下。", False),
        ("工单编号20241204001已经生成。", False),
        ("这个宽带账号是一个十二位的数字123456789012", False),
    ],
)
def test_agent_read_outs(text: str, fires: bool) -> None:
    turns = [Turn("agent", 0, 3000, "您好，工号1234为您服务。"), Turn("agent", 3000, 9000, text)]
    hits = [h for h in evaluate(load_default_scorecard(), turns) if h.rule_id == "agent_reads_id_number"]
    assert bool(hits) is fires
    if hits:
        assert hits[0].text.count("*") >= 7 and hits[0].why


def test_the_customer_reading_their_own_number_does_not_count() -> None:
    turns = [Turn("agent", 0, 3000, "您好，工号1234为您服务。"), Turn("customer", 3000, 9000, "我的号码是13812345678")]
    assert not [h for h in evaluate(load_default_scorecard(), turns) if h.rule_id == "agent_reads_id_number"]


@given(id_numbers().flatmap(lambda d: st.tuples(st.just(d), written(d[:17] + ("0" if d[17] != "0" else "1")))))
def test_a_wrong_check_character_counts_only_where_an_id_is_being_read(case: tuple[str, str]) -> None:
    """One misheard digit still reads the customer's ID out, when the turn says so (身份证, 复述, 核对)."""
    digits, text = case
    wrong = digits[:17] + ("0" if digits[17] != "0" else "1")
    assert numbers.has_id_structure(wrong) and not numbers.is_id_number(wrong)
    assert [run.digits for run, _ in numbers.numbers_in(f"好的，{text}，对吗？", structure=True)] == [wrong]
    turns = [Turn("agent", 0, 3000, "您好，工号1234为您服务。")]
    said = [Turn("agent", 3000, 9000, f"我复述一下您的身份证，{text}，对吗？")]
    plain = [Turn("agent", 3000, 9000, f"好的，{text}，对吗？")]
    card = load_default_scorecard()
    assert [h for h in evaluate(card, turns + said) if "身份证号" in h.why]
    assert not [h for h in evaluate(card, turns + plain) if "身份证号" in h.why]  # groups may still hold a mobile


@given(st.integers(0, 10**18 - 1))
def test_structure_needs_a_province_and_a_real_birth_date(n: int) -> None:
    digits = f"{n:018d}"
    if numbers.has_id_structure(digits):
        assert 11 <= int(digits[:2]) <= 82 and 1900 <= int(digits[6:10]) <= 2099
        assert date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
