"""Discrimination and calibration metrics of predicted PDs against 0/1 outcomes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

ECE_BINS = 10
METRIC_NAMES = ("auc", "brier", "ece", "ks")


def auc(target: np.ndarray, pd_: np.ndarray) -> float:
    return float(roc_auc_score(target, pd_))


def brier(target: np.ndarray, pd_: np.ndarray) -> float:
    return float(np.mean((pd_ - target) ** 2))


def ks_statistic(target: np.ndarray, pd_: np.ndarray) -> float:
    """Kolmogorov-Smirnov: the largest gap between the defaulters' and survivors' score CDFs."""
    false_positive_rate, true_positive_rate, _ = roc_curve(target, pd_)
    return float(np.max(true_positive_rate - false_positive_rate))


@dataclass(frozen=True)
class CalibrationBin:
    rows: int
    mean_pd: float
    default_rate: float


def equal_frequency_bins(
    target: np.ndarray, pd_: np.ndarray, bins: int = ECE_BINS
) -> list[CalibrationBin]:
    """Rows sorted by PD (stable) and cut into `bins` groups whose sizes differ by at most one."""
    order = np.argsort(pd_, kind="stable")
    groups = np.array_split(order, min(bins, order.size))
    return [
        CalibrationBin(
            rows=int(group.size),
            mean_pd=float(pd_[group].mean()),
            default_rate=float(target[group].mean()),
        )
        for group in groups
    ]


def expected_calibration_error(target: np.ndarray, pd_: np.ndarray, bins: int = ECE_BINS) -> float:
    """Row-weighted mean |default rate - mean PD| over equal-frequency bins of the PD."""
    cells = equal_frequency_bins(target, pd_, bins)
    total = sum(cell.rows for cell in cells)
    return float(sum(cell.rows * abs(cell.default_rate - cell.mean_pd) for cell in cells) / total)


def all_metrics(target: np.ndarray, pd_: np.ndarray) -> dict[str, float]:
    return {
        "auc": auc(target, pd_),
        "brier": brier(target, pd_),
        "ece": expected_calibration_error(target, pd_),
        "ks": ks_statistic(target, pd_),
    }
