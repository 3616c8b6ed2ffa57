"""TxRoute: a route that returns a finished Response commits in its own worker thread (one hop per request);
a route that returns a model is serialized first and committed after, as before."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, field_serializer
from sqlalchemy import event, func, select

from helpers import login, make_user
from telqc.api import deps
from telqc.api.deps import CtxDep, TxRoute, require
from telqc.core.audit import AuditEntry
from telqc.core.rbac import Principal, Role

SignedIn = Annotated[Principal, require(None)]


def _mount(app, log: list[tuple[str, int]]) -> None:  # type: ignore[no-untyped-def]
    router = APIRouter(prefix="/t", route_class=TxRoute)

    class Out(BaseModel):
        n: int

        @field_serializer("n")
        def _n(self, v: int) -> int:
            log.append(("serialize", threading.get_ident()))
            return v

    @router.post("/raw")
    def raw(ctx: CtxDep, _: SignedIn) -> Response:
        ctx.audit("test.raw", "thing", 1)
        log.append(("endpoint", threading.get_ident()))
        return Response("{}", media_type="application/json")

    @router.post("/model", response_model=Out)
    def model(ctx: CtxDep, _: SignedIn) -> Out:
        ctx.audit("test.model", "thing", 2)
        log.append(("endpoint", threading.get_ident()))
        return Out(n=1)

    app.include_router(router)
    event.listen(app.state.sessionmaker, "after_commit",
                 lambda s: log.append(("commit", threading.get_ident())))


def _audited(app, action: str) -> int:  # type: ignore[no-untyped-def]
    with app.state.sessionmaker() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)) or 0)


def test_response_route_commits_in_its_own_thread_once(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    log: list[tuple[str, int]] = []
    _mount(app, log)
    make_user(app, "tx1", Role.agent)
    h = login(client, "tx1")
    assert client.get("/api/v1/auth/me", headers=h).status_code == 200  # the token is now verified
    hops: list[str] = []
    real = deps.in_thread

    async def counting(fn, *args):  # type: ignore[no-untyped-def]
        hops.append(fn.__name__)
        return await real(fn, *args)

    monkeypatch.setattr(deps, "in_thread", counting)
    log.clear()
    assert client.post("/t/raw", headers=h).status_code == 200
    commits = [t for k, t in log if k == "commit"]
    endpoint = next(t for k, t in log if k == "endpoint")
    assert commits == [endpoint], "one commit, in the endpoint's worker thread"
    assert hops == ["endpoint_then_commit"], "one hop, the endpoint's: no token lookup, no separate commit"
    assert _audited(app, "test.raw") == 1


def test_model_route_is_serialized_before_commit(app, client) -> None:  # type: ignore[no-untyped-def]
    log: list[tuple[str, int]] = []
    _mount(app, log)
    make_user(app, "tx2", Role.agent)
    h = login(client, "tx2")
    log.clear()
    r = client.post("/t/model", headers=h)
    assert r.status_code == 200 and r.json() == {"n": 1}
    kinds = [k for k, _ in log]
    assert kinds.count("commit") == 1
    assert kinds.index("serialize") < kinds.index("commit"), "a model may still read the session while serialized"
    assert _audited(app, "test.model") == 1


def test_every_api_and_page_route_is_a_txroute() -> None:
    from fastapi.routing import APIRoute

    from telqc.api.app import routers

    plain = [f"{r.path} ({r.endpoint.__module__})" for router in routers() for r in router.routes
             if isinstance(r, APIRoute) and not isinstance(r, TxRoute)]
    assert plain == [], "routers are declared with route_class=TxRoute (docs/CONTRIBUTING.md)"
