"""Usage storage for a provincial operator's volume (issue 23 §1): on PostgreSQL `insight_usage_months` is
range-partitioned by month (migration 0175), the import creates its file's months, the maintenance command the
coming ones, and the churn and profile reads scan only the months they ask for (EXPLAIN); SQLite keeps a plain
table with the same key."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, text
from typer.testing import CliRunner

from conftest import IN_CI, PG_ADMIN, Database, _pg_reachable
from helpers import create_customer, login, make_user
from telqc.cli import app as cli
from telqc.core import migrate
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.rbac import Principal, Role
from telqc.core.settings import Settings, get_settings
from telqc.insight import partitions, repository, scoring, service
from telqc.jobs.dispatch import job_ctx

HEAD = "customer_id,subscription,month,data_mb,voice_min,sms\n"
MONTHS = [date(2026, m, 1) for m in range(4, 10)]  # April to September 2026


def need_pg(database: Database) -> None:
    if database.kind != "postgresql":
        pytest.skip("partitions exist on PostgreSQL only; SQLite keeps a plain table (the other tests)")


@pytest.fixture
def customer(app: FastAPI, client: TestClient) -> int:
    make_user(app, "adm", Role.admin)
    return int(create_customer(client, login(client, "adm"))["id"])  # 5G129 + BB1000


@pytest.fixture
def job(app: FastAPI, settings: Settings, clock: FrozenClock, customer: int):
    admin = Principal(user_id=1, username="adm", display_name="adm", role=Role.admin, region_scope=None)

    @contextmanager
    def run() -> Iterator[Ctx]:
        with job_ctx(app.state.sessionmaker, clock, settings, admin) as ctx:
            yield ctx

    return run


def usage(customer: int, months: list[date], mb: int = 1024) -> bytes:
    return (HEAD + "".join(f"{customer},{sub},{m:%Y-%m},{mb},100,3\n" for m in months for sub in ("5G129", "BB1000"))
            ).encode()


def scanned(conn: Any, statement: str, params: Any, analyze: bool = False) -> set[str]:
    """The tables a statement's plan reads (with `analyze`, only those the executor actually ran)."""
    (plan,) = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON{', ANALYZE' if analyze else ''}) {statement}",
                                   params).scalar()
    out: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        if "Relation Name" in node and (not analyze or node.get("Actual Loops", 0) > 0):
            out.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return out


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements run on `engine` that read the usage table, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def hook(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if "FROM insight_usage_months" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", hook)


def names(months: list[date]) -> set[str]:
    return {partitions.name(m) for m in months}


def test_import_creates_the_partitions_of_its_months(database: Database, app: FastAPI, customer: int,
                                                      job) -> None:
    need_pg(database)
    with app.state.engine.begin() as conn:  # other tests of the session may have made them (rows are reset)
        assert conn.scalar(text("SELECT relkind FROM pg_class WHERE relname = 'insight_usage_months'")) == "p"
        for m in MONTHS[:3]:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {partitions.name(m)}")
        before = partitions.existing(conn)
    with job() as ctx:
        out = service.import_usage(ctx, usage(customer, MONTHS[:2]), "usage.csv")
    assert out.rows == 4
    with app.state.engine.connect() as conn:
        assert partitions.existing(conn) - before == names(MONTHS[:2])
        where = dict(conn.execute(text("SELECT tableoid::regclass::text, count(*) FROM insight_usage_months "
                                       "GROUP BY 1")).all())
    assert where == {partitions.name(MONTHS[0]): 2, partitions.name(MONTHS[1]): 2}
    with job() as ctx:  # a later file with one month more: that month's partition is made, the rest replaced
        again = service.import_usage(ctx, usage(customer, MONTHS[1:3], mb=7), "usage.csv")
        assert [(m, d) for m, d, _ in repository.recent_usage(ctx.session, customer)] == [
            (MONTHS[0], 1024 * 2), (MONTHS[1], 7 * 2), (MONTHS[2], 7 * 2)]
    assert (again.rows, again.replaced) == (4, 2)
    with app.state.engine.connect() as conn:
        assert names(MONTHS[:3]) <= partitions.existing(conn)


def test_reimport_delete_touches_only_the_files_months(database: Database, app: FastAPI, customer: int,
                                                       job) -> None:
    need_pg(database)
    with job() as ctx:
        service.import_usage(ctx, usage(customer, MONTHS), "usage.csv")
    plans: list[set[str]] = []

    def hook(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if statement.startswith("DELETE FROM insight_usage_months"):  # planned while its staging table exists
            plans.append(scanned(conn, statement, params))

    event.listen(app.state.engine, "before_cursor_execute", hook)
    try:
        with job() as ctx:
            service.import_usage(ctx, usage(customer, MONTHS[-1:], mb=5), "fix.csv")
    finally:
        event.remove(app.state.engine, "before_cursor_execute", hook)
    (plan,) = plans
    assert {t for t in plan if t[-6:].isdigit()} == names(MONTHS[-1:])  # the parent and the staging aside


def test_churn_and_profile_reads_scan_only_the_months_asked(database: Database, app: FastAPI, customer: int,
                                                            job) -> None:
    need_pg(database)
    with job() as ctx:
        service.import_usage(ctx, usage(customer, MONTHS), "usage.csv")
    with app.state.engine.connect() as conn:
        assert names(MONTHS) <= partitions.existing(conn)
    with job() as ctx, captured(app.state.engine) as seen:
        # today 2026-11-02: the churn model's "data before" window is May to July (the 3 months before the
        # last 3), the tier facts' window the 6 months from May
        scoring.feature_rows(ctx, date(2026, 11, 2))
        conn = ctx.session.connection()
        window = [(st, p) for st, p in seen if "month <" in st]
        assert len(window) == 1, seen
        assert scanned(conn, *window[0]) == names(MONTHS[1:4])
        since = [(st, p) for st, p in seen if "month >=" in st and "month <" not in st]
        # open-ended upwards: every partition from May on, later ones other tests made included; none before
        later = {p for p in partitions.existing(conn) if p >= partitions.name(MONTHS[1])}
        assert len(since) == 1 and scanned(conn, *since[0]) == later
    with job() as ctx, captured(app.state.engine) as seen:
        got = repository.recent_usage(ctx.session, customer)
        assert [m for m, _, _ in got] == MONTHS[-3:]
        conn = ctx.session.connection()
        latest, last3 = seen
        # the latest month: partitions walked newest first (later, empty ones too, if other tests made them),
        # stopping at the first with the customer's row: none before September is read
        ran = scanned(conn, *latest, analyze=True)
        assert partitions.name(MONTHS[-1]) in ran and all(p >= partitions.name(MONTHS[-1]) for p in ran), ran
        assert scanned(conn, *last3) == names(MONTHS[-3:])


def test_partitions_service_starts_at_the_clocks_month(database: Database, app: FastAPI, job) -> None:
    """The current month is the clock's (2026-11-02 here, Asia/Shanghai), never the machine's date."""
    need_pg(database)
    coming = [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    with app.state.engine.begin() as conn:
        for m in coming:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {partitions.name(m)}")
    with job() as ctx:
        out = service.usage_partitions(ctx, 2)
    assert out is not None
    created, every = out
    assert created == [partitions.name(m) for m in coming]
    assert names(coming) <= {p.name for p in every}
    with job() as ctx:
        assert service.usage_partitions(ctx, 2) is not None
        assert service.usage_partitions(ctx, 1, date(2026, 12, 15)) == ([], repository.usage_partition_list(
            ctx.session))


def test_partitions_command_creates_the_months_asked(database: Database, app: FastAPI, settings: Settings,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TELQC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    coming = [date(2032, 11, 1), date(2032, 12, 1), date(2033, 1, 1)]  # no other test's months; across a year
    if database.kind == "postgresql":
        with app.state.engine.begin() as conn:
            for m in coming:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {partitions.name(m)}")
    try:
        result = CliRunner().invoke(cli, ["insight", "partitions", "--ahead", "2", "--from", "2032-11"])
        again = CliRunner().invoke(cli, ["insight", "partitions", "--ahead", "2", "--from", "2032-11"])
        bad = CliRunner().invoke(cli, ["insight", "partitions", "--ahead", "-1"])
        month = CliRunner().invoke(cli, ["insight", "partitions", "--from", "2032-13"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert bad.exit_code == 2 and "--ahead" in bad.output
    assert month.exit_code == 2 and "--from" in month.output
    if database.kind == "sqlite":
        assert "plain table" in result.output
        return
    with app.state.engine.connect() as conn:
        assert names(coming) <= partitions.existing(conn)
    assert all(partitions.name(m) in result.output for m in coming)
    assert "; 3 created)" in result.output and "; 0 created)" in again.output


def _migrated(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_ADMIN}: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN} ({problem})")
    name = f"telqc_test_usage_mig_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {name}")
    try:
        yield PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migration_moves_the_stored_rows_and_back(kind: str, tmp_path: Path) -> None:
    for url in _migrated(kind, tmp_path):
        migrate.upgrade(url, "0173")
        engine = create_engine(url)
        rows = [(1, "5G129", date(2026, 9, 1), 100), (1, "5G129", date(2026, 10, 1), 200),
                (2, "BB1000", date(2026, 10, 1), 0)]
        with engine.begin() as conn:
            if kind == "postgresql":  # bare customers (no regions behind them) for the usage rows
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for cid in (1, 2):
                conn.execute(text(
                    "INSERT INTO customers (id, name, id_number, address, province_code, city_code, district_code,"
                    " area_type, tier, tags, lifecycle, joined_on, verify_failures, created_at, updated_at, version)"
                    " VALUES (:id, 'c', 'x', 'x', 'p', 'c', 'd', 'urban', 'regular', '[]', 'new', '2020-01-01', 0,"
                    " '2026-11-01 00:00:00+00', '2026-11-01 00:00:00+00', 1)"), {"id": cid})
            for cid, sub, month, mb in rows:
                conn.execute(text("INSERT INTO insight_usage_months (customer_id, subscription, month, data_mb, "
                                  "voice_min, sms, roaming_mb, imported_at) VALUES (:c, :s, :m, :d, 0, 0, 0, "
                                  "'2026-11-01 00:00:00+00')"), {"c": cid, "s": sub, "m": month, "d": mb})
        engine.dispose()
        migrate.upgrade(url, "0175")
        engine = create_engine(url)
        read = text("SELECT customer_id, subscription, month, data_mb FROM insight_usage_months ORDER BY 1, 3, 2")
        with engine.connect() as conn:
            assert [(c, s, m if isinstance(m, date) else date.fromisoformat(m), d)
                    for c, s, m, d in conn.execute(read)] == rows
            if kind == "postgresql":
                assert partitions.existing(conn) == names([date(2026, 9, 1), date(2026, 10, 1)])
        engine.dispose()
        command.downgrade(migrate.alembic_config(url), "0173")
        engine = create_engine(url)
        with engine.connect() as conn:
            assert len(conn.execute(read).all()) == 3
            assert conn.execute(text("SELECT count(DISTINCT id) FROM insight_usage_months")).scalar() == 3
        engine.dispose()
