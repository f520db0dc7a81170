"""ROC and calibration charts of an evaluation, drawn with matplotlib's Agg canvas (no display)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.metrics import roc_curve

from tradecredit.scoring.evaluation import Evaluation
from tradecredit.scoring.metrics import ECE_BINS, equal_frequency_bins

DPI = 110
LOG_FLOOR = 1e-3


def _save(figure: Figure, path: Path) -> Path:
    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=DPI, metadata={"Software": None})
    return path


def roc_chart(evaluation: Evaluation, path: Path) -> Path:
    """Every outer fold's ROC curve (thin) and the first repeat's pooled out-of-fold curve (bold)."""
    figure = Figure(figsize=(5.5, 5.0), layout="constrained")
    axes = figure.add_subplot()
    target = evaluation.target
    for fold, rows in zip(evaluation.folds, evaluation.fold_rows, strict=True):
        fpr, tpr, _ = roc_curve(target[rows], evaluation.out_of_fold[fold.repeat - 1, rows])
        axes.plot(fpr, tpr, color="tab:blue", alpha=0.15, linewidth=0.8)
    fpr, tpr, _ = roc_curve(target, evaluation.out_of_fold[0])
    summary = evaluation.summary()["auc"]
    axes.plot(fpr, tpr, color="tab:blue", linewidth=2.0, label="pooled, repeat 1")
    axes.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=0.8, label="chance")
    axes.set(
        xlabel="false positive rate (non-defaults flagged)",
        ylabel="true positive rate (defaults caught)",
        title=f"{evaluation.source}: ROC, AUC {summary['mean']:.3f} ± {summary['std']:.3f}",
        xlim=(0, 1),
        ylim=(0, 1),
    )
    axes.legend(loc="lower right")
    return _save(figure, path)


def calibration_chart(evaluation: Evaluation, path: Path) -> Path:
    """Observed default rate against mean PD in equal-frequency bins of each repeat's pooled PDs.

    Log-log axes, because PDs of a low-default portfolio crowd near zero; a bin without any default
    is drawn on the bottom edge with a downward marker.
    """
    figure = Figure(figsize=(5.5, 5.0), layout="constrained")
    axes = figure.add_subplot()
    for repeat, pds in enumerate(evaluation.out_of_fold, start=1):
        cells = equal_frequency_bins(evaluation.target, pds, ECE_BINS)
        x = np.array([max(cell.mean_pd, LOG_FLOOR) for cell in cells])
        y = np.array([cell.default_rate for cell in cells])
        line = axes.plot(
            x, np.maximum(y, LOG_FLOOR), marker="o", linewidth=1.0, label=f"repeat {repeat}"
        )
        empty = y <= 0
        if empty.any():
            axes.plot(x[empty], np.full(empty.sum(), LOG_FLOOR), "v", color=line[0].get_color())
    axes.plot(
        [LOG_FLOOR, 1], [LOG_FLOOR, 1], color="grey", linestyle="--", linewidth=0.8, label="perfect"
    )
    summary = evaluation.summary()["ece"]
    axes.set(
        xscale="log",
        yscale="log",
        xlabel="mean predicted PD in bin",
        ylabel="observed default rate in bin (v: none)",
        title=(
            f"{evaluation.source}: calibration ({ECE_BINS} equal-frequency bins)\n"
            f"per-fold ECE {summary['mean']:.4f} ± {summary['std']:.4f}"
        ),
        xlim=(LOG_FLOOR, 1),
        ylim=(LOG_FLOOR * 0.8, 1),
    )
    axes.legend(loc="upper left")
    return _save(figure, path)
