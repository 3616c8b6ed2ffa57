"""Who may call the quality-inspection routes (merged by tests/core/test_authorization.py).

WebSockets are not HTTP routes; ``WEBSOCKET_RULES`` is checked by test_inspection_live.py.
"""

from __future__ import annotations

AUTHENTICATED = "authenticated"

RULES: dict[tuple[str, str], str | None] = {
    ("POST", "/api/v1/interactions"): "interactions:import",
    ("POST", "/api/v1/interactions/import"): "interactions:import",
    ("GET", "/api/v1/interactions/{contact_id}"): "contacts:read",
    ("GET", "/api/v1/interactions/{contact_id}/hits"): "inspection:score",
    ("GET", "/api/v1/qa/scorecards"): "inspection:score",
    ("POST", "/api/v1/qa/scorecards"): "inspection:admin",
    ("POST", "/api/v1/qa/samples"): "inspection:admin",
    ("GET", "/api/v1/qa/sampling-plans"): "inspection:view",
    ("POST", "/api/v1/qa/sampling-plans"): "inspection:admin",
    ("POST", "/api/v1/qa/sampling-plans/{plan_id}/active"): "inspection:admin",
    ("POST", "/api/v1/qa/sampling-plans/{plan_id}/run"): "inspection:sample",
    ("GET", "/api/v1/qa/sampling-batches"): "inspection:view",
    ("GET", "/api/v1/qa/stores"): "inspection:view",
    ("POST", "/api/v1/qa/stores"): "inspection:admin",
    ("GET", "/api/v1/qa/store-visits"): "inspection:view",
    ("POST", "/api/v1/qa/store-visits"): "inspection:score",
    ("GET", "/api/v1/qa/store-visits/summary"): "inspection:view",
    ("GET", "/api/v1/qa/queue"): "inspection:score",
    ("GET", "/api/v1/qa/inspections/{inspection_id}"): AUTHENTICATED,
    ("POST", "/api/v1/qa/inspections/{inspection_id}/score"): "inspection:score",
    ("GET", "/api/v1/qa/my-inspections"): "inspection:mine",
    ("POST", "/api/v1/qa/inspections/{inspection_id}/appeal"): "inspection:mine",
    ("GET", "/api/v1/qa/appeals"): "inspection:score",
    ("POST", "/api/v1/qa/appeals/{appeal_id}/ruling"): "inspection:score",
    ("POST", "/api/v1/qa/calibrations"): "inspection:admin",
    ("GET", "/api/v1/qa/calibrations/{session_id}/report"): "inspection:score",
    ("POST", "/api/v1/qa/calibrations/{session_id}/close"): "inspection:admin",
    # pages
    ("GET", "/qa/workbench"): "inspection:view",
    ("GET", "/qa/inspections/{inspection_id}"): "inspection:score",
    ("POST", "/qa/inspections/{inspection_id}/score"): "inspection:score",
    ("POST", "/qa/appeals/{appeal_id}/ruling"): "inspection:score",
    ("GET", "/qa/live"): "alerts:live",
    ("GET", "/qa/my"): "inspection:mine",
    ("POST", "/qa/my/{inspection_id}/appeal"): "inspection:mine",
    ("GET", "/qa/sampling"): "inspection:view",
    ("POST", "/qa/sampling/plans"): "inspection:admin",
    ("POST", "/qa/sampling/plans/{plan_id}/run"): "inspection:sample",
    ("POST", "/qa/sampling/plans/{plan_id}/active"): "inspection:admin",
    ("GET", "/qa/store-visits"): "inspection:view",
    ("POST", "/qa/store-visits"): "inspection:score",
    ("POST", "/qa/stores"): "inspection:admin",
}

WEBSOCKET_RULES: dict[str, str] = {
    "/api/v1/qa/live/calls/{call_id}": "interactions:import",
    "/api/v1/qa/live/alerts": "alerts:live",
}
