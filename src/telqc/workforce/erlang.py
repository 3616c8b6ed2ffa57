"""Agents needed per interval: Erlang C (M/M/N, no abandonment) and Erlang A (M/M/N+M, exponential patience).

Pure: plain numbers in, plain numbers out, no I/O.

Exact where a count is decided. The offered load A = calls × AHT / interval, the occupancy floor A / max_occupancy
and the shrinkage gross-up N / (1 − shrinkage) are `Fraction`s, so a ceiling is the integer above the true
quotient: ceil(21 / (1 − 0.3)) is 30, while `math.ceil(21 / 0.7)` in floats is 31 (21 / 0.7 = 30.000000000000004).
Probabilities are floats from the stable Erlang B recursion B(n) = A·B(n−1) / (n + A·B(n−1)), which never forms
A^n or n! and so neither overflows nor loses precision at thousands of agents; the search walks n upwards once,
carrying B, so a case costs O(N), not O(N²).

Which model where (see `staffing.py`): Erlang A for voice queues whose patience is known from history (callers
hang up; Erlang C, which assumes nobody does, over-staffs them); Erlang C for queues with no abandonment data,
and for chat, where an agent with concurrency k is k servers.

Service level follows KPI.md (answered within T seconds); with abandonment it is answered within T / offered,
so a caller who hangs up counts against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from telqc.core.i18n import DEFAULT, t


class ErlangInputError(ValueError):
    """A case that cannot be staffed; `field` names the input at fault, `code` the rule it breaks (its words are
    the messages ``workforce.erlang.<code>``, zh-CN first: `message(lang)`)."""

    def __init__(self, field: str, code: str) -> None:
        self.field = field
        self.code = code
        super().__init__(f"{field}: {self.reason}")

    @property
    def reason(self) -> str:
        return self.message("en")

    def message(self, lang: str = DEFAULT) -> str:
        return t(f"workforce.erlang.{self.code}", lang)


Exact = Fraction | int


@dataclass(frozen=True)
class Case:
    """One interval of one queue. Exact inputs (`Fraction`, or `int`) where they decide a count."""

    calls: Exact
    interval_s: Exact
    aht_s: Exact
    service_level_target: float | None = 0.8
    answer_time_s: float = 20.0
    asa_target_s: float | None = None
    max_occupancy: Exact = 1
    shrinkage: Exact = 0
    patience_s: float | None = None  # Erlang A when given
    concurrency: int = 1  # chat: contacts one agent handles at once


@dataclass(frozen=True)
class Staffing:
    agents: int  # on the queue, before shrinkage
    agents_scheduled: int  # after shrinkage
    service_level: float
    asa_s: float
    occupancy: float
    waiting_probability: float
    abandon_probability: float
    model: str  # "erlang_c" | "erlang_a"


def exact(value: float | int | str | Fraction) -> Exact:
    """A decimal as the number it is written as: 0.3 is 3/10, not the float nearest to it."""
    if isinstance(value, Fraction | int):
        return value
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def load(case: Case) -> Fraction:
    """Offered load in Erlangs (busy servers needed on average)."""
    c, h, i = case.calls, case.aht_s, case.interval_s
    return Fraction(c.numerator * h.numerator * i.denominator, c.denominator * h.denominator * i.numerator)


def occupancy_floor(a: Fraction, max_occupancy: Exact) -> int:
    """The fewest servers whose occupancy A / N does not exceed the cap: ceil(A / cap), exactly."""
    return -(-(a.numerator * max_occupancy.denominator) // (a.denominator * max_occupancy.numerator))


def with_shrinkage(agents: int, shrinkage: Exact) -> int:
    """Agents to schedule so that `agents` remain after shrinkage: ceil(N / (1 − s)), exactly."""
    num, den = shrinkage.numerator, shrinkage.denominator
    return -(-(agents * den) // (den - num))


def recursion_start(a: float) -> int:
    """Where the Erlang B recursion may start (from B = 1) for any n ≥ a without changing B(n) in double
    precision. An error in 1/B(m) reaches 1/B(n) multiplied by the product of i/a over m < i ≤ n, relative to
    a sum that contains the same product past a; the part below a is about exp(−(a − m)² / 2a), and with
    a − m = 9√a + 10 that is below e^−40 (≈ 4e−18, under the double's 1.1e−16 even after the factor a/(a − m)).
    So a case costs O(√A + N − A) steps instead of O(N); `test_erlang.py` checks it against the full recursion."""
    return max(0, math.floor(a - 9.0 * math.sqrt(a) - 10.0))


def erlang_b_from(m: int, n: int, a: float) -> float:
    """B(n, a), starting the recursion at m = `recursion_start(a)` (or 0) with B = 1."""
    b = 1.0
    for k in range(m + 1, n + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def erlang_b(n: int, a: float) -> float:
    """Blocking probability of n servers under load a (stable recursion)."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c_wait(n: int, a: float, b: float) -> float:
    """P(wait) for n > a servers from the Erlang B value b = B(n, a)."""
    return n * b / (n - a * (1.0 - b))


def _validate(case: Case) -> None:
    # signs and bounds on numerators and denominators: a Fraction comparison costs more than the Erlang step
    if case.interval_s.numerator <= 0:
        raise ErlangInputError("interval_s", "gt0")
    if case.aht_s.numerator <= 0:
        raise ErlangInputError("aht_s", "gt0")
    if case.calls.numerator < 0:
        raise ErlangInputError("calls_per_interval", "ge0")
    occ = case.max_occupancy
    if not 0 < occ.numerator <= occ.denominator:
        raise ErlangInputError("max_occupancy", "occupancy_range")
    shr = case.shrinkage
    if not 0 <= shr.numerator < shr.denominator:
        raise ErlangInputError("shrinkage", "shrinkage_range")
    if case.service_level_target is None and case.asa_target_s is None:
        raise ErlangInputError("service_level_target", "target_needed")
    if case.service_level_target is not None and not 0 < case.service_level_target < 1:
        raise ErlangInputError("service_level_target", "level_range")
    if not case.answer_time_s >= 0:
        raise ErlangInputError("answer_time_s", "ge0")
    if case.asa_target_s is not None and not case.asa_target_s > 0:
        raise ErlangInputError("asa_target_s", "gt0")
    if case.patience_s is not None and not case.patience_s > 0:
        raise ErlangInputError("patience_s", "gt0")
    if case.concurrency < 1:
        raise ErlangInputError("concurrency", "ge1")


def _c_metrics(n: int, a: float, b: float, aht: float, t: float) -> tuple[float, float, float]:
    """(service level, ASA, P(wait)) of Erlang C at n > a servers."""
    pw = erlang_c_wait(n, a, b)
    return max(0.0, 1.0 - pw * math.exp(-(n - a) * t / aht)), pw * aht / (n - a), pw


def _meets(case: Case, sl: float, asa: float) -> bool:
    if case.service_level_target is not None and sl < case.service_level_target:
        return False
    return case.asa_target_s is None or asa <= case.asa_target_s


def erlang_c(case: Case) -> Staffing:
    """Fewest servers meeting the target(s) and the occupancy cap under Erlang C, then shrinkage."""
    _validate(case)
    a_exact = load(case)
    if a_exact == 0:
        return Staffing(0, 0, 1.0, 0.0, 0.0, 0.0, 0.0, "erlang_c")
    a, aht, t = float(a_exact), float(case.aht_s), case.answer_time_s
    n = max(a_exact.numerator // a_exact.denominator + 1, occupancy_floor(a_exact, case.max_occupancy))
    b = erlang_b_from(recursion_start(a), n, a)
    sl_target = case.service_level_target if case.service_level_target is not None else -1.0
    asa_target = case.asa_target_s if case.asa_target_s is not None else math.inf
    while True:
        pw = n * b / (n - a * (1.0 - b))
        sl = max(0.0, 1.0 - pw * math.exp(-(n - a) * t / aht))
        asa = pw * aht / (n - a)
        if sl >= sl_target and asa <= asa_target:
            break
        n += 1
        b = a * b / (n + a * b)
    servers = n
    agents = -(-servers // case.concurrency)
    return Staffing(agents, with_shrinkage(agents, case.shrinkage), sl, asa, a / servers, pw, 0.0, "erlang_c")


# Erlang A -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _AState:
    p_wait: float
    p_abandon: float
    mean_wait: float
    service_level: float


def _erlang_a_state(n: int, lam: float, mu: float, theta: float, b: float, t: float) -> _AState:
    """M/M/n+M at n servers: stationary queue tail by ratios to π_n, and P(answered within t) by uniformisation
    of the tagged caller's progress through the queue (each caller ahead leaves by service or by hanging up)."""
    # tail[m] = π_{n+m} / π_n
    tail = [1.0]
    m = 0
    while True:
        m += 1
        term = tail[-1] * lam / (n * mu + m * theta)
        tail.append(term)
        if term < 1e-15 * sum(tail) and lam < n * mu + m * theta:
            break
    tail_arr = np.asarray(tail)
    # b underflows to 0.0 when n is far above the load (a low occupancy cap): then all n are never busy
    pi_n = 0.0 if b == 0.0 else 1.0 / (1.0 / b + float(tail_arr.sum()) - 1.0)
    probs = pi_n * tail_arr  # arrivals that find m = 0, 1, ... callers waiting (all n servers busy)
    p_wait = float(probs.sum())
    mean_queue = float((probs * np.arange(len(probs))).sum())
    p_abandon = theta * mean_queue / lam
    mean_wait = mean_queue / lam
    # u_j(t): P(served within t | j callers ahead), j = 0..Q
    q = len(tail)
    rates = n * mu + np.arange(q) * theta
    big = float(rates[-1] + theta)
    lt = big * t
    steps = int(lt + 8.0 * math.sqrt(lt) + 20)
    ks = np.arange(steps + 1)
    log_fact = np.concatenate(([0.0], np.cumsum(np.log(ks[1:]))))
    weights = np.exp(-lt + ks * math.log(lt) - log_fact) if lt > 0 else (ks == 0).astype(float)
    move, stay = rates / big, 1.0 - (rates + theta) / big
    v = np.zeros(q)
    u = np.zeros(q)
    for k in range(1, steps + 1):
        shifted = np.empty(q)
        shifted[0] = 1.0
        shifted[1:] = v[:-1]
        v = move * shifted + stay * v
        u += weights[k] * v
    answered_in_t = (1.0 - p_wait) + float((probs * u).sum())
    return _AState(p_wait, p_abandon, mean_wait, answered_in_t)


def erlang_a(case: Case) -> Staffing:
    """Fewest servers meeting the target(s) and the occupancy cap under Erlang A (mean patience `patience_s`)."""
    _validate(case)
    if case.patience_s is None:
        raise ErlangInputError("patience_s", "patience_needed")
    a_exact = load(case)
    if a_exact == 0:
        return Staffing(0, 0, 1.0, 0.0, 0.0, 0.0, 0.0, "erlang_a")
    lam = float(case.calls / case.interval_s)
    mu = 1.0 / float(case.aht_s)
    theta = 1.0 / case.patience_s
    a = float(a_exact)

    def evaluate(n: int) -> tuple[_AState, bool]:
        st = _erlang_a_state(n, lam, mu, theta, erlang_b(n, a), case.answer_time_s)
        ok = _meets(case, st.service_level, st.mean_wait)
        served_load = a * (1.0 - st.p_abandon)
        return st, ok and Fraction(served_load) <= case.max_occupancy * n

    # exponential then binary search: service level and ASA improve with every server added
    lo, hi = 0, max(1, math.floor(a_exact) + 1)
    while not evaluate(hi)[1]:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if evaluate(mid)[1]:
            hi = mid
        else:
            lo = mid
    st, _ = evaluate(hi)
    agents = math.ceil(Fraction(hi, case.concurrency))
    return Staffing(agents, with_shrinkage(agents, case.shrinkage), st.service_level, st.mean_wait,
                    a * (1.0 - st.p_abandon) / hi, st.p_wait, st.p_abandon, "erlang_a")


def staff(case: Case) -> Staffing:
    """Erlang A when the queue's patience is known, else Erlang C."""
    return erlang_a(case) if case.patience_s is not None else erlang_c(case)


def service_level_c(n: int, case: Case) -> float:
    """Erlang C service level of exactly n servers (0 when n does not exceed the load: the queue grows)."""
    a_exact = load(case)
    if n <= a_exact:
        return 0.0
    a = float(a_exact)
    return _c_metrics(n, a, erlang_b(n, a), float(case.aht_s), case.answer_time_s)[0]


def evaluate(case: Case, agents: int) -> Staffing:
    """The queue with exactly `agents` on it (the supervisor's what-if): service level, ASA, occupancy.

    Under Erlang C a queue whose load reaches the servers grows without bound: service level 0, ASA infinite.
    Under Erlang A callers hang up, so every count has a steady state."""
    _validate(case)
    if agents < 0:
        raise ErlangInputError("agents", "ge0")
    a_exact = load(case)
    n = agents * case.concurrency
    model = "erlang_a" if case.patience_s is not None else "erlang_c"
    if a_exact == 0:
        return Staffing(agents, with_shrinkage(agents, case.shrinkage), 1.0, 0.0, 0.0, 0.0, 0.0, model)
    a = float(a_exact)
    scheduled = with_shrinkage(agents, case.shrinkage)
    if n == 0:
        return Staffing(agents, scheduled, 0.0, math.inf, 1.0, 1.0, 1.0 if case.patience_s else 0.0, model)
    if case.patience_s is not None:
        lam, mu, theta = float(case.calls / case.interval_s), 1.0 / float(case.aht_s), 1.0 / case.patience_s
        st = _erlang_a_state(n, lam, mu, theta, erlang_b(n, a), case.answer_time_s)
        return Staffing(agents, scheduled, st.service_level, st.mean_wait, min(1.0, a * (1.0 - st.p_abandon) / n),
                        st.p_wait, st.p_abandon, model)
    if n <= a_exact:
        return Staffing(agents, scheduled, 0.0, math.inf, 1.0, 1.0, 0.0, model)
    sl, asa, pw = _c_metrics(n, a, erlang_b(n, a), float(case.aht_s), case.answer_time_s)
    return Staffing(agents, scheduled, sl, asa, a / n, pw, 0.0, model)
