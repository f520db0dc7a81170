"""Maps from the boosters' log-odds score to a probability of default, fitted out of fold.

Both maps are non-decreasing, so they keep the monotone constraints of the boosters. Platt scaling
(the default) is strictly increasing, so it also keeps the ranking (the AUC) unchanged; isotonic
regression is more flexible but merges neighbouring scores into plateaus. Both are stored as plain
numbers and applied by the functions here, so a saved model predicts exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression

from tradecredit.kit.errors import InvalidInput

CALIBRATION_METHODS = ("platt", "isotonic")
NEWTON_MAX_STEPS = 100
NEWTON_TOLERANCE = 1e-12


class CalibrationImpossible(InvalidInput):
    code = "calibration_impossible"


@dataclass(frozen=True)
class PlattCalibration:
    """PD = 1 / (1 + exp(-(slope * score + intercept)))."""

    slope: float
    intercept: float

    def apply(self, score: np.ndarray) -> np.ndarray:
        return np.asarray(expit(self.slope * score + self.intercept), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {"method": "platt", "slope": self.slope, "intercept": self.intercept}


@dataclass(frozen=True)
class IsotonicCalibration:
    """PD = linear interpolation through (thresholds, probabilities), flat beyond both ends."""

    thresholds: tuple[float, ...]
    probabilities: tuple[float, ...]

    def apply(self, score: np.ndarray) -> np.ndarray:
        return np.interp(score, np.asarray(self.thresholds), np.asarray(self.probabilities))

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "isotonic",
            "thresholds": list(self.thresholds),
            "probabilities": list(self.probabilities),
        }


Calibration = PlattCalibration | IsotonicCalibration


def _platt_targets(target: np.ndarray) -> np.ndarray:
    """Platt's (1999) smoothed targets: they keep the fit finite when the scores separate the classes."""
    positives = float(target.sum())
    negatives = float(target.size - positives)
    return np.where(target == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))


def _platt_loss(weights: np.ndarray, design: np.ndarray, soft: np.ndarray) -> float:
    z = design @ weights
    return float(np.sum(np.logaddexp(0.0, z) - soft * z))


def _newton_step(weights: np.ndarray, design: np.ndarray, soft: np.ndarray) -> np.ndarray:
    p = expit(design @ weights)
    gradient = design.T @ (p - soft)
    hessian = design.T @ (design * (p * (1 - p))[:, None]) + 1e-12 * np.eye(2)
    step: np.ndarray = np.linalg.solve(hessian, gradient)
    return step


def fit_platt(score: np.ndarray, target: np.ndarray) -> PlattCalibration:
    """Maximum likelihood logistic fit of the target on the score, by damped Newton steps."""
    design = np.column_stack([score, np.ones_like(score)])
    soft = _platt_targets(target)
    weights = np.array([1.0, 0.0])
    loss = _platt_loss(weights, design, soft)
    for _ in range(NEWTON_MAX_STEPS):
        step = _newton_step(weights, design, soft)
        scale = 1.0
        while scale > 1e-6:
            candidate = weights - scale * step
            candidate_loss = _platt_loss(candidate, design, soft)
            if candidate_loss <= loss:
                break
            scale /= 2
        else:
            break
        converged = loss - candidate_loss <= NEWTON_TOLERANCE * max(1.0, abs(loss))
        weights, loss = candidate, candidate_loss
        if converged:
            break
    if weights[0] <= 0:
        raise CalibrationImpossible(
            "the out-of-fold scores do not rank defaults above non-defaults "
            f"(Platt slope {weights[0]:.4g}); the features carry no usable signal for this label"
        )
    return PlattCalibration(slope=float(weights[0]), intercept=float(weights[1]))


def fit_isotonic(score: np.ndarray, target: np.ndarray) -> IsotonicCalibration:
    regression = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip")
    regression.fit(score, target.astype(np.float64))
    return IsotonicCalibration(
        thresholds=tuple(float(x) for x in regression.X_thresholds_),
        probabilities=tuple(float(y) for y in regression.y_thresholds_),
    )


def fit_calibration(score: np.ndarray, target: np.ndarray, method: str) -> Calibration:
    """Fit the named map on out-of-fold scores: never on scores of rows a booster was fitted on."""
    if method == "platt":
        return fit_platt(score, target)
    if method == "isotonic":
        return fit_isotonic(score, target)
    raise InvalidInput(f"unknown calibration {method!r}; choose one of {CALIBRATION_METHODS}")


def calibration_from_dict(data: dict[str, Any]) -> Calibration:
    method = data.get("method")
    if method == "platt":
        return PlattCalibration(slope=float(data["slope"]), intercept=float(data["intercept"]))
    if method == "isotonic":
        return IsotonicCalibration(
            thresholds=tuple(float(x) for x in data["thresholds"]),
            probabilities=tuple(float(y) for y in data["probabilities"]),
        )
    raise InvalidInput(f"unknown calibration method {method!r} in the model card")
