"""Who may call the incident routes."""

from __future__ import annotations

RULES: dict[tuple[str, str], str | None] = {
    ("GET", "/api/v1/incidents"): "incidents:read",
    ("POST", "/api/v1/incidents"): "incidents:manage",
    ("GET", "/api/v1/incidents/active"): "orders:write",
    ("GET", "/api/v1/incidents/kpis"): "incidents:read",
    ("GET", "/api/v1/incidents/{incident_id}"): "incidents:read",
    ("POST", "/api/v1/incidents/{incident_id}/transition"): "incidents:manage",
    ("POST", "/api/v1/incidents/{incident_id}/updates"): "incidents:manage",
    ("POST", "/api/v1/incidents/{incident_id}/joint-test"): "incidents:manage",
    ("POST", "/api/v1/incidents/{incident_id}/links"): "incidents:manage",
    ("POST", "/api/v1/incidents/{incident_id}/review"): "incidents:manage",
    ("GET", "/api/v1/incidents/{incident_id}/review"): "incidents:read",
    ("GET", "/api/v1/planned-works"): "incidents:read",
    ("POST", "/api/v1/planned-works"): "incidents:manage",
    ("POST", "/api/v1/planned-works/{work_id}/cancel"): "incidents:manage",
    ("POST", "/api/v1/network-samples"): "incidents:manage",
    ("POST", "/api/v1/network-samples/import"): "incidents:manage",
    ("GET", "/api/v1/me/incidents"): "self:read",
    # pages
    ("GET", "/incidents"): "incidents:read",
    ("GET", "/incidents/board-rows"): "incidents:read",
    ("POST", "/incidents"): "incidents:manage",
    ("GET", "/incidents/planned"): "incidents:read",
    ("POST", "/incidents/planned"): "incidents:manage",
    ("POST", "/incidents/samples"): "incidents:manage",
    ("GET", "/incidents/banner"): "orders:write",
    ("GET", "/my/incident-progress/{order_id}"): "self:read",
    ("GET", "/incidents/{incident_id}"): "incidents:read",
    ("POST", "/incidents/{incident_id}/transition"): "incidents:manage",
    ("POST", "/incidents/{incident_id}/update"): "incidents:manage",
    ("POST", "/incidents/{incident_id}/joint-test"): "incidents:manage",
    ("POST", "/incidents/{incident_id}/links"): "incidents:manage",
    ("POST", "/incidents/{incident_id}/review"): "incidents:manage",
}
