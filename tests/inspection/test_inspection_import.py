"""Import of interactions from JSON Lines: all or nothing, every error names its line and field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import login, make_user
from inspection.qa_helpers import jsonl, line, turns, upload
from telqc.contacts.models import Contact, Interaction
from telqc.core.clock import FrozenClock
from telqc.core.events import OutboxEvent
from telqc.core.rbac import Role
from telqc.inspection.importer import FakeRecognizer, ImportRejected, import_interactions
from telqc.inspection.models import AutoHit, Inspection


def _counts(app: Any) -> tuple[int, int, int, int]:
    with app.state.sessionmaker() as s:
        return (s.scalar(select(func.count()).select_from(Contact)) or 0,
                s.scalar(select(func.count()).select_from(Interaction)) or 0,
                s.scalar(select(func.count()).select_from(Inspection)) or 0,
                s.scalar(select(func.count()).select_from(OutboxEvent)) or 0)


@pytest.fixture
def importer_headers(app: FastAPI, client: TestClient) -> dict[str, str]:
    make_user(app, "agent1", Role.agent, region_scope=["440000"])
    make_user(app, "imp", Role.inspector)
    return login(client, "imp")


def test_import_stores_transcripts_inspects_and_emits_contact_closed(app: FastAPI, client: TestClient,
                                                                     importer_headers: dict[str, str]) -> None:
    rude = turns([("agent", "您好，很高兴为您服务。"), ("customer", "我要投诉你们，打工信部电话！"),
                  ("agent", "这不归我管，你自己看吧。")])
    r = upload(client, importer_headers, jsonl([line(external_id="C-1", complaint=True, csat=2),
                                                line(external_id="C-2", turns=rude)]))
    assert r.status_code == 201, r.text
    ids = r.json()["contact_ids"]
    assert r.json()["imported"] == 2 and len(ids) == 2
    with app.state.sessionmaker() as s:
        inter = s.get(Interaction, ids[0])
        assert inter is not None and inter.turn_count == 9 and inter.complaint and inter.csat == 2
        contact = s.get(Contact, ids[1])
        assert contact is not None and contact.channel == "hotline" and contact.queue_wait_s == 12
        rules = {h.rule_id for h in s.scalars(select(AutoHit).where(AutoHit.contact_id == ids[1]))}
        assert {"escalation_threat", "forbidden_phrase"} <= rules
        closed = [json.loads(e.payload) for e in s.scalars(select(OutboxEvent).where(
            OutboxEvent.type == "contact.closed"))]
    assert {c["contact_id"] for c in closed} == set(ids)
    ev = next(c for c in closed if c["contact_id"] == ids[0])
    assert ev["queue_wait_s"] == 12 and ev["answered_within_s"] == 12 and ev["abandoned"] is False
    assert ev["dims"]["channel"] == "hotline" and ev["dims"]["province_code"] == "440000"
    assert set(ev["dims"]) == {"province_code", "city_code", "district_code", "area_type", "tier", "channel",
                               "team_id", "agent_id", "category"}
    got = client.get(f"/api/v1/interactions/{ids[1]}", headers=importer_headers).json()
    assert got["turns"][2]["text"] == "这不归我管，你自己看吧。" and got["external_id"] == "C-2"
    hits = client.get(f"/api/v1/interactions/{ids[1]}/hits", headers=importer_headers).json()
    threat = next(h for h in hits if h["rule_id"] == "escalation_threat")
    assert threat["turn_index"] == 1 and threat["text"] in ("投诉", "工信部")


BAD_OVERLAP = turns()
BAD_OVERLAP[0] = {**BAD_OVERLAP[0], "end_ms": BAD_OVERLAP[2]["start_ms"] + 300}  # agent talks over itself


@pytest.mark.parametrize(("bad", "field", "words"), [
    ('{"channel": "hotline", "agent": "agent1",', "(json)", "JSON"),
    (line(started_at=None) | {"started_at": None}, "started_at", ""),
    ({k: v for k, v in line().items() if k != "agent"}, "agent", "必填"),
    (line(turns=[{"speaker": "agent", "start_ms": 0, "text": "您好"}]), "turns[0].end_ms", "必填"),
    (line(turns=BAD_OVERLAP), "turns[2].start_ms", "重叠"),
    (line(agent="ghost"), "agent", "ghost"),
    (line(customer_id=999999), "customer_id", "999999"),
])
def test_bad_line_rejects_whole_file_naming_line_and_field(app: FastAPI, client: TestClient,
                                                           importer_headers: dict[str, str],
                                                           bad: dict[str, Any] | str, field: str, words: str) -> None:
    before = _counts(app)
    text = jsonl([line(external_id="ok-1"), line(external_id="ok-2"), bad, line(external_id="ok-4")])
    r = upload(client, importer_headers, text)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert errors[0]["line"] == 3, errors
    assert errors[0]["field"].startswith(field), errors
    assert words in errors[0]["msg"]
    assert "未写入" in r.json()["message"]
    assert _counts(app) == before, "a rejected import changes nothing"


def test_every_bad_line_is_reported_and_duplicates_caught(app: FastAPI, client: TestClient,
                                                          importer_headers: dict[str, str]) -> None:
    text = jsonl([line(external_id="X"), "not json", line(external_id="X"), line(agent="nobody")])
    r = upload(client, importer_headers, text)
    assert r.status_code == 422
    got = [(e["line"], e["field"]) for e in r.json()["errors"]]
    assert got == [(2, "(json) column 1"), (3, "external_id"), (4, "agent")]
    r = client.post("/api/v1/interactions/import", headers={**importer_headers, "Accept-Language": "en"},
                    files={"file": ("a.jsonl", b'{"x": 1}\n', "application/x-ndjson")})
    assert r.status_code == 422 and "nothing was written" in r.json()["message"]
    assert {e["field"] for e in r.json()["errors"]} >= {"channel", "agent", "started_at", "x"}


def test_single_interaction_api_and_recognizer(app: FastAPI, client: TestClient, importer_headers: dict[str, str],
                                               clock: FrozenClock) -> None:
    r = client.post("/api/v1/interactions", headers=importer_headers, json=line(external_id="API-1"))
    assert r.status_code == 201, r.text
    assert r.json()["turn_count"] == 9 and r.json()["external_id"] == "API-1"
    r = client.post("/api/v1/interactions", headers=importer_headers, json=line(external_id="API-1"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "external_id"

    from telqc.core.context import Ctx
    from telqc.core.uow import UnitOfWork

    rec = line(external_id="REC-1")
    del rec["turns"]
    rec["audio"] = "s3://calls/rec-1.wav"
    fake = FakeRecognizer({"s3://calls/rec-1.wav": turns()[:3]})
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=app.state.settings)
        with pytest.raises(ImportRejected) as exc:
            import_interactions(ctx, [json.dumps(rec)])  # no recognizer configured
        assert (exc.value.errors[0].line, exc.value.errors[0].field) == (1, "audio")
        ids = import_interactions(ctx, [json.dumps(rec)], recognizer=fake)
        uow.commit()
        assert fake.calls == ["s3://calls/rec-1.wav"]
        inter = s.get(Interaction, ids[0])
        assert inter is not None and inter.turn_count == 3

    rec["external_id"] = "REC-2"
    r = client.post("/api/v1/interactions", headers=importer_headers, json=rec)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "audio", "no recognizer plugged in"
    app.state.speech_recognizer = FakeRecognizer({"s3://calls/rec-1.wav": turns()[:5]})
    r = client.post("/api/v1/interactions", headers=importer_headers, json=rec)
    assert r.status_code == 201 and r.json()["turn_count"] == 5


# A line no JSON parser should take whole: nested past the parser's stack, an integer of 5,001 digits, NaN.
UNPARSABLE = ["[" * 100_000 + "]" * 100_000, '{"queue_wait_s": 1' + "0" * 5000 + "}",
              '{"queue_wait_s": NaN}']


@pytest.mark.parametrize("bad", UNPARSABLE, ids=["nested", "digits", "nan"])
def test_an_unparsable_line_is_named_not_a_server_error(app: FastAPI, client: TestClient,
                                                        importer_headers: dict[str, str], bad: str) -> None:
    """json.loads raises RecursionError / ValueError for these, not JSONDecodeError: they were 500s (issue 17)."""
    before = _counts(app)
    r = upload(client, importer_headers, jsonl([line(external_id="ok-1"), bad]))
    assert r.status_code == 422, r.text
    assert [(e["line"], e["field"].split(" ")[0]) for e in r.json()["errors"]] == [(2, "(json)")]
    assert _counts(app) == before


def test_an_uploaded_file_that_is_not_utf8_is_named_by_line_and_nothing_stored(
        app: FastAPI, client: TestClient, importer_headers: dict[str, str]) -> None:
    """A GBK export was decoded with replacement marks and its transcripts stored as '���' (issue 17)."""
    before = _counts(app)
    gbk = jsonl([line(external_id="ok-1"), line(external_id="gbk-2")]).encode("utf-8").replace(
        "您好".encode(), "您好".encode("gbk"), 2)
    r = client.post("/api/v1/interactions/import", headers=importer_headers,
                    files={"file": ("calls.jsonl", gbk, "application/x-ndjson")})
    assert r.status_code == 422, r.text
    (error,) = r.json()["errors"]
    assert error["line"] == 1 and error["field"].startswith("(encoding) column") and "UTF-8" in error["msg"]
    assert _counts(app) == before
