"""Where a model or a report came from: library versions and the time it was made."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from tradecredit.kit.clock import utcnow

LIBRARIES = ("tradecredit", "lightgbm", "scikit-learn", "scipy", "numpy", "polars", "matplotlib")


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def created_at() -> str:
    return utcnow().isoformat(timespec="seconds")
