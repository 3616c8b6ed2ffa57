"""`telqc insight import usage|bills|churn FILE` (churn also as `import-churn`) and `telqc insight catalogue`:
row errors printed and nothing stored, or the rows stored with a summary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from helpers import create_customer, login, make_user
from telqc.cli import app as cli
from telqc.core.audit import AuditEntry
from telqc.core.rbac import Role
from telqc.core.settings import Settings, get_settings
from telqc.insight.models import InsightBill, InsightChurnEvent, InsightPlan, InsightUsageMonth


@pytest.fixture
def env(app: FastAPI, client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TELQC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    make_user(app, "admin", Role.admin)
    yield int(create_customer(client, login(client, "admin"))["id"])
    get_settings.cache_clear()


def count(app: FastAPI, model: type[InsightUsageMonth] | type[InsightBill] | type[InsightPlan]) -> int:
    with app.state.sessionmaker() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_import_usage_prints_row_errors_and_stores_nothing(app: FastAPI, env: int, tmp_path: Path) -> None:
    bad = tmp_path / "usage.csv"
    bad.write_text(f"客户编号,订购套餐,月份,流量(MB),通话(分钟)\n{env},5G129,2026-09,20480,300\n"
                   f"{env},5G129,2026-10-15,20480,300\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["insight", "import", "usage", str(bad)])
    assert res.exit_code == 1, res.output
    assert "nothing stored" in res.output and "│ 3 " in res.output and "month" in res.output and "月份" in res.output
    assert count(app, InsightUsageMonth) == 0 and count(app, InsightPlan) == 0
    good = tmp_path / "usage2.csv"
    good.write_text(bad.read_text(encoding="utf-8").replace("2026-10-15", "2026-10"), encoding="utf-8")
    for replaced in (0, 2):
        res = CliRunner().invoke(cli, ["insight", "import", "usage", str(good)])
        assert res.exit_code == 0, res.output
        assert "2 usage row(s) imported" in res.output and f"{replaced} stored row(s)" in res.output
        assert "2026-09, 2026-10" in " ".join(res.output.split())  # rich wraps at the terminal width
    assert count(app, InsightUsageMonth) == 2 and count(app, InsightPlan) == 6


def test_import_bills_and_unknown_actor(app: FastAPI, env: int, tmp_path: Path) -> None:
    f = tmp_path / "bills.csv"
    f.write_text(f"customer_id,month,amount_fen,paid_fen,paid_at\n{env},2026-10,12900,12900,2026-10-20T09:30\n",
                 encoding="utf-8")
    res = CliRunner().invoke(cli, ["insight", "import", "bills", str(f), "--actor", "nobody"])
    assert res.exit_code == 2 and "no active user" in res.output
    res = CliRunner().invoke(cli, ["insight", "import", "bills", str(f)])
    assert res.exit_code == 0, res.output
    assert count(app, InsightBill) == 1
    h = tmp_path / "households.csv"
    h.write_text(f"客户编号,家庭人数\n{env},3\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["insight", "import", "households", str(h)])
    assert res.exit_code == 0 and "1 households row(s) imported" in res.output, res.output


def test_catalogue_show_and_seed(app: FastAPI, env: int) -> None:
    res = CliRunner().invoke(cli, ["insight", "catalogue", "show"])
    assert res.exit_code == 0 and "none stored" in res.output and "5G59" in res.output
    assert "6 plan(s) stored" in CliRunner().invoke(cli, ["insight", "catalogue", "seed"]).output
    assert "nothing changed" in CliRunner().invoke(cli, ["insight", "catalogue", "seed"]).output
    res = CliRunner().invoke(cli, ["insight", "catalogue", "show"])
    assert "none stored" not in res.output and "129.00" in res.output


def test_assess_prints_tiers_and_stages_by_their_chinese_names(env: int) -> None:
    res = CliRunner().invoke(cli, ["insight", "assess"])
    assert res.exit_code == 0, res.output
    assert "已评估 1 位客户" in res.output
    assert "无账单，星级不变 unchanged" in res.output, "a customer without bills keeps the tier"
    assert "成熟期 mature" in res.output, "a customer since before the contract window is mature"


def stored(app: FastAPI) -> list[tuple[int, date, str, int]]:
    e = InsightChurnEvent
    with app.state.sessionmaker() as s:
        return [tuple(r) for r in s.execute(select(e.customer_id, e.month, e.kind, e.count)
                                            .order_by(e.customer_id, e.month, e.kind))]


def test_import_churn_is_atomic_and_replaces_by_key(app: FastAPI, env: int, tmp_path: Path) -> None:
    bad = tmp_path / "churn.csv"
    bad.write_text(f"客户编号,月份,事件,次数\n{env},2026-09,携号转网申请,2\n{env + 999},2026-10,销户,1\n"
                   f"{env},2026-10,携号转网,1\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["insight", "import-churn", str(bad)])
    assert res.exit_code == 1, res.output
    # the unknown customer of row 3 refuses the whole file: the good rows 2 and 4 are not stored either
    out = " ".join(res.output.split())  # rich wraps at the terminal width
    assert "nothing stored" in out and "│ 3 │ customer_id │" in out and f"客户 {env + 999} 不存在" in out
    assert stored(app) == []
    good = tmp_path / "churn2.csv"
    good.write_text(bad.read_text(encoding="utf-8").replace(f"{env + 999},", f"{env},"), encoding="utf-8")
    res = CliRunner().invoke(cli, ["insight", "import-churn", str(good)])
    assert res.exit_code == 0, res.output
    assert "3 churn_events row(s) imported" in res.output and "0 stored row(s)" in res.output
    assert stored(app) == [(env, date(2026, 9, 1), "port_out_request", 2), (env, date(2026, 10, 1), "cancelled", 1),
                           (env, date(2026, 10, 1), "port_out", 1)]
    fix = tmp_path / "fix.csv"  # the operator corrects September's count: replaced, the rest kept
    fix.write_text(f"customer_id,month,kind,count\n{env},2026-09,port_out_request,3\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["insight", "import", "churn", str(fix)])
    assert res.exit_code == 0 and "1 stored row(s) with the same key replaced" in " ".join(res.output.split())
    assert stored(app)[0] == (env, date(2026, 9, 1), "port_out_request", 3) and len(stored(app)) == 3
    with app.state.sessionmaker() as s:
        audits = [json.loads(d) for d in s.scalars(select(AuditEntry.data)
                                                  .where(AuditEntry.action == "insight.churn_events_imported")
                                                  .order_by(AuditEntry.id))]
    assert [(a["rows"], a["replaced"], a["file"]) for a in audits] == [(3, 0, "churn2.csv"), (1, 1, "fix.csv")]
