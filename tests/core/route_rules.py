"""Who may call the platform's own routes (auth, admin, customers, contacts, pages).

Each domain keeps its table in ``tests/<domain>/route_rules.py``; the authorization test merges them.
"""

from __future__ import annotations

AUTHENTICATED = "authenticated"
PUBLIC = None

# (method, path) -> permission string, AUTHENTICATED, or PUBLIC (None)
RULES: dict[tuple[str, str], str | None] = {
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): AUTHENTICATED,
    ("GET", "/api/v1/auth/me"): AUTHENTICATED,
    ("GET", "/api/v1/users"): "users:read",
    ("POST", "/api/v1/users"): "users:admin",
    ("GET", "/api/v1/regions"): AUTHENTICATED,
    ("GET", "/api/v1/plans"): AUTHENTICATED,
    ("GET", "/api/v1/audit"): "audit:read",
    ("GET", "/api/v1/audit/verify"): "audit:read",
    ("GET", "/api/v1/customers"): "customers:read",
    ("POST", "/api/v1/customers"): "customers:write",
    ("GET", "/api/v1/customers/{customer_id}"): "customers:read",
    ("PATCH", "/api/v1/customers/{customer_id}"): "customers:write",
    ("GET", "/api/v1/customers/{customer_id}/360"): "customers:read",
    ("POST", "/api/v1/customers/{customer_id}/plan-change"): "customers:account",
    ("POST", "/api/v1/customers/{customer_id}/address-change"): "customers:account",
    ("POST", "/api/v1/contacts/{contact_id}/verify"): "customers:verify",
    ("GET", "/api/v1/me/customer"): "self:read",
    ("POST", "/api/v1/contacts"): "contacts:write",
    ("GET", "/api/v1/contacts/{contact_id}"): "contacts:read",
    # pages
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/commitments"): PUBLIC,
    ("GET", "/api/v1/public/commitments"): PUBLIC,
    ("POST", "/logout"): AUTHENTICATED,
    ("GET", "/"): AUTHENTICATED,
    ("GET", "/customers"): "customers:read",
    ("GET", "/customers/results"): "customers:read",
    ("GET", "/customers/{customer_id}"): "customers:read",
    ("POST", "/contacts/{contact_id}/verify"): "customers:verify",
    ("POST", "/users/new"): "users:admin",
    ("GET", "/users/{user_id}"): "users:admin",
    ("POST", "/users/{user_id}"): "users:admin",
    ("POST", "/users/{user_id}/active"): "users:admin",
    ("POST", "/users/{user_id}/password"): "users:admin",
    ("GET", "/my"): "self:read",
    ("GET", "/users"): "users:read",
    ("GET", "/audit"): "audit:read",
}
