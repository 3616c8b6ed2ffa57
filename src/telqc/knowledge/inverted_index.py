"""In-memory inverted index for knowledge-base articles (知识库检索): the pure search engine.

Agents search while the customer waits on the line, so the index answers from
memory and one article can be published, edited or retired without a rebuild.
Scoring is BM25F over words (title > question variants > body) plus a weighted
BM25 over character bigrams: Chinese queries often segment differently from the
articles they should find, and bigrams still meet where words do not.
Plain data in and out, no I/O: ``searcher.py`` keeps one index per process current
with the database.
"""

from __future__ import annotations

import gc
import math
import pickle
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import numpy.typing as npt

from telqc.knowledge import attributes
from telqc.knowledge.excerpts import lead, snippet
from telqc.knowledge.homophones import Homophones
from telqc.knowledge.segment import Segmenter, char_bigrams, default, normalize
from telqc.knowledge.spelling import Spelling

Audience = Literal["internal", "public"]
FIELDS = ("title", "questions", "body")
_FIELD_WEIGHT = np.array([3.0, 2.0, 1.0], dtype=np.float64)
_FIELD_B = np.array([0.5, 0.5, 0.75], dtype=np.float64)
_K1 = 0.8  # tuned on the InsuranceQA train split (docs/BENCHMARKS.md): short queries, long answers


@dataclass(frozen=True)
class Article:
    """What the index needs of a KB article; the database row lives in the service layer."""

    id: str
    title: str
    body: str = ""
    questions: tuple[str, ...] = ()
    category: str | None = None
    tags: frozenset[str] = frozenset()
    audience: Audience = "public"
    valid_from: datetime | None = None
    valid_to: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("valid_from", "valid_to"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"Article {self.id}: {name} must be timezone-aware")
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError(f"Article {self.id}: valid_to must be after valid_from")


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    title: str
    snippet: str
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    suggestion: str | None = None
    stated: dict[str, frozenset[str]] = field(default_factory=dict)  # cluster details read in the query


@dataclass
class _Doc:
    article: Article
    terms: dict[str, tuple[int, int, int]]


def _bigrams_of(article: Article, title: str) -> Counter[str]:
    """Recomputed on removal rather than kept per article: cheap (no segmenter) and a third of the memory."""
    return Counter(char_bigrams(title) + char_bigrams(" ".join(article.questions)) + char_bigrams(article.body))


def _ts(value: datetime | None, default_: float) -> float:
    return value.timestamp() if value is not None else default_


@dataclass
class KnowledgeIndex:
    """Inverted index with incremental add/update/remove; not thread-safe for writers."""

    segmenter: Segmenter = field(default_factory=default)
    bigram_weight: float = 0.5
    synonym_weight_scale: float = 1.0
    rerank_depth: int = 20  # top candidates the attribute re-ranker looks at (0: off)
    _slots: dict[str, int] = field(default_factory=dict, init=False)
    _docs: list[_Doc | None] = field(default_factory=list, init=False)
    _free: list[int] = field(default_factory=list, init=False)
    _post: dict[str, dict[int, tuple[int, int, int]]] = field(default_factory=dict, init=False)
    _bpost: dict[str, dict[int, int]] = field(default_factory=dict, init=False)
    _compiled: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, init=False)
    _bcompiled: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, init=False)
    _spelling: Spelling = field(default_factory=Spelling, init=False)
    _homophones: Homophones = field(default_factory=Homophones, init=False)
    _categories: dict[str, int] = field(default_factory=dict, init=False)
    _len_sum: np.ndarray = field(default_factory=lambda: np.zeros(4), init=False)
    _cap: int = field(default=0, init=False)
    # Per-slot columns, grown together by _grow: field lengths (title, questions, body, bigrams), alive,
    # public, validity window (epoch seconds) and category number.
    _lens: np.ndarray = field(init=False, repr=False, compare=False)
    _alive: np.ndarray = field(init=False, repr=False, compare=False)
    _public: np.ndarray = field(init=False, repr=False, compare=False)
    _vfrom: np.ndarray = field(init=False, repr=False, compare=False)
    _vto: np.ndarray = field(init=False, repr=False, compare=False)
    _cat: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._grow(1024)

    def __getstate__(self) -> dict[str, object]:
        """Snapshot state: no segmenter (a lock and a 20 MB dictionary; loading re-attaches it), no query
        caches, and articles as plain tuples, which pickle several times faster than dataclass objects."""
        state = dict(self.__dict__)
        if state.get("segmenter") is default():
            state["segmenter"] = None
        state["_compiled"], state["_bcompiled"] = {}, {}
        names = [f.name for f in fields(Article)]
        state["_docs"] = [None if d is None else (tuple(getattr(d.article, n) for n in names), d.terms)
                          for d in self._docs]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        if state.get("segmenter") is None:
            state["segmenter"] = default()
        rows = state["_docs"]
        assert isinstance(rows, list)
        state["_docs"] = [None if r is None else _Doc(Article(*r[0]), r[1]) for r in rows]
        self.__dict__.update(state)

    def __len__(self) -> int:
        return len(self._slots)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._slots

    def get(self, article_id: str) -> Article | None:
        slot = self._slots.get(article_id)
        doc = self._docs[slot] if slot is not None else None
        return doc.article if doc else None

    def _grow(self, cap: int) -> None:
        def grow(arr: np.ndarray | None, shape: tuple[int, ...], fill: float, dtype: npt.DTypeLike) -> np.ndarray:
            new: np.ndarray = np.full(shape, fill, dtype=dtype)
            if arr is not None:
                new[: len(arr)] = arr
            return new

        old = self._cap > 0
        self._lens = grow(self._lens if old else None, (cap, 4), 0.0, np.float64)
        self._alive = grow(self._alive if old else None, (cap,), False, bool)
        self._public = grow(self._public if old else None, (cap,), False, bool)
        self._vfrom = grow(self._vfrom if old else None, (cap,), -np.inf, np.float64)
        self._vto = grow(self._vto if old else None, (cap,), np.inf, np.float64)
        self._cat = grow(self._cat if old else None, (cap,), -1, np.int32)
        self._docs.extend([None] * (cap - len(self._docs)))
        self._cap = cap

    # -- writes -------------------------------------------------------------------------------

    def add(self, article: Article) -> None:
        """Publish or replace one article; touches only that article's postings."""
        if article.id in self._slots:
            self.remove(article.id)
        seg = self.segmenter
        title = article.title or lead(article.body)
        field_terms = (
            seg.terms(title),
            [t for q in article.questions for t in seg.terms(q)],
            seg.terms(article.body),
        )
        counts = [Counter(ts) for ts in field_terms]
        terms: dict[str, tuple[int, int, int]] = {
            t: (counts[0][t], counts[1][t], counts[2][t]) for t in set().union(*counts)
        }
        bigrams = _bigrams_of(article, title)
        if not self._free and len(self._slots) >= self._cap:
            self._grow(self._cap * 2)
        # With no free slot every slot below len() is taken, so the next one is len().
        slot = self._free.pop() if self._free else len(self._slots)
        self._slots[article.id] = slot
        self._docs[slot] = _Doc(article, terms)
        lens = [len(ts) for ts in field_terms] + [sum(bigrams.values())]
        self._lens[slot] = lens
        self._len_sum += lens
        self._alive[slot] = True
        self._public[slot] = article.audience == "public"
        self._vfrom[slot] = _ts(article.valid_from, -np.inf)
        self._vto[slot] = _ts(article.valid_to, np.inf)
        if article.category is not None:
            self._cat[slot] = self._categories.setdefault(article.category, len(self._categories))
        else:
            self._cat[slot] = -1
        for term, tfs in terms.items():
            posting = self._post.get(term)
            if posting is None:
                posting = self._post[term] = {}
                self._spelling.learn(term)
                self._homophones.learn(term)
            posting[slot] = tfs
            if (arrays := self._compiled.get(term)) is not None:
                self._compiled[term] = (np.append(arrays[0], slot), np.vstack([arrays[1], tfs]))
        for bigram, tf in bigrams.items():
            self._bpost.setdefault(bigram, {})[slot] = tf
            if (barrays := self._bcompiled.get(bigram)) is not None:
                self._bcompiled[bigram] = (np.append(barrays[0], slot), np.append(barrays[1], float(tf)))

    def remove(self, article_id: str) -> bool:
        """Retire one article; returns False when it was not indexed."""
        slot = self._slots.pop(article_id, None)
        if slot is None:
            return False
        doc = self._docs[slot]
        assert doc is not None
        for term in doc.terms:
            posting = self._post[term]
            del posting[slot]
            if not posting:
                del self._post[term]
            self._drop(self._compiled, term, slot)
        for bigram in _bigrams_of(doc.article, doc.article.title or lead(doc.article.body)):
            bposting = self._bpost[bigram]
            del bposting[slot]
            if not bposting:
                del self._bpost[bigram]
            self._drop(self._bcompiled, bigram, slot)
        self._len_sum -= self._lens[slot]
        self._lens[slot] = 0.0
        self._alive[slot] = False
        self._docs[slot] = None
        self._free.append(slot)
        return True

    @staticmethod
    def _drop(compiled: dict[str, tuple[np.ndarray, np.ndarray]], key: str, slot: int) -> None:
        """Patch a compiled posting in place of rebuilding it, so an edit costs no query a rebuild."""
        arrays = compiled.get(key)
        if arrays is not None:
            keep = arrays[0] != slot
            compiled[key] = (arrays[0][keep], arrays[1][keep])

    # -- reads --------------------------------------------------------------------------------

    def _arrays(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """Postings as numpy arrays, built on a term's first query and patched on every edit."""
        cached = self._compiled.get(term)
        if cached is None:
            posting = self._post.get(term)
            if not posting:
                return None
            ids = np.fromiter(posting.keys(), dtype=np.int64, count=len(posting))
            tfs = np.array(list(posting.values()), dtype=np.float64).reshape(-1, 3)
            cached = self._compiled[term] = (ids, tfs)
        return cached

    def _barrays(self, bigram: str) -> tuple[np.ndarray, np.ndarray] | None:
        cached = self._bcompiled.get(bigram)
        if cached is None:
            posting = self._bpost.get(bigram)
            if not posting:
                return None
            ids = np.fromiter(posting.keys(), dtype=np.int64, count=len(posting))
            tfs = np.fromiter(posting.values(), dtype=np.float64, count=len(posting))
            cached = self._bcompiled[bigram] = (ids, tfs)
        return cached

    def corrected(self, query: str) -> str:
        """The normalised query with homophone typos replaced by indexed words (宽代 → 宽带)."""
        return self._homophones.correct(normalize(query), self._post, self.segmenter.tokenizer.FREQ)

    def understand(self, query: str) -> str:
        """The query as the index should read it: homophone typos replaced by indexed words, then the written
        form of each colloquial expression (猫 → 光猫, 冇网 → 断网) and of each cluster detail it states without
        naming it (才15岁 → 未成年, 改成先充值 → 预付费) appended to what was typed."""
        return self._understood(*self._read(query))[0]

    def stated(self, query: str) -> dict[str, frozenset[str]]:
        """The cluster details the query states (attributes.py): read in what was typed (corrected), where the
        order of words matters (改成 ...), and in the lexicon's written forms for details typed in no cue."""
        return self._understood(*self._read(query))[1]

    def _read(self, query: str) -> tuple[str, list[str]]:
        text = self.corrected(query)
        return text, [w for w in self.segmenter.colloquial(text) if w not in text]

    @staticmethod
    def _understood(text: str, extra: list[str]) -> tuple[str, dict[str, frozenset[str]]]:
        table = attributes.default()
        stated = table.stated(text)
        for name, values in table.stated(" ".join(extra)).items():
            stated.setdefault(name, values)
        named = [v for name, values in stated.items() if len(values) == 1 and name not in table.weak
                 for v in values if v not in text and v not in extra]
        words = [*extra, *named]
        return (" ".join([text, *words]) if words else text), stated

    def query_terms(self, query: str) -> dict[str, float]:
        """Query words with weights (typed 1.0, synonyms discounted), limited to known words."""
        weights = self.segmenter.expand(self.segmenter.terms(query))
        return {t: (w if w == 1.0 else w * self.synonym_weight_scale) for t, w in weights.items()}

    def scores(self, query: str) -> np.ndarray:
        """Unfiltered relevance for every slot (0 where nothing matched)."""
        n = max(len(self._slots), 1)
        scores = np.zeros(self._cap, dtype=np.float64)
        avg = np.maximum(self._len_sum / n, 1.0)
        for term, qw in self.query_terms(query).items():
            arrays = self._arrays(term)
            if arrays is None:
                continue
            ids, tfs = arrays
            norm = 1.0 - _FIELD_B + _FIELD_B * self._lens[ids, :3] / avg[:3]
            tf = (tfs * _FIELD_WEIGHT / norm).sum(axis=1)
            idf = math.log(1.0 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
            scores[ids] += qw * idf * tf * (_K1 + 1.0) / (tf + _K1)
        if self.bigram_weight > 0:
            for bigram, qtf in Counter(char_bigrams(query)).items():
                barrays = self._barrays(bigram)
                if barrays is None:
                    continue
                ids, btf = barrays
                norm1 = 0.25 + 0.75 * self._lens[ids, 3] / avg[3]
                idf = math.log(1.0 + (n - len(ids) + 0.5) / (len(ids) + 0.5))
                scores[ids] += self.bigram_weight * min(qtf, 2) * idf * btf * (_K1 + 1) / (btf + _K1 * norm1)
        return scores

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        category: str | None = None,
        tags: frozenset[str] | set[str] = frozenset(),
        customer_facing: bool = False,
        at: datetime | None = None,
        suggest: bool = True,
    ) -> SearchResult:
        """Ranked articles visible on the channel and valid at ``at`` (default: now).

        Customer-facing channels (app, WeChat, web self-service) see only public
        articles; agents also see internal ones. Expired or not-yet-valid articles
        are never returned, so nobody quotes a retired tariff.
        """
        at = at or datetime.now(UTC)
        if at.tzinfo is None:
            raise ValueError("search: 'at' must be timezone-aware")
        read, stated = self._understood(*self._read(query))
        scores = self.scores(read)
        now = at.timestamp()
        mask = self._alive & (scores > 0) & (self._vfrom <= now) & (now < self._vto)
        if customer_facing:
            mask &= self._public
        if category is not None:
            mask &= self._cat == self._categories.get(category, -2)
        candidates = np.nonzero(mask)[0]
        if tags:
            wanted = frozenset(tags)
            docs = self._docs
            keep = [slot for slot in candidates if (doc := docs[slot]) is not None and wanted <= doc.article.tags]
            candidates = np.array(keep, dtype=np.int64)
        total = len(candidates)
        depth = max(limit, self.rerank_depth)
        top = candidates[np.argpartition(-scores[candidates], depth - 1)[:depth]] if total > depth else candidates
        top = top[np.argsort(-scores[top], kind="stable")]
        if self.rerank_depth > 0 and stated and len(top):
            scores = self._rerank(stated, top, scores)
            top = top[np.argsort(-scores[top], kind="stable")]
        top = top[:limit]
        qterms = self.query_terms(read)
        hits = [self._hit(int(slot), float(scores[slot]), qterms) for slot in top]
        suggestion = None
        if suggest:
            fixed = self.corrected(query)  # already searched for; shown so the agent sees what was read
            suggestion = fixed if fixed != normalize(query) else self.suggest(query) if total < limit else None
        return SearchResult(hits=hits, total=total, suggestion=suggestion, stated=stated)

    def _rerank(self, stated: dict[str, frozenset[str]], top: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """Scores with the attribute factors of the ``top`` slots applied (a copy; others untouched)."""
        table = attributes.default()
        scores = scores.copy()
        for slot in top:
            doc = self._docs[int(slot)]
            assert doc is not None
            scores[slot] *= table.factor(stated, table.stated(doc.article.title))
        return scores

    def settle(self, stated: dict[str, frozenset[str]], ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """A fused ranking with each near-duplicate cluster's order decided by the details the query states
        (``SearchResult.stated``; attributes.Attributes.decide)."""
        def title(aid: str) -> str:
            a = self.get(aid)
            return a.title if a is not None else ""

        return attributes.default().decide(stated, ranked, title)

    def _hit(self, slot: int, score: float, qterms: dict[str, float]) -> Hit:
        doc = self._docs[slot]
        assert doc is not None
        matched = tuple(t for t in qterms if t in doc.terms)
        art = doc.article
        text = art.body or " ".join(art.questions) or art.title
        return Hit(art.id, score, art.title, snippet(text, matched), matched)

    def suggest(self, query: str) -> str | None:
        """'Did you mean': the query with unknown words replaced by known ones one edit away."""
        return self._spelling.suggest(self.segmenter.cut(query), self._post, self.segmenter.synonyms)


def loads(blob: bytes) -> object:
    """Unpickle a snapshot with the cyclic GC paused: millions of fresh containers would trigger it
    over and over, and none of them can be garbage yet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(blob)
    finally:
        if enabled:
            gc.enable()
