"""What a checkout decision reads: the buyer, locked for the decision, with everything else in
the same statement (account, active limit, base currency, policy version, latest stored score,
whether the merchant's order reference is taken); its exposure and oldest overdue invoice (the
credit position the gates use); the policy (cached per version), whose `checkout` section holds
the checkout's own parameters; the amount in the position currency."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, String, and_, bindparam, exists, false, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.db.prepared import Prepared, Sent
from tradecredit.db.writers import hold_sqlite_write_lock
from tradecredit.decisions.rules import BuyerFacts, CheckoutRules
from tradecredit.exposure.memo import ExposureMemo
from tradecredit.exposure.one import buyers_native
from tradecredit.fx.rates import resolve
from tradecredit.fx.service import rate_table
from tradecredit.gates.position import (
    BUYER_COLUMNS,
    BuyerRow,
    CreditPosition,
    buyer_row,
    buyer_select,
    position_of,
)
from tradecredit.kit.errors import NotFound
from tradecredit.kit.money import round_to_currency, to_minor
from tradecredit.limits.models import CreditPolicyVersion
from tradecredit.limits.policy_store import PolicyInForce, policy_in_force
from tradecredit.orders.models import Order
from tradecredit.organisations.models import Organisation
from tradecredit.organisations.roles import Permission
from tradecredit.scoring.models import Score as StoredScore
from tradecredit.scoring.scores import company_score

_policies: dict[tuple[uuid.UUID, int, str], PolicyInForce] = {}
_policies_lock = threading.Lock()

_LATEST_POLICY = Prepared(
    select(
        Organisation.base_currency,
        select(func.max(CreditPolicyVersion.version))
        .where(CreditPolicyVersion.org_id == bindparam("org_id"))
        .scalar_subquery(),
    ).where(Organisation.id == bindparam("org_id"))
)


def policy_for(session: Session, *, actor: Actor, version: int, currency: str) -> PolicyInForce:
    """The policy in force, parsed once per (organisation, version, base currency).

    Versions are never changed (a change stores a new one), so a cached version is valid until
    a newer one appears, in this process or any other: callers read the latest version number
    in the decision's own transaction and pass it here."""
    found = _policies.get((actor.org_id, version, currency))
    if found is None:
        found = policy_in_force(session, actor=actor)
        with _policies_lock:
            _policies[(actor.org_id, found.version, found.currency)] = found
    return found


def cached_policy(session: Session, *, actor: Actor) -> PolicyInForce:
    """The policy in force (`policy_for`), reading the base currency and the latest version."""
    row = _LATEST_POLICY.first(session, {"org_id": actor.org_id})
    if row is None:
        raise NotFound(f"no organisation {actor.org_id}")
    return policy_for(session, actor=actor, version=row[1] or 0, currency=row[0])


@dataclass(frozen=True)
class Score:
    grade: int
    pd: Decimal
    as_of: date


@dataclass(frozen=True)
class LockedBuyer:
    """The buyer's row (`gates.position.buyer_select`) and what the decision reads with it:
    the latest policy version (0: none stored), the latest stored score on or before the day
    (None: never scored), whether the merchant's order reference is another order's."""

    buyer: BuyerRow
    policy_version: int
    score: Score | None
    reference_taken: bool


def _locked_buyer_select(*extra: Any, reference: bool) -> Select[Any]:
    """`buyer_select` with what `LockedBuyer` adds and `extra` columns after them; the caller
    adds the WHERE and the lock. With `reference`, whether the parameter `order_reference` is
    another order's; without, false.

    Two statements rather than one whose parameter may be NULL: PostgreSQL plans a prepared
    statement once for every value after its fifth run (a generic plan), and that plan did not
    see that a NULL reference matches nothing: it read every order of the organisation for
    each buyer (2 ms for a batch of 8 on the demo, growing with every approval)."""
    latest_score = (
        select(StoredScore.id)
        .where(
            StoredScore.org_id == Company.org_id,
            StoredScore.company_id == Company.id,
            StoredScore.as_of <= bindparam("as_of"),
        )
        .order_by(StoredScore.as_of.desc(), StoredScore.created_at.desc(), StoredScore.id.desc())
        .limit(1)
        .correlate(Company)
        .scalar_subquery()
    )
    policy_version = (
        select(func.max(CreditPolicyVersion.version))
        .where(CreditPolicyVersion.org_id == Company.org_id)
        .correlate(Company)
        .scalar_subquery()
    )
    reference_taken: Any = (
        exists()
        .where(
            Order.org_id == Company.org_id,
            Order.order_reference == bindparam("order_reference"),
        )
        .correlate(Company)
        if reference
        else false()
    )
    return buyer_select(
        policy_version,
        StoredScore.grade,
        StoredScore.pd,
        StoredScore.as_of,
        reference_taken,
        *extra,
    ).outerjoin(StoredScore, StoredScore.id == latest_score)


def _locked_buyer_statement(*, reference: bool) -> Prepared:
    return Prepared(
        _locked_buyer_select(reference=reference)
        .where(
            Company.org_id == bindparam("org_id"),
            Company.country == bindparam("country"),
            Company.registration_number == bindparam("registration_number"),
        )
        .with_for_update(of=Company)
    )


_LOCKED_BUYER = _locked_buyer_statement(reference=False)
_LOCKED_BUYER_WITH_REFERENCE = _locked_buyer_statement(reference=True)


def _locked_buyers_statement() -> Prepared:
    """`_LOCKED_BUYER` for several buyers of one organisation, each row followed by its
    (country, registration number); PostgreSQL only (the keys are two text[] parameters,
    unnested in pairs). Rows are locked in the order they are sorted, byte-wise (collation
    "C", as Python sorts str), so that concurrent batches lock their buyers in one order."""
    wanted = (
        func.unnest(
            bindparam("countries", type_=ARRAY(String())),
            bindparam("registration_numbers", type_=ARRAY(String())),
        )
        .table_valued("country", "registration_number")
        .render_derived(name="wanted")
    )
    return Prepared(
        _locked_buyer_select(Company.country, Company.registration_number, reference=False)
        .join(
            wanted,
            and_(
                Company.country == wanted.c.country,
                Company.registration_number == wanted.c.registration_number,
            ),
        )
        .where(Company.org_id == bindparam("org_id"))
        .order_by(Company.country.collate("C"), Company.registration_number.collate("C"))
        .with_for_update(of=Company)
    )


_LOCKED_BUYERS = _locked_buyers_statement()
_LOCKED_COLUMNS = BUYER_COLUMNS + 5


def _locked(row: tuple[Any, ...]) -> LockedBuyer:
    version, grade, pd, scored_on, taken = row[BUYER_COLUMNS:_LOCKED_COLUMNS]
    score = None if grade is None else Score(grade, pd, scored_on)
    return LockedBuyer(buyer_row(row), version or 0, score, bool(taken))


def lock_buyer(
    session: Session,
    *,
    actor: Actor,
    registration_number: str,
    country: str,
    as_of: date,
    order_reference: str | None = None,
    memo: ExposureMemo | None = None,
) -> LockedBuyer | None:
    """The buyer (None: not in the organisation's buyer file), locked until the transaction
    ends, so that concurrent decisions for it run one after the other and each sees the orders
    the previous ones reserved; read in one statement with what `LockedBuyer` lists.

    PostgreSQL: SELECT ... FOR UPDATE OF companies (the company row only). SQLite locks the
    whole database for writing: the transaction starts with BEGIN IMMEDIATE unless it has
    already written (the driver opens a transaction only at the first write, which takes the
    write lock), so no read below runs before the lock is held.

    With `memo` (`exposure.memo`) a request without a merchant reference reads the buyer from
    it under `buyer_key`: on SQLite only another connection changes what this reads, except the
    customer account a first approval opens, after which the caller forgets the key; on
    PostgreSQL the batch put it there (`lock_buyers`), locked."""
    hold_sqlite_write_lock(session.connection())
    params = {
        "org_id": actor.org_id,
        "country": country,
        "registration_number": registration_number,
        "as_of": as_of,
    }
    statement = _LOCKED_BUYER
    if order_reference is not None:
        statement = _LOCKED_BUYER_WITH_REFERENCE
        params["order_reference"] = order_reference

    def read() -> LockedBuyer | None:
        row = statement.first(session, params)
        return None if row is None else _locked(row)

    if memo is None or order_reference is not None:
        return read()
    return memo.remembered(buyer_key(actor, country, registration_number), as_of, read)


def lock_buyers(
    session: Session,
    *,
    actor: Actor,
    buyers: Sequence[tuple[str, str]],
    as_of: date,
    memo: ExposureMemo,
) -> None:
    """Lock the (country, registration number) `buyers` of the actor's organisation in one
    statement, then forget what the ledger's change log says others changed (`memo.catch_up`)
    and read the exposure of those not remembered in two (`exposure.one.buyers_native`), into
    `memo` (PostgreSQL's), where `lock_buyer` (under `buyer_key`, for this transaction; None:
    not in the buyer file) and `position_of` find them. Concurrent callers lock in the same
    order (`_locked_buyers_statement`); callers locking several organisations' buyers take
    them organisation by organisation in one order too. The steps apart (`send_lock`,
    `keep_locked`, `read_unknown`) let a caller send the lock with other statements."""
    sent = send_lock(session, actor=actor, buyers=buyers, as_of=as_of)
    locked = keep_locked(sent, actor=actor, buyers=buyers, as_of=as_of, memo=memo)
    memo.catch_up(session)
    read_unknown(session, actor=actor, locked=locked, as_of=as_of, memo=memo)


def send_lock(
    session: Session, *, actor: Actor, buyers: Sequence[tuple[str, str]], as_of: date
) -> Sent:
    """`lock_buyers`' lock, sent (`db.prepared.Sent`)."""
    wanted = sorted(set(buyers))
    params = {
        "org_id": actor.org_id,
        "countries": [country for country, _ in wanted],
        "registration_numbers": [number for _, number in wanted],
        "as_of": as_of,
    }
    return _LOCKED_BUYERS.send(session, params)


def keep_locked(
    sent: Sent,
    *,
    actor: Actor,
    buyers: Sequence[tuple[str, str]],
    as_of: date,
    memo: ExposureMemo,
) -> list[LockedBuyer]:
    """The buyers `send_lock` locked, each kept in `memo` under `buyer_key` (None: not in the
    buyer file)."""
    found = {(row[_LOCKED_COLUMNS], row[_LOCKED_COLUMNS + 1]): _locked(row) for row in sent.all()}
    for country, number in sorted(set(buyers)):
        memo.keep(buyer_key(actor, country, number), as_of, found.get((country, number)))
    return list(found.values())


def read_unknown(
    session: Session,
    *,
    actor: Actor,
    locked: Sequence[LockedBuyer],
    as_of: date,
    memo: ExposureMemo,
) -> None:
    """Into `memo`, the exposure of the `locked` buyers it does not know (after its catch-up)."""
    company_ids = [
        buyer.buyer.company_id
        for buyer in locked
        if not memo.knows(org_id=actor.org_id, company_id=buyer.buyer.company_id)
    ]
    if not company_ids:
        return
    rates = memo.rates(session, actor=actor, as_of=as_of)
    natives = buyers_native(session, actor=actor, company_ids=company_ids, as_of=as_of, rates=rates)
    for company_id, native in natives.items():
        memo.keep_native(org_id=actor.org_id, company_id=company_id, as_of=as_of, native=native)


def buyer_key(actor: Actor, country: str, registration_number: str) -> tuple[str, ...]:
    """Where `lock_buyer` keeps a buyer in the memory."""
    return ("locked_buyer", str(actor.org_id), country, registration_number)


def score_of(session: Session, *, actor: Actor, locked: LockedBuyer, as_of: date) -> Score:
    """The latest stored score on or before `as_of`; computed now (not stored) when none is."""
    if locked.score is not None:
        return locked.score
    company_id = locked.buyer.company_id
    computed = company_score(session, actor=actor, company_id=company_id, as_of=as_of).result
    return Score(computed.grade, computed.pd, as_of)


def in_currency(
    session: Session,
    *,
    actor: Actor,
    amount: Decimal,
    currency: str,
    target: str,
    as_of: date,
    memo: ExposureMemo | None = None,
) -> int:
    """`amount` of `currency` in minor units of `target`, at the latest rate on `as_of`."""
    minor = to_minor(amount, currency)
    if currency == target:
        return minor
    table = (
        rate_table(session, actor=actor, as_of=as_of)
        if memo is None
        else memo.rates(session, actor=actor, as_of=as_of).table()
    )
    return resolve(table, currency, target).convert_minor(minor)


@dataclass(frozen=True)
class Known:
    """Everything the rules need about a known buyer, plus what the record keeps."""

    company_id: uuid.UUID
    position: CreditPosition
    score: Score
    facts: BuyerFacts
    amount_minor: int
    """The order amount in the position currency."""


def buyer_facts(
    session: Session,
    *,
    actor: Actor,
    locked: LockedBuyer,
    amount: Decimal,
    currency: str,
    as_of: date,
    memo: ExposureMemo | None = None,
) -> Known:
    """The buyer's facts; its exposure and the FX table from `memo` when given."""
    actor.require(Permission.READ)
    position = position_of(session, actor=actor, buyer=locked.buyer, as_of=as_of, memo=memo)
    score = score_of(session, actor=actor, locked=locked, as_of=as_of)
    target = position.currency
    limit = None if position.limit is None else to_minor(position.limit, target)
    facts = BuyerFacts(
        known=True,
        status=locked.buyer.status,
        grade=score.grade,
        pd=score.pd,
        account_on_hold=position.account_on_hold,
        oldest_overdue_days=position.oldest_overdue_days,
        limit_minor=limit,
        limit_expired=position.limit_expired,
        exposure_minor=to_minor(position.exposure, target),
    )
    amount_minor = in_currency(
        session,
        actor=actor,
        amount=amount,
        currency=currency,
        target=target,
        as_of=as_of,
        memo=memo,
    )
    return Known(locked.buyer.company_id, position, score, facts, amount_minor)


def rules_for(policy: PolicyInForce, *, currency: str) -> CheckoutRules:
    """The policy's parameters for the rules; the starting limit matters only for a buyer
    without a limit, whose position is in the base currency, the policy's own."""
    terms = policy.policy
    return CheckoutRules(
        currency=currency,
        max_terms_days=terms.checkout.max_terms_days,
        overdue_tolerance_days=terms.overdue_tolerance_days,
        max_credit_grade=terms.max_credit_grade,
        starting_limit_minor=to_minor(
            round_to_currency(terms.progressive.starting_limit, policy.currency), policy.currency
        ),
        over_limit_referral_share=terms.checkout.over_limit_referral_share,
    )
