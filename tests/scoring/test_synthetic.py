"""Synthetic features: their values, their screening on training rows, and the model that uses them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from scoring.helpers import fast_model, ratio_driven
from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.artifact import ArtifactCorrupted, TrainingRecord, load_model, save_model
from tradecredit.scoring.boosters import PAIRWISE
from tradecredit.scoring.metrics import auc
from tradecredit.scoring.model import ScoringModel
from tradecredit.scoring.synthetic import SyntheticFeature, screen_synthetic, with_synthetic


@pytest.fixture(scope="module")
def table() -> tuple[pl.DataFrame, np.ndarray]:
    return ratio_driven(5000, seed=11)


@pytest.fixture(scope="module")
def model(table: tuple[pl.DataFrame, np.ndarray]) -> ScoringModel:
    frame, target = table
    return fast_model(synthetic_top=4, synthetic_keep=6).fit(frame, target)


def test_a_zero_or_missing_denominator_gives_a_missing_value_never_zero() -> None:
    matrix = np.array([[6.0, 3.0], [1.0, 0.0], [np.nan, 2.0], [0.0, 5.0], [1e308, 1e-308]])
    ratio = SyntheticFeature(0, 1, "ratio").values(matrix)
    np.testing.assert_array_equal(ratio, [2.0, np.nan, np.nan, 0.0, np.nan])
    np.testing.assert_array_equal(
        SyntheticFeature(0, 1, "product").values(matrix)[:4], [18.0, 0.0, np.nan, 0.0]
    )
    np.testing.assert_array_equal(
        SyntheticFeature(1, 0, "difference").values(matrix)[:4], [-3.0, -1.0, np.nan, 5.0]
    )


def test_the_screening_finds_the_ratio_that_drives_defaults(
    table: tuple[pl.DataFrame, np.ndarray],
) -> None:
    frame, target = table
    found = screen_synthetic(frame.to_numpy(), target, [0, 0, 0, 0], top=4, keep=3, seed=1)
    assert found[0].operation in {"ratio", "difference"}
    assert {found[0].left, found[0].right} == {0, 1}


def test_constrained_columns_never_enter_a_synthetic_feature(
    table: tuple[pl.DataFrame, np.ndarray],
) -> None:
    frame, target = table
    found = screen_synthetic(frame.to_numpy(), target, [1, 0, 0, 0], top=4, keep=12, seed=1)
    assert found
    assert all(0 not in (item.left, item.right) for item in found)
    assert screen_synthetic(frame.to_numpy(), target, [1, -1, 1, 0], top=4, keep=12, seed=1) == []


def test_synthetic_features_lift_the_held_out_ranking_of_a_ratio_driven_default() -> None:
    frame, target = ratio_driven(5000, seed=3)
    test_frame, test_target = ratio_driven(5000, seed=4)
    plain = fast_model(synthetic_keep=0).fit(frame, target)
    widened = fast_model(synthetic_top=4, synthetic_keep=6).fit(frame, target)
    assert plain.synthetic_features_ == []
    assert widened.synthetic_features_
    plain_auc = auc(test_target, plain.predict_pd(test_frame))
    widened_auc = auc(test_target, widened.predict_pd(test_frame))
    assert widened_auc > plain_auc + 0.02


def test_contributions_fold_synthetic_columns_onto_their_inputs_and_sum_to_the_score(
    model: ScoringModel, table: tuple[pl.DataFrame, np.ndarray]
) -> None:
    frame = table[0][:200]
    columns = model.column_contributions(frame)
    folded = model.contributions(frame)
    assert columns.shape == (200, 4 + len(model.synthetic_features_) + 1)
    assert folded.shape == (200, 5)
    np.testing.assert_allclose(folded.sum(axis=1), model.raw_score(frame), atol=1e-9)
    np.testing.assert_allclose(folded.sum(axis=1), columns.sum(axis=1), atol=1e-9)
    assert model.column_names[:4] == ["a", "b", "c", "d"]
    assert len(model.column_names) == 4 + len(model.synthetic_features_)
    reasons = model.reason_codes(frame, top_k=2)
    assert {reason.feature for row in reasons for reason in row} <= {"a", "b", "c", "d"}


def test_the_booster_matrix_appends_the_synthetic_columns(
    model: ScoringModel, table: tuple[pl.DataFrame, np.ndarray]
) -> None:
    inputs = table[0][:10].to_numpy()
    np.testing.assert_array_equal(
        model.booster_matrix(inputs), with_synthetic(inputs, model.synthetic_features_)
    )
    assert model.booster_matrix(inputs).shape[1] == len(model.column_names)


def test_few_defaults_or_a_pairwise_member_build_no_synthetic_features(
    table: tuple[pl.DataFrame, np.ndarray],
) -> None:
    frame, target = table
    assert int(target.sum()) < 2000
    guarded = fast_model(synthetic_top=4, min_defaults_for_choice=2000).fit(frame, target)
    assert guarded.synthetic_features_ == []
    pairwise = fast_model(boosters=(PAIRWISE,), synthetic_top=4).fit(frame, target)
    assert pairwise.synthetic_features_ == []


def test_negative_settings_are_refused(table: tuple[pl.DataFrame, np.ndarray]) -> None:
    frame, target = table
    with pytest.raises(InvalidInput, match="synthetic_keep"):
        fast_model(synthetic_keep=-1).fit(frame, target)


def _save(model: ScoringModel, directory: Path) -> Path:
    record = TrainingRecord(source="ratio_driven", label="default", id_column=None, data={})
    return save_model(model, directory, training=record)


def test_a_saved_model_recomputes_its_synthetic_features_bit_for_bit(
    model: ScoringModel, table: tuple[pl.DataFrame, np.ndarray], tmp_path: Path
) -> None:
    card = json.loads(_save(model, tmp_path).read_text())
    assert card["synthetic_features"] == [item.to_dict() for item in model.synthetic_features_]
    assert card["selection"]["synthetic_features"][0]["name"] == model.column_names[4]
    loaded = load_model(tmp_path)
    frame = table[0][:300]
    np.testing.assert_array_equal(loaded.predict_pd(frame), model.predict_pd(frame))
    np.testing.assert_array_equal(loaded.contributions(frame), model.contributions(frame))


def test_a_card_with_a_synthetic_feature_outside_the_inputs_is_refused(
    model: ScoringModel, tmp_path: Path
) -> None:
    path = _save(model, tmp_path)
    card = json.loads(path.read_text())
    card["synthetic_features"][0]["right"] = 9
    path.write_text(json.dumps(card))
    with pytest.raises(ArtifactCorrupted, match="outside the 4 input columns"):
        load_model(tmp_path)


def test_a_card_written_before_synthetic_features_loads_without_them(
    model: ScoringModel, tmp_path: Path
) -> None:
    plain = fast_model(synthetic_keep=0).fit(*ratio_driven(3000, seed=5))
    path = _save(plain, tmp_path)
    card = json.loads(path.read_text())
    del card["synthetic_features"]
    del card["hyper_parameters"]["synthetic_top"], card["hyper_parameters"]["synthetic_keep"]
    path.write_text(json.dumps(card))
    loaded = load_model(tmp_path)
    assert loaded.synthetic_features_ == []
    assert loaded.synthetic_keep == 0


def test_worse_leverage_never_lowers_the_pd_when_synthetic_features_are_in_the_model() -> None:
    frame, target = ratio_driven(5000, seed=21)
    rng = np.random.default_rng(21)
    leverage = rng.uniform(0.1, 1.3, frame.height)
    target = np.maximum(target, rng.uniform(size=frame.height) < 0.1 * leverage).astype(np.int8)
    frame = frame.with_columns(liabilities_to_assets=pl.Series(leverage))
    model = fast_model(synthetic_top=5, synthetic_keep=10).fit(frame, target)
    assert model.synthetic_features_
    leverage_column = model.feature_names_.index("liabilities_to_assets")
    assert all(leverage_column not in (f.left, f.right) for f in model.synthetic_features_)
    rows = frame[:50].to_numpy()
    previous = None
    for value in np.linspace(0.0, 2.0, 41):
        rows[:, leverage_column] = value
        pd_ = model.predict_pd(rows)
        if previous is not None:
            assert np.all(pd_ >= previous - 1e-12)
        previous = pd_
