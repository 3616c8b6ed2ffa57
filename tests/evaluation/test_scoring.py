"""Evaluation arithmetic by hand on small teams: normalisation, weights, missing data, caps, ties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.evaluation.scoring import (
    Component,
    Gate,
    Grade,
    evaluate,
    percentile_points,
    target_points,
)

GRADES = [Grade("A", 90, "reward"), Grade("B", 80, "keep"), Grade("C", 70, "coach"), Grade("D", 0, "help")]
QA = Component("qa_score", 50, "target", "higher", 90.0)
AHT = Component("aht", 30, "target", "lower", 360.0)
VOL = Component("offered", 20, "percentile", "higher")
FATAL = Gate("fatal_error_rate", 0.0, 79.99, "fatal")


def test_target_points_by_hand() -> None:
    assert target_points(81, 90, "higher") == pytest.approx(90.0)
    assert target_points(99, 90, "higher") == 100.0, "beating the target earns no more than meeting it"
    assert target_points(450, 360, "lower") == pytest.approx(80.0)
    assert target_points(300, 360, "lower") == 100.0


def test_percentile_mid_rank_by_hand() -> None:
    team = [10.0, 20.0, 20.0, 40.0]
    assert [percentile_points(v, team, "higher") for v in team] == [0.0, 50.0, 50.0, 100.0]
    assert percentile_points(10.0, team, "lower") == 100.0
    assert percentile_points(7.0, [7.0], "higher") == 50.0


def test_weights_missing_data_gate_and_ties_by_hand() -> None:
    values: dict[int, dict[str, float | None]] = {
        1: {"qa_score": 81.0, "aht": 450.0, "offered": 300.0, "fatal_error_rate": 0.0},
        # qa 100 (cap), aht 100, volume 100 → 100, but a fatal item caps it at 79.99 (grade C)
        2: {"qa_score": 95.0, "aht": 300.0, "offered": 500.0, "fatal_error_rate": 0.02},
        # no AHT data: qa 90 × 50/70 + volume (worse 2 of 3) 66.67 × 20/70 → 64.29 + 19.05 = 83.33
        3: {"qa_score": 81.0, "aht": None, "offered": 400.0, "fatal_error_rate": 0.0},
        4: {"qa_score": 81.0, "aht": 450.0, "offered": 300.0, "fatal_error_rate": 0.0},  # the same as agent 1
    }
    teams = {1: 7, 2: 7, 3: 7, 4: 7}
    r = {x.agent_id: x for x in evaluate(values, teams, [QA, AHT, VOL], [FATAL], GRADES)}
    # agent 1: qa 90 × .5 = 45, aht 80 × .3 = 24, volume (peers 300,500,400,300 → worse 0, equal 2) 16.67 × .2 = 3.33
    assert r[1].total == pytest.approx(72.33, abs=0.01) and r[1].grade == "C" and r[1].tier == "coach"
    assert r[2].total == 79.99 and r[2].capped_by == ("fatal",) and r[2].grade == "C"
    assert r[3].total == pytest.approx(83.33, abs=0.01) and r[3].grade == "B"
    assert [p.weight for p in r[3].parts] == pytest.approx([50 * 100 / 70, 0.0, 20 * 100 / 70])
    assert (r[3].rank_in_team, r[2].rank_in_team, r[1].rank_in_team, r[4].rank_in_team) == (1, 2, 3, 3)
    assert all(x.team_size == 4 for x in r.values())


def test_percentile_is_within_the_team_only() -> None:
    values = {1: {"offered": 100.0}, 2: {"offered": 200.0}, 3: {"offered": 1000.0}, 4: {"offered": 2000.0}}
    r = {x.agent_id: x for x in evaluate(values, {1: 1, 2: 1, 3: 2, 4: 2}, [VOL], [], GRADES)}
    assert (r[2].total, r[3].total) == (100.0, 0.0), "the best of a quiet team beats the worst of a busy one"


agents = st.dictionaries(st.integers(1, 40), st.fixed_dictionaries({
    "qa_score": st.one_of(st.none(), st.floats(0, 100)), "aht": st.one_of(st.none(), st.floats(1, 2000)),
    "offered": st.one_of(st.none(), st.floats(0, 5000)), "fatal_error_rate": st.floats(0, 0.2)}), min_size=1)


@settings(max_examples=80, deadline=None)
@given(agents, st.integers(1, 4))
def test_totals_are_bounded_ranks_consistent_and_gates_hold(values: dict[int, dict[str, float | None]],
                                                             n_teams: int) -> None:
    teams = {a: a % n_teams for a in values}
    results = evaluate(values, teams, [QA, AHT, VOL], [FATAL], GRADES)
    assert sorted(r.agent_id for r in results) == sorted(values)
    for r in results:
        assert 0.0 <= r.total <= 100.0
        if (values[r.agent_id]["fatal_error_rate"] or 0) > 0:
            assert r.total <= 79.99 and r.grade in ("C", "D")
        better = [o for o in results if o.team_id == r.team_id and o.total > r.total]
        assert r.rank_in_team == 1 + len(better)
