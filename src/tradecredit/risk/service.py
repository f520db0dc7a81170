"""Country risk: import the OECD files, and read the class in force on a date. Never commits.

Country risk is platform reference data, the same for every organisation: the table has no
org_id. Writing it needs `Permission.ADMINISTER`, and an import that changes anything writes
one audit event into the importing organisation's chain, naming the file (and its SHA-256),
the counts and every class it changed. Reading needs no actor here: the API and the command
line authenticate before they call.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Select, and_, func, insert, select, update
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.context import Actor
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.fields import refuse_control_characters
from tradecredit.kit.ids import new_id
from tradecredit.organisations.roles import Permission
from tradecredit.risk import oecd
from tradecredit.risk.grades import CountryGradeScale, default_country_grade_scale
from tradecredit.risk.models import CountryRiskClass
from tradecredit.risk.oecd import Classification, OecdFormat
from tradecredit.risk.schemas import (
    CountryRisk,
    CountryRiskImport,
    risk_country_name,
    validate_risk_country,
)

OECD_SOURCE = "OECD"
"""The default source: the OECD's country risk classifications (either file layout)."""
MAX_SOURCE_LENGTH = 64

FRAME_SCHEMA = {
    "country": pl.String,
    "oecd_class": pl.Int8,
    "not_classified": pl.Boolean,
    "as_of": pl.Date,
    "risk_level": pl.Int8,
}

Key = tuple[str, date]


def validate_source(source: str) -> str:
    text = source.strip() if isinstance(source, str) else ""
    if not 1 <= len(text) <= MAX_SOURCE_LENGTH:
        raise InvalidInput(f"source {source!r} must be 1-{MAX_SOURCE_LENGTH} characters")
    try:
        return refuse_control_characters(text)
    except ValueError as error:
        raise InvalidInput(f"source {source!r} {error}") from None


# --- import -----------------------------------------------------------------------------------


def import_oecd_file(
    session: Session,
    *,
    actor: Actor,
    path: Path,
    format: OecdFormat | None = None,
    as_of: date | None = None,
    source: str = OECD_SOURCE,
    dry_run: bool = False,
) -> CountryRiskImport:
    """Parse an OECD file (all rows valid, or nothing written) and store what is new or changed.

    Idempotent: a classification already stored for (country, as_of, source) with the same
    class is counted unchanged; one with another class is updated (the audit event keeps both).
    """
    actor.require(Permission.ADMINISTER)
    chosen_source = validate_source(source)
    content, text = _read_file(path)
    chosen_format, rows = oecd.parse(path.name, text, format=format, as_of=as_of)
    stored = _stored(session, source=chosen_source, rows=rows)
    created = [row for row in rows if (row.country, row.as_of) not in stored]
    changed = [row for row in rows if _differs(stored.get((row.country, row.as_of)), row)]
    result = CountryRiskImport(
        file=path.name,
        sha256=hashlib.sha256(content).hexdigest(),
        format=chosen_format.value,
        source=chosen_source,
        dry_run=dry_run,
        rows=len(rows),
        created=len(created),
        updated=len(changed),
        unchanged=len(rows) - len(created) - len(changed),
        countries=len({row.country for row in rows}),
        first_as_of=min((row.as_of for row in rows), default=None),
        last_as_of=max((row.as_of for row in rows), default=None),
    )
    if dry_run or not (created or changed):
        return result
    _insert(session, created, source=chosen_source)
    _update(session, changed, stored)
    _audit_import(session, actor=actor, result=result, changed=changed, stored=stored)
    return result


def _read_file(path: Path) -> tuple[bytes, str]:
    """The file's bytes (their SHA-256 goes in the audit event) and its UTF-8 text."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read the file: {error.strerror}") from None
    try:
        return content, content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"{path.name}: not UTF-8 text (byte 0x{content[error.start]:02x} at offset "
            f"{error.start}); save it as 'CSV UTF-8'"
        ) from None


@dataclass(frozen=True, slots=True)
class _Stored:
    id: uuid.UUID
    oecd_class: int | None
    not_classified: bool


def _stored(session: Session, *, source: str, rows: Sequence[Classification]) -> dict[Key, _Stored]:
    """What is stored for this source over the file's date span, by (country, as_of)."""
    if not rows:
        return {}
    first, last = min(r.as_of for r in rows), max(r.as_of for r in rows)
    table = CountryRiskClass
    found = session.execute(
        select(table.id, table.country, table.as_of, table.oecd_class, table.not_classified).where(
            table.source == source, table.as_of >= first, table.as_of <= last
        )
    )
    return {(c, d): _Stored(i, k, bool(n)) for i, c, d, k, n in found}


def _differs(stored: _Stored | None, row: Classification) -> bool:
    if stored is None:
        return False
    return (stored.oecd_class, stored.not_classified) != (row.oecd_class, row.not_classified)


def _insert(session: Session, rows: Sequence[Classification], *, source: str) -> None:
    if not rows:
        return
    now = utcnow()
    values = [
        {
            "id": new_id(),
            "country": row.country,
            "as_of": row.as_of,
            "oecd_class": row.oecd_class,
            "not_classified": row.not_classified,
            "source": source,
            "imported_at": now,
        }
        for row in rows
    ]
    session.execute(insert(CountryRiskClass), values)


def _update(session: Session, rows: Sequence[Classification], stored: dict[Key, _Stored]) -> None:
    if not rows:
        return
    now = utcnow()
    values = [
        {
            "id": stored[(row.country, row.as_of)].id,
            "oecd_class": row.oecd_class,
            "not_classified": row.not_classified,
            "imported_at": now,
        }
        for row in rows
    ]
    session.execute(update(CountryRiskClass), values)


def _audit_import(
    session: Session,
    *,
    actor: Actor,
    result: CountryRiskImport,
    changed: Sequence[Classification],
    stored: dict[Key, _Stored],
) -> None:
    changes = [
        {
            "country": row.country,
            "as_of": row.as_of,
            "before": _class_of(stored[(row.country, row.as_of)]),
            "after": _class_of(row),
        }
        for row in changed
    ]
    audit.record(
        session,
        actor=actor,
        action="country_risk.imported",
        entity_type="country_risk_classes",
        entity_id=result.source,
        after=result.model_dump(mode="json") | {"changes": changes},
    )


def _class_of(item: _Stored | Classification) -> dict[str, Any]:
    return {"oecd_class": item.oecd_class, "not_classified": item.not_classified}


# --- reading ----------------------------------------------------------------------------------


def country_risk_as_of(
    session: Session,
    *,
    country: str,
    as_of: date,
    source: str = OECD_SOURCE,
    scale: CountryGradeScale | None = None,
) -> CountryRisk | None:
    """The classification in force on `as_of`: the latest review dated on or before it."""
    code = validate_risk_country(country)
    row = session.scalar(
        select(CountryRiskClass)
        .where(
            CountryRiskClass.country == code,
            CountryRiskClass.source == source,
            CountryRiskClass.as_of <= as_of,
        )
        .order_by(CountryRiskClass.as_of.desc())
        .limit(1)
    )
    return None if row is None else _risk(row, scale or default_country_grade_scale())


def country_risk_history(
    session: Session,
    *,
    country: str,
    source: str = OECD_SOURCE,
    scale: CountryGradeScale | None = None,
) -> list[CountryRisk]:
    """Every stored review of the country, oldest first."""
    code = validate_risk_country(country)
    rows = session.scalars(
        select(CountryRiskClass)
        .where(CountryRiskClass.country == code, CountryRiskClass.source == source)
        .order_by(CountryRiskClass.as_of)
    )
    chosen = scale or default_country_grade_scale()
    return [_risk(row, chosen) for row in rows]


def class_changes(history: Sequence[CountryRisk]) -> list[CountryRisk]:
    """The reviews that changed the classification (the first review counts as a change)."""
    changes: list[CountryRisk] = []
    for risk in history:
        if not changes or not _same_class(changes[-1], risk):
            changes.append(risk)
    return changes


def _same_class(a: CountryRisk, b: CountryRisk) -> bool:
    return (a.oecd_class, a.not_classified) == (b.oecd_class, b.not_classified)


def countries_in_force(
    session: Session,
    *,
    as_of: date,
    source: str = OECD_SOURCE,
    limit: int | None = None,
    offset: int = 0,
    scale: CountryGradeScale | None = None,
) -> list[CountryRisk]:
    """For every country with a review on or before `as_of`, the latest one; by country code."""
    query = _in_force(as_of, source).order_by(CountryRiskClass.country).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    chosen = scale or default_country_grade_scale()
    return [_risk(row, chosen) for row in session.scalars(query)]


def country_risk_frame(
    session: Session,
    *,
    as_of: date,
    source: str = OECD_SOURCE,
    scale: CountryGradeScale | None = None,
) -> pl.DataFrame:
    """The classification in force on `as_of` per country, for batch scoring (one row each).

    Columns: country, oecd_class (null when not classified), not_classified, as_of (the review
    the class comes from) and risk_level (the platform level from `scale`).
    """
    chosen = scale or default_country_grade_scale()
    rows = session.scalars(_in_force(as_of, source).order_by(CountryRiskClass.country))
    data = [
        {
            "country": row.country,
            "oecd_class": row.oecd_class,
            "not_classified": row.not_classified,
            "as_of": row.as_of,
            "risk_level": chosen.level(row.oecd_class, not_classified=row.not_classified),
        }
        for row in rows
    ]
    return pl.DataFrame(data, schema=FRAME_SCHEMA)


def _in_force(as_of: date, source: str) -> Select[CountryRiskClass]:
    latest = (
        select(CountryRiskClass.country, func.max(CountryRiskClass.as_of).label("as_of"))
        .where(CountryRiskClass.source == source, CountryRiskClass.as_of <= as_of)
        .group_by(CountryRiskClass.country)
        .subquery()
    )
    return (
        select(CountryRiskClass)
        .join(
            latest,
            and_(
                CountryRiskClass.country == latest.c.country,
                CountryRiskClass.as_of == latest.c.as_of,
            ),
        )
        .where(CountryRiskClass.source == source)
    )


def _risk(row: CountryRiskClass, scale: CountryGradeScale) -> CountryRisk:
    return CountryRisk(
        country=row.country,
        country_name=risk_country_name(row.country),
        as_of=row.as_of,
        oecd_class=row.oecd_class,
        not_classified=row.not_classified,
        risk_level=scale.level(row.oecd_class, not_classified=row.not_classified),
        source=row.source,
    )
