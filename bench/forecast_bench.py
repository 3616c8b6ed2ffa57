"""Forecast backtest on a seeded 2-year interval history, per channel, against seasonal naive.

    PYTHONPATH=src:. .venv/bin/python bench/forecast_bench.py [--days 730] [--origins 8]

History: `demo.workforce_data.series` (the demo's generator: intraday shape with the 18:00–21:00 peak, weekday,
China holidays and make-up days, bill days, the day after a holiday), seed 42, ending 2026-11-30. Rolling
origins: the last `--origins` weeks, each held out and forecast from everything before it. Prints MASE and
WAPE per channel for the model and for seasonal naive (same interval one week earlier).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from telqc.demo.workforce_data import PROFILES, series
from telqc.orders.read import china_days_off, china_makeup_days
from telqc.workforce import forecast as fc

END = date(2026, 11, 30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--origins", type=int, default=8)
    args = ap.parse_args()
    cal = fc.Calendar(china_days_off(), china_makeup_days())
    start = END - timedelta(days=args.days - 1)
    print(f"history {start}..{END} ({args.days} days), {args.origins} rolling weekly origins")
    print("channel   MASE   WAPE   naive MASE  naive WAPE  beats naive  seconds")
    for ch in PROFILES:
        s = series(ch, start, args.days, cal, seed=42)
        t0 = time.perf_counter()
        b = fc.backtest(s.days, s.offered, cal, origins=args.origins)
        took = time.perf_counter() - t0
        beats = b.mase < b.naive_mase and b.wape < b.naive_wape
        print(f"{ch:8}  {b.mase:.3f}  {b.wape:.3f}  {b.naive_mase:10.3f}  {b.naive_wape:10.3f}  "
              f"{'yes' if beats else 'NO':>11}  {took:7.1f}")


if __name__ == "__main__":
    main()
