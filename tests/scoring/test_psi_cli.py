"""`tradecredit model psi`: two tables column by column (with and without a model), and stored
grades on two scoring dates (SQLite and PostgreSQL), with the errors a user can make."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from analytics.db_ledger import company
from scoring.helpers import synthetic_ratios
from tradecredit.cli.main import app
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.errors import InvalidInput, NotFound
from tradecredit.organisations.roles import Role
from tradecredit.scoring.artifact import TrainingRecord
from tradecredit.scoring.models import Score
from tradecredit.scoring.psi import population_stability, stability_from_counts
from tradecredit.scoring.psi_commands import file_stability, grade_stability
from tradecredit.scoring.scorecard import ScorecardModel
from tradecredit.scoring.scorecard_artifact import save_scorecard

runner = CliRunner()
BASE, LATER = date(2026, 1, 31), date(2026, 3, 31)


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("psi")
    base = synthetic_ratios(2000, seed=1).features
    later = synthetic_ratios(2000, seed=2).features.with_columns(
        pl.col("liabilities_to_assets") + 0.3, extra=pl.lit(1.0)
    )
    base.write_csv(folder / "base.csv")
    later.write_parquet(folder / "later.parquet")
    return folder / "base.csv", folder / "later.parquet"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = synthetic_ratios(1500, seed=9)
    model = ScorecardModel(cross_fit_folds=3).fit(data.features, data.target)
    out = tmp_path_factory.mktemp("psi-model") / "card"
    record = TrainingRecord(
        source="synthetic", label="y", id_column=None, data={"sha256": "0" * 64}
    )
    save_scorecard(model, out, training=record)
    return out


def test_every_shared_numeric_column_is_compared(tables: tuple[Path, Path], tmp_path: Path) -> None:
    base, later = tables
    results = file_stability(base, later, model_dir=None)
    assert [r.column for r in results] == pl.read_csv(base).columns
    by_column = {r.column: r.stability for r in results}
    expected = population_stability(
        pl.read_csv(base)["liabilities_to_assets"], pl.read_parquet(later)["liabilities_to_assets"]
    )
    assert by_column["liabilities_to_assets"].psi == expected.psi
    assert by_column["liabilities_to_assets"].reading == "significant shift"
    assert by_column["mystery"].reading == "stable"
    out = tmp_path / "psi.json"
    output = runner.invoke(
        app, ["model", "psi", "--expected", str(base), "--actual", str(later), "--out", str(out)]
    )
    assert output.exit_code == 0, output.output
    assert "significant shift" in output.output
    document = json.loads(out.read_text())
    first = document["columns"][0]
    assert first["column"] == "liabilities_to_assets"
    assert first["psi"] == expected.psi
    assert first["bins"][0]["lower"] == "-inf"
    assert sum(b["contribution"] for b in first["bins"]) == pytest.approx(first["psi"])


def test_with_a_model_its_features_and_its_pd_are_compared(
    tables: tuple[Path, Path], model_dir: Path
) -> None:
    base, later = tables
    results = file_stability(base, later, model_dir=model_dir, bins=5)
    card = json.loads((model_dir / "card.json").read_text())
    assert [r.column for r in results] == [*card["features"], "model PD"]
    pd_psi = results[-1].stability
    assert pd_psi.bins.height == 5
    assert pd_psi.psi > 0.1
    output = runner.invoke(
        app,
        [
            "model",
            "psi",
            "--expected",
            str(base),
            "--actual",
            str(later),
            "--model",
            str(model_dir),
        ],
    )
    assert output.exit_code == 0, output.output
    assert "model PD" in output.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--expected", "nowhere.csv", "--actual", "nowhere.csv"], "no such file"),
        (["--expected", "BASE"], "both --expected and --actual"),
        (["--base-as-of", "2026-01-31"], "both --base-as-of and --as-of"),
        ([], "not both and not neither"),
        (
            [
                "--expected",
                "BASE",
                "--actual",
                "BASE",
                "--base-as-of",
                "2026-01-31",
                "--as-of",
                "2026-03-31",
            ],
            "not both and not neither",
        ),
        (["--expected", "BASE", "--actual", "TEXT"], "share no numeric column"),
        (["--expected", "BASE", "--actual", "BASE", "--moderate", "0.5"], "moderate < significant"),
        (["--expected", "BASE", "--actual", "BASE", "--out", "psi.txt"], "as a .json file"),
    ],
)
def test_mistakes_are_refused_precisely(
    tables: tuple[Path, Path], tmp_path: Path, arguments: list[str], message: str
) -> None:
    text = tmp_path / "text.csv"
    pl.DataFrame({"name": ["a", "b"]}).write_csv(text)
    replaced = [
        {"BASE": str(tables[0]), "TEXT": str(text)}.get(argument, argument)
        for argument in arguments
    ]
    result = runner.invoke(app, ["model", "psi", *replaced])
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_model_feature_lacking_from_a_table_is_named(
    tables: tuple[Path, Path], model_dir: Path, tmp_path: Path
) -> None:
    lacking = tmp_path / "lacking.csv"
    pl.read_csv(tables[0]).drop("current_ratio").write_csv(lacking)
    with pytest.raises(InvalidInput, match=r"lacking.csv: lacks 1 feature column.*current_ratio"):
        file_stability(tables[0], lacking, model_dir=model_dir)


def company_ids(engine: Engine, actor: Actor, count: int) -> list[object]:
    with unit_of_work(engine) as s:
        for index in range(count):
            company(s, actor, f"B{index:03d}")
        return list(
            s.scalars(
                select(Company.id)
                .where(Company.org_id == actor.org_id)
                .order_by(Company.registration_number)
            )
        )


def store(
    s: Session,
    actor: Actor,
    company_id: object,
    as_of: date,
    grade: int,
    *,
    version: str = "v1",
    minutes: int = 0,
) -> None:
    s.add(
        Score(
            org_id=actor.org_id,
            company_id=company_id,
            model_version=version,
            as_of=as_of,
            pd=Decimal("0.01"),
            grade=grade,
            reasons="[]",
            inputs_hash=f"{grade}-{minutes}".ljust(64, "0"),
            created_at=datetime(2026, 4, 1, tzinfo=UTC) + timedelta(minutes=minutes),
        )
    )


def stored_portfolio(engine: Engine, actor: Actor) -> None:
    """Base date: 2 buyers each in grades 3, 4, 5, 6. Later: grades 3 x1, 4 x2, 5 x2, 6 x3; buyer 0
    was first re-scored grade 3, then (later row, changed inputs) grade 6."""
    ids = company_ids(engine, actor, 8)
    with unit_of_work(engine) as s:
        for index, grade in enumerate([3, 3, 4, 4, 5, 5, 6, 6]):
            store(s, actor, ids[index], BASE, grade)
        for index, grade in enumerate([3, 3, 4, 4, 5, 5, 6, 6]):
            store(s, actor, ids[index], LATER, grade)
        store(s, actor, ids[0], LATER, 6, minutes=5)
        store(s, actor, ids[0], BASE, 9, version="v2")


def test_grades_of_two_dates(engine: Engine, actor: Actor, other_actor: Actor) -> None:
    stored_portfolio(engine, actor)
    other_ids = company_ids(engine, other_actor, 3)
    with unit_of_work(engine) as s:
        for other in other_ids:
            store(s, other_actor, other, LATER, 1)
            store(s, other_actor, other, BASE, 1)
    with unit_of_work(engine) as s:
        version, result = grade_stability(
            s, actor=actor, base_as_of=BASE, as_of=LATER, model_version="v1"
        )
    assert version == "v1"
    assert result.bins["bin"].to_list() == [str(g) for g in range(1, 11)]
    assert result.bins["expected_rows"].to_list() == [0, 0, 2, 2, 2, 2, 0, 0, 0, 0]
    assert result.bins["actual_rows"].to_list() == [0, 0, 1, 2, 2, 3, 0, 0, 0, 0]
    by_hand = stability_from_counts(["3", "4", "5", "6"], [2, 2, 2, 2], [1, 2, 2, 3])
    assert result.psi == pytest.approx(by_hand.psi, rel=1e-12)
    hand = (0.125 - 0.25) * np.log(0.125 / 0.25) + (0.375 - 0.25) * np.log(0.375 / 0.25)
    assert result.psi == pytest.approx(hand, rel=1e-12)


def test_grade_comparison_errors(engine: Engine, actor: Actor) -> None:
    stored_portfolio(engine, actor)
    with unit_of_work(engine) as s:
        with pytest.raises(NotFound, match="no stored scores as of 2026-02-28"):
            grade_stability(s, actor=actor, base_as_of=date(2026, 2, 28), as_of=LATER)
        with pytest.raises(
            NotFound, match="no stored scores of model version 'v2' as of 2026-03-31"
        ):
            grade_stability(s, actor=actor, base_as_of=BASE, as_of=LATER, model_version="v2")
        with pytest.raises(InvalidInput, match="both 2026-03-31"):
            grade_stability(s, actor=actor, base_as_of=LATER, as_of=LATER)
        version, _ = grade_stability(s, actor=actor, base_as_of=BASE, as_of=LATER)
        assert version == "v1"
        viewer = Actor(org_id=actor.org_id, name="viewer", role=Role.VIEWER)
        assert grade_stability(s, actor=viewer, base_as_of=BASE, as_of=LATER)[0] == "v1"


def test_several_shared_versions_must_be_chosen(engine: Engine, actor: Actor) -> None:
    stored_portfolio(engine, actor)
    with unit_of_work(engine) as s:
        first = s.scalars(select(Company.id).where(Company.org_id == actor.org_id)).first()
        store(s, actor, first, LATER, 4, version="v2")
    with (
        unit_of_work(engine) as s,
        pytest.raises(InvalidInput, match=r"several model versions \['v1', 'v2'\]"),
    ):
        grade_stability(s, actor=actor, base_as_of=BASE, as_of=LATER)


def test_another_organisation_sees_no_stored_grades(
    engine: Engine, actor: Actor, other_actor: Actor
) -> None:
    stored_portfolio(engine, actor)
    with (
        unit_of_work(engine) as s,
        pytest.raises(NotFound, match="no stored scores as of 2026-01-31"),
    ):
        grade_stability(s, actor=other_actor, base_as_of=BASE, as_of=LATER)


def test_psi_command_on_stored_grades(cli_database: str, tmp_path: Path) -> None:
    from tradecredit.cli.common import cli_actor
    from tradecredit.db.engine import engine_for

    assert runner.invoke(app, ["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    engine = engine_for(cli_database)
    with unit_of_work(engine) as s:
        actor = cli_actor(s, "acme")
    stored_portfolio(engine, actor)
    out = tmp_path / "grades.json"
    result = runner.invoke(
        app,
        [
            "model",
            "psi",
            "--base-as-of",
            "2026-01-31",
            "--as-of",
            "2026-03-31",
            "--model-version",
            "v1",
            "--org",
            "acme",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Grades of v1: 2026-03-31 against 2026-01-31" in result.output
    document = json.loads(out.read_text())
    assert document["model_version"] == "v1"
    assert [b["actual_rows"] for b in document["bins"]][2:6] == [1, 2, 2, 3]
    missing = runner.invoke(
        app,
        ["model", "psi", "--base-as-of", "2025-01-31", "--as-of", "2026-03-31", "--org", "acme"],
    )
    assert missing.exit_code == 2
    assert "no stored scores as of 2025-01-31" in missing.output
    with_model = runner.invoke(
        app,
        ["model", "psi", "--base-as-of", "2026-01-31", "--as-of", "2026-03-31", "--model", "x"],
    )
    assert with_model.exit_code == 2
    assert "stored grades take --model-version" in with_model.output
