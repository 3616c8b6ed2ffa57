"""Plan recommendation: the cost arithmetic on hand-made households, and properties on random catalogues."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.insight.recommend import Month, Plan, recommend

GB = 1024
# fee, data quota, voice quota, overage per GB and per minute — all fen
S39 = Plan("S39", "轻享39", 3900, 10 * GB, 100, 500, 15)
M79 = Plan("M79", "畅享79", 7900, 40 * GB, 500, 500, 15)
L129 = Plan("L129", "畅享129", 12900, 100 * GB, 1000, 300, 10)
F109 = Plan("F109", "亲情109", 10900, 100 * GB, 1000, 300, 10, is_family=True, members=2)
F169 = Plan("F169", "全家享169", 16900, 120 * GB, 2000, 300, 10, is_family=True, members=4)
CATALOGUE = [S39, M79, L129, F109, F169]


def months(*usage: tuple[int, int]) -> list[Month]:
    return [Month(gb * GB, minutes) for gb, minutes in usage]


def test_student_heavy_on_data() -> None:
    # mean 45 GB, 60 min. 轻享39: 3900 + 35 GB × 500 = 21400. 畅享79: 7900 + 5 × 500 = 10400.
    # 畅享129 covers even the 50 GB month but costs 12900 > 10400, so it is not preferred. Family plans: not for 1.
    r = recommend(CATALOGUE, "S39", months((40, 50), (45, 60), (50, 70)), household=1)
    assert r.plan == M79
    assert (r.current_cost_fen, r.current_overage_fen, r.cost_fen, r.saving_fen) == (21400, 17500, 10400, 11000)
    assert r.text == (
        "近3个月平均每月流量 45 GB、通话 60 分钟，当前套餐 轻享39 超出费用 175 元，改为 畅享79 每月预计节省 110 元"
    )


def test_retiree_light_user() -> None:
    # mean 2 GB, 250 min on 畅享129 (12900). 轻享39: 3900 + 150 min × 15 = 6150; 畅享79: 7900.
    r = recommend(CATALOGUE, "L129", months((2, 200), (3, 250), (1, 300)), household=1)
    assert r.plan == S39
    assert (r.current_cost_fen, r.cost_fen, r.saving_fen) == (12900, 6150, 6750)
    assert r.text == "近3个月平均每月流量 2 GB、通话 250 分钟，改为 轻享39 每月预计节省 67.5 元"


def test_family_of_four() -> None:
    # Household total mean 100 GB, 1200 min; each of 4 people 25 GB, 300 min.
    # 4 × 畅享79 = 31600 (covered); 4 × 轻享39 = 4 × (3900 + 15 × 500 + 200 × 15) = 57600; 4 × 畅享129 = 51600;
    # 全家享169 pools 120 GB / 2000 min for 4: 16900 and covers the 110 GB month; 亲情109 is for 2 at most.
    r = recommend(CATALOGUE, "M79", months((90, 1100), (100, 1200), (110, 1300)), household=4)
    assert r.plan == F169
    assert (r.current_cost_fen, r.cost_fen, r.saving_fen) == (31600, 16900, 14700)
    assert {o.plan.code: o.cost_fen for o in r.options} == {"S39": 57600, "M79": 31600, "L129": 51600, "F169": 16900}
    assert r.text == "近3个月平均每月流量 100 GB、通话 1200 分钟，改为 全家享169 每月预计节省 147 元"


def test_renter_over_the_plan_gets_an_upgrade_not_a_family_plan() -> None:
    # mean 75 GB, 300 min on 畅享79: 7900 + 35 GB × 500 = 25400. 畅享129: 12900. 亲情109 would be 10900 — for one
    # person it is not offered.
    r = recommend(CATALOGUE, "M79", months((70, 280), (75, 300), (80, 320)), household=1)
    assert r.plan == L129
    assert (r.current_cost_fen, r.current_overage_fen, r.cost_fen, r.saving_fen) == (25400, 17500, 12900, 12500)
    assert not any(o.plan.is_family for o in r.options)
    assert r.text == (
        "近3个月平均每月流量 75 GB、通话 300 分钟，当前套餐 畅享79 超出费用 175 元，改为 畅享129 每月预计节省 125 元"
    )


def test_household_of_one_never_gets_the_cheapest_family_plan() -> None:
    # mean 100 GB, 900 min: 亲情109 covers it for 10900, the cheapest of all — but only for 2+ people.
    usage = months((95, 850), (100, 900), (105, 950))
    alone = recommend(CATALOGUE, "S39", usage, household=1)
    assert alone.plan == L129 and alone.cost_fen == 12900
    # 轻享39: 3900 + 90 GB × 500 + 800 min × 15 = 60900
    assert alone.saving_fen == 60900 - 12900
    couple = recommend(CATALOGUE, "S39", usage, household=2)
    assert couple.plan == F109 and couple.cost_fen == 10900


def test_nothing_cheaper_means_no_recommendation() -> None:
    r = recommend(CATALOGUE, "S39", months((2, 50), (3, 60), (1, 40)), household=1)
    assert r.plan is None and r.saving_fen is None and r.current_cost_fen == 3900
    assert r.text == "近3个月平均每月流量 2 GB、通话 50 分钟，当前套餐 轻享39 已是最省的选择，暂无推荐"


def test_equal_cost_prefers_the_plan_that_covers_the_peak_month() -> None:
    # mean 9 GB fits both; the 12 GB month fits only B. Same fee: B, in either catalogue order.
    a = Plan("A", "甲", 5000, 10 * GB, 500, 500, 15)
    b = Plan("B", "乙", 5000, 20 * GB, 500, 500, 15)
    cur = Plan("C", "丙", 9000, 10 * GB, 500, 500, 15)
    usage = months((6, 100), (9, 100), (12, 100))
    assert recommend([a, b, cur], "C", usage, 1).plan == b
    assert recommend([b, a, cur], "C", usage, 1).plan == b


def test_current_plan_outside_the_catalogue() -> None:
    r = recommend(CATALOGUE, "BB100", months((2, 200), (3, 250), (1, 300)), household=1)
    assert r.plan == S39 and r.current is None and r.saving_fen is None
    assert r.text.endswith("改为 轻享39 每月预计费用 61.5 元")


plans = st.builds(
    Plan,
    code=st.text("ABCDEFGH", min_size=1, max_size=3),
    name=st.just("套餐"),
    fee_fen=st.integers(0, 50_000),
    data_mb=st.integers(0, 200 * GB),
    voice_min=st.integers(0, 3000),
    data_fen_per_gb=st.integers(0, 2000),
    voice_fen_per_min=st.integers(0, 50),
    is_family=st.booleans(),
    members=st.integers(1, 6),
)
usage = st.lists(st.builds(Month, st.integers(0, 300 * GB), st.integers(0, 5000)), min_size=3, max_size=3)


@settings(max_examples=300, deadline=None)
@given(st.lists(plans, min_size=1, max_size=7, unique_by=lambda p: p.code), st.data(), usage, st.integers(1, 6))
def test_properties(catalogue: list[Plan], data: st.DataObject, ms: list[Month], household: int) -> None:
    current = data.draw(st.sampled_from(catalogue))
    r = recommend(catalogue, current.code, ms, household)
    assert r.current_cost_fen is not None
    if r.plan is not None:
        assert r.cost_fen is not None and r.saving_fen is not None
        assert r.cost_fen < r.current_cost_fen and r.saving_fen == r.current_cost_fen - r.cost_fen
        assert r.cost_fen == min(o.cost_fen for o in r.options)
    if household == 1:
        assert r.plan is None or not r.plan.is_family
        assert not any(o.plan.is_family for o in r.options)
