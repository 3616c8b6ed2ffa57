"""Incident test helpers: a netops user beside the orders World, complaints in a district, short calls."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, login
from orders.orders_helpers import World, staff
from telqc.core.rbac import Role
from telqc.jobs.relay import relay_backlog


class NetWorld(World):
    def __init__(self, app: FastAPI, client: TestClient) -> None:
        super().__init__(app, client)
        staff(app, "net1", Role.netops)
        self.netops = login(client, "net1")
        self._customers: dict[str, list[int]] = {}

    def customer_in(self, district: str, n: int) -> int:
        """The n-th customer of a district (created on first use)."""
        have = self._customers.setdefault(district, [])
        while len(have) <= n:
            phone = f"139{district[-3:]}{len(have):05d}"
            have.append(create_customer(self.client, self.admin, phone=phone, district=district,
                                        district_code=district)["id"])
        return have[n]

    def complaints(self, district: str, n: int, category: str = "complaint.network",
                   first: int = 0) -> list[dict[str, Any]]:
        return [self.create(customer_id=self.customer_in(district, first + k), category=category,
                            title="手机没有信号", description="今天下午开始整个小区手机没有信号")
                for k in range(n)]

    def incidents(self, status: str | None = None) -> list[dict[str, Any]]:
        r = self.client.get("/api/v1/incidents" + (f"?status={status}" if status else ""), headers=self.netops)
        assert r.status_code == 200, r.text
        return list(r.json())

    def move(self, incident_id: int, to: str, expect: int = 200, **kw: Any) -> dict[str, Any]:  # type: ignore[override]
        r = self.client.post(f"/api/v1/incidents/{incident_id}/transition", json={"to": to, **kw},
                             headers=self.netops)
        assert r.status_code == expect, r.text
        return dict(r.json())

    def relay(self) -> None:
        relay_backlog(self.app.state.sessionmaker, self.app.state.clock, self.app.state.settings)
