"""Helpers for the country risk tests: file names, small CSVs of our own, a fresh source.

The country risk table is shared by every organisation and the test database lives for the
whole run, so each database test imports under a source of its own and reads only that.
"""

from __future__ import annotations

import uuid
from pathlib import Path

SNAPSHOT_FILE = "oecd_crc_2026.csv"
HISTORICAL_FILE = "cre-crc-historical-internet-english.csv"
HISTORICAL_HEADER = "Country Name (1),ISO,country name"


def unique_source() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def write_csv(folder: Path, name: str, *lines: str) -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
