"""Pairwise-interaction members: pair screening inside fit, trees on at most one allowed pair."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.special import expit

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.artifact import TrainingRecord, load_model, save_model
from tradecredit.scoring.boosters import BoosterSpec
from tradecredit.scoring.features import monotone_constraints
from tradecredit.scoring.metrics import auc
from tradecredit.scoring.model import ScoringModel
from tradecredit.scoring.pairs import all_pairs, interaction_groups
from tradecredit.scoring.ratios import RATIO_DIRECTIONS, UNCONSTRAINED_RATIOS

PAIRWISE = BoosterSpec(name="pairwise", learning_rate=0.1, n_estimators=60, num_leaves=7, pairs=1)


def interacting(rows: int = 3000, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Five features; the default risk comes from x0 and x3 only through their product."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(rows, 5))
    logit = -2.5 + 1.8 * matrix[:, 0] * matrix[:, 3] + 0.3 * matrix[:, 1]
    target = (rng.uniform(size=rows) < expit(logit)).astype(np.int8)
    return matrix, target


def _used(node: dict[str, Any], found: set[int]) -> set[int]:
    if "split_feature" in node:
        found.add(int(node["split_feature"]))
        _used(node["left_child"], found)
        _used(node["right_child"], found)
    return found


def test_screening_finds_the_interacting_pair_and_every_tree_keeps_to_its_groups() -> None:
    matrix, target = interacting()
    model = ScoringModel(boosters=(PAIRWISE,), cross_fit_folds=3, refit_seeds=1).fit(matrix, target)
    groups = model.interaction_groups_["pairwise"]
    assert groups == interaction_groups(5, [[0, 3]])
    allowed = [set(group) for group in groups]
    for booster in model.boosters_:
        for tree in booster.dump_model()["tree_info"]:
            used = _used(tree["tree_structure"], set())
            assert any(used <= group for group in allowed), used
    assert model.selection()["interaction_groups"] == {"pairwise": groups}


def test_a_pairwise_model_beats_its_main_effects_alone_on_an_interaction() -> None:
    matrix, target = interacting()
    test_matrix, test_target = interacting(seed=6)
    no_pairs = BoosterSpec(**{**PAIRWISE.to_dict(), "pairs": 0})
    with_pair = ScoringModel(boosters=(PAIRWISE,), cross_fit_folds=3, refit_seeds=1)
    without = ScoringModel(boosters=(no_pairs,), cross_fit_folds=3, refit_seeds=1)
    gain = auc(test_target, with_pair.fit(matrix, target).predict_pd(test_matrix))
    main = auc(test_target, without.fit(matrix, target).predict_pd(test_matrix))
    assert without.interaction_groups_["pairwise"] == interaction_groups(5, [])
    assert gain > main + 0.1


def test_interaction_groups_survive_the_artifact_round_trip(tmp_path: Path) -> None:
    matrix, target = interacting(rows=1200)
    model = ScoringModel(boosters=(PAIRWISE,), cross_fit_folds=3, refit_seeds=1).fit(matrix, target)
    record = TrainingRecord(source="synthetic", label="y", id_column=None, data={})
    save_model(model, tmp_path / "m", training=record)
    loaded = load_model(tmp_path / "m")
    assert loaded.interaction_groups_ == model.interaction_groups_
    np.testing.assert_array_equal(loaded.predict_pd(matrix), model.predict_pd(matrix))


def test_a_negative_number_of_pairs_is_refused() -> None:
    spec = BoosterSpec(**{**PAIRWISE.to_dict(), "pairs": -1})
    matrix, target = interacting(rows=600)
    with pytest.raises(InvalidInput, match="pairs cannot be negative"):
        ScoringModel(boosters=(spec,), cross_fit_folds=3).fit(matrix, target)


def test_all_pairs_and_groups() -> None:
    assert all_pairs(3) == [[0, 1], [0, 2], [1, 2]]
    assert interaction_groups(2, [[0, 1]]) == [[0], [1], [0, 1]]


def test_unconstrained_ratios_keep_their_direction_but_get_no_constraint() -> None:
    names = ["liabilities_to_assets", "equity_to_assets", "ebit_margin", "interest_coverage"]
    assert monotone_constraints(names) == [1, -1, 0, 0]
    assert all(RATIO_DIRECTIONS[name] != 0 for name in UNCONSTRAINED_RATIOS)
    assert not {"liabilities_to_assets", "equity_to_assets", "current_ratio"} & set(
        UNCONSTRAINED_RATIOS
    )
