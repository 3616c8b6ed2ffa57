"""Survey queries: transactional invitations, and the satisfaction campaigns' population, sample and answers.

The campaign population is read from the customers domain's published columns (`telqc.customers.read`) and
each customer's last contact channel from the contacts domain's (`telqc.contacts.read`), never their models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import Session

from telqc.contacts.read import CONTACTS
from telqc.core.rbac import Principal
from telqc.customers.read import CUSTOMERS
from telqc.surveys.models import (
    SurveyCampaign,
    SurveyCampaignAnswer,
    SurveyCampaignInvitation,
    SurveyInvitation,
    SurveyOrderCustomer,
    SurveyResponse,
)


def by_token_hash(session: Session, token_hash: str) -> SurveyInvitation | None:
    return session.scalar(select(SurveyInvitation).where(SurveyInvitation.token_hash == token_hash))


_INVITED_SINCE = (select(SurveyInvitation.customer_id).distinct()
                  .where(SurveyInvitation.customer_id.in_(bindparam("customers", expanding=True)),
                         SurveyInvitation.sent_at > bindparam("since")))


def invited_since(session: Session, customer_ids: set[int], since: datetime) -> set[int]:
    """Which of these customers were invited after `since`."""
    return set(session.scalars(_INVITED_SINCE, {"customers": sorted(customer_ids), "since": since}))


def order_customer(session: Session, order_id: int) -> SurveyOrderCustomer | None:
    return session.get(SurveyOrderCustomer, order_id)


def listing(status: str | None, limit: int) -> Select[SurveyInvitation]:
    stmt = select(SurveyInvitation).order_by(SurveyInvitation.sent_at.desc()).limit(limit)
    return stmt.where(SurveyInvitation.status == status) if status else stmt


def due_to_expire(now: datetime) -> Select[SurveyInvitation]:
    return select(SurveyInvitation).where(SurveyInvitation.status == "sent", SurveyInvitation.expires_at <= now)


def page(session: Session, status: str | None, offset: int,
         limit: int) -> tuple[list[tuple[SurveyInvitation, SurveyResponse | None]], int]:
    """One page of invitations, newest first, each with its answer if any; and how many there are."""
    where = [SurveyInvitation.status == status] if status else []
    total = session.scalar(select(func.count()).select_from(SurveyInvitation).where(*where)) or 0
    stmt = (select(SurveyInvitation, SurveyResponse)
            .outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id).where(*where)
            .order_by(SurveyInvitation.sent_at.desc(), SurveyInvitation.id.desc()).offset(offset).limit(limit))
    return [(i, r) for i, r in session.execute(stmt).all()], total


# --- campaigns ------------------------------------------------------------------------------------------------

def visible_campaigns(principal: Principal | None) -> Select[SurveyCampaign]:
    """A provincial manager reads the campaigns of their provinces; national ones only without a region scope."""
    stmt = select(SurveyCampaign)
    scope = principal.region_scope if principal else None
    return stmt.where(SurveyCampaign.province_code.in_(scope)) if scope is not None else stmt


def campaign(session: Session, principal: Principal | None, campaign_id: int) -> SurveyCampaign | None:
    return session.scalar(visible_campaigns(principal).where(SurveyCampaign.id == campaign_id))


def campaigns(session: Session, principal: Principal | None, limit: int = 100) -> list[SurveyCampaign]:
    return list(session.scalars(visible_campaigns(principal).order_by(SurveyCampaign.id.desc()).limit(limit)))


def population(session: Session, province: str | None) -> list[tuple[int, str, str]]:
    """(customer id, province, tier) of every real customer. The provinces' placeholder customers for unknown
    callers (`customers.service.unidentified_caller`) have the province as their district: left out."""
    c = CUSTOMERS.c
    stmt = select(c.id, c.province_code, c.tier).where(c.district_code != c.province_code).order_by(c.id)
    if province:
        stmt = stmt.where(c.province_code == province)
    return [(int(i), str(p), str(t)) for i, p, t in session.execute(stmt)]


CHUNK = 1000


def last_channels(session: Session, customer_ids: list[int]) -> dict[int, str]:
    """Each customer's channel of their latest contact (hotline, app, …); customers who never called: absent."""
    c = CONTACTS.c
    out: dict[int, str] = {}
    for i in range(0, len(customer_ids), CHUNK):
        ids = customer_ids[i:i + CHUNK]
        latest = (select(c.customer_id, func.max(c.started_at).label("at")).where(c.customer_id.in_(ids))
                  .group_by(c.customer_id).subquery())
        stmt = (select(c.customer_id, c.channel)
                .join(latest, and_(c.customer_id == latest.c.customer_id, c.started_at == latest.c.at))
                .order_by(c.customer_id, c.id))
        out.update({int(cid): str(ch) for cid, ch in session.execute(stmt)})
    return out


def campaign_invitation(session: Session, token_hash: str) -> SurveyCampaignInvitation | None:
    return session.scalar(select(SurveyCampaignInvitation).where(SurveyCampaignInvitation.token_hash == token_hash))


def campaign_counts(session: Session, campaign_id: int) -> dict[str, int]:
    """Invitations by status."""
    i = SurveyCampaignInvitation
    return {str(st): int(n) for st, n in session.execute(
        select(i.status, func.count()).where(i.campaign_id == campaign_id).group_by(i.status))}


def campaign_scores(session: Session, campaign_id: int) -> list[tuple[str, str, str, str, str, int]]:
    """(stratum, province, service channel, tier, dimension, score) of every dimension answer."""
    a, i = SurveyCampaignAnswer, SurveyCampaignInvitation
    stmt = (select(i.stratum, i.province_code, i.service_channel, i.tier, a.dimension, a.score)
            .join(i, i.id == a.invitation_id)
            .where(a.campaign_id == campaign_id, a.score.is_not(None)).order_by(a.id))
    return [(s, p, ch, t, d, int(x or 0)) for s, p, ch, t, d, x in session.execute(stmt)]


def campaign_comments(session: Session, campaign_id: int, limit: int = 200) -> list[tuple[str, str, str]]:
    """(province, tier, comment), newest first."""
    a, i = SurveyCampaignAnswer, SurveyCampaignInvitation
    stmt = (select(i.province_code, i.tier, a.comment).join(i, i.id == a.invitation_id)
            .where(a.campaign_id == campaign_id, a.dimension == "comment").order_by(a.id.desc()).limit(limit))
    return [(p, t, str(c)) for p, t, c in session.execute(stmt)]


def open_campaign_invitations(session: Session, campaign_id: int) -> Select[SurveyCampaignInvitation]:
    i = SurveyCampaignInvitation
    return select(i).where(i.campaign_id == campaign_id, i.status == "sent")


def campaign_invitations_due_to_expire(now: datetime) -> Select[SurveyCampaignInvitation]:
    i = SurveyCampaignInvitation
    return select(i).where(i.status == "sent", i.expires_at <= now)
