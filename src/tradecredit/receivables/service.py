"""The ledger's single-object operations. Bulk imports and the demo reuse the same rules.

Never commits. Every change writes an audit event. Payment allocation and credit notes lock
the customer account row first so that two concurrent writes cannot settle the same euro twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.companies.models import Company
from tradecredit.companies.service import company_by_key, get_company
from tradecredit.context import Actor
from tradecredit.db.snapshot import snapshot
from tradecredit.kit.errors import AlreadyExists, CurrencyMismatch, InvalidInput, NotFound
from tradecredit.kit.money import to_minor
from tradecredit.organisations.roles import Permission
from tradecredit.receivables.allocation import OpenItem, allocate, open_minor
from tradecredit.receivables.models import (
    Allocation,
    CreditNote,
    CustomerAccount,
    Invoice,
    Payment,
)
from tradecredit.receivables.schemas import (
    AccountCreate,
    CreditNoteCreate,
    InvoiceCreate,
    PaymentCreate,
)

DEFAULT_PAYMENT_TERMS_DAYS = 30


# --- accounts -------------------------------------------------------------------------------


def account_fields(data: AccountCreate) -> dict[str, object]:
    limit = None
    if data.credit_limit is not None and data.currency is not None:
        limit = to_minor(data.credit_limit, data.currency)
    return {
        "payment_terms_days": data.payment_terms_days,
        "credit_limit_minor": limit,
        "currency": data.currency,
        "language": data.language,
        "collector": data.collector,
        "dunning_policy": data.dunning_policy,
        "on_hold": data.on_hold,
    }


def find_account(
    session: Session, *, actor: Actor, company_id: uuid.UUID
) -> CustomerAccount | None:
    return session.scalar(
        select(CustomerAccount).where(
            CustomerAccount.org_id == actor.org_id, CustomerAccount.company_id == company_id
        )
    )


def create_account(session: Session, *, actor: Actor, data: AccountCreate) -> CustomerAccount:
    actor.require(Permission.WRITE_ACCOUNTS)
    company = company_by_key(
        session, actor=actor, registration_number=data.registration_number, country=data.country
    )
    if find_account(session, actor=actor, company_id=company.id):
        raise AlreadyExists(f"company {data.registration_number!r} already has an account")
    account = CustomerAccount(org_id=actor.org_id, company_id=company.id, **account_fields(data))
    session.add(account)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="account.created",
        entity_type="customer_account",
        entity_id=account.id,
        after=snapshot(account),
    )
    return account


def ensure_account(session: Session, *, actor: Actor, company: Company) -> CustomerAccount:
    """The buyer's account; opened with the default terms when the first invoice arrives."""
    account = find_account(session, actor=actor, company_id=company.id)
    if account is not None:
        return account
    account = CustomerAccount(
        org_id=actor.org_id,
        company_id=company.id,
        payment_terms_days=DEFAULT_PAYMENT_TERMS_DAYS,
        on_hold=False,
    )
    session.add(account)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="account.opened",
        entity_type="customer_account",
        entity_id=account.id,
        after=snapshot(account),
    )
    return account


def get_account(session: Session, *, actor: Actor, account_id: uuid.UUID) -> CustomerAccount:
    account = session.get(CustomerAccount, account_id)
    if account is None or account.org_id != actor.org_id:
        raise NotFound(f"no customer account {account_id}")
    return account


def list_accounts(
    session: Session, *, actor: Actor, limit: int = 100, offset: int = 0
) -> Sequence[CustomerAccount]:
    return session.scalars(
        select(CustomerAccount)
        .where(CustomerAccount.org_id == actor.org_id)
        .order_by(CustomerAccount.created_at, CustomerAccount.id)
        .limit(limit)
        .offset(offset)
    ).all()


def _lock_account(session: Session, account_id: uuid.UUID) -> None:
    session.execute(
        select(CustomerAccount.id).where(CustomerAccount.id == account_id).with_for_update()
    )


# --- open amounts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settlement:
    allocated_minor: int
    credited_minor: int


def settlements(session: Session, invoice_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Settlement]:
    ids = list(invoice_ids)
    if not ids:
        return {}
    allocated = dict(
        session.execute(
            select(Allocation.invoice_id, func.sum(Allocation.amount_minor))
            .where(Allocation.invoice_id.in_(ids))
            .group_by(Allocation.invoice_id)
        ).all()
    )
    credited = dict(
        session.execute(
            select(CreditNote.invoice_id, func.sum(CreditNote.amount_minor))
            .where(CreditNote.invoice_id.in_(ids))
            .group_by(CreditNote.invoice_id)
        ).all()
    )
    return {i: Settlement(int(allocated.get(i, 0)), int(credited.get(i, 0))) for i in ids}


def open_amounts(session: Session, invoices: Sequence[Invoice]) -> dict[uuid.UUID, int]:
    done = settlements(session, (i.id for i in invoices))
    return {
        i.id: open_minor(i.amount_minor, done[i.id].allocated_minor, done[i.id].credited_minor)
        for i in invoices
    }


def open_items(
    session: Session, *, actor: Actor, company_id: uuid.UUID, currency: str
) -> list[OpenItem]:
    invoices = session.scalars(
        select(Invoice).where(
            Invoice.org_id == actor.org_id,
            Invoice.company_id == company_id,
            Invoice.currency == currency,
        )
    ).all()
    amounts = open_amounts(session, invoices)
    return [
        OpenItem(i.id, i.invoice_number, i.issue_date, i.due_date, amounts[i.id])
        for i in invoices
        if amounts[i.id] > 0
    ]


# --- invoices -------------------------------------------------------------------------------


def find_invoice(session: Session, *, actor: Actor, invoice_number: str) -> Invoice | None:
    return session.scalar(
        select(Invoice).where(
            Invoice.org_id == actor.org_id, Invoice.invoice_number == invoice_number
        )
    )


def invoice_by_number(session: Session, *, actor: Actor, invoice_number: str) -> Invoice:
    invoice = find_invoice(session, actor=actor, invoice_number=invoice_number)
    if invoice is None:
        raise NotFound(f"unknown invoice {invoice_number!r}")
    return invoice


def invoice_fields(data: InvoiceCreate) -> dict[str, object]:
    return {
        "invoice_number": data.invoice_number,
        "currency": data.currency,
        "amount_minor": to_minor(data.amount, data.currency),
        "vat_minor": None if data.vat_amount is None else to_minor(data.vat_amount, data.currency),
        "issue_date": data.issue_date,
        "due_date": data.due_date,
        "order_reference": data.order_reference,
        "delivery_date": data.delivery_date,
    }


def create_invoice(session: Session, *, actor: Actor, data: InvoiceCreate) -> Invoice:
    actor.require(Permission.WRITE_LEDGER)
    if find_invoice(session, actor=actor, invoice_number=data.invoice_number):
        raise AlreadyExists(f"duplicate invoice number {data.invoice_number!r} for this seller")
    company = company_by_key(
        session,
        actor=actor,
        registration_number=data.buyer_registration_number,
        country=data.buyer_country,
    )
    account = ensure_account(session, actor=actor, company=company)
    invoice = Invoice(
        org_id=actor.org_id, account_id=account.id, company_id=company.id, **invoice_fields(data)
    )
    session.add(invoice)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="invoice.created",
        entity_type="invoice",
        entity_id=invoice.id,
        after=snapshot(invoice),
    )
    return invoice


def get_invoice(session: Session, *, actor: Actor, invoice_id: uuid.UUID) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.org_id != actor.org_id:
        raise NotFound(f"no invoice {invoice_id}")
    return invoice


def list_invoices(
    session: Session,
    *,
    actor: Actor,
    company_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Invoice]:
    query = select(Invoice).where(Invoice.org_id == actor.org_id)
    if company_id is not None:
        get_company(session, actor=actor, company_id=company_id)
        query = query.where(Invoice.company_id == company_id)
    query = query.order_by(Invoice.issue_date, Invoice.invoice_number)
    return session.scalars(query.limit(limit).offset(offset)).all()


# --- payments -------------------------------------------------------------------------------


def find_payment(
    session: Session, *, actor: Actor, company_id: uuid.UUID, payment_reference: str
) -> Payment | None:
    return session.scalar(
        select(Payment).where(
            Payment.org_id == actor.org_id,
            Payment.company_id == company_id,
            Payment.payment_reference == payment_reference,
        )
    )


def record_payment(session: Session, *, actor: Actor, data: PaymentCreate) -> Payment:
    """Store a payment and allocate it: named invoice first, then oldest first."""
    actor.require(Permission.WRITE_LEDGER)
    company = company_by_key(
        session,
        actor=actor,
        registration_number=data.payer_registration_number,
        country=data.payer_country,
    )
    if find_payment(
        session, actor=actor, company_id=company.id, payment_reference=data.payment_reference
    ):
        raise AlreadyExists(
            f"payment {data.payment_reference!r} from {data.payer_registration_number!r} "
            "is already recorded"
        )
    named = _named_invoice(session, actor=actor, data=data, company=company)
    account = ensure_account(session, actor=actor, company=company)
    _lock_account(session, account.id)
    amount_minor = to_minor(data.amount, data.currency)
    payment = Payment(
        org_id=actor.org_id,
        account_id=account.id,
        company_id=company.id,
        payment_reference=data.payment_reference,
        currency=data.currency,
        amount_minor=amount_minor,
        payment_date=data.payment_date,
        named_invoice_id=named.id if named else None,
    )
    session.add(payment)
    session.flush()
    items = open_items(session, actor=actor, company_id=company.id, currency=data.currency)
    result = allocate(amount_minor, items, named=[named.id] if named else [])
    allocations = [
        Allocation(
            org_id=actor.org_id,
            payment_id=payment.id,
            invoice_id=a.invoice_id,
            amount_minor=a.amount_minor,
            applied_on=data.payment_date,
        )
        for a in result.allocations
    ]
    session.add_all(allocations)
    session.flush()
    after = snapshot(payment) | {
        "allocations": [
            {"invoice": a.invoice_number, "minor": a.amount_minor} for a in result.allocations
        ],
        "unapplied_minor": result.unapplied_minor,
    }
    audit.record(
        session,
        actor=actor,
        action="payment.recorded",
        entity_type="payment",
        entity_id=payment.id,
        after=after,
    )
    return payment


def _named_invoice(
    session: Session, *, actor: Actor, data: PaymentCreate, company: Company
) -> Invoice | None:
    if data.invoice_number is None:
        return None
    invoice = invoice_by_number(session, actor=actor, invoice_number=data.invoice_number)
    if invoice.company_id != company.id:
        raise InvalidInput(
            f"invoice {data.invoice_number!r} belongs to another buyer than the payer"
        )
    if invoice.currency != data.currency:
        raise CurrencyMismatch(
            f"payment in {data.currency} names invoice {data.invoice_number!r} in {invoice.currency}"
        )
    return invoice


def get_payment(session: Session, *, actor: Actor, payment_id: uuid.UUID) -> Payment:
    payment = session.get(Payment, payment_id)
    if payment is None or payment.org_id != actor.org_id:
        raise NotFound(f"no payment {payment_id}")
    return payment


def _allocations_with_invoice_numbers() -> Select[Allocation, str]:
    """Allocations with their invoice's number, in the order the invoices were settled."""
    return (
        select(Allocation, Invoice.invoice_number)
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .order_by(Invoice.due_date, Invoice.issue_date, Invoice.invoice_number)
    )


def allocations_for_payments(
    session: Session, *, actor: Actor, payment_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Allocation, str]]]:
    """Each payment's allocations with their invoice numbers, in one query for a whole page.

    Every id asked for is a key; a payment with nothing applied maps to an empty list.
    """
    by_payment: dict[uuid.UUID, list[tuple[Allocation, str]]] = {i: [] for i in payment_ids}
    if not by_payment:
        return by_payment
    query = _allocations_with_invoice_numbers().where(
        Allocation.org_id == actor.org_id, Allocation.payment_id.in_(by_payment)
    )
    for allocation, number in session.execute(query):
        by_payment[allocation.payment_id].append((allocation, number))
    return by_payment


def list_payments(
    session: Session, *, actor: Actor, limit: int = 100, offset: int = 0
) -> Sequence[Payment]:
    return session.scalars(
        select(Payment)
        .where(Payment.org_id == actor.org_id)
        .order_by(Payment.payment_date, Payment.payment_reference)
        .limit(limit)
        .offset(offset)
    ).all()


# --- credit notes ---------------------------------------------------------------------------


def add_credit_note(session: Session, *, actor: Actor, data: CreditNoteCreate) -> CreditNote:
    actor.require(Permission.WRITE_LEDGER)
    if session.scalar(
        select(CreditNote.id).where(
            CreditNote.org_id == actor.org_id,
            CreditNote.credit_note_number == data.credit_note_number,
        )
    ):
        raise AlreadyExists(f"duplicate credit note number {data.credit_note_number!r}")
    invoice = invoice_by_number(session, actor=actor, invoice_number=data.invoice_number)
    if invoice.currency != data.currency:
        raise CurrencyMismatch(
            f"credit note in {data.currency} for invoice {invoice.invoice_number!r} "
            f"in {invoice.currency}"
        )
    _lock_account(session, invoice.account_id)
    amount_minor = to_minor(data.amount, data.currency)
    done = settlements(session, [invoice.id])[invoice.id]
    if done.credited_minor + amount_minor > invoice.amount_minor:
        raise InvalidInput(
            f"credit notes on invoice {invoice.invoice_number!r} would exceed its amount"
        )
    note = CreditNote(
        org_id=actor.org_id,
        invoice_id=invoice.id,
        company_id=invoice.company_id,
        credit_note_number=data.credit_note_number,
        currency=data.currency,
        amount_minor=amount_minor,
        issue_date=data.issue_date,
        reason=data.reason,
    )
    session.add(note)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="credit_note.created",
        entity_type="credit_note",
        entity_id=note.id,
        after=snapshot(note),
    )
    return note


def get_credit_note(session: Session, *, actor: Actor, credit_note_id: uuid.UUID) -> CreditNote:
    note = session.get(CreditNote, credit_note_id)
    if note is None or note.org_id != actor.org_id:
        raise NotFound(f"no credit note {credit_note_id}")
    return note


def list_credit_notes(
    session: Session, *, actor: Actor, limit: int = 100, offset: int = 0
) -> Sequence[CreditNote]:
    return session.scalars(
        select(CreditNote)
        .where(CreditNote.org_id == actor.org_id)
        .order_by(CreditNote.issue_date, CreditNote.credit_note_number)
        .limit(limit)
        .offset(offset)
    ).all()


def unapplied_credit_minor(
    session: Session, *, actor: Actor, account_id: uuid.UUID
) -> dict[str, int]:
    """Per currency: payments not allocated to any invoice (overpayments), left on the account."""
    paid = session.execute(
        select(Payment.currency, func.sum(Payment.amount_minor))
        .where(Payment.org_id == actor.org_id, Payment.account_id == account_id)
        .group_by(Payment.currency)
    ).all()
    allocated = dict(
        session.execute(
            select(Payment.currency, func.sum(Allocation.amount_minor))
            .join(Allocation, Allocation.payment_id == Payment.id)
            .where(Payment.org_id == actor.org_id, Payment.account_id == account_id)
            .group_by(Payment.currency)
        ).all()
    )
    return {currency: int(total) - int(allocated.get(currency, 0)) for currency, total in paid}
