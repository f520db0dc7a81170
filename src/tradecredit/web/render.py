"""Jinja2 environment for HTML reports, with the number formats every report uses."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


def money(value: Decimal | None) -> str:
    return "–" if value is None else format_decimal(value, format="#,##0.00", locale="en")


def pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def days(value: Decimal | None) -> str:
    return "–" if value is None else f"{value} d"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("tradecredit", "web/templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
    )
    env.globals.update(money=money, pct=pct, days=days)
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
