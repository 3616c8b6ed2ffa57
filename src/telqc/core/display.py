"""How values read on a page: the one formatter every template (and every report) uses.

Times are stored in UTC and shown in the viewer's zone (Beijing unless the viewer chose another);
people, teams and regions by name, never by id; durations in 小时/分钟; ratios as percentages; codes
(states, levels, channels, rule ids, KPI and dimension names) through the message catalogue
(`telqc.core.i18n`), so a page never shows a raw code. DESIGN.md: "zh-CN is the default language".

`install(env)` registers the filters on a Jinja environment; the page renderer puts a `Viewer` into
every template's context as ``viewer`` (language, zone, and the name lookups of the request's session).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from sqlalchemy import select
from sqlalchemy.orm import Session

from telqc.core.i18n import DEFAULT, MESSAGES, t
from telqc.core.models import Region, Team, User

BEIJING = "Asia/Shanghai"
TZ_COOKIE = "telqc_tz"
NONE = "—"


def zone(name: str | None, fallback: str = BEIJING) -> ZoneInfo:
    """The IANA zone `name`, or the fallback when it is empty or unknown (a cookie is user input)."""
    for cand in (name, fallback, BEIJING):
        if cand:
            try:
                return ZoneInfo(cand)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo(BEIJING)


def local_time(value: datetime | date | str | None, tz: ZoneInfo | None = None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC instant as the viewer's wall-clock time; a date stays a date."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if not isinstance(value, datetime):
        return value.isoformat()
    if value.tzinfo is None:  # naive values are UTC in this code base (UTCDateTime)
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(tz or ZoneInfo(BEIJING)).strftime(fmt)


def duration(seconds: float | int | None, lang: str = DEFAULT) -> str:
    """Seconds as 天/小时/分钟 ("3 小时 46 分钟"); under a minute in seconds; negative keeps its sign."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return NONE
    sign = "-" if seconds < 0 else ""
    s = round(abs(float(seconds)))
    if s < 60:
        return sign + t("fmt.seconds", lang, n=s)
    minutes = round(s / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(t("fmt.days", lang, n=days))
    if hours:
        parts.append(t("fmt.hours", lang, n=hours))
    if mins and not days:
        parts.append(t("fmt.minutes", lang, n=mins))
    return sign + " ".join(parts or [t("fmt.minutes", lang, n=0)])


def percent(ratio: float | None, digits: int = 1) -> str:
    """A 0–1 ratio as a percentage ("87.5%")."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return NONE
    return f"{ratio * 100:.{digits}f}%"


def kpi_value(unit: str, v: float | None, lang: str = DEFAULT) -> str:
    """A KPI value in its unit (metrics registry): ratios as %, seconds as a duration, rates per 10,000."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return NONE
    if unit == "ratio":
        return percent(v)
    if unit == "seconds":
        return duration(v, lang)
    if unit == "per_10k":
        return t("fmt.per_10k", lang, v=f"{v:,.2f}")
    if unit == "per_million":
        return t("fmt.per_million", lang, v=f"{v:,.2f}")
    if unit in ("score", "points", "variance"):
        return f"{v:,.2f}"
    return f"{v:,.0f}"


def label(value: Any, kind: str, lang: str = DEFAULT) -> str:
    """A code through the catalogue: `label("in_progress", "ostatus")` → 处理中. Empty values read "—".

    A code with no entry comes back as ``kind.code``, which the page-language test reports."""
    if value is None or value == "":
        return NONE
    code = getattr(value, "value", value)
    return t(f"{kind}.{code}", lang)


def has_label(kind: str, code: object) -> bool:
    return f"{kind}.{code}" in MESSAGES


class Viewer:
    """One reader of one page: language, time zone and name lookups (cached for the request)."""

    def __init__(self, lang: str = DEFAULT, tz: ZoneInfo | None = None, session: Session | None = None) -> None:
        self.lang = lang
        self.tz = tz or ZoneInfo(BEIJING)
        self.session = session
        self._people: dict[int, str] = {}
        self._teams: dict[int, str] = {}
        self._regions: dict[str, str] = {}

    # names -------------------------------------------------------------------------------------------
    def know_people(self, ids: Iterable[object]) -> None:
        """Read the names of many people in one statement (a list page calls this before rendering)."""
        wanted = {int(str(i)) for i in ids if _is_id(i)} - set(self._people)
        if wanted and self.session is not None:
            rows = self.session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all()
            self._people.update({i: n for i, n in rows})
            self._people.update({i: t("fmt.unknown_person", self.lang, id=i) for i in wanted - set(self._people)})

    def person(self, user_id: object) -> str:
        if not _is_id(user_id):
            return NONE
        uid = int(str(user_id))
        if uid not in self._people:
            self.know_people([uid])
        return self._people.get(uid, t("fmt.unknown_person", self.lang, id=uid))

    def team(self, team_id: object) -> str:
        if not _is_id(team_id) or int(str(team_id)) == 0:
            return t("fmt.no_team", self.lang)
        tid = int(str(team_id))
        if not self._teams and self.session is not None:
            self._teams = dict(self.session.execute(select(Team.id, Team.name)).all())
        return self._teams.get(tid, t("fmt.unknown_team", self.lang, id=tid))

    def region(self, code: str | None) -> str:
        if not code:
            return NONE
        if not self._regions and self.session is not None:
            col = Region.name if self.lang == "zh-CN" else Region.name_en
            self._regions = dict(self.session.execute(select(Region.code, col)).all())
        return self._regions.get(str(code), str(code))

    # values ------------------------------------------------------------------------------------------
    def time(self, value: datetime | date | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return local_time(value, self.tz, fmt)

    def duration(self, seconds: float | int | None) -> str:
        return duration(seconds, self.lang)

    def kpi(self, unit: str, v: float | None) -> str:
        return kpi_value(unit, v, self.lang)

    def label(self, value: Any, kind: str) -> str:
        return label(value, kind, self.lang)


def _is_id(v: object) -> bool:
    return v is not None and v != "" and str(v).lstrip("-").isdigit()


def viewer_in(context: Context) -> Viewer:
    """The page's viewer (``viewer`` in the template context), else one in the page's language."""
    return _viewer(context)


def _viewer(context: Context) -> Viewer:
    v = context.get("viewer")
    return v if isinstance(v, Viewer) else Viewer(str(context.get("lang") or DEFAULT))


@pass_context
def _local(context: Context, value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return _viewer(context).time(value, fmt)


@pass_context
def _person(context: Context, value: Any) -> str:
    return _viewer(context).person(value)


@pass_context
def _team(context: Context, value: Any) -> str:
    return _viewer(context).team(value)


@pass_context
def _region(context: Context, value: Any) -> str:
    return _viewer(context).region(value)


@pass_context
def _duration(context: Context, value: Any) -> str:
    return _viewer(context).duration(value)


@pass_context
def _label(context: Context, value: Any, kind: str) -> str:
    return _viewer(context).label(value, kind)


@pass_context
def _kpi(context: Context, value: Any, unit: str) -> str:
    return _viewer(context).kpi(unit, value)


def install(env: Environment) -> None:
    """The filters: ``local`` (time in the viewer's zone), ``person``, ``team``, ``region`` (names),
    ``duration`` (小时/分钟), ``pct`` (ratio → %), ``label(kind)`` (code → catalogue), ``kpi(unit)``."""
    env.filters.update(local=_local, person=_person, team=_team, region=_region, duration=_duration,
                       pct=percent, label=_label, kpi=_kpi)


MESSAGES.update({
    "fmt.seconds": {"zh-CN": "{n} 秒", "en": "{n} s"},
    "fmt.minutes": {"zh-CN": "{n} 分钟", "en": "{n} min"},
    "fmt.hours": {"zh-CN": "{n} 小时", "en": "{n} h"},
    "fmt.days": {"zh-CN": "{n} 天", "en": "{n} d"},
    "fmt.per_10k": {"zh-CN": "{v} /万户", "en": "{v} per 10k"},
    "fmt.per_million": {"zh-CN": "{v} /百万户", "en": "{v} per million"},
    "fmt.unknown_person": {"zh-CN": "（已删除的用户）", "en": "(removed user)"},
    "fmt.unknown_team": {"zh-CN": "（未知班组）", "en": "(unknown team)"},
    "fmt.no_team": {"zh-CN": "未分班组", "en": "no team"},
})
