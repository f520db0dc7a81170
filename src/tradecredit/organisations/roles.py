"""Roles and what each may do. Approval authority (an amount) is a property of the user."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    COLLECTOR = "collector"
    CREDIT_ANALYST = "credit_analyst"
    CREDIT_MANAGER = "credit_manager"
    UNDERWRITER = "underwriter"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"
    WRITE_COMPANIES = "write_companies"
    WRITE_LEDGER = "write_ledger"
    WRITE_ACCOUNTS = "write_accounts"
    ADMINISTER = "administer"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.COLLECTOR: frozenset({Permission.READ, Permission.WRITE_LEDGER}),
    Role.CREDIT_ANALYST: frozenset({Permission.READ, Permission.WRITE_COMPANIES}),
    Role.CREDIT_MANAGER: frozenset(
        {
            Permission.READ,
            Permission.WRITE_COMPANIES,
            Permission.WRITE_LEDGER,
            Permission.WRITE_ACCOUNTS,
        }
    ),
    Role.UNDERWRITER: frozenset(
        {Permission.READ, Permission.WRITE_COMPANIES, Permission.WRITE_ACCOUNTS}
    ),
    Role.ADMIN: frozenset(Permission),
}


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
