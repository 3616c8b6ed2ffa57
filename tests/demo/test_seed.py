"""Demo data: deterministic per seed, readable through the product, with realistic arrival shape."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from helpers import login, make_user
from telqc.contacts.models import Contact
from telqc.core import migrate
from telqc.core.clock import SystemClock
from telqc.core.context import Ctx
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.rbac import Role
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork
from telqc.customers.models import Customer, CustomerPhone
from telqc.demo import arrivals
from telqc.demo.reference import load_reference
from telqc.demo.seed import phone_for, seed_contacts, seed_customers

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def _fresh(tmp_path: Path, name: str) -> sessionmaker[Session]:
    url = f"sqlite:///{tmp_path / name}"
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with factory() as s:
        uow = UnitOfWork(s)
        load_reference(Ctx(uow, SystemClock(), Settings(env="test")))
        uow.commit()
    return factory


def _snapshot(factory: sessionmaker[Session]) -> list[tuple[object, ...]]:
    with factory() as s:
        seed_customers(s, 120, 7, NOW)
        seed_contacts(s, 5, 7, NOW, per_customer_daily=0.2)
        s.commit()
        rows = s.execute(select(Customer.name, Customer.id_number, Customer.address, Customer.tier)
                         .order_by(Customer.id)).all()
        contacts = s.execute(select(Contact.started_at, Contact.channel, Contact.talk_s).order_by(Contact.id)).all()
    return [tuple(r) for r in rows] + [tuple(c) for c in contacts]


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path) -> None:
    a, b = _snapshot(_fresh(tmp_path, "a.db")), _snapshot(_fresh(tmp_path, "b.db"))
    assert a == b and len(a) > 120
    factory = _fresh(tmp_path, "c.db")
    with factory() as s:
        seed_customers(s, 120, 8, NOW)
        s.commit()
        other = [tuple(r) for r in s.execute(select(Customer.name, Customer.id_number).order_by(Customer.id))]
    assert other != [r[:2] for r in a[:120]]


def test_seeded_customers_are_found_through_the_api(app: FastAPI, client: TestClient) -> None:
    with app.state.sessionmaker() as s:
        res = seed_customers(s, 200, 3, NOW)
        n = seed_contacts(s, 7, 3, NOW, per_customer_daily=0.1)
        s.commit()
        assert s.scalar(select(func.count()).select_from(CustomerPhone)) == 200
        target = s.scalar(select(Customer).where(Customer.id == 57))
        assert target is not None and target.id_number[:6] == target.district_code
    assert res.customers == 200 and n > 0
    make_user(app, "boss", Role.admin)
    found = client.get("/api/v1/customers", params={"phone": phone_for(57)}, headers=login(client, "boss")).json()
    assert [c["id"] for c in found] == [57]
    view = client.get("/api/v1/customers/57/360", headers=login(client, "boss")).json()
    assert view["customer"]["phones"] == [phone_for(57)]


def test_phone_numbers_never_collide() -> None:
    phones = {phone_for(i) for i in range(1, 200_001)}
    assert len(phones) == 200_000
    assert all(len(p) == 11 and p[0] == "1" for p in list(phones)[:1000])


def test_arrival_shape_evening_peak_bill_day_weekend() -> None:
    rng = np.random.default_rng(1)
    start = date(2026, 6, 1)  # a Monday, and the 1st: bill day
    epochs, slots = arrivals.arrival_times(rng, start, 28, daily_mean=4000)
    hours = (slots // 4)
    evening = np.isin(hours, [18, 19, 20]).sum() / 3
    morning = np.isin(hours, [9, 10, 11]).sum() / 3
    night = np.isin(hours, [2, 3, 4]).sum() / 3
    assert evening > 1.3 * morning > 1.3 * night * 10
    day = ((epochs - epochs.min()) // 86400).astype(int)
    per_day = np.bincount(day, minlength=28)
    assert per_day[0] > 1.3 * per_day[9], "bill day 1 busier than a mid-month Wednesday"
    saturday, wednesday = per_day[12], per_day[9]
    assert saturday < 0.9 * wednesday
    expected = arrivals.expected_per_slot(start, 28, 4000).sum()
    assert abs(epochs.size - expected) < 4 * np.sqrt(expected), "Poisson total around its mean"


def test_cli_seed_and_user_create(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from telqc.cli import app as cli
    from telqc.core.settings import get_settings

    monkeypatch.setenv("TELQC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TELQC_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
        r = runner.invoke(cli, ["seed", "--customers", "50", "--days", "3", "--seed", "5", "--orders", "10"])
        assert r.exit_code == 0, r.output
        assert "50 customers" in r.output
        r = runner.invoke(cli, ["user", "create", "qa01", "inspector", "--password", "long-enough-1"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(cli, ["user", "create", "qa01", "inspector", "--password", "long-enough-1"])
        assert r.exit_code == 2 and "已存在" in r.output
        r = runner.invoke(cli, ["user", "create", "qa02", "inspector", "--password", "short"])
        assert r.exit_code == 2
        assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0
    finally:
        get_settings.cache_clear()
