"""Jinja2 environment for HTML reports, with the number formats every report uses."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tradecredit.kit.currencies import exponent


def money(value: Decimal | None) -> str:
    return "–" if value is None else format_decimal(value, format="#,##0.00", locale="en")


def money_in(value: Decimal | None, currency: str) -> str:
    """An amount with its ISO currency code, at the currency's own number of decimals."""
    if value is None:
        return "–"
    places = exponent(currency)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return f"{format_decimal(value, format=pattern, locale='en')} {currency}"


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
    env.globals.update(money=money, money_in=money_in, pct=pct, days=days)
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
