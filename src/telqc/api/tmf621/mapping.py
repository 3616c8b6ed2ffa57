"""TelQC work orders ⇄ TMF621 v4 TroubleTicket resources.

Types: complaint ⇄ "complaint", fault repair ⇄ "incident", business request ⇄ "request",
consultation ⇄ "inquiry" (our own names are accepted too). Severity is the order's: the one the
client gave at create, else the category's default (1 Critical … 4 Minor); priority P1–P4 ⇄
Critical/High/Medium/Low, derived by TelQC from the category (the spec: set by the ticket system).
Statuses follow ``orders.states.to_tmf621``: ``new`` is reported as acknowledged, a wait on
a third party as held, and a resolved complaint awaiting its callback stays resolved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telqc.orders.schemas import OrderTypeName
from telqc.orders.states import to_tmf621

BASE = "/tmf-api/troubleTicket/v4"
TICKET_TYPES: dict[OrderTypeName, str] = {"complaint": "complaint", "repair": "incident", "business": "request",
                                          "consultation": "inquiry"}
TYPE_FROM_TMF: dict[str, OrderTypeName] = {v: k for k, v in TICKET_TYPES.items()} | {k: k for k in TICKET_TYPES} | {
    "complain": "complaint", "fault": "repair", "trouble": "repair"}
PRIORITY = {"P1": "Critical", "P2": "High", "P3": "Medium", "P4": "Low"}
SEVERITY = {1: "Critical", 2: "Major", 3: "Minor", 4: "Minor"}
SEVERITY_FROM_TMF = {"critical": 1, "major": 2, "minor": 3, "low": 4, "medium": 3, "high": 2}
CHANNELS = ("hotline", "app", "web", "wechat", "store", "social")  # `orders.schemas.ChannelName`
# TroubleTicket_Create attributes TelQC sets itself (a client echoing a GET body is told, not ignored) and
# those it has nowhere to keep (refused rather than dropped: the client must know they were not kept).
CREATE_READ_ONLY = ("id", "href", "creationDate", "lastUpdate", "statusChange", "statusChangeDate",
                    "statusChangeReason", "expectedResolutionDate", "resolutionDate")
CREATE_UNSUPPORTED = ("attachment", "relatedEntity", "troubleTicketRelationship")
# Every attribute of the v4 TroubleTicket resource: a merge patch naming one TelQC does not let it change
# hears "read-only"; one naming anything else hears "unknown" (a typo, not a permission).
TICKET_ATTRIBUTES = frozenset({
    "id", "href", "creationDate", "description", "expectedResolutionDate", "externalId", "lastUpdate", "name",
    "priority", "requestedResolutionDate", "resolutionDate", "severity", "statusChangeDate", "statusChangeReason",
    "ticketType", "attachment", "channel", "note", "relatedEntity", "relatedParty", "status", "statusChange",
    "troubleTicketRelationship", "@baseType", "@schemaLocation", "@type"})
# Categories chosen when a TMF client sends no TelQC category: the type's general category.
DEFAULT_CATEGORY = {"complaint": "complaint", "repair": "repair", "business": "business",
                    "consultation": "consultation"}


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat().replace("+00:00", "Z") if dt else None


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != []}


def _reason(item: Any) -> str:
    """The reason the client gave (statusChangeReason), else the timeline's wording of the change."""
    given = item.data.get("reason")
    return str(given) if given else str(item.text)


def ticket(order: Any, detail: Any | None = None, staff: bool = True) -> dict[str, Any]:
    """The TroubleTicket resource of an order (``detail`` adds notes and the status history)."""
    oid = str(order.id)
    parties = [{"id": str(order.customer_id), "role": "customer", "@referredType": "Customer"}]
    if staff and order.owner_id:
        parties.append({"id": str(order.owner_id), "role": "owner", "@referredType": "Individual"})
    if staff and order.handler_id:
        parties.append({"id": str(order.handler_id), "role": "handler", "@referredType": "Individual"})
    out: dict[str, Any] = {
        "id": oid, "href": f"{BASE}/troubleTicket/{oid}", "@type": "TroubleTicket",
        "name": order.title, "description": order.description,
        "ticketType": TICKET_TYPES.get(order.type, order.type),
        "severity": SEVERITY.get(order.severity, "Minor"), "priority": PRIORITY.get(order.priority, order.priority),
        "status": to_tmf621(order.status, order.pending_reason).value,
        "creationDate": _iso(order.created_at), "lastUpdate": _iso(order.updated_at),
        "expectedResolutionDate": _iso(order.resolution_due), "resolutionDate": _iso(order.resolved_at),
        "channel": {"id": order.channel, "name": order.channel, "@referredType": "Channel"},
        "relatedParty": parties,
        "troubleTicketRelationship": [{"id": str(i), "href": f"{BASE}/troubleTicket/{i}", "relationshipType":
                                       "isRelatedTo"} for i in getattr(detail, "linked_order_ids", [])],
    }
    if detail is not None:
        changes = [i for i in detail.timeline if i.kind == "status"]
        out["statusChange"] = [_drop_none({
            "status": to_tmf621(str(i.data["to"])).value if i.data.get("to") else None, "changeDate": _iso(i.at),
            "changeReason": _reason(i), "@type": "StatusChange"}) for i in changes]
        if changes:
            out["statusChangeDate"] = _iso(changes[-1].at)
            out["statusChangeReason"] = _reason(changes[-1])
        out["note"] = [_drop_none({"id": str(n), "date": _iso(i.at), "text": i.text, "@type": "Note",
                                   "author": str(i.actor_id) if (staff and i.actor_id) else None})
                       for n, i in enumerate((x for x in detail.timeline if x.kind == "note"
                                              and (staff or x.public)), start=1)]
    return _drop_none(out)


def project(resource: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """``fields=a,b``: keep only those attributes (plus id, href and @type, as the guidelines require)."""
    if not fields:
        return resource
    keep = {f.strip() for f in fields.split(",") if f.strip()} | {"id", "href", "@type"}
    return {k: v for k, v in resource.items() if k in keep}
