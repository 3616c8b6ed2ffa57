"""Training the learned checks (:mod:`telqc.inspection.learned`) from their shipped utterance files.

``models/<name>.tsv`` holds ``label<TAB>utterance`` lines written and labelled by hand. Training
is deterministic (liblinear-free L2 logistic regression, lbfgs), keeps the ``keep`` n-grams with
the largest weights and refits on exactly those, so the shipped table *is* the model the engine
evaluates. ``telqc inspect train NAME`` rewrites ``models/<name>.json``; a test checks that the
shipped JSON is what the TSV trains to. scikit-learn is needed here only, never at run time.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from telqc.inspection.learned import MODEL_DIR, TextModel

# Chosen by measurement (docs/BENCHMARKS.md, issue 19): n-grams of 1–3 characters, C, kept features.
SETTINGS: dict[str, dict[str, float]] = {
    "anger": {"max_n": 3, "c": 1.0, "keep": 1500, "threshold": 0.7},
    "forbidden": {"max_n": 3, "c": 4.0, "keep": 1200, "threshold": 0.7},
}


def read_tsv(path: Path) -> list[tuple[int, str]]:
    rows = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        label, sep, text = raw.partition("\t")
        if not sep or label not in ("0", "1") or not text.strip():
            raise ValueError(f"{path.name}:{n}: expected '0|1<TAB>utterance'")
        rows.append((int(label), text.strip()))
    return rows


def _grams(max_n: int) -> object:
    def grams(text: str) -> list[str]:
        return sorted({text[i : i + n] for n in range(1, max_n + 1) for i in range(len(text) - n + 1)})

    return grams


def train(name: str, rows: Iterable[tuple[int, str]], max_n: int = 3, c: float = 4.0, keep: int = 1500,
          threshold: float = 0.5) -> TextModel:
    labels, texts = zip(*rows, strict=True)
    y = np.array(labels)
    vec = CountVectorizer(analyzer=_grams(max_n), binary=True)
    x = vec.fit_transform(texts)
    first = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, y)
    vocab = vec.get_feature_names_out()
    order = np.argsort(-np.abs(first.coef_[0]), kind="stable")[:keep]
    kept = sorted(str(vocab[i]) for i in order)
    vec = CountVectorizer(analyzer=_grams(max_n), binary=True, vocabulary=kept)
    x = vec.transform(texts)
    clf = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, y)
    weights = {g: round(float(w), 5) for g, w in zip(kept, clf.coef_[0], strict=True) if abs(w) >= 1e-4}
    return TextModel(name, round(float(clf.intercept_[0]), 5), weights, threshold, max_n)


def train_shipped(name: str, folder: Path = MODEL_DIR) -> TextModel:
    opts = SETTINGS[name]
    return train(name, read_tsv(folder / f"{name}.tsv"), max_n=int(opts["max_n"]), c=opts["c"],
                 keep=int(opts["keep"]), threshold=opts["threshold"])
