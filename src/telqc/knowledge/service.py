"""Knowledge-base rules: drafting, review and publication (draft → review → published → retired).

Only published versions are searchable; a published article being revised stays live
in its published version until the new one is approved, so agents never lose an answer
mid-edit. A reviewer may not approve their own text (four-eyes rule for what agents
read out to customers).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from telqc.core.rbac import Perm, Principal
from telqc.knowledge import schemas as s
from telqc.knowledge.models import KbArticle, KbChange, KbVersion

ALLOWED = {
    "submit": ({"draft"}, "review"),
    "approve": ({"review"}, "published"),
    "reject": ({"review"}, "draft"),
    "retire": ({"published", "draft", "review"}, "retired"),
}


def _p(ctx: Ctx) -> Principal:
    assert ctx.principal is not None
    return ctx.principal


def _change(ctx: Ctx, art: KbArticle, frm: str | None, to: str, note: str | None) -> None:
    ctx.session.add(KbChange(token=secrets.token_hex(8), article_id=art.id, at=ctx.now(),
                             actor_id=ctx.principal.user_id if ctx.principal else None,
                             from_status=frm, to_status=to, note=note))


def get(ctx: Ctx, article_id: int) -> KbArticle:
    art = ctx.session.get(KbArticle, article_id)
    if art is None or (not _p(ctx).can(Perm.kb_write) and art.published_version is None):
        raise NotFound(what="w.article")
    return art


def version_of(ctx: Ctx, art: KbArticle, number: int | None = None) -> KbVersion:
    v = ctx.session.get(KbVersion, (art.id, number or art.current_version))
    assert v is not None
    return v


def present(ctx: Ctx, art: KbArticle) -> s.ArticleOut:
    # Readers without drafting rights see the published text; authors see their working copy.
    number = art.current_version if _p(ctx).can(Perm.kb_write) else art.published_version
    v = version_of(ctx, art, number)
    return s.ArticleOut(
        id=art.id, kind=art.kind, title=v.title, body=v.body, questions=v.questions, category=art.category,
        tags=art.tags, audience=art.audience, valid_from=art.valid_from, valid_to=art.valid_to, status=art.status,
        current_version=art.current_version, published_version=art.published_version, version=art.version,
    )


def create(ctx: Ctx, data: s.ArticleIn) -> KbArticle:
    now = ctx.now()
    art = KbArticle(kind=data.kind, category=data.category, tags=data.tags, audience=data.audience,
                    valid_from=data.valid_from, valid_to=data.valid_to, status="draft", current_version=1,
                    created_by=_p(ctx).user_id, created_at=now, updated_at=now)
    ctx.session.add(art)
    ctx.session.flush()
    ctx.session.add(KbVersion(article_id=art.id, number=1, title=data.title, body=data.body,
                              questions=data.questions, author_id=_p(ctx).user_id, note=data.note, created_at=now))
    _change(ctx, art, None, "draft", data.note)
    ctx.audit("kb.created", "kb_article", art.id, title=data.title, category=data.category)
    return art


def revise(ctx: Ctx, article_id: int, data: s.ArticleIn, if_match: int | None) -> KbArticle:
    art = get(ctx, article_id)
    if if_match is not None and if_match != art.version:
        raise PreconditionFailed()
    if art.status == "retired":
        raise Conflict("error.kb_state", field="status", state=art.status)
    now = ctx.now()
    art.current_version += 1
    ctx.session.add(KbVersion(article_id=art.id, number=art.current_version, title=data.title, body=data.body,
                              questions=data.questions, author_id=_p(ctx).user_id, note=data.note, created_at=now))
    art.kind, art.category, art.tags, art.audience = data.kind, data.category, data.tags, data.audience
    art.valid_from, art.valid_to, art.updated_at = data.valid_from, data.valid_to, now
    if art.status != "draft":
        _change(ctx, art, art.status, "draft", data.note)
        art.status = "draft"
    ctx.session.flush()
    ctx.audit("kb.revised", "kb_article", art.id, version=art.current_version)
    return art


def act(ctx: Ctx, article_id: int, action: str, note: str | None = None) -> KbArticle:
    art = get(ctx, article_id)
    sources, target = ALLOWED[action]
    if art.status not in sources:
        raise Conflict("error.kb_state", field="status", state=art.status)
    if action in ("approve", "reject", "retire") and not _p(ctx).can(Perm.kb_publish):
        raise Forbidden(permission=Perm.kb_publish.value)
    if action == "approve" and version_of(ctx, art).author_id == _p(ctx).user_id:
        raise Conflict("error.kb_own_review", field="reviewer")
    before = art.status
    art.status = target
    if action == "approve":
        art.published_version = art.current_version
        art.reviewer_id = _p(ctx).user_id
    if action == "retire":
        art.published_version = None
    art.updated_at = ctx.now()
    _change(ctx, art, before, target, note)
    ctx.session.flush()
    ctx.audit(f"kb.{action}", "kb_article", art.id, before=before, after=target, note=note)
    return art


def history(ctx: Ctx, article_id: int) -> list[KbChange]:
    get(ctx, article_id)
    return list(ctx.session.scalars(select(KbChange).where(KbChange.article_id == article_id).order_by(KbChange.id)))
