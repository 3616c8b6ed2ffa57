"""Deadline throughput of the business calendar vs a naive minute-stepping reference.

Run:  .venv/bin/python bench/sla_bench.py [--pairs 1000000] [--naive 100] [--seed 7]

The SLA sweep recomputes deadlines for every open order after a policy or
calendar change, so deadline computation must not step minute by minute.
The naive reference also checks that both agree on its sample.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from telqc.orders.calendar import BusinessCalendar
from telqc.orders.holidays import china_calendar
from telqc.orders.sla import Pause, SlaPolicy, evaluate

TARGETS_H = (1, 2, 4, 8, 16, 24, 40, 48, 72)


def naive_deadline(cal: BusinessCalendar, start: datetime, target: timedelta) -> datetime:
    """Step one minute at a time, reading the local wall clock: the obvious, slow implementation."""
    tz = ZoneInfo(cal.tz_name)
    left = int(target.total_seconds() // 60)
    t = start
    while left:
        w = t.astimezone(tz)
        secs = w.hour * 3600 + w.minute * 60
        if any(s <= secs < e for s, e in cal.intervals_on(w.date())):
            left -= 1
        t += timedelta(minutes=1)
    return t


def make_pairs(n: int, rng: random.Random) -> list[tuple[datetime, timedelta]]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    minutes_in_2026 = 365 * 24 * 60
    return [
        (base + timedelta(minutes=rng.randrange(minutes_in_2026)), timedelta(hours=rng.choice(TARGETS_H)))
        for _ in range(n)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pairs", type=int, default=1_000_000)
    ap.add_argument("--naive", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cal = china_calendar()  # Asia/Shanghai, 09:00-12:00 + 13:30-18:00, 2026/2027 holidays and 调休
    cal.add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1))  # compile once, outside the timings

    pairs = make_pairs(args.pairs, rng)
    t0 = time.perf_counter()
    for start, target in pairs:
        cal.add(start, target)
    fast_s = time.perf_counter() - t0
    fast_per = fast_s / len(pairs)

    sample = pairs[: args.naive]
    t0 = time.perf_counter()
    naive = [naive_deadline(cal, s, d) for s, d in sample]
    naive_s = time.perf_counter() - t0
    naive_per = naive_s / len(sample)
    mismatches = sum(cal.add(s, d) != n for (s, d), n in zip(sample, naive, strict=True))

    policy = SlaPolicy("bench", timedelta(hours=2), timedelta(hours=24), cal)
    orders = pairs[:100_000]
    t0 = time.perf_counter()
    for start, _ in orders:
        evaluate(
            policy, start, start + timedelta(days=3), [Pause(start + timedelta(hours=3), start + timedelta(hours=30))]
        )
    eval_per = (time.perf_counter() - t0) / len(orders)

    print(f"calendar: {cal.name}, {cal.tz_name}; targets {TARGETS_H} business hours; seed {args.seed}")
    print(f"fast   : {len(pairs):>9,} deadlines in {fast_s:8.3f} s = {fast_per * 1e6:9.2f} µs/deadline")
    print(f"naive  : {len(sample):>9,} deadlines in {naive_s:8.3f} s = {naive_per * 1e6:9.2f} µs/deadline")
    print(f"ratio  : naive / fast = {naive_per / fast_per:,.0f}x; mismatches on sample: {mismatches}")
    print(f"evaluate(): {len(orders):,} orders (2 clocks, 1 pause) = {eval_per * 1e6:.2f} µs/order")
    if mismatches:
        raise SystemExit("fast and naive deadlines disagree")


if __name__ == "__main__":
    main()
