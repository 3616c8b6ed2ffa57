"""Chinese tokenization for the knowledge base.

A private ``jieba.Tokenizer`` carries the telecom dictionary so that 携号转网 or
宽带续费 stay whole without changing how the rest of the process segments text.
The tokenizer is built lazily on first use and its dictionary cache lives in a
per-user temp directory, so importing this module costs nothing.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick
import jieba

DATA_DIR = Path(__file__).parent / "data"
_TOKEN_OK = re.compile(r"[\w]", re.UNICODE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def normalize(text: str) -> str:
    """Fold full-width forms and case so ＷｉＦｉ and wifi index as one term."""
    return unicodedata.normalize("NFKC", text).lower()


def _cache_dir() -> Path:
    """A writable directory for jieba's dictionary cache (saves ~1 s per process start)."""
    base = os.environ.get("TELQC_CACHE_DIR") or os.path.join(tempfile.gettempdir(), f"telqc-{os.getuid()}")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _read_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def load_synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    """Map each term to the other members of its group; groups are '/'-separated lines."""
    table: dict[str, set[str]] = {}
    for line in _read_lines(path):
        group = [normalize(t.strip()) for t in line.split("/") if t.strip()]
        for term in group:
            table.setdefault(term, set()).update(t for t in group if t != term)
    return {term: tuple(sorted(others)) for term, others in table.items()}


def load_lexicon(path: Path) -> dict[str, tuple[str, ...]]:
    """Colloquial lexicon: ``said => written [written ...]`` lines, keys and values normalised."""
    table: dict[str, tuple[str, ...]] = {}
    for lineno, line in enumerate(_read_lines(path), 1):
        said, sep, written = line.partition("=>")
        targets = tuple(normalize(t) for t in written.split())
        if not sep or not said.strip() or not targets:
            raise ValueError(f"{path.name}:{lineno}: expected 'said => written ...', got {line!r}")
        table[normalize(said.strip())] = targets
    return table


@dataclass
class Segmenter:
    """Tokenizer + stopwords + synonym table; one instance is shared per process via ``default()``."""

    dict_path: Path = DATA_DIR / "telecom_dict.txt"
    stopwords_path: Path = DATA_DIR / "stopwords.txt"
    synonyms_path: Path = DATA_DIR / "synonyms.txt"
    lexicon_path: Path = DATA_DIR / "colloquial.txt"
    _tokenizer: jieba.Tokenizer | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _stopwords: frozenset[str] = field(default=frozenset(), init=False, repr=False)
    _synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False)
    _lexicon: ahocorasick.Automaton | None = field(default=None, init=False, repr=False)

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        """Build the private tokenizer on first use (thread-safe); later calls are free."""
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    tok = jieba.Tokenizer()
                    tok.tmp_dir = str(_cache_dir())
                    tok.cache_file = "telqc.jieba.cache"
                    logging.getLogger("jieba").setLevel(logging.WARNING)
                    tok.initialize()
                    for line in _read_lines(self.dict_path):
                        word, *rest = line.split()
                        tok.add_word(normalize(word), int(rest[0]) if rest else None)
                    self._synonyms = load_synonyms(self.synonyms_path)
                    for term in self._synonyms:
                        if len(term) > 1 and tok.FREQ.get(term, 0) == 0:
                            tok.add_word(term, 1000)
                    self._stopwords = frozenset(normalize(w) for w in _read_lines(self.stopwords_path))
                    self._tokenizer = tok
        return self._tokenizer

    @property
    def stopwords(self) -> frozenset[str]:
        _ = self.tokenizer
        return self._stopwords

    def cut(self, text: str) -> list[str]:
        """Readable segmentation (longest dictionary words), for display and tests."""
        words = self.tokenizer.lcut(normalize(text), HMM=True)
        return [w for w in words if _TOKEN_OK.search(w)]

    def terms(self, text: str) -> list[str]:
        """Index terms: search-mode cut (宽带续费 also yields 宽带, 续费) minus stopwords.

        Search mode emits both the compound and its parts, so a query that segments
        differently from the document still meets it on the shared parts.
        """
        stop = self.stopwords
        out = []
        for w in self.tokenizer.cut_for_search(normalize(text), HMM=True):
            w = w.strip()
            if w and w not in stop and _TOKEN_OK.search(w):
                out.append(w)
        return out

    def colloquial(self, text: str) -> list[str]:
        """The written forms of every colloquial expression in ``text`` (normalised), in order, once each.

        One pass of an Aho-Corasick automaton over the query, whatever the size of the lexicon.
        """
        if self._lexicon is None:
            with self._lock:
                if self._lexicon is None:
                    auto = ahocorasick.Automaton()
                    for said, written in load_lexicon(self.lexicon_path).items():
                        auto.add_word(said, written)
                    auto.make_automaton()
                    self._lexicon = auto
        out: dict[str, None] = {}
        if len(self._lexicon) == 0:
            return []
        for _, written in self._lexicon.iter(text):
            out.update(dict.fromkeys(written))
        return list(out)

    def synonyms(self, term: str) -> tuple[str, ...]:
        _ = self.tokenizer
        return self._synonyms.get(term, ())

    def expand(self, terms: Iterable[str]) -> dict[str, float]:
        """Query terms with weights: 1.0 for what was typed, 0.6 for a synonym.

        The discount keeps an exact-wording article above one that only matches a synonym.
        """
        weights: dict[str, float] = {}
        for t in terms:
            weights[t] = 1.0
        for t in list(weights):
            for syn in self.synonyms(t):
                weights.setdefault(syn, 0.6)
        return weights


def char_bigrams(text: str) -> list[str]:
    """Overlapping CJK/alnum character bigrams: robust to segmentation mismatches and typos."""
    chars = [c for c in normalize(text) if _TOKEN_OK.match(c)]
    return [a + b for a, b in itertools.pairwise(chars)]


@lru_cache(maxsize=1)
def default() -> Segmenter:
    """The process-wide segmenter (lazy: nothing is loaded until the first cut)."""
    return Segmenter()
