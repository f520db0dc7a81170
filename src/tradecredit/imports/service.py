"""`import_file`: read, validate every row, check against the database, then write all or nothing.

Never commits: the caller's unit of work holds the whole file, so a failure anywhere leaves the
database as it was. Usable from the CLI, the API or a script.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from tradecredit.audit.service import Change
from tradecredit.context import Actor
from tradecredit.exposure.changes import prune_now
from tradecredit.imports.accounts import plan_accounts
from tradecredit.imports.companies import plan_companies
from tradecredit.imports.credit_notes import plan_credit_notes
from tradecredit.imports.errors import ImportFileUnreadable
from tradecredit.imports.fx_rates import plan_fx_rates
from tradecredit.imports.invoices import plan_invoices
from tradecredit.imports.mapping import ColumnMapping, load_mapping, resolve_layout
from tradecredit.imports.orders import plan_orders
from tradecredit.imports.payments import plan_payments
from tradecredit.imports.plan import Context, Plan, apply_plan
from tradecredit.imports.problems import Problems, Row
from tradecredit.imports.reader import read_table
from tradecredit.imports.schemas import ImportResult
from tradecredit.imports.statements import plan_statements
from tradecredit.imports.templates import TEMPLATES, ImportKind, Template
from tradecredit.imports.validate import Progress, validate_rows
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import BatchRejected, InvalidInput

Planner = Callable[[Context, Sequence[Row]], Plan]

PLANNERS: dict[ImportKind, Planner] = {
    ImportKind.COMPANIES: plan_companies,
    ImportKind.STATEMENTS: plan_statements,
    ImportKind.ACCOUNTS: plan_accounts,
    ImportKind.INVOICES: plan_invoices,
    ImportKind.PAYMENTS: plan_payments,
    ImportKind.CREDIT_NOTES: plan_credit_notes,
    ImportKind.FX_RATES: plan_fx_rates,
    ImportKind.ORDERS: plan_orders,
}


def import_file(
    session: Session,
    *,
    actor: Actor,
    kind: ImportKind | str,
    path: Path,
    mapping: ColumnMapping | Path | None = None,
    dry_run: bool = False,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import one file of one kind. Raises `BatchRejected` (nothing written) when any row is bad,
    `ImportFileUnreadable` / `MappingInvalid` when the file or the mapping cannot be used."""
    template = template_for(kind)
    actor.require(template.permission)
    if isinstance(mapping, Path):
        mapping = load_mapping(mapping, template)
    mapping = mapping or ColumnMapping()
    content = _read_bytes(path)
    table = read_table(path, content, sheet=sheet)
    problems = Problems(table.file, template.columns)
    layout = resolve_layout(table.headers, template=template, mapping=mapping, problems=problems)
    if problems:
        raise BatchRejected(problems.in_order())
    rows = validate_rows(
        table,
        layout=layout,
        template=template,
        mapping=mapping,
        problems=problems,
        progress=progress,
    )
    ctx = Context(session, actor, problems, frozenset(layout.positions), utcnow())
    plan = PLANNERS[template.kind](ctx, rows)
    if problems:
        raise BatchRejected(problems.in_order())
    result = ImportResult(
        kind=template.kind.value,
        file=table.file,
        sha256=hashlib.sha256(content).hexdigest(),
        rows=len(table.rows),
        dry_run=dry_run,
        **plan.counts(),
    )
    if not dry_run:
        apply_plan(session, actor=actor, plan=plan, completed=_completed(result), progress=progress)
        prune_now(session)
    return result


def template_for(kind: ImportKind | str) -> Template:
    try:
        return TEMPLATES[ImportKind(kind)]
    except ValueError:
        kinds = ", ".join(k.value for k in ImportKind)
        raise InvalidInput(f"unknown import kind {kind!r} (one of {kinds})") from None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImportFileUnreadable(f"{path.name}: cannot be read ({error.strerror})") from None


def _completed(result: ImportResult) -> Change:
    return Change(
        action="import.completed",
        entity_type="import",
        entity_id=result.sha256,
        after=result.model_dump(exclude={"dry_run"}),
    )
