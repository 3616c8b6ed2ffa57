"""Roles, permissions and the one table that joins them.

Routes name a permission; nothing else decides who may call them. Data scope
(which regions' customers a user may read) is applied by repositories from the
principal, so the same route serves a provincial agent and a national manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    customer = "customer"
    agent = "agent"
    engineer = "engineer"
    inspector = "inspector"
    supervisor = "supervisor"
    manager = "manager"
    netops = "netops"
    admin = "admin"


class Perm(StrEnum):
    self_read = "self:read"                  # a customer's own profile and orders
    customers_read = "customers:read"
    customers_write = "customers:write"      # create / edit profiles (back office)
    customers_pii = "customers:pii"          # see unmasked phone, ID number, address
    customers_verify = "customers:verify"    # run identity verification on a contact
    customers_account = "customers:account"  # account changes for a verified caller
    contacts_read = "contacts:read"
    contacts_write = "contacts:write"
    users_read = "users:read"
    users_admin = "users:admin"
    audit_read = "audit:read"


ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.customer: frozenset({Perm.self_read}),
    Role.agent: frozenset({
        Perm.customers_read, Perm.customers_verify, Perm.customers_account,
        Perm.contacts_read, Perm.contacts_write,
    }),
    Role.engineer: frozenset(),
    Role.inspector: frozenset({Perm.customers_read, Perm.contacts_read}),
    Role.supervisor: frozenset({
        Perm.customers_read, Perm.customers_pii, Perm.customers_verify, Perm.customers_account,
        Perm.contacts_read, Perm.contacts_write, Perm.users_read,
    }),
    Role.manager: frozenset({Perm.customers_read, Perm.contacts_read, Perm.users_read, Perm.audit_read}),
    Role.netops: frozenset(),
    Role.admin: frozenset(Perm) - {Perm.self_read},
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: identity, role and data scope, resolved once per request."""

    user_id: int
    username: str
    display_name: str
    role: Role
    region_scope: tuple[str, ...] | None  # province codes; None means every region
    team_id: int | None = None
    customer_id: int | None = None

    @property
    def permissions(self) -> frozenset[Perm]:
        return ROLE_PERMISSIONS[self.role]

    def can(self, perm: Perm) -> bool:
        return perm in self.permissions

    def sees_region(self, province_code: str) -> bool:
        return self.region_scope is None or province_code in self.region_scope
