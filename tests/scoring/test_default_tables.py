"""The shipped default model is scored through its lookup tables, which equal LightGBM."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl
import pytest

from tradecredit.scoring import accelerate
from tradecredit.scoring.default import (
    default_model,
    matrix_pds,
    model_frame,
    model_matrix,
    model_pds,
)


@pytest.fixture
def fresh_state() -> Iterator[None]:
    saved = dict(accelerate._loaded)
    accelerate._loaded.clear()
    yield
    accelerate._loaded.clear()
    accelerate._loaded.update(saved)


def _matrix(rows: int, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0.5, 2.0, size=(rows, default_model().n_features_in_))
    matrix[::97, 2] = 1e-36
    matrix[::89, 4] = 0.0
    matrix[::83, 7] = np.nan
    return matrix


def test_the_shipped_model_collapses_and_its_tables_equal_lightgbm(fresh_state: None) -> None:
    tables = accelerate.default_tables()
    assert tables is not None
    matrix = _matrix(5000)
    fast = accelerate.tables_raw_score(matrix)
    assert fast is not None
    np.testing.assert_allclose(fast, default_model().raw_score(matrix), rtol=0, atol=1e-12)
    assert accelerate.default_tables() is tables


def test_disabled_tables_mean_lightgbm(fresh_state: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(accelerate.TABLES_ENV, "off")
    assert accelerate.tables_raw_score(_matrix(3)) is None
    assert "tables" not in accelerate._loaded


def test_model_pds_are_the_same_through_tables_and_lightgbm(
    fresh_state: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = default_model()
    frame = pl.DataFrame(_matrix(2000, seed=9), schema=model.feature_names_, orient="row")
    fast = model_pds(frame)
    monkeypatch.setenv(accelerate.TABLES_ENV, "off")
    slow = model_pds(frame)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
    assert np.array_equal(np.round(fast, 6), np.round(slow, 6))


def test_a_model_that_cannot_collapse_falls_back_to_lightgbm(
    fresh_state: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(accelerate, "collapse", lambda boosters, weights: None)
    assert accelerate.tables_raw_score(_matrix(4)) is None
    assert accelerate._loaded["tables"] is None
    assert "does not collapse" in caplog.text


def test_the_batch_matrix_scores_as_the_filled_model_frame(fresh_state: None) -> None:
    model = default_model()
    data = _matrix(1500, seed=13)
    data[::4, 0] = np.nan
    data[::6, 5] = np.nan
    frame = pl.DataFrame(data, schema=model.feature_names_, orient="row")
    columns = {name: frame[name].to_numpy() for name in model.feature_names_}
    batch = matrix_pds(model_matrix(columns))
    assert np.array_equal(batch, model_pds(model_frame(frame)))
