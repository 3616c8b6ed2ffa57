"""TMF621 list filtering as TMF630 (part 1) defines it, turned into an `OrderFilter`.

The attributes are the ones the TroubleTicket resource lists: ``status``, ``severity``, ``ticketType``,
``priority``, ``name`` (equality; a comma means any of: ``status=pending,held``), and the dates
``creationDate`` / ``resolutionDate`` compared with ``.gt``, ``.gte``, ``.lt``, ``.lte``; also
``relatedParty.id`` and TelQC's ``category``. A repeated date operator narrows (every condition holds).
A value TelQC cannot read is a 400 naming the attribute and saying what it takes, never an empty list
that looks like "no tickets": a client that mistyped ``severity=Majr`` must learn it.

Severity is the order's (the reporter's, else its category's default; see `mapping`).
Timestamps are stored to the microsecond, so ``.gt x`` is ``>= x + 1µs`` and ``.lte x`` is ``< x + 1µs``:
the order filter keeps its two comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from telqc.api.tmf621 import mapping
from telqc.core.errors import BadRequest

# TMF status → TelQC states reported as it (`orders.states.to_tmf621`); nothing in TelQC is "rejected".
STATUS_STATES: dict[str, tuple[str, ...]] = {
    "acknowledged": ("new", "acknowledged"), "inProgress": ("in_progress", "reopened"), "pending": ("pending",),
    "held": ("pending",), "resolved": ("resolved", "callback"), "closed": ("closed",),
    "cancelled": ("cancelled",), "rejected": ()}
EQUALITY = ("status", "severity", "ticketType", "priority", "name", "relatedParty.id", "category")
DATES = {"creationDate": ("created_from", "created_to"), "resolutionDate": ("resolved_from", "resolved_to")}
OPERATORS = ("gt", "gte", "lt", "lte")
SUPPORTED = (*EQUALITY, *(f"{d}.{op}" for d in DATES for op in OPERATORS))
PAGING = ("fields", "offset", "limit", "lang")
_EARLIEST, _LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)
_TICK = timedelta(microseconds=1)
_MAX_ID = 2**63 - 1


class NoMatch(Exception):
    """The filter is well formed but no ticket can satisfy it (e.g. ``status=rejected``)."""


def _choices(field: str, raw: str, table: Mapping[str, Any], allowed: Iterable[str]) -> list[Any]:
    """Each comma-separated value of ``raw`` looked up case-insensitively in ``table`` (lower-case keys)."""
    out = []
    for value in raw.split(","):
        found = table.get(value.strip().lower())
        if found is None:
            raise BadRequest("tmf.bad_choice", field=field, value=value.strip(), allowed=", ".join(allowed))
        out.append(found)
    return out


def _when(field: str, raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as e:
        raise BadRequest("tmf.bad_date", field=field, value=raw) from e
    value = value if value.tzinfo else value.replace(tzinfo=UTC)  # TMF630: a date without offset is UTC
    if not _EARLIEST <= value <= _LATEST:
        raise BadRequest("tmf.bad_date", field=field, value=raw)
    return value


def parse(params: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """`OrderFilter` keyword arguments for the query ``params`` (paging parameters excluded by the caller).

    Raises `BadRequest` naming the attribute, or `NoMatch` when no ticket can match."""
    values: dict[str, list[str]] = {}
    for key, value in params:
        values.setdefault(key, []).append(value)
    unknown = sorted(set(values) - set(SUPPORTED))
    if unknown:
        raise BadRequest("tmf.bad_filter", field=unknown[0], keys=", ".join(unknown), allowed=", ".join(SUPPORTED))
    f: dict[str, Any] = {}
    one = {k: ",".join(v) for k, v in values.items() if k in EQUALITY}
    if "status" in one:
        states = _choices("status", one["status"], {k.lower(): v for k, v in STATUS_STATES.items()}, STATUS_STATES)
        f["status"] = sorted({s for group in states for s in group})
    if "severity" in one:
        names = dict.fromkeys(mapping.SEVERITY.values())
        wanted = set(_choices("severity", one["severity"], {v.lower(): v for v in names}, names))
        f["severities"] = sorted(sev for sev, name in mapping.SEVERITY.items() if name in wanted)
    if "ticketType" in one:
        f["types"] = sorted(set(_choices("ticketType", one["ticketType"], mapping.TYPE_FROM_TMF,
                                         mapping.TICKET_TYPES.values())))
    if "priority" in one:
        table = {v.lower(): k for k, v in mapping.PRIORITY.items()} | {k.lower(): k for k in mapping.PRIORITY}
        f["priorities"] = sorted(set(_choices("priority", one["priority"], table, mapping.PRIORITY.values())))
    if "name" in one:
        f["title"] = values["name"][-1]
    if "category" in one:
        f["category"] = values["category"][-1]
    if "relatedParty.id" in one:
        raw = values["relatedParty.id"][-1].strip()
        if not raw.isascii() or not raw.isdigit() or int(raw) > _MAX_ID:
            raise BadRequest("tmf.bad_party", field="relatedParty.id", value=raw)
        f["customer_id"] = int(raw)
    for attr, (low, high) in DATES.items():
        for op in OPERATORS:
            key = f"{attr}.{op}"
            for raw in values.get(key, []):
                at = _when(key, raw) + (_TICK if op in ("gt", "lte") else timedelta(0))
                name = low if op in ("gt", "gte") else high
                keep = max if name == low else min
                f[name] = keep(f[name], at) if name in f else at
    if any(f.get(k) == [] for k in ("status", "severities")):
        raise NoMatch
    return f
