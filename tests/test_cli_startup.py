"""Every CLI command starts by importing the whole command tree (`tradecredit.cli.main`): the
libraries only some commands need are imported where they are used, not at start-up."""

from __future__ import annotations

import subprocess
import sys

ONLY_WHERE_USED = ("fastapi", "fpdf", "openpyxl", "fontTools.subset", "lightgbm", "sklearn")
"""The API framework (serve), the PDF writer (PDF reports), the Excel reader (.xlsx imports),
the font subsetter (HTML pages with Chinese) and the model libraries (scoring, training)."""


def test_the_command_tree_imports_no_library_only_some_commands_need() -> None:
    probe = (
        "import sys, tradecredit.cli.main; "
        f"print(' '.join(name for name in {ONLY_WHERE_USED!r} if name in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == [], f"imported at CLI start-up: {found}"
