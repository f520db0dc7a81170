from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from scipy.special import expit
from sklearn.base import clone

from scoring.helpers import FAST_BOOSTERS, Synthetic, fast_model, synthetic_ratios
from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.boosters import DEFAULT_BOOSTERS, DEFAULT_TREE_GRID, tree_counts
from tradecredit.scoring.metrics import equal_frequency_bins, expected_calibration_error
from tradecredit.scoring.model import ScoringModel, TreeChoice, choose_trees


def test_the_estimator_follows_the_scikit_learn_contract(fitted: ScoringModel) -> None:
    params = fitted.get_params()
    assert params["boosters"] == FAST_BOOSTERS
    assert params["calibration"] == "platt"
    copy = clone(fitted)
    assert copy.get_params() == params
    assert not hasattr(copy, "boosters_")
    assert list(fitted.classes_) == [0, 1]


def test_predict_proba_rows_sum_to_one(fitted: ScoringModel, synthetic: Synthetic) -> None:
    proba = fitted.predict_proba(synthetic.features[:50])
    assert proba.shape == (50, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_array_equal(proba[:, 1], fitted.predict_pd(synthetic.features[:50]))


def test_the_bag_is_refitted_on_all_rows_or_made_of_the_cross_fitted_boosters(
    fitted: ScoringModel, synthetic: Synthetic
) -> None:
    first_refit_seed = fitted.random_state + 3
    # the sampling member is refitted with 2 seeds, the deterministic one once; members weigh equally
    assert fitted.booster_members_ == ["slow", "slow", "stock"]
    assert fitted.booster_seeds_ == [first_refit_seed, first_refit_seed + 1, first_refit_seed]
    assert fitted.booster_weights_ == [0.25, 0.25, 0.5]
    assert fitted.feature_names_ == [
        "liabilities_to_assets",
        "current_ratio",
        "net_income_to_assets",
        "mystery",
    ]
    cross_fitted = fast_model(refit_seeds=0).fit(synthetic.features, synthetic.target)
    assert cross_fitted.booster_members_ == ["slow", "stock"] * 3
    assert cross_fitted.booster_weights_ == pytest.approx([1 / 6] * 6)
    # the same out-of-fold scores, so the same calibration map, whichever bag predicts
    assert cross_fitted.calibration_ == fitted.calibration_


def test_the_score_is_the_mean_over_members_of_their_boosters_mean(
    fitted: ScoringModel, synthetic: Synthetic
) -> None:
    matrix = synthetic.features[:20].to_numpy()
    slow_a, slow_b, stock = (
        np.asarray(b.predict(fitted.booster_matrix(matrix), raw_score=True))
        for b in fitted.boosters_
    )
    expected = ((slow_a + slow_b) / 2 + stock) / 2
    np.testing.assert_allclose(fitted.raw_score(matrix), expected, rtol=1e-12, atol=1e-12)


def test_a_bag_needs_distinct_member_names(synthetic: Synthetic) -> None:
    twice = (FAST_BOOSTERS[0], FAST_BOOSTERS[0])
    with pytest.raises(InvalidInput, match="distinct names"):
        fast_model(boosters=twice).fit(synthetic.features, synthetic.target)
    with pytest.raises(InvalidInput, match="distinct names"):
        fast_model(boosters=()).fit(synthetic.features, synthetic.target)


def test_known_ratio_names_get_constraints_and_unknown_columns_none(
    fitted: ScoringModel, synthetic: Synthetic
) -> None:
    assert fitted.monotone_constraints_ == [1, -1, 0, 0]
    renamed = synthetic.features.rename(
        {"liabilities_to_assets": "Attr2", "net_income_to_assets": "retained_earnings_to_assets"}
    )
    unknown = fast_model().fit(renamed, synthetic.target)
    assert unknown.monotone_constraints_ == [0, -1, -1, 0]
    free = fast_model(monotone=False).fit(synthetic.features, synthetic.target)
    assert free.monotone_constraints_ == [0, 0, 0, 0]


def test_calibrated_pd_matches_known_probabilities_on_held_out_rows() -> None:
    train = synthetic_ratios(8000, seed=11)
    test = synthetic_ratios(8000, seed=12)
    model = fast_model(cross_fit_folds=5).fit(train.features, train.target)
    pd_ = model.predict_pd(test.features)
    assert expected_calibration_error(test.target, pd_) < 0.015
    # against the known probabilities (not the noisy outcomes), bin by bin
    gaps = [
        abs(cell.mean_pd - cell.default_rate)
        for cell in equal_frequency_bins(test.true_pd, pd_, bins=10)
    ]
    assert max(gaps) < 0.05
    assert pd_.mean() == pytest.approx(test.true_pd.mean(), abs=0.01)


def sweep(model: ScoringModel, base: pl.DataFrame, feature: str, grid: np.ndarray) -> np.ndarray:
    """PD of each base row as `feature` runs over `grid`, everything else unchanged: rows x grid."""
    curves = []
    for row in range(base.height):
        repeated = pl.concat([base[row]] * grid.size)
        curves.append(model.predict_pd(repeated.with_columns(pl.Series(feature, grid))))
    return np.vstack(curves)


def u_shaped(rows: int, seed: int) -> Synthetic:
    """Defaults fall, then rise with leverage: a dip the constraint must refuse to follow."""
    data = synthetic_ratios(rows, seed=seed, missing_share=0.0)
    leverage = data.features["liabilities_to_assets"].to_numpy()
    true_pd = expit(-4.0 + 8.0 * (leverage - 0.4) ** 2)
    target = (np.random.default_rng(seed).uniform(size=rows) < true_pd).astype(np.int8)
    return Synthetic(data.features, target, true_pd)


def test_worse_leverage_never_lowers_the_pd() -> None:
    data = u_shaped(4000, seed=21)
    grid = np.linspace(0.0, 1.5, 61)
    base = data.features[:15]
    constrained = fast_model().fit(data.features, data.target)
    assert np.all(np.diff(sweep(constrained, base, "liabilities_to_assets", grid), axis=1) >= 0)
    free = fast_model(monotone=False).fit(data.features, data.target)
    assert np.any(np.diff(sweep(free, base, "liabilities_to_assets", grid), axis=1) < 0)


def test_better_liquidity_and_profitability_never_raise_the_pd(synthetic: Synthetic) -> None:
    """Retained earnings to assets stands for profitability: net income to assets is one of the
    ratios left unconstrained (ratios.UNCONSTRAINED_RATIOS)."""
    features = synthetic.features.rename({"net_income_to_assets": "retained_earnings_to_assets"})
    model = fast_model().fit(features, synthetic.target)
    base = features[:10]
    for feature, grid in (
        ("current_ratio", np.linspace(0.0, 5.0, 41)),
        ("retained_earnings_to_assets", np.linspace(-0.5, 0.5, 41)),
    ):
        assert np.all(np.diff(sweep(model, base, feature, grid), axis=1) <= 0)


def test_contributions_add_up_to_the_raw_score(fitted: ScoringModel, synthetic: Synthetic) -> None:
    rows = synthetic.features[:40]
    contributions = fitted.contributions(rows)
    np.testing.assert_allclose(
        contributions.sum(axis=1), fitted.raw_score(rows), rtol=1e-9, atol=1e-9
    )


def test_reason_codes_name_the_features_pushing_the_pd_up(
    fitted: ScoringModel, synthetic: Synthetic
) -> None:
    rows = synthetic.features[:30]
    contributions = fitted.contributions(rows)[:, :-1]
    matrix = rows.to_numpy()
    for index, reasons in enumerate(fitted.reason_codes(rows, top_k=2)):
        assert len(reasons) <= 2
        positive = sorted(contributions[index][contributions[index] > 0], reverse=True)[:2]
        assert [reason.contribution for reason in reasons] == pytest.approx(positive)
        for reason in reasons:
            column = fitted.feature_names_.index(reason.feature)
            expected = matrix[index, column]
            assert (reason.value is None and np.isnan(expected)) or reason.value == expected


def test_a_risky_row_is_explained_by_its_leverage(fitted: ScoringModel) -> None:
    risky = pl.DataFrame(
        {
            "liabilities_to_assets": [1.25],
            "current_ratio": [1.2],
            "net_income_to_assets": [0.03],
            "mystery": [0.0],
        }
    )
    assert fitted.reason_codes(risky, top_k=1)[0][0].feature == "liabilities_to_assets"


def test_prediction_needs_the_training_columns(fitted: ScoringModel) -> None:
    with pytest.raises(InvalidInput, match="mystery"):
        fitted.predict_pd(pl.DataFrame({"liabilities_to_assets": [0.5], "current_ratio": [1.0]}))
    with pytest.raises(InvalidInput, match="expected 4 feature columns"):
        fitted.predict_pd(np.zeros((2, 3)))


def test_fit_refuses_a_target_with_too_few_defaults() -> None:
    frame = pl.DataFrame({"x": np.arange(20, dtype=float)})
    target = np.zeros(20, dtype=np.int8)
    target[0] = 1
    with pytest.raises(InvalidInput, match="1 defaults and 19 non-defaults"):
        fast_model().fit(frame, target)
    with pytest.raises(InvalidInput, match="0/1"):
        fast_model().fit(frame, np.full(20, 2))


def test_fit_refuses_an_unknown_calibration(synthetic: Synthetic) -> None:
    with pytest.raises(InvalidInput, match="unknown calibration 'magic'"):
        fast_model(calibration="magic").fit(synthetic.features, synthetic.target)


def test_isotonic_calibration_also_works(synthetic: Synthetic) -> None:
    model = fast_model(calibration="isotonic").fit(synthetic.features, synthetic.target)
    pd_ = model.predict_pd(synthetic.features[:200])
    assert np.all((pd_ >= 0) & (pd_ <= 1))


def test_same_seed_same_model(synthetic: Synthetic) -> None:
    first = fast_model().fit(synthetic.features, synthetic.target)
    second = fast_model().fit(synthetic.features, synthetic.target)
    np.testing.assert_array_equal(
        first.predict_pd(synthetic.features), second.predict_pd(synthetic.features)
    )


def test_tree_counts_are_evenly_spaced_up_to_the_ceiling() -> None:
    assert tree_counts(200, 20) == list(range(10, 201, 10))
    assert tree_counts(1000, 4) == [250, 500, 750, 1000]
    assert tree_counts(60, 1) == [60]
    assert tree_counts(3, 20) == [1, 2, 3]
    with pytest.raises(InvalidInput, match="at least one count"):
        tree_counts(100, 0)


def test_the_best_ranking_count_wins_and_the_smallest_on_a_tie() -> None:
    target = np.array([0, 0, 1, 1])
    scores = np.array(
        [
            [0.1, 0.4, 0.35, 0.8],  # AUC 0.75
            [0.1, 0.2, 0.3, 0.4],  # AUC 1.0
            [0.0, 0.1, 0.5, 0.9],  # AUC 1.0, more trees
        ]
    )
    choice = choose_trees("m", [10, 20, 30], scores, target)
    assert choice.trees == 20
    assert choice.auc == 1.0
    assert choice.to_dict()["candidate_aucs"] == [0.75, 1.0, 1.0]
    assert TreeChoice.from_dict(json.loads(json.dumps(choice.to_dict()))) == choice


def test_each_member_gets_the_tree_count_its_out_of_fold_scores_rank_best(
    fitted: ScoringModel, synthetic: Synthetic
) -> None:
    record = fitted.selection()
    assert [member["member"] for member in record["members"]] == ["slow", "stock"]
    for spec, member in zip(FAST_BOOSTERS, record["members"], strict=True):
        assert member["candidates"] == tree_counts(spec.n_estimators, fitted.tree_grid)
        assert member["trees"] in member["candidates"]
        best = max(member["candidate_aucs"])
        assert member["out_of_fold_auc"] == best
        first_best = member["candidates"][member["candidate_aucs"].index(best)]
        assert member["trees"] == first_best
    chosen = {member["member"]: member["trees"] for member in record["members"]}
    assert [booster.num_trees() for booster in fitted.boosters_] == [
        chosen[name] for name in fitted.booster_members_
    ]
    assert 0.5 < record["blend_out_of_fold_auc"] <= 1.0
    # the choice depends on the training rows only: refitting on them repeats it exactly
    again = clone(fitted).fit(synthetic.features, synthetic.target)
    assert again.selection() == record


def test_the_cross_fitted_bag_is_cut_to_the_chosen_counts(synthetic: Synthetic) -> None:
    model = fast_model(refit_seeds=0).fit(synthetic.features, synthetic.target)
    chosen = {choice.member: choice.trees for choice in model.tree_choices_}
    assert [booster.num_trees() for booster in model.boosters_] == [
        chosen[name] for name in model.booster_members_
    ]


def test_a_one_point_grid_keeps_every_tree(synthetic: Synthetic) -> None:
    model = fast_model(tree_grid=1).fit(synthetic.features, synthetic.target)
    assert [choice.trees for choice in model.tree_choices_] == [
        spec.n_estimators for spec in FAST_BOOSTERS
    ]


def test_extremely_randomised_members_are_refitted_with_several_seeds(
    synthetic: Synthetic,
) -> None:
    extra = replace(FAST_BOOSTERS[1], name="extra", extra_trees=True)
    assert extra.randomised
    assert not FAST_BOOSTERS[1].randomised
    assert extra.lightgbm_params(seed=1, constraints=[0], threads=1)["extra_trees"] is True
    model = fast_model(boosters=(FAST_BOOSTERS[1], extra)).fit(synthetic.features, synthetic.target)
    assert model.booster_members_ == ["stock", "extra", "extra"]
    texts = [booster.model_to_string() for booster in model.boosters_[1:]]
    assert texts[0] != texts[1]


def test_the_default_bag_declares_five_members_with_tree_ceilings() -> None:
    assert [spec.name for spec in DEFAULT_BOOSTERS] == ["slow", "stock", "large", "small", "extra"]
    assert ScoringModel().tree_grid == DEFAULT_TREE_GRID == 20


def test_with_too_few_defaults_every_member_keeps_its_ceiling() -> None:
    small = synthetic_ratios(1000, seed=5)
    assert small.target.sum() < 100
    model = fast_model().fit(small.features, small.target)
    assert [choice.trees for choice in model.tree_choices_] == [
        spec.n_estimators for spec in FAST_BOOSTERS
    ]
    assert all(len(choice.candidates) == 1 for choice in model.tree_choices_)
    chooses = fast_model(min_defaults_for_choice=10).fit(small.features, small.target)
    assert all(len(choice.candidates) > 1 for choice in chooses.tree_choices_)
