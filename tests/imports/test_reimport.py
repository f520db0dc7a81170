"""Re-importing changes nothing; reference data updates are audited; a dry run writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from imports.helpers import add_company, counts, run_import, write_csv
from tradecredit.audit.models import AuditEvent
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.errors import BatchRejected
from tradecredit.receivables.models import CustomerAccount

COMPANY_HEADER = ["registration_number", "country", "name", "sector", "legal_form"]
INVOICE_HEADER = [
    "invoice_number",
    "buyer_registration_number",
    "buyer_country",
    "currency",
    "amount",
    "issue_date",
    "due_date",
]
PAYMENT_HEADER = [
    "payment_reference",
    "payer_registration_number",
    "payer_country",
    "currency",
    "amount",
    "payment_date",
]


def ledger_files(tmp_path: Path) -> list[tuple[str, Path]]:
    return [
        (
            "companies",
            write_csv(
                tmp_path / "companies.csv",
                [
                    COMPANY_HEADER,
                    ["HRB1", "DE", "One GmbH", "C25", "GmbH"],
                    ["HRB2", "DE", "Two AG", "C25", ""],
                ],
            ),
        ),
        (
            "accounts",
            write_csv(
                tmp_path / "accounts.csv",
                [["registration_number", "country", "payment_terms_days"], ["HRB2", "DE", "60"]],
            ),
        ),
        (
            "invoices",
            write_csv(
                tmp_path / "invoices.csv",
                [
                    INVOICE_HEADER,
                    ["I-1", "HRB1", "DE", "EUR", "100.00", "2026-01-01", "2026-01-31"],
                    ["I-2", "HRB2", "DE", "EUR", "50.00", "2026-01-01", "2026-01-31"],
                ],
            ),
        ),
        (
            "payments",
            write_csv(
                tmp_path / "payments.csv",
                [PAYMENT_HEADER, ["P-1", "HRB1", "DE", "EUR", "40.00", "2026-02-01"]],
            ),
        ),
        (
            "credit-notes",
            write_csv(
                tmp_path / "notes.csv",
                [
                    ["credit_note_number", "invoice_number", "currency", "amount", "issue_date"],
                    ["C-1", "I-2", "EUR", "5.00", "2026-02-01"],
                ],
            ),
        ),
    ]


def test_reimporting_every_file_changes_nothing(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    files = ledger_files(tmp_path)
    for kind, path in files:
        run_import(engine, actor, kind, path)
    before = counts(engine, actor)

    for kind, path in files:
        result = run_import(engine, actor, kind, path)
        assert (result.created, result.updated, result.unchanged) == (0, 0, result.rows), kind
        assert result.summary() == f"0 created, 0 updated, {result.rows} unchanged"

    after = counts(engine, actor)
    assert after["audit_events"] == before["audit_events"] + len(files)
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"
    }


def test_a_changed_company_is_updated_with_before_and_after(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    run_import(engine, actor, "companies", ledger_files(tmp_path)[0][1])
    changed = write_csv(
        tmp_path / "companies2.csv",
        [
            COMPANY_HEADER,
            ["HRB1", "DE", "One GmbH & Co. KG", "C25", "KG"],
            ["HRB2", "DE", "Two AG", "C25", ""],
        ],
    )
    result = run_import(engine, actor, "companies", changed)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    with unit_of_work(engine) as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.org_id == actor.org_id, AuditEvent.action == "company.updated"
            )
        ).one()
        company = session.scalars(
            select(Company).where(
                Company.org_id == actor.org_id, Company.registration_number == "HRB1"
            )
        ).one()
        assert event.entity_id == str(company.id)
        assert company.name == "One GmbH & Co. KG"
    before, after = json.loads(event.before or "{}"), json.loads(event.after or "{}")
    assert (before["name"], before["legal_form"]) == ("One GmbH", "GmbH")
    assert (after["name"], after["legal_form"]) == ("One GmbH & Co. KG", "KG")


def test_a_column_the_file_lacks_leaves_the_stored_value(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    add_company(engine, actor, "HRB1", name="One", legal_form="GmbH", language="de")
    path = write_csv(
        tmp_path / "c.csv",
        [["registration_number", "country", "name", "sector"], ["HRB1", "DE", "One", "C25"]],
    )
    assert run_import(engine, actor, "companies", path).unchanged == 1
    with unit_of_work(engine) as session:
        company = session.scalars(select(Company).where(Company.org_id == actor.org_id)).one()
        assert (company.legal_form, company.language) == ("GmbH", "de")


def test_an_account_update_is_audited(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    files = dict(ledger_files(tmp_path))
    run_import(engine, actor, "companies", files["companies"])
    run_import(engine, actor, "accounts", files["accounts"])
    path = write_csv(
        tmp_path / "accounts2.csv",
        [
            ["registration_number", "country", "payment_terms_days", "on_hold"],
            ["HRB2", "DE", "60", "true"],
        ],
    )
    result = run_import(engine, actor, "accounts", path)
    assert result.updated == 1
    with unit_of_work(engine) as session:
        account = session.scalars(
            select(CustomerAccount).where(CustomerAccount.org_id == actor.org_id)
        ).one()
        assert account.on_hold is True
        assert account.payment_terms_days == 60
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.org_id == actor.org_id)
            .order_by(AuditEvent.seq.desc())
            .limit(2)
        ).all()
    assert actions == ["import.completed", "account.updated"]


def test_a_payment_reimported_with_other_content_is_a_conflict(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    for kind, path in ledger_files(tmp_path)[:4]:
        run_import(engine, actor, kind, path)
    before = counts(engine, actor)
    path = write_csv(
        tmp_path / "payments2.csv",
        [PAYMENT_HEADER, ["P-1", "HRB1", "DE", "EUR", "45.00", "2026-02-03"]],
    )
    with pytest.raises(BatchRejected) as rejected:
        run_import(engine, actor, "payments", path)
    assert [(e.row, e.column, e.value, e.reason) for e in rejected.value.errors] == [
        (
            2,
            "amount",
            "45.00",
            "payment 'P-1' from this payer already exists with a different amount 40.00 vs "
            "45.00, payment_date 2026-02-01 vs 2026-02-03 (stored vs this file); money movements "
            "are never overwritten",
        )
    ]
    assert counts(engine, actor) == before


def test_dry_run_validates_against_the_database_and_writes_nothing(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    files = ledger_files(tmp_path)
    run_import(engine, actor, "companies", files[0][1])
    path = write_csv(
        tmp_path / "companies3.csv",
        [
            COMPANY_HEADER,
            ["HRB1", "DE", "One GmbH", "C25", "GmbH"],
            ["HRB2", "DE", "Two AG renamed", "C25", ""],
            ["HRB3", "DE", "Three SE", "C25", "SE"],
        ],
    )
    before = counts(engine, actor)
    result = run_import(engine, actor, "companies", path, dry_run=True)

    assert result.summary() == "dry run: 3 rows valid, would create 1, update 1, leave 1 unchanged"
    assert counts(engine, actor) == before
    with unit_of_work(engine) as session:
        names = session.scalars(
            select(Company.name).where(Company.org_id == actor.org_id).order_by(Company.name)
        ).all()
    assert names == ["One GmbH", "Two AG"]


def test_an_empty_status_or_hold_cell_keeps_the_stored_value(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    add_company(engine, actor, "HRB1", name="One", status="insolvent")
    accounts = write_csv(
        tmp_path / "a.csv",
        [
            ["registration_number", "country", "payment_terms_days", "on_hold"],
            ["HRB1", "DE", "30", "true"],
        ],
    )
    run_import(engine, actor, "accounts", accounts)
    companies = write_csv(
        tmp_path / "c.csv",
        [
            ["registration_number", "country", "name", "sector", "status"],
            ["HRB1", "DE", "One", "C25", ""],
        ],
    )
    blank_hold = write_csv(
        tmp_path / "a2.csv",
        [
            ["registration_number", "country", "payment_terms_days", "on_hold"],
            ["HRB1", "DE", "30", ""],
        ],
    )
    assert run_import(engine, actor, "companies", companies).unchanged == 1
    assert run_import(engine, actor, "accounts", blank_hold).unchanged == 1
    with unit_of_work(engine) as session:
        company = session.scalars(select(Company).where(Company.org_id == actor.org_id)).one()
        account = session.scalars(
            select(CustomerAccount).where(CustomerAccount.org_id == actor.org_id)
        ).one()
        assert (company.status, account.on_hold) == ("insolvent", True)
