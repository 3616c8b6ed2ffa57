"""A 200-person, 2-week roster against a forecast-driven requirement (target: solved in under 60 s).

    PYTHONPATH=src:. .venv/bin/python bench/roster_bench.py

Requirement: the demo's channel volumes (hotline, WeChat, APP; 60 days of history forecast 14 days ahead)
through the Erlang staffing of `staffing.DEFAULT_RULES`; 200 people (120 hotline, 45 WeChat, 35 APP) with
five-day weeks and the demo's shift templates.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np

from telqc.demo.workforce_data import series
from telqc.orders.read import china_days_off, china_makeup_days
from telqc.workforce import forecast as fc
from telqc.workforce import staffing
from telqc.workforce.roster import Person, Template, solve

TEMPLATES = [
    Template(1, "早班", 480, 7 * 60, 11 * 60, 60, 180, 300),
    Template(2, "晚班", 480, 12 * 60, 14 * 60, 60, 180, 300),
    Template(3, "短班", 240, 8 * 60, 18 * 60),
]
HEADS = {"hotline": 120, "wechat": 45, "app": 35}


def requirement(start: date, days: int) -> tuple[list[date], dict[str, np.ndarray]]:
    cal = fc.Calendar(china_days_off(), china_makeup_days())
    out = {}
    hist_start = date.fromordinal(start.toordinal() - 60)
    for ch in HEADS:
        s = series(ch, hist_start, 60, cal, seed=42)
        model = fc.fit(s.days, s.offered, cal)
        fut = fc.day_range(start, days)
        vol = model.predict(fut)
        aht = fc.aht_profile(s.handled, s.handle_s)
        out[ch] = staffing.requirement(vol, aht, staffing.DEFAULT_RULES[ch]).scheduled.astype(float)
    return fc.day_range(start, days), out


def main() -> None:
    people: list[Person] = []
    for ch, n in HEADS.items():
        for i in range(n):
            off = {(i % 7), ((i + 1) % 7)}  # two days off, spread over the week
            people.append(Person(len(people) + 1, ch, frozenset(set(range(7)) - off), 5))
    t0 = time.perf_counter()
    days, req = requirement(date(2026, 12, 7), 14)
    t_req = time.perf_counter() - t0
    res = solve(days, req, TEMPLATES, people, time_limit_s=55.0)
    total = sum(float(r.sum()) for r in req.values())
    print(f"requirement: {total:.0f} agent-intervals over {len(days)} days × 48 (computed in {t_req:.1f} s)")
    print(f"roster: {len(res.shifts)} shifts for {len(people)} people, status {res.status}, "
          f"under {res.under:.0f} ({res.under / total:.1%}), over {res.over:.0f}, dropped {res.dropped}, "
          f"solved in {res.solve_s:.1f} s")


if __name__ == "__main__":
    main()
