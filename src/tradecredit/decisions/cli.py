"""`tradecredit decisions`: decide a checkout from the terminal, list past decisions, release
expired reservations."""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError
from rich.table import Table

from tradecredit.cli.common import OrgOption, cli_session, console, err_console
from tradecredit.decisions import expiry, service
from tradecredit.decisions.rules import Outcome
from tradecredit.decisions.schemas import DecisionCreate, DecisionOut
from tradecredit.decisions.shape import decision_out
from tradecredit.kit.money import from_minor

decisions_app = typer.Typer(no_args_is_help=True)


_OPTION_OF_FIELD = {"registration_number": "--company", "terms_days": "--terms"}
"""The `decide` options whose names are not the request field's."""


def _request(fields: dict[str, Any]) -> DecisionCreate:
    try:
        return DecisionCreate.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        for problem in error.errors():
            field = ".".join(str(part) for part in problem["loc"])
            option = _OPTION_OF_FIELD.get(field, f"--{field.replace('_', '-')}" if field else "")
            reason = problem["msg"].removeprefix("Value error, ")
            err_console.print(f"[bold red]error[/]: {option or 'request'}: {reason}")
        raise typer.Exit(code=2) from None


def _amount(value: object, currency: str | None) -> str:
    return "-" if value is None else f"{value:,f} {currency or ''}".rstrip()


def print_decision(answer: DecisionOut) -> None:
    colour = {"approve": "green", "decline": "red", "refer": "yellow"}[answer.outcome]
    console.print(f"[bold {colour}]{answer.outcome.upper()}[/]  decision {answer.decision_id}")
    buyer = answer.buyer
    console.print(
        f"  buyer {buyer.registration_number} ({buyer.country})  amount "
        f"{_amount(answer.amount, answer.currency)}  terms {answer.terms_days} days",
        markup=False,
    )
    if answer.limit is not None:
        console.print(
            f"  limit {_amount(answer.limit, answer.limit_currency)}  exposure before "
            f"{_amount(answer.exposure, answer.limit_currency)}  limit left "
            f"{_amount(answer.limit_left, answer.limit_currency)}",
            markup=False,
        )
    if answer.grade is not None:
        console.print(f"  grade {answer.grade}  PD {answer.pd:f}", markup=False)
    if answer.order_reference:
        console.print(
            f"  reserved as order {answer.order_reference} until {answer.expires_at}", markup=False
        )
    for reason in answer.reasons:
        console.print(f"  {reason.code}: {reason.text_en}", markup=False)


@decisions_app.command("decide")
def decide_command(
    company: str = typer.Option(..., "--company", help="the buyer's registration number"),
    country: str = typer.Option(..., "--country", help="the buyer's ISO 3166 country, e.g. DE"),
    amount: str = typer.Option(..., "--amount", help='the order amount, e.g. "1250.00"'),
    currency: str = typer.Option(..., "--currency", help="e.g. EUR"),
    terms: int = typer.Option(..., "--terms", help="payment terms in days (1-120)"),
    name: str | None = typer.Option(None, "--name", help="the buyer's name"),
    order_reference: str | None = typer.Option(None, "--order-reference"),
    org: str | None = OrgOption,
) -> None:
    """Decide a checkout now and print the outcome with its reasons; an approval reserves the
    amount as an order."""
    data = _request(
        {
            "registration_number": company,
            "country": country,
            "name": name,
            "currency": currency,
            "amount": amount,
            "terms_days": terms,
            "order_reference": order_reference,
        }
    )
    with cli_session(org) as (session, actor):
        answer = decision_out(service.decide_checkout(session, actor=actor, data=data))
    print_decision(answer)


@decisions_app.command("list")
def list_command(
    outcome: Outcome | None = typer.Option(None, "--outcome", help="only this outcome"),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    org: str | None = OrgOption,
) -> None:
    """The latest checkout decisions, newest first."""
    with cli_session(org) as (session, actor):
        rows = [
            decision_out(d)
            for d in service.list_decisions(session, actor=actor, outcome=outcome, limit=limit)
        ]
    table = Table(title=f"Checkout decisions ({len(rows)})")
    for column in ("when", "buyer", "amount", "outcome", "limit left", "first reason"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            f"{row.buyer.registration_number} ({row.buyer.country})",
            _amount(row.amount, row.currency),
            row.outcome,
            _amount(row.limit_left, row.limit_currency),
            row.reasons[0].code if row.reasons else "",
        )
    console.print(table)


@decisions_app.command("release-expired")
def release_expired_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="list, do not cancel"),
    org: str | None = OrgOption,
) -> None:
    """Cancel the orders reserving expired approvals that nothing was delivered or invoiced
    on, so they stop counting in the buyers' exposure (audited; safe to run from cron)."""
    with cli_session(org) as (session, actor):
        found = expiry.release_expired(session, actor=actor, dry_run=dry_run)
    verb = "would cancel" if dry_run else "cancelled"
    console.print(f"{len(found)} expired checkout reservation(s): {verb}")
    for r in found:
        console.print(
            f"  order {r.order_reference}  {_amount(from_minor(r.amount_minor, r.currency), r.currency)}"
            f"  approval {r.decision_id} expired {r.expired_at:%Y-%m-%d %H:%M}",
            markup=False,
        )
