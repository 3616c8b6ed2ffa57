"""Customer rules: profiles, search, identity verification and the account changes it gates.

Identity verification (核实客户身份) belongs to this domain, not to `contacts`: what it checks (the ID
number, the service-password hash), the lockout that protects those secrets and the account changes it
unlocks are all customer data and rules. A contact is only where it happens: the attempt is logged here
(`VerificationAttempt`), and `contacts.service.mark_verified` records the outcome on the contact, which is
what an account change asks for. Contacts read customers through `customers.read` only, so the two
services do not import each other. The customer 360 view is a composition of several domains and lives in
`telqc.api.customer360`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import select

from telqc.contacts import service as contacts
from telqc.core import pii
from telqc.core.auth import check_password, hash_password
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, Locked, NotFound, PreconditionFailed
from telqc.core.models import Region
from telqc.core.rbac import Perm, Principal
from telqc.customers import repository as repo
from telqc.customers import schemas as s
from telqc.customers.models import Customer, CustomerPhone, CustomerPlan, Lifecycle, Plan, Tier, VerificationAttempt


def _principal(ctx: Ctx) -> Principal:
    assert ctx.principal is not None, "customer services need an acting user"
    return ctx.principal


def _months_between(a: date, b: date) -> int:
    return max(0, (b.year - a.year) * 12 + b.month - a.month - (1 if b.day < a.day else 0))


def present(ctx: Ctx, customers: list[Customer]) -> list[s.CustomerOut]:
    """Shape customers for the reader: masked unless the role may see personal data, which is audited."""
    p = _principal(ctx)
    if not customers:
        return []
    ids = [c.id for c in customers]
    phones = repo.phones_of(ctx.session, ids)
    plans = repo.plans_of(ctx.session, ids)
    names = repo.region_names(
        ctx.session, {code for c in customers for code in (c.province_code, c.city_code, c.district_code)}
    )
    unmasked = p.can(Perm.customers_pii) or (p.customer_id is not None and ids == [p.customer_id])
    today = ctx.now().date()
    out = []
    for c in customers:
        nums = [ph.phone for ph in phones[c.id]]
        current = plans[c.id]
        out.append(
            s.CustomerOut(
                id=c.id, name=c.name,
                phones=nums if unmasked else [pii.mask_phone(n) for n in nums],
                id_number=c.id_number if unmasked else pii.mask_id_number(c.id_number),
                address=c.address if unmasked else pii.mask_address(c.address),
                province=names.get(c.province_code, c.province_code), city=names.get(c.city_code, c.city_code),
                # the table's CHECK constraints hold these columns to the schema's names
                district=names.get(c.district_code, c.district_code), area_type=cast(s.AreaType, c.area_type),
                tier=Tier(c.tier), tags=c.tags, lifecycle=Lifecycle(c.lifecycle),
                joined_on=c.joined_on, tenure_months=_months_between(c.joined_on, today),
                contract_end=c.contract_end,
                plans=[s.PlanOut(code=pl.code, name=pl.name, monthly_fee=cp.monthly_fee, started_on=cp.started_on,
                                 site_id=cp.site_id) for cp, pl in current],
                monthly_fee_total=sum((cp.monthly_fee for cp, _ in current), Decimal("0")),
                pii_masked=not unmasked, version=c.version,
            )
        )
    if unmasked and p.customer_id is None:
        ctx.audit("pii.read", "customer", ",".join(map(str, ids)), fields=["phones", "id_number", "address"])
    return out


def get(ctx: Ctx, customer_id: int) -> Customer:
    c = repo.get_readable(ctx.session, _principal(ctx), customer_id)
    if c is None:
        raise NotFound(what="w.customer")
    return c


TAIL_SCAN_LIMIT = 2000  # phones decrypted for one 尾号 search; a 4-digit tail in a 10M-customer province is ~1,000


def search(ctx: Ctx, *, phone: str | None = None, name: str | None = None, limit: int = 20) -> list[Customer]:
    """By full number (exact, blind index), by 尾号 (the last 4–10 digits), or by name prefix; phone and
    name together narrow each other, which is how an agent finds 尾号 1234 among many."""
    principal = _principal(ctx)
    if phone:
        digits = pii.normalize_phone(phone)
        if len(digits) == 11:
            found = repo.find_by_phone_index(ctx.session, principal, pii.phone_indexes(digits))
        elif pii.TAIL_DIGITS <= len(digits) <= 10:
            found = _by_tail(ctx, principal, digits)
        else:
            raise Invalid("v.phone_search", field="query.phone")
        if name:
            found = [c for c in found if c.name.startswith(name)]
        return found[:limit]
    if name:
        return repo.search_by_name(ctx.session, principal, name, limit)
    raise Invalid("v.missing", field="query.phone")


def _by_tail(ctx: Ctx, principal: Principal, digits: str) -> list[Customer]:
    """Customers with a phone ending in `digits`: the tail index narrows to the 尾号 bucket, decryption filters."""
    pairs = repo.find_by_tail_index(ctx.session, principal, pii.phone_tail_indexes(digits), TAIL_SCAN_LIMIT)
    seen: set[int] = set()
    out: list[Customer] = []
    for customer, stored in pairs:
        if customer.id not in seen and pii.normalize_phone(stored).endswith(digits):
            seen.add(customer.id)
            out.append(customer)
    return out


def create(ctx: Ctx, data: s.CustomerCreate) -> Customer:
    district = ctx.session.get(Region, data.district_code)
    if district is None or district.level != "district" or district.parent_code is None:
        raise Invalid("error.not_found", field="body.district_code", what="w.region")
    city = ctx.session.get(Region, district.parent_code)
    assert city is not None and city.parent_code is not None
    if not _principal(ctx).sees_region(city.parent_code):
        raise NotFound(what="w.region")
    for ph in data.phones:
        if ctx.session.scalar(select(CustomerPhone.id).where(CustomerPhone.phone_index.in_(pii.phone_indexes(ph)))):
            raise Conflict("error.duplicate", field="body.phones", what="w.phone")
    now = ctx.now()
    c = Customer(
        name=data.name, id_number=data.id_number, address=data.address,
        province_code=city.parent_code, city_code=city.code, district_code=district.code,
        area_type=district.area_type or "urban", tier=data.tier.value, tags=data.tags,
        lifecycle=data.lifecycle.value, joined_on=data.joined_on, contract_end=data.contract_end,
        service_password_hash=hash_password(data.service_password) if data.service_password else None,
        verify_failures=0, created_at=now, updated_at=now,
    )
    ctx.session.add(c)
    ctx.session.flush()
    for i, ph in enumerate(data.phones):
        ctx.session.add(CustomerPhone(customer_id=c.id, phone=ph, phone_index=pii.phone_index(ph),
                                      tail_index=pii.phone_tail_index(ph), is_primary=i == 0))
    for code in data.plans:
        _add_plan(ctx, c, code, data.joined_on)
    ctx.audit("customer.created", "customer", c.id, tier=c.tier, province=c.province_code, plans=data.plans)
    return c


UNIDENTIFIED = "未识别来电"


def unidentified_caller(ctx: Ctx, province_code: str) -> int:
    """The province's placeholder customer (未识别来电), created on first use, for an order whose caller is not
    known yet: TMF621 does not require a related party, and an order needs a customer for its region scope,
    routing and SLA. It has no personal data; its city and district are the province (unknown below it).
    Orders are not linked as repeat complaints through it (`orders.service.create`: different callers).
    Two first uses at once may each create one: both are placeholders, and the lowest id is used after."""
    region = ctx.session.get(Region, province_code)
    if region is None or region.level != "province" or not _principal(ctx).sees_region(province_code):
        raise NotFound(what="w.region")
    found = ctx.session.execute(select(Customer.id, Customer.tags).where(
        Customer.name == UNIDENTIFIED, Customer.province_code == province_code).order_by(Customer.id))
    for cid, tags in found:
        if UNIDENTIFIED in (tags or []):
            return int(cid)
    now = ctx.now()
    c = Customer(name=UNIDENTIFIED, id_number="", address="", province_code=province_code, city_code=province_code,
                 district_code=province_code, area_type="urban", tier=Tier.regular.value, tags=[UNIDENTIFIED],
                 lifecycle=Lifecycle.new.value, joined_on=now.date(), verify_failures=0, created_at=now,
                 updated_at=now)
    ctx.session.add(c)
    ctx.session.flush()
    ctx.audit("customer.created", "customer", c.id, tier=c.tier, province=province_code, unidentified=True)
    return c.id


def _add_plan(ctx: Ctx, c: Customer, code: str, since: date) -> Plan:
    plan = ctx.session.get(Plan, code)
    if plan is None:
        raise Invalid("error.not_found", field="body.plan_code", what="w.plan")
    ctx.session.add(CustomerPlan(customer_id=c.id, plan_code=code, monthly_fee=plan.monthly_fee, started_on=since))
    return plan


def _plain(v: object) -> object:
    return v.isoformat() if isinstance(v, date) else v


def update(ctx: Ctx, customer_id: int, patch: s.CustomerPatch, if_match: int | None) -> Customer:
    c = get(ctx, customer_id)
    if if_match is not None and if_match != c.version:
        raise PreconditionFailed()
    # Python values for the columns (a Date column refuses an ISO string on SQLite), JSON for the audit entry.
    changes = patch.model_dump(exclude_unset=True)
    before = {k: _plain(getattr(c, k)) for k in changes}
    for k, v in changes.items():
        setattr(c, k, v.value if isinstance(v, (Tier, Lifecycle)) else v)
    c.updated_at = ctx.now()
    ctx.session.flush()
    ctx.audit("customer.updated", "customer", c.id, before=before,
              after=patch.model_dump(exclude_unset=True, mode="json"))
    return c


def apply_assessment(ctx: Ctx, customer_id: int, tier: str | None, lifecycle: str, reasons: list[str]) -> bool:
    """The scheduled tier and stage assessment (insight) writes its result here: no user's region scope
    (the job covers every province), audited with the reasons when anything changed. True if it did."""
    c = ctx.session.get(Customer, customer_id)
    if c is None:
        raise NotFound(what="w.customer")
    before = {"tier": c.tier, "lifecycle": c.lifecycle}
    after = {"tier": Tier(tier).value if tier is not None else c.tier, "lifecycle": Lifecycle(lifecycle).value}
    if after == before:
        return False
    c.tier, c.lifecycle = after["tier"], after["lifecycle"]
    c.updated_at = ctx.now()
    ctx.session.flush()
    ctx.audit("customer.assessed", "customer", c.id, before=before, after=after, reasons=reasons)
    return True


def verify_identity(ctx: Ctx, contact_id: int, data: s.VerifyIn) -> s.VerifyOut:
    """核实客户身份: phone plus ID last 4 or service password; repeated failures lock verification."""
    contact = contacts.get(ctx, contact_id)
    matches = repo.find_by_phone_index(ctx.session, _principal(ctx), pii.phone_indexes(data.phone))
    if not matches:
        raise NotFound(what="w.customer")
    c = matches[0]
    now = ctx.now()
    if c.verify_locked_until and c.verify_locked_until > now:
        raise Locked("error.verify_locked", until=c.verify_locked_until.isoformat(timespec="minutes"))
    method = "id_last4" if data.id_last4 else "service_password"
    if data.id_last4:
        ok = c.id_number[-4:].upper() == data.id_last4.upper()
    else:
        stored = c.service_password_hash
        ok = bool(stored) and check_password(stored or "", data.service_password or "")
    ctx.session.add(VerificationAttempt(contact_id=contact.id, customer_id=c.id, at=now, method=method, success=ok))
    if ok:
        contacts.mark_verified(ctx, contact, c.id, method)
    ctx.audit("contact.verification", "contact", contact.id, customer_id=c.id, method=method, success=ok)
    if not ok:
        c.verify_failures += 1
        left = ctx.settings.verify_max_failures - c.verify_failures
        if left <= 0:
            c.verify_locked_until = now + timedelta(minutes=ctx.settings.verify_lockout_minutes)
            c.verify_failures = 0
            ctx.audit("customer.verify_locked", "customer", c.id, until=c.verify_locked_until.isoformat())
            raise Locked("error.verify_locked", persist=True,
                         until=c.verify_locked_until.isoformat(timespec="minutes"))
        raise Invalid("error.verify_failed", field="body", persist=True, left=left)
    c.verify_failures = 0
    return s.VerifyOut(verified=True, customer_id=c.id, method=method)


def verification_state(ctx: Ctx, customer_id: int, contact_id: int | None) -> s.VerificationState:
    """What the verification control shows: the contact's result and method, attempts left, the lockout."""
    c = get(ctx, customer_id)
    contact = contacts.get(ctx, contact_id) if contact_id else None
    locked = c.verify_locked_until if c.verify_locked_until and c.verify_locked_until > ctx.now() else None
    verified = bool(contact and contact.identity_verified and contact.customer_id == c.id)
    return s.VerificationState(
        contact_id=contact.id if contact else None, verified=verified,
        method=contact.verified_method if verified and contact else None,
        verified_at=contact.verified_at if verified and contact else None, locked_until=locked,
        attempts_left=max(0, ctx.settings.verify_max_failures - c.verify_failures))


def _require_verified(ctx: Ctx, contact_id: int, customer_id: int) -> None:
    """Account changes need a contact on which this very customer passed verification (业务办理前核实身份)."""
    contact = contacts.get(ctx, contact_id)
    if not contact.identity_verified or contact.customer_id != customer_id:
        raise Conflict("error.unverified", field="body.contact_id")


def change_plan(ctx: Ctx, customer_id: int, data: s.PlanChangeIn) -> Customer:
    """Account change: refused unless the caller was verified on this contact (业务办理前核实身份)."""
    c = get(ctx, customer_id)
    _require_verified(ctx, data.contact_id, c.id)
    today = ctx.now().date()
    if data.replaces:
        cp = ctx.session.scalar(select(CustomerPlan).where(
            CustomerPlan.customer_id == c.id, CustomerPlan.plan_code == data.replaces, CustomerPlan.ended_on.is_(None)))
        if cp is None:
            raise Invalid("error.not_found", field="body.replaces", what="w.plan")
        cp.ended_on = today
    _add_plan(ctx, c, data.plan_code, today)
    c.updated_at = ctx.now()
    ctx.session.flush()
    ctx.audit("customer.plan_changed", "customer", c.id, plan=data.plan_code, replaces=data.replaces,
              contact_id=data.contact_id)
    return c


def set_plan_site(ctx: Ctx, customer_id: int, plan_code: str, data: s.PlanSiteIn) -> Customer:
    """Record which cell or broadband access point serves a current subscription: an incident that lists sites
    reaches the customers on them, not their neighbours (`incidents.area`). A network fact, not an account
    change: no identity check, the customer write permission and region scope as for a profile edit."""
    c = get(ctx, customer_id)
    cp = ctx.session.scalar(select(CustomerPlan).where(
        CustomerPlan.customer_id == c.id, CustomerPlan.plan_code == plan_code, CustomerPlan.ended_on.is_(None)))
    if cp is None:
        raise NotFound(what="w.plan")
    before = cp.site_id
    cp.site_id = data.site_id
    c.updated_at = ctx.now()
    ctx.session.flush()
    ctx.audit("customer.plan_site_set", "customer", c.id, plan=plan_code, before=before, after=data.site_id)
    return c


def change_address(ctx: Ctx, customer_id: int, data: s.AddressChangeIn) -> Customer:
    c = get(ctx, customer_id)
    _require_verified(ctx, data.contact_id, c.id)
    c.address = data.address
    c.updated_at = ctx.now()
    ctx.session.flush()
    ctx.audit("customer.address_changed", "customer", c.id, contact_id=data.contact_id)
    return c


def plans(ctx: Ctx) -> list[Plan]:
    """The plan catalogue (reference data every signed-in user may read)."""
    return repo.plans(ctx.session)


def visit_address(ctx: Ctx, customer_id: int) -> str | None:
    """Where a field engineer goes for a repair: the customer's address, decrypted (personal data)."""
    c = ctx.session.get(Customer, customer_id)
    return c.address if c else None


def names(ctx: Ctx, customer_ids: set[int]) -> dict[int, str]:
    """Customer id → name for a list page (surveys, orders): only customers the reader may read."""
    return repo.names_of(ctx.session, _principal(ctx), customer_ids)
