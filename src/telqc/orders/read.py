"""What other domains may read of orders without the service: the China holiday calendar the SLA engine uses.

Workforce forecasting needs the same days off and make-up working days (调休上班) as the SLA clock, from the
same data file, so a holiday edited there moves both.
"""

from __future__ import annotations

from datetime import date

from telqc.orders.holidays import CN_HOLIDAYS


def china_days_off() -> frozenset[date]:
    """Public-holiday days off of every year in the data (provisional years included)."""
    return frozenset(d for y in CN_HOLIDAYS.values() for d in y.holidays)


def china_makeup_days() -> frozenset[date]:
    """Weekend days worked in exchange for bridge days off."""
    return frozenset(d for y in CN_HOLIDAYS.values() for d in y.makeup_days)
