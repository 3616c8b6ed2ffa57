"""The affected-area rule (`incidents.area`), Hypothesis: an incident listing sites covers exactly what is on
one of them in its province, whatever the address; an administrative area ignores sites and a narrower one
never covers more."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.incidents import area

_PROV = st.sampled_from(["440000", "330000"])
_CITY = st.sampled_from([None, "440100", "440300"])
_DIST = st.sampled_from([None, "440104", "440106"])
_SITES = st.frozensets(st.sampled_from(["CELL-1", "CELL-2", "OLT-7/3", "OLT-9/1"]), max_size=3)


@st.composite
def places(draw: st.DrawFn) -> area.Place:
    return area.Place(draw(_PROV), draw(_CITY), draw(_DIST), draw(_SITES))


@st.composite
def areas(draw: st.DrawFn) -> area.Area:
    return area.Area(draw(_PROV), draw(_CITY), draw(_DIST), draw(_SITES))


@given(areas(), places())
@settings(max_examples=400, deadline=None)
def test_a_site_listed_area_covers_exactly_the_places_on_its_sites(a: area.Area, p: area.Place) -> None:
    if not a.sites:
        return
    assert area.covers(a, p) == (p.province_code == a.province_code and bool(a.sites & p.sites))
    # the address does not count: the same place at any other city / district is decided the same way
    moved = area.Place(p.province_code, "440300", None, p.sites)
    assert area.covers(a, moved) == area.covers(a, p)
    # a neighbour in the same district on none of the sites is outside
    assert not area.covers(a, area.Place(p.province_code, p.city_code, p.district_code, frozenset({"CELL-OTHER"})))


@given(areas(), places(), _SITES)
@settings(max_examples=400, deadline=None)
def test_an_administrative_area_ignores_sites_and_narrowing_never_covers_more(a: area.Area, p: area.Place,
                                                                              other: frozenset[str]) -> None:
    admin = area.Area(a.province_code, a.city_code, a.district_code)
    assert area.covers(admin, p) == area.covers(admin, area.Place(p.province_code, p.city_code, p.district_code,
                                                                  other))
    wider = area.Area(a.province_code, a.city_code, None)
    assert not area.covers(admin, p) or area.covers(wider, p)
    assert area.covers(area.Area(p.province_code), p)  # a whole province covers all of it
    assert area.covers(admin, p) == (p.province_code == a.province_code and a.city_code in (None, p.city_code)
                                     and a.district_code in (None, p.district_code))


@given(areas(), places(), _SITES)
@settings(max_examples=300, deadline=None)
def test_more_sites_on_a_place_never_take_it_out(a: area.Area, p: area.Place, more: frozenset[str]) -> None:
    bigger = area.Place(p.province_code, p.city_code, p.district_code, p.sites | more)
    assert not area.covers(a, p) or area.covers(a, bigger)


@given(st.one_of(st.none(), st.sampled_from(["CELL-1", ""])), st.lists(st.one_of(st.none(), st.sampled_from(
    ["CELL-2", "OLT-7/3"]))))
def test_the_orders_own_site_wins_over_the_subscriptions(own: str | None, subscribed: list[str | None]) -> None:
    got = area.sites_of(own, subscribed)
    assert got == (frozenset({own}) if own else frozenset(s for s in subscribed if s))
