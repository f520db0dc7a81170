from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scoring.helpers import Synthetic
from tradecredit.kit.errors import AlreadyExists, NotFound
from tradecredit.scoring.artifact import (
    ARTIFACT_SUFFIXES,
    ArtifactCorrupted,
    TrainingRecord,
    load_model,
    read_card,
    save_model,
)
from tradecredit.scoring.datasets import fingerprint, labelled_table
from tradecredit.scoring.model import ScoringModel

PICKLE_MAGIC = b"\x80"


def record(synthetic: Synthetic) -> TrainingRecord:
    table = labelled_table(
        synthetic.features.with_columns(default=synthetic.target), label="default", source="syn.csv"
    )
    return TrainingRecord(
        source="syn.csv",
        label="default",
        id_column=None,
        data=fingerprint(table),
        licence="CC0",
        credit="generated in the test",
    )


@pytest.fixture
def saved(tmp_path: Path, fitted: ScoringModel, synthetic: Synthetic) -> Path:
    directory = tmp_path / "model"
    save_model(fitted, directory, training=record(synthetic))
    return directory


def test_a_loaded_model_predicts_bit_for_bit_as_the_saved_one(
    saved: Path, fitted: ScoringModel, synthetic: Synthetic
) -> None:
    loaded = load_model(saved)
    rows = synthetic.features
    assert np.array_equal(loaded.predict_proba(rows), fitted.predict_proba(rows))
    assert np.array_equal(loaded.raw_score(rows), fitted.raw_score(rows))
    assert np.array_equal(loaded.contributions(rows[:50]), fitted.contributions(rows[:50]))
    assert loaded.reason_codes(rows[:20]) == fitted.reason_codes(rows[:20])
    assert loaded.get_params() == fitted.get_params()
    assert loaded.booster_weights_ == fitted.booster_weights_
    assert loaded.calibration_ == fitted.calibration_
    assert loaded.selection() == fitted.selection()


def test_the_artifact_holds_only_text_json_and_no_pickle(saved: Path) -> None:
    names = sorted(path.name for path in saved.iterdir())
    assert names == ["card.json", "model_0.txt", "model_1.txt", "model_2.txt"]
    for path in saved.iterdir():
        assert path.suffix in ARTIFACT_SUFFIXES
        assert not path.read_bytes().startswith(PICKLE_MAGIC)
    assert (saved / "model_0.txt").read_text().startswith("tree\n")


def test_the_card_records_features_calibration_data_and_versions(
    saved: Path, fitted: ScoringModel, synthetic: Synthetic
) -> None:
    card = read_card(saved)
    assert card["features"] == fitted.feature_names_
    assert card["monotone_constraints"] == [1, -1, 0, 0]
    assert card["calibration"]["method"] == "platt"
    assert card["calibration"]["slope"] == fitted.calibration_.slope  # type: ignore[union-attr]
    assert card["hyper_parameters"]["boosters"][0]["n_estimators"] == 60
    assert card["hyper_parameters"]["cross_fit_folds"] == 3
    assert card["training_data"]["data"] == record(synthetic).data
    assert card["training_data"]["licence"] == "CC0"
    assert len(card["training_data"]["data"]["sha256"]) == 64
    assert card["cv_metrics"] is None
    assert card["selection"] == fitted.selection()
    assert [m["member"] for m in card["selection"]["members"]] == ["slow", "stock"]
    assert {"lightgbm", "scikit-learn", "numpy", "python"} <= set(card["library_versions"])
    assert [entry["file"] for entry in card["boosters"]] == [
        "model_0.txt",
        "model_1.txt",
        "model_2.txt",
    ]
    assert [entry["member"] for entry in card["boosters"]] == ["slow", "slow", "stock"]
    assert [entry["seed"] for entry in card["boosters"]] == fitted.booster_seeds_
    assert [entry["weight"] for entry in card["boosters"]] == [0.25, 0.25, 0.5]


def test_a_changed_booster_file_is_detected(saved: Path) -> None:
    path = saved / "model_1.txt"
    path.write_text(path.read_text().replace("leaf_value=", "leaf_value=1", 1))
    with pytest.raises(ArtifactCorrupted, match=r"model_1\.txt: SHA-256 differs"):
        load_model(saved)


def test_a_card_of_another_format_is_refused(saved: Path) -> None:
    card = json.loads((saved / "card.json").read_text())
    card["format_version"] = 99
    (saved / "card.json").write_text(json.dumps(card))
    with pytest.raises(ArtifactCorrupted, match="version 99"):
        load_model(saved)


def test_saving_never_overwrites_unless_told(
    saved: Path, fitted: ScoringModel, synthetic: Synthetic
) -> None:
    with pytest.raises(AlreadyExists, match="not empty"):
        save_model(fitted, saved, training=record(synthetic))
    save_model(fitted, saved, training=record(synthetic), overwrite=True)
    assert load_model(saved).n_features_in_ == 4


def test_unknown_hyper_parameters_are_refused(saved: Path) -> None:
    card = json.loads((saved / "card.json").read_text())
    card["hyper_parameters"]["learning_speed"] = 3
    (saved / "card.json").write_text(json.dumps(card))
    with pytest.raises(ArtifactCorrupted, match="unknown hyper-parameters"):
        load_model(saved)


def test_loading_a_directory_without_a_card(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"no card\.json"):
        load_model(tmp_path)
