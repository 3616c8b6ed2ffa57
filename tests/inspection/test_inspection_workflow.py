"""End to end through the API: sampling, scoring, appeals and calibration (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import login
from inspection.qa_helpers import jsonl, line, team, turns, upload
from telqc.core.audit import AuditEntry
from telqc.core.clock import FrozenClock
from telqc.core.events import OutboxEvent

MANUAL_FULL = {"verification.identity": 10, "listening.understanding": 15, "solution.accuracy": 25,
               "compliance.record": 5}
RUDE = turns([("agent", "您好，很高兴为您服务。"), ("customer", "我的宽带又断了。"),
              ("agent", "我不知道，这不归我管。"), ("agent", "感谢您的来电，再见。")])


def _import(client: TestClient, h: dict[str, str], records: list[dict[str, Any]]) -> list[int]:
    r = upload(client, h, jsonl(records))
    assert r.status_code == 201, r.text
    return list(r.json()["contact_ids"])


def _events(app: FastAPI, kind: str) -> list[dict[str, Any]]:
    with app.state.sessionmaker() as s:
        return [json.loads(e.payload) for e in s.scalars(select(OutboxEvent).where(OutboxEvent.type == kind)
                                                          .order_by(OutboxEvent.id))]


def _sample(client: TestClient, h: dict[str, str], **kw: Any) -> Any:
    body = {"since": "2026-10-26T00:00:00+08:00", "until": "2026-11-09T00:00:00+08:00"} | kw
    return client.post("/api/v1/qa/samples", headers=h, json=body)


def test_sampling_targeted_stratified_balanced_and_blind_double(app: FastAPI, client: TestClient) -> None:
    t = team(app, client)
    h, ids = t["h"], t["ids"]
    day = "2026-11-0{}T02:00:00+00:00"
    recs = [line("agent1", started_at=day.format(2 + i % 4), external_id=f"a1-{i}") for i in range(6)]
    recs[0]["complaint"] = True
    recs += [line("agent2", started_at=day.format(3), external_id="a2-0", talk_s=1500),
             line("agent2", started_at=day.format(3), external_id="a2-1", csat=1),
             line("agent2", started_at=day.format(4), external_id="a2-2", csat=5),
             line("agent3", started_at=day.format(4), external_id="a3-0", turns=RUDE),
             line("agent3", started_at=day.format(5), external_id="a3-1")]
    cids = _import(client, h["insp1"], recs)
    by_ext = {r["external_id"]: cid for r, cid in zip(recs, cids, strict=True)}

    bad = _sample(client, h["admin"], inspectors=[ids["agent1"]])
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.inspectors.0"
    assert _sample(client, h["insp1"], inspectors=[ids["insp1"]]).status_code == 403
    bad = _sample(client, h["admin"], inspectors=[ids["insp1"]], until="2026-10-01T00:00:00+08:00")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.until"

    r = _sample(client, h["admin"], inspectors=[ids["insp1"], ids["insp2"]], targets=[
        "complaint", "long_call", "low_csat", "auto_hits"], per_agent_week_min=2, seed=7)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["by_reason"] == {"targeted:complaint": 1, "targeted:long_call": 1, "targeted:low_csat": 1,
                                "targeted:auto_hits": 1, "stratified": 2}
    assert sorted(out["by_inspector"].values()) == [3, 3], "balanced by workload"
    queue1 = client.get("/api/v1/qa/queue", headers=h["insp1"]).json()
    queue2 = client.get("/api/v1/qa/queue", headers=h["insp2"]).json()
    sampled = {i["contact_id"]: i["reason"] for i in queue1 + queue2}
    assert sampled[by_ext["a1-0"]] == "targeted:complaint"
    assert sampled[by_ext["a2-0"]] == "targeted:long_call"
    assert sampled[by_ext["a2-1"]] == "targeted:low_csat"
    assert sampled[by_ext["a3-0"]] == "targeted:auto_hits"
    per_agent = {a: sum(1 for i in queue1 + queue2 if i["agent_id"] == ids[a]) for a in ("agent1", "agent2", "agent3")}
    assert per_agent == {"agent1": 2, "agent2": 2, "agent3": 2}, "at least 2 per agent per week"

    more = [line("agent1", started_at=day.format(6), external_id=f"b-{i}") for i in range(6)]
    _import(client, h["insp1"], more)
    r = _sample(client, h["admin"], inspectors=[ids["insp1"], ids["insp2"], ids["insp3"]], random_pct=100,
                double_pct=50, seed=3, since="2026-11-06T00:00:00+00:00")
    out = r.json()
    assert out["created"] == 6 and out["double"] == 3, "only interactions never sampled before"
    assert out["by_inspector"][str(ids["insp3"])] == 5, "the idle inspector takes most of the new work"
    assert sum(out["by_inspector"].values()) == 9
    again = _sample(client, h["admin"], inspectors=[ids["insp1"]], random_pct=100, since="2026-11-06T00:00:00+00:00")
    assert again.json()["created"] == 0

    # Blind double scoring: neither inspector sees the other's scoring until both have scored.
    everyone = [client.get(f"/api/v1/qa/inspections/{i}", headers=h["admin"]).json() for i in out["inspection_ids"]]
    pairs: dict[int, list[dict[str, Any]]] = {}
    for ins in everyone:
        if ins["blind"]:
            pairs.setdefault(ins["contact_id"], []).append(ins)
    first, second = next(iter(pairs.values()))
    assert {first["kind"], second["kind"]} == {"manual", "double"}
    assert first["inspector_id"] != second["inspector_id"]
    name = {v: k for k, v in ids.items()}
    h1, h2 = h[name[first["inspector_id"]]], h[name[second["inspector_id"]]]
    assert client.get(f"/api/v1/qa/inspections/{second['id']}", headers=h1).status_code == 404
    assert client.post(f"/api/v1/qa/inspections/{first['id']}/score", headers=h1,
                       json={"items": MANUAL_FULL}).status_code == 200
    assert client.get(f"/api/v1/qa/inspections/{first['id']}", headers=h2).status_code == 404
    assert client.post(f"/api/v1/qa/inspections/{second['id']}/score", headers=h2,
                       json={"items": {**MANUAL_FULL, "solution.accuracy": 10}}).status_code == 200
    assert client.get(f"/api/v1/qa/inspections/{second['id']}", headers=h1).json()["score"] == 85.0
    scored = _events(app, "inspection.scored")
    assert [e["inspection_id"] for e in scored] == [first["id"]], "the blind second scoring is not a KPI sample"


def _one_sampled(app: FastAPI, client: TestClient, t: dict[str, Any],
                 recs: list[dict[str, Any]]) -> tuple[list[int], list[dict[str, Any]]]:
    h, ids = t["h"], t["ids"]
    cids = _import(client, h["insp1"], recs)
    r = _sample(client, h["admin"], inspectors=[ids["insp1"]], random_pct=100)
    assert r.status_code == 201, r.text
    return cids, client.get("/api/v1/qa/queue", headers=h["insp1"]).json()


def test_scoring_and_appeal_overturned_by_another_inspector(app: FastAPI, client: TestClient,
                                                            clock: FrozenClock) -> None:
    t = team(app, client)
    h, ids = t["h"], t["ids"]
    cids, queue = _one_sampled(app, client, t, [line("agent1", external_id="c1", turns=RUDE),
                                                line("agent1", external_id="c2"), line("agent2", external_id="c3")])
    rude = next(i for i in queue if i["contact_id"] == cids[0])
    url = f"/api/v1/qa/inspections/{rude['id']}"
    assert client.post(f"{url}/score", headers=h["insp2"], json={"items": MANUAL_FULL}).status_code == 403
    r = client.post(f"{url}/score", headers=h["insp1"], json={"items": {"solution.accuracy": 20}})
    assert r.status_code == 422 and r.json()["detail"][0]["field"].startswith("body.items.")
    assert "按规定核实客户身份：未评分" in r.json()["detail"][0]["msg"], "the item by its name, in Chinese"
    r = client.post(f"{url}/score", headers={**h["insp1"], "Accept-Language": "en"},
                    json={"items": {"solution.accuracy": 20}})
    assert "items.verification.identity: missing" in r.json()["detail"][0]["msg"]
    r = client.post(f"{url}/score", headers=h["insp1"], json={"items": {**MANUAL_FULL, "solution.accuracy": 30}})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.items.solution.accuracy"
    r = client.post(f"{url}/score", headers=h["insp1"], json={"items": {**MANUAL_FULL, "opening.greeting": 0}})
    assert r.status_code == 422 and "由系统自动评分" in r.json()["detail"][0]["msg"]

    comment = {"at_ms": 4000, "item": "etiquette.no_forbidden", "text": "坐席使用服务忌语“不知道”"}
    r = client.post(f"{url}/score", headers=h["insp1"], json={"items": MANUAL_FULL, "comments": [comment]})
    assert r.status_code == 200, r.text
    scored = r.json()
    # 100 − 10 (forbidden phrase confirmed) − 5 (speech pace? no) : only the reviewed forbidden item is lost
    assert scored["items"]["etiquette.no_forbidden"]["score"] == 0
    assert scored["score"] == 90.0 and scored["passed"] is True and scored["fatal"] is False
    assert scored["comments"][0]["at_ms"] == 4000 and scored["comments"][0]["by"] == ids["insp1"]
    ev = _events(app, "inspection.scored")[-1]
    assert ev["inspection_id"] == rude["id"] and ev["score"] == 90.0 and ev["agent_id"] == ids["agent1"]
    assert ev["interaction_id"] == cids[0] and ev["dims"]["channel"] == "hotline" and ev["passed"] is True
    assert client.post(f"{url}/score", headers=h["insp1"], json={"items": MANUAL_FULL}).status_code == 409

    mine = client.get("/api/v1/qa/my-inspections", headers=h["agent1"]).json()
    assert [m["id"] for m in mine] == [rude["id"]]
    assert mine[0]["appeal_deadline"].startswith("2026-11-09")
    assert client.get(url, headers=h["agent2"]).status_code == 404
    assert client.post(f"{url}/appeal", headers=h["agent2"], json={"reason": "不是我的通话啊啊"}).status_code == 404

    r = client.post(f"{url}/appeal", headers=h["agent1"], json={"reason": "客户情绪激动，我在解释业务范围，并非推诿。"})
    assert r.status_code == 201, r.text
    appeal = r.json()
    assert appeal["status"] == "open" and appeal["score_before"] == 90.0
    assert client.post(f"{url}/appeal", headers=h["agent1"], json={"reason": "再申诉一次试试"}).status_code == 409
    assert [a["id"] for a in client.get("/api/v1/qa/appeals", headers=h["insp1"]).json()] == []
    assert [a["id"] for a in client.get("/api/v1/qa/appeals", headers=h["insp2"]).json()] == [appeal["id"]]

    ruling = {"decision": "overturned", "ruling": "复听录音，坐席有解释，忌语不成立",
              "items": {**MANUAL_FULL, "etiquette.no_forbidden": 10}}
    aurl = f"/api/v1/qa/appeals/{appeal['id']}/ruling"
    assert client.post(aurl, headers=h["insp1"], json=ruling).status_code == 403, "not your own scoring"
    assert client.post(aurl, headers=h["insp2"], json={"decision": "overturned", "ruling": "x"}).status_code == 422
    r = client.post(aurl, headers=h["insp2"], json=ruling)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "overturned" and r.json()["score_after"] == 100.0
    assert client.get(url, headers=h["agent1"]).json()["score"] == 100.0
    assert client.get(url, headers=h["agent1"]).json()["status"] == "final"
    assert client.post(aurl, headers=h["insp3"], json=ruling).status_code == 409
    assert _events(app, "inspection.scored")[-1]["score"] == 100.0
    with app.state.sessionmaker() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == str(rude["id"]))))
    assert "inspection.rescored" in actions

    # Upheld: the score stands; and the appeal window closes after 7 days.
    others = [i for i in queue if i["id"] != rude["id"]]
    for ins in others:
        assert client.post(f"/api/v1/qa/inspections/{ins['id']}/score", headers=h["insp1"],
                           json={"items": {**MANUAL_FULL, "solution.accuracy": 5}}).status_code == 200
    own = next(i for i in others if i["agent_id"] == ids["agent1"])
    other = next(i for i in others if i["agent_id"] == ids["agent2"])
    r = client.post(f"/api/v1/qa/inspections/{own['id']}/appeal", headers=h["agent1"],
                    json={"reason": "解答是准确的，请复核"})
    r = client.post(f"/api/v1/qa/appeals/{r.json()['id']}/ruling", headers=h["insp3"],
                    json={"decision": "upheld", "ruling": "解答遗漏了资费说明，维持"})
    assert r.status_code == 200 and r.json()["score_after"] == r.json()["score_before"] == 80.0
    clock.advance(timedelta(days=7, minutes=1))
    r = client.post(f"/api/v1/qa/inspections/{other['id']}/appeal", headers=login(client, "agent2"),
                    json={"reason": "超过期限的申诉"})
    assert r.status_code == 409 and "7" in r.json()["detail"]


def test_calibration_report_shows_each_inspectors_deviation(app: FastAPI, client: TestClient) -> None:
    t = team(app, client)
    h, ids = t["h"], t["ids"]
    cids = _import(client, h["insp1"], [line("agent1", external_id="k1"), line("agent2", external_id="k2")])
    panel = [ids["insp1"], ids["insp2"], ids["insp3"]]
    r = client.post("/api/v1/qa/calibrations", headers=h["admin"],
                    json={"name": "11月第1周校准", "contact_ids": [*cids, 424242], "inspector_ids": panel})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.contact_ids.2"
    r = client.post("/api/v1/qa/calibrations", headers=h["admin"],
                    json={"name": "11月第1周校准", "contact_ids": cids, "inspector_ids": panel})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    early = client.post(f"/api/v1/qa/calibrations/{sid}/close", headers=h["admin"])
    assert early.status_code == 409 and "未完成评分" in early.json()["detail"]
    accuracy = {"insp1": 25, "insp2": 15, "insp3": 20}
    for name, points in accuracy.items():
        queue = client.get("/api/v1/qa/queue", headers=h[name]).json()
        assert len(queue) == 2 and {q["kind"] for q in queue} == {"calibration"}
        for q in queue:
            rep = client.get(f"/api/v1/qa/calibrations/{sid}/report", headers=h[name]).json()
            assert rep["complete"] is False and rep["rows"] == [], "blind until the panel has scored"
            r = client.post(f"/api/v1/qa/inspections/{q['id']}/score", headers=h[name],
                            json={"items": {**MANUAL_FULL, "solution.accuracy": points}})
            assert r.status_code == 200, r.text
    assert client.post(f"/api/v1/qa/calibrations/{sid}/close", headers=h["insp1"]).status_code == 403
    rep = client.get(f"/api/v1/qa/calibrations/{sid}/report", headers=h["insp2"]).json()
    assert rep["complete"] is True and rep["scored"] == rep["expected"] == 6
    acc = {row["inspector_id"]: row for row in rep["rows"] if row["item"] == "solution.accuracy"}
    assert acc[ids["insp1"]]["mean_deviation"] == 5.0 and acc[ids["insp2"]]["mean_deviation"] == -5.0
    assert acc[ids["insp3"]]["mean_abs_deviation"] == 0.0 and acc[ids["insp1"]]["n"] == 2
    same = [row for row in rep["rows"] if row["item"] == "verification.identity"]
    assert len(same) == 3 and all(row["mean_abs_deviation"] == 0 for row in same)
    assert rep["score_spread"] == {str(cids[0]): 10.0, str(cids[1]): 10.0}
    assert client.post(f"/api/v1/qa/calibrations/{sid}/close", headers=h["admin"]).status_code == 200
    cal = [e for e in _events(app, "inspection.calibrated") if e["item"] == "solution.accuracy"]
    assert [(e["interaction_id"], sorted(e["scores"])) for e in cal] == [(c, [15.0, 20.0, 25.0]) for c in cids]
    assert _events(app, "inspection.scored") == [], "calibration scorings are not KPI samples"
