"""Complaint hotspots: where the complaint rate rose significantly, and what the complaints are about.

A rise is reported only when a two-proportion z-test against the previous equal period is
significant (default α = 0.05, two-sided), so a city going from 1 to 2 complaints is not news.
Descriptions (an optional "description" in "order.created") are clustered with jieba words,
TF-IDF and k-means, each cluster named by its heaviest terms with example orders.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import jieba
from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.metrics import registry, rollup, service
from telqc.metrics.models import MetricFact

Z_CRITICAL = 1.96


def two_proportion_z(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """z and two-sided p-value for H0: p1 == p2 (pooled standard error)."""
    if n1 <= 0 or n2 <= 0:
        return 0.0, 1.0
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (x2 / n2 - x1 / n1) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


@dataclass(frozen=True)
class Rise:
    dimension: str
    value: str
    previous: float
    current: float
    previous_rate: float     # per 10,000 subscribers
    current_rate: float
    z: float
    p_value: float


def rises(ctx: Ctx, start: date, end: date, dims: tuple[str, ...] = ("category", "city"),
          z_critical: float = Z_CRITICAL) -> list[Rise]:
    """Groups whose complaint rate rose significantly against the previous equal period, biggest rise first."""
    tz = service.tz_of(ctx)
    s0 = rollup.local_midnight(start, tz)
    s1 = rollup.local_midnight(end + timedelta(days=1), tz)
    p0 = rollup.local_midnight(start - (end - start) - timedelta(days=1), tz)
    filters = service.scoped_filters(ctx, {})
    out: list[Rise] = []
    for dim in dims:
        cur = rollup.read_parts(ctx.session, ["complaints"], s0, s1, period=None, group_by=[dim], filters=filters,
                                tz=tz)
        prv = rollup.read_parts(ctx.session, ["complaints"], p0, s0, period=None, group_by=[dim], filters=filters,
                                tz=tz)
        base = service._subscribers(ctx.session, [dim] if dim in registry.SUBSCRIBER_BASE_DIMS else [], filters)
        for g in {k[1] for k in cur} | {k[1] for k in prv}:
            if g == ("",):
                continue
            n = base.get(g if dim in registry.SUBSCRIBER_BASE_DIMS else (), 0.0)
            x2 = cur.get(("all", g), {}).get("complaints", 0.0)
            x1 = prv.get(("all", g), {}).get("complaints", 0.0)
            z, p = two_proportion_z(x1, n, x2, n)
            if n > 0 and z >= z_critical:
                out.append(Rise(dim, g[0], x1, x2, x1 / n * 10_000, x2 / n * 10_000, z, p))
    return sorted(out, key=lambda r: r.current_rate - r.previous_rate, reverse=True)


@dataclass(frozen=True)
class Cluster:
    name: str                 # top terms, e.g. "信号 / 断网 / 小区"
    size: int
    terms: list[str]
    example_orders: list[int]


# Words every complaint carries whatever the problem: they must not name a cluster.
STOP_WORDS = frozenset({
    "已经", "一周", "尽快", "处理", "不满意", "满意", "要求", "希望", "客户", "用户", "反映", "投诉", "问题", "还是",
    "一直", "现在", "今天", "昨天", "最近", "非常", "什么", "没有人", "解决", "联系", "请求", "麻烦", "谢谢", "核查",
})


def _tokens(text: str) -> list[str]:
    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(text) if len(w.strip()) >= 2 and not w.strip().isdigit() and w not in STOP_WORDS]


def cluster_texts(items: list[tuple[int, str]], k: int | None = None, examples: int = 3) -> list[Cluster]:
    """Group complaint descriptions into recurring problems (largest first)."""
    items = [(i, t) for i, t in items if t and t.strip()]
    if len(items) < 4:
        return []
    # scikit-learn: 1.0 s at import (measured: python -X importtime), paid by the first clustering, not by
    # every process that serves the API
    from sklearn.cluster import KMeans  # noqa: PLC0415
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415

    vec = TfidfVectorizer(tokenizer=_tokens, lowercase=False, token_pattern=None, min_df=1)
    x = vec.fit_transform([t for _, t in items])
    k_max = max(2, min(8, round(math.sqrt(len(items) / 2))))  # rule of thumb: no more than √(n/2) problems
    km = KMeans(n_clusters=min(k, x.shape[0]), n_init=10, random_state=0).fit(x) if k else _best_kmeans(x, k_max)
    k = km.n_clusters
    terms = vec.get_feature_names_out()
    out = []
    for c in range(k):
        members = [i for i, lab in enumerate(km.labels_) if lab == c]
        if not members:
            continue
        top = [str(terms[j]) for j in km.cluster_centers_[c].argsort()[::-1][:3]]
        dist = ((x[members].toarray() - km.cluster_centers_[c]) ** 2).sum(axis=1)
        nearest = [items[members[j]][0] for j in dist.argsort()[:examples]]
        out.append(Cluster(" / ".join(top), len(members), top, nearest))
    return sorted(out, key=lambda c: c.size, reverse=True)


def _best_kmeans(x: Any, k_max: int = 8) -> Any:
    """k by silhouette: as many recurring problems as the texts really separate into."""
    from sklearn.cluster import KMeans  # scikit-learn: 1.0 s at import, see cluster_texts  # noqa: PLC0415
    from sklearn.metrics import silhouette_score  # noqa: PLC0415

    distinct = len({tuple(r.indices) for r in x})
    best, best_score = None, -1.0
    for k in range(2, max(2, min(k_max, distinct - 1)) + 1):
        km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(x)
        if len(set(km.labels_)) < 2:
            continue
        score = silhouette_score(x, km.labels_, metric="cosine")
        if score > best_score:
            best, best_score = km, score
    return best or KMeans(n_clusters=1, n_init=1, random_state=0).fit(x)


def complaint_texts(ctx: Ctx, start: date, end: date, limit: int = 5000) -> list[tuple[int, str]]:
    tz = service.tz_of(ctx)
    stmt = (select(MetricFact.order_id, MetricFact.payload)
            .where(MetricFact.kind == "order.created", MetricFact.order_type == "complaint",
                   MetricFact.at >= rollup.local_midnight(start, tz),
                   MetricFact.at < rollup.local_midnight(end + timedelta(days=1), tz)).order_by(MetricFact.id)
            .limit(limit))
    out = []
    for oid, payload in ctx.session.execute(stmt):
        text = json.loads(payload).get("description")
        if oid is not None and text:
            out.append((int(oid), str(text)))
    return out


def report(ctx: Ctx, start: date, end: date) -> dict[str, Any]:
    return {
        "from": start.isoformat(), "to": end.isoformat(),
        "rises": [r.__dict__ for r in rises(ctx, start, end)],
        "clusters": [c.__dict__ for c in cluster_texts(complaint_texts(ctx, start, end))],
    }
