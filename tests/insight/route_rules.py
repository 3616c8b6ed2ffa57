"""Who may call the insight routes."""

from __future__ import annotations

A = "/api/v1/insight"
R, M, T = "insight:read", "insight:manage", "insight:tasks"
RULES: dict[tuple[str, str], str | None] = {
    ("GET", f"{A}/customers/{{customer_id}}/profile"): "customers:read",
    ("GET", f"{A}/tasks"): T,
    ("POST", f"{A}/tasks/{{task_id}}/outcome"): T,
    ("GET", f"{A}/campaigns"): R,
    ("POST", f"{A}/campaigns"): M,
    ("POST", f"{A}/campaigns/{{campaign_id}}/measure"): M,
    ("POST", f"{A}/offers"): "customers:read",
    ("POST", f"{A}/offers/{{offer_id}}/decision"): "customers:read",
    ("GET", f"{A}/conversion"): R,
    ("GET", "/insight"): R,
    ("GET", "/insight/tasks"): T,
    ("POST", "/insight/tasks/{task_id}/outcome"): T,
    ("POST", "/insight/campaigns"): M,
    ("POST", "/insight/campaigns/{campaign_id}/measure"): M,
    ("POST", "/insight/customers/{customer_id}/offer"): T,
}
