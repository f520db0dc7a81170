"""Statements: internally consistent, plausible, and telling of each buyer's fate."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tradecredit.demo.portfolio import Portfolio, minor_units
from tradecredit.demo.statements import LINES


@pytest.fixture(scope="module")
def lines(portfolio: Portfolio) -> pl.DataFrame:
    """Statement lines in integer minor units with ratios (floats: ratios are not money)."""
    statements = portfolio.statements
    minor = statements.select(
        "registration_number", "country", "period_end", "currency"
    ).with_columns(minor_units(statements, line).alias(line) for line in LINES)
    ratios = minor.with_columns(
        (pl.col("equity") / pl.col("total_assets")).alias("equity_ratio"),
        (pl.col("current_assets") / pl.col("current_liabilities")).alias("current_ratio"),
        (pl.col("ebit") / pl.col("revenue")).alias("ebit_margin"),
        (pl.col("ebit") / pl.col("interest_expense")).alias("interest_cover"),
        (pl.col("retained_earnings") / pl.col("total_assets")).alias("retained_to_assets"),
        (pl.col("revenue") / pl.col("total_assets")).alias("asset_turnover"),
        pl.col("period_end").rank("dense").over("registration_number", "country").alias("year"),
    )
    return ratios.join(portfolio.truth, on=["registration_number", "country"])


def test_three_years_per_buyer(portfolio: Portfolio, lines: pl.DataFrame) -> None:
    per_buyer = lines.group_by("registration_number", "country").agg(
        pl.len().alias("n"), pl.col("period_end").n_unique().alias("years")
    )
    assert per_buyer.height == portfolio.companies.height
    assert (per_buyer.get_column("n") == 3).all()
    assert (per_buyer.get_column("years") == 3).all()
    assert (lines.get_column("period_end").dt.strftime("%m-%d") == "12-31").all()
    survivors = lines.filter(~pl.col("defaulted"))
    assert set(survivors.get_column("period_end").unique()) == {
        date(2023, 12, 31),
        date(2024, 12, 31),
        date(2025, 12, 31),
    }


def test_failing_buyers_report_before_they_fail(lines: pl.DataFrame) -> None:
    failed = lines.filter(pl.col("defaulted"))
    lag = (pl.col("default_date") - pl.col("period_end")).dt.total_days()
    latest = failed.filter(pl.col("year") == 3)
    assert latest.select(lag.min()).item() >= 120
    assert latest.select(lag.max()).item() <= 120 + 366


def test_balance_sheet_identities_hold_exactly(lines: pl.DataFrame) -> None:
    assert lines.filter(
        pl.col("total_assets") != pl.col("equity") + pl.col("total_liabilities")
    ).is_empty()
    components = pl.col("cash") + pl.col("inventory") + pl.col("receivables")
    assert lines.filter(pl.col("current_assets") < components).is_empty()
    assert lines.filter(pl.col("current_assets") > pl.col("total_assets")).is_empty()
    assert lines.filter(pl.col("current_liabilities") > pl.col("total_liabilities")).is_empty()
    for line in (
        "revenue",
        "total_assets",
        "current_assets",
        "cash",
        "inventory",
        "receivables",
        "current_liabilities",
        "total_liabilities",
        "interest_expense",
    ):
        assert (lines.get_column(line) >= 0).all(), line
    assert (lines.get_column("total_assets") > 0).all()


def test_income_lines_hang_together(lines: pl.DataFrame) -> None:
    pre_tax = pl.col("ebit") - pl.col("interest_expense")
    assert lines.filter(pl.col("net_income") > pre_tax).is_empty()
    losses = lines.filter(pre_tax <= 0)
    assert (losses.get_column("net_income") == losses.select(pre_tax).to_series()).all()


def test_ratios_are_plausible(lines: pl.DataFrame) -> None:
    medians = lines.select(
        pl.col(
            "equity_ratio", "current_ratio", "ebit_margin", "asset_turnover", "interest_cover"
        ).median()
    ).row(0, named=True)
    assert 0.25 < medians["equity_ratio"] < 0.55
    assert 1.0 < medians["current_ratio"] < 2.2
    assert 0.02 < medians["ebit_margin"] < 0.12
    assert 0.6 < medians["asset_turnover"] < 2.5
    assert 1.5 < medians["interest_cover"] < 15
    assert lines.get_column("equity_ratio").is_between(-0.3, 0.9).all()


def _spearman(frame: pl.DataFrame, a: str, b: str) -> float:
    value = frame.select(pl.corr(a, b, method="spearman")).item()
    assert value is not None
    return float(value)


def test_ratios_are_correlated_with_risk_and_fate(lines: pl.DataFrame) -> None:
    latest = lines.filter(pl.col("year") == 3)
    assert _spearman(latest, "latent_risk", "equity_ratio") < -0.3
    assert _spearman(latest, "latent_risk", "current_ratio") < -0.3
    assert _spearman(latest, "latent_risk", "ebit_margin") < -0.3
    assert _spearman(latest, "latent_risk", "interest_cover") < -0.3
    assert _spearman(latest, "latent_risk", "retained_to_assets") < -0.2
    means = latest.group_by("defaulted").agg(
        pl.col("equity_ratio", "interest_cover", "current_ratio", "retained_to_assets").median()
    )
    failed = means.filter(pl.col("defaulted")).row(0, named=True)
    survived = means.filter(~pl.col("defaulted")).row(0, named=True)
    for ratio in ("equity_ratio", "interest_cover", "current_ratio", "retained_to_assets"):
        assert failed[ratio] < survived[ratio], ratio


def test_failing_buyers_deteriorate_year_on_year(lines: pl.DataFrame) -> None:
    by_year = (
        lines.filter(pl.col("defaulted"))
        .group_by("year")
        .agg(pl.col("equity_ratio", "ebit_margin", "current_ratio").mean())
        .sort("year")
    )
    for ratio in ("equity_ratio", "ebit_margin", "current_ratio"):
        values = by_year.get_column(ratio).to_list()
        assert values[0] > values[1] > values[2], ratio
    steady = (
        lines.filter(pl.col("profile") == "prompt")
        .group_by("year")
        .agg(pl.col("equity_ratio").mean())
        .sort("year")
        .get_column("equity_ratio")
    )
    assert abs(steady[2] - steady[0]) < 0.03


def test_statements_are_in_the_local_currency(portfolio: Portfolio) -> None:
    currencies = (
        portfolio.statements.join(
            portfolio.companies.select("registration_number", "country"),
            on=["registration_number", "country"],
        )
        .group_by("country")
        .agg(pl.col("currency").unique())
    )
    local = {row[0]: row[1] for row in currencies.iter_rows()}
    assert local["DE"] == ["EUR"]
    assert local["PL"] == ["PLN"]
    assert local["JP"] == ["JPY"]
    assert local["GB"] == ["GBP"]
