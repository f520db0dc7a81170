"""The templates are the create-schemas' fields, and the service honours roles."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine

from imports.helpers import counts, run_import, write_csv
from tradecredit.context import Actor
from tradecredit.imports.cli import BarProgress
from tradecredit.imports.templates import TEMPLATES, ImportKind
from tradecredit.kit.errors import InvalidInput, PermissionDenied
from tradecredit.organisations.roles import Role


@pytest.mark.parametrize("kind", list(ImportKind))
def test_template_columns_are_the_schema_fields(kind: ImportKind) -> None:
    template = TEMPLATES[kind]
    fields = template.schema.model_fields
    assert sorted(template.columns) == sorted(fields)
    assert len(set(template.columns)) == len(template.columns)
    required_values = {name for name, field in fields.items() if field.is_required()}
    assert required_values <= set(template.required)
    assert template.dates | template.decimals <= set(template.columns)
    for amount, currency in template.money:
        assert {amount, currency} <= set(template.columns)


def test_a_viewer_may_not_import(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    viewer = dataclasses.replace(actor, role=Role.VIEWER)
    path = write_csv(
        tmp_path / "c.csv",
        [["registration_number", "country", "name", "sector"], ["HRB1", "DE", "One", "C25"]],
    )
    before = counts(engine, actor)
    with pytest.raises(PermissionDenied):
        run_import(engine, viewer, "companies", path)
    assert counts(engine, actor) == before


def test_progress_bar_only_for_long_work() -> None:
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, width=80)
    with BarProgress(console, threshold=100) as progress:
        progress.phase("validating", 10)
        progress.advance(10)
    assert output.getvalue() == ""
    with BarProgress(console, threshold=100) as progress:
        progress.phase("validating", 500)
        progress.advance(500)
        progress.phase("writing", 5)
        progress.advance(5)
    assert "validating" in output.getvalue()
    assert "writing" not in output.getvalue()


def test_an_unknown_kind_is_named(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["a"]])
    with pytest.raises(InvalidInput, match=r"unknown import kind 'quotes' \(one of companies, "):
        run_import(engine, actor, "quotes", path)
