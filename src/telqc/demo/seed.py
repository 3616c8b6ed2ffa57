"""Deterministic demo data at scale: customers with protected personal data, and contacts.

Rows are generated in vectorised batches and bulk-loaded (COPY on PostgreSQL), so a
million customers is a matter of minutes; the same seed always gives the same data.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from faker import Faker
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from telqc.contacts.models import Contact
from telqc.core import pii
from telqc.core.auth import hash_password
from telqc.core.models import User
from telqc.customers.models import Customer, CustomerPhone, CustomerPlan
from telqc.customers.schemas import id_check_char
from telqc.demo import arrivals
from telqc.demo.bulk import BulkWriter
from telqc.demo.reference import PLANS, districts

PREFIXES = ["138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "182", "187", "188",
            "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "181", "189", "177", "199"]
TIERS = (["vip", "gold", "silver", "regular"], [0.03, 0.10, 0.22, 0.65])
LIFECYCLE = (["new", "in_contract", "contract_expiring", "churn_risk"], [0.12, 0.60, 0.18, 0.10])
TAGS = ["5G用户", "宽带用户", "融合套餐", "老年用户", "学生", "高价值", "敏感客户", "欠费风险", "国际漫游", "政企客户"]
CHANNELS = (["hotline", "app", "web", "wechat", "store", "social"], [0.45, 0.20, 0.08, 0.15, 0.08, 0.04])
CATEGORIES = (["账单查询", "套餐变更", "宽带故障", "网络信号", "流量咨询",
               "话费争议", "业务办理", "服务投诉", "携号转网", "其他"],
              [0.18, 0.12, 0.12, 0.10, 0.12, 0.08, 0.10, 0.05, 0.03, 0.10])
SERVICE_PASSWORDS = [f"{n:06d}" for n in (123456, 888888, 135790, 246810, 520520, 112233, 654321, 909090)]
BATCH = 5000
CONTRACT_DAYS = 730  # a 24-month contract
# The demo's improvement story (telqc.demo.improvement_seed): Guangdong added evening agents four weeks ago, so
# its hotline waits are half as long since; every other province is unchanged and serves as the comparison.
IMPROVED_PROVINCE, IMPROVED_DAYS = "440000", 28
# A unit below 10^8 that is odd and not a multiple of 5: i -> i*K mod 10^8 is a bijection, so
# phone numbers derived from customer ids never collide.
PHONE_K = 48_271_873


@dataclass
class SeedResult:
    customers: int = 0
    phones: int = 0
    plans: int = 0
    contacts: int = 0

    @property
    def rows(self) -> int:
        return self.customers + self.phones + self.plans + self.contacts


def phone_for(customer_id: int) -> str:
    prefix = PREFIXES[customer_id % len(PREFIXES)]
    return prefix + f"{(customer_id // len(PREFIXES) * PHONE_K) % 100_000_000:08d}"


class Pools:
    """Faker is slow per call; draw pools once per seed and combine them with numpy."""

    def __init__(self, seed: int) -> None:
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.names = np.array([fake.name() for _ in range(3000)])
        self.streets = np.array([f"{fake.street_name()}{fake.building_number()}号" for _ in range(2000)])
        self.estates = np.array([f"{w}{s}" for w in ("幸福", "阳光", "锦绣", "翠苑", "金色", "滨江", "花园", "和平")
                                 for s in ("小区", "花园", "家园", "公寓", "新村")])
        self.pw_hashes = [hash_password(p) for p in SERVICE_PASSWORDS]


def next_id(session: Session, col: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(col), 0))) or 0) + 1


def _customer_batch(rng: np.random.Generator, pools: Pools, first_id: int, n: int, today: date,
                    now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    ds = districts()
    d_idx = rng.integers(0, len(ds), n)
    tiers = rng.choice(TIERS[0], n, p=TIERS[1])
    life = rng.choice(LIFECYCLE[0], n, p=LIFECYCLE[1])
    names = pools.names[rng.integers(0, len(pools.names), n)]
    streets = pools.streets[rng.integers(0, len(pools.streets), n)]
    estates = pools.estates[rng.integers(0, len(pools.estates), n)]
    birth = rng.integers(0, 365 * 55, n)
    joined = rng.integers(0, 365 * 12, n)
    n_tags = rng.integers(0, 3, n)
    n_plans = rng.choice([1, 2, 3], n, p=[0.55, 0.35, 0.10])
    plan_pick = rng.integers(0, len(PLANS), (n, 3))
    seq = rng.integers(0, 1000, n)
    pw = rng.integers(0, len(pools.pw_hashes), n)
    customers, phones, plans = [], [], []
    for i in range(n):
        cid = first_id + i
        p, pn, c, cn, d, dn, area = ds[d_idx[i]]
        bd = date(1950, 1, 1) + timedelta(days=int(birth[i]))
        first17 = f"{d}{bd:%Y%m%d}{seq[i]:03d}"
        joined_on = today - timedelta(days=int(joined[i]))
        tags = [TAGS[j] for j in rng.choice(len(TAGS), int(n_tags[i]), replace=False)] if n_tags[i] else []
        customers.append({
            "id": cid, "name": str(names[i]), "id_number": first17 + id_check_char(first17),
            "address": f"{pn}{cn}{dn}{streets[i]}{estates[i]}{cid % 30 + 1}栋{cid % 20 + 1}0{cid % 4 + 1}室",
            "province_code": p, "city_code": c, "district_code": d, "area_type": area, "tier": str(tiers[i]),
            "tags": tags, "lifecycle": str(life[i]), "joined_on": joined_on,
            "contract_end": contract_end(str(life[i]), joined_on, today, cid),
            "service_password_hash": pools.pw_hashes[pw[i]], "verify_failures": 0, "verify_locked_until": None,
            "created_at": now, "updated_at": now, "version": 1,
        })
        ph = phone_for(cid)
        phones.append({"customer_id": cid, "phone": ph, "phone_index": pii.phone_index(ph),
                       "tail_index": pii.phone_tail_index(ph), "is_primary": True})
        for k in sorted(set(plan_pick[i, : n_plans[i]].tolist())):
            code, _, _, _, fee = PLANS[k]
            plans.append({"customer_id": cid, "plan_code": code, "monthly_fee": fee, "started_on": joined_on,
                          "ended_on": None})
    return customers, phones, plans


def contract_end(stage: str, joined_on: date, today: date, customer_id: int) -> date | None:
    """The end of the customer's 24-month contract as its demo stage says: within the next 10–80 days for
    "contract_expiring" (the assessment's and the churn model's 2-month window, so 合约到期 shows as a reason on
    the 360 page and on retention tasks), the current term's end at least 3 months ahead for "in_contract"
    (renewed every 24 months), the first term's end for the others; none for new customers. Derived from the
    id, not drawn, so the rest of a seed's data is unchanged."""
    if stage == "new":
        return None
    if stage == "contract_expiring":
        return today + timedelta(days=10 + customer_id * 37 % 71)
    if stage == "in_contract":
        terms = max(1, -(-((today - joined_on).days + 91) // CONTRACT_DAYS))
        return joined_on + timedelta(days=CONTRACT_DAYS * terms)
    return joined_on + timedelta(days=CONTRACT_DAYS)


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        BulkWriter(session, model.__table__, list(rows[0])).write(rows)


def seed_customers(session: Session, n: int, seed: int, now: datetime,
                   progress: Callable[[int], None] | None = None) -> SeedResult:
    rng = np.random.default_rng(seed)
    pools = Pools(seed)
    first = next_id(session, Customer.id)
    result = SeedResult()
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        customers, phones, plans = _customer_batch(rng, pools, first + start, size, now.date(), now)
        _insert(session, Customer, customers)
        _insert(session, CustomerPhone, phones)
        _insert(session, CustomerPlan, plans)
        result.customers += len(customers)
        result.phones += len(phones)
        result.plans += len(plans)
        if progress:
            progress(size)
    fix_sequences(session)
    return result


def _contact_batches(rng: np.random.Generator, epochs: np.ndarray, slots: np.ndarray,
                     cust_ids: np.ndarray, cust_prov: np.ndarray, agents: dict[str, list[int]],
                     first_id: int, improved_since: float) -> Iterator[list[dict[str, Any]]]:
    n = epochs.size
    for start in range(0, n, BATCH):
        sl = slice(start, min(start + BATCH, n))
        m = sl.stop - sl.start
        pick = rng.integers(0, cust_ids.size, m)
        channel = rng.choice(CHANNELS[0], m, p=CHANNELS[1])
        category = rng.choice(CATEGORIES[0], m, p=CATEGORIES[1])
        peak = np.isin(slots[sl] // 4, [18, 19, 20]).astype(float)
        wait = rng.exponential(12 + 30 * peak, m)
        improved = (cust_prov[pick] == IMPROVED_PROVINCE) & (epochs[sl] >= improved_since)
        wait = np.where(improved, wait / 2, wait).astype(int)
        talk = np.clip(rng.lognormal(5.2, 0.6, m), 20, 3600).astype(int)
        hold = (rng.random(m) < 0.2) * rng.integers(5, 120, m)
        acw = rng.integers(10, 90, m)
        abandoned = (channel == "hotline") & (rng.random(m) < np.clip(wait / 300, 0.01, 0.5))
        transferred = (~abandoned) & (rng.random(m) < 0.08)
        verified = (~abandoned) & (rng.random(m) < 0.7)
        agent_pick = rng.integers(0, 1_000_000, m)
        rows = []
        for i in range(m):
            t0 = datetime.fromtimestamp(float(epochs[sl.start + i]), UTC)
            prov = str(cust_prov[pick[i]])
            live = not abandoned[i]
            pool = agents.get(prov) or []
            rows.append({
                "id": first_id + sl.start + i, "customer_id": int(cust_ids[pick[i]]), "province_code": prov,
                "channel": str(channel[i]), "direction": "in", "started_at": t0,
                "ended_at": t0 + timedelta(seconds=int(wait[i] + (talk[i] + hold[i] if live else 0))),
                "agent_id": pool[agent_pick[i] % len(pool)] if (live and pool) else None,
                "queue_wait_s": int(wait[i]), "talk_s": int(talk[i]) if live else 0,
                "hold_s": int(hold[i]) if live else 0, "acw_s": int(acw[i]) if live else 0,
                "abandoned": bool(abandoned[i]), "transferred": bool(transferred[i]),
                "category": str(category[i]), "summary": None, "identity_verified": bool(verified[i]),
                "verified_method": "id_last4" if verified[i] else None,
                "verified_at": t0 + timedelta(seconds=int(wait[i]) + 30) if verified[i] else None,
            })
        yield rows


def seed_contacts(session: Session, days: int, seed: int, now: datetime, per_customer_daily: float = 0.03,
                  progress: Callable[[int], None] | None = None, total: Callable[[int], None] | None = None) -> int:
    rng = np.random.default_rng(seed + 1)
    custs = session.execute(select(Customer.id, Customer.province_code)).all()
    if not custs or days <= 0:
        return 0
    ids = np.array([c[0] for c in custs])
    prov = np.array([c[1] for c in custs])
    agents: dict[str, list[int]] = {}
    for uid, scope in session.execute(select(User.id, User.region_scope).where(User.role == "agent")):
        for p in scope or []:
            agents.setdefault(p, []).append(uid)
    start = (now - timedelta(days=days)).date()
    epochs, slots = arrivals.arrival_times(rng, start, days, per_customer_daily * ids.size)
    keep = epochs < now.timestamp()
    epochs, slots = epochs[keep], slots[keep]
    if total:
        total(int(epochs.size))
    first = next_id(session, Contact.id)
    n = 0
    writer: BulkWriter | None = None
    with contextlib.ExitStack() as stack:
        improved_since = (now - timedelta(days=IMPROVED_DAYS)).timestamp()
        for rows in _contact_batches(rng, epochs, slots, ids, prov, agents, first, improved_since):
            if writer is None:
                writer = BulkWriter(session, Contact.__table__, list(rows[0]))
                put = stack.enter_context(writer.stream())
            put(rows)
            n += len(rows)
            if progress:
                progress(len(rows))
    fix_sequences(session)
    return n


def fix_sequences(session: Session,
                  tables: tuple[str, ...] = ("customers", "customer_phones", "customer_plans", "contacts")) -> None:
    """Explicit ids bypass PostgreSQL sequences; move them past the inserted rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
        ))


def expected_contacts(customers: int, days: int, per_customer_daily: float = 0.03) -> int:
    return math.ceil(customers * days * per_customer_daily)
