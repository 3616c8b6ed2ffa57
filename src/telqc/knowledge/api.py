"""Knowledge-base routes: search, drafting and the review workflow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from telqc.api.deps import CtxDep, IdPath, if_match_version, require, set_etag
from telqc.core.rbac import Perm, Principal
from telqc.knowledge import learning, searcher, service, solutions
from telqc.knowledge import schemas as s
from telqc.knowledge.models import KbArticle

router = APIRouter(prefix="/api/v1/kb", tags=["knowledge"])


def _out(ctx: CtxDep, art: KbArticle, response: Response | None = None) -> s.ArticleOut:
    out = service.present(ctx, art)
    if response is not None:
        set_etag(response, out.version)
    return out


@router.get("/search", response_model=s.SearchOut)
def search(
    ctx: CtxDep, p: Annotated[Principal, require(None)],
    q: Annotated[str, Query(min_length=1, max_length=200)],
    category: str | None = None, tag: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> s.SearchOut:
    # Customers (self-service) see customer-facing articles only.
    return searcher.search(ctx, q, category=category, tags=tag, customer_facing=not p.can(Perm.kb_read),
                            limit=limit)


@router.post("/articles", response_model=s.ArticleOut, status_code=201)
def create(ctx: CtxDep, body: s.ArticleIn, response: Response,
           _: Annotated[Principal, require(Perm.kb_write)]) -> s.ArticleOut:
    return _out(ctx, service.create(ctx, body), response)


@router.get("/articles/{article_id}", response_model=s.ArticleOut)
def get(ctx: CtxDep, article_id: IdPath, response: Response,
        _: Annotated[Principal, require(Perm.kb_read)]) -> s.ArticleOut:
    return _out(ctx, service.get(ctx, article_id), response)


@router.put("/articles/{article_id}", response_model=s.ArticleOut)
def revise(ctx: CtxDep, article_id: IdPath, body: s.ArticleIn, response: Response,
           _: Annotated[Principal, require(Perm.kb_write)],
           if_match: Annotated[str | None, Header()] = None) -> s.ArticleOut:
    return _out(ctx, service.revise(ctx, article_id, body, if_match_version(if_match)), response)


@router.post("/articles/{article_id}/submit", response_model=s.ArticleOut)
def submit(ctx: CtxDep, article_id: IdPath, body: s.ReviewIn,
           _: Annotated[Principal, require(Perm.kb_write)]) -> s.ArticleOut:
    return _out(ctx, service.act(ctx, article_id, "submit", body.note))


@router.post("/articles/{article_id}/approve", response_model=s.ArticleOut)
def approve(ctx: CtxDep, article_id: IdPath, body: s.ReviewIn,
            _: Annotated[Principal, require(Perm.kb_publish)]) -> s.ArticleOut:
    return _out(ctx, service.act(ctx, article_id, "approve", body.note))


@router.post("/articles/{article_id}/reject", response_model=s.ArticleOut)
def reject(ctx: CtxDep, article_id: IdPath, body: s.ReviewIn,
           _: Annotated[Principal, require(Perm.kb_publish)]) -> s.ArticleOut:
    return _out(ctx, service.act(ctx, article_id, "reject", body.note))


@router.post("/articles/{article_id}/retire", response_model=s.ArticleOut)
def retire(ctx: CtxDep, article_id: IdPath, body: s.ReviewIn,
           _: Annotated[Principal, require(Perm.kb_publish)]) -> s.ArticleOut:
    return _out(ctx, service.act(ctx, article_id, "retire", body.note))


@router.get("/articles/{article_id}/history", response_model=list[s.ChangeOut])
def history(ctx: CtxDep, article_id: IdPath, _: Annotated[Principal, require(Perm.kb_write)]) -> list[object]:
    return list(service.history(ctx, article_id))


@router.post("/recommendations", response_model=s.RecommendOut)
def recommend(ctx: CtxDep, body: s.RecommendIn, _: Annotated[Principal, require(Perm.kb_read)]) -> s.RecommendOut:
    return solutions.suggest(ctx, body)


@router.post("/recommendations/choice", status_code=204)
def choose(ctx: CtxDep, body: s.ChoiceIn, _: Annotated[Principal, require(Perm.kb_read)]) -> None:
    solutions.record_choice(ctx, body)


@router.post("/feedback", status_code=204)
def feedback(ctx: CtxDep, body: s.FeedbackIn, _: Annotated[Principal, require(Perm.kb_read)]) -> None:
    """采用 / 不相关 on a suggested article in the agent's panel: evidence for the learned ranking."""
    learning.record_feedback(ctx, body)


@router.get("/solutions", response_model=list[s.SolutionDef])
def list_solutions(ctx: CtxDep, _: Annotated[Principal, require(Perm.kb_read)],
                   category: str | None = None) -> list[object]:
    return list(solutions.catalogue(ctx, category))


@router.post("/solutions", response_model=s.SolutionDef, status_code=201)
def define_solution(ctx: CtxDep, body: s.SolutionIn, _: Annotated[Principal, require(Perm.kb_publish)]) -> object:
    return solutions.define_solution(ctx, body)
