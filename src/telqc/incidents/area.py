"""Is this customer, order or complaint inside an incident's affected area? The one rule, pure.

An area is a province, optionally narrowed to a city and a district (an unset city or district covers all of
them), or, when the incident lists sites (cells or broadband access points, issue 20 item 1), exactly what is
on one of those sites in its province: a cell down in a district does not affect the district's customers on
the other cells. A place is where a customer, order or complaint is (its address) and the sites it is on: the
site the order names when the agent recorded one, else the sites of the customer's current subscriptions.

Detection (`detect`), the agents' banner (`progress`), the broadcast (`broadcast`, through
`repository.customers_in`, which turns `Area` into the same condition in SQL) and bulk linking (`links`) all
decide through `covers`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


class Located(Protocol):
    """An incident or a planned work: what names an administrative area."""

    @property
    def province_code(self) -> str: ...

    @property
    def city_code(self) -> str | None: ...

    @property
    def district_code(self) -> str | None: ...


@dataclass(frozen=True)
class Area:
    province_code: str
    city_code: str | None = None
    district_code: str | None = None
    sites: frozenset[str] = frozenset()  # non-empty: match by site, the city and district no longer count


@dataclass(frozen=True)
class Place:
    province_code: str
    city_code: str | None
    district_code: str | None
    sites: frozenset[str] = frozenset()


def of(target: Located, sites: Iterable[str] = ()) -> Area:
    """The area of an incident (`sites` = its cells) or of a planned work (no sites)."""
    return Area(target.province_code, target.city_code, target.district_code, frozenset(s for s in sites if s))


def sites_of(own: str | None, subscribed: Iterable[str | None] = ()) -> frozenset[str]:
    """The sites an order or complaint is on: the one it names (the agent asked which cell or access point),
    else every site of the customer's current subscriptions (a customer may have a cell and an access point)."""
    if own:
        return frozenset((own,))
    return frozenset(s for s in subscribed if s)


def covers(area: Area, place: Place) -> bool:
    """The area contains the place: same province, then by site when the area lists sites (a place on none of
    them, or on no known site, is outside), else by city and district."""
    if area.province_code != place.province_code:
        return False
    if area.sites:
        return not area.sites.isdisjoint(place.sites)
    return area.city_code in (None, place.city_code) and area.district_code in (None, place.district_code)
