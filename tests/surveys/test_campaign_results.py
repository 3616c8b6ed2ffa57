"""Campaign results arithmetic, without a database: stratum weights, insufficient cells, low items."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.surveys.campaign_results import Score, Thresholds, aggregate, low_items, weights


def sc(stratum: str, score: int, dim: str = "attitude", province: str = "440000", channel: str = "hotline",
       tier: str = "gold") -> Score:
    return Score(stratum, province, channel, tier, dim, score)


def test_weights_are_population_over_answers() -> None:
    scores = [sc("a", 5), sc("a", 4), sc("b", 1), sc("b", 2, dim="quality")]
    assert weights(scores, {"a": 100, "b": 30}) == {("a", "attitude"): 50.0, ("b", "attitude"): 30.0,
                                                     ("b", "quality"): 30.0}


def test_weighted_mean_and_share_by_hand() -> None:
    # a: 100 customers, answers 5 and 4 (weight 50 each); b: 300 customers, one answer 2 (weight 300)
    scores = [sc("a", 5), sc("a", 4), sc("b", 2)]
    (cell,) = aggregate(scores, {"a": 100, "b": 300}, ("province",), Thresholds(min_n=3))
    assert cell.key == {"province": "440000"} and cell.n == 3
    assert cell.mean == pytest.approx(11 / 3) and cell.weighted_mean == pytest.approx((250 + 200 + 600) / 400)
    assert cell.satisfied == pytest.approx(2 / 3) and cell.weighted_satisfied == pytest.approx(100 / 400)
    assert cell.reasons == ("mean", "share")


def test_small_cells_are_insufficient_and_never_low() -> None:
    scores = [sc("a", 1), sc("a", 1, province="330000"), sc("a", 5, province="330000")]
    cells = aggregate(scores, {"a": 10}, ("province",), Thresholds(min_n=2))
    assert [(c.key["province"], c.n, c.sufficient, c.low) for c in cells] == [("330000", 2, True, True),
                                                                            ("440000", 1, False, False)]
    # lowest weighted mean first: every answer (7/3) by channel and by tier, then Zhejiang's two (3.0)
    assert [c.key for c in low_items(scores, {"a": 10}, Thresholds(min_n=2))] == [
        {"channel": "hotline"}, {"tier": "gold"}, {"province": "330000"}]


def test_unknown_cut_is_refused() -> None:
    with pytest.raises(ValueError, match="cut by"):
        aggregate([], {}, ("city",))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(1, 5)), min_size=1, max_size=60),
       st.dictionaries(st.sampled_from("abc"), st.integers(1, 1000), min_size=3, max_size=3))
def test_weighted_values_stay_in_range(answers: list[tuple[str, int]], population: dict[str, int]) -> None:
    (cell,) = aggregate([sc(s, x) for s, x in answers], population, (), Thresholds(min_n=1))
    assert 1 <= cell.weighted_mean <= 5 and 0 <= cell.weighted_satisfied <= 1
    if len({s for s, _ in answers}) == 1:  # one stratum: weighting changes nothing
        assert cell.weighted_mean == pytest.approx(cell.mean)
