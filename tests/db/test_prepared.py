"""`db.prepared.Prepared` gives what `session.execute` gives (types, errors, autoflush), and
`db.writers.write_transaction` queues SQLite writers and rolls back a failed block."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import (
    Engine,
    Integer,
    bindparam,
    insert,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.db.prepared import Prepared, pipelined
from tradecredit.db.writers import write_transaction
from tradecredit.fx.models import FxRate
from tradecredit.organisations.models import Organisation

_COMPANIES = Prepared(
    select(Company.id, Company.org_id, Company.name, Company.founded, Company.created_at)
    .where(Company.org_id == bindparam("org_id"))
    .order_by(Company.registration_number)
)
_RATES = Prepared(
    select(FxRate.rate, FxRate.rate_date).where(
        FxRate.org_id == bindparam("org_id"), FxRate.quote_currency == "USD"
    )
)
_ORGANISATION = Prepared(select(Organisation.slug).where(Organisation.id == bindparam("org_id")))
_INSERT_COMPANY = Prepared(insert(Company.__table__))


def _company(actor: Actor, reg: str) -> Company:
    return Company(
        org_id=actor.org_id,
        registration_number=reg,
        country="DE",
        name=f"Company {reg}",
        sector="C25",
        status="active",
        founded=date(2001, 2, 3),
    )


def test_rows_and_types_as_session_execute_gives_them(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as session:
        session.add_all([_company(actor, "P1"), _company(actor, "P2")])
        session.add(
            FxRate(
                org_id=actor.org_id,
                rate_date=date(2026, 3, 1),
                base_currency="EUR",
                quote_currency="USD",
                rate=Decimal("1.0825"),
            )
        )
        # pending ORM rows: flushed first, as autoflush would
        params = {"org_id": actor.org_id}
        prepared = _COMPANIES.all(session, params)
        expected = [tuple(row) for row in session.execute(_COMPANIES.statement, params)]
        assert prepared == expected
        assert len(prepared) == 2
        assert [type(value) for value in prepared[0]] == [
            uuid.UUID,
            uuid.UUID,
            str,
            date,
            type(expected[0][4]),
        ]
        assert prepared[0][4].tzinfo is not None
        assert _RATES.first(session, params) == (Decimal("1.0825"), date(2026, 3, 1))
        assert _ORGANISATION.first(session, {"org_id": uuid.uuid4()}) is None


_PERCENT_AND_REPEATS = Prepared(
    select(
        literal("50%").label("share"),
        bindparam("a", type_=Integer) + bindparam("a", type_=Integer),
        text("'%(not_a_parameter)s'"),
    ).where(literal_column("1") == bindparam("one", type_=Integer))
)


def test_statements_sent_together_give_their_rows_after_the_block(
    engine: Engine, actor: Actor
) -> None:
    """`send` inside `pipelined` (one round trip on PostgreSQL): each statement's rows, typed,
    fetched after the block, in any order."""
    with unit_of_work(engine) as session:
        session.add_all([_company(actor, "S1"), _company(actor, "S2")])
        session.flush()
        params = {"org_id": actor.org_id}
        expected = _COMPANIES.all(session, params)
        with pipelined(session):
            companies = _COMPANIES.send(session, params)
            none = _COMPANIES.send(session, {"org_id": uuid.uuid4()})
            one = Prepared(select(literal(1, Integer))).send(session)
        assert one.first() == (1,)
        assert none.first() is None
        assert companies.all() == expected
        assert [row[2] for row in expected] == ["Company S1", "Company S2"]


def test_percent_signs_repeated_and_many_parameters_on_each_driver(engine: Engine) -> None:
    """On psycopg the SQL carries PostgreSQL's own `$n` placeholders (nothing for psycopg to
    parse at each execution): a literal % stays one %, text that looks like a psycopg
    placeholder stays text, a parameter used twice is sent once."""
    with unit_of_work(engine) as session:
        assert _PERCENT_AND_REPEATS.first(session, {"a": 21, "one": 1}) == (
            "50%",
            42,
            "%(not_a_parameter)s",
        )
        many = Prepared(select(*[bindparam(f"p{i}", type_=Integer) for i in range(60)]))
        assert many.first(session, {f"p{i}": i for i in range(60)}) == tuple(range(60))
        sql = _PERCENT_AND_REPEATS._for(session.get_bind().dialect).sql
    if engine.dialect.name == "postgresql":
        assert "$1" in sql
        assert "%(" not in sql.replace("'%(not_a_parameter)s'", "")


def test_database_errors_are_sqlalchemys(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as session:
        first = _company(actor, "DUP")
        session.add(first)
        session.flush()
        again = {column.key: getattr(first, column.key) for column in Company.__table__.columns}
    with unit_of_work(engine) as session, pytest.raises(IntegrityError):
        _INSERT_COMPANY.execute(session, again | {"id": uuid.uuid4()})


def test_a_missing_parameter_is_named(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as session, pytest.raises(Exception, match="org_id"):
        _COMPANIES.all(session, {})


def _fail_inside(session: Session, actor: Actor) -> None:
    with write_transaction(session):
        session.add(_company(actor, "GONE"))
        session.flush()
        raise RuntimeError("the route failed")


def test_write_transaction_rolls_back_a_failed_block(engine: Engine, actor: Actor) -> None:
    session = Session(engine)
    try:
        with pytest.raises(RuntimeError, match="the route failed"):
            _fail_inside(session, actor)
        with unit_of_work(engine) as check:
            assert _COMPANIES.all(check, {"org_id": actor.org_id}) == []
    finally:
        session.close()


def test_writers_take_turns_and_all_commit(engine: Engine, actor: Actor) -> None:
    """Eight threads writing at once through the queue: none times out, none is lost."""
    start = threading.Barrier(8)

    def write(index: int) -> None:
        start.wait(timeout=30)
        session = Session(engine)
        try:
            with write_transaction(session):
                session.add(_company(actor, f"Q{index}"))
                session.commit()
        finally:
            session.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with unit_of_work(engine) as session:
        assert len(_COMPANIES.all(session, {"org_id": actor.org_id})) == 8
