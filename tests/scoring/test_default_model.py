"""The default model that ships with the package: its artifact, card, behaviour and use in scoring."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.artifact import ARTIFACT_SUFFIXES
from tradecredit.scoring.boosters import DEFAULT_BOOSTERS, with_trees
from tradecredit.scoring.datasets import fingerprint
from tradecredit.scoring.default import (
    DATA_CREDIT,
    DEFAULT_ATTRS,
    EXCLUDED_ATTRS,
    TRAINING_FILE,
    assess_ratios,
    default_card,
    default_model,
    default_model_dir,
    default_model_version,
    default_pd,
    neutral_values,
    polish_training_table,
)
from tradecredit.scoring.inputs import BuyerInputs
from tradecredit.scoring.model import ScoringModel
from tradecredit.scoring.points import FACTOR_NAMES, as_decimal
from tradecredit.scoring.ratios import MONOTONE_DIRECTIONS, compute_ratios
from tradecredit.scoring.scores import model_version, score_buyer

POLISH = Path(__file__).resolve().parents[3] / "shared" / "data" / "polish_bankruptcy"


def demo_statements(liabilities: list[int]) -> pl.DataFrame:
    """A mid-sized manufacturer's statement in minor units, one row per total-liabilities value."""
    rows = len(liabilities)
    return pl.DataFrame(
        {
            "total_assets": [1_000_000_00] * rows,
            "total_liabilities": liabilities,
            "equity": [1_000_000_00 - value for value in liabilities],
            "current_assets": [450_000_00] * rows,
            "current_liabilities": [300_000_00] * rows,
            "inventory": [150_000_00] * rows,
            "cash": [60_000_00] * rows,
            "receivables": [200_000_00] * rows,
            "revenue": [1_400_000_00] * rows,
            "ebit": [70_000_00] * rows,
            "net_income": [40_000_00] * rows,
            "interest_expense": [15_000_00] * rows,
            "retained_earnings": [150_000_00] * rows,
            "operating_cash_flow": [60_000_00] * rows,
        }
    )


def test_the_artifact_is_small_and_holds_only_text_and_json() -> None:
    files = list(default_model_dir().iterdir())
    assert {path.suffix for path in files} <= ARTIFACT_SUFFIXES - {".png", ".md"}
    assert sum(path.stat().st_size for path in files) < 3_000_000


def test_the_card_credits_the_data_and_documents_the_mapping() -> None:
    card = default_card()
    training = card["training_data"]
    assert training["licence"] == "CC BY 4.0"
    assert training["credit"] == DATA_CREDIT
    assert "doi:10.24432/C5F600" in training["credit"]
    assert "Zieba" in training["credit"]
    assert training["source"] == TRAINING_FILE
    assert "status after one year" in card["horizon"]
    assert {row["attr"]: row["ratio"] for row in card["attr_to_ratio"]} == DEFAULT_ATTRS
    assert set(card["excluded_attrs"]) == set(EXCLUDED_ATTRS)
    assert card["cv_metrics"]["protocol"]["n_splits"] == 10
    assert card["cv_metrics"]["protocol"]["n_repeats"] == 3
    assert 0.5 < card["cv_metrics"]["summary"]["auc"]["mean"] < 1


def test_the_features_are_ratio_names_with_their_monotone_constraints() -> None:
    model = default_model()
    assert model.feature_names_ == list(DEFAULT_ATTRS.values())
    assert set(model.feature_names_) <= set(FACTOR_NAMES)
    assert model.monotone_constraints_ == [MONOTONE_DIRECTIONS[n] for n in model.feature_names_]
    assert model.monotone_constraints_[model.feature_names_.index("liabilities_to_assets")] == 1
    assert default_model() is model


def test_the_version_comes_from_the_boosters_and_the_training_data_fingerprint() -> None:
    card = default_card()
    digest = card["training_data"]["data"]["sha256"]
    boosters = hashlib.sha256(
        "".join(entry["sha256"] for entry in card["boosters"]).encode()
    ).hexdigest()
    assert default_model_version() == f"polish-lgbm-{boosters[:8]}-{digest[:8]}"
    assert model_version("default") == f"{default_model_version()}+base-0.015+blend-v2"
    assert model_version("default", None) == f"{default_model_version()}+blend-v2"
    assert model_version("default", Decimal("0.02")).endswith("+base-0.02+blend-v2")
    with pytest.raises(InvalidInput, match="unknown scoring model"):
        model_version("neural")


def test_same_input_same_pd() -> None:
    ratios = compute_ratios(demo_statements([400_000_00, 900_000_00]))
    first, second = default_pd(ratios), default_pd(ratios)
    assert first.to_list() == second.to_list()
    assert all(0 < value < 1 for value in first)
    assert default_pd(ratios.head(0)).len() == 0


def test_the_pd_never_falls_as_leverage_rises() -> None:
    liabilities = [value * 1_000_00 for value in range(100, 1600, 50)]
    pds = default_pd(compute_ratios(demo_statements(liabilities))).to_numpy()
    assert np.all(np.diff(pds) >= 0)
    assert pds[-1] > pds[0]


def test_a_missing_ratio_is_scored_at_its_training_median() -> None:
    ratios = compute_ratios(demo_statements([500_000_00]).drop("interest_expense"))
    assert ratios["interest_coverage"][0] is None
    filled = ratios.with_columns(
        pl.lit(neutral_values()["interest_coverage"]).alias("interest_coverage")
    )
    assert default_pd(ratios).to_list() == default_pd(filled).to_list()


def test_a_buyer_without_any_ratio_has_no_model_pd() -> None:
    ratios = compute_ratios(
        pl.DataFrame({"total_assets": [None]}, schema={"total_assets": pl.Int64})
    )
    assert assess_ratios(ratios)[0].pd is None


def test_a_demo_buyer_scores_through_ledger_scoring() -> None:
    ratios = compute_ratios(demo_statements([620_000_00])).row(0, named=True)
    values = {name: as_decimal(ratios.get(name)) for name in FACTOR_NAMES}
    values |= {
        "dbt_average": Decimal(12),
        "dbt_trend": Decimal(3),
        "overdue_30_share": Decimal("0.1"),
    }
    buyer = BuyerInputs(uuid.uuid4(), "Demo GmbH", "C", "active", values)
    result = score_buyer(buyer, as_of=date(2026, 3, 31), medians={})
    assert Decimal(0) < result.pd < Decimal(1)
    assert 1 <= result.grade <= 9
    assert result.model_version == model_version("default")
    assert result.reasons[-1].code == "country_risk_unavailable"


def test_training_reads_only_the_mapped_columns_and_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        polish_training_table(tmp_path / TRAINING_FILE)


@pytest.mark.skipif(not (POLISH / TRAINING_FILE).is_file(), reason="Polish data not present")
def test_the_shipped_model_was_trained_on_this_table_and_training_is_deterministic() -> None:
    table = polish_training_table(POLISH / TRAINING_FILE)
    assert fingerprint(table) == default_card()["training_data"]["data"]
    assert table.feature_names == list(DEFAULT_ATTRS.values())
    rows = np.arange(0, table.rows, 5)
    small = ScoringModel(boosters=with_trees(DEFAULT_BOOSTERS, 20), refit_seeds=1)
    texts = [
        [
            booster.model_to_string()
            for booster in small.fit(table.features[rows], table.target[rows]).boosters_
        ]
        for _ in range(2)
    ]
    assert texts[0] == texts[1]
