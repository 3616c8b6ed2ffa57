"""Retention uplift: who is held out of a campaign, and what the campaign really saved (issue 23 §4).

Holdout by hash, not by a stored random draw: the same (campaign, customer) is always in the same group, on
every worker and every re-run, with nothing to store and nothing to race; a different campaign reshuffles
independently. The effect is the difference of two proportions (e.g. share retained, treated − held out)
with a 95% confidence interval from the normal approximation (Wald), written out here because statsmodels is
not a dependency; it is fine for the group sizes a retention campaign has (dozens of successes per group),
and the interval is reported so a small campaign's "uplift" is not read as a fact.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

SCALE = float(1 << 64)


def bucket(campaign: str, customer_id: int | str) -> float:
    """A uniform number in [0, 1) fixed by the pair: the first 8 bytes of SHA-256 of "campaign\\x1fcustomer"."""
    digest = hashlib.sha256(f"{campaign}\x1f{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / SCALE


def in_holdout(campaign: str, customer_id: int | str, share: float) -> bool:
    """Held out (no action) when the pair's bucket is below `share`."""
    if not 0.0 <= share <= 1.0:
        raise ValueError("share must be between 0 and 1")
    return bucket(campaign, customer_id) < share


def holdout(campaign: str, customer_ids: Iterable[int | str], share: float) -> NDArray[np.bool_]:
    return np.array([in_holdout(campaign, c, share) for c in customer_ids], dtype=bool)


@dataclass(frozen=True)
class Uplift:
    treated_rate: float
    control_rate: float
    difference: float  # treated − control
    low: float
    high: float
    confidence: float

    @property
    def significant(self) -> bool:
        """The interval excludes zero."""
        return self.low > 0 or self.high < 0


def difference(
    treated_successes: int,
    treated_n: int,
    control_successes: int,
    control_n: int,
    confidence: float = 0.95,
) -> Uplift:
    """p_t − p_c ± z·√(p_t(1−p_t)/n_t + p_c(1−p_c)/n_c), z the two-sided normal quantile of `confidence`."""
    for s, n in ((treated_successes, treated_n), (control_successes, control_n)):
        if n <= 0 or not 0 <= s <= n:
            raise ValueError("each group needs n > 0 and 0 <= successes <= n")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must be between 0 and 1")
    pt, pc = treated_successes / treated_n, control_successes / control_n
    se = math.sqrt(pt * (1 - pt) / treated_n + pc * (1 - pc) / control_n)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    d = pt - pc
    return Uplift(pt, pc, d, d - z * se, d + z * se, confidence)


SAVED_MONTHS = 12  # a kept customer's next year: the term of a renewed contract (合约期 12 个月)


@dataclass(frozen=True)
class SavedRevenue:
    """Revenue kept by the action: the retained customers it accounts for × their monthly ARPU × months."""

    customers: float  # (treated rate − holdout rate) × treated customers
    low_customers: float  # the same at the uplift's interval ends
    high_customers: float
    arpu_fen: int
    months: int
    fen: int
    low_fen: int
    high_fen: int


def saved_revenue(effect: Uplift, treated_n: int, arpu_fen: int, months: int = SAVED_MONTHS) -> SavedRevenue:
    """Why the treated count and not everyone: only the treated were acted on, and the holdout says how many
    of them would have stayed anyway; a negative figure (the action drove customers away) is kept as is."""
    if treated_n < 0 or arpu_fen < 0 or months < 0:
        raise ValueError("treated_n, arpu_fen and months must not be negative")
    kept = [d * treated_n for d in (effect.difference, effect.low, effect.high)]
    fen = [round(k * arpu_fen * months) for k in kept]
    return SavedRevenue(kept[0], kept[1], kept[2], arpu_fen, months, fen[0], fen[1], fen[2])
