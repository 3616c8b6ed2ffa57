"""The tier and stage assessment against a real database: stored bills and usage in, changes audited, a second
run changes nothing, a customer without bills keeps its tier (SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import create_customer, login, make_user
from telqc.core.audit import AuditEntry
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Principal, Role
from telqc.core.settings import Settings
from telqc.insight import assessments, service
from telqc.jobs.dispatch import job_ctx

BILLS = "customer_id,month,amount_fen,paid_fen,paid_at\n"


def test_assessment_writes_tiers_and_stages(app: FastAPI, client: TestClient, settings: Settings,
                                            clock: FrozenClock) -> None:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    spender = int(create_customer(client, h)["id"])  # gold, in_contract, joined 2020-03-15
    low = int(create_customer(client, h, phone="13812345679", joined_on="2026-08-01")["id"])
    quiet = int(create_customer(client, h, phone="13812345670", contract_end="2026-12-20")["id"])
    admin = Principal(user_id=1, username="adm", display_name="adm", role=Role.admin, region_scope=None)
    rows = [f"{spender},2026-{m:02d},20000,20000,2026-{m:02d}-20 09:00" for m in (8, 9, 10)]
    rows += [f"{low},2026-09,6000,0,", f"{low},2026-10,6000,6000,2026-10-20 09:00"]
    with job_ctx(app.state.sessionmaker, clock, settings, admin) as ctx:
        service.import_bills(ctx, (BILLS + "\n".join(rows) + "\n").encode(), "bills.csv")
    with job_ctx(app.state.sessionmaker, clock, settings, admin) as ctx:
        summary = assessments.run(ctx)
    assert summary.assessed == 3 and summary.changed == 3
    got = {c["id"]: (c["tier"], c["lifecycle"])
           for c in (client.get(f"/api/v1/customers/{i}", headers=h).json() for i in (spender, low, quiet))}
    assert got[spender] == ("gold", "mature")  # 200 + 60 + 0 = 260
    assert got[low] == ("regular", "new")  # 60 + 3 − 40 (September unpaid) = 23
    assert got[quiet] == ("gold", "contract_expiring")  # no bills: the tier stays
    with app.state.sessionmaker() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "customer.assessed")))
    assert len(entries) == 3
    with job_ctx(app.state.sessionmaker, clock, settings, admin) as ctx:
        assert assessments.run(ctx).changed == 0, "the same data: nothing changes"
