"""`telqc insight import usage|bills FILE` and `telqc insight catalogue`: row errors printed and nothing stored,
or the rows stored with a summary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from helpers import create_customer, login, make_user
from telqc.cli import app as cli
from telqc.core.rbac import Role
from telqc.core.settings import Settings, get_settings
from telqc.insight.models import InsightBill, InsightPlan, InsightUsageMonth


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
