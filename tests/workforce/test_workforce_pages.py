"""The planner and intraday pages through the page routes: names and local times, the roles that see them,
the forms, and the HTMX what-if fragment."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import make_user, page_login
from telqc.core.rbac import Role
from telqc.workforce.models import Forecast, Roster, ShiftTemplate, Staff
from workforce.workforce_data import seed


def _page(app: FastAPI, username: str) -> tuple[TestClient, str]:
    c = TestClient(app, raise_server_exceptions=False)
    return c, page_login(c, username)


def test_planner_shows_forecast_requirement_roster_and_gap(app: FastAPI) -> None:
    make_user(app, "mgr", Role.manager)
    demo = seed(app)
    mgr, csrf = _page(app, "mgr")
    html = mgr.get("/").text
    assert 'href="/workforce"' in html and "排班规划" in html and 'href="/workforce/intraday"' in html
    html = mgr.get("/workforce").text
    assert f"第 {demo.forecast_id} 版预测" in html and 'id="forecast-data"' in html and 'id="gap-data"' in html
    assert "2026-11-02 班表（热线" in html and "早班" in html
    assert re.search(r"<td>(早班|白班|晚班|高峰短班|夜班)</td><td>\d\d:\d\d</td>", html), "template names, local times"
    assert '"labels": ["11-02 00:00"' in html, "the chart's intervals in Beijing time"
    assert all(f"排班覆盖 · {k}" in html for k in ("热线", "微信", "APP")), "coverage per skill"
    r = mgr.post("/workforce/forecast", data={"days": "0", "history_days": "60", "csrf_token": csrf})
    assert r.status_code == 422 and 'id="form-error"' in r.text
    r = mgr.post("/workforce/roster", data={"forecast_id": str(demo.forecast_id), "days": "1", "csrf_token": csrf},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/workforce?forecast={demo.forecast_id}"


def test_forecast_form_with_empty_fields_is_refused_by_label_and_runs_nothing(app: FastAPI) -> None:
    """Posting 生成新预测 with its fields emptied answers at once with the field's Chinese label (it used to fall
    back to the route's defaults and run a whole forecast inside the request); filled in, it runs and redirects.
    The roster form's 排班天数 likewise."""
    make_user(app, "mgr", Role.manager)
    demo = seed(app, roster_days=1)
    mgr, csrf = _page(app, "mgr")
    for data, label in (({"days": "", "history_days": "", "note": ""}, "天数"),
                        ({"days": "7", "history_days": " ", "note": "空"}, "历史天数"),
                        ({}, "天数")):
        r = mgr.post("/workforce/forecast", data={**data, "csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 422, (data, r.status_code)
        error = re.search(r'id="form-error">([^<]*)<', r.text)
        assert error and error.group(1) == f"{label}：必填字段缺失", (data, error)
    with app.state.sessionmaker() as db:
        assert db.scalars(select(Forecast.id)).all() == [demo.forecast_id], "nothing was forecast"
    r = mgr.post("/workforce/forecast", data={"days": "2", "history_days": "42", "csrf_token": csrf},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/workforce?forecast={demo.forecast_id + 1}"
    r = mgr.post("/workforce/roster", data={"forecast_id": str(demo.forecast_id), "days": "", "csrf_token": csrf},
                 follow_redirects=False)
    error = re.search(r'id="form-error">([^<]*)<', r.text)
    assert r.status_code == 422 and error and error.group(1) == "天数：必填字段缺失", (r.status_code, error)
    with app.state.sessionmaker() as db:
        assert db.scalars(select(Roster.id)).all() == [demo.roster_id], "no roster was solved"


def test_planner_sees_the_shifts_the_optimiser_dropped_or_re_timed(app: FastAPI) -> None:
    """What stage 2 could not place as planned (stored with the roster) is shown in Chinese with the staff's
    and the template's names and Beijing times, not ids."""
    make_user(app, "mgr", Role.manager)
    demo = seed(app, roster_days=1)
    with app.state.sessionmaker() as db:
        staff = db.scalars(select(Staff).order_by(Staff.id)).first()
        night = db.scalars(select(ShiftTemplate).where(ShiftTemplate.name == "夜班")).one()
        early = db.scalars(select(ShiftTemplate).where(ShiftTemplate.name == "早班")).one()
        assert staff is not None
        name = staff.name
        roster = db.get(Roster, demo.roster_id)
        assert roster is not None
        roster.unplaced = [
            {"day": "2026-11-02", "skills": ["hotline", "wechat"], "template_id": night.id, "start_min": 22 * 60,
             "length_min": 480, "placed_start_min": None, "staff_id": None},
            {"day": "2026-11-02", "skills": ["hotline"], "template_id": early.id, "start_min": 7 * 60,
             "length_min": 480, "placed_start_min": 8 * 60, "staff_id": staff.id}]
        db.commit()
    mgr, _ = _page(app, "mgr")
    html = mgr.get("/workforce").text
    section = html[html.index('id="roster-unplaced"'):]
    section = section[:section.index("</section>")]
    assert "未按计划排上的班次（2 个）" in section
    assert re.search(r'<tr class="dropped"><td>11-02</td><td>夜班</td><td>热线、微信</td><td>22:00–次日06:00</td>'
                     r"<td>未排上</td><td>—</td></tr>", section), section
    assert re.search(rf'<tr class="retimed"><td>11-02</td><td>早班</td><td>热线</td><td>07:00–15:00</td>'
                     rf"<td>改为 08:00–16:00</td><td>{name}</td></tr>", section), section
    assert f">{staff.id}<" not in section and "hotline" not in section, "names, not ids or codes"


def test_supervisor_sees_intraday_and_runs_a_what_if(app: FastAPI) -> None:
    make_user(app, "sup", Role.supervisor)
    make_user(app, "agent", Role.agent)
    seed(app)
    sup, csrf = _page(app, "sup")
    home = sup.get("/").text
    assert 'href="/workforce/intraday"' in home and 'href="/workforce"' not in home, "planning is the manager's"
    html = sup.get("/workforce/intraday").text
    assert "实时监控 · 2026-11-02" in html and 'id="suggestions"' in html and "hx-post" in html
    assert "<td>10:00</td>" in html
    r = sup.post("/workforce/intraday/what-if", headers={"X-CSRF-Token": csrf, "HX-Request": "true"},
                 data={"channel": "hotline", "calls": "120", "aht_s": "330", "agents": "10"})
    assert r.status_code == 200 and "未达标" in r.text and "满足目标所需坐席" in r.text
    r = sup.post("/workforce/intraday/what-if", headers={"X-CSRF-Token": csrf},
                 data={"channel": "hotline", "calls": "120", "aht_s": "-1"})
    assert r.status_code == 422 and "平均处理时长" in r.text
    agent, _ = _page(app, "agent")
    assert agent.get("/workforce/intraday").status_code == 403


def test_planner_shows_short_breaks_and_the_template_form_names_the_refused_field(app: FastAPI) -> None:
    """The roster of the day has a 小休 column (the demo's 早班 and 晚班 carry a 15-minute break, placed by the
    optimiser inside its window); the template form refuses a bad break by its label and stores a good one."""
    make_user(app, "mgr", Role.manager)
    seed(app, roster_days=1)
    mgr, csrf = _page(app, "mgr")
    html = mgr.get("/workforce").text
    assert "<th>小休</th>" in html
    breaks = re.findall(r'<td>早班</td><td>(\d\d):(\d\d)</td><td>[^<]*</td><td>[^<]*</td><td class="break">'
                        r'(\d\d):(\d\d)–(\d\d):(\d\d)</td>', html)
    assert breaks, "the early shifts show their break"
    for h, m, bh, bm, eh, em in breaks:
        offset = (int(bh) * 60 + int(bm)) - (int(h) * 60 + int(m))
        assert 60 <= offset <= 90 and (int(eh) * 60 + int(em)) - (int(bh) * 60 + int(bm)) == 15
    form = {"name": "小休测试", "length_min": "480", "earliest_start": "08:00", "latest_start": "09:00",
            "lunch_min": "60", "lunch_earliest_min": "180", "lunch_latest_min": "240", "break_min": "15",
            "break_earliest_min": "120", "break_latest_min": "60", "csrf_token": csrf}
    for change, text in (({}, "小休最晚（上班后分钟）：不得早于小休最早"),
                         ({"break_min": "45", "break_latest_min": "120"}, "小休时长（分钟）："),
                         ({"lunch_latest_min": "180", "break_earliest_min": "180", "break_latest_min": "210"},
                          "小休最早（上班后分钟）："),
                         ({"break_earliest_min": "45", "break_latest_min": "120"}, "小休最早（上班后分钟）："),
                         ({"earliest_start": "8点", "break_latest_min": "120"}, "最早上班：")):
        r = mgr.post("/workforce/templates", data={**form, **change}, follow_redirects=False)
        error = re.search(r'id="form-error">([^<]*)<', r.text)
        assert r.status_code == 422 and error and error.group(1).startswith(text), (change, error)
    with app.state.sessionmaker() as db:
        assert db.scalar(select(ShiftTemplate).where(ShiftTemplate.name == "小休测试")) is None
    r = mgr.post("/workforce/templates", data={**form, "break_latest_min": "150"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/workforce#templates"
    with app.state.sessionmaker() as db:
        t = db.scalar(select(ShiftTemplate).where(ShiftTemplate.name == "小休测试"))
        assert t is not None and (t.earliest_start_min, t.break_min, t.break_earliest_min, t.break_latest_min) == (
            480, 15, 120, 150)
    assert "15 分，上班后 120–150 分开始" in mgr.get("/workforce").text
