"""A sign-in on the audit page names the person who signed in (UX audit): the row was written while nobody was
signed in yet, so it read 操作人 系统."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from helpers import make_user, page_login
from telqc.core.audit import AuditEntry
from telqc.core.models import User
from telqc.core.rbac import Role


def test_a_login_row_names_who_signed_in(app: FastAPI) -> None:
    uid = make_user(app, "zhao.agent", Role.agent)
    make_user(app, "au_admin", Role.admin)
    with app.state.sessionmaker() as s:
        s.execute(update(User).where(User.id == uid).values(display_name="赵敏"))
        s.commit()
    page_login(TestClient(app), "zhao.agent")
    with app.state.sessionmaker() as s:
        row = s.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login",
                                                 AuditEntry.entity_id == str(uid))).one()
        assert (row.actor_id, row.actor) == (uid, "zhao.agent"), "the entry's actor is the person, not 系统"

    adm = TestClient(app)
    page_login(adm, "au_admin")
    html = adm.get("/audit?action=auth.login&actor=zhao.agent").text
    cells = re.findall(r'<td class="actor"[^>]*>([^<]*)</td>', html)
    assert cells == ["赵敏"], cells
    by_name = adm.get("/audit?action=auth.login&actor=赵敏").text
    assert re.findall(r'<td class="actor"[^>]*>([^<]*)</td>', by_name) == ["赵敏"], "the name the page shows finds it"
