"""Pure engines: the sliding window (Hypothesis: every burst above the threshold detected once, none below),
the rule table, the state machine and the network alarms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.incidents import alarms, severity
from telqc.incidents.detection import Rule, RuleTable, count_in_window, detections
from telqc.incidents.states import IllegalIncidentTransition, IncidentState, transition

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
RULE = Rule(threshold=10, window=timedelta(minutes=30), confirm_threshold=20)


@st.composite
def storms(draw: st.DrawFn) -> tuple[list[datetime], list[int]]:
    """Bursts of complaints, each inside one window, separated by quiet gaps longer than the window; answers
    the arrivals and the size of each burst."""
    sizes = draw(st.lists(st.integers(1, 25), min_size=1, max_size=8))
    t, arrivals = T0, []
    for n in sizes:
        offsets = sorted(draw(st.lists(st.integers(0, 29 * 60 - 1), min_size=n, max_size=n)))
        arrivals += [t + timedelta(seconds=o) for o in offsets]
        t = arrivals[-1] + timedelta(minutes=draw(st.integers(31, 300)))
    return arrivals, sizes


@given(storms())
@settings(max_examples=200, deadline=None)
def test_every_burst_above_threshold_detected_once_none_below(storm: tuple[list[datetime], list[int]]) -> None:
    arrivals, sizes = storm
    found = detections(arrivals, RULE)
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    expected = [start + RULE.threshold - 1 for start, n in zip(starts, sizes, strict=True) if n >= RULE.threshold]
    assert found == expected  # the complaint that brings its burst to the threshold, once per burst


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=60))
@settings(max_examples=200, deadline=None)
def test_a_detection_is_always_a_full_window(seconds: list[int]) -> None:
    arrivals = sorted(T0 + timedelta(seconds=s * 30) for s in seconds)
    for i in detections(arrivals, RULE):
        assert count_in_window(arrivals[:i + 1], arrivals[i], RULE.window) >= RULE.threshold


def test_rule_table_most_specific_wins() -> None:
    table = RuleTable((Rule(10, timedelta(minutes=30), 20), Rule(5, timedelta(minutes=60), 10, area_type="rural"),
                       Rule(3, timedelta(minutes=15), 6, category="repair.broadband"),
                       Rule(2, timedelta(minutes=15), 4, category="repair.broadband", area_type="rural")))
    assert table.match("complaint.network", "urban").threshold == 10
    assert table.match("complaint.network", "rural").threshold == 5
    assert table.match("repair.broadband", "urban").threshold == 3
    assert table.match("repair.broadband", "rural").threshold == 2
    assert RuleTable().match("x", "urban") == Rule()


def test_state_machine() -> None:
    S = IncidentState
    path = [S.CONFIRMED, S.RESTORING, S.RESTORED, S.VERIFIED, S.REVIEWED, S.ARCHIVED]
    cur = S.SUSPECTED
    for nxt in path:
        cur = transition(cur, nxt)
    with pytest.raises(IllegalIncidentTransition) as e:
        transition(S.SUSPECTED, S.RESTORED)
    assert e.value.allowed == (S.CONFIRMED, S.DISMISSED)
    with pytest.raises(IllegalIncidentTransition):
        transition(S.ARCHIVED, S.CONFIRMED)


def test_severity_grades_a_burst() -> None:
    assert [severity.for_count(n, 10) for n in (10, 19, 20, 49, 50)] == ["general", "general", "large", "large",
                                                                          "major"]
    assert [g.joint_test_required for g in severity.DEFAULTS] == [True, True, False, False]


def _readings(values: list[float]) -> list[alarms.Reading]:
    return [alarms.Reading(T0 + timedelta(minutes=5 * k), v) for k, v in enumerate(values)]


def test_threshold_and_trend_alarms() -> None:
    assert alarms.evaluate("latency_ms", _readings([40, 42, 160])) == alarms.Alarm("latency_ms", "threshold",
                                                                                    T0 + timedelta(minutes=10), 160)
    trend = alarms.evaluate("utilisation", _readings([0.30, 0.50, 0.70, 0.80]))
    assert trend is not None and trend.kind == "trend"
    assert alarms.evaluate("utilisation", _readings([0.30, 0.50, 0.45, 0.80])) is None  # not steady
    assert alarms.evaluate("utilisation", _readings([0.30, 0.31, 0.32, 0.33])) is None  # too slow
    low = alarms.evaluate("availability", _readings([0.999, 0.98]))
    assert low is not None and low.kind == "threshold"
    assert alarms.evaluate("availability", _readings([0.999, 0.9995])) is None


@given(st.lists(st.floats(0, 0.89), min_size=1, max_size=3))
def test_short_healthy_series_never_alarm(values: list[float]) -> None:
    assert alarms.evaluate("utilisation", _readings(values)) is None
