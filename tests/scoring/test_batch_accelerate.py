"""The optional compiled default model gives LightGBM's floats bit for bit, or is not used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tradecredit.scoring import accelerate
from tradecredit.scoring.default import default_model


@pytest.fixture
def fresh_state() -> Iterator[None]:
    saved = dict(accelerate._loaded)
    accelerate._loaded.clear()
    yield
    accelerate._loaded.clear()
    accelerate._loaded.update(saved)


def test_disabled_or_not_compiled_means_lightgbm(
    fresh_state: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(accelerate.CACHE_ENV, "off")
    assert accelerate.cache_dir() is None
    assert accelerate.compiled_raw_score(np.zeros((3, default_model().n_features_in_))) is None
    monkeypatch.setenv(accelerate.CACHE_ENV, str(tmp_path))
    small = np.zeros((10, default_model().n_features_in_))
    assert accelerate.compiled_raw_score(small) is None
    assert not list(tmp_path.iterdir())


def test_the_check_matrix_puts_every_threshold_on_every_feature() -> None:
    matrix = accelerate.check_matrix()
    assert matrix.shape[1] == default_model().n_features_in_
    assert 0.0 in matrix[:, 0]
    assert not ((np.abs(matrix) <= accelerate.NEAR_ZERO) & (matrix != 0)).any()


def test_compiled_scores_equal_lightgbm_bit_for_bit(fresh_state: None) -> None:
    pytest.importorskip("lleaves")
    assert accelerate.compile_default_model()
    model = default_model()
    rng = np.random.default_rng(5)
    matrix = rng.normal(0.5, 2.0, size=(5000, model.n_features_in_))
    matrix[::97, 2] = 1e-36
    matrix[::89, 4] = 0.0
    compiled = accelerate.compiled_raw_score(matrix)
    assert compiled is not None
    assert np.array_equal(compiled, model.raw_score(matrix))
