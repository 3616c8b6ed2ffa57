"""Network KPI samples (管理规范手册 3.1): a feed (JSON) and file imports (CSV / JSONL), and the alarms they
raise (`alarms.evaluate`), which open a suspected incident for the district before customers call.

An import is checked row by row first: rows with an error are reported with their number and reason and
none of the file is stored if any row is wrong (all or nothing, like the other imports).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from telqc.core import textfile
from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.core.models import Region
from telqc.incidents import alarms, schemas, service
from telqc.incidents.models import NetworkAlarm, NetworkSample

_SAMPLES = NetworkSample.__table__
_ALARMS = NetworkAlarm.__table__
_INSERT = {n: ins(_SAMPLES).on_conflict_do_nothing(index_elements=["district_code", "metric", "at"])
           for n, ins in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_INSERT_ALARM = {n: ins(_ALARMS).on_conflict_do_nothing(index_elements=["district_code", "metric", "at", "kind"])
                 .returning(_ALARMS.c.id) for n, ins in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
MAX_ROWS = 10000
_METRIC_NAMES = {"utilisation": "带宽利用率", "latency_ms": "网络延迟", "packet_loss": "丢包率", "call_drop": "掉话率",
                 "availability": "可用率"}


def parse(filename: str, content: bytes) -> tuple[list[schemas.SampleIn], list[dict[str, object]]]:
    """Rows of a CSV (header district_code,metric,at,value) or JSONL file, and the rejected rows."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise Invalid("incidents.error.bad_file", field="file", reason="not UTF-8") from e
    raw: list[tuple[int, Any]] = []
    rejected: list[dict[str, object]] = []
    if filename.lower().endswith((".jsonl", ".ndjson", ".json")):
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw.append((n, textfile.json_line(line)))
            except json.JSONDecodeError as e:
                rejected.append({"row": n, "field": None, "reason": f"invalid JSON: {e.msg}"})
    else:
        reader = csv.DictReader(io.StringIO(text))
        missing = {"district_code", "metric", "at", "value"} - set(reader.fieldnames or [])
        if missing:
            raise Invalid("incidents.error.bad_file", field="file", reason=f"missing columns {sorted(missing)}")
        raw = [(n, dict(r)) for n, r in enumerate(reader, start=2)]
    if len(raw) > MAX_ROWS:
        raise Invalid("incidents.error.bad_file", field="file", reason=f"more than {MAX_ROWS} rows")
    ok: list[schemas.SampleIn] = []
    for n, item in raw:
        try:
            ok.append(schemas.SampleIn.model_validate(item))
        except ValidationError as e:
            err = e.errors()[0]
            rejected.append({"row": n, "field": ".".join(map(str, err["loc"])) or None, "reason": err["msg"]})
    return ok, rejected


def ingest(ctx: Ctx, rows: Iterable[schemas.SampleIn]) -> schemas.ImportResult:
    """Store the readings (a repeated reading is ignored) and evaluate each touched district × metric."""
    items = list(rows)
    provinces = _provinces(ctx, {r.district_code for r in items})
    rejected = [{"row": n, "field": "district_code", "reason": "unknown district"}
                for n, r in enumerate(items, start=1) if r.district_code not in provinces]
    if rejected:
        return schemas.ImportResult(accepted=0, rejected=rejected, alarms=0, incidents=[])
    p = service.principal(ctx)
    outside = [{"row": n, "field": "district_code", "reason": "outside your regions"}
               for n, r in enumerate(items, start=1) if not p.sees_region(provinces[r.district_code])]
    if outside:
        return schemas.ImportResult(accepted=0, rejected=outside, alarms=0, incidents=[])
    s = ctx.session
    dialect = s.get_bind().dialect.name
    s.execute(_INSERT[dialect], [{"province_code": provinces[r.district_code], "district_code": r.district_code,
                                  "metric": r.metric, "at": r.at, "value": r.value} for r in items])
    raised, opened = 0, []
    for district, metric in sorted({(r.district_code, r.metric) for r in items}):
        recent = list(s.execute(select(NetworkSample.at, NetworkSample.value).where(
            NetworkSample.district_code == district, NetworkSample.metric == metric)
            .order_by(NetworkSample.at.desc()).limit(alarms.TREND_POINTS)))
        alarm = alarms.evaluate(metric, [alarms.Reading(a, v) for a, v in reversed(recent)])
        if alarm is None:
            continue
        new = s.execute(_INSERT_ALARM[dialect], {"district_code": district, "metric": metric, "kind": alarm.kind,
                                                 "at": alarm.at, "value": alarm.value}).first()
        if new is None:
            continue
        raised += 1
        i, was_opened = _open(ctx, district, provinces[district], alarm)
        s.execute(NetworkAlarm.__table__.update().where(NetworkAlarm.id == new[0]).values(incident_id=i))
        if was_opened:
            opened.append(i)
    return schemas.ImportResult(accepted=len(items), rejected=[], alarms=raised, incidents=opened)


def _open(ctx: Ctx, district: str, province: str, alarm: alarms.Alarm) -> tuple[int, bool]:
    region = ctx.session.get(Region, district)
    name = region.name if region else district
    kind = "超阈值" if alarm.kind == "threshold" else "持续恶化"
    city = region.parent_code if region else None
    i, opened = service.open_suspected(
        ctx, kind="network", title=f"{name}{_METRIC_NAMES[alarm.metric]}{kind}告警", severity="general",
        province_code=province, city_code=city, district_code=district, categories=[], detected_at=alarm.at,
        open_key=f"net|{district}", note=f"{kind}告警：{_METRIC_NAMES[alarm.metric]} = {alarm.value}")
    return i.id, opened


def _provinces(ctx: Ctx, districts: set[str]) -> dict[str, str]:
    """district → province for the known districts (regions: province → city → district)."""
    out: dict[str, str] = {}
    for code in districts:
        r = ctx.session.get(Region, code)
        seen = 0
        while r is not None and r.level != "province" and seen < 4:
            r = ctx.session.get(Region, r.parent_code) if r.parent_code else None
            seen += 1
        if r is not None and r.level == "province":
            out[code] = r.code
    return out
