"""The batch thread's exposure memory (exposure.memo, api.hot.BatchRunner), on SQLite and
PostgreSQL (where each batch locks its buyers first, then forgets what the ledger's change log
says others changed).

What must hold: a runner that remembers decides exactly as decisions read from the ledger; a
commit by anybody else is seen by the next batch; a batch that does not commit leaves nothing
of its reservations behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from psycopg.errors import UniqueViolation
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from api.builders import Tenant, make_tenant
from decisions.builders import add_invoice, checkout
from decisions.test_batch import buyers, decided, request_for, rows
from exposure.test_changes import wait_for_a_moving_xmin
from tradecredit.api.hot import BatchRunner
from tradecredit.audit.models import AuditEvent
from tradecredit.audit.service import verify_chain
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.decisions import batch as decisions_batch
from tradecredit.decisions import facts as decisions_facts
from tradecredit.decisions import service
from tradecredit.decisions.facts import lock_buyer
from tradecredit.decisions.models import CheckoutDecision
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.exposure.memo import ExposureMemo
from tradecredit.idempotency.models import IdempotencyRecord
from tradecredit.kit.clock import utcnow
from tradecredit.orders import service as orders
from tradecredit.orders.models import Order
from tradecredit.orders.schemas import CancellationCreate
from tradecredit.organisations.models import ApiKey, User
from tradecredit.organisations.roles import Role
from tradecredit.organisations.service import system_actor
from tradecredit.receivables import service as receivables
from tradecredit.receivables.models import CustomerAccount
from tradecredit.receivables.schemas import CreditNoteCreate, PaymentCreate

pytestmark = pytest.mark.usefixtures("clock")
TODAY = date(2026, 3, 31)
"""The clock fixture's day."""


@pytest.fixture
def tenant(engine: Engine) -> Tenant:
    return make_tenant(engine)


@pytest.fixture
def runner(engine: Engine) -> Iterator[BatchRunner]:
    found = BatchRunner(engine)
    yield found
    found.close()


Decided = list[tuple[str, int | None, int | None]]


def batched_and_alone(
    engine: Engine, plan: list[list[tuple[str, str]]], runners: list[BatchRunner]
) -> tuple[Decided, Decided]:
    """(outcome, exposure, limit left) of the plan's requests decided in its batches, taken by
    the runners in turn, and of the same requests decided one by one for another tenant with
    the same buyers and limits."""
    limits = {"A": "1000", "B": "1000", "C": "10"}
    remembered, alone = make_tenant(engine), make_tenant(engine)
    buyers(engine, remembered, limits)
    buyers(engine, alone, limits)
    batched = []
    for turn, batch in enumerate(plan):
        runner = runners[turn % len(runners)]
        batched += runner.run([request_for(remembered, reg, amount) for reg, amount in batch])
    singles = []
    actor = system_actor(alone.org_id, "test")
    for reg, amount in (item for batch in plan for item in batch):
        with unit_of_work(engine) as session:
            data = DecisionCreate.model_validate(checkout(reg, amount))
            decision = service.decide_checkout(session, actor=actor, data=data)
            singles.append((decision.outcome, decision.exposure_minor, decision.limit_left_minor))
    return decided(batched), singles


def invoice_today(engine: Engine, tenant: Tenant, reg: str, number: str, amount: str) -> None:
    """An invoice of the buyer's issued today, due in 30 days, committed by another connection."""
    with unit_of_work(engine) as session:
        actor = system_actor(tenant.org_id, "test")
        add_invoice(
            session, actor, reg, number, amount, issued=TODAY, due=TODAY + timedelta(days=30)
        )


def exposure_of(body: str | None) -> str:
    assert body is not None
    return str(json.loads(body)["exposure"])


def test_batches_with_the_memory_decide_as_decisions_read_from_the_ledger(
    engine: Engine, runner: BatchRunner
) -> None:
    """Four consecutive batches over the same buyers (reservations of earlier batches must
    count) against the same requests decided one by one in their own transactions; Z is in
    nobody's buyer file (referred)."""
    plan = [
        [("A", "300"), ("B", "900"), ("Z", "10")],
        [("A", "300"), ("C", "5")],
        [("B", "50"), ("A", "300"), ("A", "300")],
        [("C", "5"), ("B", "60"), ("A", "50")],
    ]
    batched, singles = batched_and_alone(engine, plan, [runner])
    assert batched == singles
    assert [outcome for outcome, _, _ in singles].count("approve") == 8


def test_each_batch_is_committed_for_everybody_else_to_see(
    engine: Engine, tenant: Tenant, runner: BatchRunner
) -> None:
    buyers(engine, tenant, {"E": "10000"})
    for count in (1, 2, 3):
        runner.run([request_for(tenant, "E", "100")])
        assert rows(engine, tenant, CheckoutDecision) == count
        assert rows(engine, tenant, Order) == count


def test_a_commit_by_another_connection_is_seen_by_the_next_batch(
    engine: Engine, tenant: Tenant, runner: BatchRunner
) -> None:
    buyers(engine, tenant, {"D": "10000"})
    assert exposure_of(runner.run([request_for(tenant, "D", "100")])[0]) == "0.00"
    assert exposure_of(runner.run([request_for(tenant, "D", "100")])[0]) == "100.00"
    invoice_today(engine, tenant, "D", "INV-1", "2500")
    assert exposure_of(runner.run([request_for(tenant, "D", "100")])[0]) == "2700.00"


def test_a_batch_that_is_rolled_back_leaves_none_of_its_reservations(
    engine: Engine, tenant: Tenant, runner: BatchRunner
) -> None:
    """The second request's merchant reference is taken: the batch is rolled back after the
    first approval was reserved (in the memory too), and decided again without it."""
    buyers(engine, tenant, {"F1": "1000", "F2": "1000"})
    runner.run([request_for(tenant, "F2", "10", order_reference="PO-1")])
    answers = runner.run(
        [
            request_for(tenant, "F1", "100"),
            request_for(tenant, "F2", "10", order_reference="PO-1"),
        ]
    )
    assert [a is not None for a in answers] == [True, False]
    assert exposure_of(answers[0]) == "0.00"
    assert exposure_of(runner.run([request_for(tenant, "F1", "100")])[0]) == "100.00"


def test_each_approval_of_a_batch_has_its_order_written_with_it(
    engine: Engine, tenant: Tenant, runner: BatchRunner
) -> None:
    """A batch writes the orders of approvals without a merchant reference with its decision
    rows (`decide_checkout(orders_later=...)`), a merchant's at once: each decision names its
    order, with the reference and amount it reserved."""
    buyers(engine, tenant, {"W1": "1000", "W2": "1000"})
    answers = runner.run(
        [
            request_for(tenant, "W1", "100"),
            request_for(tenant, "W2", "50", order_reference="PO-W2"),
            request_for(tenant, "W1", "200"),
        ]
    )
    assert [json.loads(a or "{}").get("outcome") for a in answers] == ["approve"] * 3
    with unit_of_work(engine) as session:
        orders = {
            o.id: (o.order_reference, o.amount_minor, o.company_id)
            for o in session.scalars(select(Order).where(Order.org_id == tenant.org_id))
        }
        decisions = session.scalars(
            select(CheckoutDecision).where(CheckoutDecision.org_id == tenant.org_id)
        ).all()
    assert len(orders) == len(decisions) == 3
    for decision in decisions:
        assert decision.order_id is not None
        reference = decision.merchant_reference or f"checkout-{decision.id}"
        assert orders[decision.order_id] == (
            reference,
            decision.amount_minor,
            decision.company_id,
        )
    assert exposure_of(runner.run([request_for(tenant, "W1", "1")])[0]) == "300.00"


def test_the_memory_is_forgotten_on_a_new_day_and_kept_otherwise(
    engine: Engine, tenant: Tenant
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the memory is SQLite's: PostgreSQL has no data_version")
    buyers(engine, tenant, {"M": "1000"})
    memo = ExposureMemo()
    actor = system_actor(tenant.org_id, "test")
    with unit_of_work(engine) as session:
        company = lock_buyer(
            session, actor=actor, registration_number="M", country="DE", as_of=TODAY
        )
        assert company is not None
        memo.validate(session, as_of=TODAY)
        memo.native(session, actor=actor, company_id=company.buyer.company_id, as_of=TODAY)
        assert len(memo) == 1
        memo.validate(session, as_of=TODAY)
        assert len(memo) == 1, "same connection, nobody else committed, same day"
        memo.validate(session, as_of=TODAY + timedelta(days=1))
        assert len(memo) == 0
        assert not memo.serves(TODAY)


def test_a_buyer_whose_first_approval_opens_its_account_is_read_again(
    engine: Engine, tenant: Tenant, runner: BatchRunner
) -> None:
    """The remembered buyer row said "no account"; the approval opened one, so the next batch
    must not open another."""
    buyers(engine, tenant, {"N": "10000"})
    with unit_of_work(engine) as session:
        session.execute(delete(CustomerAccount).where(CustomerAccount.org_id == tenant.org_id))
    for _ in range(3):
        answer = runner.run([request_for(tenant, "N", "100")])[0]
        assert answer is not None
        assert json.loads(answer)["outcome"] == "approve"
    assert rows(engine, tenant, CustomerAccount) == 1
    assert rows(engine, tenant, Order) == 3


@pytest.fixture
def second_runner(engine: Engine) -> Iterator[BatchRunner]:
    """Another worker process's batch thread: a connection and a memory of its own."""
    found = BatchRunner(engine)
    yield found
    found.close()


def test_two_runners_decide_as_decisions_read_from_the_ledger(
    engine: Engine, runner: BatchRunner, second_runner: BatchRunner
) -> None:
    """Two workers' batches alternate over the same buyers: each must count the other's
    reservations, exactly as the same requests decided one by one."""
    plan = [
        [("A", "300"), ("B", "900")],
        [("A", "300"), ("C", "5")],
        [("B", "50"), ("A", "300")],
        [("A", "300"), ("C", "5")],
        [("C", "5"), ("B", "60"), ("A", "50")],
        [("A", "60"), ("B", "60")],
    ]
    batched, singles = batched_and_alone(engine, plan, [runner, second_runner])
    assert batched == singles
    assert [outcome for outcome, _, _ in singles].count("approve") == 8


def test_a_batch_whose_writes_fail_in_the_database_leaves_nothing_and_the_next_one_decides(
    engine: Engine, tenant: Tenant, runner: BatchRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision rows are written twice (a primary key violation): on PostgreSQL it surfaces
    only when the pipeline of the batch's last writes is read back. The batch is rolled back
    whole (no decision, order, idempotency record or audit event), the runner drops its
    connection, and its next batch decides as if nothing had happened."""
    buyers(engine, tenant, {"P": "1000"})
    real = decisions_batch.insert_decisions

    def twice(session: Session, *, rows: list[dict[str, Any]]) -> None:
        real(session, rows=rows + rows[:1])

    tables = (CheckoutDecision, Order, IdempotencyRecord, AuditEvent)
    before = [rows(engine, tenant, table) for table in tables]
    monkeypatch.setattr(decisions_batch, "insert_decisions", twice)
    with pytest.raises((IntegrityError, UniqueViolation)):
        runner.run([request_for(tenant, "P", "100"), request_for(tenant, "P", "200")])
    assert [rows(engine, tenant, table) for table in tables] == before
    assert before[:3] == [0, 0, 0]
    monkeypatch.setattr(decisions_batch, "insert_decisions", real)
    assert exposure_of(runner.run([request_for(tenant, "P", "100")])[0]) == "0.00"
    assert exposure_of(runner.run([request_for(tenant, "P", "100")])[0]) == "100.00"
    with unit_of_work(engine) as session:
        assert verify_chain(session, org_id=tenant.org_id).ok


def test_a_runner_whose_connection_dies_fails_one_batch_and_reconnects(
    engine: Engine, tenant: Tenant, runner: BatchRunner
) -> None:
    """PostgreSQL: the batch thread's own connection is killed by the server (a restart, an
    idle timeout). The next batch fails as a whole (its requests then go through the ordinary
    route, `api.hot._Batcher`), the runner drops the connection, and the batch after decides on
    a new one, seeing everything committed before."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a server that ends the connection: PostgreSQL")
    buyers(engine, tenant, {"K": "1000"})
    assert exposure_of(runner.run([request_for(tenant, "K", "100")])[0]) == "0.00"
    with unit_of_work(engine) as session:
        killed = session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state = 'idle' AND query LIKE 'COMMIT%'"
            )
        ).all()
    assert killed, "the runner's connection was found idle after its commit"
    with pytest.raises(OperationalError):
        runner.run([request_for(tenant, "K", "100")])
    assert exposure_of(runner.run([request_for(tenant, "K", "100")])[0]) == "100.00"
    assert rows(engine, tenant, CheckoutDecision) == 2


def test_the_runner_plans_generically_on_a_connection_the_pool_never_gets_back(
    engine: Engine, tenant: Tenant
) -> None:
    """PostgreSQL: the batch connection runs generic plans (`api.hot.use_generic_plans`); the
    setting must not leak into the pool's connections, which serve every other request."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    buyers(engine, tenant, {"G": "1000"})
    runner = BatchRunner(engine)
    try:
        assert exposure_of(runner.run([request_for(tenant, "G", "100")])[0]) == "0.00"
        connection = runner._connection
        assert connection is not None
        mode = connection.exec_driver_sql("SHOW plan_cache_mode").scalar_one()
        connection.rollback()
        assert mode == "force_generic_plan"
    finally:
        runner.close()
    with engine.connect() as pooled:
        assert pooled.exec_driver_sql("SHOW plan_cache_mode").scalar_one() == "auto"


def test_a_key_revoked_or_demoted_between_batches_decides_nothing_more(
    engine: Engine, tenant: Tenant, runner: BatchRunner
) -> None:
    """The runner remembers the keys' owners, to send a batch's opening statements together on
    PostgreSQL (`decisions.batch._open_together`), but every batch reads its keys again in its
    own transaction: once the key's user is a viewer, or the key revoked, the next batch hands
    its request back (the route answers 403 / 401) and stores nothing of it."""
    buyers(engine, tenant, {"R": "1000"})
    key_id = tenant.key_ids[Role.ADMIN]

    def decide() -> str | None:
        return runner.run([request_for(tenant, "R", "100")])[0]

    def set_role(role: Role) -> None:
        with unit_of_work(engine) as session:
            user_id = session.scalar(select(ApiKey.user_id).where(ApiKey.id == key_id))
            session.execute(update(User).where(User.id == user_id).values(role=role.value))

    assert decide() is not None
    assert decide() is not None
    set_role(Role.VIEWER)
    assert decide() is None
    set_role(Role.ADMIN)
    assert decide() is not None
    with unit_of_work(engine) as session:
        session.execute(update(ApiKey).where(ApiKey.id == key_id).values(revoked_at=utcnow()))
    assert decide() is None
    assert rows(engine, tenant, CheckoutDecision) == 3
    assert rows(engine, tenant, IdempotencyRecord) == 3
    with unit_of_work(engine) as session:
        assert verify_chain(session, org_id=tenant.org_id).ok


def test_postgresql_keeps_its_memory_between_batches_until_the_log_says_otherwise(
    engine: Engine, tenant: Tenant, runner: BatchRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A buyer's ledger is read in the first batch only; the runner's own approvals do not make
    it read again, somebody else's invoice does (exposure.changes)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the change log is PostgreSQL's")
    wait_for_a_moving_xmin(engine)
    buyers(engine, tenant, {"G": "10000", "H": "10000"})
    read: list[int] = []
    real = decisions_facts.buyers_native

    def counting(session: Session, **kwargs: Any) -> Any:
        read.append(len(kwargs["company_ids"]))
        return real(session, **kwargs)

    monkeypatch.setattr(decisions_facts, "buyers_native", counting)
    first = runner.run([request_for(tenant, "G", "100"), request_for(tenant, "H", "100")])
    assert [exposure_of(answer) for answer in first] == ["0.00", "0.00"]
    assert exposure_of(runner.run([request_for(tenant, "G", "100")])[0]) == "100.00"
    assert exposure_of(runner.run([request_for(tenant, "H", "100")])[0]) == "100.00"
    assert read == [2]
    invoice_today(engine, tenant, "G", "INV-G", "2500")
    answers = runner.run([request_for(tenant, "G", "100"), request_for(tenant, "H", "100")])
    assert [exposure_of(answer) for answer in answers] == ["2700.00", "200.00"]
    assert read == [2, 1], "only G, whose ledger somebody else changed, is read again"


def _pay(session: Session, actor: Actor, reg: str) -> None:
    receivables.record_payment(
        session,
        actor=actor,
        data=PaymentCreate(
            payment_reference=f"PAY-{reg}",
            payer_registration_number=reg,
            payer_country="DE",
            currency="EUR",
            amount=Decimal("400"),
            payment_date=TODAY,
        ),
    )


def _credit(session: Session, actor: Actor, reg: str) -> None:
    receivables.add_credit_note(
        session,
        actor=actor,
        data=CreditNoteCreate(
            credit_note_number=f"CN-{reg}",
            invoice_number=f"INV-{reg}",
            currency="EUR",
            amount=Decimal("300"),
            issue_date=TODAY,
        ),
    )


def _cancel(session: Session, actor: Actor, reg: str) -> None:
    order = session.scalars(
        select(Order).where(Order.org_id == actor.org_id).order_by(Order.created_at)
    ).first()
    assert order is not None
    orders.cancel_order(
        session, actor=actor, order_id=order.id, data=CancellationCreate(cancelled_on=TODAY)
    )


@pytest.mark.parametrize(
    ("change", "after"),
    [(_pay, "1110.00"), (_credit, "1210.00"), (_cancel, "1010.00")],
    ids=["payment", "credit note", "order cancelled"],
)
def test_a_settlement_or_cancellation_by_another_connection_is_seen_by_the_next_batch(
    engine: Engine,
    tenant: Tenant,
    runner: BatchRunner,
    change: Callable[[Session, Actor, str], None],
    after: str,
) -> None:
    """The buyer has an invoice of 1,000 and the runner's approved orders of 500 and 10 when somebody
    else pays 400 of the invoice, credits 300 of it, or cancels the order."""
    buyers(engine, tenant, {"S": "10000"})
    actor = system_actor(tenant.org_id, "test")
    invoice_today(engine, tenant, "S", "INV-S", "1000")
    assert exposure_of(runner.run([request_for(tenant, "S", "500")])[0]) == "1000.00"
    assert exposure_of(runner.run([request_for(tenant, "S", "10")])[0]) == "1500.00"
    with unit_of_work(engine) as session:
        change(session, actor, "S")
    assert exposure_of(runner.run([request_for(tenant, "S", "10")])[0]) == after
