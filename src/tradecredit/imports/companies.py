"""Companies: create new ones, update changed ones; a group parent may be in the same file."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tradecredit.companies.models import Company
from tradecredit.companies.schemas import CompanyCreate
from tradecredit.imports.lookup import COMPANY, CompanyKey
from tradecredit.imports.plan import Context, Plan, chunked, new_row, repeated_rows
from tradecredit.imports.problems import Row
from tradecredit.kit.ids import new_id

PARENT_COLUMNS = ("group_parent_registration_number", "group_parent_country")
OPTIONAL_FIELDS = ("legal_form", "founded", "status", "language")


@dataclass(frozen=True)
class Known:
    id: uuid.UUID
    parent_id: uuid.UUID | None


def key_of(values: Mapping[str, Any]) -> CompanyKey:
    return (values["registration_number"], values["country"])


def key_of_data(data: CompanyCreate) -> CompanyKey:
    return (data.registration_number, data.country)


def parent_key(values: Mapping[str, Any]) -> CompanyKey | None:
    number, country = values[PARENT_COLUMNS[0]], values[PARENT_COLUMNS[1]]
    return (number, country) if number and country else None


def plan_companies(ctx: Context, rows: Sequence[Row]) -> Plan:
    """Keys, parents and cycles are checked for every row whose columns for them are readable;
    only rows that passed everything are planned."""
    plan = Plan()
    repeated = repeated_rows(
        ctx,
        rows,
        needs=COMPANY,
        column="registration_number",
        reason=lambda v, first: (
            f"company {v['registration_number']!r} in {v['country']} appears more than once in "
            f"this file (first at row {first})"
        ),
    )
    known = _known_companies(ctx)
    ids: dict[CompanyKey, uuid.UUID] = {}
    for row in rows:
        if row.has(*COMPANY):
            key = key_of(row.values)
            ids.setdefault(key, known[key].id if key in known else new_id())
    parents = _resolve_parents(ctx, rows, known, ids)
    firsts = [row for row in rows if row.has(*COMPANY) and row.number not in repeated]
    _reject_cycles(ctx, firsts, known, ids, parents)
    planned = [(row, row.data) for row in firsts if row.data is not None]
    stored = _load(ctx, [known[k].id for _, d in planned if (k := key_of_data(d)) in known])
    new_rows: list[dict[str, Any]] = []
    for row, data in planned:
        values = _values(ctx, row, data, parents.get(row.number))
        company_id = ids[key_of_data(data)]
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
    rows: Sequence[Row],
    known: dict[CompanyKey, Known],
    ids: dict[CompanyKey, uuid.UUID],
) -> dict[int, uuid.UUID | None]:
    """Row number -> parent id, for rows whose file says who the parent is."""
    if not any(column in ctx.present for column in PARENT_COLUMNS):
        return {}
    parents: dict[int, uuid.UUID | None] = {}
    for row in rows:
        if not row.has(*PARENT_COLUMNS):
            continue
        wanted = parent_key(row.values)
        if wanted is None:
            parents[row.number] = None
        elif row.has(*COMPANY) and wanted == key_of(row.values):
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
    rows: Sequence[Row],
    known: dict[CompanyKey, Known],
    ids: dict[CompanyKey, uuid.UUID],
    parents: dict[int, uuid.UUID | None],
) -> None:
    """`rows`: the first row of each readable key, so each company has one parent here."""
    parent_of = {k.id: k.parent_id for k in known.values()}
    parent_of |= {ids[key_of(r.values)]: parents[r.number] for r in rows if r.number in parents}
    names = {k.id: key for key, k in known.items()} | {cid: key for key, cid in ids.items()}
    for row in rows:
        start = ids[key_of(row.values)]
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


def _values(
    ctx: Context, row: Row, data: CompanyCreate, parent_id: uuid.UUID | None
) -> dict[str, Any]:
    """The fields this file sets: a column absent from the file leaves the stored value alone;
    an empty cell clears an optional field, but an empty status keeps the stored status (the
    schema's default "active" must not revive an insolvent company)."""
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
