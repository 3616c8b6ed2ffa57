"""Every write of usage months goes through the repository, which creates their partitions first.

On PostgreSQL `insight_usage_months` has a partition per month and no default one (insight/partitions.py says
why), so a row of a month nobody created is refused: `no partition of relation ... found for row`. Only
`repository.replace_rows` (imports, demo seeding) and `repository.add_usage` (fixtures) write the table, and
both call `ensure_partitions`; tests that built rows by hand (the ORM model, a Core insert of the table) passed
on SQLite and broke CI's PostgreSQL run. This keeps every such write out of the code.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import create_customer, login, make_user
from telqc.core.rbac import Role
from telqc.insight import partitions, repository
from telqc.insight.models import InsightUsageMonth

ROOT = Path(__file__).resolve().parents[2]
WRITES = re.compile(r"(?<!class )InsightUsageMonth\(|insert\((\w+\.)?(InsightUsageMonth|USAGE)\b|"
                    r"INTO\s+insight_usage_months\b", re.IGNORECASE)
ALLOWED = {
    "src/telqc/insight/repository.py",  # the writers themselves
    # a raw INSERT at revision 0173, before the table is partitioned, to test the migration moving it
    "tests/insight/test_usage_partitions.py",
}


def test_no_usage_row_is_written_around_the_repository() -> None:
    found = []
    for path in [*ROOT.glob("src/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py"),
                 *ROOT.glob("tools/**/*.py")]:
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED or rel.startswith("src/telqc/migrations/"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if WRITES.search(line):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "write usage through repository.add_usage / replace_rows:\n" + "\n".join(found)


def test_add_usage_creates_the_months_it_writes(app: FastAPI, client: TestClient) -> None:
    """A month far from any other test's (so its partition is new on PostgreSQL) is stored, not refused."""
    make_user(app, "adm", Role.admin)
    cid = int(create_customer(client, login(client, "adm"))["id"])
    months = [date(2031, 1, 1), date(2031, 2, 1)]
    with app.state.engine.begin() as conn:
        if partitions.is_partitioned(conn):
            for m in months:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {partitions.name(m)}")
    at = datetime(2026, 11, 1, tzinfo=UTC)
    with app.state.sessionmaker() as s:
        n = repository.add_usage(s, [{"customer_id": cid, "subscription": "5G129", "month": m, "data_mb": 1,
                                      "voice_min": 0, "sms": 0, "roaming_mb": 0, "imported_at": at}
                                     for m in months])
        s.commit()
    assert n == 2
    with app.state.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(InsightUsageMonth)
                        .where(InsightUsageMonth.customer_id == cid)) == 2
        if partitions.is_partitioned(s.connection()):
            assert {partitions.name(m) for m in months} <= partitions.existing(s.connection())
