"""A pairwise-interaction LightGBM model collapsed into lookup tables, scored by a numba kernel.

When every root-to-leaf path of every tree of a bag of boosters splits on at most two distinct
features, the bag's raw score is a sum of 1-D and 2-D step functions. That is what LightGBM's
`interaction_constraints` of single features and pairs guarantee; note that LightGBM constrains
*branches*, not trees: with pairs sharing a feature ([a, b] and [a, c]) a tree may split on a at
its root and on b and c in different branches. It is still a sum over its leaves of functions of
each leaf's path features, so every leaf counts in the table of its own path's features.

Per feature, the sorted unique split thresholds of all trees cut the line into interval bins
(bin b: `thr[b-1] < x <= thr[b]`, b = 0..n) plus one bin for NaN; every leaf's indicator is
constant on each cell of its features' bins. `collapse` asks LightGBM which leaf each tree gives
on a grid of one representative value per bin (`pred_leaf`), takes the leaf values from LightGBM
(`get_leaf_output`), and sums, weighted as the bag's weighted mean, the leaves of each feature set
into one table; leaves on one feature go into a pair table holding that feature when there is
one (fewer lookups per row), single-leaf trees into the bias. `raw_score` then scores a row with
one bin search per used feature and one gather per table instead of walking every tree.

Exactness: every cell is a sum of LightGBM's own leaf values for that cell, so only the
summation order differs from LightGBM (per table, then the tables, with the weighted mean folded
in): results equal LightGBM's raw score up to float rounding. `verify` measures that on
`check_matrix_for` (every threshold, its float neighbours, zeros, NaN, the zero band, infinities)
and is meant to run before the tables are trusted.

LightGBM's input rule is reproduced before binning: its dense-matrix predictor keeps a value only
when `fabs(x) > kZeroThreshold || isnan(x)` and reads every other one as 0.0 (`kZeroThreshold` is
declared `const double kZeroThreshold = 1e-35f`: the float 1e-35 widened to double,
1.0000000180025095e-35, not the double 1e-35). Real models split at +-kZeroThreshold, so each
bin's representative is a value LightGBM reads as itself.

Not collapsible (`collapse` gives None, the reason logged): a path on three or more features, a
categorical split, a split with missing type "Zero", linear trees, more than one tree per
iteration (multiclass).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.pair_kernel import ZERO_THRESHOLD, score

log = logging.getLogger(__name__)


Group = tuple[int, ...]
"""The sorted features a tree splits on: () constant, (f,) single, (f, g) pair."""


@dataclass(frozen=True, eq=False)
class PairTables:
    """The collapsed model as flat arrays for the kernel.

    Feature f's sorted thresholds are `thresholds[threshold_starts[f]:threshold_starts[f + 1]]`
    (n of them: interval bins 0..n, NaN bin n + 1). The kernel bins only `slot_features` (the
    features some table uses), slot s holding feature `slot_features[s]`; one extra slot,
    `len(slot_features)`, always has bin 0 and serves as the second axis of 1-D tables. Table t
    is `values[table_starts[t]:]` indexed by `bin(first) * table_strides[t] + bin(second)`, its
    axes being slots `table_first[t]` and `table_second[t]`.
    """

    feature_count: int
    bias: float
    thresholds: np.ndarray
    threshold_starts: np.ndarray
    slot_features: np.ndarray
    values: np.ndarray
    table_starts: np.ndarray
    table_first: np.ndarray
    table_second: np.ndarray
    table_strides: np.ndarray

    @property
    def table_features(self) -> list[Group]:
        """Each table's features, in the kernel's order (for reports and tests)."""
        features = [*self.slot_features.tolist(), -1]
        return [
            tuple(f for f in (features[a], features[b]) if f >= 0)
            for a, b in zip(self.table_first.tolist(), self.table_second.tolist(), strict=True)
        ]


# ---------------------------------------------------------------------------- reading the trees


@dataclass(frozen=True, eq=False)
class _Tree:
    """One tree: its index in its booster (one tree per iteration), and per leaf index the
    features split on along the leaf's path and the leaf's output."""

    booster: int
    index: int
    leaf_groups: tuple[Group, ...]
    leaf_values: np.ndarray


def _nodes(root: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Group]]:
    """Every node of a dumped tree with the features split on above it."""
    stack: list[tuple[dict[str, Any], Group]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        yield node, path
        if "split_feature" in node:
            below = tuple(sorted({*path, int(node["split_feature"])}))
            stack.extend([(node["left_child"], below), (node["right_child"], below)])


def _split_thresholds(dumps: list[dict[str, Any]]) -> dict[int, set[float]]:
    thresholds: dict[int, set[float]] = {}
    for dump in dumps:
        for info in dump["tree_info"]:
            for node, _ in _nodes(info["tree_structure"]):
                if "split_feature" in node:
                    thresholds.setdefault(int(node["split_feature"]), set()).add(
                        float(node["threshold"])
                    )
    return thresholds


def _unsupported(info: dict[str, Any]) -> str | None:
    if info.get("is_linear"):
        return "is a linear tree"
    for node, path in _nodes(info["tree_structure"]):
        if "split_feature" not in node:
            if len(path) > 2:
                return f"has a leaf below splits on {len(path)} features {path}"
        elif node["decision_type"] != "<=":
            return f"has a {node['decision_type']!r} (categorical) split"
        elif node["missing_type"] == "Zero":
            return "has a split with missing type Zero"
        elif not np.isfinite(float(node["threshold"])):
            return "has a non-finite threshold"
    return None


def _read_trees(boosters: Sequence[lgb.Booster], dumps: list[dict[str, Any]]) -> list[_Tree] | None:
    """Every tree of the bag, or None when one is not collapsible (the reason is logged)."""
    trees: list[_Tree] = []
    for number, (booster, dump) in enumerate(zip(boosters, dumps, strict=True)):
        if dump.get("num_tree_per_iteration", 1) != 1:
            log.info("not collapsible: %s trees per iteration", dump["num_tree_per_iteration"])
            return None
        for info in dump["tree_info"]:
            reason = _unsupported(info)
            if reason:
                log.info(
                    "not collapsible: tree %s of booster %s %s", info["tree_index"], number, reason
                )
                return None
            index = int(info["tree_index"])
            paths = {
                int(node.get("leaf_index", 0)): path
                for node, path in _nodes(info["tree_structure"])
                if "split_feature" not in node
            }
            leaves = range(len(paths))
            trees.append(
                _Tree(
                    booster=number,
                    index=index,
                    leaf_groups=tuple(paths[leaf] for leaf in leaves),
                    leaf_values=np.array([booster.get_leaf_output(index, leaf) for leaf in leaves]),
                )
            )
    return trees


# ------------------------------------------------------------------------------ bins and grids


def _readable(value: float) -> bool:
    """Whether LightGBM reads the input value as itself (not moved to 0.0 by the zero band)."""
    return value == 0.0 or abs(value) > ZERO_THRESHOLD


def _representative(low: float, high: float) -> float:
    """A value of the bin (low, high] that LightGBM reads as itself; for a bin lying inside the
    zero band without 0 (no input reaches it) any value of it."""
    above = float(np.nextafter(low, np.inf))
    candidates = [
        high if np.isfinite(high) else above,
        0.0,
        float(np.nextafter(ZERO_THRESHOLD, np.inf)),
        float(np.nextafter(-ZERO_THRESHOLD, -np.inf)),
    ]
    for value in candidates:
        if low < value <= high and _readable(value):
            return value
    return candidates[0]


def representatives(thresholds: np.ndarray) -> np.ndarray:
    """One input value per bin of a feature: bins 0..n of its n sorted thresholds, then NaN."""
    bounds = np.concatenate([[-np.inf], thresholds, [np.inf]])
    values = [_representative(bounds[b], bounds[b + 1]) for b in range(thresholds.size + 1)]
    return np.array([*values, np.nan], dtype=np.float64)


def _grid(features: Group, points: dict[int, np.ndarray], feature_count: int) -> np.ndarray:
    """Rows covering every cell of the features' bins (first feature major); other columns 0."""
    sizes = [points[f].size for f in features]
    grid = np.zeros((int(np.prod(sizes)), feature_count))
    for column, values in zip(
        features, np.meshgrid(*[points[f] for f in features], indexing="ij"), strict=True
    ):
        grid[:, column] = values.ravel()
    return grid


# ---------------------------------------------------------------------------------- collapsing


def _check_bag(boosters: Sequence[lgb.Booster], weights: Sequence[float]) -> int:
    if not boosters or len(boosters) != len(weights):
        raise InvalidInput(f"{len(boosters)} boosters but {len(weights)} weights")
    counts = {booster.num_feature() for booster in boosters}
    if len(counts) != 1:
        raise InvalidInput(f"the boosters disagree on their number of features: {sorted(counts)}")
    if not sum(weights) > 0:
        raise InvalidInput(f"the booster weights must have a positive sum, got {list(weights)}")
    return counts.pop()


def _scales(weights: Sequence[float]) -> list[float]:
    """Each booster's factor on its leaf values: its share of the weighted mean. (A random forest
    averages its trees only in its converted output: its raw score is their sum, as here.)"""
    total = float(sum(weights))
    return [float(weight) / total for weight in weights]


def _plan(trees: list[_Tree]) -> tuple[list[Group], dict[Group, Group]]:
    """The tables (pairs, then the singles of no pair) and the table of each leaf group: a single
    feature goes into the first pair holding it, when there is one."""
    groups = {group for tree in trees for group in tree.leaf_groups if group}
    pairs = sorted(group for group in groups if len(group) == 2)
    home: dict[Group, Group] = {pair: pair for pair in pairs}
    for single in sorted(group for group in groups if len(group) == 1):
        home[single] = next((pair for pair in pairs if single[0] in pair), single)
    tables = [
        *pairs,
        *sorted(single for single, table in home.items() if single == table and len(single) == 1),
    ]
    return tables, home


def _table_values(
    boosters: Sequence[lgb.Booster],
    trees: list[_Tree],
    scales: list[float],
    members: dict[Group, Group],
    table: Group,
    grid: np.ndarray,
) -> np.ndarray:
    """The table on its grid: for each tree, LightGBM's leaf of each grid row, counted when the
    leaf's path lies in the table (such a leaf is reached or not whatever the other features)."""
    total = np.zeros(grid.shape[0])
    for tree in trees:
        counted = np.array([members.get(group) == table for group in tree.leaf_groups])
        if not counted.any():
            continue
        leaves = boosters[tree.booster].predict(
            grid, pred_leaf=True, start_iteration=tree.index, num_iteration=1
        )
        leaves = np.asarray(leaves, dtype=np.int64).reshape(-1)
        total += scales[tree.booster] * np.where(counted[leaves], tree.leaf_values[leaves], 0.0)
    return total


def collapse(boosters: Sequence[lgb.Booster], weights: Sequence[float]) -> PairTables | None:
    """The bag (raw score = weighted mean of the boosters' raw scores) as lookup tables, or None
    when some tree is not collapsible (see the module notes)."""
    feature_count = _check_bag(boosters, weights)
    dumps = [booster.dump_model() for booster in boosters]
    trees = _read_trees(boosters, dumps)
    if trees is None:
        return None
    scales = _scales(weights)
    thresholds = {f: np.unique(np.array(sorted(v))) for f, v in _split_thresholds(dumps).items()}
    points = {f: representatives(values) for f, values in thresholds.items()}
    tables, members = _plan(trees)
    bias = sum(
        scales[tree.booster] * float(tree.leaf_values[0])
        for tree in trees
        if tree.leaf_groups == ((),)
    )
    values = [
        _table_values(boosters, trees, scales, members, table, _grid(table, points, feature_count))
        for table in tables
    ]
    return _pack(feature_count, float(bias), thresholds, tables, values)


def _pack(
    feature_count: int,
    bias: float,
    thresholds: dict[int, np.ndarray],
    tables: list[Group],
    values: list[np.ndarray],
) -> PairTables:
    counts = [thresholds[f].size if f in thresholds else 0 for f in range(feature_count)]
    slot_features = sorted({f for table in tables for f in table})
    slot = {feature: index for index, feature in enumerate(slot_features)}
    spare = len(slot_features)
    sizes = np.array([value.size for value in values], dtype=np.int64)
    return PairTables(
        feature_count=feature_count,
        bias=bias,
        thresholds=np.concatenate(
            [thresholds.get(f, np.empty(0)) for f in range(feature_count)] + [np.empty(0)]
        ).astype(np.float64),
        threshold_starts=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        slot_features=np.array(slot_features, dtype=np.int64),
        values=np.concatenate([*values, np.empty(0)]).astype(np.float64),
        table_starts=(np.cumsum(sizes) - sizes).astype(np.int64),
        table_first=np.array([slot[table[0]] for table in tables], dtype=np.int64),
        table_second=np.array(
            [slot[table[1]] if len(table) == 2 else spare for table in tables], dtype=np.int64
        ),
        table_strides=np.array(
            [counts[table[1]] + 2 if len(table) == 2 else 1 for table in tables], dtype=np.int64
        ),
    )


def raw_score(
    tables: PairTables, matrix: np.ndarray, *, missing: np.ndarray | None = None
) -> np.ndarray:
    """The collapsed bag's raw score (log-odds) of each row of a features matrix; a NaN in
    column f is first read as `missing[f]` (NaN: stays missing), as if the matrix had been
    filled, without the copy. The kernel reads column by column, so a column-major matrix is
    used as it is (others are copied)."""
    data = np.asarray(matrix)
    if data.ndim != 2 or data.shape[1] != tables.feature_count:
        raise InvalidInput(
            f"expected a 2-D matrix of {tables.feature_count} feature columns, "
            f"got an array of shape {data.shape}"
        )
    if missing is None:
        missing = np.full(tables.feature_count, np.nan)
    elif missing.shape != (tables.feature_count,):
        raise InvalidInput(
            f"expected {tables.feature_count} values to read a missing feature as, "
            f"got an array of shape {missing.shape}"
        )
    data = np.asfortranarray(data, dtype=np.float64)
    out = np.empty(data.shape[0], dtype=np.float64)
    if data.shape[0]:
        score(
            data,
            np.array(missing, dtype=np.float64),
            tables.thresholds,
            tables.threshold_starts,
            tables.slot_features,
            tables.values,
            tables.table_starts,
            tables.table_first,
            tables.table_second,
            tables.table_strides,
            tables.bias,
            out,
        )
    return out


# --------------------------------------------------------------------------------- verification


def lightgbm_raw_score(
    boosters: Sequence[lgb.Booster], weights: Sequence[float], matrix: np.ndarray
) -> np.ndarray:
    """The bag's raw score through LightGBM, as `ScoringModel.raw_score` computes it."""
    scores = [booster.predict(matrix, raw_score=True) for booster in boosters]
    return np.average(np.vstack(scores), axis=0, weights=weights)


EDGE_VALUES = np.array(
    [
        0.0,
        -0.0,
        np.nan,
        ZERO_THRESHOLD,
        -ZERO_THRESHOLD,
        np.nextafter(ZERO_THRESHOLD, np.inf),
        np.nextafter(-ZERO_THRESHOLD, -np.inf),
        np.nextafter(ZERO_THRESHOLD, 0.0),
        np.nextafter(-ZERO_THRESHOLD, 0.0),
        1e-35,
        -1e-35,
        5e-324,
        -5e-324,
        np.inf,
        -np.inf,
        1e300,
        -1e300,
    ]
)
"""Inputs at LightGBM's special cases: signed zeros, NaN, both edges of the zero band, infinities."""


def check_matrix_for(
    boosters: Sequence[lgb.Booster], n_features: int, *, shuffles: int = 4, seed: int = 20160402
) -> np.ndarray:
    """Rows that put every split threshold of the boosters, its float neighbours and the edge
    values on every feature: first each column walks its own values, then `shuffles` blocks of
    the same columns independently permuted, mixing them across features."""
    split_values = _split_thresholds([booster.dump_model() for booster in boosters])
    columns = []
    for feature in range(n_features):
        values = np.array(sorted(split_values.get(feature, ())), dtype=np.float64)
        around = [values, np.nextafter(values, np.inf), np.nextafter(values, -np.inf), EDGE_VALUES]
        columns.append(np.concatenate(around))
    length = max(column.size for column in columns)
    walk = np.column_stack([np.resize(column, length) for column in columns])
    rng = np.random.default_rng(seed)
    blocks = [walk] + [
        np.column_stack([rng.permutation(walk[:, j]) for j in range(n_features)])
        for _ in range(shuffles)
    ]
    return np.vstack(blocks)


def max_difference(
    tables: PairTables,
    boosters: Sequence[lgb.Booster],
    weights: Sequence[float],
    matrix: np.ndarray,
) -> float:
    """The largest |tables - LightGBM| raw score difference over the rows (0.0 for no rows)."""
    if matrix.shape[0] == 0:
        return 0.0
    difference = raw_score(tables, matrix) - lightgbm_raw_score(boosters, weights, matrix)
    return float(np.max(np.abs(difference)))


def verify(
    tables: PairTables,
    boosters: Sequence[lgb.Booster],
    weights: Sequence[float],
    matrix: np.ndarray,
    *,
    tolerance: float = 1e-9,
) -> bool:
    """Whether the tables give the bag's LightGBM raw score within `tolerance` on every row."""
    difference = max_difference(tables, boosters, weights, matrix)
    if not difference <= tolerance:
        log.warning("pair tables differ from LightGBM by %s (tolerance %s)", difference, tolerance)
        return False
    return True
