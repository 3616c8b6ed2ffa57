"""Who may call the workforce routes."""

from __future__ import annotations

R, M = "workforce:read", "workforce:manage"
A = "/api/v1/workforce"
RULES: dict[tuple[str, str], str | None] = {
    ("POST", f"{A}/actuals/refresh"): M,
    ("GET", f"{A}/forecasts"): R,
    ("POST", f"{A}/forecasts"): M,
    ("GET", f"{A}/forecasts/{{forecast_id}}"): R,
    ("GET", f"{A}/forecasts/{{forecast_id}}/series"): R,
    ("GET", f"{A}/rules"): R,
    ("PUT", f"{A}/rules/{{channel}}"): M,
    ("GET", f"{A}/templates"): R,
    ("POST", f"{A}/templates"): M,
    ("GET", f"{A}/staff"): R,
    ("POST", f"{A}/staff"): M,
    ("POST", f"{A}/rosters"): M,
    ("GET", f"{A}/rosters/{{roster_id}}"): R,
    ("GET", f"{A}/rosters/{{roster_id}}/shifts"): R,
    ("GET", f"{A}/field"): R,
    ("POST", f"{A}/engineer-rosters"): M,
    ("GET", f"{A}/engineer-rosters/{{roster_id}}"): R,
    ("GET", f"{A}/events"): R,
    ("POST", f"{A}/events"): M,
    ("DELETE", f"{A}/events/{{event_id}}"): M,
    ("GET", f"{A}/intraday"): R,
    ("POST", f"{A}/what-if"): R,
    ("GET", "/workforce"): R,
    ("POST", "/workforce/forecast"): M,
    ("POST", "/workforce/roster"): M,
    ("POST", "/workforce/templates"): M,
    ("POST", "/workforce/events"): M,
    ("POST", "/workforce/events/{event_id}/remove"): M,
    ("GET", "/workforce/intraday"): R,
    ("GET", "/workforce/field"): R,
    ("POST", "/workforce/field/roster"): M,
    ("POST", "/workforce/intraday/what-if"): R,
}
