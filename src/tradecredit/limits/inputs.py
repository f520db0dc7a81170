"""What the limit formula reads per buyer, loaded with Core selects filtered on the organisation:
grade and PD (the latest stored score, else one computed now), the latest statement, sales over
the last 12 months, payment terms and payment history, every amount converted exactly into the
limit currency with the dated FX rates of the as-of date."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import ColumnElement, Executable, String, case, cast, func, select, true
from sqlalchemy.orm import Session

from tradecredit.analytics.conversion import convert_minor_array
from tradecredit.companies.models import Company, FinancialStatement
from tradecredit.context import Actor
from tradecredit.fx.rates import Converter
from tradecredit.fx.service import rate_table
from tradecredit.limits.formula import FORMULA_INPUTS
from tradecredit.limits.history import good_history, months_of_history
from tradecredit.limits.policy import CreditPolicy
from tradecredit.receivables.models import Allocation, CreditNote, CustomerAccount, Invoice
from tradecredit.scoring.models import Score
from tradecredit.scoring.overlays import Reason, months_before
from tradecredit.scoring.scores import company_score, parse_reasons, score_portfolio

PD_PLACES = Decimal("1e-18")


@dataclass(frozen=True)
class ScoreFact:
    grade: int
    pd: Decimal
    as_of: date
    model_version: str
    stored: bool
    reasons: tuple[Reason, ...] = ()


def _text(column: Any) -> Any:
    """A UUID or date column read as its text: the database renders it, so no Python object is
    built per value (ids come back as 32 hex digits on SQLite, hyphenated on PostgreSQL)."""
    return cast(column, String)


def _canonical_id(column: str) -> pl.Expr:
    text = pl.col(column).str.to_lowercase().str.replace_all("-", "", literal=True)
    parts = [text.str.slice(start, length) for start, length in UUID_PARTS]
    return pl.concat_str(parts, separator="-").alias(column)


UUID_PARTS = ((0, 8), (8, 4), (12, 4), (16, 4), (20, 12))


def _frame(session: Session, query: Executable, schema: Mapping[str, Any]) -> pl.DataFrame:
    """Rows as a frame. Columns typed Date or named `*_id` arrive as text (`_text`); dates are
    parsed and ids put in the canonical hyphenated form, both vectorised."""
    raw = {name: pl.String if dtype == pl.Date else dtype for name, dtype in schema.items()}
    rows = [tuple(row) for row in session.execute(query)]
    frame = pl.DataFrame(rows, schema=raw, orient="row")
    return frame.with_columns(
        *[pl.col(n).str.to_date("%Y-%m-%d") for n, t in schema.items() if t == pl.Date],
        *[_canonical_id(n) for n in schema if n.endswith("_id")],
    )


def _in(column: Any, ids: Collection[uuid.UUID] | None) -> ColumnElement[bool]:
    return column.in_(sorted(ids)) if ids is not None else true()


def stored_scores(
    session: Session, *, actor: Actor, as_of: date, company_ids: Collection[uuid.UUID] | None
) -> dict[uuid.UUID, ScoreFact]:
    """Each buyer's latest stored score dated on or before `as_of` (latest date, then latest
    stored)."""
    rows = session.execute(
        select(Score.company_id, Score.grade, Score.pd, Score.as_of, Score.model_version)
        .where(
            Score.org_id == actor.org_id, Score.as_of <= as_of, _in(Score.company_id, company_ids)
        )
        .order_by(Score.company_id, Score.as_of.desc(), Score.created_at.desc(), Score.id.desc())
    )
    found: dict[uuid.UUID, ScoreFact] = {}
    for company_id, grade, pd, day, version in rows:
        found.setdefault(company_id, ScoreFact(grade, pd, day, version, stored=True))
    return found


def scores_for(
    session: Session, *, actor: Actor, as_of: date, company_ids: Collection[uuid.UUID] | None
) -> dict[uuid.UUID, ScoreFact]:
    """Stored scores first; buyers without one are scored now (not stored)."""
    found = stored_scores(session, actor=actor, as_of=as_of, company_ids=company_ids)
    wanted = set(company_ids) if company_ids is not None else _all_companies(session, actor)
    missing = wanted - found.keys()
    if len(missing) == 1:
        (company_id,) = missing
        result = company_score(session, actor=actor, company_id=company_id, as_of=as_of).result
        found[company_id] = ScoreFact(
            result.grade, result.pd, as_of, result.model_version, False, result.reasons
        )
    elif missing:
        for result in score_portfolio(session, actor=actor, as_of=as_of):
            if result.company_id in missing:
                found[result.company_id] = ScoreFact(
                    result.grade, result.pd, as_of, result.model_version, False, result.reasons
                )
    return found


def score_reasons(
    session: Session, *, actor: Actor, company_id: uuid.UUID, fact: ScoreFact
) -> tuple[Reason, ...]:
    if not fact.stored:
        return fact.reasons
    text = session.scalar(
        select(Score.reasons)
        .where(
            Score.org_id == actor.org_id,
            Score.company_id == company_id,
            Score.as_of == fact.as_of,
            Score.model_version == fact.model_version,
        )
        .order_by(Score.created_at.desc(), Score.id.desc())
        .limit(1)
    )
    return parse_reasons(text) if text else ()


def _all_companies(session: Session, actor: Actor) -> set[uuid.UUID]:
    return set(session.scalars(select(Company.id).where(Company.org_id == actor.org_id)))


def _convert(frame: pl.DataFrame, columns: list[str], converter: Converter) -> pl.DataFrame:
    """Amount columns (minor units of each row's `currency`) in the converter's currency,
    exactly (half-even once); nulls stay null."""
    parts = [frame.clear()]
    for (currency,), part in frame.group_by("currency", maintain_order=True):
        conversion = converter.get(str(currency))
        converted = []
        for name in columns:
            values = part[name]
            minor = convert_minor_array(values.fill_null(0).to_numpy().astype(np.int64), conversion)
            series = pl.Series(name, minor, dtype=pl.Int64)
            converted.append(
                pl.select(
                    pl.when(values.is_null()).then(None).otherwise(series).alias(name)
                ).to_series()
            )
        parts.append(part.with_columns(converted))
    return pl.concat(parts)


def _statements(
    session: Session, actor: Actor, as_of: date, ids: Collection[uuid.UUID] | None
) -> pl.DataFrame:
    """The latest statement per buyer with period end on or before `as_of`."""
    fs = FinancialStatement
    query = select(
        _text(fs.company_id),
        _text(fs.period_end),
        fs.currency,
        fs.equity,
        fs.current_assets,
        fs.current_liabilities,
        fs.revenue,
    ).where(fs.org_id == actor.org_id, fs.period_end <= as_of, _in(fs.company_id, ids))
    schema = {"company_id": pl.String, "period_end": pl.Date, "currency": pl.String}
    schema |= dict.fromkeys(
        ("equity", "current_assets", "current_liabilities", "revenue"), pl.Int64
    )
    return (
        _frame(session, query, schema)
        .sort("period_end")
        .group_by("company_id")
        .last()
        .select(
            "company_id",
            "period_end",
            "currency",
            pl.col("equity").alias("equity_minor"),
            (pl.col("current_assets") - pl.col("current_liabilities")).alias(
                "working_capital_minor"
            ),
            pl.col("revenue").alias("revenue_minor"),
        )
    )


def _invoiced(
    session: Session, actor: Actor, as_of: date, ids: Collection[uuid.UUID] | None
) -> pl.DataFrame:
    """Per buyer and currency: the first invoice's issue date, and the amount invoiced over the
    12 months up to `as_of` (start excluded)."""
    recent = Invoice.issue_date > months_before(as_of, 12)
    query = (
        select(
            _text(Invoice.company_id),
            Invoice.currency,
            _text(func.min(Invoice.issue_date)),
            func.sum(case((recent, Invoice.amount_minor), else_=0)),
        )
        .where(
            Invoice.org_id == actor.org_id,
            Invoice.issue_date <= as_of,
            _in(Invoice.company_id, ids),
        )
        .group_by(Invoice.company_id, Invoice.currency)
    )
    schema = {"company_id": pl.String, "currency": pl.String, "first_issue": pl.Date}
    return _frame(session, query, schema | {"sales_minor": pl.Int64})


def _settled(
    model: Any, day: Any, org: uuid.UUID, as_of: date, ids: Collection[uuid.UUID] | None
) -> Any:
    """Per invoice: the sum and the latest date of its allocations (or credit notes) by
    `as_of`. For given buyers only their invoices' rows are read, through the invoice id index
    (the organisation's invoices of those buyers scope the rows)."""
    query = select(
        model.invoice_id.label("invoice_id"),
        func.sum(model.amount_minor).label("amount"),
        func.max(day).label("last_day"),
    ).where(day <= as_of)
    if ids is None:
        query = query.where(model.org_id == org)
    else:
        theirs = select(Invoice.id).where(
            Invoice.org_id == org, Invoice.company_id.in_(sorted(ids))
        )
        query = query.where(model.invoice_id.in_(theirs))
    return query.group_by(model.invoice_id).subquery()


def _judged_invoices(
    session: Session,
    actor: Actor,
    as_of: date,
    ids: Collection[uuid.UUID] | None,
    window_start: date,
) -> pl.DataFrame:
    """Invoices due in (window_start, as_of], each with what settled it by `as_of`."""
    org = actor.org_id
    paid = _settled(Allocation, Allocation.applied_on, org, as_of, ids)
    credited = _settled(CreditNote, CreditNote.issue_date, org, as_of, ids)
    query = (
        select(
            _text(Invoice.company_id),
            Invoice.amount_minor,
            _text(Invoice.due_date),
            func.coalesce(paid.c.amount, 0) + func.coalesce(credited.c.amount, 0),
            _text(paid.c.last_day).label("paid_on"),
            _text(credited.c.last_day).label("credited_on"),
        )
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .outerjoin(credited, credited.c.invoice_id == Invoice.id)
        .where(
            Invoice.org_id == org,
            Invoice.issue_date <= as_of,
            Invoice.due_date > window_start,
            Invoice.due_date <= as_of,
            _in(Invoice.company_id, ids),
        )
    )
    schema = {"company_id": pl.String, "amount_minor": pl.Int64, "due_date": pl.Date}
    schema |= {"settled_minor": pl.Int64, "paid_on": pl.Date, "credited_on": pl.Date}
    return _frame(session, query, schema).with_columns(
        pl.max_horizontal("paid_on", "credited_on").alias("last_settled_on")
    )


def _history(
    session: Session,
    actor: Actor,
    as_of: date,
    ids: Collection[uuid.UUID] | None,
    policy: CreditPolicy,
    invoiced: pl.DataFrame,
) -> pl.DataFrame:
    window_start = months_before(as_of, policy.progressive.established_after_months)
    judged = _judged_invoices(session, actor, as_of, ids, window_start)
    first = invoiced.group_by("company_id").agg(pl.col("first_issue").min())
    return (
        months_of_history(first, as_of=as_of)
        .join(
            good_history(judged, as_of=as_of, tolerance_days=policy.overdue_tolerance_days),
            on="company_id",
            how="left",
        )
        .with_columns(pl.col("good_history").fill_null(True))
    )


def _companies(session: Session, actor: Actor, ids: Collection[uuid.UUID] | None) -> pl.DataFrame:
    query = (
        select(_text(Company.id), Company.name, Company.status, CustomerAccount.payment_terms_days)
        .outerjoin(
            CustomerAccount,
            (CustomerAccount.company_id == Company.id) & (CustomerAccount.org_id == actor.org_id),
        )
        .where(Company.org_id == actor.org_id, _in(Company.id, ids))
        .order_by(Company.id)
    )
    schema = {"company_id": pl.String, "name": pl.String, "status": pl.String}
    return _frame(session, query, schema | {"payment_terms_days": pl.Int64})


def _score_frame(scores: Mapping[uuid.UUID, ScoreFact]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "company_id": [str(company_id) for company_id in scores],
            "grade": [fact.grade for fact in scores.values()],
            "pd": [fact.pd.quantize(PD_PLACES, rounding=ROUND_CEILING) for fact in scores.values()],
        },
        schema={"company_id": pl.String, "grade": pl.Int64, "pd": FORMULA_INPUTS["pd"]},
    )


def buyer_inputs(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    currency: str,
    policy: CreditPolicy,
    scores: Mapping[uuid.UUID, ScoreFact],
    company_ids: Collection[uuid.UUID] | None = None,
    posted_sales: Mapping[uuid.UUID, int] | None = None,
) -> pl.DataFrame:
    """The formula's input frame (`FORMULA_INPUTS`) plus `name`, `status`, `period_end` and
    `statement_currency`, one row per buyer (all of the organisation's, or `company_ids`).
    `posted_sales` (minor units of `currency`) replace the ledger's 12-month sales."""
    converter = Converter(rate_table(session, actor=actor, as_of=as_of), currency)
    statements = _convert(
        _statements(session, actor, as_of, company_ids),
        ["equity_minor", "working_capital_minor", "revenue_minor"],
        converter,
    ).rename({"currency": "statement_currency"})
    invoiced = _invoiced(session, actor, as_of, company_ids)
    sales = (
        _convert(invoiced.filter(pl.col("sales_minor") > 0), ["sales_minor"], converter)
        .group_by("company_id")
        .agg(pl.col("sales_minor").sum().alias("expected_sales_minor"))
    )
    if posted_sales:
        posted = pl.DataFrame(
            {"company_id": [str(c) for c in posted_sales], "posted": list(posted_sales.values())},
            schema={"company_id": pl.String, "posted": pl.Int64},
        )
        sales = sales.join(posted, on="company_id", how="full", coalesce=True).select(
            "company_id",
            pl.coalesce("posted", "expected_sales_minor").alias("expected_sales_minor"),
        )
    frame = (
        _companies(session, actor, company_ids)
        .join(_score_frame(scores), on="company_id", how="left")
        .join(statements, on="company_id", how="left")
        .join(sales, on="company_id", how="left")
        .join(
            _history(session, actor, as_of, company_ids, policy, invoiced),
            on="company_id",
            how="left",
        )
        .with_columns(
            pl.col("period_end").is_not_null().alias("has_statement"),
            pl.col("history_months").fill_null(0),
            pl.col("good_history").fill_null(False),
        )
    )
    return frame.select(*FORMULA_INPUTS, "name", "status", "period_end", "statement_currency")
