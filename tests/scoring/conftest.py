"""Fixtures of the scoring tests: one synthetic table and one model fitted on it, per session."""

from __future__ import annotations

import pytest

from scoring.helpers import Synthetic, fast_model, synthetic_ratios
from tradecredit.scoring.model import ScoringModel


@pytest.fixture(scope="session")
def synthetic() -> Synthetic:
    return synthetic_ratios(4000, seed=7)


@pytest.fixture(scope="session")
def fitted(synthetic: Synthetic) -> ScoringModel:
    return fast_model().fit(synthetic.features, synthetic.target)
