"""Search over published articles with an in-memory index kept current per process.

Each process holds its own index (agents search while the customer waits, so it must
answer from memory); before a search it reads the newest entry of ``kb_changes`` and
applies only the articles changed since it last looked. A database it has not seen
(or one rewound) is indexed from scratch once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from telqc.core.context import Ctx
from telqc.knowledge import index as ix
from telqc.knowledge import schemas as s
from telqc.knowledge.models import KbArticle, KbChange, KbVersion


@dataclass
class _State:
    index: ix.KnowledgeIndex = field(default_factory=ix.KnowledgeIndex)
    last: tuple[int, str] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_states: dict[str, _State] = {}


def _article(session: Session, art: KbArticle) -> ix.Article | None:
    if art.published_version is None:
        return None
    v = session.get(KbVersion, (art.id, art.published_version))
    assert v is not None
    return ix.Article(id=str(art.id), title=v.title, body=v.body, questions=tuple(v.questions),
                      category=art.category, tags=frozenset(art.tags),
                      audience="public" if art.audience == "public" else "internal",
                      valid_from=art.valid_from, valid_to=art.valid_to)


def _apply(session: Session, index: ix.KnowledgeIndex, article_ids: set[int]) -> None:
    for art in session.scalars(select(KbArticle).where(KbArticle.id.in_(article_ids))):
        doc = _article(session, art)
        if doc is None:
            index.remove(str(art.id))
        else:
            index.add(doc)


def current_index(session: Session) -> ix.KnowledgeIndex:
    key = str(session.get_bind().url)
    state = _states.setdefault(key, _State())
    newest = session.execute(select(KbChange.id, KbChange.token).order_by(KbChange.id.desc()).limit(1)).first()
    newest_t = (newest[0], newest[1]) if newest else None
    with state.lock:
        if newest_t == state.last:
            return state.index
        still_there = state.last and session.scalar(
            select(KbChange.token).where(KbChange.id == state.last[0])) == state.last[1]
        if still_there:
            assert state.last is not None
            changed = set(session.scalars(select(KbChange.article_id).where(KbChange.id > state.last[0])))
            _apply(session, state.index, changed)
        else:
            state.index = ix.KnowledgeIndex()
            _apply(session, state.index, set(session.scalars(
                select(KbArticle.id).where(KbArticle.published_version.is_not(None)))))
        state.last = newest_t
        return state.index


def search(ctx: Ctx, query: str, *, category: str | None = None, tags: list[str] | None = None,
           customer_facing: bool = False, limit: int = 10) -> s.SearchOut:
    idx = current_index(ctx.session)
    res = idx.search(query, limit=limit, category=category, tags=frozenset(tags or ()),
                     customer_facing=customer_facing, at=ctx.now())
    return s.SearchOut(
        hits=[s.HitOut(id=int(h.id), title=h.title, snippet=h.snippet, score=round(h.score, 4),
                       category=(a.category if (a := idx.get(h.id)) else None)) for h in res.hits],
        total=res.total, suggestion=res.suggestion,
    )
