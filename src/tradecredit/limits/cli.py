"""`tradecredit limits`: credit policy, recommended limits, requests, decisions, reviews."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer
from rich.table import Table

from tradecredit.cli.common import OrgOption, cli_session, console, err_console
from tradecredit.kit.clock import utcnow
from tradecredit.kit.money import from_minor
from tradecredit.limits import queries
from tradecredit.limits.authority import user_actor
from tradecredit.limits.decisions import NewRequest, request_limit
from tradecredit.limits.formula import CONSTRAINTS
from tradecredit.limits.person import PersonDecision, decide_by_person
from tradecredit.limits.policy import policy_from_toml, policy_to_toml
from tradecredit.limits.policy_store import policy_in_force, set_policy
from tradecredit.limits.recommend import recommend
from tradecredit.limits.reviews import due_for_review
from tradecredit.limits.schemas import LimitRequestOut
from tradecredit.limits.shape import request_out

limits_app = typer.Typer(no_args_is_help=True)
policy_app = typer.Typer(no_args_is_help=True)
limits_app.add_typer(policy_app, name="policy", help="Show or set the credit policy.")
DAY = ["%Y-%m-%d"]
AsOfOption = typer.Option(None, "--as-of", formats=DAY, help="YYYY-MM-DD (default: today)")


def _day(value: datetime | None) -> date:
    return value.date() if value else utcnow().date()


def _decimal(value: str | None, option: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        err_console.print(f"[bold red]error[/]: {option} {value!r} is not a decimal amount")
        raise typer.Exit(code=2) from None


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        err_console.print(f"[bold red]error[/]: {what} {value!r} is not an id (a UUID)")
        raise typer.Exit(code=2) from None


@policy_app.command("show")
def policy_show(org: str | None = OrgOption) -> None:
    """Print the policy in force as a TOML file (amounts in the base currency)."""
    with cli_session(org) as (session, actor):
        found = policy_in_force(session, actor=actor)
    origin = f"set by {found.set_by}" if found.version else "the documented defaults"
    console.print(
        f"# credit policy version {found.version} ({origin}); amounts in {found.currency}"
    )
    console.print(policy_to_toml(found.policy), markup=False, highlight=False)


@policy_app.command("set")
def policy_set(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="a TOML policy file"),
    org: str | None = OrgOption,
) -> None:
    """Validate FILE and make it the policy in force (a new version; audited)."""
    with cli_session(org) as (session, actor):
        policy = policy_from_toml(file.name, file.read_text(encoding="utf-8"))
        found = set_policy(session, actor=actor, policy=policy)
    console.print(f"credit policy version {found.version} in force")


def _amount(minor: object, currency: str) -> str:
    return "–" if minor is None else f"{from_minor(int(str(minor)), currency):,.0f}"


@limits_app.command("recommend")
def recommend_command(
    company: str | None = typer.Option(None, "--company", help="one buyer's id"),
    as_of: datetime | None = AsOfOption,
    currency: str | None = typer.Option(None, "--currency", help="default: base currency"),
    top: int = typer.Option(50, "--top", min=1, help="rows shown (largest recommendation first)"),
    org: str | None = OrgOption,
) -> None:
    """Recommended limits with each constraint; the binding one is marked with *."""
    ids = None if company is None else [_uuid(company, "--company")]
    with cli_session(org) as (session, actor):
        found = recommend(
            session, actor=actor, as_of=_day(as_of), currency=currency, company_ids=ids
        )
    rows = found.rows.sort("recommended_minor", descending=True)
    table = Table(
        title=f"Recommended limits in {found.currency} as of {found.as_of}", title_justify="left"
    )
    for column in ("buyer", "grade", *CONSTRAINTS, "recommended"):
        table.add_column(column, justify="left" if column == "buyer" else "right")
    for row in rows.head(top).iter_rows(named=True):
        cells = [
            _amount(row[f"{name}_minor"], found.currency) + ("*" if row["binding"] == name else "")
            for name in CONSTRAINTS
        ]
        table.add_row(
            row["name"],
            str(row["grade"]),
            *cells,
            _amount(row["recommended_minor"], found.currency),
        )
    console.print(table)
    binding = Counter(rows["binding"].to_list())
    total = _amount(int(rows["recommended_minor"].sum()), found.currency)
    console.print(
        f"{rows.height:,} buyers, policy version {found.policy.version}; recommended in total "
        f"{total} {found.currency}; binding: "
        + ", ".join(f"{name} {binding[name]:,}" for name in CONSTRAINTS if binding[name])
    )


def _print_request(answer: LimitRequestOut) -> None:
    console.print(
        f"limit request {answer.id}: {answer.amount:,f} {answer.currency} for {answer.company_id} "
        f"-> [bold]{answer.status}[/]"
        + (f" (referred to {answer.referred_to_role})" if answer.referred_to_role else "")
    )
    for decision in answer.decisions:
        amount = "–" if decision.amount is None else f"{decision.amount:,f} {decision.currency}"
        console.print(
            f"  {decision.decided_by}: {decision.outcome} {amount}, valid until "
            f"{decision.valid_until}"
        )
        for condition in decision.conditions:
            console.print(f"    condition: {condition.kind} {condition.amount or condition.share}")
        for reason in decision.reasons:
            console.print(f"    {reason.code}: {reason.text_en}", markup=False)


@limits_app.command("request")
def request_command(
    company: str = typer.Option(..., "--company", help="the buyer's id"),
    amount: str = typer.Option(..., "--amount", help="e.g. 80000"),
    currency: str = typer.Option(..., "--currency", help="e.g. EUR"),
    reason: str | None = typer.Option(None, "--reason"),
    expected_sales: str | None = typer.Option(None, "--expected-sales", help="annual, posted"),
    confirm_below_exposure: bool = typer.Option(False, "--confirm-below-exposure"),
    as_of: datetime | None = AsOfOption,
    idempotency_key: str | None = typer.Option(None, "--idempotency-key"),
    org: str | None = OrgOption,
) -> None:
    """Request a credit limit; the engine approves, partly approves, refuses or refers it."""
    data = NewRequest(
        company_id=_uuid(company, "--company"),
        amount=_decimal(amount, "--amount") or Decimal(0),
        currency=currency.strip().upper(),
        reason=reason,
        expected_annual_sales=_decimal(expected_sales, "--expected-sales"),
        confirm_below_exposure=confirm_below_exposure,
        as_of=_day(as_of),
    )
    with cli_session(org) as (session, actor):
        created = request_limit(session, actor=actor, data=data, idempotency_key=idempotency_key)
        decisions = queries.decisions_for(session, actor=actor, request_ids=[created.id])
        answer = request_out(created, decisions[created.id])
    _print_request(answer)


def _decide(email: str, org: str | None, data: PersonDecision) -> None:
    with cli_session(org) as (session, actor):
        person = user_actor(session, actor=actor, email=email)
        decided = decide_by_person(session, actor=person, data=data)
        decisions = queries.decisions_for(session, actor=actor, request_ids=[decided.id])
        answer = request_out(decided, decisions[decided.id])
    _print_request(answer)


AsUser = typer.Option(..., "--as", help="the deciding user's e-mail (their authority applies)")


@limits_app.command("approve")
def approve_command(
    request_id: str = typer.Argument(..., help="the referred request's id"),
    amount: str | None = typer.Option(None, "--amount", help="default: the amount requested"),
    reason: str = typer.Option(..., "--reason"),
    email: str = AsUser,
    confirm_below_exposure: bool = typer.Option(False, "--confirm-below-exposure"),
    org: str | None = OrgOption,
) -> None:
    """Approve a referred request within the user's approval authority."""
    data = PersonDecision(
        _uuid(request_id, "request"),
        approve=True,
        note=reason,
        amount=_decimal(amount, "--amount"),
        confirm_below_exposure=confirm_below_exposure,
    )
    _decide(email, org, data)


@limits_app.command("refuse")
def refuse_command(
    request_id: str = typer.Argument(..., help="the referred request's id"),
    reason: str = typer.Option(..., "--reason"),
    email: str = AsUser,
    org: str | None = OrgOption,
) -> None:
    """Refuse a referred request."""
    data = PersonDecision(_uuid(request_id, "request"), approve=False, note=reason)
    _decide(email, org, data)


@limits_app.command("list")
def list_command(
    limit: int = typer.Option(100, "--limit", min=1, max=10_000), org: str | None = OrgOption
) -> None:
    """Current credit limits, soonest review first."""
    with cli_session(org) as (session, actor):
        found = queries.list_limits(session, actor=actor, limit=limit)
    table = Table("buyer id", "limit", "grade", "set on", "review on", "valid until")
    for row in found:
        amount = f"{from_minor(row.amount_minor, row.currency):,f} {row.currency}"
        table.add_row(
            str(row.company_id),
            amount,
            str(row.grade),
            str(row.set_on),
            str(row.review_on),
            str(row.valid_until),
        )
    console.print(table)


@limits_app.command("queue")
def queue_command(
    role: str | None = typer.Option(None, "--role", help="e.g. credit_manager"),
    org: str | None = OrgOption,
) -> None:
    """Referred requests waiting for a person, newest first."""
    with cli_session(org) as (session, actor):
        found = queries.list_requests(
            session, actor=actor, status="referred", referred_to_role=role, limit=10_000
        )
    table = Table("request id", "buyer id", "amount", "referred to", "as of", "requested by")
    for row in found:
        amount = f"{from_minor(row.amount_minor, row.currency):,f} {row.currency}"
        table.add_row(
            str(row.id),
            str(row.company_id),
            amount,
            str(row.referred_to_role),
            str(row.as_of),
            row.requested_by,
        )
    console.print(table)


@limits_app.command("due-for-review")
def due_command(as_of: datetime | None = AsOfOption, org: str | None = OrgOption) -> None:
    """Current limits whose expiry or review date has come, or with new information, and why."""
    day = _day(as_of)
    with cli_session(org) as (session, actor):
        found = due_for_review(session, actor=actor, as_of=day)
    table = Table(
        "buyer", "limit", "review on", "valid until", "why", title=f"Due for review on {day}"
    )
    for due in found:
        amount = f"{from_minor(due.limit.amount_minor, due.limit.currency):,f} {due.limit.currency}"
        why = "; ".join(reason.text_en for reason in due.why)
        table.add_row(due.name, amount, str(due.limit.review_on), str(due.limit.valid_until), why)
    console.print(table)
    console.print(f"{len(found):,} limits due for review")
