"""Who may call the work-order routes."""

from __future__ import annotations

RULES: dict[tuple[str, str], str | None] = {
    ("GET", "/api/v1/orders"): "orders:read",
    ("GET", "/api/v1/order-categories"): "orders:read",
    ("POST", "/api/v1/order-categories"): "orders:admin",
    ("PATCH", "/api/v1/order-categories/{code}"): "orders:admin",
    ("GET", "/api/v1/order-calendars"): "orders:admin",
    ("PUT", "/api/v1/order-calendars/{name}"): "orders:admin",
    ("GET", "/api/v1/order-sla-policies"): "orders:admin",
    ("PUT", "/api/v1/order-sla-policies/{name}"): "orders:admin",
    ("POST", "/api/v1/orders"): "orders:write",
    ("GET", "/api/v1/orders/{order_id}"): "orders:read",
    ("POST", "/api/v1/orders/{order_id}/assign"): "orders:assign",
    ("POST", "/api/v1/orders/{order_id}/transition"): "orders:write",
    ("POST", "/api/v1/orders/{order_id}/notes"): "orders:write",
    ("POST", "/api/v1/orders/{order_id}/transfer"): "orders:write",
    ("POST", "/api/v1/orders/{order_id}/escalate"): "orders:escalate",
    ("POST", "/api/v1/orders/{order_id}/callback"): "surveys:manage",
    ("POST", "/api/v1/orders/{order_id}/network-problem"): "orders:write",
    ("POST", "/api/v1/orders/{order_id}/dispatch"): "orders:assign",
    ("GET", "/api/v1/repairs/mine"): "repair:work",
    ("POST", "/api/v1/repairs/{order_id}/updates"): "repair:work",
    ("GET", "/api/v1/network-problems"): "network:work",
    ("POST", "/api/v1/network-problems/{problem_id}/updates"): "network:work",
    ("GET", "/api/v1/me/orders"): "self:read",
    ("GET", "/api/v1/me/orders/{order_id}"): "self:read",
    ("POST", "/api/v1/me/orders"): "self:file",
    ("POST", "/api/v1/me/plan-change"): "self:file",
}
