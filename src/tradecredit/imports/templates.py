"""The import templates (SPEC section 3a): each kind's columns, schema and cell types."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from tradecredit.companies.models import STATEMENT_LINES
from tradecredit.companies.schemas import CompanyCreate, StatementCreate
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.orders.schemas import OrderCreate
from tradecredit.organisations.roles import Permission
from tradecredit.receivables.schemas import (
    AccountCreate,
    CreditNoteCreate,
    InvoiceCreate,
    PaymentCreate,
)


class ImportKind(StrEnum):
    COMPANIES = "companies"
    STATEMENTS = "statements"
    ACCOUNTS = "accounts"
    INVOICES = "invoices"
    PAYMENTS = "payments"
    CREDIT_NOTES = "credit-notes"
    FX_RATES = "fx-rates"
    ORDERS = "orders"


@dataclass(frozen=True)
class Template:
    """`required` columns must be in the header; whether a cell may be empty is the schema's call.

    `money` maps each amount column to the column holding its currency, for the precision check.
    """

    kind: ImportKind
    required: tuple[str, ...]
    optional: tuple[str, ...]
    schema: type[BaseModel]
    permission: Permission
    dates: frozenset[str] = frozenset()
    decimals: frozenset[str] = frozenset()
    money: tuple[tuple[str, str], ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


_STATEMENT_REQUIRED_LINES = tuple(line for line in STATEMENT_LINES if line != "operating_cash_flow")

TEMPLATES: dict[ImportKind, Template] = {
    ImportKind.COMPANIES: Template(
        kind=ImportKind.COMPANIES,
        required=("registration_number", "country", "name", "sector"),
        optional=(
            "legal_form",
            "founded",
            "group_parent_registration_number",
            "group_parent_country",
            "status",
            "language",
        ),
        schema=CompanyCreate,
        permission=Permission.WRITE_COMPANIES,
        dates=frozenset({"founded"}),
    ),
    ImportKind.STATEMENTS: Template(
        kind=ImportKind.STATEMENTS,
        required=(
            "registration_number",
            "country",
            "period_end",
            "currency",
            *_STATEMENT_REQUIRED_LINES,
        ),
        optional=("operating_cash_flow",),
        schema=StatementCreate,
        permission=Permission.WRITE_COMPANIES,
        dates=frozenset({"period_end"}),
        decimals=frozenset(STATEMENT_LINES),
        money=tuple((line, "currency") for line in STATEMENT_LINES),
    ),
    ImportKind.ACCOUNTS: Template(
        kind=ImportKind.ACCOUNTS,
        required=("registration_number", "country", "payment_terms_days"),
        optional=("credit_limit", "currency", "language", "collector", "dunning_policy", "on_hold"),
        schema=AccountCreate,
        permission=Permission.WRITE_ACCOUNTS,
        decimals=frozenset({"credit_limit"}),
        money=(("credit_limit", "currency"),),
    ),
    ImportKind.INVOICES: Template(
        kind=ImportKind.INVOICES,
        required=(
            "invoice_number",
            "buyer_registration_number",
            "buyer_country",
            "currency",
            "amount",
            "issue_date",
            "due_date",
        ),
        optional=("vat_amount", "order_reference", "delivery_date"),
        schema=InvoiceCreate,
        permission=Permission.WRITE_LEDGER,
        dates=frozenset({"issue_date", "due_date", "delivery_date"}),
        decimals=frozenset({"amount", "vat_amount"}),
        money=(("amount", "currency"), ("vat_amount", "currency")),
    ),
    ImportKind.PAYMENTS: Template(
        kind=ImportKind.PAYMENTS,
        required=(
            "payment_reference",
            "payer_registration_number",
            "payer_country",
            "currency",
            "amount",
            "payment_date",
        ),
        optional=("invoice_number",),
        schema=PaymentCreate,
        permission=Permission.WRITE_LEDGER,
        dates=frozenset({"payment_date"}),
        decimals=frozenset({"amount"}),
        money=(("amount", "currency"),),
    ),
    ImportKind.CREDIT_NOTES: Template(
        kind=ImportKind.CREDIT_NOTES,
        required=("credit_note_number", "invoice_number", "currency", "amount", "issue_date"),
        optional=("reason",),
        schema=CreditNoteCreate,
        permission=Permission.WRITE_LEDGER,
        dates=frozenset({"issue_date"}),
        decimals=frozenset({"amount"}),
        money=(("amount", "currency"),),
    ),
    ImportKind.FX_RATES: Template(
        kind=ImportKind.FX_RATES,
        required=("rate_date", "base_currency", "quote_currency", "rate"),
        optional=(),
        schema=FxRateCreate,
        permission=Permission.WRITE_LEDGER,
        dates=frozenset({"rate_date"}),
        decimals=frozenset({"rate"}),
    ),
    ImportKind.ORDERS: Template(
        kind=ImportKind.ORDERS,
        required=(
            "order_reference",
            "buyer_registration_number",
            "buyer_country",
            "currency",
            "amount",
            "order_date",
        ),
        optional=("delivery_date", "status"),
        schema=OrderCreate,
        permission=Permission.WRITE_LEDGER,
        dates=frozenset({"order_date", "delivery_date"}),
        decimals=frozenset({"amount"}),
        money=(("amount", "currency"),),
    ),
}
