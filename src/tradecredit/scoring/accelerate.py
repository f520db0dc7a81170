"""An optional accelerator for the default model: its boosters compiled to machine code by lleaves.

LightGBM walks ~1,100 trees per row at about 30,000 rows/s per core here; lleaves (an LLVM
compiler for LightGBM text models, `pip install "tradecredit[accel]"`) runs the same trees
several times faster. It is used only when it gives the *same floats*: each compiled booster
sums its trees in LightGBM's order (one tree per instruction block), and before first use its raw
scores are compared bit for bit with LightGBM's on a check matrix that puts every split threshold
of the model on both sides; any difference and LightGBM is used instead, with a warning.

Compiled objects are cached outside the repository, in `$TRADECREDIT_COMPILED_MODELS` or
`~/.cache/tradecredit/compiled`, one file per model file SHA-256 and library versions. Loading
and checking take about a second (compiling 1-2 minutes), more than LightGBM needs for a few
thousand rows, so a batch below `COMPILE_FROM_ROWS` uses the compiled model only once this process
has loaded it (`compile_default_model()` does so ahead). `TRADECREDIT_COMPILED_MODELS=off`
disables the accelerator.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from tradecredit.scoring.default import default_model, default_model_dir

log = logging.getLogger(__name__)

CACHE_ENV = "TRADECREDIT_COMPILED_MODELS"
COMPILE_FROM_ROWS = 500_000
"""Rows from which loading (or compiling) on the spot pays for itself (LightGBM: ~15 s for them)."""
CHUNK_ROWS = 4096
"""Rows per compiled call: one block per tree re-reads the chunk once per tree, so it must stay
in the CPU cache (4,096 rows x 18 features x 8 bytes = 590 KB)."""
NEAR_ZERO = 1e-34
_THRESHOLD = re.compile(r"^threshold=(.*)$", re.MULTILINE)


def cache_dir() -> Path | None:
    setting = os.environ.get(CACHE_ENV, "")
    if setting.lower() in {"off", "0", "false", "no"}:
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "tradecredit" / "compiled"


def _versions() -> str | None:
    try:
        return f"lleaves-{version('lleaves')}-llvmlite-{version('llvmlite')}"
    except PackageNotFoundError:
        return None


def _model_files() -> list[Path]:
    return sorted(default_model_dir().glob("model_*.txt"))


def _artifact(folder: Path, model_file: Path, libraries: str) -> Path:
    digest = hashlib.sha256(model_file.read_bytes()).hexdigest()[:16]
    return folder / f"{model_file.stem}-{digest}-{libraries}.so"


def check_matrix() -> np.ndarray:
    """Rows that put every split threshold of the model, and its neighbours, on every feature."""
    thresholds: list[float] = []
    for path in _model_files():
        for line in _THRESHOLD.findall(path.read_text()):
            thresholds.extend(float(x) for x in line.split())
    values = np.asarray(thresholds, dtype=np.float64)
    around = np.concatenate(
        [values, np.nextafter(values, np.inf), np.nextafter(values, -np.inf), [0.0, -0.0]]
    )
    around = np.unique(around[~_near_zero(around)])
    features = default_model().n_features_in_
    rng = np.random.default_rng(20160402)
    rows = np.tile(around, (features, 1)).T
    shuffled = np.column_stack([rng.permutation(rows[:, j]) for j in range(features)])
    return np.vstack([rows, shuffled])


def _near_zero(values: np.ndarray) -> np.ndarray:
    """Non-zero values within LightGBM's zero band (|x| <= 1e-35, `kZeroThreshold`), which it
    reads as zero and the compiled code does not; such rows (no real ratio is one) go to LightGBM."""
    return (np.abs(values) <= NEAR_ZERO) & (values != 0)


def _compile(model_file: Path, target: Path) -> Any:
    import lleaves

    compiled = lleaves.Model(model_file=str(model_file))
    target.parent.mkdir(parents=True, exist_ok=True)
    compiled.compile(cache=str(target), raw_score=True, fblocksize=1)
    return compiled


_loaded: dict[str, tuple[Any, ...] | None] = {}
"""The verified compiled boosters of this process (None: unusable), once decided."""


def _compiled() -> tuple[Any, ...] | None:
    """The verified compiled boosters (loaded or compiled now), or None (not installed,
    disabled, or different from LightGBM)."""
    if "boosters" in _loaded:
        return _loaded["boosters"]
    folder, libraries = cache_dir(), _versions()
    if folder is None or libraries is None:
        return None
    files = _model_files()
    targets = [_artifact(folder, path, libraries) for path in files]
    _loaded["boosters"] = _verified(
        tuple(_compile(path, target) for path, target in zip(files, targets, strict=True))
    )
    return _loaded["boosters"]


def _verified(boosters: tuple[Any, ...]) -> tuple[Any, ...] | None:
    matrix = check_matrix()
    for compiled, booster in zip(boosters, default_model().boosters_, strict=True):
        if not np.array_equal(_predict(compiled, matrix), booster.predict(matrix, raw_score=True)):
            log.warning("compiled default model differs from LightGBM; using LightGBM")
            return None
    return boosters


def _predict(compiled: Any, matrix: np.ndarray, threads: int = 1) -> np.ndarray:
    starts = range(0, matrix.shape[0], CHUNK_ROWS)
    data = np.ascontiguousarray(matrix, dtype=np.float64)

    def chunk(start: int) -> np.ndarray:
        return np.asarray(compiled.predict(data[start : start + CHUNK_ROWS], n_jobs=1))

    if threads == 1 or len(starts) == 1:
        parts = [chunk(start) for start in starts]
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            parts = list(pool.map(chunk, starts))
    return np.concatenate(parts) if parts else np.empty(0)


def compile_default_model() -> bool:
    """Compile (or load) and verify the accelerator now; False when it cannot be used."""
    return _compiled() is not None


def compiled_raw_score(matrix: np.ndarray) -> np.ndarray | None:
    """The model's raw score (weighted mean of its boosters' log-odds, exactly as
    `ScoringModel.raw_score`) through the compiled boosters; None when they are not available."""
    if "boosters" in _loaded:
        boosters = _loaded["boosters"]
    elif matrix.shape[0] >= COMPILE_FROM_ROWS:
        boosters = _compiled()
    else:
        return None
    if boosters is None:
        return None
    threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    model = default_model()
    scores = [_predict(compiled, matrix, threads) for compiled in boosters]
    stack = np.vstack(scores)
    odd = np.flatnonzero(_near_zero(matrix).any(axis=1))
    if odd.size:
        stack[:, odd] = [
            booster.predict(matrix[odd], raw_score=True) for booster in model.boosters_
        ]
    return np.average(stack, axis=0, weights=model.booster_weights_)
