"""`tradecredit gates`: check a sale at a gate, list the hold queue, release or cancel a hold."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import typer
from pydantic import ValidationError
from rich.table import Table

from tradecredit.cli.common import OrgOption, cli_session, console, err_console
from tradecredit.gates import service
from tradecredit.gates.schemas import GateCheckIn, GateCheckOut, HoldOut
from tradecredit.gates.shape import check_out, hold_out
from tradecredit.limits.authority import user_actor

gates_app = typer.Typer(no_args_is_help=True)
DAY = ["%Y-%m-%d"]
STATUSES = ("open", "released", "cancelled", "all")
AsUser = typer.Option(..., "--as", help="the acting user's e-mail (their role applies)")


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error[/]: {message}")
    return typer.Exit(code=2)


def _check_data(fields: dict[str, Any]) -> GateCheckIn:
    try:
        return GateCheckIn.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as error:
        for problem in error.errors():
            field = ".".join(str(part) for part in problem["loc"]) or "check"
            reason = str(problem["msg"]).removeprefix("Value error, ")
            err_console.print(f"[bold red]error[/]: {field}: {reason}")
        raise typer.Exit(code=2) from None


def _hold_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _fail(f"hold {value!r} is not an id (a UUID)") from None


def _money(amount: object, currency: str) -> str:
    return "-" if amount is None else f"{amount:,f} {currency}"


def _print_check(answer: GateCheckOut) -> None:
    colour = {"allow": "green", "warn": "yellow", "hold": "bold red"}[answer.outcome]
    money = answer.currency
    console.print(f"[{colour}]{answer.outcome.upper()}[/] at {answer.stage} on {answer.as_of}")
    console.print(
        f"amount {_money(answer.requested_amount, answer.requested_currency)}"
        f" = {_money(answer.amount, money)}; already in exposure "
        f"{_money(answer.already_counted, money)}"
    )
    console.print(
        f"limit {_money(answer.limit, money)}  exposure {_money(answer.exposure, money)}"
        f"  after {_money(answer.exposure_after, money)}  available "
        f"{_money(answer.available, money)}  utilisation after "
        f"{'-' if answer.utilisation_after is None else f'{answer.utilisation_after:.2%}'}"
    )
    for reason in answer.reasons:
        console.print(f"  {reason.effect:<5} {reason.code}: {reason.text_en}")
    if answer.hold_id is not None:
        console.print(f"hold {answer.hold_id} is waiting in the queue (`tradecredit gates holds`)")


@gates_app.command("check")
def check_command(
    stage: str = typer.Option(..., "--stage", help="quote, order, delivery or invoice"),
    amount: str = typer.Option(..., "--amount", help="e.g. 1200.00"),
    currency: str = typer.Option(..., "--currency", help="e.g. EUR"),
    company: str | None = typer.Option(None, "--company", help="the buyer's id"),
    reg: str | None = typer.Option(None, "--reg", help="or its registration number"),
    country: str | None = typer.Option(None, "--country", help="with --reg, e.g. DE"),
    order: str | None = typer.Option(None, "--order", help="the order's reference"),
    delivered: bool = typer.Option(False, "--delivered", help="invoice for delivered goods"),
    as_of: datetime | None = typer.Option(None, "--as-of", formats=DAY, help="YYYY-MM-DD"),
    org: str | None = OrgOption,
) -> None:
    """Check a sale: allow, warn or hold (a hold is stored in the queue)."""
    data = _check_data(
        {
            "stage": stage,
            "amount": amount,
            "currency": currency,
            "company_id": company,
            "registration_number": reg,
            "country": country,
            "order_reference": order,
            "delivered": delivered,
            "as_of": None if as_of is None else as_of.date(),
        }
    )
    with cli_session(org) as (session, actor):
        answer = check_out(service.check(session, actor=actor, data=data))
    _print_check(answer)


@gates_app.command("holds")
def holds_command(
    status: str = typer.Option("open", "--status", help=f"one of {', '.join(STATUSES)}"),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
    org: str | None = OrgOption,
) -> None:
    """The hold queue (open holds by default), oldest first."""
    if status not in STATUSES:
        raise _fail(f"--status {status!r} is not one of {', '.join(STATUSES)}")
    with cli_session(org) as (session, actor):
        found = service.list_holds(
            session, actor=actor, status=None if status == "all" else status, limit=limit
        )
        answers = [hold_out(hold) for hold in found]
    table = Table("hold id", "buyer id", "stage", "amount", "status", "created", "reasons")
    for hold in answers:
        table.add_row(
            str(hold.id),
            str(hold.company_id),
            hold.stage,
            _money(hold.amount, hold.currency),
            hold.status,
            hold.created_at.strftime("%Y-%m-%d %H:%M"),
            ", ".join(reason.code for reason in hold.reasons),
        )
    console.print(table)
    console.print(f"{len(answers)} hold(s)")


def _print_closed(hold: HoldOut) -> None:
    console.print(f"hold {hold.id} {hold.status} by {hold.released_by}: {hold.release_reason}")


@gates_app.command("release")
def release_command(
    hold_id: str = typer.Argument(..., help="the hold's id"),
    reason: str = typer.Option(..., "--reason", help="why the sale may go ahead"),
    email: str = AsUser,
    org: str | None = OrgOption,
) -> None:
    """Release a hold: the user must have a role that may override holds."""
    wanted = _hold_id(hold_id)
    with cli_session(org) as (session, actor):
        person = user_actor(session, actor=actor, email=email)
        released = service.release_hold(session, actor=person, hold_id=wanted, reason=reason)
        answer = hold_out(released)
    _print_closed(answer)


@gates_app.command("cancel")
def cancel_command(
    hold_id: str = typer.Argument(..., help="the hold's id"),
    reason: str = typer.Option(..., "--reason", help="why the sale will not happen"),
    email: str = AsUser,
    org: str | None = OrgOption,
) -> None:
    """Cancel a hold whose sale will not happen."""
    wanted = _hold_id(hold_id)
    with cli_session(org) as (session, actor):
        person = user_actor(session, actor=actor, email=email)
        cancelled = service.cancel_hold(session, actor=person, hold_id=wanted, reason=reason)
        answer = hold_out(cancelled)
    _print_closed(answer)
