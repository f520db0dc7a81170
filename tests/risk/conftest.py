"""Country risk fixtures: the real OECD files read in place, and a source of the test's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from risk.files import unique_source


@pytest.fixture
def oecd_dir(shared_data: Path) -> Path:
    folder = shared_data / "oecd_country_risk"
    if not folder.is_dir():
        pytest.skip(f"reference data folder {folder} is absent")
    return folder


@pytest.fixture
def source() -> str:
    return unique_source()
