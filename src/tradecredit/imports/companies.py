"""Companies: create new ones, update changed ones; a group parent may be in the same file."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tradecredit.companies.models import Company
from tradecredit.companies.schemas import CompanyCreate
from tradecredit.imports.lookup import CompanyKey
from tradecredit.imports.plan import Context, Plan, chunked, new_row, unique_rows
from tradecredit.imports.problems import ValidRow
from tradecredit.kit.ids import new_id

PARENT_COLUMNS = ("group_parent_registration_number", "group_parent_country")
OPTIONAL_FIELDS = ("legal_form", "founded", "status", "language")


@dataclass(frozen=True)
class Known:
    id: uuid.UUID
    parent_id: uuid.UUID | None


def key_of(data: CompanyCreate) -> CompanyKey:
    return (data.registration_number, data.country)


def parent_key(data: CompanyCreate) -> CompanyKey | None:
    if data.group_parent_registration_number and data.group_parent_country:
        return (data.group_parent_registration_number, data.group_parent_country)
    return None


def plan_companies(ctx: Context, rows: Sequence[ValidRow]) -> Plan:
    plan = Plan()
    rows = unique_rows(
        ctx,
        rows,
        key=key_of,
        column="registration_number",
        reason=lambda d, first: (
            f"company {d.registration_number!r} in {d.country} appears more than once in this "
            f"file (first at row {first})"
        ),
    )
    known = _known_companies(ctx)
    keys = [key_of(row.data) for row in rows]
    ids = {key: known[key].id if key in known else new_id() for key in keys}
    parents = _resolve_parents(ctx, rows, known, ids)
    _reject_cycles(ctx, rows, known, ids, parents)
    stored = _load(ctx, [known[key].id for key in keys if key in known])
    new_rows: list[dict[str, Any]] = []
    for row in rows:
        data: CompanyCreate = row.data
        values = _values(ctx, row, parents.get(row.number))
        company_id = ids[key_of(data)]
        if company_id in stored:
            plan.change(stored[company_id], values, action="company.updated", entity="company")
        else:
            new_rows.append(new_row(Company, ctx, id=company_id, **_creation(data) | values))
    for values in parents_first(new_rows):
        plan.add(Company, values, action="company.imported", entity="company")
    return plan


def _known_companies(ctx: Context) -> dict[CompanyKey, Known]:
    """Every company of the organisation, light: parents and cycles can run through any of them."""
    rows = ctx.session.execute(
        select(
            Company.registration_number, Company.country, Company.id, Company.group_parent_id
        ).where(Company.org_id == ctx.actor.org_id)
    )
    return {(number, country): Known(cid, parent) for number, country, cid, parent in rows}


def _resolve_parents(
    ctx: Context,
    rows: Sequence[ValidRow],
    known: dict[CompanyKey, Known],
    ids: dict[CompanyKey, uuid.UUID],
) -> dict[int, uuid.UUID | None]:
    """Row number -> parent id, for rows whose file says who the parent is."""
    if not any(column in ctx.present for column in PARENT_COLUMNS):
        return {}
    parents: dict[int, uuid.UUID | None] = {}
    for row in rows:
        wanted = parent_key(row.data)
        if wanted is None:
            parents[row.number] = None
        elif wanted == key_of(row.data):
            ctx.problems.at(
                row, "group_parent_registration_number", "a company cannot be its own group parent"
            )
        elif wanted in ids or wanted in known:
            parents[row.number] = ids[wanted] if wanted in ids else known[wanted].id
        else:
            number, country = wanted
            ctx.problems.at(
                row,
                "group_parent_registration_number",
                f"unknown group parent {number!r} in {country}: neither in the database nor in "
                "this file",
            )
    return parents


def _reject_cycles(
    ctx: Context,
    rows: Sequence[ValidRow],
    known: dict[CompanyKey, Known],
    ids: dict[CompanyKey, uuid.UUID],
    parents: dict[int, uuid.UUID | None],
) -> None:
    parent_of = {k.id: k.parent_id for k in known.values()}
    parent_of |= {ids[key_of(r.data)]: parents[r.number] for r in rows if r.number in parents}
    names = {k.id: key for key, k in known.items()} | {cid: key for key, cid in ids.items()}
    for row in rows:
        start = ids[key_of(row.data)]
        path, current = [start], parent_of.get(start)
        while current is not None and current not in path:
            path.append(current)
            current = parent_of.get(current)
        if current == start:
            chain = " -> ".join(f"{names[c][0]}/{names[c][1]}" for c in [*path, start])
            ctx.problems.at(row, "group_parent_registration_number", f"group parent cycle: {chain}")


def _load(ctx: Context, company_ids: list[uuid.UUID]) -> dict[uuid.UUID, Company]:
    found: dict[uuid.UUID, Company] = {}
    for chunk in chunked(company_ids):
        query = select(Company).where(Company.org_id == ctx.actor.org_id, Company.id.in_(chunk))
        found.update((company.id, company) for company in ctx.session.scalars(query))
    return found


def _creation(data: CompanyCreate) -> dict[str, Any]:
    """Fields a new company takes from the schema even when the file lacks the column."""
    return {
        "registration_number": data.registration_number,
        "country": data.country,
        "group_parent_id": None,
        **{name: getattr(data, name) for name in OPTIONAL_FIELDS},
    }


def _values(ctx: Context, row: ValidRow, parent_id: uuid.UUID | None) -> dict[str, Any]:
    """The fields this file sets: a column absent from the file leaves the stored value alone;
    an empty cell clears an optional field, but an empty status keeps the stored status (the
    schema's default "active" must not revive an insolvent company)."""
    data: CompanyCreate = row.data
    values: dict[str, Any] = {"name": data.name, "sector": data.sector}
    values |= {name: getattr(data, name) for name in OPTIONAL_FIELDS if name in ctx.present}
    if "status" not in row.cells:
        values.pop("status", None)
    if any(column in ctx.present for column in PARENT_COLUMNS):
        values["group_parent_id"] = parent_id
    return values


def parents_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """New companies ordered so that a parent created in the same file is inserted before its
    children (the foreign key is checked row by row)."""
    pending = {row["id"]: row for row in rows}
    ordered: list[dict[str, Any]] = []
    while pending:
        ready = [row for row in pending.values() if row["group_parent_id"] not in pending]
        if not ready:
            ready = list(pending.values())
        for row in ready:
            ordered.append(row)
            del pending[row["id"]]
    return ordered
