"""Checks within one row that need more than one field, or a field and its currency.

The schemas make most of these checks in their model validators, and pydantic runs a model
validator only when every field is valid, stopping at the first problem it raises: a row with
an unknown currency never hears that its amount is negative. These rules say the same things,
each from only the columns it `needs`, so a row reports every problem its readable values show.
Each message is word for word the schema's, so when the schema reports it as well the two are
one problem (`Problems` keeps each row, column and reason once); tests/imports/test_rules.py
holds the rules and the schemas to the same messages.

Precision needs the currency (its exponent); the sign of an amount does not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from tradecredit.imports.templates import TEMPLATES, ImportKind
from tradecredit.kit.errors import AmountTooLarge, PrecisionExceeded
from tradecredit.kit.fields import storage_problem
from tradecredit.kit.money import to_minor
from tradecredit.orders.schemas import delivery_not_before_order, status_fits_delivery

NON_NEGATIVE_STATEMENT_LINES = (
    "total_assets",
    "current_assets",
    "cash",
    "inventory",
    "receivables",
    "current_liabilities",
    "total_liabilities",
    "revenue",
)
"""The lines `StatementCreate` refuses below zero: stocks, and revenue."""


@dataclass(frozen=True)
class RowRule:
    """`reason` gets the values of `needs` in order and names the problem, or returns None.

    `in_schema`: a row the schema accepted always passes this rule (the schema makes the check,
    or one that implies it), so it only runs on rows the schema refused."""

    column: str
    needs: tuple[str, ...]
    reason: Callable[..., str | None]
    in_schema: bool = True


def row_problems(
    kind: ImportKind, values: Mapping[str, Any], *, schema_passed: bool = False
) -> list[tuple[str, str]]:
    """(column, reason) of every rule of this kind whose columns are readable and that fails.

    With `schema_passed`, only the rules the schema does not make (precision) are run."""
    found: list[tuple[str, str]] = []
    for rule in rules_of(kind):
        if schema_passed and rule.in_schema:
            continue
        if all(column in values for column in rule.needs):
            reason = rule.reason(*[values[column] for column in rule.needs])
            if reason is not None:
                found.append((rule.column, reason))
    return found


@cache
def rules_of(kind: ImportKind) -> tuple[RowRule, ...]:
    money = tuple(
        rule
        for amount, currency in TEMPLATES[kind].money
        for rule in (
            RowRule(amount, (amount, currency), _precision, in_schema=False),
            RowRule(amount, (amount, currency), _fits_storage(amount)),
        )
    )
    return _OWN_RULES.get(kind, ()) + money


def _positive_amount(amount: Decimal) -> str | None:
    return f"amount must be positive, got {amount}" if amount <= 0 else None


def _due_not_before_issue(issue_date: date, due_date: date) -> str | None:
    if due_date < issue_date:
        return f"due date {due_date} is before issue date {issue_date}"
    return None


def _vat_within_amount(vat_amount: Decimal | None, amount: Decimal) -> str | None:
    if vat_amount is not None and not 0 <= vat_amount <= amount:
        return f"vat_amount {vat_amount} must be between 0 and the amount"
    return None


def _limit_needs_currency(credit_limit: Decimal | None, currency: str | None) -> str | None:
    if credit_limit is not None and currency is None:
        return "credit_limit needs a currency"
    return None


def _limit_not_negative(credit_limit: Decimal | None) -> str | None:
    if credit_limit is not None and credit_limit < 0:
        return f"credit_limit cannot be negative ({credit_limit})"
    return None


def _not_negative(line: str) -> Callable[[Decimal | None], str | None]:
    def reason(value: Decimal | None) -> str | None:
        return f"{line} cannot be negative ({value})" if value is not None and value < 0 else None

    return reason


def _parent_keys_together(number: str | None, country: str | None) -> str | None:
    if (number is None) != (country is None):
        return "group_parent_registration_number and group_parent_country go together"
    return None


def _distinct_pair(base_currency: str, quote_currency: str) -> str | None:
    if base_currency == quote_currency:
        return f"base_currency and quote_currency are both {base_currency}; a rate needs two"
    return None


def _precision(amount: Decimal | None, currency: str | None) -> str | None:
    if amount is None or currency is None:
        return None
    try:
        to_minor(amount, currency)
    except PrecisionExceeded as error:
        return error.message
    except AmountTooLarge:
        return None  # the column's storage rule (`_fits_storage`) names it
    return None


def _fits_storage(column: str) -> Callable[[Decimal | None, str | None], str | None]:
    def reason(amount: Decimal | None, currency: str | None) -> str | None:
        return None if currency is None else storage_problem(column, amount, currency)

    return reason


_POSITIVE = RowRule("amount", ("amount",), _positive_amount)

_OWN_RULES: dict[ImportKind, tuple[RowRule, ...]] = {
    ImportKind.COMPANIES: (
        RowRule(
            "group_parent_registration_number",
            ("group_parent_registration_number", "group_parent_country"),
            _parent_keys_together,
        ),
    ),
    ImportKind.STATEMENTS: tuple(
        RowRule(line, (line,), _not_negative(line)) for line in NON_NEGATIVE_STATEMENT_LINES
    ),
    ImportKind.ACCOUNTS: (
        RowRule("credit_limit", ("credit_limit", "currency"), _limit_needs_currency),
        RowRule("credit_limit", ("credit_limit",), _limit_not_negative),
    ),
    ImportKind.INVOICES: (
        _POSITIVE,
        RowRule("due_date", ("issue_date", "due_date"), _due_not_before_issue),
        RowRule("vat_amount", ("vat_amount", "amount"), _vat_within_amount),
    ),
    ImportKind.PAYMENTS: (_POSITIVE,),
    ImportKind.CREDIT_NOTES: (_POSITIVE,),
    ImportKind.FX_RATES: (
        RowRule("base_currency", ("base_currency", "quote_currency"), _distinct_pair),
    ),
    ImportKind.ORDERS: (
        _POSITIVE,
        RowRule("delivery_date", ("order_date", "delivery_date"), delivery_not_before_order),
        RowRule("status", ("status", "delivery_date"), status_fits_delivery),
    ),
}
