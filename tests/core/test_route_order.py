"""The work-order routes are matched first (`telqc.api.app.HOT_API`); that must not change which route serves
any request."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.routing import Route

from telqc.api.app import HOT_API, routers
from telqc.domains import modules


def _routes(router: APIRouter) -> list[Route]:
    return [r for r in router.routes if isinstance(r, Route)]


def test_no_route_behind_the_work_order_routes_is_shadowed_by_them() -> None:
    ordered = routers()
    hot = next(m.router for m in modules("api") if m.__name__ == HOT_API)
    assert ordered[0] is hot
    hot_routes = _routes(hot)
    shadowed = [(route.path, sorted(route.methods or ()), mine.path)
                for router in ordered[1:] for route in _routes(router) for mine in hot_routes
                if mine.path_regex.match(route.path) and (mine.methods or set()) & (route.methods or set())]
    assert shadowed == []
    assert any(r.path == "/api/v1/orders/{order_id}/transition" for r in hot_routes[:6]), \
        "the write routes come before the configuration routes"
