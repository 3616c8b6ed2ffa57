"""The 客户画像 section of the customer 360 page, for the agent and on the customer's own page."""

from __future__ import annotations

import html

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, login, make_user, page_login
from telqc.core.rbac import Role


def test_customer_page_shows_the_profile(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    make_user(app, "gd", Role.agent, region_scope=["440000"])
    c = create_customer(client, login(client, "adm"))
    text = client.get(f"/api/v1/insight/customers/{c['id']}/profile", headers=login(client, "gd")).json()[
        "recommendation"
    ]["text"]
    make_user(app, "me", Role.customer, customer_id=c["id"])
    for user, path in (("gd", f"/customers/{c['id']}"), ("me", "/my")):
        page_login(client, user)
        r = client.get(path)
        assert r.status_code == 200, r.text
        section = html.unescape(r.text.split('id="insight-profile"', 1)[1].split("</section>", 1)[0])
        assert "客户画像" in section and "金卡" in section and "合约期内" in section, user
        assert text in section and "演示数据" in section, user
        client.cookies.clear()
