"""Churn risk: a logistic regression on the profile features, trained on earlier months and judged on later
ones, with reason codes in Chinese for every scored customer (issue 23 §4).

Why this model: its log-odds are a sum of one term per feature, so a customer's reasons are exactly the terms
that raise their risk above the average customer's (no approximation to explain), and it is fit by log loss,
so its probabilities are calibrated where the features are linear in the log-odds; the calibration table on
the held-out months is the check. Why a time split: a model is used on the months after it was trained, so a
random split of customer-months would let it learn the same customers' future and overstate the AUC.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from telqc.core.i18n import DEFAULT
from telqc.insight import scores
from telqc.insight.features import FEATURES, training_rows
from telqc.insight.synth import WARMUP, Panel

KIND = "logistic"
PARAMS = {"C": 1.0, "max_iter": 500}
# Levels (plan price, spend, data volume, tenure in months) describe the customer and feed the plan
# recommendation; they are left out of the model because they move together (correlation 0.8–0.9) and a
# linear model splits their weight arbitrarily between them, which would turn "套餐月费 59 元" into a reason.
MODEL_FEATURES = tuple(f for f in FEATURES if f not in ("tenure_months", "plan_price", "arpu_3m", "data_3m"))
COLUMNS = np.array([FEATURES.index(f) for f in MODEL_FEATURES])
REASON_FLOOR = 0.1  # a term below this many log-odds above average is not worth telling an agent

REASONS = scores.REASONS  # the message of each reason an agent reads

# The reason's name in a summary ("常见原因").
LABELS: dict[str, str] = {
    "arpu_drop": "消费下降",
    "usage_drop": "流量下降",
    "complaints_30d": "近30天投诉",
    "complaints_90d": "近90天投诉",
    "repeat_complaints_30d": "近30天重复投诉",
    "unresolved_orders": "工单未解决",
    "overdue_bills": "欠费",
    "nps_gap": "满意度低分",
    "contract_expiring": "合约到期",
    "new_customer": "新入网",
    "port_out_requests": "申请携号转网",
}


@dataclass(frozen=True)
class Model:
    pipeline: Pipeline
    version: str
    train_months: tuple[int, int]  # first and last feature month trained on
    rows: int

    def score(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probability of leaving next month."""
        return np.asarray(self.pipeline.predict_proba(x[:, COLUMNS])[:, 1], dtype=np.float64)

    def contributions(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """(n, len(FEATURES)) each feature's term of the log-odds relative to the average training customer
        (zero for the average customer, and for the features the model leaves out)."""
        scaler: StandardScaler = self.pipeline.named_steps["scale"]
        lr: LogisticRegression = self.pipeline.named_steps["lr"]
        out = np.zeros(x.shape, dtype=np.float64)
        out[:, COLUMNS] = (x[:, COLUMNS] - scaler.mean_) / scaler.scale_ * lr.coef_[0]
        return out

    def reasons(self, x: NDArray[np.float64], top: int = 3) -> NDArray[np.int64]:
        """(n, top) feature indices of the largest terms raising each customer's risk, -1 where fewer qualify."""
        c = self.contributions(x)
        k = min(top, c.shape[1])
        idx = np.argpartition(-c, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(c, idx, axis=1)
        order = np.argsort(-vals, axis=1)
        idx, vals = np.take_along_axis(idx, order, axis=1), np.take_along_axis(vals, order, axis=1)
        return np.where(vals > REASON_FLOOR, idx, -1).astype(np.int64)


def reason_text(feature: int | str, value: float, lang: str = DEFAULT) -> str:
    """A reason in the reader's language, from the feature (index or name) and the customer's value."""
    return scores.reason_text(FEATURES[feature] if isinstance(feature, int) else feature, value, lang)


def explain(model: Model, x: NDArray[np.float64], top: int = 3) -> list[list[str]]:
    """The reason texts per customer (for a page or an API answer: a few customers, not a million)."""
    codes = model.reasons(x, top)
    return [[reason_text(int(j), float(x[i, j])) for j in row if j >= 0] for i, row in enumerate(codes)]


def version(train_months: tuple[int, int], rows: int) -> str:
    """Same parameters, features and training window, same version: the stored score says which model."""
    key = json.dumps(
        {"kind": KIND, "params": PARAMS, "features": MODEL_FEATURES, "months": train_months, "rows": rows},
        sort_keys=True,
    )
    return f"churn-{KIND}-m{train_months[0]}-m{train_months[1]}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def train(x: NDArray[np.float64], y: NDArray[np.bool_], train_months: tuple[int, int]) -> Model:
    pipe = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(**PARAMS))])
    pipe.fit(x[:, COLUMNS], y)
    return Model(pipe, version(train_months, int(x.shape[0])), train_months, int(x.shape[0]))


@dataclass(frozen=True)
class CalibrationBin:
    low: float  # predicted probability range of the bin
    high: float
    n: int
    predicted: float  # mean predicted probability
    observed: float  # share that left


def calibration(y: NDArray[np.bool_], p: NDArray[np.float64], bins: int = 10) -> list[CalibrationBin]:
    """Bins of equal size by predicted risk (deciles: churn is rare, fixed-width bins above 0.2 would be empty)."""
    order = np.argsort(p, kind="stable")
    out = []
    for part in np.array_split(order, bins):
        if part.size:
            out.append(
                CalibrationBin(
                    float(p[part].min()),
                    float(p[part].max()),
                    int(part.size),
                    float(p[part].mean()),
                    float(y[part].mean()),
                )
            )
    return out


@dataclass(frozen=True)
class Evaluation:
    version: str
    train_months: tuple[int, int]
    test_months: tuple[int, int]
    train_rows: int
    test_rows: int
    base_rate: float  # share leaving in the test months
    auc: float
    brier: float
    brier_base: float  # Brier score of predicting the training base rate for everyone (the bar to beat)
    calibration: list[CalibrationBin]
    top_reasons: list[tuple[str, int]]  # reasons given in the test months, most frequent first


def evaluate(p: Panel, test_months: int = 3) -> Evaluation:
    """Train on the labelled months before the last `test_months`, score those, and report."""
    first, last = WARMUP, p.months - 1
    split = last - test_months + 1
    if split <= first:
        raise ValueError(f"{p.months} months leave no training month before {test_months} test months")
    x_tr, y_tr, _ = training_rows(p, range(first, split))
    x_te, y_te, _ = training_rows(p, range(split, last + 1))
    model = train(x_tr, y_tr, (first, split - 1))
    prob = model.score(x_te)
    codes = model.reasons(x_te)
    counts = np.bincount(codes[codes >= 0], minlength=len(FEATURES))
    top = sorted(((FEATURES[i], int(c)) for i, c in enumerate(counts) if c), key=lambda r: -r[1])
    return Evaluation(
        version=model.version,
        train_months=(first, split - 1),
        test_months=(split, last),
        train_rows=int(y_tr.size),
        test_rows=int(y_te.size),
        base_rate=float(y_te.mean()),
        auc=float(roc_auc_score(y_te, prob)),
        brier=float(brier_score_loss(y_te, prob)),
        brier_base=float(brier_score_loss(y_te, np.full(y_te.size, y_tr.mean()))),
        calibration=calibration(y_te, prob),
        top_reasons=top,
    )


def to_params(model: Model) -> dict[str, list[float] | float | list[str]]:
    """The fitted numbers of a model, as JSON stores them (`InsightChurnModel.params`)."""
    scaler: StandardScaler = model.pipeline.named_steps["scale"]
    lr: LogisticRegression = model.pipeline.named_steps["lr"]
    return {"features": list(MODEL_FEATURES), "mean": [float(v) for v in scaler.mean_],
            "scale": [float(v) for v in scaler.scale_], "coef": [float(v) for v in lr.coef_[0]],
            "intercept": float(lr.intercept_[0])}


def from_params(params: dict[str, list[float] | float | list[str]], version: str,
                train_months: tuple[int, int], rows: int) -> Model:
    """The model stored by `to_params`, fitted as it was; one stored for other features is refused (ValueError),
    never scored with columns it was not trained on."""
    if list(params["features"]) != list(MODEL_FEATURES):  # type: ignore[arg-type]
        raise ValueError(f"model {version} was trained on other features: {params['features']}")
    mean, scale = np.asarray(params["mean"], dtype=np.float64), np.asarray(params["scale"], dtype=np.float64)
    scaler = StandardScaler()
    scaler.mean_, scaler.scale_, scaler.var_ = mean, scale, scale**2
    scaler.n_features_in_, scaler.n_samples_seen_ = mean.shape[0], rows
    lr = LogisticRegression(**PARAMS)
    lr.coef_ = np.asarray([params["coef"]], dtype=np.float64)
    lr.intercept_ = np.asarray([params["intercept"]], dtype=np.float64)
    lr.classes_ = np.array([False, True])
    lr.n_features_in_ = mean.shape[0]
    return Model(Pipeline([("scale", scaler), ("lr", lr)]), version, train_months, rows)
