"""Mass-complaint detection (批量投诉, KPI.md: ≥ N complaints of one category in one area within M minutes).

Pure logic: the rule table (most specific rule wins: category × area type, then category, then area type,
then the default) and the sliding window over one area × category's arrivals. `service`/`detect` apply it to
the complaints as their `order.created` events arrive, counting in the database under a per-key lock; this
module is the specification both follow, tested directly and with Hypothesis.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

WATCHED = ("complaint.network", "complaint.technical", "repair.mobile", "repair.broadband", "repair.iptv")
"""Order categories a network fault produces; others never count toward a burst."""


@dataclass(frozen=True)
class Rule:
    threshold: int = 10
    window: timedelta = timedelta(minutes=30)
    confirm_threshold: int = 20
    category: str | None = None
    area_type: str | None = None


DEFAULT_RULE = Rule()


@dataclass(frozen=True)
class RuleTable:
    rules: tuple[Rule, ...] = ()

    def match(self, category: str, area_type: str) -> Rule:
        best, score = DEFAULT_RULE, -1
        for r in self.rules:
            if r.category not in (None, category) or r.area_type not in (None, area_type):
                continue
            s = (2 if r.category is not None else 0) + (1 if r.area_type is not None else 0)
            if s > score:
                best, score = r, s
        return best


def count_in_window(arrivals: Sequence[datetime], at: datetime, window: timedelta) -> int:
    """Complaints in (at − window, at]: the window the complaint arriving at `at` closes."""
    return sum(1 for t in arrivals if at - window < t <= at)


class Window:
    """One area × category: `observe` each arrival in time order; True when it crosses the threshold while no
    incident is open. An incident stays open while complaints keep arriving (the open incident absorbs them,
    as `service` links them); after a full window with no complaint the next burst is a new incident."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self._times: deque[datetime] = deque()
        self._open = False
        self._last: datetime | None = None

    def observe(self, at: datetime) -> bool:
        if self._last is not None and at - self._last >= self.rule.window:
            self._open = False
        self._last = at
        self._times.append(at)
        while self._times and self._times[0] <= at - self.rule.window:
            self._times.popleft()
        if not self._open and len(self._times) >= self.rule.threshold:
            self._open = True
            return True
        return False


def detections(arrivals: Iterable[datetime], rule: Rule) -> list[int]:
    """Indexes of the arrivals (sorted) that propose an incident."""
    w = Window(rule)
    return [i for i, t in enumerate(arrivals) if w.observe(t)]
