"""The points scorecard: monotone points, the tables against optbinning, points adding up, missing
values, reasons, and the JSON artifact predicting bit for bit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.base import clone

from scoring.helpers import Synthetic, synthetic_ratios
from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.artifact import (
    ArtifactCorrupted,
    TrainingRecord,
    load_any_model,
    load_model,
)
from tradecredit.scoring.datasets import labelled_table
from tradecredit.scoring.grades import grade_for_pd
from tradecredit.scoring.scorecard import ScorecardModel, SignConsistentLogisticRegression
from tradecredit.scoring.scorecard_artifact import load_scorecard, save_scorecard


@pytest.fixture(scope="module")
def data() -> Synthetic:
    return synthetic_ratios(3000, seed=11)


@pytest.fixture(scope="module")
def card(data: Synthetic) -> ScorecardModel:
    return ScorecardModel(cross_fit_folds=3).fit(data.features, data.target)


def record(data: Synthetic) -> TrainingRecord:
    table = labelled_table(
        data.features.with_columns(pl.Series("y", data.target)), label="y", source="synthetic"
    )
    from tradecredit.scoring.datasets import fingerprint

    return TrainingRecord(source="synthetic", label="y", id_column=None, data=fingerprint(table))


def test_every_feature_is_monotone_and_its_points_follow_the_default_rate(
    card: ScorecardModel,
) -> None:
    trends = {feature.name: feature.trend for feature in card.tables_.features}
    assert trends["liabilities_to_assets"] == "ascending"
    assert trends["current_ratio"] == "descending"
    assert trends["net_income_to_assets"] == "descending"
    for feature in card.tables_.features:
        assert feature.coefficient < 0
        assert len(feature.bins) >= 2
        points = np.array([b.points for b in feature.bins])
        if feature.trend == "ascending":
            assert (np.diff(points) <= 0).all(), feature
        else:
            assert feature.trend == "descending"
            assert (np.diff(points) >= 0).all(), feature
        assert min(points.min(), feature.missing.points, feature.special.points) == 0


def test_bins_and_scores_match_the_fitted_optbinning_scorecard(
    card: ScorecardModel, data: Synthetic
) -> None:
    frame = data.features.to_pandas()
    np.testing.assert_array_equal(card.total_points(data.features), card.optbinning_.score(frame))
    indices = card.optbinning_.binning_process_.transform(
        frame, metric="indices", metric_missing="empirical", metric_special="empirical"
    )
    ours = card.tables_.bin_indices(card._matrix(data.features))
    for column, feature in enumerate(card.tables_.features):
        mapped = np.where(
            ours[:, column] == feature.missing_index, len(feature.bins) + 1, ours[:, column]
        )
        np.testing.assert_array_equal(mapped, indices[feature.name].to_numpy())
        optb = card.optbinning_.binning_process_.get_binned_variable(feature.name)
        np.testing.assert_array_equal(np.asarray(feature.splits), optb.splits)


def test_points_add_up_to_the_score_and_the_score_gives_the_pd(
    card: ScorecardModel, data: Synthetic
) -> None:
    points = card.points(data.features)
    score = card.total_points(data.features)
    np.testing.assert_array_equal(score, card.tables_.base_points + points.sum(axis=1))
    assert (points == np.round(points)).all()
    scaling = card.tables_.scaling
    log_odds = (scaling.offset - score) / scaling.factor
    np.testing.assert_array_equal(card.predict_pd(data.features), card.calibration_.apply(log_odds))
    pd_ = card.predict_pd(data.features)
    order = np.argsort(score)
    assert (np.diff(pd_[order]) <= 0).all()
    assert scaling.factor == pytest.approx(20 / np.log(2))
    assert scaling.offset == pytest.approx(600 - 20 / np.log(2) * np.log(50))


def test_a_missing_value_gets_its_own_bin(card: ScorecardModel, data: Synthetic) -> None:
    for feature in card.tables_.features:
        assert feature.missing.count == data.features[feature.name].null_count()
        assert feature.missing.count > 0
    empty = pl.DataFrame(
        {name: [None] for name in data.features.columns}, schema=data.features.schema
    )
    expected = card.tables_.base_points + sum(f.missing.points for f in card.tables_.features)
    assert card.total_points(empty)[0] == expected
    assert card.bin_labels(empty)[0] == ["missing"] * len(card.feature_names_)


def test_a_feature_never_missing_in_training_scores_a_missing_value_as_average(
    data: Synthetic,
) -> None:
    complete = data.features.fill_null(0.0)
    model = ScorecardModel(cross_fit_folds=3).fit(complete, data.target)
    for feature in model.tables_.features:
        assert feature.missing.count == 0
        assert feature.missing.woe == 0.0


def test_reasons_are_the_features_losing_most_points_against_their_best_bin(
    card: ScorecardModel, data: Synthetic
) -> None:
    rows = data.features.head(200)
    reasons = card.reason_codes(rows, top_k=2)
    points = card.points(rows)
    best = np.array([max(b.points for b in f.bins if b.count) for f in card.tables_.features])
    lost = best - points
    for row, codes in enumerate(reasons):
        assert len(codes) <= 2
        expected = sorted((-lost[row, j], j) for j in range(len(best)) if lost[row, j] > 0)[:2]
        assert [c.feature for c in codes] == [card.feature_names_[j] for _, j in expected]
        for code in codes:
            column = card.feature_names_.index(code.feature)
            assert code.points_lost == lost[row, column] > 0
            assert code.points == points[row, column]
            assert code.bin == card.bin_labels(rows[row : row + 1])[0][column]
    assert any(reasons)


def test_the_estimator_contract(card: ScorecardModel, data: Synthetic) -> None:
    assert clone(card).get_params() == card.get_params()
    matrix = data.features.to_numpy()
    np.testing.assert_array_equal(card.predict_pd(matrix), card.predict_pd(data.features))
    proba = card.predict_proba(data.features.head(5))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    with pytest.raises(InvalidInput, match="unknown calibration"):
        ScorecardModel(calibration="magic").fit(data.features, data.target)
    with pytest.raises(InvalidInput, match="each class needs at least 5"):
        ScorecardModel().fit(data.features.head(20), np.r_[np.ones(2), np.zeros(18)])


def test_wrong_signed_columns_are_dropped_until_every_sign_agrees() -> None:
    """WoE is high where defaults are rare, so a right column has a negative coefficient; `riskier`
    rises with the default rate, so its coefficient comes out positive and it is dropped."""
    rng = np.random.default_rng(5)
    signal, riskier = rng.normal(size=(2, 4000))
    target = (rng.uniform(size=4000) < 1 / (1 + np.exp(3 - 1.5 * signal - riskier))).astype(int)
    woe = np.column_stack([-signal, riskier])
    fitted = SignConsistentLogisticRegression().fit(woe, target)
    assert fitted.coef_[0, 1] == 0.0
    alone = SignConsistentLogisticRegression().fit(woe[:, :1], target)
    assert fitted.coef_[0, 0] == alone.coef_[0, 0] < 0
    assert fitted.intercept_[0] == alone.intercept_[0]


def test_the_artifact_predicts_bit_for_bit(
    card: ScorecardModel, data: Synthetic, tmp_path: Path
) -> None:
    out = tmp_path / "card"
    save_scorecard(card, out, training=record(data))
    assert sorted(path.name for path in out.iterdir()) == ["card.json", "scorecard.md"]
    loaded = load_scorecard(out)
    assert isinstance(load_any_model(out), ScorecardModel)
    np.testing.assert_array_equal(loaded.predict_pd(data.features), card.predict_pd(data.features))
    np.testing.assert_array_equal(loaded.points(data.features), card.points(data.features))
    assert loaded.reason_codes(data.features.head(50)) == card.reason_codes(data.features.head(50))
    document = json.loads((out / "card.json").read_text())
    assert document["kind"] == "scorecard"
    assert document["features"] == card.feature_names_
    first = document["bins"][0]
    assert {"splits", "bins", "missing", "special", "coefficient"} <= set(first)
    assert first["bins"][0]["lower"] == "-inf"
    assert first["special"]["codes"] == []
    markdown = (out / "scorecard.md").read_text()
    assert f"| {first['feature']} | missing | {first['missing']['points']:g} |" in markdown


def test_the_grade_table_gives_each_grade_its_points(
    card: ScorecardModel, data: Synthetic, tmp_path: Path
) -> None:
    save_scorecard(card, tmp_path / "card", training=record(data))
    grades = json.loads((tmp_path / "card" / "card.json").read_text())["grade_table"]
    assert [row["grade"] for row in grades] == list(range(1, 10))
    from decimal import Decimal

    scaling = card.tables_.scaling
    reached = 0
    for row in grades:
        if row["points_from"] is None:
            continue
        reached += 1
        for points in (row["points_from"], row["points_to"]):
            pd_ = card.calibration_.apply(np.array([(scaling.offset - points) / scaling.factor]))[0]
            assert grade_for_pd(Decimal(repr(float(pd_)))) == row["grade"]
    assert reached >= 3


def test_a_tampered_card_is_refused(card: ScorecardModel, data: Synthetic, tmp_path: Path) -> None:
    out = tmp_path / "card"
    save_scorecard(card, out, training=record(data))
    with pytest.raises(InvalidInput, match="kind 'scorecard'"):
        load_model(out)
    document = json.loads((out / "card.json").read_text())
    splits = document["bins"][0]["splits"]
    document["bins"][0]["splits"] = list(reversed(splits))
    (out / "card.json").write_text(json.dumps(document))
    with pytest.raises(ArtifactCorrupted, match="splits must increase"):
        load_scorecard(out)
    del document["bins"][0]["missing"]
    (out / "card.json").write_text(json.dumps(document))
    with pytest.raises(ArtifactCorrupted, match="incomplete"):
        load_scorecard(out)
