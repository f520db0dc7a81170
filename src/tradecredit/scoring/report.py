"""The evaluation report on disk: evaluation.json, evaluation.md, roc.png, calibration.png."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tradecredit.scoring.evaluation import Evaluation
from tradecredit.scoring.plots import calibration_chart, roc_chart
from tradecredit.scoring.provenance import created_at, library_versions

REPORT_JSON = "evaluation.json"
REPORT_MARKDOWN = "evaluation.md"
ROC_PNG = "roc.png"
CALIBRATION_PNG = "calibration.png"


def evaluation_document(evaluation: Evaluation) -> dict[str, Any]:
    return {
        **evaluation.to_dict(),
        "created_at": created_at(),
        "library_versions": library_versions(),
    }


def _summary_rows(evaluation: Evaluation) -> list[str]:
    rows = ["| metric | mean | std | min | max |", "|---|---|---|---|---|"]
    for name, stats in evaluation.summary().items():
        rows.append(
            f"| {name} | {stats['mean']:.4f} | {stats['std']:.4f} | "
            f"{stats['min']:.4f} | {stats['max']:.4f} |"
        )
    return rows


def _fold_rows(evaluation: Evaluation) -> list[str]:
    rows = [
        "| repeat | fold | test rows | defaults | AUC | Brier | ECE | KS | seconds |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for fold in evaluation.folds:
        rows.append(
            f"| {fold.repeat} | {fold.fold} | {fold.test_rows} | {fold.test_defaults} | "
            f"{fold.auc:.4f} | {fold.brier:.4f} | {fold.ece:.4f} | {fold.ks:.4f} | "
            f"{fold.seconds:.1f} |"
        )
    return rows


def evaluation_markdown(evaluation: Evaluation) -> str:
    data, protocol = evaluation.data, evaluation.protocol
    parameters = ", ".join(f"{key}={value}" for key, value in evaluation.parameters.items())
    lines = [
        f"# Model evaluation: {evaluation.source}",
        "",
        f"- data: {data['rows']} rows, {data['columns']} feature columns, {data['positives']} defaults "
        f"({data['positive_rate']:.2%}); sha256 {data['sha256']}",
        f"- protocol: stratified {protocol['n_splits']}-fold cross-validation, "
        f"{protocol['n_repeats']} repeats, random_state {protocol['random_state']}",
        f"- ECE: {protocol['ece_binning']}",
        f"- spread: {protocol['spread']}",
        f"- tuning: {protocol['tuning']}",
        f"- model: {evaluation.model_kind}; parameters: {parameters}",
        f"- run time: {evaluation.seconds:.0f} s",
        "",
        *_summary_rows(evaluation),
        "",
        f"![ROC]({ROC_PNG})  ![calibration]({CALIBRATION_PNG})",
        "",
        "## Per fold",
        "",
        *_fold_rows(evaluation),
        "",
    ]
    return "\n".join(lines)


def write_evaluation(evaluation: Evaluation, directory: Path) -> list[Path]:
    """Write the four report files into `directory` (created if needed); return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / REPORT_JSON
    json_path.write_text(json.dumps(evaluation_document(evaluation), indent=2) + "\n")
    markdown_path = directory / REPORT_MARKDOWN
    markdown_path.write_text(evaluation_markdown(evaluation))
    return [
        json_path,
        markdown_path,
        roc_chart(evaluation, directory / ROC_PNG),
        calibration_chart(evaluation, directory / CALIBRATION_PNG),
    ]
