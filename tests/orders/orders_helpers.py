"""Order test helpers: staff with skills and teams, customers, and short API calls."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import create_customer, login, password_hash
from telqc.core.models import Team, User
from telqc.core.rbac import Role


def staff(app: FastAPI, username: str, role: Role, province: str | None = "440000",
          skills: list[str] | None = None, customer_id: int | None = None) -> int:
    with app.state.sessionmaker() as s:
        team = None
        if province and role in (Role.agent, Role.supervisor):
            team = s.scalar(select(Team.id).where(Team.province_code == province).order_by(Team.id))
        u = User(username=username, display_name=username, password_hash=password_hash(), role=role.value,
                 region_scope=[province] if province else None, customer_id=customer_id, skills=skills or [],
                 is_active=True, failed_logins=0, created_at=app.state.clock.now(), team_id=team)
        s.add(u)
        s.commit()
        return u.id


class World:
    """A Guangdong agent, a senior agent, a supervisor, a manager and one customer (gold, urban Tianhe)."""

    def __init__(self, app: FastAPI, client: TestClient, **customer: Any) -> None:
        self.app, self.client = app, client
        self.admin_id = staff(app, "adm", Role.admin, province=None)
        self.admin = login(client, "adm")
        self.agent_id = staff(app, "agent1", Role.agent)
        self.agent = login(client, "agent1")
        self.senior_id = staff(app, "senior1", Role.agent, skills=["senior", "complaint"])
        self.senior = login(client, "senior1")
        self.sup_id = staff(app, "sup1", Role.supervisor)
        self.sup = login(client, "sup1")
        self.customer = create_customer(client, self.admin, **customer)
        self.customer_id = self.customer["id"]

    def customer_login(self, username: str = "cust1", customer_id: int | None = None) -> dict[str, str]:
        staff(self.app, username, Role.customer, province=None, customer_id=customer_id or self.customer_id)
        return login(self.client, username)

    def create(self, headers: dict[str, str] | None = None, **kw: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "complaint", "category": "complaint.billing",
                                "customer_id": self.customer_id, "channel": "hotline", "title": "话费多扣",
                                "description": "本月话费多扣了30元，要求退还"}
        body.update(kw)
        r = self.client.post("/api/v1/orders", json=body, headers=headers or self.agent)
        assert r.status_code == 201, r.text
        return r.json()

    def move(self, order_id: int, to: str, headers: dict[str, str] | None = None, expect: int = 200,
             **kw: Any) -> dict[str, Any]:
        r = self.client.post(f"/api/v1/orders/{order_id}/transition", json={"to": to, **kw},
                             headers=headers or self.agent)
        assert r.status_code == expect, r.text
        return r.json()
