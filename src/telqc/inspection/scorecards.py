"""Scorecards stored in the database, versioned: publishing a change adds a version, never edits one.

Past inspections keep pointing at the version they were scored on, so a score can always be
explained with the items and rules in force at the time (audit, appeals). Compiled engines
are cached per version id: a version is immutable once stored.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from telqc.core.context import Ctx
from telqc.core.errors import Invalid, NotFound
from telqc.inspection import carddef
from telqc.inspection.engine import Inspector
from telqc.inspection.lexicon_files import LEXICON_DIR
from telqc.inspection.models import ScorecardVersion
from telqc.inspection.rules import DEFAULT_SCORECARD, RuleConfigError


@lru_cache(maxsize=32)
def _compiled(digest: str, definition: str) -> tuple[carddef.CardDef, Inspector]:
    card = carddef.parse(definition, LEXICON_DIR)
    return card, Inspector(card.rules)


_COMPILE_LOCK = threading.Lock()


def compiled(sc: ScorecardVersion) -> tuple[carddef.CardDef, Inspector]:
    """The validated card and its engine for a stored version (compiled once per process).

    The lock matters at start-up: a burst of live calls must not compile the automata 40 times at once.
    """
    digest = hashlib.sha256(sc.definition.encode()).hexdigest()
    with _COMPILE_LOCK:
        return _compiled(digest, sc.definition)


def ensure_default(ctx: Ctx) -> ScorecardVersion:
    """The shipped default card, stored as version 1 the first time anyone needs a scorecard."""
    text = DEFAULT_SCORECARD.read_text(encoding="utf-8")
    card = carddef.parse(text, LEXICON_DIR)
    latest = select(ScorecardVersion).where(ScorecardVersion.name == card.name) \
        .order_by(ScorecardVersion.version.desc()).limit(1)
    found = ctx.session.scalar(latest)
    if found is not None:
        return found
    sc = ScorecardVersion(name=card.name, version=1, pass_mark=card.pass_mark, definition=text, active=True,
                          created_at=ctx.now(), created_by=None)
    try:
        with ctx.session.begin_nested():  # two first requests at once: one inserts, the other reads it
            ctx.session.add(sc)
            ctx.session.flush()
    except IntegrityError:
        found = ctx.session.scalar(latest)
        assert found is not None
        return found
    ctx.audit("scorecard.published", "scorecard", sc.id, name=sc.name, version=1, source="default")
    return sc


def publish(ctx: Ctx, definition: str) -> ScorecardVersion:
    """Validate and store a new version; the previous versions of that name stop being active."""
    try:
        card = carddef.parse(definition, LEXICON_DIR)
    except RuleConfigError as exc:
        first = exc.problems[0]
        raise Invalid("qa.bad_scorecard", field="body.definition",
                      problems="; ".join(f"{w} {f}: {m}" for w, f, m in exc.problems[:10]),
                      where=first[0]) from exc
    latest = ctx.session.scalar(select(func.max(ScorecardVersion.version)).where(ScorecardVersion.name == card.name))
    for old in ctx.session.scalars(select(ScorecardVersion).where(ScorecardVersion.name == card.name,
                                                                  ScorecardVersion.active.is_(True))):
        old.active = False
    sc = ScorecardVersion(name=card.name, version=(latest or 0) + 1, pass_mark=card.pass_mark,
                          definition=definition, active=True, created_at=ctx.now(),
                          created_by=ctx.principal.user_id if ctx.principal else None)
    ctx.session.add(sc)
    ctx.session.flush()
    ctx.audit("scorecard.published", "scorecard", sc.id, name=sc.name, version=sc.version)
    return sc


def get(ctx: Ctx, scorecard_id: int) -> ScorecardVersion:
    sc = ctx.session.get(ScorecardVersion, scorecard_id)
    if sc is None:
        raise NotFound(what="w.scorecard")
    return sc


def active(ctx: Ctx, name: str | None = None) -> ScorecardVersion:
    """The active version of ``name``, or the default card when no name is given."""
    if name is None:
        return ensure_default(ctx)
    sc = ctx.session.scalar(select(ScorecardVersion).where(ScorecardVersion.name == name,
                                                           ScorecardVersion.active.is_(True))
                            .order_by(ScorecardVersion.version.desc()).limit(1))
    if sc is None:
        default = ensure_default(ctx)
        if default.name == name:
            return default
        raise NotFound(what="w.scorecard")
    return sc


def resolve(ctx: Ctx, scorecard_id: int | None) -> ScorecardVersion:
    return get(ctx, scorecard_id) if scorecard_id is not None else ensure_default(ctx)


def listing(ctx: Ctx) -> list[ScorecardVersion]:
    ensure_default(ctx)
    return list(ctx.session.scalars(select(ScorecardVersion).order_by(ScorecardVersion.name,
                                                                      ScorecardVersion.version)))
