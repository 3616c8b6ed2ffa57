"""The roster engine's vocabulary: shift templates, people, shift patterns (a template at one start with one
lunch placement and one short-break placement), shifts, the result, and the pools people are planned in. Pure;
the stages are in `roster_plan` (stage 1), `roster_assign` (stages 2 and 3) and `roster` (the whole solve).

Short breaks (小休, 15 minutes say) on the 30-minute grid: a break takes its whole interval off the floor. The
requirement and the coverage are heads per interval, and a head who is away for half of it does not answer that
interval's calls at the rate the Erlang count assumed; counting them out for the interval is the conservative
choice (the supervisor may bring them back for the other quarter hour), and keeps every count an integer so
stages 2 and 3 stay matchings and flows. So a break of up to 30 minutes starting on the grid costs one
interval. Small rosters have it placed by the optimiser, like lunch, in the patterns; large ones after the solve,
where the window has the most spare heads (`roster.solve`'s `breaks` says where the switch is and what it costs)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

SLOT_MIN = 30
SLOTS = 24 * 60 // SLOT_MIN
UNDER_WEIGHT = 10.0
OVER_WEIGHT = 1.0
HOUR_COST = 0.01
MIN_REST_MIN = 11 * 60
MAX_CONSECUTIVE_DAYS = 6  # labour rule: at least one day off in seven (劳动法 第三十八条), configurable per person


@dataclass(frozen=True)
class Template:
    id: int
    name: str
    length_min: int
    earliest_start_min: int
    latest_start_min: int  # up to 23:30; a shift past midnight is an overnight shift of its start day
    lunch_min: int = 0
    lunch_earliest_min: int = 0  # after the shift's start
    lunch_latest_min: int = 0
    break_min: int = 0  # a short break (小休): takes its whole 30-minute interval (see the module's docstring)
    break_earliest_min: int = 0  # after the shift's start
    break_latest_min: int = 0


@dataclass(frozen=True)
class Person:
    id: int
    channel: str  # the channel rostered on: where heads left over by the skill flow are counted
    available_weekdays: frozenset[int]
    max_shifts_per_week: int = 5
    skills: frozenset[str] = frozenset()
    max_consecutive_days: int = MAX_CONSECUTIVE_DAYS

    @property
    def skill_set(self) -> frozenset[str]:
        return self.skills | {self.channel}


@dataclass(frozen=True)
class Pattern:
    template_id: int
    start_min: int
    length_min: int
    lunch_start_min: int | None  # minutes after the start day's midnight (may pass 1440 on overnight shifts)
    lunch_min: int
    break_start_min: int | None = None  # minutes after the start day's midnight, on the 30-minute grid
    break_min: int = 0

    @property
    def end_min(self) -> int:
        return self.start_min + self.length_min

    @property
    def overnight(self) -> bool:
        return self.end_min > 24 * 60

    def cover(self) -> np.ndarray:
        """Heads on the floor over the start day and the next (2 × SLOTS): overnight shifts spill over."""
        c = np.zeros(2 * SLOTS)
        c[self.start_min // SLOT_MIN:-(-self.end_min // SLOT_MIN)] = 1.0
        if self.lunch_start_min is not None:
            c[self.lunch_start_min // SLOT_MIN:(self.lunch_start_min + self.lunch_min) // SLOT_MIN] = 0.0
        if self.break_start_min is not None:  # the whole interval (or intervals) the break touches
            c[self.break_start_min // SLOT_MIN:-(-(self.break_start_min + self.break_min) // SLOT_MIN)] = 0.0
        return c

    def break_slots(self) -> range:
        """The slots (of the start day and the next) the short break takes off the floor."""
        if self.break_start_min is None:
            return range(0)
        return range(self.break_start_min // SLOT_MIN, -(-(self.break_start_min + self.break_min) // SLOT_MIN))


@dataclass(frozen=True)
class Shift:
    person_id: int
    channel: str
    day: date
    pattern: Pattern


@dataclass
class Result:
    shifts: list[Shift]
    coverage: dict[str, np.ndarray]  # skill -> (days, SLOTS) heads covering it
    under: float  # agent-intervals short of the requirement
    over: float
    dropped: int  # planned shifts nobody could take under the labour rules
    status: str
    solve_s: float
    unmet: dict[str, float] = field(default_factory=dict)  # skill -> agent-intervals short
    # (day index, slot) -> person id -> the skill they cover then
    assignment: dict[tuple[int, int], dict[int, str]] = field(default_factory=dict)
    retimed: int = 0  # planned shifts stage 2 moved to a later start of their template to keep the 11 h rest
    unplaced: list[Unplaced] = field(default_factory=list)  # the dropped and re-timed shifts, for the planner


@dataclass(frozen=True)
class Unplaced:
    """A shift stage 1 planned that stage 2 could not give anyone as planned: re-timed (`placed`, to whom) or
    dropped (`placed` None), so the planner sees where the labour rules cost coverage."""

    day: date
    skills: tuple[str, ...]  # the pool it was planned for
    planned: Pattern
    placed: Pattern | None = None
    person_id: int | None = None




def break_offsets(t: Template, lunch_off: int | None) -> list[int]:
    """The legal short-break offsets (after the shift's start) of template `t` with lunch `lunch_off` minutes after
    the start (None: no lunch): on the grid, inside the window and the shift, never sharing an interval with
    lunch. Stage 1 (breaks in the patterns) and the after-placement (`roster_assign.place_breaks`) share it."""
    out = []
    for brk in range(t.break_earliest_min, t.break_latest_min + 1, SLOT_MIN):
        if brk + t.break_min > t.length_min:
            continue
        if lunch_off is not None and brk < lunch_off + t.lunch_min and lunch_off < -(
                -(brk + t.break_min) // SLOT_MIN) * SLOT_MIN:
            continue  # the break would fall in (or share an interval with) lunch
        out.append(brk)
    return out


def patterns(templates: Sequence[Template], breaks: bool = True) -> list[Pattern]:
    """Every start (30-minute steps in the window) × lunch placement × short-break placement of every template;
    a break never shares an interval with lunch. `breaks=False`: no break placement in the patterns (it is
    placed after the solve, `roster_assign.place_breaks`), but only lunch placements that leave a legal break
    offset, so the after-placement always finds one."""
    out = []
    for t in templates:
        if t.length_min > 24 * 60 or t.length_min <= 0:
            continue
        lunches: list[int | None] = [off for off in range(t.lunch_earliest_min, t.lunch_latest_min + 1, SLOT_MIN)
                                     if off + t.lunch_min <= t.length_min] if t.lunch_min else [None]
        for start in range(t.earliest_start_min, min(t.latest_start_min, 24 * 60 - SLOT_MIN) + 1, SLOT_MIN):
            for lunch in lunches:
                brks: list[int | None] = [None]
                if t.break_min:
                    brks = list(break_offsets(t, lunch))
                    if not breaks:
                        brks = [None] if brks else []
                for brk in brks:
                    out.append(Pattern(t.id, start, t.length_min, None if lunch is None else start + lunch,
                                       t.lunch_min if lunch is not None else 0,
                                       None if brk is None else start + brk, t.break_min if brk is not None else 0))
    return out


def pools_of(people: Sequence[Person], skills: Sequence[str]) -> dict[tuple[str, ...], list[Person]]:
    """People grouped by the skills they have among those required (people with none are left out)."""
    out: dict[tuple[str, ...], list[Person]] = defaultdict(list)
    for p in people:
        key = tuple(sorted(p.skill_set & set(skills)))
        if key:
            out[key].append(p)
    return dict(sorted(out.items()))
