"""The per-process searcher: published articles searched through an in-memory index kept current.

Each process holds its own index (agents search while the customer waits, so it must
answer from memory); before a search it reads the newest entry of ``kb_changes`` and
applies only the articles changed since it last looked. A database it has not seen
(or one rewound) is indexed from scratch once, and that index is saved as a snapshot
under the data directory: the next process (a restart, another worker) loads it and
applies only what changed since, instead of segmenting every article again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from telqc.core.context import Ctx
from telqc.knowledge import attributes, cues, excerpts, homophones, inverted_index, learned, learning, segment, spelling
from telqc.knowledge import schemas as s
from telqc.knowledge.inverted_index import Article, Hit, KnowledgeIndex, loads
from telqc.knowledge.models import KbArticle, KbChange, KbVersion
from telqc.knowledge.segment import DATA_DIR

log = logging.getLogger(__name__)
_RESAVE_AFTER = 1000  # articles re-indexed since the snapshot before it is written again
# the code that decides what a snapshot holds
_ENGINE = (inverted_index, excerpts, spelling, homophones, attributes, cues, segment)


@dataclass
class _State:
    index: KnowledgeIndex = field(default_factory=KnowledgeIndex)
    last: tuple[int, str] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)  # held while the index changes or is saved
    since_snapshot: int = 0
    saver: threading.Thread | None = None
    learned_pending: set[str] = field(default_factory=set)  # changed since the learned model last saw them


_states: dict[str, _State] = {}


def _article(session: Session, art: KbArticle) -> Article | None:
    if art.published_version is None:
        return None
    v = session.get(KbVersion, (art.id, art.published_version))
    assert v is not None
    return Article(id=str(art.id), title=v.title, body=v.body, questions=tuple(v.questions),
                   category=art.category, tags=frozenset(art.tags),
                   audience="public" if art.audience == "public" else "internal",
                   valid_from=art.valid_from, valid_to=art.valid_to)


def _apply(session: Session, index: KnowledgeIndex, article_ids: set[int]) -> None:
    for art in session.scalars(select(KbArticle).where(KbArticle.id.in_(article_ids))):
        doc = _article(session, art)
        if doc is None:
            index.remove(str(art.id))
        else:
            index.add(doc)


def _snapshot_path(folder: Path, key: str) -> Path:
    """One file per database and segmentation setup: a changed dictionary, synonym table or engine is a new index."""
    h = hashlib.sha256(key.encode())
    for name in sorted(os.listdir(DATA_DIR)):
        h.update(name.encode() + (DATA_DIR / name).read_bytes())
    for module in _ENGINE:
        assert module.__file__ is not None
        h.update(Path(module.__file__).read_bytes())
    return folder / "kb-index" / f"{h.hexdigest()[:24]}.pickle"


def _load(path: Path | None) -> tuple[KnowledgeIndex, tuple[int, str]] | None:
    if path is None or not path.exists():
        return None
    try:
        return cast(tuple[KnowledgeIndex, tuple[int, str]], loads(path.read_bytes()))  # written by _save
    except Exception:
        log.warning("knowledge index snapshot %s unreadable; rebuilding", path, exc_info=True)
        return None


def _save(path: Path | None, index: KnowledgeIndex, last: tuple[int, str] | None) -> None:
    if path is None or last is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump((index, last), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)  # atomic: a concurrent reader sees the old or the new snapshot, never half


def _still_there(session: Session, last: tuple[int, str] | None) -> bool:
    return last is not None and session.scalar(select(KbChange.token).where(KbChange.id == last[0])) == last[1]


def _changed_since(session: Session, last: tuple[int, str]) -> set[int]:
    return set(session.scalars(select(KbChange.article_id).where(KbChange.id > last[0])))


def current_index(session: Session, snapshot_dir: Path | None = None) -> KnowledgeIndex:
    key = str(session.get_bind().engine.url)
    state = _states.setdefault(key, _State())
    newest = session.execute(select(KbChange.id, KbChange.token).order_by(KbChange.id.desc()).limit(1)).first()
    newest_t = (newest[0], newest[1]) if newest else None
    if newest_t == state.last:  # nothing changed: no lock, so a snapshot being written delays no search
        return state.index
    with state.lock:
        if newest_t == state.last:
            return state.index
        path = _snapshot_path(snapshot_dir, key) if snapshot_dir is not None else None
        if state.last is None and (snap := _load(path)) is not None and _still_there(session, snap[1]):
            state.index, state.last = snap
        if _still_there(session, state.last):
            assert state.last is not None
            changed = _changed_since(session, state.last)
            _apply(session, state.index, changed)
            state.learned_pending.update(str(i) for i in changed)
            state.since_snapshot += len(changed)
        else:
            state.index = KnowledgeIndex()
            _apply(session, state.index, set(session.scalars(
                select(KbArticle.id).where(KbArticle.published_version.is_not(None)))))
            state.since_snapshot = _RESAVE_AFTER
        state.last = newest_t
        if state.since_snapshot >= _RESAVE_AFTER and path is not None:
            state.since_snapshot = 0
            # Written by a thread that takes the lock once this request has released it: pickling 100k
            # articles takes seconds, which the request that crossed the threshold should not wait for.
            state.saver = threading.Thread(target=_save_locked, args=(state, path), name="kb-snapshot", daemon=True)
            state.saver.start()
        return state.index


def _save_locked(state: _State, path: Path) -> None:
    with state.lock:
        try:
            _save(path, state.index, state.last)
        except OSError:
            log.warning("knowledge index snapshot %s not written", path, exc_info=True)


def wait_for_snapshots() -> None:
    """Block until every snapshot being written has been written (tests; a clean shutdown)."""
    for state in list(_states.values()):
        if state.saver is not None:
            state.saver.join()


def search(ctx: Ctx, query: str, *, category: str | None = None, tags: list[str] | None = None,
           customer_facing: bool = False, limit: int = 10) -> s.SearchOut:
    idx = current_index(ctx.session, Path(ctx.settings.data_dir))
    at = ctx.now()
    model = learning.current_model(ctx.settings.data_dir)
    if model is not None:
        _sync_learned(ctx, idx, model)
    wanted = frozenset(tags or ())
    res = idx.search(query, limit=max(limit, learned.CANDIDATES) if model else limit, category=category,
                     tags=wanted, customer_facing=customer_facing, at=at)
    hits = res.hits[:limit]
    if model is not None:
        def visible(aid: str) -> bool:
            a = idx.get(aid)
            return a is not None and _visible(a, category, wanted, customer_facing, at)

        by_id = {h.id: h for h in res.hits}
        ranked = idx.settle(res.stated, learned.fuse([(h.id, h.score) for h in res.hits], model, query,
                                                allowed=visible, limit=limit))
        hits = [by_id.get(aid) or _bare_hit(idx, aid, score) for aid, score in ranked]
        hits = [replace(h, score=score) for h, (_, score) in zip(hits, ranked, strict=True)]
    return s.SearchOut(
        hits=[s.HitOut(id=int(h.id), title=h.title, snippet=h.snippet, score=round(h.score, 4),
                       category=(a.category if (a := idx.get(h.id)) else None)) for h in hits],
        total=max(res.total, len(hits)), suggestion=res.suggestion,
    )


def _sync_learned(ctx: Ctx, idx: KnowledgeIndex, model: learned.LearnedModel) -> None:
    """Articles published, edited or retired since the model was trained enter it without a refit."""
    state = _states.get(str(ctx.session.get_bind().engine.url))
    if state is None or not state.learned_pending:
        return
    with state.lock:
        for aid in sorted(state.learned_pending):
            a = idx.get(aid)
            if a is None:
                model.remove_article(aid)
            else:
                model.add_article(aid, "\n".join([a.title, *a.questions]))
        state.learned_pending.clear()


def _visible(a: Article, category: str | None, tags: frozenset[str], customer_facing: bool, at: datetime) -> bool:
    return ((not customer_facing or a.audience == "public") and (category is None or a.category == category)
            and tags <= a.tags and (a.valid_from is None or a.valid_from <= at)
            and (a.valid_to is None or at < a.valid_to))


def _bare_hit(idx: KnowledgeIndex, aid: str, score: float) -> Hit:
    """A hit found only by the learned component: no query word matched, so the snippet is the text's start."""
    a = idx.get(aid)
    assert a is not None
    return Hit(aid, score, a.title, excerpts.snippet(a.body or " ".join(a.questions) or a.title, ()), ())
