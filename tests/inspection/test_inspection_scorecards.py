"""Scorecards: item validation, scoring rules (fatal zeroes), versioned publishing; CSAT from surveys."""

from __future__ import annotations

import random

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from inspection.qa_helpers import jsonl, line, team, upload
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.events import drain, emit
from telqc.core.uow import UnitOfWork
from telqc.inspection import carddef
from telqc.inspection.lexicon_files import LEXICON_DIR
from telqc.inspection.pages import highlight
from telqc.inspection.rules import DEFAULT_SCORECARD, RuleConfigError
from telqc.inspection.sampling import Candidate, select
from telqc.inspection.schemas import SampleIn

TEXT = DEFAULT_SCORECARD.read_text(encoding="utf-8")
CARD = carddef.parse(TEXT, LEXICON_DIR)


def test_default_card_has_every_category_weights_100_and_fatal_items() -> None:
    assert {i.category for i in CARD.items} == set(carddef.Category)
    assert CARD.total_weight == 100 and CARD.pass_mark == 80
    assert {i.code for i in CARD.items if i.fatal} == {"fatal.unverified_change", "fatal.abuse", "fatal.pii_leak"}
    assert {i.mode for i in CARD.items} == set(carddef.Mode)


def test_fatal_item_zeroes_the_score_and_fails() -> None:
    full = {i.code: (1.0 if i.fatal else i.weight) for i in CARD.items}
    assert carddef.compute(CARD, full) == carddef.Result(100.0, True, False, ())
    low = {**full, "solution.accuracy": 0.0}
    assert carddef.compute(CARD, low).score == 75.0 and not carddef.compute(CARD, low).passed
    res = carddef.compute(CARD, {**full, "fatal.abuse": 0.0})
    assert res == carddef.Result(0.0, False, True, ("fatal.abuse",))
    auto = carddef.auto_values(CARD, ["agent_abusive", "forbidden_phrase"])
    assert auto["fatal.abuse"] == 0 and auto["etiquette.no_forbidden"] == 0 and auto["opening.greeting"] == 10
    assert "solution.accuracy" not in auto, "manual items are never proposed"


@pytest.mark.parametrize(("edit", "where", "field"), [
    (("pass_mark: 80", "pass_mark: 180"), "(scorecard)", "pass_mark"),
    (("rules: [greeting_missing]}", "rules: [no_such_rule]}"), "item opening.greeting", "rules"),
    (("weight: 10, mode: automatic, rules: [greeting", "weight: -1, mode: automatic, rules: [greeting"),
     "item opening.greeting", "weight"),
    (("category: opening", "category: lunch"), "item opening.greeting", "category"),
    (("{code: verification.identity", "{code: opening.greeting"), "item opening.greeting", "code"),
    (("mode: automatic, rules: [closing_missing]", "mode: automatic"), "item closing.closing", "rules"),
])
def test_bad_items_are_named(edit: tuple[str, str], where: str, field: str) -> None:
    assert edit[0] in TEXT
    with pytest.raises(RuleConfigError) as exc:
        carddef.parse(TEXT.replace(edit[0], edit[1], 1), LEXICON_DIR)
    assert (where, field) in [(w, f) for w, f, _ in exc.value.problems], exc.value.problems


def test_sampling_selection_is_pure_and_deterministic() -> None:
    cands = [Candidate(i, agent_id=i % 3, week="2026-W45", complaint=i == 4, talk_s=60 * i, csat=None,
                       has_hits=False, new_agent=False) for i in range(1, 13)]
    plan = SampleIn.model_validate({"since": "2026-11-02T00:00:00+08:00", "until": "2026-11-09T00:00:00+08:00",
                                    "targets": ["complaint", "long_call"], "long_call_s": 660,
                                    "per_agent_week_min": 2, "inspectors": [1]})
    picked = select(cands, plan, random.Random(1))
    assert picked == select(cands, plan, random.Random(1))
    reasons = dict(picked)
    assert reasons[4] == "targeted:complaint" and reasons[11] == reasons[12] == "targeted:long_call"
    for agent in range(3):
        assert sum(1 for cid in reasons if cid % 3 == agent) >= 2


def test_highlight_marks_spans() -> None:
    assert highlight("我不知道，这不归我管。", [(1, 4, "f"), (5, 10, "f")]) == [
        ("我", None), ("不知道", "f"), ("，", None), ("这不归我管", "f"), ("。", None)]


def test_publishing_a_scorecard_adds_a_version(app: FastAPI, client: TestClient) -> None:
    t = team(app, client)
    h = t["h"]
    cards = client.get("/api/v1/qa/scorecards", headers=h["insp1"]).json()
    assert [(c["name"], c["version"], c["active"]) for c in cards] == [("默认热线质检评分表", 1, True)]
    bad = client.post("/api/v1/qa/scorecards", headers=h["admin"],
                      json={"definition": TEXT.replace("rules: [greeting_missing]}", "rules: [nope]}")})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.definition"
    assert "item opening.greeting rules" in bad.json()["detail"][0]["msg"]
    r = client.post("/api/v1/qa/scorecards", headers=h["admin"], json={"definition": TEXT.replace(
        "pass_mark: 80", "pass_mark: 85")})
    assert r.status_code == 201, r.text
    assert (r.json()["version"], r.json()["pass_mark"]) == (2, 85.0)
    cards = client.get("/api/v1/qa/scorecards", headers=h["insp1"]).json()
    assert [(c["version"], c["active"]) for c in cards] == [(1, False), (2, True)]
    assert client.post("/api/v1/qa/scorecards", headers=h["insp1"], json={"definition": TEXT}).status_code == 403


def test_survey_answer_sets_csat_for_targeted_sampling(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    t = team(app, client)
    cid = upload(client, t["h"]["insp1"], jsonl([line("agent1")])).json()["contact_ids"][0]
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        emit(Ctx(uow=uow, clock=clock, settings=app.state.settings), "survey.answered", "survey", 1,
             survey_id=1, order_id=None, contact_id=cid, agent_id=None, csat=1, nps=None, resolved=None,
             at=clock.now().isoformat(), dims={})
        uow.commit()
    drain(app.state.sessionmaker, clock, app.state.settings)
    r = client.post("/api/v1/qa/samples", headers=t["h"]["admin"], json={
        "since": "2026-11-01T00:00:00+00:00", "until": "2026-11-03T00:00:00+00:00", "targets": ["low_csat"],
        "inspectors": [t["ids"]["insp1"]]})
    assert r.json()["by_reason"] == {"targeted:low_csat": 1}
