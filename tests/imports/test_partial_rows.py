"""A row with a bad column still gets every check its readable columns allow: the sign of an
amount without a currency, the database and cross-row checks on valid key columns, and the
two-column checks when both are readable. Each problem once, in row then template order, and
nothing written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from imports.helpers import counts, run_import, seed_baseline, write_csv
from tradecredit.context import Actor
from tradecredit.imports.templates import TEMPLATES, ImportKind
from tradecredit.kit.errors import BatchRejected

NO_COMPANY = (
    "no company with this registration_number + country; companies must be imported first "
    "(tradecredit import companies)"
)
NO_INVOICE = (
    "no invoice with this number; invoices must be imported first (tradecredit import invoices)"
)
EUX = "unknown currency 'EUX': not an ISO 4217 code"
INVOICES = list(TEMPLATES[ImportKind.INVOICES].required)
PAYMENTS = [*TEMPLATES[ImportKind.PAYMENTS].required, "invoice_number"]
CREDIT_NOTES = list(TEMPLATES[ImportKind.CREDIT_NOTES].required)
STATEMENTS = list(TEMPLATES[ImportKind.STATEMENTS].required)
LINE_VALUES = ["1000", "100", "50", "10", "900", "500", "100", "50", "200", "300", "600"]
LINE_VALUES += ["400", "100"]


def bad_date(text: str) -> str:
    return f"unparseable date {text!r} (expected YYYY-MM-DD)"


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    rows: list[list[str]]
    problems: list[tuple[int, str, str, str]]


CASES = [
    Case(
        "invoices_from_the_report",
        "invoices",
        [
            INVOICES,
            ["I2", "HRB1", "DE", "EUX", "-5", "2026-13-01", "2026-02-01"],
            ["I3", "NOPE", "DE", "EUR", "1.005", "2026-01-01", "2026-02-01"],
        ],
        [
            (2, "currency", "EUX", EUX),
            (2, "amount", "-5", "amount must be positive, got -5"),
            (2, "issue_date", "2026-13-01", bad_date("2026-13-01")),
            (3, "buyer_registration_number", "NOPE", f"unknown buyer 'NOPE' in DE: {NO_COMPANY}"),
            (3, "amount", "1.005", "1.005 has more decimals than EUR allows (2)"),
        ],
    ),
    Case(
        "invoices_precision_needs_a_currency",
        "invoices",
        [INVOICES, ["I4", "HRB1", "DE", "EUX", "1.005", "2026-01-01", "2026-02-01"]],
        [(2, "currency", "EUX", EUX)],
    ),
    Case(
        "invoices_every_rule_of_a_readable_row_once",
        "invoices",
        [INVOICES, ["I5", "HRB1", "DE", "EUR", "-5.005", "2026-03-01", "2026-02-01"]],
        [
            (2, "amount", "-5.005", "amount must be positive, got -5.005"),
            (2, "amount", "-5.005", "-5.005 has more decimals than EUR allows (2)"),
            (2, "due_date", "2026-02-01", "due date 2026-02-01 is before issue date 2026-03-01"),
        ],
    ),
    Case(
        "invoices_duplicates_with_a_bad_column",
        "invoices",
        [
            INVOICES,
            ["INV-DB-1", "HRB1", "DE", "EUR", "120.00", "2026-01-10", "later"],
            ["I6", "HRB1", "DE", "EUR", "10.00", "2026-03-01", "2026-03-31"],
            ["I6", "HRB1", "XX", "EUR", "10.00", "2026-03-01", "2026-03-31"],
        ],
        [
            (
                2,
                "amount",
                "120.00",
                "duplicate invoice number: invoice 'INV-DB-1' already exists with a different "
                "amount 100.00 vs 120.00 (stored vs this file); money movements are never "
                "overwritten",
            ),
            (2, "due_date", "later", bad_date("later")),
            (
                4,
                "invoice_number",
                "I6",
                "duplicate invoice number 'I6' for this seller: it appears more than once in "
                "this file (first at row 3)",
            ),
            (4, "buyer_country", "XX", "unknown country 'XX': not an ISO 3166-1 alpha-2 code"),
        ],
    ),
    Case(
        "payments_unknown_payer_and_named_invoice",
        "payments",
        [
            PAYMENTS,
            ["P1", "NOPE", "DE", "EUR", "-1", "2026-03-01", ""],
            ["P2", "HRB1", "DE", "EUR", "10.00", "2026-33-01", "INV-NOPE"],
            ["P3", "HRB1", "DE", "USD", "12,50", "2026-03-01", "INV-DB-1"],
        ],
        [
            (2, "payer_registration_number", "NOPE", f"unknown payer 'NOPE' in DE: {NO_COMPANY}"),
            (2, "amount", "-1", "amount must be positive, got -1"),
            (3, "payment_date", "2026-33-01", bad_date("2026-33-01")),
            (3, "invoice_number", "INV-NOPE", f"unknown invoice 'INV-NOPE': {NO_INVOICE}"),
            (
                4,
                "currency",
                "USD",
                "currency USD differs from the currency of invoice 'INV-DB-1' (EUR)",
            ),
            (
                4,
                "amount",
                "12,50",
                "unparseable amount '12,50' (expected a decimal with '.' such as 1234.50)",
            ),
        ],
    ),
    Case(
        "credit_notes_invoice_checks_with_a_bad_column",
        "credit-notes",
        [
            CREDIT_NOTES,
            ["CN1", "INV-NOPE", "EUR", "0", "2026-03-01"],
            ["CN2", "INV-DB-1", "USD", "10.00", "soon"],
            ["CN3", "INV-DB-1", "EUR", "60.00", "soon"],
            ["CN4", "INV-DB-1", "EUR", "50.00", "2026-03-02"],
        ],
        [
            (2, "invoice_number", "INV-NOPE", f"unknown invoice 'INV-NOPE': {NO_INVOICE}"),
            (2, "amount", "0", "amount must be positive, got 0"),
            (
                3,
                "currency",
                "USD",
                "currency USD differs from the currency of invoice 'INV-DB-1' (EUR)",
            ),
            (3, "issue_date", "soon", bad_date("soon")),
            (4, "issue_date", "soon", bad_date("soon")),
            (
                5,
                "amount",
                "50.00",
                "credit notes on invoice 'INV-DB-1' would total 110.00, more than its amount "
                "100.00 EUR",
            ),
        ],
    ),
    Case(
        "statements_unknown_company_with_bad_columns",
        "statements",
        [
            STATEMENTS,
            ["NOPE", "DE", "2025-12-31", "EUR", *LINE_VALUES],
            ["NOPE", "DE", "31/12/2025", "EUX", "-7", *LINE_VALUES[1:]],
        ],
        [
            (2, "registration_number", "NOPE", f"unknown company 'NOPE' in DE: {NO_COMPANY}"),
            (3, "registration_number", "NOPE", f"unknown company 'NOPE' in DE: {NO_COMPANY}"),
            (3, "period_end", "31/12/2025", bad_date("31/12/2025")),
            (3, "currency", "EUX", EUX),
            (3, "revenue", "-7", "revenue cannot be negative (-7)"),
        ],
    ),
    Case(
        "accounts_unknown_company_with_bad_columns",
        "accounts",
        [
            ["registration_number", "country", "payment_terms_days", "credit_limit", "currency"],
            ["NOPE", "DE", "thirty", "", ""],
            ["HRB1", "DE", "30", "-5", ""],
            ["HRB1", "DE", "30", "5", "EUX"],
        ],
        [
            (2, "registration_number", "NOPE", f"unknown company 'NOPE' in DE: {NO_COMPANY}"),
            (
                2,
                "payment_terms_days",
                "thirty",
                "Input should be a valid integer, unable to parse string as an integer",
            ),
            (3, "credit_limit", "-5", "credit_limit needs a currency"),
            (3, "credit_limit", "-5", "credit_limit cannot be negative (-5)"),
            (
                4,
                "registration_number",
                "HRB1",
                "account of 'HRB1' in DE appears more than once in this file (first at row 3)",
            ),
            (4, "currency", "EUX", EUX),
        ],
    ),
    Case(
        "companies_keys_and_parents_with_bad_columns",
        "companies",
        [
            [
                "registration_number",
                "country",
                "name",
                "sector",
                "group_parent_registration_number",
                "group_parent_country",
            ],
            ["A", "DE", "Alpha", "C99", "B", "DE"],
            ["B", "DE", "", "C25", "A", "DE"],
            ["C", "DE", "Gamma", "C25", "P-9", "DE"],
            ["A", "DE", "Alpha again", "X", "", "DE"],
        ],
        [
            (
                2,
                "sector",
                "C99",
                "invalid NACE rev. 2 code 'C99': division 99 is not in section C (10-33)",
            ),
            (
                2,
                "group_parent_registration_number",
                "B",
                "group parent cycle: A/DE -> B/DE -> A/DE",
            ),
            (3, "name", "", "required value is empty"),
            (
                3,
                "group_parent_registration_number",
                "A",
                "group parent cycle: B/DE -> A/DE -> B/DE",
            ),
            (
                4,
                "group_parent_registration_number",
                "P-9",
                "unknown group parent 'P-9' in DE: neither in the database nor in this file",
            ),
            (
                5,
                "registration_number",
                "A",
                "company 'A' in DE appears more than once in this file (first at row 2)",
            ),
            (5, "sector", "X", "invalid NACE rev. 2 code 'X' (expected e.g. 'C25' or 'G46.7')"),
            (
                5,
                "group_parent_registration_number",
                "",
                "group_parent_registration_number and group_parent_country go together",
            ),
        ],
    ),
    Case(
        "fx_rates_pairs_with_a_bad_rate",
        "fx-rates",
        [
            ["rate_date", "base_currency", "quote_currency", "rate"],
            ["2026-01-02", "USD", "EUR", "-1"],
            ["2026-01-05", "GBP", "GBP", "one"],
        ],
        [
            (
                2,
                "base_currency",
                "USD",
                "this pair is already stored as EUR/USD for 2026-01-02 (1.10); one quote per "
                "pair and date",
            ),
            (2, "rate", "-1", "a rate must be positive, got -1"),
            (
                3,
                "base_currency",
                "GBP",
                "base_currency and quote_currency are both GBP; a rate needs two",
            ),
            (
                3,
                "rate",
                "one",
                "unparseable amount 'one' (expected a decimal with '.' such as 1234.50)",
            ),
        ],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_row_reports_every_problem_of_its_readable_values(
    engine: Engine, actor: Actor, tmp_path: Path, case: Case
) -> None:
    seed_baseline(engine, actor)
    path = write_csv(tmp_path / f"{case.name}.csv", case.rows)
    before = counts(engine, actor)

    with pytest.raises(BatchRejected) as rejected:
        run_import(engine, actor, case.kind, path)

    errors = rejected.value.errors
    assert [(e.row, e.column, e.value, e.reason) for e in errors] == case.problems
    assert {e.file for e in errors} == {path.name}
    assert counts(engine, actor) == before


def test_dry_run_reports_the_same_partial_problems(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    case = CASES[0]
    seed_baseline(engine, actor)
    path = write_csv(tmp_path / "invoices.csv", case.rows)
    with pytest.raises(BatchRejected) as rejected:
        run_import(engine, actor, case.kind, path, dry_run=True)
    assert [(e.row, e.column, e.value, e.reason) for e in rejected.value.errors] == case.problems
