"""The model artifact: a directory of LightGBM text models plus a JSON card. No pickle anywhere.

    model_0.txt ... model_{n-1}.txt   the bag's boosters, LightGBM's own text format
    card.json                         features, monotone constraints, calibration map (numbers),
                                      training-data fingerprint, hyper-parameters, CV metrics,
                                      library versions, date, data licence and credit
    evaluation.json/.md, roc.png,     the evaluation report, when the model was evaluated
    calibration.png

Loading checks each booster file against the SHA-256 in the card and rebuilds the estimator from the
text and the numbers, so it predicts bit for bit as the one that was saved.

The card's `kind` says which estimator the directory holds: "lgbm" (this module; cards without a kind
are LightGBM too) or "scorecard" (scorecard_artifact.py); `load_any_model` dispatches on it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from tradecredit.kit.errors import AlreadyExists, InvalidInput, NotFound
from tradecredit.scoring.boosters import BoosterSpec
from tradecredit.scoring.calibration import calibration_from_dict
from tradecredit.scoring.model import ScoringModel, TreeChoice, json_parameters
from tradecredit.scoring.provenance import created_at, library_versions
from tradecredit.scoring.report import CALIBRATION_PNG, REPORT_JSON, REPORT_MARKDOWN, ROC_PNG
from tradecredit.scoring.synthetic import SyntheticFeature

CARD = "card.json"
CARD_FORMAT = "tradecredit-scoring-model"
CARD_FORMAT_VERSION = 1
ARTIFACT_SUFFIXES = frozenset({".txt", ".json", ".md", ".png"})
SCORECARD_MARKDOWN = "scorecard.md"
LGBM_KIND = "lgbm"
_REPLACEABLE = (CARD, REPORT_JSON, REPORT_MARKDOWN, ROC_PNG, CALIBRATION_PNG, SCORECARD_MARKDOWN)


class ArtifactCorrupted(InvalidInput):
    code = "artifact_corrupted"


@dataclass(frozen=True)
class TrainingRecord:
    """What the model was trained on: the fingerprint plus where the data came from and its terms."""

    source: str
    label: str
    id_column: str | None
    data: dict[str, Any]
    licence: str = "not stated"
    credit: str = "not stated"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _booster_file(index: int) -> str:
    return f"model_{index}.txt"


def prepare_directory(directory: Path, overwrite: bool) -> None:
    """An empty directory for a new artifact (or one whose artifact files may be replaced)."""
    directory.mkdir(parents=True, exist_ok=True)
    existing = list(directory.iterdir())
    if existing and not overwrite:
        raise AlreadyExists(f"{directory} is not empty; choose a new directory or overwrite")
    for path in existing:
        if path.name in _REPLACEABLE or (path.name.startswith("model_") and path.suffix == ".txt"):
            path.unlink()


def _model_from_parameters(params: dict[str, Any], where: Path) -> ScoringModel:
    unknown = sorted(set(params) - set(ScoringModel().get_params()))
    if unknown:
        raise ArtifactCorrupted(f"{where}: unknown hyper-parameters {unknown}")
    specs = tuple(BoosterSpec.from_dict(spec) for spec in params["boosters"])
    if "synthetic_keep" not in params:
        params = {**params, "synthetic_keep": 0}
    return ScoringModel(**{**params, "boosters": specs})


def model_card(
    model: ScoringModel,
    *,
    training: TrainingRecord,
    boosters: list[dict[str, Any]],
    evaluation: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "format": CARD_FORMAT,
        "format_version": CARD_FORMAT_VERSION,
        "kind": LGBM_KIND,
        "created_at": created_at(),
        "model_type": "bagged LightGBM boosters, mean log-odds, calibration fitted out of fold",
        "features": list(model.feature_names_),
        "monotone_constraints": list(model.monotone_constraints_),
        "synthetic_features": [item.to_dict() for item in model.synthetic_features_],
        "boosters": boosters,
        "calibration": model.calibration_.to_dict(),
        "selection": model.selection() if hasattr(model, "tree_choices_") else None,
        "hyper_parameters": json_parameters(model),
        "training_data": asdict(training),
        "cv_metrics": evaluation,
        "library_versions": library_versions(),
    }


def save_model(
    model: ScoringModel,
    directory: Path,
    *,
    training: TrainingRecord,
    evaluation: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the boosters and the card; return the card's path."""
    if not hasattr(model, "boosters_"):
        raise InvalidInput("the model is not fitted; call fit before saving it")
    prepare_directory(directory, overwrite)
    boosters = []
    for index, booster in enumerate(model.boosters_):
        text = booster.model_to_string()
        (directory / _booster_file(index)).write_text(text, encoding="utf-8")
        boosters.append(
            {
                "file": _booster_file(index),
                "sha256": _sha256(text),
                "member": model.booster_members_[index],
                "seed": model.booster_seeds_[index],
                "weight": model.booster_weights_[index],
            }
        )
    card = model_card(model, training=training, boosters=boosters, evaluation=evaluation)
    card_path = directory / CARD
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return card_path


def read_card(directory: Path) -> dict[str, Any]:
    card_path = directory / CARD
    if not card_path.is_file():
        raise NotFound(f"{directory}: no {CARD}; not a tradecredit model directory")
    try:
        card: dict[str, Any] = json.loads(card_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ArtifactCorrupted(f"{card_path}: not valid JSON: {error}") from None
    if card.get("format") != CARD_FORMAT or card.get("format_version") != CARD_FORMAT_VERSION:
        raise ArtifactCorrupted(
            f"{card_path}: format {card.get('format')!r} version {card.get('format_version')!r}; "
            f"this version reads {CARD_FORMAT!r} version {CARD_FORMAT_VERSION}"
        )
    return card


def _load_booster(directory: Path, entry: dict[str, Any], features: int) -> lgb.Booster:
    path = directory / entry["file"]
    if path.parent != directory or path.suffix != ".txt" or not path.is_file():
        raise ArtifactCorrupted(
            f"{directory}: booster file {entry['file']!r} is missing or invalid"
        )
    text = path.read_text(encoding="utf-8")
    if _sha256(text) != entry["sha256"]:
        raise ArtifactCorrupted(f"{path}: SHA-256 differs from the card; the file was changed")
    booster = lgb.Booster(model_str=text)
    if booster.num_feature() != features:
        raise ArtifactCorrupted(
            f"{path}: {booster.num_feature()} features, the card lists {features}"
        )
    return booster


def _synthetic_features(card: dict[str, Any], inputs: int, where: Path) -> list[SyntheticFeature]:
    """The card's synthetic features; cards written before they existed have none."""
    try:
        return [
            SyntheticFeature.from_dict(item, inputs) for item in card.get("synthetic_features", [])
        ]
    except InvalidInput as error:
        raise ArtifactCorrupted(f"{where}: {error.message}") from error


def model_kind(card: dict[str, Any]) -> str:
    """ "lgbm" or "scorecard"; cards written before scorecards existed carry no kind: LightGBM."""
    return str(card.get("kind", LGBM_KIND))


def load_any_model(directory: Path) -> Any:
    """The estimator saved in `directory`, of whichever kind its card names."""
    card = read_card(directory)
    kind = model_kind(card)
    if kind == LGBM_KIND:
        return load_model(directory)
    if kind == "scorecard":
        from tradecredit.scoring.scorecard_artifact import scorecard_from_card

        return scorecard_from_card(card, directory / CARD)
    raise ArtifactCorrupted(f"{directory / CARD}: unknown model kind {kind!r}")


def load_model(directory: Path) -> ScoringModel:
    """The LightGBM estimator saved in `directory`, ready to predict."""
    card = read_card(directory)
    if model_kind(card) != LGBM_KIND:
        raise InvalidInput(
            f"{directory}: holds a model of kind {model_kind(card)!r}; load it with load_any_model"
        )
    names = list(card["features"])
    model = _model_from_parameters(card["hyper_parameters"], directory / CARD)
    model.synthetic_features_ = _synthetic_features(card, len(names), directory / CARD)
    columns = len(names) + len(model.synthetic_features_)
    entries = card["boosters"]
    model.boosters_ = [_load_booster(directory, entry, columns) for entry in entries]
    model.booster_members_ = [str(entry["member"]) for entry in entries]
    model.booster_seeds_ = [int(entry["seed"]) for entry in entries]
    model.booster_weights_ = [float(entry["weight"]) for entry in entries]
    model.calibration_ = calibration_from_dict(card["calibration"])
    selection = card.get("selection")
    if selection is not None:
        model.tree_choices_ = [TreeChoice.from_dict(member) for member in selection["members"]]
        model.out_of_fold_auc_ = float(selection["blend_out_of_fold_auc"])
        model.interaction_groups_ = {
            str(member): [[int(index) for index in group] for group in groups]
            for member, groups in selection.get("interaction_groups", {}).items()
        }
    model.feature_names_ = names
    model.monotone_constraints_ = [int(value) for value in card["monotone_constraints"]]
    model.n_features_in_ = len(names)
    model.classes_ = np.array([0, 1])
    return model
