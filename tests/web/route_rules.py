"""Who may open the work-order pages."""

from __future__ import annotations

RULES: dict[tuple[str, str], str | None] = {
    ("GET", "/orders"): "orders:read",
    ("GET", "/orders/new"): "orders:write",
    ("POST", "/orders/new"): "orders:write",
    ("GET", "/orders/{order_id}"): "orders:read",
    ("POST", "/orders/{order_id}/transition"): "orders:write",
    ("POST", "/orders/{order_id}/notes"): "orders:write",
    ("POST", "/orders/{order_id}/transfer"): "orders:write",
    ("POST", "/orders/{order_id}/escalate"): "orders:escalate",
    ("POST", "/orders/{order_id}/callback"): "surveys:manage",
    ("GET", "/my/orders"): "self:read",
    ("GET", "/my/orders/new"): "self:file",
    ("POST", "/my/orders/new"): "self:file",
    ("POST", "/my/plan-change"): "self:file",
    ("POST", "/orders/{order_id}/dispatch"): "orders:assign",
    ("GET", "/repairs"): "repair:work",
    ("GET", "/repairs/{order_id}"): "repair:work",
    ("POST", "/repairs/{order_id}/updates"): "repair:work",
    ("GET", "/network-problems"): "network:work",
    ("POST", "/network-problems/{problem_id}/updates"): "network:work",
}
