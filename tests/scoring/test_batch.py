"""Batch scoring (`batch.score_frame`): the float path gives the exact Decimal rule's PD text,
grades and overlays are vectorised faithfully, the base-rate correction moves PDs as documented."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.batch import (
    ScoringSettings,
    inputs_hashes,
    medians_by_section,
    micro_pds,
    model_version,
    score_frame,
    section_medians,
)
from tradecredit.scoring.blend import blend_pd, company_age
from tradecredit.scoring.default import (
    TARGET_BASE_RATE,
    default_pd,
    prior_shift,
    training_base_rate,
)
from tradecredit.scoring.grades import GRADE_TABLE, grade_for_pd, grades_for_micro_pds
from tradecredit.scoring.overlays import EVENT_SCHEMA, overlay_facts
from tradecredit.scoring.points import (
    FACTOR_NAMES,
    PD_CAP,
    PD_FLOOR,
    PRIOR_PD,
    as_decimal,
    points_pd,
)

AS_OF = date(2026, 3, 31)
RATIOS = [name for name in FACTOR_NAMES if name not in ("dbt_average", "dbt_trend")]


def random_inputs(rows: int, seed: int = 7) -> pl.DataFrame:
    """Ratios around plausible values (some missing, some rows without any), behaviour, levels,
    founding dates from a few days to 30 years back (some missing, some after AS_OF), with many
    on or next to an anniversary of AS_OF."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {
        "company_id": [f"c{i}" for i in range(rows)],
        "status": ["active"] * rows,
        "section": rng.choice(["C", "F", "G"], rows).tolist(),
    }
    for name in FACTOR_NAMES:
        values = rng.normal(0.5, 1.5, rows)
        values[rng.random(rows) < 0.15] = np.nan
        data[name] = values
    data["dbt_average"] = np.abs(rng.normal(10, 20, rows))
    data["overdue_30_share"] = rng.random(rows)
    frame = pl.DataFrame(data).with_columns(pl.col(FACTOR_NAMES).fill_nan(None))
    days = rng.integers(-30, 30 * 366, rows)
    anniversary = rng.random(rows) < 0.3
    years = rng.integers(0, 8, rows)
    founded: list[date | None] = [
        AS_OF.replace(year=AS_OF.year - int(y)) + timedelta(days=int(d % 3) - 1)
        if near
        else AS_OF - timedelta(days=int(d))
        for d, y, near in zip(days, years, anniversary, strict=True)
    ]
    for row in np.flatnonzero(rng.random(rows) < 0.1).tolist():
        founded[row] = None
    nothing = pl.Series(rng.random(rows) < 0.1)
    return frame.with_columns(
        pl.when(nothing).then(None).otherwise(pl.col(RATIOS)).name.keep(),
        pl.Series("country_level", rng.integers(1, 9, rows), dtype=pl.Int8),
        pl.Series("sector_level", rng.integers(1, 6, rows), dtype=pl.Int8),
        pl.lit("DE").alias("country"),
        pl.Series("founded", founded, dtype=pl.Date),
    )


def decimal_values(row: dict[str, object]) -> dict[str, Decimal | None]:
    return {name: as_decimal(row[name]) for name in FACTOR_NAMES}  # type: ignore[arg-type]


def test_points_floats_give_the_exact_decimal_pd_text() -> None:
    inputs = random_inputs(400)
    scored = score_frame(inputs, as_of=AS_OF, settings=ScoringSettings(model="points"))
    expected = [str(points_pd(decimal_values(row)).pd) for row in inputs.iter_rows(named=True)]
    assert scored["pd"].to_list() == expected
    assert scored["model_version"].unique().to_list() == ["points-v1"]


@pytest.mark.parametrize("base_rate", [None, TARGET_BASE_RATE])
def test_default_floats_give_the_exact_decimal_blend(base_rate: Decimal | None) -> None:
    inputs = random_inputs(300)
    settings = ScoringSettings(base_rate=base_rate)
    scored = score_frame(inputs, as_of=AS_OF, settings=settings, reasons=False)
    model = default_pd(inputs.select(RATIOS)).to_list()
    expected = []
    ages = []
    for row, pd_ in zip(inputs.iter_rows(named=True), model, strict=True):
        age = company_age(row["founded"], AS_OF)
        ages.append(None if age is None else age.years)
        has_ratio = any(row[name] is not None for name in RATIOS)
        financial = min(max(as_decimal(pd_), PD_FLOOR), PD_CAP) if has_ratio else PRIOR_PD  # type: ignore[type-var]
        blended = blend_pd(
            financial,  # type: ignore[arg-type]
            decimal_values(row),
            country_level=row["country_level"],
            sector_level=row["sector_level"],
            age_years=ages[-1],
            prior_shift=prior_shift(base_rate) if has_ratio else Decimal(0),
        )
        expected.append(str(blended.pd))
    assert scored["pd"].to_list() == expected
    grades = [grade_for_pd(Decimal(text)) for text in expected]
    assert scored["grade"].to_list() == grades
    assert {None, 0, 1, 2, 4, 5} <= set(ages)
    assert any(d is not None and d > AS_OF for d in inputs["founded"].to_list())


def test_young_companies_score_higher_and_say_so() -> None:
    inputs = random_inputs(60, seed=13)
    young = inputs.with_columns(pl.lit(date(2025, 3, 1)).alias("founded"))
    old = inputs.with_columns(pl.lit(date(1990, 1, 1)).alias("founded"))
    unknown = inputs.drop("founded")
    scored = {
        name: score_frame(f, as_of=AS_OF)
        for name, f in [("young", young), ("old", old), ("unknown", unknown)]
    }
    assert (scored["young"]["pd_micro"] >= scored["old"]["pd_micro"]).all()
    assert (scored["young"]["pd_micro"] > scored["old"]["pd_micro"]).any()
    assert scored["old"]["pd"].to_list() == scored["unknown"]["pd"].to_list()
    for row in scored["young"]["reasons"].to_list():
        age = [r for r in row if r["code"] == "company_age"]
        assert [r["text_en"] for r in age] == [
            "company age: founded 2025-03-01, 1 year at the as-of date"
        ]
    for row in scored["old"]["reasons"].to_list():
        assert all(r["code"] != "company_age" for r in row)
    medians = medians_by_section(section_medians(inputs))
    version = model_version(ScoringSettings())
    assert version.endswith("+blend-v2")
    hashes = {
        name: inputs_hashes(f, as_of=AS_OF, version=version, medians=medians, events={})
        for name, f in [("young", young), ("old", old), ("unknown", unknown)]
    }
    assert all(len(set(row)) == 3 for row in zip(*hashes.values(), strict=True))


def test_a_near_tie_takes_the_exact_rule_and_nothing_else_does() -> None:
    tie = Decimal("0.0123455")
    far = Decimal("0.0123451")
    log_odds = np.array([float((p / (1 - p)).ln()) for p in (tie, far)])
    asked: list[int] = []

    def exact(row: int) -> Decimal:
        asked.append(row)
        return Decimal("0.012346")

    assert micro_pds(log_odds, exact).tolist() == [12346, 12345]
    assert asked == [0]


def test_pd_text_keeps_six_places_and_the_floor_and_cap() -> None:
    log_odds = np.array([-30.0, 30.0, 0.0])
    micro = micro_pds(log_odds, lambda row: Decimal("0.5"))
    assert micro.tolist() == [300, 999900, 500000]


def test_grades_by_binary_search_match_the_scalar_rule_at_every_bound() -> None:
    micro = []
    for bound in GRADE_TABLE.upper_bounds:
        counts = int(bound * 10**6)
        micro += [counts - 1, counts, min(counts + 1, 10**6)]
    grades = grades_for_micro_pds(np.array([0, *micro]))
    expected = [grade_for_pd(Decimal(m).scaleb(-6)) for m in [0, *micro]]
    assert grades.tolist() == expected
    with pytest.raises(InvalidInput, match=r"\[0, 1\]"):
        grades_for_micro_pds(np.array([1_000_001]))


def test_overlay_facts_take_the_latest_known_event_of_each_kind() -> None:
    events = pl.DataFrame(
        [
            ("a", "court_judgment", date(2025, 1, 1), 2),
            ("a", "court_judgment", date(2025, 6, 1), 2),
            ("a", "payment_incident", date(2026, 1, 5), 4),
            ("a", "payment_incident", date(2026, 1, 5), 5),
            ("a", "payment_incident", date(2026, 2, 1), 3),
            ("a", "insolvency_filing", date(2026, 4, 1), 5),
        ],
        schema=EVENT_SCHEMA,
        orient="row",
    )
    facts = overlay_facts(events, as_of=AS_OF).row(0, named=True)
    assert facts == {
        "company_id": "a",
        "insolvency_filed_on": None,
        "judgment_on": date(2025, 6, 1),
        "incident_on": date(2026, 1, 5),
        "incident_severity": 5,
    }


def test_overlays_cap_and_force_grades_with_their_reasons() -> None:
    inputs = pl.DataFrame(
        {
            "company_id": ["judged", "incident", "insolvent", "filed", "old"],
            "status": ["active", "active", "insolvent", "active", "active"],
            "liabilities_to_assets": [0.2] * 5,
            "judgment_on": [date(2025, 6, 1), None, None, None, date(2024, 3, 31)],
            "incident_on": [None, date(2026, 1, 5), None, None, None],
            "incident_severity": [None, 5, None, None, None],
            "insolvency_filed_on": [None, None, None, date(2026, 3, 1), None],
        }
    )
    scored = score_frame(inputs, as_of=AS_OF, settings=ScoringSettings(model="points"))
    grades = dict(zip(scored["company_id"], scored["grade"], strict=True))
    assert (grades["judged"], grades["incident"], grades["insolvent"], grades["filed"]) == (
        7,
        6,
        10,
        10,
    )
    assert grades["old"] < 6
    first = {
        row["company_id"]: row["reasons"][0]["code"] if row["reasons"] else None
        for row in scored.iter_rows(named=True)
    }
    assert first["judged"] == "overlay_court_judgment"
    assert first["incident"] == "overlay_payment_incident"
    assert first["insolvent"] == "overlay_status_insolvent"
    assert first["filed"] == "overlay_insolvency_filing"
    assert first["old"] is None


def test_one_row_scores_as_it_does_inside_a_batch() -> None:
    inputs = random_inputs(40, seed=3)
    whole = score_frame(inputs, as_of=AS_OF)
    medians = medians_by_section(section_medians(inputs))
    for index in (0, 17, 39):
        alone = score_frame(inputs.slice(index, 1), as_of=AS_OF, medians=medians)
        assert alone.row(0, named=True) == whole.row(index, named=True)


def test_the_base_rate_correction_is_a_log_odds_shift_and_names_the_version() -> None:
    training = training_base_rate()
    assert Decimal("0.06") < training < Decimal("0.08")
    assert prior_shift(training) == 0
    assert prior_shift(None) == 0
    assert prior_shift(Decimal("0.015")) < 0 < prior_shift(Decimal("0.2"))
    with pytest.raises(InvalidInput, match="strictly between"):
        prior_shift(Decimal(1))
    inputs = random_inputs(200, seed=11)
    corrected = score_frame(inputs, as_of=AS_OF, reasons=False)
    original = score_frame(
        inputs, as_of=AS_OF, settings=ScoringSettings(base_rate=None), reasons=False
    )
    moved = corrected["pd_micro"] < original["pd_micro"]
    no_ratio = inputs.select(pl.all_horizontal(pl.col(RATIOS).is_null())).to_series()
    assert (moved | no_ratio | (original["pd_micro"] == 300)).all()
    assert (corrected.filter(no_ratio)["pd"] == original.filter(no_ratio)["pd"]).all()
    assert model_version(ScoringSettings()) != model_version(ScoringSettings(base_rate=None))
    assert "+base-0.015+" in model_version(ScoringSettings())


def test_reasons_quote_country_risk_only_when_it_raises_the_pd() -> None:
    inputs = random_inputs(60, seed=5).with_columns(
        pl.Series("country_level", [1, 8, None] * 20, dtype=pl.Int8)
    )
    scored = score_frame(inputs, as_of=AS_OF)
    codes = [[r["code"] for r in row] for row in scored["reasons"].to_list()]
    for level, row_codes in zip(inputs["country_level"].to_list(), codes, strict=True):
        assert ("country_risk" in row_codes) == (level == 8)
        assert ("country_risk_unavailable" in row_codes) == (level is None)


def test_bad_frames_are_refused_precisely() -> None:
    with pytest.raises(InvalidInput, match="company_id"):
        score_frame(pl.DataFrame({"status": ["active"]}), as_of=AS_OF)
    with pytest.raises(InvalidInput, match="'current_ratio'"):
        score_frame(
            pl.DataFrame({"company_id": ["a"], "status": ["active"], "current_ratio": ["x"]}),
            as_of=AS_OF,
        )
    with pytest.raises(InvalidInput, match="risk levels outside 1-8"):
        score_frame(
            pl.DataFrame({"company_id": ["a"], "status": ["active"], "country_level": [9]}),
            as_of=AS_OF,
        )
    with pytest.raises(InvalidInput, match="unknown scoring model"):
        ScoringSettings(model="neural")


def test_an_empty_frame_scores_to_an_empty_frame() -> None:
    empty = pl.DataFrame(schema={"company_id": pl.String, "status": pl.String})
    assert score_frame(empty, as_of=AS_OF).height == 0
