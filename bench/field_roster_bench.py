"""The field engineers' roster at a national operator's size: 31 provinces, 8 engineers each plus 20 with no
region scope, 14 days, 1–4 engineers needed on duty per province and day (seeded).

    PYTHONPATH=src:. .venv/bin/python bench/field_roster_bench.py
    PYTHONPATH=src:. .venv/bin/python bench/field_roster_bench.py --scoped   # no engineer without a scope

Prints the duties, what is short, the solve time and the labour rules checked on the result (one duty a day,
≤ 5 in any 7 days, no day duty after a night on call, one on call per province and night).
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from datetime import date, timedelta

from telqc.workforce.field_roster import Engineer, solve

PROVINCES = [f"{c}0000" for c in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45,
                                   46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scoped", action="store_true", help="every engineer in one province (no national ones)")
    args = ap.parse_args()
    rng = random.Random(42)
    days = [date(2026, 12, 7) + timedelta(days=i) for i in range(14)]
    need = {p: [rng.randint(1, 4) for _ in days] for p in PROVINCES}
    engineers = [Engineer(i * 100 + k, frozenset({p})) for i, p in enumerate(PROVINCES) for k in range(8)]
    if not args.scoped:
        engineers += [Engineer(10_000 + k, None) for k in range(20)]
    res = solve(days, need, engineers, time_limit_s=55.0)
    blocks = sum(3 * sum(v) for v in need.values())
    print(f"need: {blocks} engineer-blocks (4 h) over {len(days)} days × {len(PROVINCES)} provinces; "
          f"{len(engineers)} engineers")
    print(f"roster: {len(res.duties)} duties, status {res.status}, short {res.short:.0f} "
          f"({res.short / blocks:.1%}), over {res.over:.0f}, nights uncovered {res.nights_uncovered}, "
          f"solved in {res.solve_s:.1f} s")
    one_a_day = len({(x.engineer_id, x.day) for x in res.duties}) == len(res.duties)
    most = max(max(Counter(x.engineer_id for x in res.duties if d <= x.day < d + timedelta(days=7)).values(),
                   default=0) for d in days)
    nights = {(x.engineer_id, x.day) for x in res.duties if x.kind == "night"}
    after_night = sum(x.kind != "night" and (x.engineer_id, x.day - timedelta(days=1)) in nights
                      for x in res.duties)
    on_call = max(Counter((x.province, x.day) for x in res.duties if x.kind == "night").values())
    print(f"labour rules: one duty a day {one_a_day}, most duties in 7 days {most} (cap 5), day duties after a "
          f"night {after_night}, most on call per province-night {on_call}")


if __name__ == "__main__":
    main()
