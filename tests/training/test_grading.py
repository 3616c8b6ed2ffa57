"""Exam arithmetic by hand: each question type, partial credit, rubric, pass mark, the draw, retake rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.training.grading import (
    GRACE,
    CardItem,
    PastAttempt,
    QType,
    Question,
    RetakePolicy,
    RubricLine,
    draw,
    eligibility,
    grade,
    in_time,
    perfect_answer,
    problems,
    score_card,
    score_question,
)

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
SINGLE = Question(1, QType.single, 2, ("A", "B", "C"), frozenset({1}))
TF = Question(2, QType.true_false, 1, ("对", "错"), frozenset({1}))
MULTI = Question(3, QType.multiple, 4, ("姓名", "证件号", "服务密码", "星座"), frozenset({0, 1, 2}))
SHORT = Question(4, QType.short, 5, rubric=(RubricLine(("身份证", "证件"), 2), RubricLine(("服务密码",), 2),
                                            RubricLine(("机主",), 2)))


def test_single_and_true_false() -> None:
    assert score_question(SINGLE, 1) == 2 and score_question(SINGLE, 0) == 0
    assert score_question(SINGLE, True) == 0, "a bool is not an option index"
    assert score_question(SINGLE, "1") == 0 and score_question(SINGLE, None) == 0
    assert score_question(TF, False) == 1 and score_question(TF, 1) == 1 and score_question(TF, True) == 0


def test_multiple_choice_partial_credit() -> None:
    assert score_question(MULTI, [0, 1, 2]) == 4
    assert score_question(MULTI, [0, 1]) == pytest.approx(4 * 2 / 3, abs=1e-3)
    assert score_question(MULTI, [0, 1, 3]) == pytest.approx(4 * 1 / 3, abs=1e-3), "a wrong pick takes a share"
    assert score_question(MULTI, [0, 1, 2, 3]) == pytest.approx(4 * 2 / 3, abs=1e-3)
    assert score_question(MULTI, [3]) == 0, "never below zero"
    assert score_question(MULTI, [0, 0, 0, 9]) == pytest.approx(4 / 3, abs=1e-3), "repeats and junk ignored"
    assert score_question(MULTI, 0) == 0


def test_short_answer_rubric() -> None:
    assert score_question(SHORT, "请提供机主 身份 证号和服务密码") == 5, "capped at the question's points"
    assert score_question(SHORT, "核对证件") == 2
    assert score_question(SHORT, "ＳＥＲＶＩＣＥ") == 0 and score_question(SHORT, 42) == 0


def test_question_problems() -> None:
    assert [problems(q) for q in (SINGLE, TF, MULTI, SHORT)] == [[], [], [], []]
    assert problems(Question(9, QType.single, 1, ("A", "B"), frozenset({0, 1}))) == ["exactly one option is keyed"]
    assert problems(Question(9, QType.multiple, 1, ("A", "B"), frozenset({2}))) == [
        "the key must name existing options"]
    assert problems(Question(9, QType.short, 5, rubric=(RubricLine(("a",), 2),))) == [
        "the rubric lines must add up to at least the question's points"]
    assert problems(Question(9, QType.short, 1, rubric=(RubricLine((" ",), 2),)))


def test_grade_and_pass_mark() -> None:
    qs = [SINGLE, TF, MULTI, SHORT]
    g = grade(qs, {1: 1, 2: False, 3: [0, 1, 2], 4: "证件"}, pass_mark=80)
    assert (g.score, g.max_score, g.percent, g.passed) == (9, 12, 75.0, False)
    assert grade(qs, {1: 1, 2: False, 3: [0, 1, 2], 4: "证件 服务密码"}, 80).passed, "11/12 = 91.67%"
    assert grade(qs, {}, 0).passed and grade([], {}, 60).percent == 0


def test_draw_is_reproducible_per_seed() -> None:
    pool = list(range(1, 21))
    assert draw(pool, 5, 7) == draw(list(reversed(pool)), 5, 7), "the pool's order does not matter"
    assert len(set(draw(pool, 5, 7))) == 5 and set(draw(pool, 5, 7)) <= set(pool)
    assert draw(pool, 5, 7) != draw(pool, 5, 8)
    assert sorted(draw(pool, 50, 1)) == pool, "asking for more than the pool takes the whole pool, shuffled"


def test_time_limit_with_grace() -> None:
    limit = timedelta(minutes=30)
    assert in_time(T0, limit, T0 + limit + GRACE)
    assert not in_time(T0, limit, T0 + limit + GRACE + timedelta(seconds=1))


POLICY = RetakePolicy(max_attempts=3, cooloff=timedelta(hours=24), retrain_after_fail=True)


def failed(at: datetime) -> PastAttempt:
    return PastAttempt(at - timedelta(minutes=20), at, False)


def test_retake_rules() -> None:
    assert eligibility(POLICY, [], T0, None).ok
    one = [failed(T0)]
    e = eligibility(POLICY, one, T0 + timedelta(hours=23), T0 + timedelta(hours=1))
    assert (e.ok, e.reason, e.not_before) == (False, "cooling_off", T0 + timedelta(hours=24))
    assert eligibility(POLICY, one, T0 + timedelta(hours=24), None).reason == "retrain"
    assert eligibility(POLICY, one, T0 + timedelta(hours=24), T0 - timedelta(days=1)).reason == "retrain", \
        "training before the fail does not count"
    assert eligibility(POLICY, one, T0 + timedelta(hours=24), T0 + timedelta(hours=2)).ok
    three = [failed(T0 - timedelta(days=4)), failed(T0 - timedelta(days=2)), failed(T0)]
    assert eligibility(POLICY, three, T0 + timedelta(days=9), T0 + timedelta(days=1)).reason == "max_attempts"
    assert eligibility(POLICY, [PastAttempt(T0, None, None)], T0, None).reason == "in_progress"
    assert eligibility(POLICY, [PastAttempt(T0, T0, True)], T0 + timedelta(days=9), None).reason == "passed"
    lax = RetakePolicy(2, timedelta(0), retrain_after_fail=False)
    assert eligibility(lax, one, T0, None).ok


def test_simulated_call_card() -> None:
    items = [CardItem("opening", 20), CardItem("verify", 30), CardItem("solve", 50), CardItem("fatal.abuse", 0, True)]
    s = score_card(items, {"opening": 20, "verify": 15, "solve": 50, "fatal.abuse": 1}, 80)
    assert (s.score, s.passed, s.failed_fatal) == (85.0, True, ())
    s = score_card(items, {"opening": 20, "verify": 30, "solve": 50, "fatal.abuse": 0}, 80)
    assert (s.score, s.passed, s.failed_fatal) == (0.0, False, ("fatal.abuse",))
    assert score_card(items, {"opening": 99, "verify": 30, "solve": 50, "fatal.abuse": 1}, 80).score == 100


_keywords = st.lists(st.text("身份证服务密码机主abc", min_size=1, max_size=4), min_size=1, max_size=3)


@st.composite
def questions(draw_: st.DrawFn) -> list[Question]:
    out = []
    for n in range(draw_(st.integers(1, 8))):
        kind = draw_(st.sampled_from(list(QType)))
        points = draw_(st.floats(0.5, 10, allow_nan=False).map(lambda x: round(x, 1)))
        options = tuple(f"o{i}" for i in range(draw_(st.integers(2, 6))))
        if kind is QType.short:
            rubric = tuple(RubricLine(tuple(k), draw_(st.floats(0.5, 10).map(lambda x: round(x, 1))))
                           for k in draw_(st.lists(_keywords, min_size=1, max_size=4)))
            # a question is saved only when its rubric can earn its points (grading.problems)
            q = Question(n, kind, min(points, sum(r.points for r in rubric)), rubric=rubric)
            assert problems(q) == []
            out.append(q)
            continue
        if kind is QType.true_false:
            options = ("对", "错")
        size = draw_(st.integers(1, len(options))) if kind is QType.multiple else 1
        correct = frozenset(draw_(st.permutations(range(len(options))))[:size])
        out.append(Question(n, kind, points, options, correct))
        assert problems(out[-1]) == []
    return out


_answer = st.one_of(st.none(), st.booleans(), st.integers(-2, 8), st.text(max_size=12),
                    st.lists(st.integers(-1, 7), max_size=8))


@settings(max_examples=300, deadline=None)
@given(questions(), st.data(), st.floats(0, 100))
def test_scores_stay_in_range_and_the_key_always_passes(qs: list[Question], data: st.DataObject,
                                                        pass_mark: float) -> None:
    answers = {q.id: data.draw(_answer) for q in qs}
    g = grade(qs, answers, pass_mark)
    assert 0 <= g.score <= g.max_score + 1e-9 and 0 <= g.percent <= 100
    for q in qs:
        assert 0 <= g.per_question[q.id] <= q.points
    key = grade(qs, {q.id: perfect_answer(q) for q in qs}, pass_mark)
    assert key.percent == 100 and key.passed
