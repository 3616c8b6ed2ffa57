"""Who may call the survey routes. The link's token is the customer's credential (public routes)."""

from __future__ import annotations

PUBLIC = None

RULES: dict[tuple[str, str], str | None] = {
    ("GET", "/api/v1/surveys/invitations"): "surveys:manage",
    ("POST", "/api/v1/surveys/{token}/answer"): PUBLIC,
    ("GET", "/s/{token}"): PUBLIC,
    ("POST", "/s/{token}"): PUBLIC,
    ("GET", "/surveys"): "surveys:manage",
}
