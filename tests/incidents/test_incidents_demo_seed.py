"""The demo seeds one incident of each kind: a complaint storm (confirmed, with estimate and answer), a
network alarm and a planned cutover announced to its area."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner


def test_seed_has_a_storm_an_alarm_and_a_cutover(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from telqc.cli import app as cli
    from telqc.core.db import make_engine
    from telqc.core.settings import get_settings
    from telqc.incidents.models import Incident, IncidentNotice, PlannedWork

    monkeypatch.setenv("TELQC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TELQC_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        r = CliRunner().invoke(cli, ["seed", "--customers", "120", "--days", "2", "--seed", "7", "--orders", "5"])
        assert r.exit_code == 0, r.output
        assert "network incidents" in r.output
        engine = make_engine(get_settings().effective_database_url)
        with engine.connect() as c:
            kinds = {(row.kind, row.status) for row in c.execute(select(Incident.kind, Incident.status))}
            assert ("storm", "confirmed") in kinds and ("network", "suspected") in kinds
            storm = c.execute(select(Incident).where(Incident.kind == "storm")).first()
            assert storm is not None and storm.linked_count >= 10 and storm.prepared_answer
            assert c.execute(select(PlannedWork.status)).scalars().all() == ["scheduled"]
            assert c.execute(select(IncidentNotice.kind).distinct()).scalars().all()
        engine.dispose()
    finally:
        get_settings.cache_clear()
