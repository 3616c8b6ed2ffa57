"""A complaint hotspot opens its own plan (issue 22 item 3): the board lists the groups whose complaint rate rose
significantly over the last two weeks, and each one's link opens a plan on the complaint rate scoped to it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlparse

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user, page_login
from metrics.metrics_factories import SUBSCRIBERS, emit_all, order, set_subscribers
from telqc.core.rbac import Role


def complaints(app: FastAPI) -> None:
    """Signal complaints in 440300: 2 in the two weeks before, 30 in the last two weeks (the clock: 2 November)."""
    set_subscribers(app, SUBSCRIBERS)
    recent, before = datetime(2026, 10, 19, 3, 0, tzinfo=UTC), datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
    evs = [order(1000 + i, recent + timedelta(hours=11 * i), "complaint", 500 + i, "signal", city="440300")
           for i in range(30)]
    evs += [order(2000 + i, before + timedelta(days=5 * i), "complaint", 700 + i, "signal", city="440300")
            for i in range(2)]
    emit_all(app, evs)


def test_a_hotspot_on_the_board_opens_a_plan_scoped_to_it(app: FastAPI, client: TestClient) -> None:
    make_user(app, "mgr", Role.manager)
    complaints(app)
    browser = TestClient(app, raise_server_exceptions=False)
    csrf = page_login(browser, "mgr")
    board = browser.get("/improvement").text
    section = board.split('id="hotspots"', 1)[1].split("</section>", 1)[0]
    found = dict(re.findall(r'<tr data-hotspot="([^"]+)">.*?href="([^"]+)" class="open-from-hotspot"', section,
                            re.S))
    assert set(found) == {"city:440300", "category:signal"}, section
    link = found["city:440300"].replace("&amp;", "&")
    q = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    assert (q["kpi"], q["source"], q["ref"], q["province"]) == ("complaint_rate", "hotspot", "city:440300", "440000")
    assert "显著上升" in unquote(q["problem"])
    form = browser.get(link).text
    assert 'name="source_ref" value="city:440300"' in form and '<option value="hotspot" selected' in form
    owner = re.search(r'<select name="owner_id">\s*<option value="(\d+)"', form)
    assert owner is not None
    r = browser.post("/improvement/new", data={
        "csrf_token": csrf, "title": q["title"], "problem": q["problem"], "kpi": "complaint_rate",
        "owner_id": owner.group(1),
        "source": "hotspot", "source_ref": "city:440300", "province": "440000",
        "baseline_start": "2026-10-05", "baseline_end": "2026-10-18"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    plan_id = r.headers["location"].rsplit("/", 1)[1]
    plan = client.get(f"/api/v1/improvement/plans/{plan_id}", headers=login(client, "mgr")).json()
    assert (plan["source"], plan["source_ref"], plan["kpi"]) == ("hotspot", "city:440300", "complaint_rate")
    assert plan["scope"] == {"province": ["440000"], "city": ["440300"]}
    bad = browser.post("/improvement/new", data={
        "csrf_token": csrf, "title": "x" * 5, "problem": "问题描述足够长", "kpi": "complaint_rate",
        "owner_id": "1", "source": "hotspot", "source_ref": "team:1; drop", "province": "440000",
        "baseline_start": "2026-10-05", "baseline_end": "2026-10-18"}, follow_redirects=False)
    assert bad.status_code == 422
