"""`telqc insight campaign run|measure`: tasks assigned and held out counted, a bad rules file refused, the
uplift printed with its interval."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from helpers import create_customer, id_number, login, make_user
from telqc.cli import app as cli
from telqc.core.rbac import Role
from telqc.core.settings import Settings, get_settings
from telqc.customers.models import Customer
from telqc.insight.models import InsightChurnScore, RetentionMember


@pytest.fixture
def env(app: FastAPI, client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TELQC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    make_user(app, "admin", Role.admin)
    make_user(app, "gd1", Role.agent, ["440000"])
    h = login(client, "admin")
    ids = [create_customer(client, h, phone=f"1390000{i:04d}", id_number=id_number(seq=f"{i:03d}"))["id"]
           for i in range(8)]
    with app.state.sessionmaker() as s:
        s.execute(update(Customer).where(Customer.id.in_(ids)).values(lifecycle="churn_risk"))
        s.commit()
    yield
    get_settings.cache_clear()


def test_campaign_run_and_measure(app: FastAPI, env: None, tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("holdout_share: 0.9\nseed: 1\nstages: {}\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["insight", "campaign", "run", "--rules", str(bad)])
    assert res.exit_code == 2 and "holdout_share" in res.output, res.output
    half = tmp_path / "half.yaml"
    half.write_text("holdout_share: 0.5\nseed: 3\nstages:\n  churn_risk: {action: callback, reason: 风险高}\n",
                    encoding="utf-8")
    res = CliRunner().invoke(cli, ["insight", "campaign", "run", "--name", "试点", "--rules", str(half)])
    assert res.exit_code == 0 and "campaign 1 试点" in res.output, res.output
    with app.state.sessionmaker() as s:
        assert s.scalar(select(func.count()).select_from(RetentionMember)) == 8
    res = CliRunner().invoke(cli, ["insight", "campaign", "measure", "1"])
    assert res.exit_code == 0, res.output
    assert "uplift" in res.output or "a group is empty" in res.output


def test_churn_score_then_run_uses_the_stored_scores(app: FastAPI, env: None) -> None:
    res = CliRunner().invoke(cli, ["insight", "churn", "score"])
    assert res.exit_code == 0 and "8 customer(s) scored" in res.output and "churn-logistic-" in res.output, res.output
    res = CliRunner().invoke(cli, ["insight", "campaign", "run", "--name", "评分后"])
    assert res.exit_code == 0, res.output
    with app.state.sessionmaker() as s:
        # no usage, bills or complaints: every score is low, below the at-risk rule's min_churn (0.3)
        assert s.scalar(select(func.count()).select_from(RetentionMember)) == 0
        assert s.scalar(select(func.count()).select_from(InsightChurnScore)) == 8
