"""The seeded demo database (``telqc seed``, as ``make demo`` fills it) for the page-language test and the
browser role flows: seeded once per test process, copied for each module that writes to it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from telqc.api.app import create_app
from telqc.core.clock import SystemClock
from telqc.core.db import sessionmaker_for
from telqc.core.settings import Settings
from telqc.demo.reference import link_demo_customer
from telqc.jobs.dispatch import job_ctx

# Small enough for about 20-50 s on a shared core, large enough that every home page and list has rows.
SEED_ARGS = ["--customers", "200", "--days", "14", "--orders", "150", "--seed", "42"]


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file seeded by the real command in its own process (its settings and keyring are its own)."""
    folder = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "TELQC_DATA_DIR": str(folder), "TELQC_ENV": "test",
           "TELQC_DATABASE_URL": f"sqlite:///{folder / 'telqc.db'}"}
    cmd = [sys.executable, "-c", "from telqc.cli import app; app()", "seed", *SEED_ARGS]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    settings = Settings(env="test", database_url=env["TELQC_DATABASE_URL"], data_dir=folder)
    factory = sessionmaker_for(settings)
    with job_ctx(factory, SystemClock(), settings) as ctx:
        link_demo_customer(ctx)  # what `telqc demo` adds after the seed: the customer login
    factory.kw["bind"].dispose()  # checkpoints SQLite's write-ahead log into the file the modules copy
    return folder / "telqc.db"


@pytest.fixture(scope="module")
def demo_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app on a copy of the demo database, on the wall clock the seed used."""
    folder = tmp_path_factory.mktemp("demo-copy")
    shutil.copy(demo_template, folder / "telqc.db")
    app = create_app(Settings(env="test", database_url=f"sqlite:///{folder / 'telqc.db'}", data_dir=folder),
                     SystemClock())
    yield app
    app.state.engine.dispose()
