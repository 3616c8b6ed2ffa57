"""Who may call the survey routes. The link's token is the customer's credential (public routes)."""

from __future__ import annotations

PUBLIC = None

RULES: dict[tuple[str, str], str | None] = {
    ("GET", "/api/v1/surveys/invitations"): "surveys:manage",
    ("POST", "/api/v1/surveys/{token}/answer"): PUBLIC,
    ("GET", "/s/{token}"): PUBLIC,
    ("POST", "/s/{token}"): PUBLIC,
    ("GET", "/surveys"): "surveys:manage",
    # periodic satisfaction campaigns
    ("GET", "/api/v1/survey-campaigns"): "surveys:manage",
    ("POST", "/api/v1/survey-campaigns"): "surveys:manage",
    ("GET", "/api/v1/survey-campaigns/{campaign_id}"): "surveys:manage",
    ("POST", "/api/v1/survey-campaigns/{campaign_id}/send"): "surveys:manage",
    ("POST", "/api/v1/survey-campaigns/{campaign_id}/close"): "surveys:manage",
    ("GET", "/api/v1/survey-campaigns/{campaign_id}/results"): "surveys:manage",
    ("GET", "/api/v1/survey-campaigns/{campaign_id}/report"): "surveys:manage",
    ("POST", "/api/v1/survey-campaigns/answers/{token}"): PUBLIC,
    ("GET", "/surveys/campaigns"): "surveys:manage",
    ("POST", "/surveys/campaigns"): "surveys:manage",
    ("GET", "/surveys/campaigns/{campaign_id}"): "surveys:manage",
    ("POST", "/surveys/campaigns/{campaign_id}/send"): "surveys:manage",
    ("POST", "/surveys/campaigns/{campaign_id}/close"): "surveys:manage",
    ("GET", "/sq/{token}"): PUBLIC,
    ("POST", "/sq/{token}"): PUBLIC,
}
