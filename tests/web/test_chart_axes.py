"""Charts that draw two measures of different units give each unit its own value axis (issue 18).

On one axis the smaller measure lies flat: the manager's trend drew complaint rates of 5–20 per 10,000 beside
0–1 ratios, and the incident chart drew 80–300 ms of latency beside 0.02 packet loss. Each chart builder in
`web/static/` that combines measures is run in Chromium on data shaped as its page hands it over, and the
option ECharts ends up with is read back: every series' unit is known, and no value axis carries two units.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

STATIC = Path(__file__).resolve().parents[2] / "src" / "telqc" / "web" / "static"
T0 = 1_765_000_000_000  # epoch ms
DAYS = ["2026-11-01", "2026-11-02"]


def _trend(zh: str, values: list[float]) -> dict[str, Any]:
    return {"zh": zh, "points": [{"period": d, "value": v} for d, v in zip(DAYS, values, strict=True)]}


# script, {JSON block id: data}, chart box, {series name: unit}
CHARTS: list[tuple[str, dict[str, Any], str, dict[str, str]]] = [
    ("metrics.js",
     {"dashboard-data": {"trend": {"complaint_rate": _trend("投诉率", [12.0, 9.5]),
                                   "csat": _trend("满意度", [0.88, 0.9]),
                                   "service_level": _trend("服务水平", [0.8, 0.82]),
                                   "fcr": _trend("一次解决率", [0.7, 0.72])},
                         "heat": {"days": [], "provinces": [], "cells": []}, "channels": [],
                         "categories": {"days": [], "series": []}}},
     "chart-trend", {"投诉率": "per 10,000", "满意度": "ratio", "服务水平": "ratio", "一次解决率": "ratio"}),
    ("incidents.js",
     {"incident-data": {"complaints": [[T0, 3], [T0 + 600_000, 9]],
                        "metrics": {"latency_ms": [[T0, 80.0], [T0 + 600_000, 310.0]],
                                    "packet_loss": [[T0, 0.004], [T0 + 600_000, 0.05]],
                                    "utilisation": [[T0, 0.7], [T0 + 600_000, 0.97]],
                                    "availability": [[T0, 0.999], [T0 + 600_000, 0.95]]}}},
     "chart-incident", {"投诉量": "count", "网络延迟(ms)": "ms", "丢包率": "ratio", "带宽利用率": "ratio",
                        "可用率": "ratio"}),
    ("workforce.js",
     {"forecast-data": {"labels": ["09:00", "09:30"], "forecast": [120, 140], "actual": [118, 151],
                        "required": [14, 16], "rostered": [15, 15]}},
     "chart-forecast", {"预测话务量": "contacts", "实际话务量": "contacts", "需求人数": "people",
                        "排班人数": "people"}),
]


def _option(browser: Browser, script: str, blocks: dict[str, Any], box: str) -> dict[str, Any]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        data = "".join(f'<script type="application/json" id="{k}">{json.dumps(v, ensure_ascii=False)}</script>'
                       for k, v in blocks.items())
        boxes = "".join(f'<div id="{b}" style="width:800px;height:300px"></div>'
                        for b in ("chart-trend", "chart-heat", "chart-channels", "chart-categories", "chart-incident",
                                  "chart-forecast"))
        page.set_content(f"<!doctype html><html><body>{boxes}{data}</body></html>")
        page.add_script_tag(path=str(STATIC / "echarts.min.js"))
        page.add_script_tag(path=str(STATIC / script))
        assert not errors, errors
        option: dict[str, Any] = page.evaluate(
            "id => JSON.parse(JSON.stringify(echarts.getInstanceByDom(document.getElementById(id)).getOption()))",
            box)
        return option
    finally:
        page.close()


@pytest.mark.parametrize(("script", "blocks", "box", "units"), CHARTS, ids=[c[0] for c in CHARTS])
def test_each_unit_has_its_own_value_axis(browser: Browser, script: str, blocks: dict[str, Any], box: str,
                                          units: dict[str, str]) -> None:
    option = _option(browser, script, blocks, box)
    series = option["series"]
    assert sorted(s["name"] for s in series) == sorted(units), "every series drawn, each with a known unit"
    on_axis: dict[int, set[str]] = {}
    for s in series:
        on_axis.setdefault(int(s.get("yAxisIndex", 0)), set()).add(units[s["name"]])
    assert all(len(u) == 1 for u in on_axis.values()), f"{script}: axes mixing units {on_axis}"
    assert len(on_axis) == len(set(units.values())), f"{script}: one axis per unit, got {on_axis}"
    assert max(on_axis) < len(option["yAxis"])
