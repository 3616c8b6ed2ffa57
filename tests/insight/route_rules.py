"""Who may call the insight routes."""

from __future__ import annotations

RULES: dict[tuple[str, str], str | None] = {
    ("GET", "/api/v1/insight/customers/{customer_id}/profile"): "customers:read",
}
