"""A clean file of each kind imports whole, with an audit event per row and one for the file."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from imports.helpers import add_company, add_invoice, counts, run_import, write_csv
from tradecredit.audit.models import AuditEvent
from tradecredit.audit.service import verify_chain
from tradecredit.companies.models import Company, FinancialStatement
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.fx.models import FxRate
from tradecredit.receivables.models import CreditNote, CustomerAccount, Invoice
from tradecredit.receivables.service import open_amounts

STATEMENT_HEADER = [
    "registration_number",
    "country",
    "period_end",
    "currency",
    "revenue",
    "ebit",
    "net_income",
    "interest_expense",
    "total_assets",
    "current_assets",
    "cash",
    "inventory",
    "receivables",
    "current_liabilities",
    "total_liabilities",
    "equity",
    "retained_earnings",
]


def actions(engine: Engine, actor: Actor) -> list[str]:
    with unit_of_work(engine) as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.org_id == actor.org_id)
                .order_by(AuditEvent.seq)
            )
        )


def completed_event(engine: Engine, actor: Actor) -> dict[str, object]:
    with unit_of_work(engine) as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.org_id == actor.org_id, AuditEvent.action == "import.completed")
            .order_by(AuditEvent.seq.desc())
        ).first()
        assert event is not None
        assert event.after is not None
        return dict(json.loads(event.after))


def test_companies_with_parent_later_in_the_file(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "companies.csv",
        [
            [
                "registration_number",
                "country",
                "name",
                "sector",
                "legal_form",
                "founded",
                "group_parent_registration_number",
                "group_parent_country",
                "status",
                "language",
            ],
            ["HRB2", "de", "Child GmbH", "c25", "GmbH", "2001-05-01", "HRB1", "DE", "", "de"],
            ["HRB1", "DE", "Parent AG", "G46.7", "AG", "", "", "", "active", ""],
        ],
        delimiter=";",
        bom=True,
    )
    result = run_import(engine, actor, "companies", path)

    assert (result.created, result.updated, result.unchanged, result.rows) == (2, 0, 0, 2)
    with unit_of_work(engine) as session:
        companies = {
            c.registration_number: c
            for c in session.scalars(select(Company).where(Company.org_id == actor.org_id))
        }
        assert companies["HRB2"].group_parent_id == companies["HRB1"].id
        assert companies["HRB2"].country == "DE"
        assert companies["HRB2"].sector == "C25"
        assert companies["HRB2"].founded == date(2001, 5, 1)
        assert companies["HRB1"].group_parent_id is None
        assert verify_chain(session, org_id=actor.org_id).ok
    assert actions(engine, actor)[-3:] == [
        "company.imported",
        "company.imported",
        "import.completed",
    ]
    completed = completed_event(engine, actor)
    assert completed == {
        "kind": "companies",
        "file": "companies.csv",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "accounts_opened": 0,
    }


def test_statements_keep_missing_lines_missing(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    add_company(engine, actor, "HRB1")
    row = [
        "HRB1",
        "DE",
        "2025-12-31",
        "EUR",
        "1000000.50",
        "120000",
        "80000",
        "",
        "900000",
        "400000",
        "50000",
        "100000",
        "150000",
        "200000",
        "500000",
        "400000",
        "100000",
    ]
    path = write_csv(tmp_path / "statements.csv", [STATEMENT_HEADER, row])

    result = run_import(engine, actor, "statements", path)

    assert result.created == 1
    with unit_of_work(engine) as session:
        statement = session.scalars(
            select(FinancialStatement).where(FinancialStatement.org_id == actor.org_id)
        ).one()
        assert statement.revenue == 100000050
        assert statement.interest_expense is None
        assert statement.operating_cash_flow is None
        assert statement.period_end == date(2025, 12, 31)
    assert actions(engine, actor)[-2:] == ["statement.imported", "import.completed"]


def test_accounts_with_limits(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    add_company(engine, actor, "HRB1")
    add_company(engine, actor, "HRB2")
    path = write_csv(
        tmp_path / "accounts.csv",
        [
            [
                "registration_number",
                "country",
                "payment_terms_days",
                "credit_limit",
                "currency",
                "collector",
                "on_hold",
            ],
            ["HRB1", "DE", "45", "50000.00", "EUR", "ana", "false"],
            ["HRB2", "DE", "30", "", "", "", "yes"],
        ],
    )
    result = run_import(engine, actor, "accounts", path)

    assert result.created == 2
    with unit_of_work(engine) as session:
        accounts = session.scalars(
            select(CustomerAccount)
            .where(CustomerAccount.org_id == actor.org_id)
            .order_by(CustomerAccount.payment_terms_days.desc())
        ).all()
        assert [
            (a.payment_terms_days, a.credit_limit_minor, a.currency, a.on_hold) for a in accounts
        ] == [
            (45, 5000000, "EUR", False),
            (30, None, None, True),
        ]


def test_invoices_open_an_account_for_a_first_time_buyer(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    add_company(engine, actor, "HRB1")
    path = write_csv(
        tmp_path / "invoices.tsv",
        [
            [
                "invoice_number",
                "buyer_registration_number",
                "buyer_country",
                "currency",
                "amount",
                "issue_date",
                "due_date",
                "vat_amount",
                "order_reference",
                "delivery_date",
            ],
            [
                "A-1",
                "HRB1",
                "DE",
                "EUR",
                "1190.00",
                "2026-01-01",
                "2026-01-31",
                "190.00",
                "PO-7",
                "2025-12-30",
            ],
            ["A-2", "HRB1", "DE", "JPY", "5000", "2026-01-02", "2026-02-01", "", "", ""],
        ],
        delimiter="\t",
    )
    result = run_import(engine, actor, "invoices", path)

    assert (result.created, result.accounts_opened) == (2, 1)
    with unit_of_work(engine) as session:
        invoices = session.scalars(
            select(Invoice).where(Invoice.org_id == actor.org_id).order_by(Invoice.invoice_number)
        ).all()
        assert [(i.amount_minor, i.vat_minor, i.currency) for i in invoices] == [
            (119000, 19000, "EUR"),
            (5000, None, "JPY"),
        ]
        assert invoices[0].order_reference == "PO-7"
        account = session.get(CustomerAccount, invoices[0].account_id)
        assert account is not None
        assert account.payment_terms_days == 30
        assert invoices[1].account_id == account.id
    assert actions(engine, actor)[-4:] == [
        "account.opened",
        "invoice.imported",
        "invoice.imported",
        "import.completed",
    ]


def test_credit_notes_reduce_the_open_amount(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    add_company(engine, actor, "HRB1")
    add_invoice(engine, actor, "INV-1", "HRB1", "100.00")
    path = write_csv(
        tmp_path / "credit-notes.csv",
        [
            ["credit_note_number", "invoice_number", "currency", "amount", "issue_date", "reason"],
            ["CN-1", "INV-1", "EUR", "30.00", "2026-02-01", "damaged"],
            ["CN-2", "INV-1", "EUR", "70.00", "2026-02-02", ""],
        ],
    )
    result = run_import(engine, actor, "credit-notes", path)

    assert result.created == 2
    with unit_of_work(engine) as session:
        invoice = session.scalars(select(Invoice).where(Invoice.org_id == actor.org_id)).one()
        assert open_amounts(session, [invoice]) == {invoice.id: 0}
        notes = session.scalars(select(CreditNote).where(CreditNote.org_id == actor.org_id)).all()
        assert sorted((n.credit_note_number, n.amount_minor, n.reason) for n in notes) == [
            ("CN-1", 3000, "damaged"),
            ("CN-2", 7000, None),
        ]


def test_fx_rates_create_then_a_corrected_rate_is_an_audited_update(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    header = ["rate_date", "base_currency", "quote_currency", "rate"]
    first = write_csv(
        tmp_path / "rates.csv",
        [header, ["2026-01-02", "EUR", "USD", "1.0850"], ["2026-01-02", "EUR", "JPY", "161.2"]],
    )
    assert run_import(engine, actor, "fx-rates", first).created == 2
    corrected = write_csv(
        tmp_path / "rates2.csv",
        [header, ["2026-01-02", "EUR", "USD", "1.0851"], ["2026-01-02", "EUR", "JPY", "161.20"]],
    )
    result = run_import(engine, actor, "fx-rates", corrected)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    with unit_of_work(engine) as session:
        rates = {
            r.quote_currency: r.rate
            for r in session.scalars(select(FxRate).where(FxRate.org_id == actor.org_id))
        }
        assert rates == {"USD": Decimal("1.0851"), "JPY": Decimal("161.2")}
    assert actions(engine, actor)[-2:] == ["fx_rate.updated", "import.completed"]


def test_a_header_only_file_imports_nothing(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "empty.csv", [["registration_number", "country", "name", "sector"]])
    before = counts(engine, actor)
    result = run_import(engine, actor, "companies", path)
    assert (result.rows, result.created) == (0, 0)
    after = counts(engine, actor)
    assert after["companies"] == before["companies"]
    assert after["audit_events"] == before["audit_events"] + 1


def test_organisations_do_not_see_each_others_rows(
    engine: Engine, actor: Actor, other_actor: Actor, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "invoices.csv",
        [
            [
                "invoice_number",
                "buyer_registration_number",
                "buyer_country",
                "currency",
                "amount",
                "issue_date",
                "due_date",
            ],
            ["SAME-1", "HRB1", "DE", "EUR", "10.00", "2026-01-01", "2026-01-31"],
        ],
    )
    add_company(engine, actor, "HRB1")
    add_invoice(engine, actor, "SAME-1", "HRB1", "99.00")
    add_company(engine, other_actor, "HRB1")

    result = run_import(engine, other_actor, "invoices", path)

    assert (result.created, result.unchanged, result.accounts_opened) == (1, 0, 1)
    with unit_of_work(engine) as session:
        amounts = session.scalars(
            select(Invoice.amount_minor)
            .where(Invoice.invoice_number == "SAME-1")
            .where(Invoice.org_id.in_([actor.org_id, other_actor.org_id]))
            .order_by(Invoice.amount_minor)
        ).all()
    assert amounts == [1000, 9900]
