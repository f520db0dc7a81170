"""Route: GET /me, who the API key acts as (organisation, user, role, permissions)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from tradecredit.api.deps import ActorDep, SessionDep
from tradecredit.kit.errors import NotFound
from tradecredit.organisations.models import Organisation, User
from tradecredit.organisations.roles import ROLE_PERMISSIONS

router = APIRouter(tags=["organisation"])


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str
    kind: str
    base_currency: str


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str
    role: str


class MeOut(BaseModel):
    organisation: OrganisationOut
    user: UserOut
    permissions: list[str]


@router.get("/me", response_model=MeOut, summary="The organisation and user of the API key")
def me(session: SessionDep, actor: ActorDep) -> MeOut:
    organisation = session.get(Organisation, actor.org_id)
    user = None if actor.user_id is None else session.get(User, actor.user_id)
    if organisation is None or user is None or user.org_id != actor.org_id:
        raise NotFound("the API key's user or organisation no longer exists")
    return MeOut(
        organisation=OrganisationOut.model_validate(organisation),
        user=UserOut.model_validate(user),
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[actor.role]),
    )
