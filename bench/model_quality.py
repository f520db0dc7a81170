"""Model quality on the UCI Polish bankruptcy data (1year.arff, 5year.arff), published anchors beside.

    python bench/model_quality.py

Protocol (the one `tradecredit model evaluate` runs, with its defaults): stratified 10-fold
cross-validation repeated 3 times (RepeatedStratifiedKFold, random_state fixed); per outer fold AUC,
Brier score, ECE (10 equal-frequency bins of the predicted PD) and KS; mean and sample standard
deviation over the 30 folds. One procedure for every data set: the synthetic features, each member's
number of trees and the calibration are chosen inside each outer training part (ScoringModel.fit:
the screening boosters and the inner 5-fold cross-fit see its rows only), so the outer folds
measure the whole procedure (nested cross-validation); the choices made in each outer fold are
reported. A baseline in the same run and on the same folds: LightGBM's own defaults
(100 trees, no calibration), what a user would otherwise write.

Each file runs in its own child process (one LightGBM thread each), the two side by side on the two
cores; the child's peak RSS is read from ru_maxrss. Reports (JSON, Markdown, ROC and calibration PNG)
go to bench/_data/model_quality/<file>/, each outer fold's figures and choices to progress.log there
as they come. Figures are appended to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from lightgbm import LGBMClassifier
from sklearn.base import BaseEstimator, ClassifierMixin

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATA_DIR, append_results, emit, machine_line, peak_rss_mib, run_child
from tradecredit.scoring.datasets import load_labelled
from tradecredit.scoring.evaluation import FoldResult, evaluate
from tradecredit.scoring.features import feature_matrix
from tradecredit.scoring.model import ScoringModel
from tradecredit.scoring.report import write_evaluation

POLISH = Path(__file__).resolve().parents[2] / "shared" / "data" / "polish_bankruptcy"
FILES = ("1year.arff", "5year.arff")
LABEL = "class"
REPORTS = DATA_DIR / "model_quality"
TARGET_AUC = 0.965
TARGET_ECE = 0.02
ANCHORS = {
    "1year.arff": "Zieba et al. 2016 (10-fold CV): EXGB 0.959, XGB 0.945; 2024 study (10 random 90/10 splits): 0.964",
    "5year.arff": "Zieba et al. 2016 (10-fold CV): EXGB 0.955, XGB 0.951; 2024 study (10 random 90/10 splits): 0.963",
}
PACKAGES = ("lightgbm", "scikit-learn", "numpy", "polars", "scipy")


class LightGBMDefaults(ClassifierMixin, BaseEstimator):
    """The baseline: LGBMClassifier as shipped (100 trees, 31 leaves), probabilities uncalibrated."""

    def __init__(self, random_state: int = 0) -> None:
        self.random_state = random_state

    def fit(self, X: pl.DataFrame, y: np.ndarray) -> LightGBMDefaults:  # noqa: N803
        self.names_ = X.columns
        self.model_ = LGBMClassifier(random_state=self.random_state, n_jobs=1, verbose=-1)
        self.model_.fit(feature_matrix(X, self.names_), y)
        return self

    def predict_pd(self, X: pl.DataFrame) -> np.ndarray:  # noqa: N803
        proba = np.asarray(self.model_.predict_proba(feature_matrix(X, self.names_)))
        return proba[:, 1]


CHOICES: list[dict[str, int]] = []
SYNTHETIC: list[int] = []


class RecordingModel(ScoringModel):
    """The product's ScoringModel, unchanged, that also notes each fit's tree choices and number of
    synthetic features for the report."""

    def fit(self, X: pl.DataFrame | np.ndarray, y: np.ndarray) -> RecordingModel:  # noqa: N803
        super().fit(X, y)
        CHOICES.append({choice.member: choice.trees for choice in self.tree_choices_})
        SYNTHETIC.append(len(self.synthetic_features_))
        return self


def choice_summary(choices: list[dict[str, int]]) -> dict[str, dict[str, float]]:
    """Per member, the median, min and max number of trees chosen over the outer folds."""
    return {
        member: {
            "median": float(np.median([fold[member] for fold in choices])),
            "min": float(min(fold[member] for fold in choices)),
            "max": float(max(fold[member] for fold in choices)),
        }
        for member in choices[0]
    }


def child(path: Path) -> None:
    table = load_labelled(path, label=LABEL)
    progress = REPORTS / path.stem / "progress.log"
    progress.parent.mkdir(parents=True, exist_ok=True)
    progress.write_text("")

    def log_fold(fold: FoldResult) -> None:
        with progress.open("a", encoding="utf-8") as handle:
            record = {**fold.__dict__, "trees": CHOICES[-1], "synthetic": SYNTHETIC[-1]}
            handle.write(json.dumps(record) + "\n")

    started = time.perf_counter()
    ours = evaluate(table, model=RecordingModel(), on_fold=log_fold)
    ours_seconds = time.perf_counter() - started
    baseline = evaluate(table, model=LightGBMDefaults())
    write_evaluation(ours, REPORTS / path.stem)
    emit(
        {
            "file": path.name,
            "rows": table.rows,
            "defaults": table.positives,
            "ours": ours.summary(),
            "ours_seconds": ours_seconds,
            "baseline": baseline.summary(),
            "baseline_seconds": baseline.seconds,
            "trees": choice_summary(CHOICES),
            "synthetic": [int(np.median(SYNTHETIC)), min(SYNTHETIC), max(SYNTHETIC)],
            "parameters": ours.parameters,
            "protocol": ours.protocol,
            "peak_rss_mib": peak_rss_mib(),
        }
    )


def _stat(summary: dict[str, Any], metric: str) -> str:
    return f"{summary[metric]['mean']:.4f} ± {summary[metric]['std']:.4f}"


def result_lines(result: dict[str, Any]) -> list[str]:
    ours, base = result["ours"], result["baseline"]
    return [
        f"- {result['file']}: {result['rows']} rows, {result['defaults']} defaults; "
        f"ours AUC {_stat(ours, 'auc')}, Brier {_stat(ours, 'brier')}, ECE {_stat(ours, 'ece')}, "
        f"KS {_stat(ours, 'ks')}; {result['ours_seconds']:.0f} s, peak RSS "
        f"{result['peak_rss_mib']:.0f} MiB",
        "  - trees chosen inside the outer training parts (median, min-max over the folds): "
        + ", ".join(
            f"{member} {int(t['median'])} ({int(t['min'])}-{int(t['max'])})"
            for member, t in result["trees"].items()
        ),
        "  - synthetic features kept inside the outer training parts (median, min-max): "
        "{} ({}-{})".format(*result["synthetic"]),
        f"  - baseline LightGBM defaults, uncalibrated: AUC {_stat(base, 'auc')}, "
        f"Brier {_stat(base, 'brier')}, ECE {_stat(base, 'ece')}, KS {_stat(base, 'ks')}; "
        f"{result['baseline_seconds']:.0f} s",
        f"  - published anchors: {ANCHORS[result['file']]}",
    ]


def verdict(results: list[dict[str, Any]]) -> str:
    parts = []
    for result in results:
        auc, ece = result["ours"]["auc"]["mean"], result["ours"]["ece"]["mean"]
        auc_ok = "met" if auc >= TARGET_AUC else "MISSED"
        ece_ok = "met" if ece <= TARGET_ECE else "MISSED"
        parts.append(
            f"{Path(result['file']).stem} AUC {auc:.4f} ({auc_ok}), ECE {ece:.4f} ({ece_ok}), "
            f"Brier {result['ours']['brier']['mean']:.4f}"
        )
    return "; ".join(parts)


def parent() -> None:
    paths = [POLISH / name for name in FILES]
    absent = [str(path) for path in paths if not path.is_file()]
    if absent:
        print(f"model quality: SKIPPED, reference data absent: {', '.join(absent)}")
        return
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        futures = [
            pool.submit(run_child, [__file__, "--child", str(path)], timeout_s=7200)
            for path in paths
        ]
        results = [future.result() for future in futures]
    wall = time.perf_counter() - started
    protocol = results[0]["protocol"]
    parameters = ", ".join(f"{k}={v}" for k, v in results[0]["parameters"].items())
    lines = [
        f"- protocol: stratified {protocol['n_splits']}-fold x {protocol['n_repeats']} repeats "
        f"(RepeatedStratifiedKFold random_state {protocol['random_state']}); mean ± sample std over "
        f"the {protocol['n_splits'] * protocol['n_repeats']} outer folds; ECE: {protocol['ece_binning']}",
        "- model (one procedure for every file; the synthetic features screened and each member's "
        "number of trees chosen among tree_grid candidates by the inner cross-fit's out-of-fold "
        "AUC inside each outer training part, nothing chosen on a test fold): "
        f"ScoringModel({parameters})",
        *[line for result in results for line in result_lines(result)],
        f"- wall time {wall / 60:.1f} min for both files side by side (one process and one LightGBM "
        "thread per file, on a machine shared with other work)",
    ]
    summary = (
        f"model quality (10-fold x 3, mean over folds): {verdict(results)}; "
        f"targets AUC >= {TARGET_AUC}, ECE <= {TARGET_ECE}; {wall / 60:.1f} min wall on 2 cores"
    )
    machine = machine_line(PACKAGES)
    append_results("Model quality: Polish bankruptcy data", machine, [*lines, f"- {summary}"])
    print(f"Machine: {machine}")
    for line in lines:
        print(line)
    print(summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child is not None:
        child(arguments.child)
    else:
        parent()


if __name__ == "__main__":
    main()
