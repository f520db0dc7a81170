"""Synthetic labelled tables with known default probabilities, and a fast model configuration."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.special import expit

from tradecredit.scoring.boosters import BoosterSpec
from tradecredit.scoring.model import ScoringModel


@dataclass(frozen=True)
class Synthetic:
    features: pl.DataFrame
    target: np.ndarray
    true_pd: np.ndarray


def synthetic_ratios(rows: int, seed: int, *, missing_share: float = 0.05) -> Synthetic:
    """Ratios named as in the ratio library plus one unknown column; PD known by construction."""
    rng = np.random.default_rng(seed)
    leverage = rng.uniform(0.1, 1.3, rows)
    current_ratio = rng.lognormal(0.2, 0.6, rows)
    roa = rng.normal(0.03, 0.1, rows)
    mystery = rng.normal(0.0, 1.0, rows)
    logit = -4.2 + 3.0 * (leverage - 0.6) - 1.0 * np.log(current_ratio) - 8.0 * roa + 0.3 * mystery
    true_pd = expit(logit)
    target = (rng.uniform(size=rows) < true_pd).astype(np.int8)
    columns = {
        "liabilities_to_assets": leverage,
        "current_ratio": current_ratio,
        "net_income_to_assets": roa,
        "mystery": mystery,
    }
    frame = pl.DataFrame(
        {
            name: pl.Series(name, np.where(rng.uniform(size=rows) < missing_share, np.nan, values))
            for name, values in columns.items()
        }
    ).with_columns(pl.all().fill_nan(None))
    return Synthetic(frame, target, true_pd)


def ratio_driven(rows: int, seed: int) -> tuple[pl.DataFrame, np.ndarray]:
    """Defaults driven by the gap between two free columns that move together (two lines of
    nearly the same size, as sales and total sales), plus two noise columns. One column alone
    says little; their difference or ratio says it all."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(3.0, 1.0, rows)
    a = size * rng.lognormal(0.0, 0.1, rows)
    b = size * rng.lognormal(0.0, 0.1, rows)
    noise = rng.normal(size=(rows, 2))
    target = (rng.uniform(size=rows) < expit(-3.0 + 15.0 * np.log(a / b))).astype(np.int8)
    frame = pl.DataFrame({"a": a, "b": b, "c": noise[:, 0], "d": noise[:, 1]})
    return frame, target


FAST_BOOSTERS = (
    BoosterSpec(
        name="slow",
        learning_rate=0.1,
        n_estimators=60,
        num_leaves=7,
        feature_fraction=0.8,
        bagging_fraction=0.8,
        reg_lambda=1.0,
        max_bin=63,
    ),
    BoosterSpec(name="stock", learning_rate=0.1, n_estimators=30, num_leaves=15),
)


def fast_model(**overrides: object) -> ScoringModel:
    """Two small members (one sampling rows and features, one not), 3 cross-fit folds, 2 refits."""
    settings: dict[str, object] = {
        "boosters": FAST_BOOSTERS,
        "cross_fit_folds": 3,
        "refit_seeds": 2,
    }
    settings.update(overrides)
    return ScoringModel(**settings)  # type: ignore[arg-type]
