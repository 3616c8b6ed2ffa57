"""What a caller sees of the request's unit of work (`telqc.api.deps.open_ctx`): a route's writes commit
when it succeeds and vanish when it fails, the answer is sent only after the commit, and events are relayed
only after a commit, never after a rollback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import func, select

from helpers import login, make_user
from telqc.api.deps import CtxDep, require, run_and_commit
from telqc.core import audit, events
from telqc.core.context import Ctx
from telqc.core.errors import Conflict
from telqc.core.events import OutboxEvent
from telqc.core.models import Team
from telqc.core.rbac import Principal, Role

SignedIn = Annotated[Principal, require(None)]


class Out(BaseModel):
    team: str


@pytest.fixture
def routes(app: FastAPI) -> Iterator[list[tuple[str, bool]]]:
    """A few routes that write a team (an ORM row), an audit entry and an event, then succeed or fail."""
    router = APIRouter(prefix="/t")

    def write(ctx: Ctx, name: str) -> Team:
        team = Team(name=name, province_code="440000")
        ctx.session.add(team)
        ctx.session.flush()
        ctx.audit("test.team_written", "team", team.id, name=name)
        events.emit(ctx, "test.team_written", "team", team.id, name=name)
        return team

    @router.post("/ok", response_model=Out)
    def ok(ctx: CtxDep, _: SignedIn) -> Out:
        return Out(team=write(ctx, "t-ok").name)

    @router.post("/fails")
    def fails(ctx: CtxDep, _: SignedIn) -> None:
        write(ctx, "t-fails")
        raise Conflict()

    @router.post("/persists")
    def persists(ctx: CtxDep, _: SignedIn) -> None:
        write(ctx, "t-persists")
        raise Conflict(persist=True)

    @router.post("/commit-fails")
    def commit_fails(ctx: CtxDep, _: SignedIn) -> dict[str, str]:
        write(ctx, "t-commit-fails")
        # two rows with one primary key: the commit's INSERT of the collected rows fails
        row = {"event_id": 1, "handler": "t.dup", "at": ctx.now()}
        ctx.uow.add(events.EventDelivery.__table__, row)
        ctx.uow.add(events.EventDelivery.__table__, row)
        return {"status": "looks fine"}

    @router.post("/one-hop", response_model=Out)
    async def one_hop(request: Request, ctx: CtxDep, _: SignedIn) -> Out:
        return await run_and_commit(request, ctx, lambda: Out(team=write(ctx, "t-one-hop").name))

    @router.post("/one-hop-fails")
    async def one_hop_fails(request: Request, ctx: CtxDep, _: SignedIn) -> None:
        def work() -> None:
            write(ctx, "t-one-hop-fails")
            raise Conflict()

        await run_and_commit(request, ctx, work)

    app.include_router(router)
    seen: list[tuple[str, bool]] = []

    def handler(ctx: Ctx, event: events.Event) -> None:
        # runs after the commit: the team the event names is there to read
        seen.append((event.payload["name"], ctx.session.get(Team, int(event.entity_id)) is not None))

    events.subscribe("test.team_written")(handler)
    yield seen
    events._handlers[:] = [h for h in events._handlers if h[2] is not handler]


def _stored(app: FastAPI, name: str) -> tuple[int, int, int]:
    """(teams, audit entries, outbox events) of `name`."""
    with app.state.sessionmaker() as s:
        audit.chain_all(s)
        teams = s.scalar(select(func.count()).select_from(Team).where(Team.name == name))
        entries = s.scalar(select(func.count()).select_from(audit.AuditEntry)
                           .where(audit.AuditEntry.action == "test.team_written",
                                  audit.AuditEntry.data.contains(name)))
        outbox = s.scalar(select(func.count()).select_from(OutboxEvent)
                          .where(OutboxEvent.type == "test.team_written", OutboxEvent.payload.contains(name)))
    return int(teams or 0), int(entries or 0), int(outbox or 0)


def test_a_route_that_succeeds_commits_and_then_its_events_are_relayed(app: FastAPI, client: TestClient,
                                                                       routes: list[tuple[str, bool]]) -> None:
    make_user(app, "rt1", Role.agent)
    r = client.post("/t/ok", headers=login(client, "rt1"))
    assert r.status_code == 200 and r.json() == {"team": "t-ok"}
    assert _stored(app, "t-ok") == (1, 1, 1)
    assert routes == [("t-ok", True)], "relayed after the commit: the handler reads the committed team"


def test_a_route_that_fails_writes_nothing_and_sends_nothing(app: FastAPI, client: TestClient,
                                                             routes: list[tuple[str, bool]]) -> None:
    make_user(app, "rt2", Role.agent)
    r = client.post("/t/fails", headers=login(client, "rt2"))
    assert r.status_code == 409
    assert _stored(app, "t-fails") == (0, 0, 0)
    assert routes == []


def test_an_error_that_must_persist_commits_before_it_answers(app: FastAPI, client: TestClient,
                                                              routes: list[tuple[str, bool]]) -> None:
    make_user(app, "rt3", Role.agent)
    r = client.post("/t/persists", headers=login(client, "rt3"))
    assert r.status_code == 409
    assert _stored(app, "t-persists") == (1, 1, 1)
    assert routes == [("t-persists", True)]


def test_an_answer_is_sent_only_after_its_commit(app: FastAPI, client: TestClient,
                                                 routes: list[tuple[str, bool]]) -> None:
    """The route returned, but its commit failed: the caller gets an error, not the route's answer, and
    nothing of the request is stored or relayed."""
    make_user(app, "rt4", Role.agent)
    r = client.post("/t/commit-fails", headers=login(client, "rt4"))
    assert r.status_code == 500 and "looks fine" not in r.text
    assert _stored(app, "t-commit-fails") == (0, 0, 0)
    assert routes == []


def test_an_async_route_commits_its_work_in_one_hop_or_rolls_it_back(app: FastAPI, client: TestClient,
                                                                      routes: list[tuple[str, bool]]) -> None:
    """`run_and_commit`: the work and the commit in one worker thread; `open_ctx` has nothing left to do after
    a success, and rolls back the failing route's work like any other."""
    make_user(app, "rt5", Role.agent)
    h = login(client, "rt5")
    r = client.post("/t/one-hop", headers=h)
    assert r.status_code == 200 and r.json() == {"team": "t-one-hop"}
    assert _stored(app, "t-one-hop") == (1, 1, 1)
    assert client.post("/t/one-hop-fails", headers=h).status_code == 409
    assert _stored(app, "t-one-hop-fails") == (0, 0, 0)
    assert routes == [("t-one-hop", True)]
