from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.calibration import (
    CalibrationImpossible,
    IsotonicCalibration,
    PlattCalibration,
    calibration_from_dict,
    fit_calibration,
    fit_isotonic,
    fit_platt,
)
from tradecredit.scoring.metrics import (
    all_metrics,
    brier,
    equal_frequency_bins,
    expected_calibration_error,
    ks_statistic,
)


def logistic_sample(
    rows: int, slope: float, intercept: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    score = rng.normal(0.0, 2.0, rows)
    target = (rng.uniform(size=rows) < expit(slope * score + intercept)).astype(np.int8)
    return score, target


def test_platt_recovers_a_known_logistic_map() -> None:
    score, target = logistic_sample(60_000, slope=0.6, intercept=-3.0, seed=1)
    platt = fit_platt(score, target)
    assert platt.slope == pytest.approx(0.6, abs=0.03)
    assert platt.intercept == pytest.approx(-3.0, abs=0.08)


def test_platt_stays_finite_on_separable_scores() -> None:
    score = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    target = np.array([0, 0, 0, 1, 1, 1])
    platt = fit_platt(score, target)
    assert np.isfinite(platt.slope)
    assert platt.slope > 0
    assert 0.0 < platt.apply(np.array([-3.0]))[0] < platt.apply(np.array([3.0]))[0] < 1.0


def test_scores_that_rank_the_wrong_way_cannot_be_calibrated() -> None:
    score, target = logistic_sample(5_000, slope=-1.0, intercept=-2.0, seed=2)
    with pytest.raises(CalibrationImpossible, match="do not rank defaults"):
        fit_platt(score, target)


def test_isotonic_is_non_decreasing_and_within_zero_one() -> None:
    score, target = logistic_sample(5_000, slope=1.0, intercept=-2.0, seed=3)
    isotonic = fit_isotonic(score, target)
    grid = np.linspace(-10, 10, 500)
    values = isotonic.apply(grid)
    assert np.all(np.diff(values) >= 0)
    assert values.min() >= 0.0
    assert values.max() <= 1.0


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_calibrations_round_trip_through_their_dict_exactly(method: str) -> None:
    score, target = logistic_sample(3_000, slope=0.8, intercept=-2.5, seed=4)
    calibration = fit_calibration(score, target, method)
    restored = calibration_from_dict(calibration.to_dict())
    assert restored == calibration
    grid = np.linspace(-8, 8, 101)
    assert np.array_equal(restored.apply(grid), calibration.apply(grid))
    assert isinstance(restored, PlattCalibration if method == "platt" else IsotonicCalibration)


def test_unknown_calibration_method_is_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown calibration 'beta'"):
        fit_calibration(np.zeros(4), np.array([0, 1, 0, 1]), "beta")


def test_equal_frequency_bins_split_evenly_in_pd_order() -> None:
    pd_ = np.linspace(0.0, 0.99, 25)
    target = (pd_ > 0.5).astype(np.int8)
    bins = equal_frequency_bins(target, pd_, bins=10)
    assert [cell.rows for cell in bins] == [3] * 5 + [2] * 5
    assert [cell.mean_pd for cell in bins] == sorted(cell.mean_pd for cell in bins)


def test_ece_of_a_hand_computed_case() -> None:
    pd_ = np.array([0.1, 0.1, 0.4, 0.4])
    target = np.array([0, 0, 1, 0])
    # two bins: mean PD 0.1 vs rate 0.0, mean PD 0.4 vs rate 0.5 -> (2*0.1 + 2*0.1) / 4
    assert expected_calibration_error(target, pd_, bins=2) == pytest.approx(0.1)


def test_ece_is_small_for_true_probabilities_and_large_for_shifted_ones() -> None:
    rng = np.random.default_rng(5)
    true_pd = expit(rng.normal(-3.5, 1.5, 50_000))
    target = (rng.uniform(size=true_pd.size) < true_pd).astype(np.int8)
    assert expected_calibration_error(target, true_pd) < 0.005
    assert expected_calibration_error(target, np.minimum(true_pd * 2, 1.0)) > 0.03


def test_ks_and_brier_of_simple_cases() -> None:
    target = np.array([0, 0, 1, 1])
    assert ks_statistic(target, np.array([0.1, 0.2, 0.8, 0.9])) == pytest.approx(1.0)
    assert ks_statistic(target, np.array([0.1, 0.8, 0.2, 0.9])) == pytest.approx(0.5)
    assert brier(target, np.array([0.0, 0.0, 1.0, 1.0])) == 0.0
    assert brier(target, np.full(4, 0.5)) == pytest.approx(0.25)
    assert set(all_metrics(target, np.array([0.1, 0.2, 0.8, 0.9]))) == {"auc", "brier", "ece", "ks"}
