"""The one set of defaults, kept apart so the command line can show them without loading LightGBM."""

from __future__ import annotations

DEFAULT_SEED = 20_160_401
DEFAULT_SPLITS = 10
DEFAULT_REPEATS = 3
DEFAULT_CV_SEED = 20_160_402
SYNTHETIC_TOP = 20
"""Synthetic features are built from pairs of this many strongest free columns (synthetic.py)."""
SYNTHETIC_KEEP = 60
"""At most this many synthetic features are kept."""
