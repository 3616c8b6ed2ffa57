"""Agent evaluation arithmetic: components normalised to 0–100, weighted, gated, graded and ranked by team.

The handbook evaluates agents on service quality, professional knowledge, customer satisfaction, efficiency and
volume (操作流程 六.1; 管理规范手册 2.3.1, 6.3.4), rewards the best and helps the weakest. Each component says how
its raw value becomes points, so an agent can follow their grade from the numbers:

- ``target``: against the KPI's target — ``100 × value / target`` when higher is better, ``100 × target / value``
  when lower is better, capped at 100 (meeting the target earns full points, beating it earns no more).
- ``percentile``: against the agent's own team — the share of teammates with a worse value, ties counting half
  (mid-rank), × 100. For volume, where no target is fair across channels.

A component without data for an agent (no surveys answered, say) is left out and the other weights are scaled
up to the same total, so a missing survey neither helps nor hurts. A gate caps the total (a fatal QA item in the
period caps the grade at the gate's grade however good the rest). Ranks within a team use competition ranking:
equal totals share a rank and the next rank skips (1, 2, 2, 4).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

NORMALISATIONS = ("target", "percentile")


@dataclass(frozen=True)
class Component:
    key: str            # the KPI name in the metrics registry
    weight: float
    normalise: str      # target | percentile
    direction: str      # higher | lower
    target: float | None = None


@dataclass(frozen=True)
class Gate:
    key: str            # a KPI; the gate closes when its value exceeds ``above``
    above: float
    cap: float          # the highest total the agent can get while the gate is closed
    reason: str


@dataclass(frozen=True)
class Grade:
    name: str
    min_score: float
    tier: str           # reward tier: reward | keep | coach | help


@dataclass(frozen=True)
class Part:
    key: str
    raw: float | None
    points: float | None
    weight: float        # the weight actually applied (after scaling for missing components)
    contribution: float  # points × weight / 100


@dataclass(frozen=True)
class Result:
    agent_id: int
    team_id: int | None
    total: float
    grade: str
    tier: str
    rank_in_team: int
    team_size: int
    parts: tuple[Part, ...]
    capped_by: tuple[str, ...] = field(default_factory=tuple)


def target_points(value: float, target: float, direction: str) -> float:
    if direction == "higher":
        return 100.0 if target <= 0 else max(0.0, min(100.0, 100.0 * value / target))
    if value <= 0:
        return 100.0
    return max(0.0, min(100.0, 100.0 * target / value))


def percentile_points(value: float, peers: Sequence[float], direction: str) -> float:
    """Mid-rank percentile of ``value`` among ``peers`` (which include it): 100 × (worse + ½ equal − ½) / (n − 1)
    for n > 1, so the best of a team gets 100, the worst 0, and a lone agent 50."""
    n = len(peers)
    if n <= 1:
        return 50.0
    worse = sum(1 for p in peers if (p < value if direction == "higher" else p > value))
    equal = sum(1 for p in peers if p == value)
    return 100.0 * (worse + (equal - 1) / 2) / (n - 1)


def grade_of(total: float, grades: Sequence[Grade]) -> Grade:
    for g in sorted(grades, key=lambda g: -g.min_score):
        if total >= g.min_score:
            return g
    return min(grades, key=lambda g: g.min_score)


def evaluate(values: Mapping[int, Mapping[str, float | None]], teams: Mapping[int, int | None],
             components: Sequence[Component], gates: Sequence[Gate], grades: Sequence[Grade]) -> list[Result]:
    """``values[agent][kpi]``: raw KPI values (None: no data). Results ordered by team, then rank."""
    by_team: dict[int | None, list[int]] = defaultdict(list)
    for agent in values:
        by_team[teams.get(agent)].append(agent)
    total_weight = sum(c.weight for c in components)
    out: list[Result] = []
    for team, agents in by_team.items():
        peers = {c.key: [v for a in agents if (v := values[a].get(c.key)) is not None]
                 for c in components if c.normalise == "percentile"}
        scored: list[tuple[int, float, tuple[Part, ...], tuple[str, ...]]] = []
        for agent in agents:
            raw = values[agent]
            points: dict[str, float | None] = {}
            for c in components:
                v = raw.get(c.key)
                if v is None:
                    points[c.key] = None
                elif c.normalise == "percentile":
                    points[c.key] = percentile_points(v, peers[c.key], c.direction)
                else:
                    points[c.key] = target_points(v, c.target if c.target is not None else 0.0, c.direction)
            present = sum(c.weight for c in components if points[c.key] is not None)
            scale = total_weight / present if present else 0.0
            parts = tuple(Part(c.key, raw.get(c.key), points[c.key], c.weight * scale if points[c.key] is not None
                               else 0.0, (points[c.key] or 0.0) * c.weight * scale / total_weight)
                          for c in components)
            total = round(sum(p.contribution for p in parts), 2)
            capped = tuple(g.reason for g in gates if (gv := raw.get(g.key)) is not None and gv > g.above)
            for g in gates:
                if g.reason in capped:
                    total = min(total, g.cap)
            scored.append((agent, total, parts, capped))
        ordered = sorted(scored, key=lambda r: (-r[1], r[0]))
        for agent, total, parts, capped in ordered:
            rank = 1 + sum(1 for _, t, _, _ in ordered if t > total)
            grade = grade_of(total, grades)
            out.append(Result(agent, team, total, grade.name, grade.tier, rank, len(agents), parts, capped))
    return sorted(out, key=lambda r: (r.team_id is None, r.team_id or 0, r.rank_in_team, r.agent_id))
