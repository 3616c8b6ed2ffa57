"""Customer profile tables, and the identity-verification attempts made on contacts.

Phone, ID number and address are stored encrypted only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime
from telqc.core.pii import EncryptedText


class Tier(StrEnum):
    vip = "vip"
    gold = "gold"
    silver = "silver"
    regular = "regular"


class Lifecycle(StrEnum):
    new = "new"
    in_contract = "in_contract"
    contract_expiring = "contract_expiring"
    churn_risk = "churn_risk"
    growing = "growing"  # the assessed stages (insight.tiering); in_contract stays for labels typed in before
    mature = "mature"
    lapsed = "lapsed"


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint("tier in ('vip','gold','silver','regular')", name="tier"),
        CheckConstraint("lifecycle in ('new','in_contract','contract_expiring','churn_risk','growing','mature',"
                        "'lapsed')", name="lifecycle"),
        CheckConstraint("area_type in ('urban','rural')", name="area_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    id_number: Mapped[str] = mapped_column(EncryptedText())
    address: Mapped[str] = mapped_column(EncryptedText())
    province_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    city_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    district_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    area_type: Mapped[str] = mapped_column(String(8))
    tier: Mapped[str] = mapped_column(String(10), default=Tier.regular.value)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    lifecycle: Mapped[str] = mapped_column(String(20), default=Lifecycle.new.value)
    joined_on: Mapped[date] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    service_password_hash: Mapped[str | None] = mapped_column(String(200))
    verify_failures: Mapped[int] = mapped_column(Integer, default=0)
    verify_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CustomerPhone(Base):
    __tablename__ = "customer_phones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    phone: Mapped[str] = mapped_column(EncryptedText())
    # Keyed hash of the normalized number: exact search without decrypting.
    # a blind index of `phone` (`telqc.core.rotation` rewrites it under a new index key)
    phone_index: Mapped[str] = mapped_column(String(64), index=True, info={"blind_index_of": ("phone", "phone")})
    # a blind index of the last four digits only: 尾号 search narrows to a bucket, then decrypts and filters
    tail_index: Mapped[str] = mapped_column(String(64), index=True, info={"blind_index_of": ("phone", "phone_tail")})
    is_primary: Mapped[bool] = mapped_column(default=False)


class Plan(Base):
    __tablename__ = "plans"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(12))  # mobile | broadband | fusion | iptv
    monthly_fee: Mapped[Decimal] = mapped_column(Numeric(10, 2))


class CustomerPlan(Base):
    __tablename__ = "customer_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    plan_code: Mapped[str] = mapped_column(ForeignKey("plans.code"))
    monthly_fee: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    # the cell or broadband access point serving this subscription: an incident listing sites reaches it
    site_id: Mapped[str | None] = mapped_column(String(40), index=True)


class VerificationAttempt(Base):
    """One 核实客户身份 attempt on a contact: the log behind the lockout and the account-change gate."""

    __tablename__ = "verification_attempts"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    method: Mapped[str] = mapped_column(String(20))
    success: Mapped[bool] = mapped_column(Boolean)
