"""Country risk in the database (SQLite and PostgreSQL): import, as-of lookups, the batch frame."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from conftest import SHARED_DATA, make_org
from risk.files import HISTORICAL_FILE, SNAPSHOT_FILE, unique_source, write_csv
from tradecredit.audit.models import AuditEvent
from tradecredit.audit.service import verify_chain
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.errors import BatchRejected, InvalidInput, PermissionDenied, UnknownCountry
from tradecredit.kit.ids import new_id
from tradecredit.organisations.roles import Role
from tradecredit.risk import service
from tradecredit.risk.models import CountryRiskClass
from tradecredit.risk.oecd import OecdFormat

SMALL = ("country,iso3,crc,notes", "Germany,DEU,0,(6) (7)", "Albania,ALB,5,", "Singapore,SGP,0,")


@pytest.fixture(scope="module")
def real_source(engine: Engine) -> str:
    """Both real OECD files imported once per database, under a source of this module's own."""
    folder = SHARED_DATA / "oecd_country_risk"
    if not folder.is_dir():
        pytest.skip(f"reference data folder {folder} is absent")
    actor, source = make_org(engine), unique_source()
    with unit_of_work(engine) as session:
        for name, created in ((HISTORICAL_FILE, 17889), (SNAPSHOT_FILE, 201)):
            result = service.import_oecd_file(
                session, actor=actor, path=folder / name, source=source
            )
            assert (result.rows, result.created, result.unchanged) == (created, created, 0)
    return source


def _lookup(engine: Engine, country: str, day: date, source: str) -> tuple[object, ...] | None:
    with unit_of_work(engine) as session:
        found = service.country_risk_as_of(session, country=country, as_of=day, source=source)
    if found is None:
        return None
    return found.as_of, found.oecd_class, found.not_classified, found.risk_level


def _stored_rows(session: Session, source: str) -> int:
    query = select(func.count()).where(CountryRiskClass.source == source)
    return int(session.scalar(query) or 0)


def _import_events(session: Session, actor: Actor) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.org_id == actor.org_id, AuditEvent.action == "country_risk.imported"
    )
    return list(session.scalars(query.order_by(AuditEvent.seq)))


# --- lookups on the real files ----------------------------------------------------------------


def test_the_class_in_force_is_the_latest_review_on_or_before_the_date(
    engine: Engine, real_source: str
) -> None:
    assert _lookup(engine, "FR", date(1998, 12, 31), real_source) is None
    assert _lookup(engine, "AL", date(1999, 1, 1), real_source) == (date(1999, 1, 1), 7, False, 8)
    assert _lookup(engine, "AL", date(2004, 1, 14), real_source) == (
        date(2003, 10, 24),
        7,
        False,
        8,
    )
    assert _lookup(engine, "AL", date(2004, 1, 15), real_source) == (
        date(2004, 1, 15),
        6,
        False,
        7,
    )
    assert _lookup(engine, "hr", date(2025, 12, 31), real_source) == (
        date(2022, 3, 11),
        4,
        False,
        5,
    )


def test_not_classified_is_never_class_0(engine: Engine, real_source: str) -> None:
    assert _lookup(engine, "DE", date(2012, 12, 31), real_source) == (
        date(2012, 10, 26),
        0,
        False,
        1,
    )
    assert _lookup(engine, "DE", date(2013, 1, 1), real_source) == (date(2013, 1, 1), None, True, 1)
    assert _lookup(engine, "DE", date(2026, 3, 31), real_source) == (
        date(2026, 1, 30),
        None,
        True,
        1,
    )
    assert _lookup(engine, "HR", date(2026, 1, 30), real_source) == (
        date(2026, 1, 30),
        None,
        True,
        1,
    )
    assert _lookup(engine, "SG", date(2026, 3, 31), real_source) == (date(2026, 1, 30), 0, False, 1)
    assert _lookup(engine, "XK", date(2026, 3, 31), real_source) == (date(2026, 1, 30), 6, False, 7)


def test_the_frame_has_one_row_per_country_in_force(engine: Engine, real_source: str) -> None:
    with unit_of_work(engine) as session:
        frame = service.country_risk_frame(session, as_of=date(2026, 3, 31), source=real_source)
        before = service.country_risk_frame(session, as_of=date(1998, 12, 31), source=real_source)
    assert frame.schema == pl.Schema(service.FRAME_SCHEMA)
    assert (frame.height, frame["country"].n_unique()) == (201, 201)
    assert frame["as_of"].unique().to_list() == [date(2026, 1, 30)]
    rows = {row["country"]: row for row in frame.iter_rows(named=True)}
    assert (rows["DE"]["oecd_class"], rows["DE"]["not_classified"], rows["DE"]["risk_level"]) == (
        None,
        True,
        1,
    )
    assert (rows["SG"]["oecd_class"], rows["SG"]["not_classified"]) == (0, False)
    assert frame["not_classified"].sum() == 64
    assert before.height == 0
    assert before.schema == frame.schema


def test_history_and_paged_list(engine: Engine, real_source: str) -> None:
    with unit_of_work(engine) as session:
        history = service.country_risk_history(session, country="DE", source=real_source)
        page = service.countries_in_force(
            session, as_of=date(2022, 3, 11), source=real_source, limit=3, offset=1
        )
    assert len(history) == 90
    changes = service.class_changes(history)
    assert [(c.as_of, c.oecd_class, c.not_classified) for c in changes] == [
        (date(1999, 1, 1), 0, False),
        (date(2013, 1, 1), None, True),
    ]
    assert [(r.country, r.as_of, r.oecd_class) for r in page] == [
        ("AE", date(2022, 3, 11), 2),
        ("AF", date(2022, 3, 11), 7),
        ("AG", date(2022, 3, 11), 7),
    ]


def test_an_unknown_country_is_refused(engine: Engine) -> None:
    with unit_of_work(engine) as session, pytest.raises(UnknownCountry, match="'ZZ'"):
        service.country_risk_as_of(session, country="ZZ", as_of=date(2026, 1, 1))


# --- importing --------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(
    engine: Engine, actor: Actor, source: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, "small.csv", *SMALL)
    with unit_of_work(engine) as session:
        first = service.import_oecd_file(session, actor=actor, path=path, source=source)
    with unit_of_work(engine) as session:
        again = service.import_oecd_file(session, actor=actor, path=path, source=source)
        assert _stored_rows(session, source) == 3
        events = _import_events(session, actor)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (first.format, first.first_as_of, first.countries) == ("snapshot", date(2026, 1, 30), 3)
    assert len(events) == 1
    assert events[0].entity_id == source
    assert '"created":3' in (events[0].after or "")


def test_a_changed_class_is_updated_and_its_before_and_after_audited(
    engine: Engine, actor: Actor, source: str, tmp_path: Path
) -> None:
    old = write_csv(tmp_path, "old.csv", *SMALL)
    new = write_csv(tmp_path, "new.csv", *SMALL[:2], "Albania,ALB,4,", "Singapore,SGP,0,")
    with unit_of_work(engine) as session:
        service.import_oecd_file(session, actor=actor, path=old, source=source)
    with unit_of_work(engine) as session:
        result = service.import_oecd_file(session, actor=actor, path=new, source=source)
        events = _import_events(session, actor)
        assert verify_chain(session, org_id=actor.org_id).ok
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert _lookup(engine, "AL", date(2026, 2, 1), source) == (date(2026, 1, 30), 4, False, 5)
    assert len(events) == 2
    assert (
        '"changes":[{"after":{"not_classified":false,"oecd_class":4},"as_of":"2026-01-30",'
        '"before":{"not_classified":false,"oecd_class":5},"country":"AL"}]'
    ) in (events[1].after or "")


def test_a_snapshot_can_be_dated_and_a_dry_run_writes_nothing(
    engine: Engine, actor: Actor, source: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, "small.csv", *SMALL)
    with unit_of_work(engine) as session:
        dry = service.import_oecd_file(
            session, actor=actor, path=path, source=source, as_of=date(2025, 9, 26), dry_run=True
        )
        assert _stored_rows(session, source) == 0
        assert _import_events(session, actor) == []
        service.import_oecd_file(
            session,
            actor=actor,
            path=path,
            source=source,
            as_of=date(2025, 9, 26),
            format=OecdFormat.SNAPSHOT,
        )
    assert (dry.dry_run, dry.created, dry.first_as_of) == (True, 3, date(2025, 9, 26))
    assert _lookup(engine, "AL", date(2025, 9, 25), source) is None
    assert _lookup(engine, "AL", date(2025, 9, 26), source) == (date(2025, 9, 26), 5, False, 6)


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        (
            ("Atlantis,ATL,3,",),
            ("bad.csv", 5, "iso3", "ATL", "unknown ISO 3166-1 alpha-3 country code"),
        ),
        (
            ("France,FRA,8,",),
            ("bad.csv", 5, "crc", "8", "class 8 is outside the OECD scale 0-7"),
        ),
    ],
)
def test_a_bad_file_is_rejected_whole(
    engine: Engine,
    actor: Actor,
    source: str,
    tmp_path: Path,
    lines: tuple[str, ...],
    error: tuple[object, ...],
) -> None:
    path = write_csv(tmp_path, "bad.csv", *SMALL, *lines)
    with unit_of_work(engine) as session, pytest.raises(BatchRejected) as caught:
        service.import_oecd_file(session, actor=actor, path=path, source=source)
    assert [dataclasses.astuple(e) for e in caught.value.errors] == [error]
    with unit_of_work(engine) as session:
        assert _stored_rows(session, source) == 0
        assert _import_events(session, actor) == []


def test_a_bad_date_header_is_rejected_whole(
    engine: Engine, actor: Actor, source: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path, "hist.csv", "#,ISO,country name,01-Jan-99,1999-01-22", "1,ALB,Albania,7,7"
    )
    with unit_of_work(engine) as session, pytest.raises(BatchRejected) as caught:
        service.import_oecd_file(session, actor=actor, path=path, source=source)
    assert str(caught.value.errors[0]) == (
        "hist.csv:1: column 'E' value '1999-01-22': "
        "not a review date: expected DD-Mon-YY such as '01-Jan-99'"
    )
    with unit_of_work(engine) as session:
        assert _stored_rows(session, source) == 0


def test_only_an_administrator_may_import(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "small.csv", *SMALL)
    for role in (Role.VIEWER, Role.CREDIT_MANAGER, Role.UNDERWRITER):
        someone = dataclasses.replace(actor, role=role)
        with unit_of_work(engine) as session, pytest.raises(PermissionDenied, match="administer"):
            service.import_oecd_file(session, actor=someone, path=path, dry_run=True)


def test_unreadable_files_and_bad_sources_are_refused(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("country,iso3,crc,notes\nCôte d'Ivoire,CIV,5,\n".encode("latin-1"))
    with unit_of_work(engine) as session:
        with pytest.raises(
            InvalidInput, match=r"latin.csv: not UTF-8 text \(byte 0xf4 at offset 24\)"
        ):
            service.import_oecd_file(session, actor=actor, path=latin)
        with pytest.raises(InvalidInput, match="must be 1-64 characters"):
            service.import_oecd_file(session, actor=actor, path=latin, source=" ")
        with pytest.raises(InvalidInput, match=r"contains a control character \(U\+0009\)"):
            service.import_oecd_file(session, actor=actor, path=latin, source="a\tb")


def test_the_database_refuses_a_class_beside_the_not_classified_flag(engine: Engine) -> None:
    row = {
        "id": new_id(),
        "country": "DE",
        "as_of": date(2026, 1, 30),
        "oecd_class": 0,
        "not_classified": True,
        "source": unique_source(),
        "imported_at": datetime(2026, 1, 30, tzinfo=UTC),
    }
    for bad in (
        row,
        row | {"oecd_class": None, "not_classified": False},
        row | {"oecd_class": 8, "not_classified": False},
    ):
        with pytest.raises(IntegrityError), unit_of_work(engine) as session:
            session.execute(insert(CountryRiskClass), [bad | {"id": new_id()}])
