"""Satisfaction campaigns through the API and the pages: draw, send, answer once, expire, results, report, access."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from helpers import login, make_user, page_login
from surveys.campaign_data import GD, ZJ
from telqc.core.audit import AuditEntry
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.errors import Conflict
from telqc.core.rbac import Role
from telqc.core.uow import UnitOfWork
from telqc.surveys import campaigns, channels
from telqc.surveys import schemas as s_
from telqc.surveys.models import SurveyCampaignAnswer, SurveyCampaignInvitation

A = "/api/v1/survey-campaigns"
@pytest.fixture
def mgr(app: FastAPI, client: TestClient) -> dict[str, str]:
    make_user(app, "mgr", Role.manager)
    return login(client, "mgr")


def campaign(client: TestClient, h: dict[str, str], **kw: Any) -> dict[str, Any]:
    body = {"name": "2026年第四季度满意度测评", "period_kind": "quarter", "period_label": "2026Q4",
            "strata": ["province", "tier"], "sample_size": 30, "min_per_stratum": 2, "seed": 42, "validity_days": 14,
            "min_cell_n": 4, **kw}
    r = client.post(A, json=body, headers=h)
    assert r.status_code == 201, r.text
    return r.json()


def send(client: TestClient, h: dict[str, str], cid: int) -> dict[str, Any]:
    r = client.post(f"{A}/{cid}/send", headers=h)
    assert r.status_code == 200, r.text
    return r.json()


def token(msg: channels.Message) -> str:
    return msg.link.removeprefix("/sq/")


SCORES = {"attitude": 5, "efficiency": 5, "quality": 5, "etiquette": 5}


def test_sample_follows_the_strata(app: FastAPI, client: TestClient, people: dict[int, tuple[str, str]],
                                   mgr: dict[str, str], outbox: channels.RecordingChannel) -> None:
    c = send(client, mgr, campaign(client, mgr)["id"])
    assert c["status"] == "sent" and c["sampled"] == 30
    assert c["population"] == {"330000|gold": 10, "330000|regular": 40, "440000|gold": 20, "440000|regular": 80}
    drawn = Counter(people[m.customer_id] for m in outbox.sent)
    assert drawn == {(GD, "gold"): 4, (GD, "regular"): 16, (ZJ, "gold"): 2, (ZJ, "regular"): 8}
    assert all(m.link.startswith("/sq/") and "2026Q4" in m.text for m in outbox.sent)
    assert all(m.channel == ("app_push" if 101 <= m.customer_id <= 105 else "sms") for m in outbox.sent)
    with app.state.sessionmaker() as s:
        invs = s.scalars(select(SurveyCampaignInvitation)).all()
        assert {i.customer_id for i in invs} <= set(people)  # never the placeholder customer
        expected = {**dict.fromkeys(range(101, 106), "app"), **dict.fromkeys(range(106, 111), "hotline")}
        assert all(i.service_channel == expected.get(i.customer_id, "none") for i in invs)
        assert {i.service_channel for i in invs} == {"app", "hotline", "none"}  # ZJ gold: 2 of its 10 drawn
        assert all(len(i.token_hash) == 64 and token(outbox.sent[0]) not in i.token_hash for i in invs)
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "survey_campaign.sent")) is not None
    first = {m.customer_id for m in outbox.sent}
    outbox.sent.clear()
    send(client, mgr, campaign(client, mgr, name="同一种子重抽")["id"])
    assert {m.customer_id for m in outbox.sent} == first, "the same seed draws the same sample"
    assert client.post(f"{A}/{c['id']}/send", headers=mgr).status_code == 409


def test_answer_once_with_every_dimension(app: FastAPI, client: TestClient, people: dict[int, tuple[str, str]],
                                          mgr: dict[str, str], outbox: channels.RecordingChannel) -> None:
    send(client, mgr, campaign(client, mgr)["id"])
    link = outbox.sent[0].link
    page = client.get(link)
    assert page.status_code == 200 and "服务态度" in page.text and 'name="etiquette"' in page.text
    missing = client.post(link, data={"attitude": "5", "efficiency": "4", "quality": "4"})
    assert missing.status_code == 422 and "请为「服务礼仪」打分" in missing.text
    api = client.post(f"{A}/answers/{token(outbox.sent[0])}", json={**SCORES, "quality": 6})
    assert api.status_code == 422 and "quality" in api.text
    ok = client.post(link, data={"attitude": "5", "efficiency": "4", "quality": "4", "etiquette": "3",
                                 "comment": "营业厅排队太久"})
    assert ok.status_code == 200 and "感谢" in ok.text
    again = client.post(link, data={k: str(v) for k, v in SCORES.items()})
    assert again.status_code == 409 and "已提交" in again.text
    assert client.post(f"{A}/answers/{token(outbox.sent[0])}", json=SCORES).status_code == 409
    assert client.get("/sq/not-a-token").status_code == 404
    with app.state.sessionmaker() as s:
        rows = {a.dimension: (a.score, a.comment) for a in s.scalars(select(SurveyCampaignAnswer))}
    assert rows == {"attitude": (5, None), "efficiency": (4, None), "quality": (4, None), "etiquette": (3, None),
                    "comment": (None, "营业厅排队太久")}


def test_links_expire_and_close(app: FastAPI, client: TestClient, clock: FrozenClock,
                                people: dict[int, tuple[str, str]], mgr: dict[str, str],
                                outbox: channels.RecordingChannel) -> None:
    cid = send(client, mgr, campaign(client, mgr, validity_days=7)["id"])["id"]
    clock.advance(timedelta(days=7, seconds=1))
    late = client.post(outbox.sent[0].link, data={k: str(v) for k, v in SCORES.items()})
    assert late.status_code == 409 and "过期" in late.text
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        assert campaigns.expire_due(Ctx(uow=uow, clock=clock, settings=app.state.settings)) == 30
        uow.commit()
    mgr = login(client, "mgr")  # the sign-in of a week ago has expired too
    assert client.post(f"{A}/{cid}/close", headers=mgr).json()["status"] == "closed"
    closed = client.get(outbox.sent[1].link)
    assert closed.status_code == 409 and "已结束" in closed.text
    with app.state.sessionmaker() as s:
        assert {i.status for i in s.scalars(select(SurveyCampaignInvitation))} == {"expired"}
        assert s.scalars(select(SurveyCampaignAnswer)).first() is None


def _answer_gd_by_tier(client: TestClient, mgr: dict[str, str], people: dict[int, tuple[str, str]],
                       outbox: channels.RecordingChannel) -> int:
    """Guangdong only, strata by tier: gold 20 customers, regular 80; 4 drawn: gold's quota 0.8 is under the floor
    2, so 2 + 2. Weights: gold 20 / 2 = 10, regular 80 / 2 = 40."""
    cid = send(client, mgr, campaign(client, mgr, strata=["tier"], province=GD, sample_size=4)["id"])["id"]
    by_tier: dict[str, list[str]] = {"gold": [], "regular": []}
    for m in outbox.sent:
        by_tier[people[m.customer_id][1]].append(token(m))
    assert [len(v) for v in by_tier.values()] == [2, 2]
    answers = {"gold": [(5, 5, 4, 1), (5, 5, 4, 1)], "regular": [(3, 5, 4, 5), (2, 5, 5, 5)]}
    for tier, tokens in by_tier.items():
        for tok, (att, eff, qual, eti) in zip(tokens, answers[tier], strict=True):
            r = client.post(f"{A}/answers/{tok}", json={"attitude": att, "efficiency": eff, "quality": qual,
                                                        "etiquette": eti, "comment": "态度一般" if att < 4 else None})
            assert r.status_code == 200, r.text
    return cid


def test_results_raw_and_weighted_by_hand(client: TestClient, people: dict[int, tuple[str, str]],
                                          mgr: dict[str, str], outbox: channels.RecordingChannel) -> None:
    cid = _answer_gd_by_tier(client, mgr, people, outbox)
    r = client.get(f"{A}/{cid}/results", headers=mgr).json()
    assert (r["sent"], r["answered"]) == (4, 4)
    cells = {c["dimension"]: c for c in r["cells"]}
    assert all(c["key"] == {"province": GD} and c["n"] == 4 for c in cells.values())
    att = cells["attitude"]  # raw (5+5+3+2)/4; weighted (10·5·2 + 40·3 + 40·2) / 100; satisfied 2/4, 20/100
    assert (att["mean"], att["weighted_mean"], att["satisfied"], att["weighted_satisfied"]) == (3.75, 3.0, 0.5, 0.2)
    assert att["low"] and att["reasons"] == ["mean", "share"]
    qual = cells["quality"]  # raw 17/4; weighted (10·4·2 + 40·4 + 40·5) / 100
    assert (qual["mean"], qual["weighted_mean"], qual["satisfied"]) == (4.25, 4.4, 1.0) and not qual["low"]
    eti = cells["etiquette"]  # raw 12/4 = 3, but weighted (10·1·2 + 40·5·2) / 100 = 4.2, satisfied 80/100 = 0.8
    assert (eti["mean"], eti["weighted_mean"], eti["satisfied"], eti["weighted_satisfied"]) == (3.0, 4.2, 0.5, 0.8)
    assert not eti["low"], "flagged on the weighted estimate, and 80% is not below 80%"
    assert {(c["dimension"], json.dumps(c["key"])) for c in r["low_items"]} == {
        ("attitude", '{"province": "440000"}'), ("attitude", '{"channel": "none"}')}
    assert r["improvement_link"] == "/improvement/new?kpi=csat&source=survey"
    tiers = client.get(f"{A}/{cid}/results?by=tier", headers=mgr).json()["cells"]
    assert all(not c["sufficient"] and c["mean"] is None and c["n"] == 2 for c in tiers)  # 2 < min_cell_n 4
    both = client.get(f"{A}/{cid}/results?by=province&by=tier", headers=mgr).json()["cells"]
    assert {json.dumps(c["key"]) for c in both} == {'{"province": "440000", "tier": "gold"}',
                                                    '{"province": "440000", "tier": "regular"}'}
    assert client.get(f"{A}/{cid}/results?by=city", headers=mgr).status_code == 422


def test_results_page_and_report(client: TestClient, people: dict[int, tuple[str, str]], mgr: dict[str, str],
                                 outbox: channels.RecordingChannel) -> None:
    cid = _answer_gd_by_tier(client, mgr, people, outbox)
    page = client.get(f"/surveys/campaigns/{cid}", headers=mgr)
    assert page.status_code == 200
    low = re.findall(r'<tr class="low-item" data-dimension="(\w+)"', page.text)
    assert low == ["attitude", "attitude"]
    links = [html.unescape(x) for x in re.findall(r'href="(/improvement/new\?[^"]+)"', page.text)]
    assert len(links) == 2, "each low item opens its own plan"
    gd = next(x for x in links if "province=440000" in x)
    form = client.get(gd, headers=mgr)
    assert form.status_code == 200
    assert 'value="提升广东省服务态度满意度"' in form.text, "the title names the segment and the dimension"
    assert "加权均分 3.00，满意占比 20.0%（4 份答卷）" in form.text
    assert re.search(r'<option value="440000"[^>]*selected', form.text), "the province becomes the plan's scope"
    chart = json.loads(re.search(r'<script type="application/json" id="campaign-data">(.*?)</script>',
                                 page.text, re.S).group(1))  # type: ignore[union-attr]
    assert chart["dims"][0] == {"id": "attitude", "name": "服务态度", "provinces": ["广东省"], "raw": [3.75],
                                "weighted": [3.0]}
    assert "/static/echarts.min.js" in page.text and "/static/survey_campaign.js" in page.text
    assert "态度一般" in page.text
    assert "样本不足" in client.get(f"/surveys/campaigns/{cid}?by=tier", headers=mgr).text
    js = client.get("/static/survey_campaign.js")
    assert js.status_code == 200 and "echarts.init" in js.text
    report = client.get(f"{A}/{cid}/report", headers=mgr)
    assert report.status_code == 200 and "spreadsheetml" in report.headers["content-type"]
    book = load_workbook(io.BytesIO(report.content))
    assert book.sheetnames == ["概况", "服务态度×省份", "办理效率×省份", "服务质量×省份", "服务礼仪×省份", "低分项",
                               "意见建议"]
    sheet = book["服务态度×省份"]
    assert [c.value for c in sheet[3]] == ["广东省", 4, 3.75, 3.0, 0.5, 0.2, "是"]
    lows = [[c.value for c in row][:3] for row in book["低分项"].iter_rows(min_row=2)]
    assert lows == [["服务态度", "服务渠道", "无接触"], ["服务态度", "省份", "广东省"]]  # equal means: by key



@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_the_quarterly_report_as_pdf(client: TestClient, people: dict[int, tuple[str, str]], mgr: dict[str, str],
                                     outbox: channels.RecordingChannel, tmp_path: Path) -> None:
    """The same report in the PDF export (管理规范手册 8.3.2): low items with their reasons, each dimension by
    province, tier and channel, the comments; linked from the results page next to the Excel one."""
    cid = _answer_gd_by_tier(client, mgr, people, outbox)
    assert f'/api/v1/survey-campaigns/{cid}/report?format=pdf' in client.get(f"/surveys/campaigns/{cid}",
                                                                             headers=mgr).text
    r = client.get(f"{A}/{cid}/report", params={"format": "pdf"}, headers=mgr)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert f"survey-campaign-{cid}-" in r.headers["content-disposition"] and ".pdf" in r.headers["content-disposition"]
    pdf = tmp_path / "campaign.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout.replace(" ", "")
    for words in ("一、低分项", "服务态度·按省份", "办理效率·按客户等级", "服务礼仪·按服务渠道", "三、意见建议",
                  "态度一般", "加权均分低于", "广东省"):
        assert words in text, words
    assert client.get(f"{A}/{cid}/report", params={"format": "doc"}, headers=mgr).status_code == 422


def test_who_may_run_campaigns(app: FastAPI, client: TestClient, people: dict[int, tuple[str, str]],
                               mgr: dict[str, str], outbox: channels.RecordingChannel) -> None:
    make_user(app, "agent", Role.agent, [GD])
    agent = login(client, "agent")
    body = {"name": "坐席发起", "period_kind": "half", "period_label": "2026H2", "sample_size": 10}
    assert client.post(A, json=body, headers=agent).status_code == 403
    assert client.get("/surveys/campaigns", headers=agent).status_code == 403
    national = campaign(client, mgr)
    make_user(app, "zj", Role.manager, [ZJ])
    zj = login(client, "zj")
    r = client.post(A, json=body, headers=zj)
    assert r.status_code == 422 and "body.province" in r.text
    assert client.get(f"{A}/{national['id']}", headers=zj).status_code == 404
    mine = client.post(A, json={**body, "province": ZJ}, headers=zj)
    assert mine.status_code == 201
    assert [c["id"] for c in client.get(A, headers=zj).json()] == [mine.json()["id"]]
    bad = client.post(A, json={**body, "period_label": "2026Q3"}, headers=mgr)
    assert bad.status_code == 422 and "period_label" in bad.text


def test_create_and_send_from_the_pages(app: FastAPI, client: TestClient, people: dict[int, tuple[str, str]],
                                        outbox: channels.RecordingChannel) -> None:
    make_user(app, "mgr", Role.manager)
    csrf = page_login(client, "mgr")
    form = {"name": "2026年下半年测评", "period_kind": "half", "period_label": "2026H3", "sample_size": "20",
            "strata": ["province"], "seed": "7", "csrf_token": csrf}
    bad = client.post("/surveys/campaigns", data=form)
    assert bad.status_code == 422 and "period_label" in bad.text and "2026H3" in bad.text
    made = client.post("/surveys/campaigns", data={**form, "period_label": "2026H2"}, follow_redirects=False)
    assert made.status_code == 303
    url = made.headers["location"]
    sent = client.post(f"{url}/send", data={"csrf_token": csrf}, follow_redirects=False)
    assert sent.status_code == 303 and len(outbox.sent) == 20
    page = client.get(url)
    assert page.status_code == 200 and "调查中" in page.text and "没有低分项" in page.text
    assert "2026年下半年测评" in client.get("/surveys/campaigns").text


def test_two_answers_at_once_one_wins(app: FastAPI, client: TestClient, clock: FrozenClock,
                                      people: dict[int, tuple[str, str]], mgr: dict[str, str],
                                      outbox: channels.RecordingChannel, monkeypatch: pytest.MonkeyPatch) -> None:
    """A request that checked the link just before another answered it gets 409, not a server error: the
    database's unique (invitation, dimension) refuses its rows and nothing of it is kept."""
    send(client, mgr, campaign(client, mgr)["id"])
    tok = token(outbox.sent[0])
    assert client.post(f"{A}/answers/{tok}", json=SCORES).status_code == 200
    monkeypatch.setattr(campaigns, "answerable", lambda ctx, inv: None)  # its check ran before the other commit
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        with pytest.raises(Conflict) as e:
            campaigns.answer(Ctx(uow=uow, clock=clock, settings=app.state.settings), tok,
                             s_.CampaignAnswerIn.model_validate({**SCORES, "attitude": 1}))
        assert e.value.key == "surveys.error.answered"
        uow.rollback()
    with app.state.sessionmaker() as s:
        assert sorted(a.score for a in s.scalars(select(SurveyCampaignAnswer))) == [5, 5, 5, 5]
