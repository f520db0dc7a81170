"""Train the default PD model that ships with the package, on the UCI Polish bankruptcy data.

    python scripts/train_default_model.py [--data ../shared/data/polish_bankruptcy]
                                          [--out src/tradecredit/scoring/default_model]
                                          [--folds 10] [--repeats 3]

Reads `5year.arff` (the 12-month horizon; see tradecredit.scoring.default.HORIZON_NOTE), keeps the
Attr columns the statement lines compute, renamed to the ratio names (`DEFAULT_ATTRS`), evaluates the
package's `ScoringModel` with the pairwise member (MEMBERS; no tuning) with the stratified 10-fold x 3 protocol on that restricted
table, fits it on every row and saves the artifact with the CV metrics, the data's fingerprint, its
licence and credit, the Attr -> ratio mapping and each feature's training median (what a
missing ratio is scored as) in the card. Deterministic: one LightGBM thread and
fixed seeds, so the same command writes byte-identical model_*.txt files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.artifact import CARD, TrainingRecord, save_model
from tradecredit.scoring.boosters import PAIRWISE
from tradecredit.scoring.datasets import fingerprint
from tradecredit.scoring.default import (
    DATA_CREDIT,
    DATA_LICENCE,
    DEFAULT_ATTRS,
    EXCLUDED_ATTRS,
    HORIZON_NOTE,
    NEUTRAL_VALUES,
    TRAINING_FILE,
    polish_training_table,
)
from tradecredit.scoring.defaults import DEFAULT_CV_SEED, DEFAULT_REPEATS, DEFAULT_SPLITS
from tradecredit.scoring.evaluation import evaluate
from tradecredit.scoring.model import ScoringModel
from tradecredit.scoring.polish_attributes import ATTR_CORRESPONDENCES

REFIT_SEEDS = 1
"""One refit: the pairwise member samples neither rows nor features, so more seeds change nothing."""
MEMBERS = (PAIRWISE,)
"""A pairwise-interaction model, collapsible into lookup tables (scoring.pair_tables)."""
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "polish_bankruptcy"
DEFAULT_OUT = ROOT / "src" / "tradecredit" / "scoring" / "default_model"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="the polish_bankruptcy folder"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the artifact directory")
    parser.add_argument("--folds", type=int, default=DEFAULT_SPLITS)
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS)
    return parser.parse_args(argv)


def _mapping() -> list[dict[str, str]]:
    fidelity = {item.attr: item for item in ATTR_CORRESPONDENCES}
    return [
        {
            "attr": attr,
            "ratio": ratio,
            "fidelity": fidelity[attr].fidelity,
            "note": fidelity[attr].note,
        }
        for attr, ratio in DEFAULT_ATTRS.items()
    ]


def _add_to_card(out: Path, extra: dict[str, Any]) -> None:
    card_path = out / CARD
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card_path.write_text(json.dumps(card | extra, indent=2) + "\n", encoding="utf-8")


def shipped_model() -> ScoringModel:
    """The pairwise member without synthetic features: the lookup tables (pair_tables.py) score
    the input columns themselves, and the reasons must name the statement ratios."""
    return ScoringModel(boosters=MEMBERS, refit_seeds=REFIT_SEEDS, synthetic_keep=0)


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    try:
        table = polish_training_table(args.data / TRAINING_FILE)
    except InvalidInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{table.source}: {table.rows} rows, {table.positives} defaults, {table.feature_names}")
    evaluation = evaluate(
        table,
        model=shipped_model(),
        splits=args.folds,
        repeats=args.repeats,
        seed=DEFAULT_CV_SEED,
    )
    summary = evaluation.summary()
    for name, stats in summary.items():
        print(f"  {name}: {stats['mean']:.4f} ± {stats['std']:.4f}")
    model = shipped_model().fit(table.features, table.target)
    record = TrainingRecord(
        source=table.source,
        label="class",
        id_column=None,
        data=fingerprint(table),
        licence=DATA_LICENCE,
        credit=DATA_CREDIT,
    )
    cv_metrics = {"protocol": evaluation.protocol, "summary": summary}
    save_model(model, args.out, training=record, evaluation=cv_metrics, overwrite=True)
    _add_to_card(
        args.out,
        {
            "horizon": HORIZON_NOTE,
            "attr_to_ratio": _mapping(),
            "excluded_attrs": EXCLUDED_ATTRS,
            NEUTRAL_VALUES: {name: table.features[name].median() for name in table.feature_names},
        },
    )
    sizes = sum(path.stat().st_size for path in args.out.iterdir())
    print(f"saved to {args.out} ({len(model.boosters_)} boosters, {sizes / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
