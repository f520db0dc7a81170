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
    INTEGRATOR = "integrator"
    """A checkout or ERP integration's key: instant checkout decisions and nothing else."""


class Permission(StrEnum):
    READ = "read"
    WRITE_COMPANIES = "write_companies"
    WRITE_LEDGER = "write_ledger"
    WRITE_ACCOUNTS = "write_accounts"
    ADMINISTER = "administer"
    REQUEST_LIMITS = "request_limits"
    DECIDE_LIMITS = "decide_limits"
    SET_CREDIT_POLICY = "set_credit_policy"
    OVERRIDE_HOLDS = "override_holds"
    DECIDE_CHECKOUT = "decide_checkout"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.COLLECTOR: frozenset({Permission.READ, Permission.WRITE_LEDGER}),
    Role.CREDIT_ANALYST: frozenset(
        {
            Permission.READ,
            Permission.WRITE_COMPANIES,
            Permission.REQUEST_LIMITS,
            Permission.DECIDE_LIMITS,
        }
    ),
    Role.CREDIT_MANAGER: frozenset(
        {
            Permission.READ,
            Permission.WRITE_COMPANIES,
            Permission.WRITE_LEDGER,
            Permission.WRITE_ACCOUNTS,
            Permission.REQUEST_LIMITS,
            Permission.DECIDE_LIMITS,
            Permission.SET_CREDIT_POLICY,
            Permission.OVERRIDE_HOLDS,
            Permission.DECIDE_CHECKOUT,
        }
    ),
    Role.UNDERWRITER: frozenset(
        {
            Permission.READ,
            Permission.WRITE_COMPANIES,
            Permission.WRITE_ACCOUNTS,
            Permission.REQUEST_LIMITS,
            Permission.DECIDE_LIMITS,
            Permission.SET_CREDIT_POLICY,
        }
    ),
    Role.ADMIN: frozenset(Permission),
    Role.INTEGRATOR: frozenset({Permission.DECIDE_CHECKOUT}),
}


LIMIT_DECIDING_ROLES: tuple[Role, ...] = (
    Role.CREDIT_ANALYST,
    Role.CREDIT_MANAGER,
    Role.UNDERWRITER,
    Role.ADMIN,
)
"""Lowest to highest: a referred limit request goes to the first of these roles that has a user
whose approval authority covers the amount. Deciding also needs that authority, so a role's
permission alone never approves anything."""


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
