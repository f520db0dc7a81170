"""What the `tradecredit model` commands do; loaded only when one of them runs (LightGBM is heavy).

Two kinds of model: "lgbm" (`ScoringModel`, the default) and "scorecard" (`ScorecardModel`). Both
follow the same evaluation protocol; `model predict` and `model explain` read the kind from the card.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from rich.progress import Progress
from rich.table import Table

from tradecredit.cli.common import console, err_console
from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.artifact import (
    LGBM_KIND,
    TrainingRecord,
    load_any_model,
    model_kind,
    read_card,
    save_model,
)
from tradecredit.scoring.boosters import DEFAULT_BOOSTERS, with_trees
from tradecredit.scoring.datasets import (
    LabelledTable,
    fingerprint,
    load_labelled,
    numeric_features,
    read_table,
)
from tradecredit.scoring.defaults import (
    DEFAULT_CV_SEED,
    DEFAULT_REPEATS,
    DEFAULT_SPLITS,
    SYNTHETIC_KEEP,
)
from tradecredit.scoring.evaluation import Evaluation, FoldResult, PDModel, evaluate
from tradecredit.scoring.grades import grades_for_pds
from tradecredit.scoring.model import ReasonCode, ScoringModel
from tradecredit.scoring.report import write_evaluation
from tradecredit.scoring.scorecard import PointsReason, ScorecardModel
from tradecredit.scoring.scorecard_artifact import (
    SCORECARD_KIND,
    save_scorecard,
    scorecard_markdown,
)


def default_model(*, trees: int | None, synthetic: int | None, seed: int) -> ScoringModel:
    """The one default configuration; `trees` shortens every booster for a quick trial run,
    `synthetic` sets how many synthetic features to keep (None: the default)."""
    boosters = DEFAULT_BOOSTERS if trees is None else with_trees(DEFAULT_BOOSTERS, trees)
    keep = SYNTHETIC_KEEP if synthetic is None else synthetic
    return ScoringModel(boosters=boosters, synthetic_keep=keep, random_state=seed)


def scorecard_model(
    *, seed: int, pdo: float, base_score: float, base_odds: float
) -> ScorecardModel:
    """The scorecard with its scaling; the binning and the regression have fixed defaults."""
    return ScorecardModel(pdo=pdo, base_score=base_score, base_odds=base_odds, random_state=seed)


def run_protocol(
    table: LabelledTable, model: PDModel, splits: int, repeats: int, cv_seed: int
) -> Evaluation:
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task(f"evaluating on {table.source}", total=splits * repeats)

        def advance(result: FoldResult) -> None:
            description = f"fold {result.repeat}.{result.fold} AUC {result.auc:.3f}"
            progress.update(task, advance=1, description=description)

        return evaluate(
            table, model=model, splits=splits, repeats=repeats, seed=cv_seed, on_fold=advance
        )


def print_summary(evaluation: Evaluation) -> None:
    protocol = evaluation.protocol
    title = (
        f"{evaluation.source}: stratified {protocol['n_splits']}-fold x "
        f"{protocol['n_repeats']} repeats ({evaluation.seconds:.0f} s)"
    )
    table = Table("metric", "mean", "std", "min", "max", title=title)
    for name, stats in evaluation.summary().items():
        table.add_row(name, *(f"{stats[key]:.4f}" for key in ("mean", "std", "min", "max")))
    console.print(table)


def evaluate_table(
    data: Path,
    *,
    label: str,
    id_column: str | None,
    out: Path | None,
    splits: int,
    repeats: int,
    cv_seed: int,
    model: PDModel,
) -> Evaluation:
    table = load_labelled(data, label=label, id_column=id_column)
    evaluation = run_protocol(table, model, splits, repeats, cv_seed)
    print_summary(evaluation)
    if out is not None:
        for path in write_evaluation(evaluation, out):
            console.print(f"wrote {path}")
    return evaluation


def train_table(
    data: Path,
    *,
    label: str,
    id_column: str | None,
    out: Path,
    with_evaluation: bool,
    licence: str,
    credit: str,
    model: ScoringModel | ScorecardModel,
    overwrite: bool,
) -> Path:
    table = load_labelled(data, label=label, id_column=id_column)
    evaluation = None
    if with_evaluation:
        evaluation = run_protocol(table, model, DEFAULT_SPLITS, DEFAULT_REPEATS, DEFAULT_CV_SEED)
        print_summary(evaluation)
    with console.status(f"training on {table.rows} rows"):
        model.fit(table.features, table.target)
    record = TrainingRecord(
        source=data.name,
        label=label,
        id_column=id_column,
        data=fingerprint(table),
        licence=licence,
        credit=credit,
    )
    cv_metrics = (
        {"protocol": evaluation.protocol, "summary": evaluation.summary()} if evaluation else None
    )
    if isinstance(model, ScorecardModel):
        card = save_scorecard(
            model, out, training=record, evaluation=cv_metrics, overwrite=overwrite
        )
        what = f"scorecard of {len(model.feature_names_)} features"
    else:
        card = save_model(model, out, training=record, evaluation=cv_metrics, overwrite=overwrite)
        what = (
            f"{len(model.boosters_)} boosters, {len(model.feature_names_)} features, "
            f"{len(model.synthetic_features_)} synthetic"
        )
    if evaluation is not None:
        write_evaluation(evaluation, out)
    console.print(f"model saved to {out} ({what}); card: {card}")
    return card


def reason_columns(codes: list[list[ReasonCode]], count: int) -> list[pl.Series]:
    """reason_k, reason_k_value, reason_k_log_odds for k = 1..count (null where fewer reasons)."""
    columns: list[pl.Series] = []
    for rank in range(count):
        picked = [row[rank] if rank < len(row) else None for row in codes]
        prefix = f"reason_{rank + 1}"
        columns += [
            pl.Series(prefix, [c.feature if c else None for c in picked], dtype=pl.String),
            pl.Series(
                f"{prefix}_value", [c.value if c else None for c in picked], dtype=pl.Float64
            ),
            pl.Series(
                f"{prefix}_log_odds",
                [c.contribution if c else None for c in picked],
                dtype=pl.Float64,
            ),
        ]
    return columns


def points_reason_columns(codes: list[list[PointsReason]], count: int) -> list[pl.Series]:
    """reason_k, reason_k_value, reason_k_bin, reason_k_points_lost for k = 1..count."""
    columns: list[pl.Series] = []
    for rank in range(count):
        picked = [row[rank] if rank < len(row) else None for row in codes]
        prefix = f"reason_{rank + 1}"
        columns += [
            pl.Series(prefix, [c.feature if c else None for c in picked], dtype=pl.String),
            pl.Series(
                f"{prefix}_value", [c.value if c else None for c in picked], dtype=pl.Float64
            ),
            pl.Series(f"{prefix}_bin", [c.bin if c else None for c in picked], dtype=pl.String),
            pl.Series(
                f"{prefix}_points_lost",
                [c.points_lost if c else None for c in picked],
                dtype=pl.Float64,
            ),
        ]
    return columns


def scorecard_columns(
    model: ScorecardModel, features: pl.DataFrame, reasons: int
) -> list[pl.Series]:
    """score, then points_<feature> and bin_<feature> per card feature, then the reasons."""
    points = model.points(features)
    labels = model.bin_labels(features)
    columns = [pl.Series("score", model.total_points(features))]
    for index, name in enumerate(model.feature_names_):
        columns.append(pl.Series(f"points_{name}", points[:, index]))
        columns.append(pl.Series(f"bin_{name}", [row[index] for row in labels], dtype=pl.String))
    codes = model.reason_codes(features, top_k=reasons) if reasons else []
    return columns + points_reason_columns(codes, reasons)


def score_table(
    model_dir: Path, data: Path, *, id_column: str | None, out: Path, reasons: int
) -> pl.DataFrame:
    if out.suffix.lower() not in {".csv", ".parquet"}:
        raise InvalidInput(f"{out.name}: write scores to a .csv or .parquet file")
    card = read_card(model_dir)
    model = load_any_model(model_dir)
    frame = read_table(data)
    features = numeric_features(frame, model.feature_names_, source=data.name)
    pd_ = model.predict_pd(features)
    scored = pl.DataFrame({"pd": pd_, "grade": grades_for_pds(pl.Series(pd_))})
    if id_column is not None:
        if id_column not in frame.columns:
            raise InvalidInput(
                f"{data.name}: no id column {id_column!r}; the columns are {frame.columns}"
            )
        scored = scored.insert_column(0, frame.get_column(id_column))
    if isinstance(model, ScorecardModel):
        scored = scored.with_columns(scorecard_columns(model, features, reasons))
    else:
        codes = model.reason_codes(features, top_k=reasons) if reasons else []
        scored = scored.with_columns(reason_columns(codes, reasons))
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".parquet":
        scored.write_parquet(out)
    else:
        scored.write_csv(out)
    trained_on = card["training_data"]["data"]["sha256"][:12]
    console.print(
        f"scored {scored.height} rows with the {model_kind(card)} model trained on data "
        f"{trained_on} -> {out}"
    )
    return scored


def explain_model(model_dir: Path) -> str:
    """Print a scorecard's table (feature, bin, points) and grade bands; return it as Markdown."""
    card = read_card(model_dir)
    kind = model_kind(card)
    if kind != SCORECARD_KIND:
        raise InvalidInput(
            f"{model_dir}: holds a {kind} model; `model explain` prints a scorecard's points "
            f"table (train one with `model train --kind scorecard`); a {LGBM_KIND} model explains "
            "each score through the reason codes of `model predict`"
        )
    load_any_model(model_dir)
    text = scorecard_markdown(card)
    console.print(text, markup=False, highlight=False, soft_wrap=True)
    return text
