"""Routes: /accounts, /invoices, /payments, /credit-notes. Parse, call the service, shape.

Every POST here accepts an `Idempotency-Key`; for invoices, payments and credit notes (money
movements) integrators are expected to send one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from tradecredit.api.deps import ActorDep, Page, PageDep, SessionDep, page_of
from tradecredit.api.idempotency import KEYED_WRITE_RESPONSES, IdempotencyKeyDep, respond_once
from tradecredit.companies.service import get_company
from tradecredit.context import Actor
from tradecredit.kit.money import from_minor
from tradecredit.organisations.roles import Permission
from tradecredit.receivables import service
from tradecredit.receivables.models import (
    Allocation,
    CreditNote,
    CustomerAccount,
    Invoice,
    Payment,
)
from tradecredit.receivables.schemas import (
    AccountCreate,
    AccountDetailOut,
    AccountOut,
    AllocationOut,
    CreditNoteCreate,
    CreditNoteOut,
    InvoiceCreate,
    InvoiceOut,
    PaymentCreate,
    PaymentOut,
)

router = APIRouter(tags=["receivables"])


# --- shaping --------------------------------------------------------------------------------


def account_out(account: CustomerAccount) -> AccountOut:
    return AccountOut(**_account_fields(account))


def _account_fields(account: CustomerAccount) -> dict[str, object]:
    limit = account.credit_limit_minor
    return {
        "id": account.id,
        "company_id": account.company_id,
        "payment_terms_days": account.payment_terms_days,
        "credit_limit": None
        if limit is None or account.currency is None
        else from_minor(limit, account.currency),
        "currency": account.currency,
        "language": account.language,
        "collector": account.collector,
        "dunning_policy": account.dunning_policy,
        "on_hold": account.on_hold,
        "created_at": account.created_at,
    }


def account_detail_out(
    session: Session, *, actor: Actor, account: CustomerAccount
) -> AccountDetailOut:
    company = get_company(session, actor=actor, company_id=account.company_id)
    unapplied = service.unapplied_credit_minor(session, actor=actor, account_id=account.id)
    return AccountDetailOut(
        **_account_fields(account),
        company_registration_number=company.registration_number,
        company_country=company.country,
        company_name=company.name,
        unapplied_credit={
            currency: from_minor(minor, currency) for currency, minor in sorted(unapplied.items())
        },
    )


def invoices_out(session: Session, invoices: list[Invoice]) -> list[InvoiceOut]:
    open_minor = service.open_amounts(session, invoices)
    return [
        InvoiceOut(
            id=i.id,
            invoice_number=i.invoice_number,
            company_id=i.company_id,
            account_id=i.account_id,
            currency=i.currency,
            amount=from_minor(i.amount_minor, i.currency),
            vat_amount=None if i.vat_minor is None else from_minor(i.vat_minor, i.currency),
            open_amount=from_minor(open_minor[i.id], i.currency),
            issue_date=i.issue_date,
            due_date=i.due_date,
            order_reference=i.order_reference,
            delivery_date=i.delivery_date,
            created_at=i.created_at,
        )
        for i in invoices
    ]


def payments_out(
    session: Session, *, actor: Actor, payments: Sequence[Payment]
) -> list[PaymentOut]:
    """One allocations query for the whole list, however many payments it holds."""
    allocations = service.allocations_for_payments(
        session, actor=actor, payment_ids=[p.id for p in payments]
    )
    return [payment_out(p, allocations[p.id]) for p in payments]


def payment_out(payment: Payment, rows: list[tuple[Allocation, str]]) -> PaymentOut:
    allocated_minor = sum(allocation.amount_minor for allocation, _ in rows)
    return PaymentOut(
        id=payment.id,
        payment_reference=payment.payment_reference,
        company_id=payment.company_id,
        currency=payment.currency,
        amount=from_minor(payment.amount_minor, payment.currency),
        unapplied_amount=from_minor(payment.amount_minor - allocated_minor, payment.currency),
        payment_date=payment.payment_date,
        allocations=[
            AllocationOut(
                invoice_id=allocation.invoice_id,
                invoice_number=number,
                amount=from_minor(allocation.amount_minor, payment.currency),
                applied_on=allocation.applied_on,
            )
            for allocation, number in rows
        ],
        created_at=payment.created_at,
    )


def credit_note_out(note: CreditNote) -> CreditNoteOut:
    return CreditNoteOut(
        id=note.id,
        credit_note_number=note.credit_note_number,
        invoice_id=note.invoice_id,
        currency=note.currency,
        amount=from_minor(note.amount_minor, note.currency),
        issue_date=note.issue_date,
        reason=note.reason,
        created_at=note.created_at,
    )


# --- accounts -------------------------------------------------------------------------------


@router.post(
    "/accounts",
    status_code=201,
    response_model=AccountDetailOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Open a customer account for a company (terms, credit limit, collector)",
)
def create_account(
    data: AccountCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    def operation() -> AccountDetailOut:
        account = service.create_account(session, actor=actor, data=data)
        return account_detail_out(session, actor=actor, account=account)

    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.WRITE_ACCOUNTS,
        operation=operation,
    )


@router.get("/accounts", response_model=Page[AccountOut], summary="List customer accounts")
def list_accounts(session: SessionDep, actor: ActorDep, page: PageDep) -> Page[AccountOut]:
    accounts = service.list_accounts(session, actor=actor, limit=page.limit, offset=page.offset)
    return page_of([account_out(a) for a in accounts], page)


@router.get(
    "/accounts/{account_id}",
    response_model=AccountDetailOut,
    summary="Get a customer account, with its unapplied credit per currency",
)
def get_account(account_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> AccountDetailOut:
    account = service.get_account(session, actor=actor, account_id=account_id)
    return account_detail_out(session, actor=actor, account=account)


# --- invoices -------------------------------------------------------------------------------


@router.post(
    "/invoices",
    status_code=201,
    response_model=InvoiceOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Record an invoice (the buyer's account is opened if it has none)",
)
def create_invoice(
    data: InvoiceCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    def operation() -> InvoiceOut:
        invoice = service.create_invoice(session, actor=actor, data=data)
        return invoices_out(session, [invoice])[0]

    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.WRITE_LEDGER,
        operation=operation,
    )


@router.get("/invoices", response_model=Page[InvoiceOut], summary="List invoices")
def list_invoices(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    company_id: Annotated[uuid.UUID | None, Query(description="only this buyer's")] = None,
) -> Page[InvoiceOut]:
    invoices = service.list_invoices(
        session, actor=actor, company_id=company_id, limit=page.limit, offset=page.offset
    )
    return page_of(invoices_out(session, list(invoices)), page)


@router.get(
    "/invoices/{invoice_id}",
    response_model=InvoiceOut,
    summary="Get an invoice with its open amount",
)
def get_invoice(invoice_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> InvoiceOut:
    invoice = service.get_invoice(session, actor=actor, invoice_id=invoice_id)
    return invoices_out(session, [invoice])[0]


# --- payments -------------------------------------------------------------------------------


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Record a payment: the named invoice first, then oldest first; the rest unapplied",
)
def record_payment(
    data: PaymentCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.WRITE_LEDGER,
        operation=lambda: payments_out(
            session, actor=actor, payments=[service.record_payment(session, actor=actor, data=data)]
        )[0],
    )


@router.get("/payments", response_model=Page[PaymentOut], summary="List payments")
def list_payments(session: SessionDep, actor: ActorDep, page: PageDep) -> Page[PaymentOut]:
    payments = service.list_payments(session, actor=actor, limit=page.limit, offset=page.offset)
    return page_of(payments_out(session, actor=actor, payments=payments), page)


@router.get(
    "/payments/{payment_id}",
    response_model=PaymentOut,
    summary="Get a payment with its allocations",
)
def get_payment(payment_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> PaymentOut:
    payment = service.get_payment(session, actor=actor, payment_id=payment_id)
    return payments_out(session, actor=actor, payments=[payment])[0]


# --- credit notes ---------------------------------------------------------------------------


@router.post(
    "/credit-notes",
    status_code=201,
    response_model=CreditNoteOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Issue a credit note on an invoice (reduces its open amount)",
)
def add_credit_note(
    data: CreditNoteCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.WRITE_LEDGER,
        operation=lambda: credit_note_out(service.add_credit_note(session, actor=actor, data=data)),
    )


@router.get("/credit-notes", response_model=Page[CreditNoteOut], summary="List credit notes")
def list_credit_notes(session: SessionDep, actor: ActorDep, page: PageDep) -> Page[CreditNoteOut]:
    notes = service.list_credit_notes(session, actor=actor, limit=page.limit, offset=page.offset)
    return page_of([credit_note_out(n) for n in notes], page)


@router.get(
    "/credit-notes/{credit_note_id}",
    response_model=CreditNoteOut,
    summary="Get a credit note",
)
def get_credit_note(
    credit_note_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> CreditNoteOut:
    note = service.get_credit_note(session, actor=actor, credit_note_id=credit_note_id)
    return credit_note_out(note)
