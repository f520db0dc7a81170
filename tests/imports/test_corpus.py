"""Every rejection reason has a bad file in corpus/: the exact problems are reported, and the
database (rows and audit trail) is exactly as it was before."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from imports.helpers import CORPUS, counts, run_import, seed_baseline
from tradecredit.context import Actor
from tradecredit.kit.errors import BatchRejected

FIRST_COMPANIES = "companies must be imported first (tradecredit import companies)"
FIRST_INVOICES = "invoices must be imported first (tradecredit import invoices)"
NO_COMPANY = "no company with this registration_number + country"


@dataclass(frozen=True)
class Case:
    file: str
    kind: str
    problems: list[tuple[int, str, str, str]]


CASES = [
    Case(
        "invoices_unknown_currency.csv",
        "invoices",
        [(3, "currency", "EUX", "unknown currency 'EUX': not an ISO 4217 code")],
    ),
    Case(
        "companies_unknown_country.csv",
        "companies",
        [(3, "country", "XX", "unknown country 'XX': not an ISO 3166-1 alpha-2 code")],
    ),
    Case(
        "companies_invalid_sector.csv",
        "companies",
        [
            (
                2,
                "sector",
                "C99",
                "invalid NACE rev. 2 code 'C99': division 99 is not in section C (10-33)",
            )
        ],
    ),
    Case(
        "invoices_due_before_issue.csv",
        "invoices",
        [(2, "due_date", "2026-02-01", "due date 2026-02-01 is before issue date 2026-03-01")],
    ),
    Case(
        "invoices_duplicate_in_file.csv",
        "invoices",
        [
            (
                4,
                "invoice_number",
                "INV-20",
                "duplicate invoice number 'INV-20' for this seller: it appears more than once "
                "in this file (first at row 2)",
            )
        ],
    ),
    Case(
        "invoices_duplicate_in_database.csv",
        "invoices",
        [
            (
                3,
                "amount",
                "120.00",
                "duplicate invoice number: invoice 'INV-DB-1' already exists with a different "
                "amount 100.00 vs 120.00 (stored vs this file); money movements are never "
                "overwritten",
            )
        ],
    ),
    Case(
        "invoices_negative_amount.csv",
        "invoices",
        [(2, "amount", "-5.00", "amount must be positive, got -5.00")],
    ),
    Case(
        "payments_zero_amount.csv",
        "payments",
        [(2, "amount", "0.00", "amount must be positive, got 0.00")],
    ),
    Case(
        "invoices_too_many_decimals.csv",
        "invoices",
        [
            (2, "amount", "10.005", "10.005 has more decimals than EUR allows (2)"),
            (3, "amount", "100.5", "100.5 has more decimals than JPY allows (0)"),
        ],
    ),
    Case(
        "invoices_too_large_amount.csv",
        "invoices",
        [
            (
                2,
                "amount",
                "99999999999999999999999",
                "amount 99999999999999999999999 is too large: at most 92233720368547758 EUR",
            ),
            (3, "amount", "12.345", "12.345 has more decimals than EUR allows (2)"),
        ],
    ),
    Case(
        "invoices_unparseable_date.csv",
        "invoices",
        [(2, "issue_date", "2026-13-01", "unparseable date '2026-13-01' (expected YYYY-MM-DD)")],
    ),
    Case(
        "invoices_unparseable_amount.csv",
        "invoices",
        [
            (
                2,
                "amount",
                "12,50",
                "unparseable amount '12,50' (expected a decimal with '.' such as 1234.50)",
            )
        ],
    ),
    Case(
        "invoices_unknown_buyer.csv",
        "invoices",
        [
            (
                2,
                "buyer_registration_number",
                "HRB9",
                f"unknown buyer 'HRB9' in DE: {NO_COMPANY}; {FIRST_COMPANIES}",
            ),
            (
                3,
                "buyer_registration_number",
                "HRB1",
                f"unknown buyer 'HRB1' in AT: {NO_COMPANY}; {FIRST_COMPANIES}",
            ),
        ],
    ),
    Case(
        "credit_notes_unknown_invoice.csv",
        "credit-notes",
        [
            (
                2,
                "invoice_number",
                "INV-NOPE",
                f"unknown invoice 'INV-NOPE': no invoice with this number; {FIRST_INVOICES}",
            )
        ],
    ),
    Case(
        "payments_unknown_invoice.csv",
        "payments",
        [
            (
                2,
                "invoice_number",
                "INV-NOPE",
                f"unknown invoice 'INV-NOPE': no invoice with this number; {FIRST_INVOICES}",
            )
        ],
    ),
    Case(
        "credit_notes_currency_mismatch.csv",
        "credit-notes",
        [
            (
                2,
                "currency",
                "USD",
                "currency USD differs from the currency of invoice 'INV-DB-1' (EUR)",
            )
        ],
    ),
    Case(
        "payments_currency_mismatch.csv",
        "payments",
        [
            (
                2,
                "currency",
                "USD",
                "currency USD differs from the currency of invoice 'INV-DB-1' (EUR)",
            )
        ],
    ),
    Case(
        "invoices_missing_column.csv",
        "invoices",
        [
            (
                1,
                "due_date",
                "",
                "missing required column 'due_date' (no header is named so or mapped to it)",
            )
        ],
    ),
    Case(
        "invoices_unknown_column.csv",
        "invoices",
        [
            (
                1,
                "notes",
                "notes",
                "unknown column 'notes': not in the invoices template (map it or list it under "
                "'ignore' in a mapping file)",
            )
        ],
    ),
    Case(
        "invoices_empty_required.csv",
        "invoices",
        [(3, "buyer_country", "", "required value is empty")],
    ),
    Case(
        "credit_notes_exceed_invoice.csv",
        "credit-notes",
        [
            (
                3,
                "amount",
                "50.00",
                "credit notes on invoice 'INV-DB-1' would total 110.00, more than its amount "
                "100.00 EUR",
            )
        ],
    ),
    Case(
        "companies_unknown_parent.csv",
        "companies",
        [
            (
                2,
                "group_parent_registration_number",
                "P-9",
                "unknown group parent 'P-9' in DE: neither in the database nor in this file",
            )
        ],
    ),
    Case(
        "companies_parent_cycle.csv",
        "companies",
        [
            (
                2,
                "group_parent_registration_number",
                "B",
                "group parent cycle: A/DE -> B/DE -> A/DE",
            ),
            (
                3,
                "group_parent_registration_number",
                "A",
                "group parent cycle: B/DE -> A/DE -> B/DE",
            ),
        ],
    ),
    Case(
        "payments_duplicate_in_file.csv",
        "payments",
        [
            (
                3,
                "payment_reference",
                "P-4",
                "payment 'P-4' from 'HRB1' in DE appears more than once in this file "
                "(first at row 2)",
            )
        ],
    ),
    Case(
        "payments_unknown_payer.csv",
        "payments",
        [
            (
                2,
                "payer_registration_number",
                "HRB7",
                f"unknown payer 'HRB7' in DE: {NO_COMPANY}; {FIRST_COMPANIES}",
            )
        ],
    ),
    Case(
        "payments_invoice_of_other_buyer.csv",
        "payments",
        [(2, "invoice_number", "INV-DB-1", "invoice 'INV-DB-1' belongs to another buyer")],
    ),
    Case(
        "fx_rates_bad_pairs.csv",
        "fx-rates",
        [
            (
                2,
                "base_currency",
                "EUR",
                "base_currency and quote_currency are both EUR; a rate needs two",
            ),
            (3, "rate", "0", "a rate must be positive, got 0"),
            (
                4,
                "base_currency",
                "USD",
                "this pair is already stored as EUR/USD for 2026-01-02 (1.10); one quote per "
                "pair and date",
            ),
        ],
    ),
    Case(
        "accounts_unknown_company.csv",
        "accounts",
        [
            (
                2,
                "registration_number",
                "HRB8",
                f"unknown company 'HRB8' in DE: {NO_COMPANY}; {FIRST_COMPANIES}",
            )
        ],
    ),
    Case(
        "statements_negative_line.csv",
        "statements",
        [(2, "total_assets", "-1", "total_assets cannot be negative (-1)")],
    ),
    Case(
        "invoices_bad_header.csv",
        "invoices",
        [
            (1, "amount", "amount", "column 'amount' appears twice in the header"),
        ],
    ),
    Case(
        "invoices_value_without_header.csv",
        "invoices",
        [(3, "#7", "x; surplus", "values in columns without a header: #7, #9")],
    ),
]


def test_every_corpus_file_has_a_case() -> None:
    assert sorted(path.name for path in CORPUS.iterdir()) == sorted(case.file for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.file)
def test_bad_file_is_rejected_whole_with_exact_problems(
    engine: Engine, actor: Actor, case: Case
) -> None:
    seed_baseline(engine, actor)
    before = counts(engine, actor)

    with pytest.raises(BatchRejected) as rejected:
        run_import(engine, actor, case.kind, CORPUS / case.file)

    errors = rejected.value.errors
    assert [(e.row, e.column, e.value, e.reason) for e in errors] == case.problems
    assert {e.file for e in errors} == {case.file}
    assert counts(engine, actor) == before


@pytest.mark.parametrize("case", CASES[:3], ids=lambda case: case.file)
def test_dry_run_reports_the_same_problems(engine: Engine, actor: Actor, case: Case) -> None:
    seed_baseline(engine, actor)
    with pytest.raises(BatchRejected) as rejected:
        run_import(engine, actor, case.kind, CORPUS / case.file, dry_run=True)
    assert [(e.row, e.column, e.value, e.reason) for e in rejected.value.errors] == case.problems
