"""Usage and bill imports against a real database (SQLite and PostgreSQL): all or nothing, idempotent, and the
profile's recommendation computed from the stored months once they are there."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import create_customer, login, make_user, page_login
from telqc.core.audit import AuditEntry
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.rbac import Principal, Role
from telqc.core.settings import Settings
from telqc.insight import repository, service
from telqc.insight import schemas as s
from telqc.insight.imports import ImportRejected
from telqc.insight.models import InsightBill, InsightHousehold, InsightPlan, InsightUsageMonth
from telqc.insight.recommend import Month
from telqc.jobs.dispatch import job_ctx

HEAD = "customer_id,subscription,month,data_mb,voice_min,sms,roaming_mb,broadband_mbps,broadband_gb,home_devices," \
       "terminal_model\n"
GB = 1024


@pytest.fixture
def customer(app: FastAPI, client: TestClient) -> int:
    make_user(app, "adm", Role.admin)
    return int(create_customer(client, login(client, "adm"))["id"])  # 5G129 + BB1000, gold, Guangzhou


@pytest.fixture
def job(app: FastAPI, settings: Settings, clock: FrozenClock, customer: int):
    admin = Principal(user_id=1, username="adm", display_name="adm", role=Role.admin, region_scope=None)

    @contextmanager
    def run() -> Iterator[Ctx]:
        with job_ctx(app.state.sessionmaker, clock, settings, admin) as ctx:
            yield ctx

    return run


def usage_csv(customer: int, rows: list[tuple[str, str, int, int]]) -> bytes:
    return (HEAD + "".join(f"{customer},{sub},{month},{mb},{minutes},3,0,,,,\n" for sub, month, mb, minutes in rows)
            ).encode()


def stored(app: FastAPI, model: type[InsightUsageMonth] | type[InsightBill]) -> int:
    with app.state.sessionmaker() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_one_bad_row_refuses_the_file_and_stores_nothing(app: FastAPI, customer: int, job) -> None:
    good = usage_csv(customer, [("5G129", "2026-08", 20 * GB, 300), ("BB1000", "2026-08", 0, 0)])
    bad = good + f"{customer},5G129,2026-09,lots,300,0,0,,,,\n{customer + 99},5G129,2026-09,1,1,0,0,,,,\n" \
                 f"{customer},5G999,2026-09,1,1,0,0,,,,\n".encode()
    with pytest.raises(ImportRejected) as info, job() as ctx:
        service.import_usage(ctx, bad, "usage.csv")
    assert [(e.row, e.field) for e in info.value.errors] == [(4, "data_mb")]  # references wait for clean rows
    bad = good + f"{customer + 99},5G129,2026-09,1,1,0,0,,,,\n{customer},5G999,2026-09,1,1,0,0,,,,\n".encode()
    with pytest.raises(ImportRejected) as info, job() as ctx:
        service.import_usage(ctx, bad, "usage.csv")
    assert [(e.row, e.field) for e in info.value.errors] == [(4, "customer_id"), (5, "subscription")]
    assert info.value.errors[1].reason == f"客户 {customer} 没有订购套餐 5G999"
    assert stored(app, InsightUsageMonth) == 0
    with app.state.sessionmaker() as db:  # the catalogue is seeded only with a stored import
        assert db.scalar(select(func.count()).select_from(InsightPlan)) == 0


def test_reimport_replaces_the_same_keys(app: FastAPI, customer: int, job, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repository, "CHUNK", 3)  # several executemany batches / COPY progress reports
    monkeypatch.setattr(repository, "COPY_PROGRESS", 3)
    rows = [(sub, f"2026-{m:02d}", m * GB, m * 10) for m in range(1, 5) for sub in ("5G129", "BB1000")]
    data = usage_csv(customer, rows)
    seen: list[int] = []
    with job() as ctx:
        first = service.import_usage(ctx, data, "usage.csv", progress=seen.append)
    assert (first.rows, first.replaced, first.customers) == (8, 0, 1) and sum(seen) == 8 and len(seen) >= 3
    assert first.months == [date(2026, m, 1) for m in range(1, 5)]
    with job() as ctx:
        again = service.import_usage(ctx, data, "usage.csv")
    assert (again.rows, again.replaced, again.digest) == (8, 8, first.digest)
    with job() as ctx:  # a corrected April for one subscription replaces that row only
        service.import_usage(ctx, usage_csv(customer, [("5G129", "2026-04-01", 99, 9)]), "fix.csv")
        out = service.stored_usage(ctx, customer)
    assert len(out) == 8 and stored(app, InsightUsageMonth) == 8
    april = next(u for u in out if u.subscription == "5G129" and u.month == date(2026, 4, 1))
    assert (april.data_mb, april.voice_min, april.sms) == (99, 9, 3)
    with app.state.sessionmaker() as db:
        audits = list(db.scalars(select(AuditEntry.data).where(AuditEntry.action == "insight.usage_imported")
                                 .order_by(AuditEntry.id)))
    assert len(audits) == 3 and '"replaced":8' in audits[1] and '"rows":8' in audits[1]


def test_bills_import_is_idempotent(app: FastAPI, customer: int, job) -> None:
    data = (f"客户编号,账期,账单金额(分),实收金额(分),缴费时间\n{customer},2026-09,12900,12900,2026-09-20 10:00\n"
            f"{customer},2026-10,13500,0,\n").encode()
    with job() as ctx:
        service.import_bills(ctx, data, "bills.csv")
    with job() as ctx:
        out = service.import_bills(ctx, data, "bills.csv")
        got = service.bills(ctx, customer)
    assert (out.rows, out.replaced) == (2, 2) and stored(app, InsightBill) == 2
    assert [(b.month, b.amount_fen, b.paid_fen) for b in got] == [(date(2026, 9, 1), 12900, 12900),
                                                                  (date(2026, 10, 1), 13500, 0)]
    assert got[0].paid_at == datetime(2026, 9, 20, 2, 0, tzinfo=UTC) and got[1].paid_at is None


def test_profile_switches_to_stored_usage(app: FastAPI, customer: int, job) -> None:
    with job() as ctx:
        before = service.profile(ctx, customer)
    assert before.usage_source == "synthetic" and before.household_source == "synthetic"
    # one person on 5G129 (129 元): 18/20/22 GB and 280/300/320 min are 20 GB and 300 min a month, which 5G59
    # covers for 59 元; the broadband line adds nothing to the mobile usage; May is outside the last 3 months
    rows = [("5G129", "2026-05", 90 * GB, 900), ("5G129", "2026-07", 18 * GB, 280), ("5G129", "2026-08", 20 * GB, 300),
            ("5G129", "2026-09", 22 * GB, 320), ("BB1000", "2026-09", 0, 0)]
    with job() as ctx:
        service.import_usage(ctx, usage_csv(customer, rows), "usage.csv")
    with job() as ctx:
        after = service.profile(ctx, customer)
    assert (after.usage_source, after.household, after.household_source) == ("stored", 1, "default")
    assert [(u.month, u.data_mb) for u in after.usage] == [(date(2026, m, 1), gb * GB)
                                                          for m, gb in ((7, 18), (8, 20), (9, 22))]
    rec = after.recommendation
    assert rec.plan is not None and rec.plan.code == "5G59" and rec.current_plan is not None
    assert rec.text == "近3个月平均每月流量 20 GB、通话 300 分钟，改为 5G畅享套餐59元 每月预计节省 70 元"
    with job() as ctx:  # a stored household of three on 5G129: three lines against one family plan
        service.set_household(ctx, customer, 3, "agent")
    with job() as ctx:
        family = service.profile(ctx, customer)
    assert (family.household, family.household_source) == (3, "stored")
    assert family.recommendation.plan is not None and family.recommendation.plan.code == "FUS169"


def test_catalogue_is_seeded_once_and_edits_change_the_recommendation(app: FastAPI, customer: int, job) -> None:
    with job() as ctx:
        assert service.stored_catalogue(ctx) == [] and len(service.plan_catalogue(ctx)) == 6
        assert service.ensure_catalogue(ctx) == 6
    with job() as ctx:
        assert service.ensure_catalogue(ctx) == 0
        plan = service.stored_catalogue(ctx)[0]
        assert plan.code == "5G129" and plan.fee_fen == 12900
        cheap = s.PlanIn.model_validate(plan.model_dump() | {"code": "5G39", "name": "5G畅享套餐39元", "fee_fen": 3900})
        service.save_plan(ctx, cheap)
    usage = [Month(20 * GB, 300)] * 3
    with job() as ctx:
        out = service.profile(ctx, customer, usage, household=1)
    assert out.recommendation.plan is not None and out.recommendation.plan.code == "5G39"
    with job() as ctx:
        service.remove_plan(ctx, "5G39")
        assert "5G39" not in {p.code for p in service.plan_catalogue(ctx)}
    with app.state.sessionmaker() as db:
        actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("insight.%"))
                                  .order_by(AuditEntry.id)))
    assert actions == ["insight.catalogue_seeded", "insight.plan_saved", "insight.plan_removed"]


def test_api_and_page_show_the_stored_usage(app: FastAPI, client: TestClient, customer: int, job) -> None:
    rows = [("5G129", f"2026-{m:02d}", 20 * GB, 300) for m in (7, 8, 9)]
    with job() as ctx:
        service.import_usage(ctx, usage_csv(customer, rows), "usage.csv")
    make_user(app, "gd", Role.agent, region_scope=["440000"])
    body = client.get(f"/api/v1/insight/customers/{customer}/profile", headers=login(client, "gd")).json()
    assert (body["usage_source"], body["household_source"]) == ("stored", "default")
    assert [u["month"] for u in body["usage"]] == ["2026-07-01", "2026-08-01", "2026-09-01"]
    assert body["recommendation"]["text"].startswith("近3个月平均每月流量 20 GB、通话 300 分钟")
    page_login(client, "gd")
    section = client.get(f"/customers/{customer}").text.split('id="insight-profile"', 1)[1].split("</section>")[0]
    assert "演示数据" not in section and "近3个月平均每月流量 20 GB" in section


def test_parquet_import(app: FastAPI, customer: int, job) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"客户编号": [customer] * 2, "订购套餐": ["5G129", "BB1000"],
                      "月份": [date(2026, 9, 1)] * 2, "流量(MB)": [2048, 0],
                      "宽带速率(Mbps)": pa.array([None, 1000], pa.int32()), "家庭网络设备数": [None, 7]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    with job() as ctx:
        out = service.import_usage(ctx, buf.getvalue(), "usage.parquet")
        rows = service.stored_usage(ctx, customer)
    assert out.rows == 2 and [(r.subscription, r.data_mb, r.broadband_mbps, r.home_devices) for r in rows] == [
        ("5G129", 2048, None, None), ("BB1000", 0, 1000, 7)]


def test_a_failure_after_the_copy_rolls_everything_back(app: FastAPI, customer: int, job) -> None:
    data = usage_csv(customer, [("5G129", "2026-09", 1, 1)])
    with pytest.raises(RuntimeError), job() as ctx:
        service.import_usage(ctx, data, "usage.csv")
        raise RuntimeError("the job failed after the rows were written")
    assert stored(app, InsightUsageMonth) == 0
    with job() as ctx:  # the staging table did not outlive the transaction, or is dropped and made again
        assert service.import_usage(ctx, data, "usage.csv").replaced == 0
    assert stored(app, InsightUsageMonth) == 1


def test_household_import_is_what_the_profile_uses(app: FastAPI, customer: int, job) -> None:
    with job() as ctx:
        service.set_household(ctx, customer, 2, "agent")
        first = service.import_households(ctx, f"客户编号,家庭人数\n{customer},3\n".encode(), "households.csv")
    assert (first.rows, first.replaced, first.months) == (1, 1, [])
    with pytest.raises(ImportRejected) as info, job() as ctx:
        service.import_households(ctx, f"customer_id,size\n{customer},4\n{customer + 50},2\n".encode(), "h.csv")
    assert [(e.row, e.field) for e in info.value.errors] == [(3, "customer_id")]
    with job() as ctx:
        out = service.profile(ctx, customer)
    assert (out.household, out.household_source) == (3, "stored")
    with app.state.sessionmaker() as db:
        assert db.scalar(select(InsightHousehold.source)) == "import"
