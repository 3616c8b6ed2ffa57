"""The customer's profile beside a work order (issue 23 §2: shown on the customer 360 page and on the agent's
order page): tier, ARPU trend, device, fault and complaint history, churn risk and the open retention task,
read through the insight service (`service.brief`), never insight's tables from orders."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, login, make_user, page_login
from telqc.core.rbac import Role
from telqc.insight import repository
from telqc.insight.models import (
    InsightBill,
    InsightChurnScore,
    RetentionCampaign,
    RetentionMember,
)

AT = datetime(2026, 11, 1, tzinfo=UTC)


def _order(client: TestClient, h: dict[str, str], cid: int, type_: str, category: str, title: str) -> int:
    body = {"type": type_, "category": category, "customer_id": cid, "title": title,
            "description": f"{title}，请尽快处理"}
    if type_ == "repair":
        body["repair"] = {"product": "宽带"}
    r = client.post("/api/v1/orders", headers=h, json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _section(text: str) -> str:
    assert 'id="order-insight"' in text, "the order page shows no profile"
    return html.unescape(text.split('id="order-insight"', 1)[1].split("</section>", 1)[0])


def test_the_order_page_shows_the_customers_profile(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    gd = make_user(app, "gd1", Role.agent, ["440000"])
    make_user(app, "gd2", Role.agent, ["440000"])
    cid = create_customer(client, login(client, "adm"))["id"]
    agent = login(client, "gd1")
    _order(client, agent, cid, "repair", "repair.broadband", "宽带断网")
    complaint = _order(client, agent, cid, "complaint", "complaint.billing", "话费多扣")
    with app.state.sessionmaker() as s:
        # 100 yuan a month from May to July, 60 from August to October: ARPU down 40% (the clock is 2026-11-02)
        for m in range(5, 11):
            fen = 10000 if m < 8 else 6000
            s.add(InsightBill(customer_id=cid, month=date(2026, m, 1), amount_fen=fen, paid_fen=fen,
                              imported_at=AT))
        repository.add_usage(s, [
            {"customer_id": cid, "subscription": "5G129", "month": date(2026, m, 1), "data_mb": 20480,
             "voice_min": 300, "sms": 10, "roaming_mb": 0, "terminal_model": model, "imported_at": AT}
            for m, model in ((9, "iPhone 12"), (10, "HUAWEI Mate 60"))])
        s.add(InsightChurnScore(customer_id=cid, score=0.62, model_version="churn-logistic-test", scored_at=AT,
                                reasons=[["arpu_drop", 0.4], ["complaints_30d", 1.0]]))
        treated = RetentionCampaign(name="十一月挽留", holdout_share=0.2, seed=1, created_at=AT)
        held = RetentionCampaign(name="对照活动", holdout_share=0.2, seed=1, created_at=AT)
        s.add_all([treated, held])
        s.flush()
        s.add(RetentionMember(campaign_id=treated.id, customer_id=cid, province_code="440000", stage="churn_risk",
                              reasons=["流失风险高"], holdout=False, action="offer", agent_id=gd, status="open"))
        s.add(RetentionMember(campaign_id=held.id, customer_id=cid, province_code="440000", stage="churn_risk",
                              reasons=["流失风险高"], holdout=True, action="callback", status="open"))
        s.commit()

    page_login(client, "gd2")  # another agent, not the task's: the order page tells them the task exists
    r = client.get(f"/orders/{complaint}")
    assert r.status_code == 200, r.text
    section = _section(r.text)
    assert "客户画像" in section and "金卡" in section and "合约期内" in section
    assert "近3个月月均 60.00 元（较前3个月下降 40%）" in section
    assert "HUAWEI Mate 60" in section and "iPhone 12" not in section, "the latest device"
    assert "近90天故障 1 次（累计 1），投诉 1 次（累计 1）" in section
    assert "流失风险 0.62：近3个月消费较前3个月下降 40%、近30天投诉 1 次" in section
    assert "churn-logistic-test" in section
    assert "续约优惠（十一月挽留，负责坐席 gd1）" in section
    assert "对照活动" not in section and "关怀回访" not in section, "a holdout member is never shown"
    assert f'href="/customers/{cid}#insight-profile"' in r.text

    # the same read model over the customer's scope: an agent of another province sees the order page
    # refused as before, and a customer without bills, device, orders or score reads as such
    bare = create_customer(client, login(client, "adm"), phone="13912345678", name="李娜")["id"]
    other = _order(client, agent, bare, "consultation", "consultation.plan", "咨询套餐")
    r = client.get(f"/orders/{other}")
    section = _section(r.text)
    assert "暂无账单" in section and "终端" in section and "未知" in section
    assert "近90天故障 0 次（累计 0），投诉 0 次（累计 0）" in section
    assert "暂无流失评分" in section and "无进行中的挽留任务" in section
