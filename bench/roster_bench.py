"""A 200-person, 2-week roster against a forecast-driven requirement (target: solved in under 60 s).

    PYTHONPATH=src:. .venv/bin/python bench/roster_bench.py            # multi-skill, with a night shift
    PYTHONPATH=src:. .venv/bin/python bench/roster_bench.py --no-night # multi-skill, day shifts only
    PYTHONPATH=src:. .venv/bin/python bench/roster_bench.py --single   # before: one skill each, day shifts
    PYTHONPATH=src:. .venv/bin/python bench/roster_bench.py --open-week  # 7 days available, 6 shifts a week
    PYTHONPATH=src:. .venv/bin/python bench/roster_bench.py --single --breaks  # a 15-min break on 早班/晚班
    PYTHONPATH=src:. .venv/bin/python bench/roster_bench.py --single --breaks --breaks-in-patterns  # the old way

Requirement: the demo's channel volumes (hotline, WeChat, APP; 60 days of history forecast 14 days ahead)
through the Erlang staffing of `staffing.DEFAULT_RULES`; 200 people (120 hotline, 45 WeChat, 35 APP) with
five-day weeks and the demo's shift templates. Multi-skill (default): of the 200, 40 hotline + WeChat,
20 WeChat + APP and 15 with all three; a 22:00 night shift crossing midnight is added to the templates; the
11 h rest, the weekly allowance and at most 6 days in a row hold (checked on the result, printed).
"""

from __future__ import annotations

import argparse
import itertools
import time
from dataclasses import replace
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
NIGHT = Template(4, "夜班", 480, 22 * 60, 22 * 60, 60, 180, 300)
HEADS = {"hotline": 120, "wechat": 45, "app": 35}
# (primary channel, extra skills, heads): the same 200 people, 75 of them multi-skilled
MULTI = [("hotline", (), 80), ("hotline", ("wechat",), 40), ("wechat", (), 25), ("wechat", ("app",), 20),
         ("app", (), 20), ("hotline", ("wechat", "app"), 15)]


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
    ap = argparse.ArgumentParser()
    ap.add_argument("--single", action="store_true", help="one skill each, no night shift (the old bench)")
    ap.add_argument("--no-night", action="store_true", help="multi-skill without the night shift")
    ap.add_argument("--open-week", action="store_true",
                    help="everyone available every day with six shifts a week: where the 6-days-in-a-row cap binds")
    ap.add_argument("--breaks", action="store_true",
                    help="a 15-minute break (小休) on 早班 and 晚班, 60–120 min after the start (3 placements each)")
    ap.add_argument("--breaks-in-patterns", action="store_true",
                    help="place the breaks in stage 1's patterns (the old way) instead of after the solve")
    args = ap.parse_args()
    people: list[Person] = []
    groups = [(ch, (), n) for ch, n in HEADS.items()] if args.single else MULTI
    for ch, extra, n in groups:
        for _ in range(n):
            i = len(people)
            off = {(i % 7), ((i + 1) % 7)}  # two days off, spread over the week
            if args.open_week:
                people.append(Person(i + 1, ch, frozenset(range(7)), 6, frozenset(extra)))
            else:
                people.append(Person(i + 1, ch, frozenset(set(range(7)) - off), 5, frozenset(extra)))
    templates = TEMPLATES if args.single or args.no_night else [*TEMPLATES, NIGHT]
    if args.breaks:
        templates = [replace(t, break_min=15, break_earliest_min=60, break_latest_min=120) if t.lunch_min else t
                     for t in templates]
    t0 = time.perf_counter()
    days, req = requirement(date(2026, 12, 7), 14)
    t_req = time.perf_counter() - t0
    res = solve(days, req, templates, people, time_limit_s=55.0,
                breaks="patterns" if args.breaks_in_patterns else "auto")
    total = sum(float(r.sum()) for r in req.values())
    print(f"requirement: {total:.0f} agent-intervals over {len(days)} days × 48 (computed in {t_req:.1f} s)")
    print(f"roster: {len(res.shifts)} shifts for {len(people)} people ({len(MULTI) if not args.single else 3} "
          f"skill pools), status {res.status}, under {res.under:.0f} ({res.under / total:.1%}), "
          f"over {res.over:.0f}, dropped {res.dropped}, retimed {res.retimed}, solved in {res.solve_s:.1f} s")
    if args.breaks:
        print(f"breaks: {sum(s.pattern.break_start_min is not None for s in res.shifts)} placed "
              f"({'in the patterns' if args.breaks_in_patterns else 'after the solve'})")
    for ch in sorted(req):
        need = float(req[ch].sum())
        print(f"  {ch:8s} required {need:6.0f}  covered {float(np.minimum(res.coverage[ch], req[ch]).sum()):6.0f}"
              f"  short {res.unmet[ch]:5.0f} ({res.unmet[ch] / need:.1%})")
    by_person: dict[int, list[tuple[int, int]]] = {}
    for s in res.shifts:
        start = (s.day - days[0]).days * 1440 + s.pattern.start_min
        by_person.setdefault(s.person_id, []).append((start, start + s.pattern.length_min))
    rest = min((b[0] - a[1] for v in by_person.values() for a, b in itertools.pairwise(sorted(v))), default=0)
    night = sum(s.pattern.overnight for s in res.shifts)
    used: dict[int, set[str]] = {}
    for who in res.assignment.values():
        for pid, sk in who.items():
            used.setdefault(pid, set()).add(sk)
    multi = sum(len(v) > 1 for v in used.values())
    longest = 0
    for pid in by_person:
        worked = {s.day for s in res.shifts if s.person_id == pid}
        for d in worked:
            n = 0
            while date.fromordinal(d.toordinal() + n) in worked:
                n += 1
            longest = max(longest, n)
    print(f"labour rules: shortest rest {rest / 60:.1f} h, most days in a row {longest} (cap 6), overnight shifts "
          f"{night}, multi-skilled people used on more than one skill {multi}")


if __name__ == "__main__":
    main()
