"""The customers a satisfaction campaign draws from: 150 in two provinces and two tiers, some of them with a
recent contact on the app or the hotline (the channel a campaign reports by)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI

from telqc.contacts.models import Contact
from telqc.core.clock import FrozenClock
from telqc.customers.models import Customer

GD, ZJ = "440000", "330000"
# stratum → customers: 150 in all, so a sample of 30 is 4 + 16 + 2 + 8 exactly
SEGMENTS = [(GD, "440106", "gold", 20), (GD, "440104", "regular", 80), (ZJ, "330106", "gold", 10),
            (ZJ, "330106", "regular", 40)]


def make_people(app: FastAPI, clock: FrozenClock) -> dict[int, tuple[str, str]]:
    """Customer id → (province, tier); Zhejiang's gold customers 101–105 last contacted us on the app, 106–110 on
    the hotline (Guangdong's never did)."""
    now = clock.now()
    out: dict[int, tuple[str, str]] = {}
    with app.state.sessionmaker() as s:
        for province, district, tier, n in SEGMENTS:
            for _ in range(n):
                c = Customer(name="客户", id_number="", address="", province_code=province,
                             city_code=district[:4] + "00", district_code=district, area_type="urban", tier=tier,
                             tags=[], lifecycle="in_contract", joined_on=date(2020, 1, 1), verify_failures=0,
                             created_at=now, updated_at=now)
                s.add(c)
                s.flush()
                out[c.id] = (province, tier)
        # the province's placeholder for unknown callers: never sampled
        s.add(Customer(name="未识别来电", id_number="", address="", province_code=GD, city_code=GD, district_code=GD,
                       area_type="urban", tier="regular", tags=["未识别来电"], lifecycle="new",
                       joined_on=date(2020, 1, 1), verify_failures=0, created_at=now, updated_at=now))
        for cid in range(101, 111):
            s.add(Contact(customer_id=cid, province_code=out[cid][0], channel="app" if cid <= 105 else "hotline",
                          started_at=now - timedelta(days=3)))
            s.add(Contact(customer_id=cid, province_code=out[cid][0], channel="wechat",
                          started_at=now - timedelta(days=30)))
        s.commit()
    return out
