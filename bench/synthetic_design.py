"""Design check of synthetic features: one LightGBM member with and without them, paired folds.

    python bench/synthetic_design.py FILE [--member slow|stock] [--top 20] [--keep 60]

Not the model-quality protocol (bench/model_quality.py is): a quick, paired comparison used to
decide whether synthetic features (scoring/synthetic.py) help, and how many to screen and keep.
Stratified 5-fold x 3 repeats (random_state 77) over every row of FILE; in each fold the synthetic
features are screened on the training part only, then one member with a fixed number of trees is
fitted on the training part with and without them and both score the held-out part. Printed: mean
AUC of each, the mean paired difference with its standard error over the 15 folds, and how many
folds the synthetic features won. These folds cover every row, the rows of the outer benchmark's
test folds too, so a setting chosen on them carries a small optimistic bias (docs/scoring.md).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold

from tradecredit.scoring.datasets import load_labelled
from tradecredit.scoring.metrics import auc
from tradecredit.scoring.synthetic import screen_synthetic, with_synthetic

MEMBERS = {
    "stock": ({"learning_rate": 0.1, "num_leaves": 31}, 150),
    "slow": (
        {
            "learning_rate": 0.02,
            "num_leaves": 15,
            "feature_fraction": 0.5,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "lambda_l2": 1.0,
            "max_bin": 63,
        },
        600,
    ),
}


def fold_aucs(
    matrix: np.ndarray, target: np.ndarray, member: str, top: int, keep: int
) -> tuple[list[float], list[float]]:
    params, trees = MEMBERS[member]
    plain: list[float] = []
    widened: list[float] = []
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=77)
    for seed, (train, test) in enumerate(folds.split(matrix, target)):
        settings = {
            **params,
            "objective": "binary",
            "verbosity": -1,
            "num_threads": 1,
            "seed": seed,
        }
        features = screen_synthetic(
            matrix[train], target[train], [0] * matrix.shape[1], top=top, keep=keep, seed=seed
        )
        for scores, columns in ((plain, []), (widened, features)):
            train_matrix = with_synthetic(matrix[train], columns)
            booster = lgb.train(settings, lgb.Dataset(train_matrix, target[train]), trees)
            predicted = booster.predict(with_synthetic(matrix[test], columns))
            scores.append(auc(target[test], predicted))
    return plain, widened


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--label", default="class")
    parser.add_argument("--member", choices=sorted(MEMBERS), default="slow")
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--keep", type=int, default=60)
    parser.add_argument(
        "--columns", type=int, help="a random subset of this many columns (another table's shape)"
    )
    parser.add_argument("--column-seed", type=int, default=0)
    arguments = parser.parse_args()
    table = load_labelled(arguments.file, label=arguments.label)
    matrix = table.features.to_numpy().astype(np.float64)
    if arguments.columns is not None:
        rng = np.random.default_rng(arguments.column_seed)
        subset = np.sort(rng.choice(matrix.shape[1], arguments.columns, replace=False))
        matrix = matrix[:, subset]
        print("columns:", ", ".join(table.feature_names[index] for index in subset))
    started = time.perf_counter()
    plain, widened = fold_aucs(
        matrix, table.target.astype(np.int8), arguments.member, arguments.top, arguments.keep
    )
    gains = np.array(widened) - np.array(plain)
    error = gains.std(ddof=1) / np.sqrt(gains.size)
    print(
        f"{arguments.file.name} {arguments.member} top {arguments.top} keep {arguments.keep}: "
        f"without {np.mean(plain):.4f}, with {np.mean(widened):.4f}, "
        f"difference {gains.mean():+.4f} ± {error:.4f} (s.e.), won {int((gains > 0).sum())}"
        f"/{gains.size} folds; {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
