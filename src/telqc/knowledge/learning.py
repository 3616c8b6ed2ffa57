"""Learning from use: agents' verdicts on suggested articles, the training set they make, and the saved model.

Evidence the learned component (learned.py) is trained on:
- every published article's title and question variants;
- an article adopted (采用) on an order, with the order's description when it was resolved (``kb_cases``)
  or else the text the agent searched with: +1, decaying with age;
- an article marked 不相关 (rejected): -1 in its prior, decaying the same way.

``retrain`` fits the model and saves it under the data directory (``kb-model/model-v<version>.pickle``);
the searcher loads the newest file and re-reads it when it changes (``telqc kb train``, nightly job).
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.knowledge import schemas as s
from telqc.knowledge.learned import MODEL_VERSION, Example, LearnedModel
from telqc.knowledge.models import KbArticle, KbCase, KbFeedback, KbVersion

log = logging.getLogger(__name__)
_loaded: dict[str, tuple[float, LearnedModel]] = {}


def record_feedback(ctx: Ctx, data: s.FeedbackIn) -> KbFeedback:
    art = ctx.session.get(KbArticle, data.article_id)
    if art is None or art.published_version is None:
        raise Invalid("error.not_found", field="body.article_id", what="w.article")
    fb = KbFeedback(article_id=data.article_id, order_id=data.order_id, query=data.query, verdict=data.verdict,
                    rank=data.rank, by_id=ctx.principal.user_id if ctx.principal else None, at=ctx.now())
    ctx.session.add(fb)
    ctx.session.flush()
    ctx.audit(f"kb.suggestion_{data.verdict}", "kb_article", data.article_id, order=data.order_id, rank=data.rank)
    return fb


def training_data(ctx: Ctx) -> tuple[dict[str, str], list[Example]]:
    articles: dict[str, str] = {}
    for art, v in ctx.session.execute(
        select(KbArticle, KbVersion).join(KbVersion, (KbVersion.article_id == KbArticle.id)
                                          & (KbVersion.number == KbArticle.published_version))
    ):
        articles[str(art.id)] = "\n".join([v.title, *v.questions])
    examples: list[Example] = []
    for fb, case_text in ctx.session.execute(
        select(KbFeedback, KbCase.description).outerjoin(KbCase, KbCase.order_id == KbFeedback.order_id)
        .order_by(KbFeedback.id)
    ):
        examples.append(Example(text=case_text or fb.query, article_id=str(fb.article_id), at=fb.at,
                                weight=1.0 if fb.verdict == "adopted" else -1.0))
    return articles, examples


def model_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / "kb-model" / f"model-v{MODEL_VERSION}.pickle"


def retrain(ctx: Ctx, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    progress("reading articles and feedback …")
    articles, examples = training_data(ctx)
    progress(f"fitting on {len(articles)} article(s) and {len(examples)} piece(s) of evidence …")
    model = LearnedModel()
    model.fit(articles, examples, now=ctx.now())
    path = model_path(ctx.settings.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)
    progress(f"saved {path}")
    ctx.audit("kb.model_trained", "kb_model", MODEL_VERSION, articles=len(articles), examples=model.examples_used)
    return {"version": MODEL_VERSION, "articles": len(articles), "examples": model.examples_used, "path": str(path)}


def current_model(data_dir: str | Path) -> LearnedModel | None:
    """The saved model (re-read when the file changes), or None before the first training."""
    path = model_path(data_dir)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    key = str(path)
    cached = _loaded.get(key)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        model = cast(LearnedModel, pickle.loads(path.read_bytes()))  # written by retrain
    except Exception:
        log.warning("learned knowledge model %s unreadable; searching without it", path, exc_info=True)
        return None
    if getattr(model, "version", None) != MODEL_VERSION:
        return None
    _loaded[key] = (mtime, model)
    return model
