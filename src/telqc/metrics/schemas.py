"""Metrics query parameters shared by the API, the pages and the CLI."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import Query
from pydantic import StringConstraints

from telqc.core.context import Ctx
from telqc.metrics import service

Period = Literal["hour", "day", "week", "month"]
Digits = Annotated[str, StringConstraints(pattern=r"^\d{1,18}$")]
"""A team or agent id as a filter value: the pattern applies to each repeated value (a pattern on the list itself
was a 500 for every value, issue 17)."""
Dim = Literal["channel", "province", "city", "area_type", "team", "agent", "category", "tier"]


def filters_from(channel: list[str] | None = None, province: list[str] | None = None, city: list[str] | None = None,
                 area_type: list[str] | None = None, team: list[str] | None = None, agent: list[str] | None = None,
                 category: list[str] | None = None, tier: list[str] | None = None) -> dict[str, list[str]]:
    given = {"channel": channel, "province": province, "city": city, "area_type": area_type, "team": team,
             "agent": agent, "category": category, "tier": tier}
    return {k: v for k, v in given.items() if v}


class FilterParams:
    """The dimension filters as repeated query parameters (?city=440100&city=440300)."""

    def __init__(
        self,
        channel: Annotated[list[str] | None, Query()] = None, province: Annotated[list[str] | None, Query()] = None,
        city: Annotated[list[str] | None, Query()] = None, area_type: Annotated[list[str] | None, Query()] = None,
        team: Annotated[list[Digits] | None, Query()] = None,
        agent: Annotated[list[Digits] | None, Query()] = None,
        category: Annotated[list[str] | None, Query()] = None, tier: Annotated[list[str] | None, Query()] = None,
    ) -> None:
        self.filters = filters_from(channel, province, city, area_type, team, agent, category, tier)


def default_range(ctx: Ctx, start: date | None, end: date | None) -> tuple[date, date]:
    today = service.local_today(ctx)
    end = end or today
    return start or end - timedelta(days=29), end
