"""Profile features and churn scores for 1M customers: TelQC's numpy engine against plain pandas, one run.

    PYTHONPATH=src .venv/bin/python bench/insight_bench.py [--customers 1000000]

Both start from the same long rows (one per customer and month, 12 months, as a query returns them; a
customer who left has no rows after leaving) and a customers table, and compute the same 14 profile features
as of the last month for every customer still present, then the churn score and the top-3 reason codes with
the same trained model. TelQC: `features.panel_from_rows` (scatter to a customers × months grid) then
`features.snapshot`; baseline: pandas filters, groupby-aggregate and joins, written as one would by hand.
The features must agree (checked) and so must the scores. The model is trained first on a separate
100,000-customer panel (timed apart: training is a scheduled job, not part of the recompute). Issue 23's
bar: the whole recompute for 1M customers under 10 minutes on this machine (2 cores).

    PYTHONPATH=src .venv/bin/python -m bench.insight_bench --store-db [URL] [--store-only]

adds the storage: every customer's score and top-3 reasons (all present at the panel's first scored month)
written to `insight_churn_scores` of a scratch PostgreSQL database built by the real migrations (created,
then dropped; default `STORE_DB`), through TelQC's write path (`scoring.store`, in one job transaction) and
through a plain psycopg COPY of the same rows, each into the empty table and then replacing the stored rows
(the weekly re-run); VACUUM between runs, the ratio printed.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import psycopg
from bench.scratch_db import reset_db, vacuum
from numpy.typing import NDArray
from sqlalchemy import text

from telqc.core import migrate
from telqc.core.clock import FrozenClock
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.settings import Settings
from telqc.demo import reference
from telqc.insight import churn, features, scoring, synth
from telqc.jobs.dispatch import job_ctx

COLUMNS = ("data_gb", "bill", "complaints", "repeat_complaints", "unresolved_orders", "overdue_bills", "nps",
           "port_out_requests")


def long_rows(p: synth.Panel) -> tuple[NDArray[np.int64], NDArray[np.int64], dict[str, NDArray[np.generic]]]:
    """The panel as rows: a customer's months from 0 until the month before they left."""
    cust, month = np.nonzero(np.arange(p.months)[None, :] < np.minimum(p.churn_month, p.months)[:, None])
    return p.customer_id[cust], month.astype(np.int64), {c: getattr(p, c)[cust, month] for c in COLUMNS}


def ours(
    ids: NDArray[np.int64],
    month: NDArray[np.int64],
    cols: dict[str, NDArray[np.generic]],
    customers: dict[str, NDArray[np.generic]],
    t: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    p = features.panel_from_rows(ids, month, cols, customers)
    rows, x = features.snapshot(p, t)
    return p.customer_id[rows], x


def baseline(rows: pd.DataFrame, customers: pd.DataFrame, t: int) -> pd.DataFrame:
    w = rows[rows["month"].between(t - 5, t)]
    now = w[w["month"] == t].set_index("customer_id")
    recent = w[w["month"] >= t - 2]
    earlier = w[w["month"] < t - 2]
    r = recent.groupby("customer_id").agg(
        arpu_3m=("bill", "mean"), data_3m=("data_gb", "mean"), complaints_90d=("complaints", "sum"),
        port_out_requests=("port_out_requests", "sum"),
    )
    e = earlier.groupby("customer_id").agg(arpu_before=("bill", "mean"), data_before=("data_gb", "mean"))
    nps = recent[recent["nps"] >= 0].sort_values("month").groupby("customer_id")["nps"].last()
    f = customers.set_index("customer_id").loc[now.index]
    f = f.join(r).join(e)
    f["tenure_months"] = f["tenure0"] + t
    f["arpu_drop"] = (1 - f["arpu_3m"] / f["arpu_before"].clip(lower=1e-3)).clip(0, 1)
    f["usage_drop"] = (1 - f["data_3m"] / f["data_before"].clip(lower=1e-3)).clip(0, 1)
    f["complaints_30d"] = now["complaints"]
    f["repeat_complaints_30d"] = now["repeat_complaints"]
    f["unresolved_orders"] = now["unresolved_orders"]
    f["overdue_bills"] = now["overdue_bills"]
    f["nps_gap"] = (features.NPS_PASSIVE - nps.reindex(f.index)).clip(lower=0).fillna(0)
    to_end = f["contract_end"] - t
    f["contract_expiring"] = ((to_end >= 0) & (to_end <= 2)).astype(float)
    f["new_customer"] = (f["tenure_months"] < features.NEW_MONTHS).astype(float)
    return f[list(features.FEATURES)].astype(float)


def score(model: churn.Model, x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    return model.score(x), model.reasons(x)


STORE_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/telqc_insight_bench"
SCORED_AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
SCORE_COLUMNS = "customer_id, score, model_version, scored_at, reasons"


def store_bench(url: str, model: churn.Model, customers: int, months: int, seed: int) -> None:
    """Scores of `customers` customers written to PostgreSQL: TelQC's write path against COPY, fresh and
    replacing; the database is dropped at the end."""
    p = synth.generate(customers, months, seed=seed)
    rows, x = features.snapshot(p, features.FIRST_MONTH)  # nobody has left yet: every customer is scored
    ids = [int(i) for i in p.customer_id[rows]]
    prob = model.score(x)
    reasons = scoring.reason_codes(model, x)
    del p, x
    reset_db(url)
    try:
        migrate.upgrade(url)
        settings = Settings(database_url=url)
        factory = make_sessionmaker(make_engine(url))
        clock = FrozenClock(SCORED_AT)
        with job_ctx(factory, clock, settings) as ctx:
            reference.load_reference(ctx)
        with factory() as s, s.begin():  # the customers the scores refer to (foreign key), bare columns only
            s.execute(text(
                "INSERT INTO customers (id, name, id_number, address, province_code, city_code, district_code, "
                "area_type, tier, tags, lifecycle, joined_on, verify_failures, created_at, updated_at, version) "
                "SELECT i, 'bench', 'x', 'x', '440000', '440100', '440106', 'urban', 'regular', '[]', 'mature', "
                "date '2020-01-01', 0, now(), now(), 1 FROM unnest(CAST(:ids AS integer[])) AS i"), {"ids": ids})
        print(f"store: {len(ids):,} customers, scores with {sum(map(len, reasons)):,} reason codes")
        pg = url.replace("postgresql+psycopg://", "postgresql://")

        def fresh() -> None:
            with psycopg.connect(pg, autocommit=True) as c:
                c.execute("TRUNCATE insight_churn_scores")
            vacuum(url)

        def check() -> None:
            with psycopg.connect(pg) as c:
                n, total = c.execute("SELECT count(*), round(sum(score)::numeric, 2) FROM insight_churn_scores"
                                     ).fetchone() or (0, 0)
            assert n == len(ids), (n, len(ids))
            assert abs(float(total) - sum(round(float(v), 4) for v in prob)) < 0.5, total

        def ours() -> float:
            t0 = time.perf_counter()
            with job_ctx(factory, clock, settings) as ctx:
                scoring.store(ctx, ids, prob, reasons, model.version)
            took = time.perf_counter() - t0
            check()
            vacuum(url)
            return took

        def copy(replace: bool) -> float:
            t0 = time.perf_counter()
            with psycopg.connect(pg) as c:
                if replace:
                    c.execute("DELETE FROM insight_churn_scores WHERE customer_id = ANY(%s)", (ids,))
                with c.cursor() as cur, cur.copy(f"COPY insight_churn_scores ({SCORE_COLUMNS}) FROM STDIN") as cp:
                    for cid, v, r in zip(ids, prob, reasons, strict=True):
                        cp.write_row((cid, round(float(v), 4), model.version, SCORED_AT, json.dumps(r)))
            took = time.perf_counter() - t0
            check()
            vacuum(url)
            return took

        fresh()
        ours_new, ours_again = ours(), ours()
        fresh()
        copy_new, copy_again = copy(False), copy(True)
        print(f"TelQC scoring.store  into empty {ours_new:6.1f} s   replacing {ours_again:6.1f} s")
        print(f"COPY (psycopg)       into empty {copy_new:6.1f} s   replacing {copy_again:6.1f} s (DELETE + COPY)")
        print(f"ratio (TelQC / COPY): into empty {ours_new / copy_new:.1f}×, replacing {ours_again / copy_again:.1f}×")
    finally:
        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--store-db", nargs="?", const=STORE_DB, help="also time writing the scores to this "
                        f"scratch PostgreSQL database, created and dropped (default {STORE_DB})")
    parser.add_argument("--store-only", action="store_true", help="with --store-db: skip the features comparison")
    a = parser.parse_args()
    t = a.months - 1

    t0 = time.perf_counter()
    history = synth.generate(100_000, a.months, seed=a.seed + 1)
    x_tr, y_tr, _ = features.training_rows(history, range(synth.WARMUP, t))
    model = churn.train(x_tr, y_tr, (synth.WARMUP, t - 1))
    print(f"train: {y_tr.size:,} customer-months, {model.version}: {time.perf_counter() - t0:.1f} s")
    if a.store_db and a.store_only:
        store_bench(a.store_db, model, a.customers, a.months, a.seed)
        return

    t0 = time.perf_counter()
    p = synth.generate(a.customers, a.months, seed=a.seed)
    ids, month, cols = long_rows(p)
    customers: dict[str, NDArray[np.generic]] = {
        "customer_id": p.customer_id,
        "tenure0": p.tenure0,
        "plan_price": p.plan_price,
        "contract_end": p.contract_end,
    }
    frame = pd.DataFrame({"customer_id": ids, "month": month, **cols})
    cust_frame = pd.DataFrame(customers)
    print(f"data: {a.customers:,} customers, {ids.size:,} customer-month rows: {time.perf_counter() - t0:.1f} s")
    del p

    t0 = time.perf_counter()
    our_ids, x = ours(ids, month, cols, customers, t)
    t_feat = time.perf_counter() - t0
    prob, codes = score(model, x)
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    f = baseline(frame, cust_frame, t)
    b_feat = time.perf_counter() - t0
    score(model, f.to_numpy())
    t_base = time.perf_counter() - t0

    f = f.loc[our_ids]
    same = np.allclose(f.to_numpy(), x, rtol=1e-9, atol=1e-9)
    diff = float(np.abs(f.to_numpy() - x).max())
    same_score = np.allclose(model.score(f.to_numpy()), prob, rtol=1e-9, atol=1e-12)
    print(
        f"customers scored: {our_ids.size:,}; features equal: {same} (max |diff| {diff:.2e}); scores equal: "
        f"{same_score}; mean risk {prob.mean():.2%}; with a reason: {(codes[:, 0] >= 0).mean():.1%}"
    )
    print(f"TelQC  features {t_feat:6.1f} s  + score & reasons {t_ours - t_feat:5.1f} s = {t_ours:6.1f} s")
    print(f"pandas features {b_feat:6.1f} s  + score & reasons {t_base - b_feat:5.1f} s = {t_base:6.1f} s")
    print(f"ratio (pandas / TelQC): features {b_feat / t_feat:.1f}×, whole recompute {t_base / t_ours:.1f}×")
    for i in np.argsort(-prob)[:3]:
        print(f"  customer {our_ids[i]}: {prob[i]:.1%}  " + "；".join(churn.explain(model, x[i : i + 1])[0]))
    if a.store_db:
        del frame, cust_frame, f, x, ids, month, cols
        store_bench(a.store_db, model, a.customers, a.months, a.seed)


if __name__ == "__main__":
    main()
