"""Who may call the customer routes this folder adds (the platform's own customer routes: tests/core)."""

from __future__ import annotations

RULES: dict[tuple[str, str], str | None] = {
    ("PUT", "/api/v1/customers/{customer_id}/plans/{plan_code}/site"): "customers:write",
}
