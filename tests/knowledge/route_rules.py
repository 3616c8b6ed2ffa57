"""Who may call the knowledge-base routes."""

from __future__ import annotations

AUTHENTICATED = "authenticated"

RULES: dict[tuple[str, str], str | None] = {
    ("GET", "/api/v1/kb/search"): AUTHENTICATED,
    ("POST", "/api/v1/kb/articles"): "kb:write",
    ("GET", "/api/v1/kb/articles/{article_id}"): "kb:read",
    ("PUT", "/api/v1/kb/articles/{article_id}"): "kb:write",
    ("POST", "/api/v1/kb/articles/{article_id}/submit"): "kb:write",
    ("POST", "/api/v1/kb/articles/{article_id}/approve"): "kb:publish",
    ("POST", "/api/v1/kb/articles/{article_id}/reject"): "kb:publish",
    ("POST", "/api/v1/kb/articles/{article_id}/retire"): "kb:publish",
    ("GET", "/api/v1/kb/articles/{article_id}/history"): "kb:write",
}

RULES.update({
    ("POST", "/api/v1/kb/recommendations"): "kb:read",
    ("POST", "/api/v1/kb/recommendations/choice"): "kb:read",
    ("POST", "/api/v1/kb/feedback"): "kb:read",
    ("GET", "/api/v1/kb/solutions"): "kb:read",
    ("POST", "/api/v1/kb/solutions"): "kb:publish",
})

RULES.update({
    ("GET", "/kb"): "kb:read",
    ("GET", "/kb/panel"): "kb:read",
})
