"""Population stability index: a worked example by hand, identical samples, bins, bad input."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.psi import (
    DEFAULT_THRESHOLDS,
    StabilityThresholds,
    population_stability,
    quantile_edges,
    stability_from_counts,
)

DEFAULT_READING = DEFAULT_THRESHOLDS.reading
HAND_PSI = (
    (0.10 - 0.25) * math.log(0.10 / 0.25)
    + (0.20 - 0.25) * math.log(0.20 / 0.25)
    + (0.30 - 0.25) * math.log(0.30 / 0.25)
    + (0.40 - 0.25) * math.log(0.40 / 0.25)
)
"""0.137444 + 0.011157 + 0.009116 + 0.070501 = 0.228217 (four equal bins against 10/20/30/40%)."""


def test_worked_example_from_counts() -> None:
    result = stability_from_counts(["a", "b", "c", "d"], [25, 25, 25, 25], [10, 20, 30, 40])
    assert result.psi == pytest.approx(0.228217, abs=1e-6)
    assert result.psi == pytest.approx(HAND_PSI, rel=1e-12)
    assert result.reading == "moderate shift"
    assert result.bins["contribution"].to_list() == pytest.approx(
        [0.137444, 0.011157, 0.009116, 0.070501], abs=1e-6
    )
    assert result.bins["contribution"].sum() == pytest.approx(result.psi, rel=1e-12)


def test_worked_example_from_values_uses_quantile_bins_of_the_expected_sample() -> None:
    expected = np.arange(100, dtype=float)
    np.testing.assert_array_equal(quantile_edges(expected, 4), [25.0, 50.0, 75.0])
    actual = np.concatenate(
        [np.full(10, 5.0), np.full(20, 30.0), np.full(30, 60.0), np.full(40, 90.0)]
    )
    result = population_stability(expected, actual, bins=4)
    assert result.bins["expected_rows"].to_list() == [25, 25, 25, 25]
    assert result.bins["actual_rows"].to_list() == [10, 20, 30, 40]
    assert result.bins["bin"].to_list() == [
        "(-inf, 25)",
        "[25, 50)",
        "[50, 75)",
        "[75, inf)",
    ]
    assert result.psi == pytest.approx(HAND_PSI, rel=1e-12)


def test_identical_distributions_give_zero() -> None:
    values = np.random.default_rng(3).lognormal(size=5000)
    result = population_stability(values, values.copy())
    assert result.psi == 0.0
    assert result.reading == "stable"
    assert result.bins.height == 10
    assert result.bins["expected_rows"].to_list() == [500] * 10


def test_a_value_on_an_edge_goes_to_the_upper_bin() -> None:
    result = population_stability([0.0, 1.0, 2.0, 3.0], [2.0, 2.0, 1.5, 1.5], bins=2)
    assert result.bins["lower"].to_list() == [-math.inf, 2.0]
    assert result.bins["actual_rows"].to_list() == [2, 2]


def test_an_empty_bin_counts_as_epsilon() -> None:
    result = stability_from_counts(["a", "b"], [50, 50], [100, 0], epsilon=1e-4)
    hand = (1.0 - 0.5) * math.log(1.0 / 0.5) + (1e-4 - 0.5) * math.log(1e-4 / 0.5)
    assert result.psi == pytest.approx(hand, rel=1e-12)
    assert result.reading == "significant shift"
    assert result.bins["actual_share"].to_list() == [1.0, 1e-4]


def test_missing_values_have_their_own_bin() -> None:
    expected = pl.Series([1.0, 2.0, 3.0, 4.0, None, None])
    actual = pl.Series([1.0, 2.0, 3.0, 4.0, 5.0, float("nan")])
    result = population_stability(expected, actual, bins=2)
    assert result.bins["bin"].to_list()[-1] == "missing"
    assert result.bins["expected_rows"].to_list()[-1] == 2
    assert result.bins["actual_rows"].to_list()[-1] == 1
    assert population_stability([1.0, 2.0], [1.0, 2.0], bins=2).bins["bin"].to_list() == [
        "(-inf, 2)",
        "[2, inf)",
    ]


def test_ties_merge_quantile_edges() -> None:
    expected = [0.0] * 80 + [1.0] * 20
    result = population_stability(expected, expected, bins=10)
    assert result.bins["bin"].to_list() == ["(-inf, 1)", "[1, inf)"]
    assert result.bins["expected_rows"].to_list() == [80, 20]


def test_thresholds_are_parameters() -> None:
    thresholds = StabilityThresholds(moderate=0.01, significant=0.2)
    assert thresholds.reading(0.005) == "stable"
    assert thresholds.reading(0.1) == "moderate shift"
    assert thresholds.reading(0.2) == "moderate shift"
    assert thresholds.reading(0.21) == "significant shift"
    result = stability_from_counts(["a", "b"], [50, 50], [45, 55], thresholds=thresholds)
    assert result.psi == pytest.approx(-0.05 * math.log(0.9) + 0.05 * math.log(1.1), rel=1e-12)
    assert result.psi > 0.01
    assert result.reading == "moderate shift"
    assert DEFAULT_READING(result.psi) == "stable"
    with pytest.raises(InvalidInput, match="moderate < significant"):
        StabilityThresholds(moderate=0.3, significant=0.2)


@pytest.mark.parametrize(
    ("expected", "actual", "kwargs", "message"),
    [
        ([], [1.0], {}, "expected sample is empty"),
        ([1.0], [], {}, "actual sample is empty"),
        ([None, None], [1.0], {}, "only missing values"),
        ([1.0, math.inf], [1.0], {}, "infinite"),
        ([1.0, 2.0], [1.0], {"bins": 1}, "at least 2 bins"),
        ([1.0, 2.0], [1.0], {"epsilon": 0.0}, "epsilon"),
        (pl.Series(["a", "b"]), [1.0], {}, "PSI needs numbers"),
    ],
)
def test_bad_input_is_refused(
    expected: object, actual: object, kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        population_stability(expected, actual, **kwargs)  # type: ignore[arg-type]


def test_bad_counts_are_refused() -> None:
    with pytest.raises(InvalidInput, match="one count per bin"):
        stability_from_counts(["a", "b"], [1, 2, 3], [1, 2])
    with pytest.raises(InvalidInput, match="negative"):
        stability_from_counts(["a", "b"], [1, -2], [1, 2])
    with pytest.raises(InvalidInput, match="actual distribution has no rows"):
        stability_from_counts(["a", "b"], [1, 2], [0, 0])
