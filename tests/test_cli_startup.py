"""CLI start-up: the root command loads a command's module only when the command runs (or when
help lists it), and no command module imports the libraries only some commands need."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from tradecredit.cli.main import _COMMANDS, app

ONLY_WHERE_USED = ("fastapi", "fpdf", "openpyxl", "fontTools.subset", "lightgbm", "sklearn")
"""The API framework (serve), the PDF writer (PDF reports), the Excel reader (.xlsx imports),
the font subsetter (HTML pages with Chinese) and the model libraries (scoring, training)."""


def _imported_after(statement: str, names: tuple[str, ...]) -> list[str]:
    probe = f"import sys; {statement}; print(' '.join(n for n in {names!r} if n in sys.modules))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return run.stdout.split()


def test_the_command_tree_imports_no_library_only_some_commands_need() -> None:
    modules = sorted({entry.module for entry in _COMMANDS.values()})
    statement = "; ".join(f"import {module}" for module in modules)
    assert _imported_after(statement, ONLY_WHERE_USED) == []


def test_the_root_command_imports_no_command_module() -> None:
    modules = tuple(sorted({entry.module for entry in _COMMANDS.values()}))
    assert _imported_after("import tradecredit.cli.main", modules) == []


def test_every_command_loads_and_help_lists_them_all() -> None:
    shown = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert shown.exit_code == 0, shown.output
    for name in _COMMANDS:
        assert f" {name} " in shown.output, name
        assert CliRunner().invoke(app, [name, "--help"]).exit_code == 0, name
