"""Organisations, users and API keys. Keys are random, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.context import Actor
from tradecredit.db.prepared import Prepared, Sent
from tradecredit.kit.currencies import validate_currency
from tradecredit.kit.errors import AlreadyExists, InvalidInput, NotFound, Unauthenticated
from tradecredit.kit.money import to_minor
from tradecredit.organisations.models import ApiKey, Organisation, User
from tradecredit.organisations.roles import Permission, Role

ORG_KINDS = ("seller", "insurer")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
KEY_PREFIX = "tc_"


def system_actor(org_id: uuid.UUID, name: str = "system") -> Actor:
    return Actor(org_id=org_id, name=name, role=Role.ADMIN)


def create_organisation(
    session: Session, *, slug: str, name: str, kind: str, base_currency: str, actor_name: str
) -> Organisation:
    if not _SLUG.match(slug):
        raise InvalidInput(f"invalid slug {slug!r}: lower-case letters, digits and '-', 2-63 long")
    if kind not in ORG_KINDS:
        raise InvalidInput(f"invalid organisation kind {kind!r}: one of {', '.join(ORG_KINDS)}")
    validate_currency(base_currency)
    if session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        raise AlreadyExists(f"organisation {slug!r} already exists")
    org = Organisation(slug=slug, name=name, kind=kind, base_currency=base_currency)
    session.add(org)
    session.flush()
    audit.start_chain(session, org_id=org.id)
    audit.record(
        session,
        actor=system_actor(org.id, actor_name),
        action="organisation.created",
        entity_type="organisation",
        entity_id=org.id,
        after={"slug": slug, "name": name, "kind": kind, "base_currency": base_currency},
    )
    return org


def get_organisation_by_slug(session: Session, *, slug: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(f"no organisation {slug!r}")
    return org


def create_user(
    session: Session,
    *,
    actor: Actor,
    email: str,
    name: str,
    role: Role,
    approval_authority: Decimal | None = None,
    authority_currency: str | None = None,
) -> User:
    actor.require(Permission.ADMINISTER)
    if "@" not in email:
        raise InvalidInput(f"invalid e-mail address {email!r}")
    existing = session.scalar(
        select(User.id).where(User.org_id == actor.org_id, User.email == email)
    )
    if existing:
        raise AlreadyExists(f"user {email!r} already exists in this organisation")
    authority_minor = None
    if approval_authority is not None:
        if authority_currency is None:
            raise InvalidInput("an approval authority needs its currency")
        authority_minor = to_minor(approval_authority, authority_currency)
    user = User(
        org_id=actor.org_id,
        email=email,
        name=name,
        role=role.value,
        approval_authority_minor=authority_minor,
        authority_currency=authority_currency,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.created",
        entity_type="user",
        entity_id=user.id,
        after={
            "email": email,
            "name": name,
            "role": role.value,
            "authority_minor": authority_minor,
        },
    )
    return user


@dataclass(frozen=True)
class IssuedKey:
    id: uuid.UUID
    plaintext: str
    prefix: str


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def issue_api_key(session: Session, *, actor: Actor, user_id: uuid.UUID, name: str) -> IssuedKey:
    actor.require(Permission.ADMINISTER)
    user = session.scalar(select(User).where(User.id == user_id, User.org_id == actor.org_id))
    if user is None:
        raise NotFound(f"no user {user_id} in this organisation")
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        org_id=actor.org_id,
        user_id=user.id,
        name=name,
        prefix=plaintext[:10],
        key_hash=hash_key(plaintext),
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="api_key.issued",
        entity_type="api_key",
        entity_id=key.id,
        after={"user_id": str(user.id), "name": name, "prefix": key.prefix},
    )
    return IssuedKey(id=key.id, plaintext=plaintext, prefix=key.prefix)


_KEY_OWNER = Prepared(
    select(ApiKey.org_id, User.email, User.role, User.id)
    .join(User, User.id == ApiKey.user_id)
    .where(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None))
)
"""One indexed read (the unique key_hash) per request, or per batch of checkout decisions, in its
own transaction; nothing is trusted from an earlier read (the decision batches remember owners
only to send their statements together, and check them, `decisions.batch._open_together`), so
a revoked key, or a user's new role, counts from the next request on."""


def authenticate(session: Session, *, plaintext: str) -> Actor:
    """The actor behind an API key; the same error whatever is wrong, so nothing leaks."""
    return authenticated(send_authentication(session, plaintext=plaintext))


def send_authentication(session: Session, *, plaintext: str) -> Sent | None:
    """`authenticate` in two steps: the key's read, sent (`db.prepared.Sent`; None: the key
    is not even of our form), then `authenticated` once its row may be fetched."""
    if not plaintext.startswith(KEY_PREFIX):
        return None
    return _KEY_OWNER.send(session, {"key_hash": hash_key(plaintext)})


def authenticated(sent: Sent | None) -> Actor:
    row = None if sent is None else sent.first()
    if row is None:
        raise Unauthenticated("invalid API key")
    org_id, email, role, user_id = row
    return Actor(org_id=org_id, name=f"user:{email}", role=Role(role), user_id=user_id)
