"""The row rules of the importer say what the schemas' model validators say, word for word and
on the same column, so a problem both find is reported once; and they find nothing in a valid
row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from tradecredit.companies.models import STATEMENT_LINES
from tradecredit.imports.rules import NON_NEGATIVE_STATEMENT_LINES, row_problems
from tradecredit.imports.templates import TEMPLATES, ImportKind
from tradecredit.imports.validate import error_column, error_reason, readable_values

VALID: dict[ImportKind, dict[str, Any]] = {
    ImportKind.COMPANIES: {
        "registration_number": "A",
        "country": "DE",
        "name": "Alpha",
        "sector": "C25",
        "group_parent_registration_number": "B",
        "group_parent_country": "DE",
    },
    ImportKind.STATEMENTS: {
        "registration_number": "A",
        "country": "DE",
        "period_end": date(2025, 12, 31),
        "currency": "EUR",
        **{line: Decimal(10) for line in STATEMENT_LINES},
    },
    ImportKind.ACCOUNTS: {
        "registration_number": "A",
        "country": "DE",
        "payment_terms_days": 30,
        "credit_limit": Decimal("1000.00"),
        "currency": "EUR",
    },
    ImportKind.INVOICES: {
        "invoice_number": "I1",
        "buyer_registration_number": "A",
        "buyer_country": "DE",
        "currency": "EUR",
        "amount": Decimal("100.00"),
        "vat_amount": Decimal("19.00"),
        "issue_date": date(2026, 1, 1),
        "due_date": date(2026, 1, 31),
    },
    ImportKind.PAYMENTS: {
        "payment_reference": "P1",
        "payer_registration_number": "A",
        "payer_country": "DE",
        "currency": "EUR",
        "amount": Decimal("10.00"),
        "payment_date": date(2026, 2, 1),
    },
    ImportKind.CREDIT_NOTES: {
        "credit_note_number": "C1",
        "invoice_number": "I1",
        "currency": "EUR",
        "amount": Decimal("10.00"),
        "issue_date": date(2026, 2, 1),
    },
    ImportKind.FX_RATES: {
        "rate_date": date(2026, 1, 2),
        "base_currency": "EUR",
        "quote_currency": "USD",
        "rate": Decimal("1.10"),
    },
    ImportKind.ORDERS: {
        "order_reference": "O1",
        "buyer_registration_number": "B1",
        "buyer_country": "DE",
        "currency": "EUR",
        "amount": Decimal("100.00"),
        "order_date": date(2026, 1, 1),
    },
}

BROKEN: list[tuple[ImportKind, dict[str, Any]]] = [
    (ImportKind.INVOICES, {"amount": Decimal("-5.00"), "vat_amount": None}),
    (ImportKind.INVOICES, {"amount": Decimal(0), "vat_amount": None}),
    (ImportKind.INVOICES, {"due_date": date(2025, 12, 31)}),
    (ImportKind.INVOICES, {"vat_amount": Decimal("100.01")}),
    (ImportKind.INVOICES, {"vat_amount": Decimal("-1")}),
    (ImportKind.INVOICES, {"amount": Decimal("1E+30"), "vat_amount": None}),
    (ImportKind.PAYMENTS, {"amount": Decimal("-0.01")}),
    (ImportKind.PAYMENTS, {"amount": Decimal("1E+17"), "currency": "EUR"}),
    (ImportKind.CREDIT_NOTES, {"amount": Decimal(0)}),
    (ImportKind.ACCOUNTS, {"currency": None}),
    (ImportKind.ACCOUNTS, {"credit_limit": Decimal("-1")}),
    (ImportKind.ACCOUNTS, {"credit_limit": Decimal("1E+20"), "currency": "JPY"}),
    (ImportKind.COMPANIES, {"group_parent_country": None}),
    (ImportKind.COMPANIES, {"group_parent_registration_number": None}),
    (ImportKind.FX_RATES, {"quote_currency": "EUR"}),
    (ImportKind.STATEMENTS, {"equity": Decimal("1E+25")}),
    (ImportKind.ORDERS, {"amount": Decimal("-1")}),
    (ImportKind.ORDERS, {"amount": Decimal("1E+30")}),
    (ImportKind.ORDERS, {"delivery_date": date(2025, 12, 31)}),
    (ImportKind.ORDERS, {"status": "delivered"}),
    (ImportKind.ORDERS, {"status": "ordered", "delivery_date": date(2026, 1, 2)}),
]


def schema_problem(kind: ImportKind, payload: dict[str, Any]) -> tuple[str, str]:
    template = TEMPLATES[kind]
    with pytest.raises(ValidationError) as raised:
        template.schema.model_validate(payload)
    [detail] = raised.value.errors()
    return error_column(detail, template), error_reason(detail)


def rule_problems(kind: ImportKind, payload: dict[str, Any]) -> list[tuple[str, str]]:
    values = readable_values(TEMPLATES[kind].schema, payload, set())
    return row_problems(kind, values)


@pytest.mark.parametrize("kind", list(ImportKind))
def test_a_valid_row_breaks_no_rule(kind: ImportKind) -> None:
    TEMPLATES[kind].schema.model_validate(VALID[kind])
    assert rule_problems(kind, VALID[kind]) == []


@pytest.mark.parametrize(("kind", "change"), BROKEN, ids=lambda value: str(value))
def test_a_rule_says_what_the_schema_says(kind: ImportKind, change: dict[str, Any]) -> None:
    payload = VALID[kind] | change
    assert schema_problem(kind, payload) in rule_problems(kind, payload)


@pytest.mark.parametrize("line", STATEMENT_LINES)
def test_statement_lines_refused_below_zero_are_the_schemas(line: str) -> None:
    payload = VALID[ImportKind.STATEMENTS] | {line: Decimal("-1")}
    found = rule_problems(ImportKind.STATEMENTS, payload)
    if line in NON_NEGATIVE_STATEMENT_LINES:
        assert found == [schema_problem(ImportKind.STATEMENTS, payload)]
    else:
        TEMPLATES[ImportKind.STATEMENTS].schema.model_validate(payload)
        assert found == []


def test_more_problems_than_the_schema_stops_at() -> None:
    payload = VALID[ImportKind.INVOICES] | {
        "amount": Decimal("-5.005"),
        "vat_amount": None,
        "due_date": date(2025, 12, 1),
    }
    assert rule_problems(ImportKind.INVOICES, payload) == [
        ("amount", "amount must be positive, got -5.005"),
        ("due_date", "due date 2025-12-01 is before issue date 2026-01-01"),
        ("amount", "-5.005 has more decimals than EUR allows (2)"),
    ]


def test_precision_and_size_wait_for_a_currency_but_the_sign_does_not() -> None:
    values = {"amount": Decimal("-5.005")}
    assert row_problems(ImportKind.PAYMENTS, values) == [
        ("amount", "amount must be positive, got -5.005")
    ]


def test_a_row_the_schema_accepted_is_only_checked_for_precision() -> None:
    payload = VALID[ImportKind.INVOICES] | {
        "amount": Decimal("100.005"),
        "due_date": date(2025, 12, 1),
    }
    values = readable_values(TEMPLATES[ImportKind.INVOICES].schema, payload, set())
    precision = ("amount", "100.005 has more decimals than EUR allows (2)")
    due = ("due_date", "due date 2025-12-01 is before issue date 2026-01-01")
    assert row_problems(ImportKind.INVOICES, values) == [due, precision]
    assert row_problems(ImportKind.INVOICES, values, schema_passed=True) == [precision]
