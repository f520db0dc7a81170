"""The ledger's change log (PostgreSQL): the triggers name the buyers whose exposure a write
moves, and a worker's look (`exposure.changes.ChangeLog`) finds every change it has not seen,
leaves its own out, and survives pruning."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from decisions.builders import add_buyer, add_invoice
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.exposure.changes import (
    MOST_OWN,
    Changed,
    ChangeLog,
    ChangePruner,
    prune_below,
)
from tradecredit.exposure.models import ledger_changes
from tradecredit.fx import service as fx
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.imports.service import import_file
from tradecredit.orders import service as orders
from tradecredit.orders.schemas import CancellationCreate, DeliveryCreate, OrderCreate
from tradecredit.receivables import service as receivables
from tradecredit.receivables.schemas import CreditNoteCreate, PaymentCreate

DAY = date(2026, 3, 2)


@pytest.fixture
def pg(engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("the change log is kept by PostgreSQL triggers (SQLite: data_version)")
    wait_for_a_moving_xmin(engine)
    return engine


def wait_for_a_moving_xmin(engine: Engine, limit_s: float = 10.0) -> None:
    """Until no transaction older than a new one runs anywhere in the cluster. A worker's mark
    is the cluster's xmin (exposure.changes): while another session (another database's
    included) holds it back, looks name again everything since, which is safe but not what
    these tests measure. Skips, saying why, after `limit_s`."""
    deadline = time.monotonic() + limit_s
    while True:
        with engine.connect() as connection:
            xid = connection.exec_driver_sql("SELECT pg_current_xact_id()::text::bigint").scalar()
            connection.commit()
            xmin = connection.exec_driver_sql(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
            ).scalar()
            connection.commit()
        if xmin is not None and xid is not None and xmin > xid:
            return
        if time.monotonic() > deadline:
            pytest.skip(f"a transaction elsewhere in the cluster holds xmin at {xmin} (< {xid})")
        time.sleep(0.1)


@pytest.fixture
def buyers(pg: Engine, actor: Actor) -> dict[str, uuid.UUID]:
    with unit_of_work(pg) as session:
        return {reg: add_buyer(session, actor, reg) for reg in ("A", "B", "C")}


def look(engine: Engine, log: ChangeLog) -> Changed:
    with unit_of_work(engine) as session:
        return log.look(session)


@pytest.fixture
def log(pg: Engine, buyers: dict[str, uuid.UUID]) -> Iterator[ChangeLog]:
    found = ChangeLog()
    assert look(pg, found) is None, "the first look forgets everything"
    return found


def _invoice(session: Session, actor: Actor, reg: str, number: str, **extra: object) -> None:
    add_invoice(
        session, actor, reg, number, "1000", issued=DAY, due=DAY + timedelta(days=30), **extra
    )


def _order(session: Session, actor: Actor, reg: str, reference: str) -> uuid.UUID:
    data = OrderCreate(
        order_reference=reference,
        buyer_registration_number=reg,
        buyer_country="DE",
        currency="EUR",
        amount=Decimal("500"),
        order_date=DAY,
    )
    return orders.create_order(session, actor=actor, data=data).id


def _payment(session: Session, actor: Actor) -> None:
    data = PaymentCreate(
        payment_reference="PAY-1",
        payer_registration_number="A",
        payer_country="DE",
        currency="EUR",
        amount=Decimal("100"),
        payment_date=DAY,
    )
    receivables.record_payment(session, actor=actor, data=data)


def _credit_note(session: Session, actor: Actor) -> None:
    data = CreditNoteCreate(
        credit_note_number="CN-1",
        invoice_number="INV-A1",
        currency="EUR",
        amount=Decimal("50"),
        issue_date=DAY,
    )
    receivables.add_credit_note(session, actor=actor, data=data)


def _order_id(session: Session, actor: Actor, reference: str) -> uuid.UUID:
    found = orders.find_order(session, actor=actor, order_reference=reference)
    assert found is not None
    return found.id


def _deliver(session: Session, actor: Actor) -> None:
    order_id = _order_id(session, actor, "PO-B")
    orders.record_delivery(
        session,
        actor=actor,
        order_id=order_id,
        data=DeliveryCreate(delivered_on=DAY, amount=Decimal("100")),
    )


def _cancel(session: Session, actor: Actor) -> None:
    order_id = _order_id(session, actor, "PO-B")
    orders.cancel_order(
        session, actor=actor, order_id=order_id, data=CancellationCreate(cancelled_on=DAY)
    )


def _rate(session: Session, actor: Actor) -> None:
    data = FxRateCreate(
        rate_date=DAY, base_currency="EUR", quote_currency="USD", rate=Decimal("1.1")
    )
    fx.add_rate(session, actor=actor, data=data)


Write = Callable[[Session, Actor], object]
STEPS: list[tuple[str, Write, set[str] | None]] = [
    ("an invoice", lambda s, a: _invoice(s, a, "A", "INV-A1"), {"A"}),
    ("a payment allocated to it", _payment, {"A"}),
    ("a credit note on it", _credit_note, {"A"}),
    ("an order", lambda s, a: _order(s, a, "B", "PO-B"), {"B"}),
    ("a delivery of the order", _deliver, {"B"}),
    (
        "another buyer's invoice naming the order",
        lambda s, a: _invoice(s, a, "C", "INV-C1", order_reference="PO-B"),
        {"B", "C"},
    ),
    ("the order's cancellation", _cancel, {"B"}),
    ("an FX rate (everything)", _rate, None),
]


def test_each_ledger_write_names_the_buyers_whose_exposure_it_moves(
    pg: Engine, actor: Actor, buyers: dict[str, uuid.UUID], log: ChangeLog
) -> None:
    """Each look finds the buyers the last write names. It may name again those of earlier
    writes (the mark is the xmin of the whole cluster: a transaction of any database, other
    tests' included, can hold it back), never a buyer nobody wrote for."""
    written: set[uuid.UUID] = set()
    for what, write, expected in STEPS:
        with unit_of_work(pg) as session:
            write(session, actor)
        found = look(pg, log)
        if expected is None:
            assert found is None, what
            continue
        named = {buyers[reg] for reg in expected}
        written |= named
        assert found is not None, what
        assert named <= found, what
        assert found & set(buyers.values()) <= written, what


def test_a_transaction_running_during_a_look_is_found_by_the_next(
    pg: Engine, actor: Actor, buyers: dict[str, uuid.UUID], log: ChangeLog
) -> None:
    with Session(pg) as running:
        _invoice(running, actor, "A", "INV-RUNNING")
        running.flush()
        found = look(pg, log)
        assert found is not None
        assert buyers["A"] not in found, "not committed: nothing to see yet"
        running.commit()
    found = look(pg, log)
    assert found is not None
    assert buyers["A"] in found


def test_the_workers_own_transactions_are_left_out(
    pg: Engine, actor: Actor, buyers: dict[str, uuid.UUID], log: ChangeLog
) -> None:
    with unit_of_work(pg) as session:
        log.look(session)
        _order(session, actor, "A", "PO-OWN")
    found = look(pg, log)
    assert found is not None
    assert buyers["A"] not in found, "the worker's own order"
    with unit_of_work(pg) as session:
        _order(session, actor, "A", "PO-OTHER")
    found = look(pg, log)
    assert found is not None
    assert buyers["A"] in found, "somebody else's"


def test_the_own_transactions_remembered_are_bounded() -> None:
    """While the cluster's xmin is held back (a long transaction anywhere), the worker's own
    transactions above the mark pile up: the oldest are let go (their orders are then read
    again, which is safe), so the look's parameter stays small."""
    log = ChangeLog(mark=1, own=list(range(2, 2 + MOST_OWN + 50)))
    log.keep_own(10**6)
    assert len(log.own) == MOST_OWN
    assert log.own[-1] == 10**6


def _log_rows(engine: Engine) -> list[tuple[int, uuid.UUID | None]]:
    with unit_of_work(engine) as session:
        rows = session.execute(select(ledger_changes.c.xid, ledger_changes.c.company_id)).all()
    return [(int(xid), company) for xid, company in rows]


def _marker_and_rest(engine: Engine) -> tuple[int, list[tuple[int, uuid.UUID]]]:
    """The highest marker row's xid (a pruning's cut - 1) and the rows naming companies."""
    rows = _log_rows(engine)
    markers = [xid for xid, company in rows if company is None]
    assert markers, "a pruning leaves a marker"
    return max(markers), [(xid, company) for xid, company in rows if company is not None]


def _after_pruning(engine: Engine, worker: ChangeLog, cut: int, survivor: uuid.UUID) -> None:
    """What a worker's next look must give after a pruning at `cut`: everything forgotten when
    its mark is below the cut (rows it needed are gone); else nothing lost."""
    mark = worker.mark
    assert mark is not None
    found = look(engine, worker)
    if mark < cut:
        assert found is None, "rows it needed were pruned: it must forget everything"
    else:
        assert found is not None
        assert survivor in found, "its mark is at or above the cut: nothing lost"


def test_pruning_keeps_what_active_workers_need_and_a_stale_worker_forgets_everything(
    pg: Engine, actor: Actor, buyers: dict[str, uuid.UUID], log: ChangeLog
) -> None:
    stale = ChangeLog()
    look(pg, stale)
    with unit_of_work(pg) as session:
        _invoice(session, actor, "A", "INV-P1")
    look(pg, log)
    cut = log.mark
    assert cut is not None
    with unit_of_work(pg) as session:
        _invoice(session, actor, "B", "INV-P2")
    with unit_of_work(pg) as session:
        prune_below(session, cut=cut)
    marker, rest = _marker_and_rest(pg)
    assert marker == cut - 1
    assert all(xid >= cut for xid, _ in rest)
    assert buyers["B"] in {company for _, company in rest}
    _after_pruning(pg, stale, cut, buyers["B"])
    _after_pruning(pg, log, cut, buyers["B"])


def test_the_served_pruner_cuts_at_the_xmin_of_its_previous_turn(
    pg: Engine, actor: Actor, buyers: dict[str, uuid.UUID]
) -> None:
    pruner = ChangePruner(pg, every=3600)
    try:
        with unit_of_work(pg) as session:
            _invoice(session, actor, "A", "INV-T1")
        pruner.prune()
        assert buyers["A"] in {company for _, company in _log_rows(pg)}, "first turn: no cut"
        worker = ChangeLog()
        look(pg, worker)
        with unit_of_work(pg) as session:
            _invoice(session, actor, "B", "INV-T2")
        pruner.prune()
        marker, rest = _marker_and_rest(pg)
        assert all(xid > marker for xid, _ in rest), "cut at the first turn's xmin"
        assert buyers["B"] in {company for _, company in rest}
        _after_pruning(pg, worker, marker + 1, buyers["B"])
    finally:
        pruner.stop()


def test_a_file_import_prunes_the_log(
    pg: Engine, actor: Actor, buyers: dict[str, uuid.UUID], log: ChangeLog, tmp_path: Path
) -> None:
    """Cut at the import's own snapshot: with nothing else running, every worker then forgets
    everything."""
    with unit_of_work(pg) as session:
        _invoice(session, actor, "A", "INV-I1")
    header = "invoice_number,buyer_registration_number,buyer_country,currency,amount,"
    path = tmp_path / "invoices.csv"
    path.write_text(header + "issue_date,due_date\nINV-I2,B,DE,EUR,100.00,2026-03-02,2026-04-01\n")
    with unit_of_work(pg) as session:
        import_file(session, actor=actor, kind="invoices", path=path)
    marker, rest = _marker_and_rest(pg)
    assert all(xid > marker for xid, _ in rest)
    assert buyers["B"] in {company for _, company in rest}, "the import's own rows stay"
    _after_pruning(pg, log, marker + 1, buyers["B"])
