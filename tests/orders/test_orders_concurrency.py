"""50 concurrent HTTP clients updating the same 10 orders on a live server: no lost update.

Every client reads the order's ETag, asks for the next state with If-Match and retries on 412.
Afterwards each order's status history must be an unbroken chain (each row starts where the
previous ended), end at the order's final state, and hold exactly one row per 200 answer.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from orders.orders_helpers import World
from telqc.orders.models import Order, OrderHistory

if TYPE_CHECKING:
    from conftest import Database

CLIENTS = 50
ORDERS = 10
WRITES_PER_CLIENT = 2


def test_fifty_clients_ten_orders_no_lost_update(database: Database, app: FastAPI, client: TestClient,
                                                 live_server: str) -> None:
    if database.kind != "postgresql":
        pytest.skip("50 concurrent writers is a PostgreSQL deployment test; SQLite serialises all writers "
                    "(stale If-Match on SQLite: test_stale_if_match_412_never_overwrites)")
    w = World(app, client)
    ids = []
    for _ in range(ORDERS):
        oid = w.create(headers=w.sup)["id"]
        w.move(oid, "acknowledged", headers=w.sup)
        ids.append(oid)
    token = w.sup["Authorization"]
    ok: Counter[int] = Counter()
    stale: Counter[int] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def worker(n: int) -> None:
        oid = ids[n % ORDERS]
        with httpx.Client(base_url=live_server, headers={"Authorization": token}, timeout=120) as http:
            start.wait()
            done = 0
            for _attempt in range(200):
                if done == WRITES_PER_CLIENT:
                    return
                got = http.get(f"/api/v1/orders/{oid}")
                if got.status_code != 200:
                    errors.append(f"GET {got.status_code} {got.text[:200]}")
                    return
                to = "pending" if got.json()["status"] == "in_progress" else "in_progress"
                body = {"to": to, "pending_reason": "customer"} if to == "pending" else {"to": to}
                r = http.post(f"/api/v1/orders/{oid}/transition", json=body,
                              headers={"If-Match": got.headers["ETag"]})
                with lock:
                    if r.status_code == 200:
                        ok[oid] += 1
                        done += 1
                    elif r.status_code == 412:
                        stale[oid] += 1
                    else:
                        errors.append(f"POST {r.status_code} {r.text[:200]}")
                        return
            errors.append("gave up after 200 attempts")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(ok.values()) == CLIENTS * WRITES_PER_CLIENT
    with app.state.sessionmaker() as s:
        for oid in ids:
            order = s.get(Order, oid)
            rows = s.scalars(select(OrderHistory).where(OrderHistory.order_id == oid, OrderHistory.field == "status")
                             .order_by(OrderHistory.id)).all()
            chain = [(h.from_value, h.to_value) for h in rows]
            assert chain[:2] == [(None, "new"), ("new", "acknowledged")]
            moves = chain[2:]
            assert len(moves) == ok[oid], f"order {oid}: one history row per successful write"
            assert all(a[1] == b[0] for a, b in itertools.pairwise(chain)), f"broken chain {chain}"
            assert chain[-1][1] == order.status
