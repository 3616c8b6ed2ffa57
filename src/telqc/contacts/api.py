"""Contact routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from telqc.api.deps import CtxDep, IdPath, require
from telqc.contacts import schemas as s
from telqc.contacts import service
from telqc.contacts.models import Contact
from telqc.core.rbac import Perm, Principal

router = APIRouter(prefix="/api/v1/contacts", tags=["contacts"])


@router.post("", response_model=s.ContactOut, status_code=201)
def open_contact(ctx: CtxDep, body: s.ContactCreate,
                 _: Annotated[Principal, require(Perm.contacts_write)]) -> Contact:
    return service.open_contact(ctx, body)


@router.get("/{contact_id}", response_model=s.ContactOut)
def get_contact(ctx: CtxDep, contact_id: IdPath, _: Annotated[Principal, require(Perm.contacts_read)]) -> Contact:
    return service.get(ctx, contact_id)
