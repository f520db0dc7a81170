"""Pair tables: a pairwise-interaction bag collapsed into lookup tables scores as LightGBM does."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import lightgbm as lgb
import numpy as np
import pytest

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring import pair_tables
from tradecredit.scoring.pair_kernel import LINEAR_UP_TO, ZERO_THRESHOLD
from tradecredit.scoring.pair_tables import (
    EDGE_VALUES,
    PairTables,
    check_matrix_for,
    collapse,
    lightgbm_raw_score,
    raw_score,
    verify,
)

FEATURES = 6
PAIRS = [[1, 2], [0, 3], [0, 4]]
"""Pairs sharing feature 0 (trees on 0, 3 and 4 with two features per path); feature 5 alone."""
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Bag:
    boosters: list[lgb.Booster]
    weights: list[float]
    tables: PairTables


def _data(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(rows, FEATURES))
    matrix[rng.uniform(size=matrix.shape) < 0.08] = np.nan
    matrix[rng.uniform(size=matrix.shape) < 0.05] = 0.0
    x = np.nan_to_num(matrix)
    switch = np.where(x[:, 0] > 0, x[:, 3], -x[:, 4])
    logit = 1.5 * x[:, 0] + 2 * switch + x[:, 1] * x[:, 2] + 0.5 * x[:, 5]
    target = (rng.uniform(size=rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return matrix, target


def _train(matrix: np.ndarray, target: np.ndarray, rounds: int, **params: object) -> lgb.Booster:
    settings: dict[str, object] = {
        "objective": "binary",
        "verbosity": -1,
        "min_data_in_leaf": 3,
        "num_threads": 1,
        "deterministic": True,
    }
    settings.update(params)
    booster = lgb.train(settings, lgb.Dataset(matrix, target), num_boost_round=rounds)
    return lgb.Booster(model_str=booster.model_to_string())


@pytest.fixture(scope="module")
def bag() -> Bag:
    matrix, target = _data(500, seed=11)
    groups = [[f] for f in range(FEATURES)] + PAIRS
    common = {"interaction_constraints": groups, "monotone_constraints": [0, 0, 0, 1, -1, 1]}
    boosters = [
        _train(
            matrix, target, 40, num_leaves=7, bagging_fraction=0.8, bagging_freq=1, seed=1, **common
        ),
        _train(matrix, target, 25, num_leaves=15, learning_rate=0.2, max_bin=255, seed=2, **common),
    ]
    weights = [1.0, 3.0]
    tables = collapse(boosters, weights)
    assert tables is not None
    return Bag(boosters, weights, tables)


def _paths(booster: lgb.Booster) -> list[tuple[set[int], list[set[int]]]]:
    """Per tree: the features it splits on, and the features of each leaf's path."""
    trees = []
    for info in booster.dump_model()["tree_info"]:
        leaves: list[set[int]] = []
        stack = [(info["tree_structure"], frozenset[int]())]
        while stack:
            node, path = stack.pop()
            if "split_feature" in node:
                below = path | {node["split_feature"]}
                stack += [(node["left_child"], below), (node["right_child"], below)]
            else:
                leaves.append(set(path))
        trees.append((set().union(*leaves), leaves))
    return trees


def _difference(bag: Bag, matrix: np.ndarray) -> float:
    expected = lightgbm_raw_score(bag.boosters, bag.weights, matrix)
    return float(np.max(np.abs(raw_score(bag.tables, matrix) - expected)))


def test_collapse_makes_pair_tables_with_the_singles_folded_in(bag: Bag) -> None:
    assert sorted(bag.tables.table_features) == [(0, 3), (0, 4), (1, 2), (5,)]
    assert bag.tables.feature_count == FEATURES
    trees = [tree for booster in bag.boosters for tree in _paths(booster)]
    # LightGBM constrains branches: some trees split on 3 features, no path on more than 2
    assert any(len(features) == 3 for features, _ in trees)
    assert all(len(path) <= 2 for _, leaves in trees for path in leaves)
    counts = np.diff(bag.tables.threshold_starts)
    # both bin searches run: counting (few thresholds) and bisecting (many)
    assert counts.max() > LINEAR_UP_TO
    assert 0 < counts[bag.tables.slot_features].min() <= LINEAR_UP_TO
    # exact zeros in the data make LightGBM split at +-kZeroThreshold, the zero band's edges
    assert np.isin([ZERO_THRESHOLD, -ZERO_THRESHOLD], bag.tables.thresholds).all()


def test_random_rows_score_as_lightgbm(bag: Bag) -> None:
    matrix, _ = _data(3000, seed=12)
    matrix[::7, 2] = np.inf
    matrix[::11, 0] = -np.inf
    assert _difference(bag, matrix) <= TOLERANCE


def test_the_check_matrix_scores_as_lightgbm(bag: Bag) -> None:
    matrix = check_matrix_for(bag.boosters, FEATURES)
    thresholds = bag.tables.thresholds
    column = matrix[:, 0]
    start, stop = bag.tables.threshold_starts[0], bag.tables.threshold_starts[1]
    assert np.isin(thresholds[start:stop], column).all()
    assert np.isin(np.nextafter(thresholds[start:stop], np.inf), column).all()
    assert np.isnan(column).any()
    assert np.isin(EDGE_VALUES[~np.isnan(EDGE_VALUES)], column).all()
    assert verify(bag.tables, bag.boosters, bag.weights, matrix)
    assert _difference(bag, matrix) <= TOLERANCE


def test_special_values_in_every_column_score_as_lightgbm(bag: Bag) -> None:
    specials = np.concatenate([EDGE_VALUES, [1e-36, -1e-36, 2e-35, -2e-35]])
    rng = np.random.default_rng(3)
    same = np.repeat(specials[:, None], FEATURES, axis=1)
    mixed = rng.choice(specials, size=(2000, FEATURES))
    half = np.where(
        rng.uniform(size=(2000, FEATURES)) < 0.5, mixed, rng.normal(size=(2000, FEATURES))
    )
    assert _difference(bag, np.vstack([same, mixed, half])) <= TOLERANCE


def _one_split(threshold: float) -> lgb.Booster:
    """A one-feature stump whose split threshold is set by hand in the text model."""
    x = np.linspace(-1.0, 1.0, 200)[:, None]
    stump = _train(x, (x[:, 0] > 0).astype(int), 1, num_leaves=2, min_data_in_leaf=5)
    text, count = re.subn(
        r"^threshold=.*$", f"threshold={threshold!r}", stump.model_to_string(), flags=re.M
    )
    assert count == 1
    return lgb.Booster(model_str=text)


@pytest.mark.parametrize("threshold", [5e-36, -5e-36, ZERO_THRESHOLD, -ZERO_THRESHOLD, 1e-35, 0.0])
def test_the_zero_band_is_read_exactly_as_lightgbm_does(threshold: float) -> None:
    stump = _one_split(threshold)
    tables = collapse([stump], [1.0])
    assert tables is not None
    near = [ZERO_THRESHOLD, 1e-35, 2e-35, 1e-36, 5e-36, 5e-324, 0.0, -0.0]
    values = np.array([*near, *(-v for v in near), np.nan, np.inf, -np.inf])
    values = np.unique(
        np.concatenate([values, np.nextafter(values, np.inf), np.nextafter(values, -np.inf)])
    )
    matrix = values[:, None]
    expected = stump.predict(matrix, raw_score=True)
    assert np.array_equal(raw_score(tables, matrix), expected)


def test_lightgbm_reads_up_to_the_float_widened_1e_35_as_zero() -> None:
    stump = _one_split(5e-36)
    above = np.nextafter(ZERO_THRESHOLD, np.inf)
    left, edge, right = stump.predict(np.array([[0.0], [ZERO_THRESHOLD], [above]]), raw_score=True)
    assert ZERO_THRESHOLD > 1e-35
    assert edge == left != right


def test_paths_on_three_features_cannot_be_collapsed() -> None:
    matrix, target = _data(300, seed=13)
    free = _train(matrix, target, 5, num_leaves=8, max_depth=3)
    assert max(len(path) for _, leaves in _paths(free) for path in leaves) == 3
    assert collapse([free], [1.0]) is None


def test_categorical_and_zero_as_missing_splits_cannot_be_collapsed() -> None:
    matrix, _ = _data(300, seed=14)
    rng = np.random.default_rng(1)
    matrix[:, 5] = rng.integers(0, 4, size=300)
    target = ((matrix[:, 5] == 2) ^ (rng.uniform(size=300) < 0.1)).astype(int)
    singles = [[f] for f in range(FEATURES)]
    categorical = lgb.train(
        {
            "objective": "binary",
            "verbosity": -1,
            "interaction_constraints": singles,
            "min_data_in_leaf": 3,
        },
        lgb.Dataset(matrix, target, categorical_feature=[5]),
        num_boost_round=5,
    )
    zero_missing = _train(matrix, target, 5, interaction_constraints=singles, zero_as_missing=True)
    assert "'=='" in str(categorical.dump_model())
    assert collapse([categorical], [1.0]) is None
    assert "'Zero'" in str(zero_missing.dump_model())
    assert collapse([zero_missing], [1.0]) is None


def test_single_leaf_trees_go_to_the_bias(bag: Bag) -> None:
    matrix, target = _data(300, seed=15)
    constant = _train(matrix, target, 3, min_data_in_leaf=1000)
    assert all(len(features) == 0 for features, _ in _paths(constant))
    boosters, weights = [constant, *bag.boosters], [0.5, *bag.weights]
    tables = collapse(boosters, weights)
    assert tables is not None
    assert tables.bias != 0.0
    rows, _ = _data(500, seed=16)
    expected = lightgbm_raw_score(boosters, weights, rows)
    assert np.max(np.abs(raw_score(tables, rows) - expected)) <= TOLERANCE


def test_a_random_forest_averages_its_trees() -> None:
    matrix, target = _data(400, seed=17)
    groups = [[f] for f in range(FEATURES)] + PAIRS
    forest = _train(
        matrix,
        target,
        10,
        boosting="rf",
        bagging_fraction=0.7,
        bagging_freq=1,
        interaction_constraints=groups,
    )
    tables = collapse([forest], [2.0])
    assert tables is not None
    rows = check_matrix_for([forest], FEATURES)
    assert verify(tables, [forest], [2.0], rows)


def test_one_row_no_row_and_any_layout(bag: Bag) -> None:
    matrix, _ = _data(50, seed=18)
    expected = lightgbm_raw_score(bag.boosters, bag.weights, matrix)
    one = raw_score(bag.tables, matrix[:1])
    assert one.shape == (1,)
    assert abs(one[0] - expected[0]) <= TOLERANCE
    empty = raw_score(bag.tables, np.empty((0, FEATURES)))
    assert empty.shape == (0,)
    assert empty.dtype == np.float64
    for layout in (
        np.asfortranarray(matrix),
        matrix.astype(np.float32).astype(np.float64),
        matrix[:, ::1],
    ):
        assert np.max(np.abs(raw_score(bag.tables, layout) - expected)) <= TOLERANCE


def test_a_wrong_shape_is_refused(bag: Bag) -> None:
    with pytest.raises(
        InvalidInput,
        match=r"expected a 2-D matrix of 6 feature columns, got an array of shape \(4, 5\)",
    ):
        raw_score(bag.tables, np.zeros((4, 5)))
    with pytest.raises(InvalidInput, match="feature columns"):
        raw_score(bag.tables, np.zeros(6))
    with pytest.raises(InvalidInput, match="2 boosters but 1 weights"):
        collapse(bag.boosters, [1.0])


def test_verify_fails_on_tables_that_differ(bag: Bag) -> None:
    matrix = check_matrix_for(bag.boosters, FEATURES)
    shifted = replace(bag.tables, values=bag.tables.values + 1e-6)
    assert not verify(shifted, bag.boosters, bag.weights, matrix)
    assert pair_tables.max_difference(shifted, bag.boosters, bag.weights, matrix) == pytest.approx(
        1e-6 * len(bag.tables.table_features), rel=1e-3
    )


def test_missing_values_are_read_as_the_given_fill(bag: Bag) -> None:
    matrix, _ = _data(2000, seed=14)
    matrix[::3, 1] = np.nan
    matrix[::5, 4] = np.nan
    fill = np.array([np.nan, 0.25, np.nan, np.nan, -1.5, np.nan])
    filled = np.where(np.isnan(matrix) & ~np.isnan(fill), fill, matrix)
    expected = lightgbm_raw_score(bag.boosters, bag.weights, filled)
    found = raw_score(bag.tables, matrix, missing=fill)
    assert np.max(np.abs(found - expected)) <= TOLERANCE
    assert not np.allclose(found, raw_score(bag.tables, matrix))
    with pytest.raises(InvalidInput, match=r"6 values to read a missing feature as"):
        raw_score(bag.tables, matrix, missing=np.zeros(5))
