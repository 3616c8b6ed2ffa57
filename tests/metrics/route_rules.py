"""Who may call the metrics routes."""

from __future__ import annotations

RULES: dict[tuple[str, str], str | None] = {
    ("GET", "/api/v1/metrics"): "metrics:read",
    ("GET", "/api/v1/metrics/registry"): "metrics:read",
    ("GET", "/api/v1/metrics/orders"): "metrics:read",
    ("GET", "/api/v1/metrics/hotspots"): "metrics:read",
    ("GET", "/api/v1/metrics/reports/{period}"): "reports:read",
    ("GET", "/metrics"): "metrics:read",
    ("GET", "/metrics/kpi/{name}"): "metrics:read",
    ("GET", "/metrics/orders"): "metrics:read",
}
