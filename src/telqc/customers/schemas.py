"""Customer API shapes. Personal fields are plain text only when the reader may see them."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from telqc.core.schemas import Day, Id, In, Out, SiteId
from telqc.customers.models import Lifecycle, Tier

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """GB 11643-1999 check character of a resident ID number."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _valid_id_number(v: str) -> str:
    v = v.upper()
    if not re.fullmatch(r"\d{17}[\dX]", v):
        raise ValueError("身份证号码必须是18位 / ID number must be 18 characters")
    if id_check_char(v[:17]) != v[17]:
        raise ValueError("身份证号码校验位错误 / ID number check digit is wrong")
    return v


def _valid_phone(v: str) -> str:
    digits = re.sub(r"[\s-]", "", v)
    digits = digits.removeprefix("+86")
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise ValueError("手机号码必须是11位且以1开头 / phone must be an 11-digit mobile number")
    return digits


IdNumber = Annotated[str, AfterValidator(_valid_id_number)]
Phone = Annotated[str, AfterValidator(_valid_phone)]
ServicePassword = Annotated[str, Field(pattern=r"^\d{6}$")]
AreaType = Literal["urban", "rural"]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class CustomerCreate(In):
    name: str = Field(min_length=1, max_length=60)
    phones: list[Phone] = Field(min_length=1, max_length=5)
    id_number: IdNumber
    address: str = Field(min_length=4, max_length=200)
    district_code: str = Field(min_length=2, max_length=12)
    tier: Tier = Tier.regular
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    lifecycle: Lifecycle = Lifecycle.new
    joined_on: Day
    contract_end: Day | None = None
    service_password: ServicePassword | None = None
    plans: list[str] = Field(default_factory=list, max_length=10)


class CustomerPatch(In):
    """Only the fields sent change. `tier`, `lifecycle` and `tags` always have a value, so an explicit null is a
    422 naming the field (send `"tags": []` to clear the tags); `contract_end: null` clears the contract end."""

    tier: Tier | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)
    lifecycle: Lifecycle | None = None
    contract_end: Day | None = None

    @field_validator("tier", "tags", "lifecycle", mode="after")
    @classmethod
    def _not_null(cls, v: object) -> object:
        # Runs only for values the client sent (defaults are not validated): null is refused, omission is not.
        if v is None:
            raise ValueError("不能为空 / may not be null")
        return v


class PlanOut(Out):
    code: str
    name: str
    monthly_fee: Decimal
    started_on: date
    site_id: str | None = None  # the cell or broadband access point serving it


class CustomerOut(Out):
    id: int
    name: str
    phones: list[str]
    id_number: str
    address: str
    province: str
    city: str
    district: str
    area_type: AreaType
    tier: Tier
    tags: list[str]
    lifecycle: Lifecycle
    joined_on: date
    tenure_months: int
    contract_end: date | None
    plans: list[PlanOut]
    monthly_fee_total: Decimal
    pii_masked: bool
    version: int


class VerifyIn(In):
    phone: Phone
    id_last4: str | None = Field(default=None, pattern=r"^\d{3}[\dXx]$")
    service_password: ServicePassword | None = None

    @model_validator(mode="after")
    def _one_secret(self) -> VerifyIn:
        if (self.id_last4 is None) == (self.service_password is None):
            raise ValueError("give exactly one of id_last4 or service_password / 证件后四位与服务密码二选一")
        return self


class VerificationState(Out):
    """The verification control of the order and customer pages (核实客户身份: result, method, lockout)."""

    contact_id: int | None
    verified: bool
    method: str | None
    verified_at: datetime | None
    locked_until: datetime | None
    attempts_left: int


class VerifyOut(Out):
    verified: bool
    customer_id: int
    method: str


class PlanChangeIn(In):
    contact_id: Id
    plan_code: str = Field(min_length=1, max_length=20)
    replaces: str | None = Field(default=None, max_length=20)


class PlanSiteIn(In):
    """The site serving a current subscription; null clears it (the customer is then matched by address only)."""

    site_id: SiteId | None


class AddressChangeIn(In):
    contact_id: Id
    address: str = Field(min_length=4, max_length=200)
