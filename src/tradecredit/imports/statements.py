"""Financial statements: keyed by company + period end; a changed statement is updated."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from tradecredit.companies.models import STATEMENT_LINES, FinancialStatement
from tradecredit.companies.schemas import StatementCreate
from tradecredit.companies.service import statement_lines_minor
from tradecredit.imports.lookup import COMPANY, company_ids, company_keys, known_company
from tradecredit.imports.plan import Context, Plan, chunked, new_row, repeated_rows
from tradecredit.imports.problems import Row


def plan_statements(ctx: Context, rows: Sequence[Row]) -> Plan:
    """The company is looked up for every row whose key is readable; only rows that passed
    everything are planned."""
    plan = Plan()
    repeated = repeated_rows(
        ctx,
        rows,
        needs=(*COMPANY, "period_end"),
        column="period_end",
        reason=lambda v, first: (
            f"statement of {v['registration_number']!r} in {v['country']} for "
            f"{v['period_end']} appears more than once in this file (first at row {first})"
        ),
    )
    companies = company_ids(ctx, company_keys(rows))
    stored = _load(ctx, list(set(companies.values())))
    for row in rows:
        company_id = known_company(ctx, row, companies, role="company")
        if company_id is None or row.data is None or row.number in repeated:
            continue
        data: StatementCreate = row.data
        lines = statement_lines_minor(data)
        existing = stored.get((company_id, data.period_end))
        if existing is None:
            values = new_row(
                FinancialStatement,
                ctx,
                company_id=company_id,
                period_end=data.period_end,
                currency=data.currency,
                **lines,
            )
            plan.add(
                FinancialStatement,
                values,
                action="statement.imported",
                entity="financial_statement",
            )
            continue
        wanted: dict[str, Any] = {"currency": data.currency}
        wanted |= {line: lines[line] for line in STATEMENT_LINES if line in ctx.present}
        plan.change(existing, wanted, action="statement.updated", entity="financial_statement")
    return plan


def _load(
    ctx: Context, company_ids: list[uuid.UUID]
) -> dict[tuple[uuid.UUID, date], FinancialStatement]:
    found: dict[tuple[uuid.UUID, date], FinancialStatement] = {}
    for chunk in chunked(company_ids):
        query = select(FinancialStatement).where(
            FinancialStatement.org_id == ctx.actor.org_id,
            FinancialStatement.company_id.in_(chunk),
        )
        found.update(((s.company_id, s.period_end), s) for s in ctx.session.scalars(query))
    return found
