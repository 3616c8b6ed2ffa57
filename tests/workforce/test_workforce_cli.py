"""`telqc workforce forecast|backtest|staff|schedule` on a database holding the demo's interval actuals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from telqc.cli import app as cli
from telqc.core import migrate
from telqc.core.clock import SystemClock
from telqc.core.db import sessionmaker_for
from telqc.core.settings import get_settings
from telqc.demo.workforce_seed import seed_workforce
from telqc.jobs.dispatch import job_ctx


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TELQC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TELQC_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    settings = get_settings()
    migrate.upgrade(settings.effective_database_url)
    with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
        seed_workforce(ctx, history_days=42, horizon_days=7, roster_days=1)
    yield
    get_settings.cache_clear()


def test_backtest_beats_seasonal_naive_and_the_commands_run(demo_db: None) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["workforce", "backtest", "--history-days", "42", "--origins", "2"])
    assert r.exit_code == 0, r.output
    rows = {m[0]: [float(x) for x in m[1:5]] for m in
            re.findall(r"│ (\w+)\s+│ ([\d.]+)\s+│ ([\d.]+)\s+│ ([\d.]+)\s+│ ([\d.]+)", r.output)}
    assert set(rows) == {"hotline", "wechat", "app"}, r.output
    for ch, (mase, wape, naive_mase, naive_wape) in rows.items():
        assert mase < naive_mase and wape < naive_wape, (ch, rows[ch])

    r = runner.invoke(cli, ["workforce", "forecast", "--days", "3", "--history-days", "42", "--channel", "hotline",
                            "--note", "CLI"])
    assert r.exit_code == 0 and "forecast 2" in r.output, r.output
    r = runner.invoke(cli, ["workforce", "staff", "--forecast", "2", "--channel", "hotline"])
    assert r.exit_code == 0 and "erlang_a" in r.output and "scheduled" in r.output, r.output
    r = runner.invoke(cli, ["workforce", "schedule", "--forecast", "2", "--days", "1"])
    assert r.exit_code == 0 and "roster 2" in r.output and "shifts" in r.output, r.output
    r = runner.invoke(cli, ["workforce", "schedule", "--forecast", "2", "--days", "5"])
    assert r.exit_code == 2 and "超出预测范围" in r.output, r.output
    r = runner.invoke(cli, ["workforce", "staff", "--forecast", "99"])
    assert r.exit_code == 2, r.output
