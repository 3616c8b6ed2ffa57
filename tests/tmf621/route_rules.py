"""Who may call the TMF621 Trouble Ticket routes."""

from __future__ import annotations

B = "/tmf-api/troubleTicket/v4"
RULES: dict[tuple[str, str], str | None] = {
    ("GET", f"{B}/troubleTicket"): "orders:read",
    ("POST", f"{B}/troubleTicket"): "orders:write",
    ("GET", f"{B}/troubleTicket/{{ticket_id}}"): "orders:read",
    ("PATCH", f"{B}/troubleTicket/{{ticket_id}}"): "orders:write",
    ("DELETE", f"{B}/troubleTicket/{{ticket_id}}"): "orders:write",
    ("POST", f"{B}/hub"): "orders:write",
    ("DELETE", f"{B}/hub/{{subscription_id}}"): "orders:write",
    ("GET", f"{B}/hub/{{subscription_id}}"): "orders:read",
    ("GET", f"{B}/hub/deadLetters"): "hub:admin",
    ("POST", f"{B}/hub/deadLetters/{{delivery_id}}/replay"): "hub:admin",
    ("GET", "/admin/hub/dead-letters"): "hub:admin",
}
