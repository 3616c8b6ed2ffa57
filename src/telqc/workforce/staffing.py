"""Agents needed per interval and channel, from forecast volumes and the channel's queue rules. Pure.

Which model where: the hotline queue uses Erlang A with the callers' mean patience (callers hang up, and
Erlang C, which assumes they never do, over-staffs it); chat channels (APP, WeChat, web) use Erlang C with
concurrency (an agent serves several chats; the chat's handle time is the time it occupies one of the
agent's slots), as chats wait on screen rather than hang up. The default target is KPI.md's 80 % in 20 s on
the hotline; chats are answered within 60 s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache

import numpy as np

from telqc.workforce.erlang import Case, Staffing, staff

INTERVAL_S = 1800


@dataclass(frozen=True)
class QueueRules:
    channel: str
    service_level_target: float = 0.8
    answer_time_s: float = 20.0
    max_occupancy: Fraction = Fraction(85, 100)
    shrinkage: Fraction = Fraction(30, 100)
    patience_s: float | None = None
    concurrency: int = 1

    @property
    def model(self) -> str:
        return "erlang_a" if self.patience_s is not None else "erlang_c"


DEFAULT_RULES: Mapping[str, QueueRules] = {
    "hotline": QueueRules("hotline", patience_s=180.0),
    "wechat": QueueRules("wechat", answer_time_s=60.0, max_occupancy=Fraction(9, 10), concurrency=3),
    "app": QueueRules("app", answer_time_s=60.0, max_occupancy=Fraction(9, 10), concurrency=3),
    "web": QueueRules("web", answer_time_s=60.0, max_occupancy=Fraction(9, 10), concurrency=3),
    "social": QueueRules("social", answer_time_s=60.0, max_occupancy=Fraction(9, 10), concurrency=2),
}


@lru_cache(maxsize=65536)
def _staff(calls_tenths: int, aht_s: int, rules: QueueRules) -> Staffing:
    """Volumes are forecast means: tenths of a call and whole seconds are finer than any count they change."""
    return staff(Case(calls=Fraction(calls_tenths, 10), interval_s=INTERVAL_S, aht_s=max(aht_s, 1),
                      service_level_target=rules.service_level_target, answer_time_s=rules.answer_time_s,
                      max_occupancy=rules.max_occupancy, shrinkage=rules.shrinkage, patience_s=rules.patience_s,
                      concurrency=rules.concurrency))


def interval(calls: float, aht_s: float, rules: QueueRules) -> Staffing:
    return _staff(round(max(calls, 0.0) * 10), round(aht_s), rules)


@dataclass(frozen=True)
class Requirement:
    agents: np.ndarray  # on the queue
    scheduled: np.ndarray  # after shrinkage: heads the roster must cover
    service_level: np.ndarray


def requirement(volumes: np.ndarray, aht_s: np.ndarray, rules: QueueRules) -> Requirement:
    """Per interval of `volumes` (any shape); `aht_s` broadcast against it."""
    aht = np.broadcast_to(aht_s, volumes.shape)
    flat = [interval(float(v), float(a), rules) for v, a in zip(volumes.reshape(-1), aht.reshape(-1), strict=True)]
    shape = volumes.shape
    return Requirement(np.array([s.agents for s in flat]).reshape(shape),
                       np.array([s.agents_scheduled for s in flat]).reshape(shape),
                       np.array([s.service_level for s in flat]).reshape(shape))


def what_if(rules: QueueRules, *, service_level_target: float | None = None, answer_time_s: float | None = None,
            shrinkage: Fraction | None = None, max_occupancy: Fraction | None = None) -> QueueRules:
    """The rules with the supervisor's changes (the what-if panel)."""
    changes: dict[str, object] = {}
    if service_level_target is not None:
        changes["service_level_target"] = service_level_target
    if answer_time_s is not None:
        changes["answer_time_s"] = answer_time_s
    if shrinkage is not None:
        changes["shrinkage"] = shrinkage
    if max_occupancy is not None:
        changes["max_occupancy"] = max_occupancy
    return replace(rules, **changes)  # type: ignore[arg-type]


def case_for(calls: float, aht_s: float, rules: QueueRules) -> Case:
    return Case(calls=Fraction(round(max(calls, 0.0) * 10), 10), interval_s=INTERVAL_S, aht_s=max(round(aht_s), 1),
                service_level_target=rules.service_level_target, answer_time_s=rules.answer_time_s,
                max_occupancy=rules.max_occupancy, shrinkage=rules.shrinkage, patience_s=rules.patience_s,
                concurrency=rules.concurrency)
