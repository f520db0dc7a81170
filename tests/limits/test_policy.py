"""The credit policy: documented defaults, the TOML file's validation, versions and audit."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.audit.models import AuditEvent
from tradecredit.context import Actor
from tradecredit.kit.errors import InvalidInput, PermissionDenied
from tradecredit.limits.policy import DEFAULT_POLICY, policy_from_toml, policy_to_toml
from tradecredit.limits.policy_store import policy_in_force, set_policy
from tradecredit.organisations.roles import Role


def test_defaults_follow_the_spec() -> None:
    policy = DEFAULT_POLICY
    assert policy.decision_validity_days == 365, "self-set limits are valid 12 months"
    review = policy.review
    assert [review.months(g) for g in (1, 3, 4, 6, 7, 10)] == [12, 12, 3, 3, 1, 1]
    assert [review.band(g) for g in (3, 4, 7)] == ["low", "medium", "high"]
    assert policy.capacity.equity_share[8:] == (Decimal(0), Decimal(0)), "grades 9-10 give 0"
    assert policy.utilisation_warning_share == Decimal("0.80")


def test_the_policy_file_round_trips(tmp_path: Path) -> None:
    text = policy_to_toml(DEFAULT_POLICY)
    assert policy_from_toml("policy.toml", text) == DEFAULT_POLICY
    assert policy_from_toml("p.toml", "lgd = 0.40\n").lgd == Decimal("0.40"), "exact decimals"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lgd = 1.5", "p.toml: lgd: Input should be less than or equal to 1 (got 1.5)"),
        ("lgd = 0", "lgd: Input should be greater than 0 (got 0)"),
        ("grace_days = -1", "grace_days: Input should be greater than or equal to 0 (got -1)"),
        (
            "[capacity]\nequity_share = [0.1, 0.1]",
            "capacity.equity_share: needs one value per grade 1-10",
        ),
        (
            "[capacity]\nrevenue_share = [0.05, 0.06, 0, 0, 0, 0, 0, 0, 0, 0]",
            "capacity.revenue_share: must not rise with the grade: grade 2 (0.06) is above grade 1 (0.05)",
        ),
        (
            'engine_authority = ["1", "1", "1", "1", "1", "1", "1", "1", "1", "1"]',
            "engine_authority: must be 0 for grade 10 (insolvent), got 1",
        ),
        (
            "[progressive]\ncap = 100",
            "progressive: cap (100) must not be below starting_limit (5000)",
        ),
        ("[review]\nhigh_risk_from_grade = 3", "review: high_risk_from_grade (3) must be above"),
        ("max_expected_los = 1", "max_expected_los: Extra inputs are not permitted"),
        (
            "rounding_unit = 0.00001",
            "rounding_unit: Decimal input should have no more than 4 decimal places",
        ),
        ("lgd = ", "p.toml: not valid TOML"),
    ],
)
def test_a_bad_policy_file_names_the_field_and_why(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as problem:
        policy_from_toml("p.toml", text)
    assert expected in problem.value.message


def test_setting_a_policy_stores_a_version_and_audits_the_change(
    session: Session, actor: Actor
) -> None:
    assert policy_in_force(session, actor=actor).version == 0
    stricter = policy_from_toml("p.toml", 'max_expected_loss = "2500"\n')
    first = set_policy(session, actor=actor, policy=stricter)
    assert (first.version, first.currency, first.set_by) == (1, "EUR", actor.name)
    assert set_policy(session, actor=actor, policy=stricter).version == 1, "unchanged: no version"
    found = policy_in_force(session, actor=actor)
    assert found.policy.max_expected_loss == Decimal("2500")
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.org_id == actor.org_id, AuditEvent.action == "credit_policy.set"
        )
    ).all()
    assert len(events) == 1
    assert json.loads(events[0].before or "")["max_expected_loss"] == "5000"
    assert json.loads(events[0].after or "")["max_expected_loss"] == "2500"
    viewer = Actor(org_id=actor.org_id, name="v", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        set_policy(session, actor=viewer, policy=DEFAULT_POLICY)


def test_each_organisation_has_its_own_policy(
    session: Session, actor: Actor, other_actor: Actor
) -> None:
    set_policy(session, actor=actor, policy=policy_from_toml("p", "grace_days = 5"))
    assert policy_in_force(session, actor=other_actor).version == 0
