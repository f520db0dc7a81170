"""Who is acting: every service call takes one, and every query is scoped by its organisation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tradecredit.kit.errors import PermissionDenied
from tradecredit.organisations.roles import Permission, Role, role_allows


@dataclass(frozen=True, slots=True)
class Actor:
    org_id: uuid.UUID
    name: str
    role: Role
    user_id: uuid.UUID | None = None

    def require(self, permission: Permission) -> None:
        if not role_allows(self.role, permission):
            raise PermissionDenied(
                f"role {self.role.value!r} may not {permission.value.replace('_', ' ')}"
            )
