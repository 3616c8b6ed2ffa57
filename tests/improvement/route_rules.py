"""Who may call the improvement plan routes."""

from __future__ import annotations

R, M, SUGGEST = "improvement:read", "improvement:manage", "improvement:suggest"
A = "/api/v1/improvement"
RULES: dict[tuple[str, str], str | None] = {
    ("GET", f"{A}/plans"): R,
    ("POST", f"{A}/plans"): M,
    ("GET", f"{A}/plans/{{plan_id}}"): R,
    ("GET", f"{A}/plans/{{plan_id}}/history"): R,
    ("PUT", f"{A}/plans/{{plan_id}}/analysis"): M,
    ("POST", f"{A}/plans/{{plan_id}}/actions"): M,
    ("POST", f"{A}/actions/{{action_id}}/done"): M,
    ("POST", f"{A}/actions/{{action_id}}/cancel"): M,
    ("POST", f"{A}/plans/{{plan_id}}/transition"): M,
    ("POST", f"{A}/plans/{{plan_id}}/measure"): M,
    ("POST", f"{A}/plans/{{plan_id}}/next"): M,
    ("GET", f"{A}/suggestions"): SUGGEST,
    ("POST", f"{A}/suggestions"): SUGGEST,
    ("POST", f"{A}/suggestions/{{suggestion_id}}/decide"): M,
    ("GET", "/suggestions"): SUGGEST,
    ("POST", "/suggestions"): SUGGEST,
    ("POST", "/suggestions/{suggestion_id}/decide"): M,
    ("GET", "/improvement"): R,
    ("GET", "/improvement/new"): M,
    ("POST", "/improvement/new"): M,
    ("GET", "/improvement/{plan_id}"): R,
    ("POST", "/improvement/{plan_id}/analysis"): M,
    ("POST", "/improvement/{plan_id}/actions"): M,
    ("POST", "/improvement/{plan_id}/actions/{action_id}/done"): M,
    ("POST", "/improvement/{plan_id}/transition"): M,
    ("POST", "/improvement/{plan_id}/measure"): M,
    ("POST", "/improvement/{plan_id}/next"): M,
}
