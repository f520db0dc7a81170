from __future__ import annotations

from sqlalchemy import Engine, delete, select, update

from tradecredit.audit import service as audit
from tradecredit.audit.canonical import link_hash
from tradecredit.audit.models import AuditEvent
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work


def _write_events(engine: Engine, actor: Actor, n: int) -> None:
    with unit_of_work(engine) as session:
        changes = [
            audit.Change("thing.changed", "thing", str(i), before={"v": i}, after={"v": i + 1})
            for i in range(n)
        ]
        audit.record_many(session, actor=actor, changes=changes)


def _verify(engine: Engine, actor: Actor) -> audit.ChainReport:
    with unit_of_work(engine) as session:
        return audit.verify_chain(session, org_id=actor.org_id)


def test_an_untouched_chain_verifies(engine: Engine, actor: Actor) -> None:
    _write_events(engine, actor, 5)
    report = _verify(engine, actor)
    assert report.ok
    assert report.events_checked == 6  # organisation.created + 5


def test_appends_of_any_size_verify_and_advance_the_head(engine: Engine, actor: Actor) -> None:
    """One append of 1, of 40 (one statement on PostgreSQL: `db.bulk`) and of 3 with no
    before: every event stored in order, the head on the last."""
    _write_events(engine, actor, 1)
    _write_events(engine, actor, 40)
    with unit_of_work(engine) as session:
        audit.record_many(
            session,
            actor=actor,
            changes=[
                audit.Change("thing.created", "thing", None, None, {"n": i}) for i in range(3)
            ],
        )
    report = _verify(engine, actor)
    assert report.ok, report.broken
    assert report.events_checked == 1 + 1 + 40 + 3
    with unit_of_work(engine) as session:
        seqs = session.scalars(
            select(AuditEvent.seq).where(AuditEvent.org_id == actor.org_id).order_by(AuditEvent.seq)
        ).all()
    assert seqs == list(range(1, 46))


def test_an_altered_row_is_found_at_its_link(engine: Engine, actor: Actor) -> None:
    _write_events(engine, actor, 5)
    with unit_of_work(engine) as session:
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.org_id == actor.org_id, AuditEvent.seq == 4)
            .values(after='{"v":1000}')
        )
    report = _verify(engine, actor)
    assert report.broken is not None
    assert report.broken.seq == 4
    assert "altered" in report.broken.reason
    assert report.events_checked == 3


def test_a_removed_row_is_found(engine: Engine, actor: Actor) -> None:
    _write_events(engine, actor, 5)
    with unit_of_work(engine) as session:
        session.execute(
            delete(AuditEvent).where(AuditEvent.org_id == actor.org_id, AuditEvent.seq == 3)
        )
    report = _verify(engine, actor)
    assert report.broken is not None
    assert report.broken.seq == 4
    assert "removed" in report.broken.reason


def test_a_removed_last_row_is_found_through_the_head(engine: Engine, actor: Actor) -> None:
    _write_events(engine, actor, 3)
    with unit_of_work(engine) as session:
        session.execute(
            delete(AuditEvent).where(AuditEvent.org_id == actor.org_id, AuditEvent.seq == 4)
        )
    report = _verify(engine, actor)
    assert report.broken is not None
    assert "head" in report.broken.reason


def test_a_rehashed_forgery_breaks_the_next_link(engine: Engine, actor: Actor) -> None:
    """Recomputing the forged row's own hash is not enough: the next row points at the old one."""
    _write_events(engine, actor, 4)
    with unit_of_work(engine) as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.org_id == actor.org_id, AuditEvent.seq == 2)
        )
        assert event is not None
        event.after = '{"v":999}'
        event.hash = link_hash(
            org_id=str(event.org_id),
            seq=event.seq,
            occurred_at=event.occurred_at.isoformat(),
            actor=event.actor,
            action=event.action,
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            before=event.before,
            after=event.after,
            prev_hash=event.prev_hash,
        )
    report = _verify(engine, actor)
    assert report.broken is not None
    assert report.broken.seq == 3


def test_chains_of_two_organisations_are_independent(
    engine: Engine, actor: Actor, other_actor: Actor
) -> None:
    other = other_actor
    _write_events(engine, actor, 2)
    _write_events(engine, other, 3)
    with unit_of_work(engine) as session:
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.org_id == other.org_id, AuditEvent.seq == 2)
            .values(actor="mallory")
        )
    assert _verify(engine, actor).ok
    assert not _verify(engine, other).ok
