"""The generator: deterministic, template-shaped, and at least as rich as the issue demands."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from tradecredit.demo.generator import generate_portfolio
from tradecredit.demo.portfolio import FRAME_NAMES, Portfolio, minor_units
from tradecredit.kit.errors import InvalidInput

TEMPLATE_COLUMNS = {
    "companies": [
        "registration_number",
        "country",
        "name",
        "sector",
        "legal_form",
        "founded",
        "group_parent_registration_number",
        "group_parent_country",
        "status",
        "language",
    ],
    "statements": [
        "registration_number",
        "country",
        "period_end",
        "currency",
        "revenue",
        "ebit",
        "net_income",
        "interest_expense",
        "total_assets",
        "current_assets",
        "cash",
        "inventory",
        "receivables",
        "current_liabilities",
        "total_liabilities",
        "equity",
        "retained_earnings",
        "operating_cash_flow",
    ],
    "accounts": [
        "registration_number",
        "country",
        "payment_terms_days",
        "credit_limit",
        "currency",
        "language",
        "collector",
        "dunning_policy",
        "on_hold",
    ],
    "invoices": [
        "invoice_number",
        "buyer_registration_number",
        "buyer_country",
        "currency",
        "amount",
        "issue_date",
        "due_date",
        "vat_amount",
        "order_reference",
        "delivery_date",
    ],
    "payments": [
        "payment_reference",
        "payer_registration_number",
        "payer_country",
        "currency",
        "amount",
        "payment_date",
        "invoice_number",
    ],
    "credit_notes": [
        "credit_note_number",
        "invoice_number",
        "currency",
        "amount",
        "issue_date",
        "reason",
    ],
    "disputes": ["invoice_number", "amount", "currency", "opened_on", "resolved_on", "reason"],
    "events": [
        "registration_number",
        "country",
        "kind",
        "event_date",
        "source",
        "severity",
        "description",
    ],
    "fx_rates": ["rate_date", "base_currency", "quote_currency", "rate"],
}


def test_same_seed_gives_identical_frames_whatever_the_global_random_state() -> None:
    np.random.seed(1)
    random.seed(1)
    first = generate_portfolio(seed=11, buyers=120)
    np.random.seed(2)
    random.seed(2)
    np.random.random(100)
    second = generate_portfolio(seed=11, buyers=120)
    for name in FRAME_NAMES:
        assert first.frames()[name].equals(second.frames()[name]), name
        assert first.content_sha256(name) == second.content_sha256(name)
    assert first.fingerprint() == second.fingerprint()


def test_default_portfolio_is_reproducible(portfolio: Portfolio) -> None:
    assert generate_portfolio().fingerprint() == portfolio.fingerprint()


def test_another_seed_gives_another_portfolio() -> None:
    first = generate_portfolio(seed=11, buyers=120)
    other = generate_portfolio(seed=12, buyers=120)
    assert first.fingerprint() != other.fingerprint()
    for name in ("companies", "invoices", "payments", "statements", "fx_rates"):
        assert first.content_sha256(name) != other.content_sha256(name), name


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"buyers": 5}, "buyers"),
        ({"years": 0}, "years"),
        ({"years": True}, "years"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        generate_portfolio(**arguments)  # type: ignore[arg-type]


def test_frames_have_the_template_columns(portfolio: Portfolio) -> None:
    frames = portfolio.frames()
    for name, columns in TEMPLATE_COLUMNS.items():
        assert frames[name].columns == columns, name


def test_window_is_three_years_ending_at_end(portfolio: Portfolio) -> None:
    assert portfolio.end == date(2026, 9, 30)
    assert portfolio.start == date(2023, 10, 1)
    issued = portfolio.invoices.get_column("issue_date")
    assert issued.min() <= portfolio.start + timedelta(days=10)  # type: ignore[operator]
    assert issued.max() >= portfolio.end - timedelta(days=5)  # type: ignore[operator]
    months = issued.dt.strftime("%Y-%m").n_unique()
    assert months == 36
    for frame, column in (
        (portfolio.invoices, "issue_date"),
        (portfolio.payments, "payment_date"),
        (portfolio.credit_notes, "issue_date"),
        (portfolio.disputes, "opened_on"),
        (portfolio.events, "event_date"),
    ):
        assert frame.get_column(column).max() <= portfolio.end  # type: ignore[operator]


def test_buyer_universe_meets_the_minimums(portfolio: Portfolio) -> None:
    companies = portfolio.companies
    assert companies.height >= 2000
    assert companies.select("registration_number", "country").is_unique().all()
    assert companies.get_column("country").n_unique() >= 20
    sectors = companies.get_column("sector")
    assert sectors.n_unique() >= 10
    assert sectors.str.slice(0, 1).n_unique() >= 5
    assert companies.get_column("language").n_unique() >= 8
    assert companies.get_column("legal_form").n_unique() >= 20
    assert companies.filter(pl.col("group_parent_registration_number").is_not_null()).height >= 5
    assert portfolio.accounts.height == companies.height
    assert portfolio.truth.height == companies.height


def test_group_parents_are_buyers_and_never_children(portfolio: Portfolio) -> None:
    companies = portfolio.companies
    children = companies.filter(pl.col("group_parent_registration_number").is_not_null())
    parents = children.select(
        pl.col("group_parent_registration_number").alias("registration_number"),
        pl.col("group_parent_country").alias("country"),
    ).unique()
    known = parents.join(companies, on=["registration_number", "country"], how="inner")
    assert known.height == parents.height
    assert known.get_column("group_parent_registration_number").null_count() == known.height


def test_currencies_and_fx_rates(portfolio: Portfolio) -> None:
    invoice_currencies = set(portfolio.invoices.get_column("currency").unique())
    assert len(invoice_currencies) >= 4
    assert {"EUR", "USD", "GBP", "CNY"} <= invoice_currencies
    shares = portfolio.invoices.get_column("currency").value_counts(normalize=True)
    eur = shares.filter(pl.col("currency") == "EUR").get_column("proportion").item()
    assert eur > 0.5
    rates = portfolio.fx_rates
    quoted = set(rates.get_column("quote_currency").unique())
    used = invoice_currencies | set(portfolio.statements.get_column("currency").unique())
    assert quoted == used - {"EUR"}
    assert set(rates.get_column("base_currency").unique()) == {"EUR"}
    per_pair = rates.group_by("quote_currency").len().get_column("len")
    assert per_pair.min() == per_pair.max() == 37
    month_ends = rates.get_column("rate_date")
    assert (month_ends.dt.month_end() == month_ends).all()


def test_fx_rates_walk_plausibly(portfolio: Portfolio) -> None:
    rates = portfolio.fx_rates.with_columns(
        pl.col("rate").str.to_decimal(scale=6).alias("value")
    ).sort("quote_currency", "rate_date")
    assert (rates.get_column("value") > 0).all()
    steps = rates.with_columns(
        (pl.col("value") / pl.col("value").shift(1).over("quote_currency")).alias("step")
    ).drop_nulls("step")
    assert steps.get_column("step").cast(pl.Float64).is_between(0.85, 1.18).all()
    usd = rates.filter(pl.col("quote_currency") == "USD").get_column("value")
    assert usd.cast(pl.Float64).is_between(0.8, 1.4).all()


def test_every_behaviour_and_fate_is_present(portfolio: Portfolio) -> None:
    truth = portfolio.truth
    profiles = truth.group_by("profile").len()
    counts = dict(profiles.iter_rows())
    assert set(counts) == {"prompt", "slow", "deteriorating", "part_payer"}
    assert counts["prompt"] > counts["slow"] > counts["part_payer"] > 0
    assert counts["deteriorating"] > 0
    defaulted = truth.filter(pl.col("defaulted"))
    share = defaulted.height / truth.height
    assert 0.02 <= share <= 0.04
    assert defaulted.get_column("profile").unique().to_list() == ["deteriorating"]
    assert truth.filter(pl.col("pays_in_lumps")).height > 50


def test_invoice_volume_and_concentration(portfolio: Portfolio) -> None:
    invoices = portfolio.invoices
    assert 50_000 <= invoices.height <= 120_000
    assert invoices.get_column("invoice_number").is_unique().all()
    per_buyer = invoices.group_by("buyer_registration_number", "buyer_country").len()
    counts = per_buyer.get_column("len")
    assert counts.max() > 10 * counts.median()  # type: ignore[operator]
    eur = invoices.filter(pl.col("currency") == "EUR").with_columns(
        minor_units(invoices.filter(pl.col("currency") == "EUR"), "amount").alias("minor")
    )
    totals = eur.group_by("buyer_registration_number").agg(pl.col("minor").sum())
    ranked = totals.get_column("minor").sort(descending=True)
    top3_share = int(ranked.head(3).sum()) / int(ranked.sum())
    assert 0.01 < top3_share < 0.5


def test_invoice_fields(portfolio: Portfolio) -> None:
    invoices = portfolio.invoices.join(
        portfolio.accounts.select(
            pl.col("registration_number").alias("buyer_registration_number"),
            pl.col("country").alias("buyer_country"),
            "payment_terms_days",
        ),
        on=["buyer_registration_number", "buyer_country"],
    )
    terms = (pl.col("due_date") - pl.col("issue_date")).dt.total_days()
    assert invoices.filter(terms != pl.col("payment_terms_days")).height == 0
    assert set(invoices.get_column("payment_terms_days").unique()) == {30, 45, 60, 90}
    with_vat = invoices.filter(pl.col("vat_amount").is_not_null())
    assert set(with_vat.get_column("buyer_country").unique()) == {"DE"}
    amount = minor_units(with_vat, "amount")
    vat = minor_units(with_vat, "vat_amount")
    net = amount - vat
    assert ((net * 19 // 100) == vat).all()
    assert invoices.get_column("order_reference").null_count() < invoices.height // 3
    delivered = invoices.drop_nulls("delivery_date")
    assert (delivered.get_column("delivery_date") <= delivered.get_column("issue_date")).all()
    assert delivered.height > invoices.height // 2


def test_insolvent_buyers_are_consistent(portfolio: Portfolio) -> None:
    failed = portfolio.truth.filter(pl.col("defaulted")).select(
        "registration_number", "country", "default_date"
    )
    assert failed.height >= 3
    status = failed.join(portfolio.companies, on=["registration_number", "country"])
    assert status.get_column("status").unique().to_list() == ["insolvent"]
    filings = portfolio.events.filter(pl.col("kind") == "insolvency_filing")
    matched = failed.join(
        filings,
        left_on=["registration_number", "country", "default_date"],
        right_on=["registration_number", "country", "event_date"],
    )
    assert matched.height == failed.height == filings.height
    assert (matched.get_column("severity") == 5).all()
    on_hold = failed.join(portfolio.accounts, on=["registration_number", "country"])
    assert on_hold.get_column("on_hold").all()
    keyed = {"registration_number": "buyer_registration_number", "country": "buyer_country"}
    late_invoices = portfolio.invoices.join(
        failed.rename(keyed), on=["buyer_registration_number", "buyer_country"]
    ).filter(pl.col("issue_date") > pl.col("default_date"))
    assert late_invoices.height == 0
    payer = {"registration_number": "payer_registration_number", "country": "payer_country"}
    late_payments = portfolio.payments.join(
        failed.rename(payer), on=["payer_registration_number", "payer_country"]
    ).filter(pl.col("payment_date") >= pl.col("default_date"))
    assert late_payments.height == 0


def test_events_are_valid_and_unique(portfolio: Portfolio) -> None:
    events = portfolio.events
    assert set(events.get_column("kind").unique()) == {
        "insolvency_filing",
        "payment_incident",
        "court_judgment",
    }
    assert events.get_column("severity").is_between(1, 5).all()
    assert events.get_column("source").unique().to_list() == ["demo"]
    assert events.select("registration_number", "country", "kind", "event_date").is_unique().all()


def test_credit_notes_and_disputes_rates(portfolio: Portfolio) -> None:
    invoices = portfolio.invoices.height
    assert 0.012 < portfolio.credit_notes.height / invoices < 0.035
    assert 0.005 < portfolio.disputes.height / invoices < 0.02
    assert portfolio.credit_notes.get_column("credit_note_number").is_unique().all()
    disputes = portfolio.disputes
    resolved = disputes.drop_nulls("resolved_on")
    assert 0 < resolved.height < disputes.height
    assert (resolved.get_column("resolved_on") > resolved.get_column("opened_on")).all()
    assert disputes.get_column("invoice_number").is_unique().all()


def test_payment_kinds(portfolio: Portfolio) -> None:
    payments = portfolio.payments
    assert payments.get_column("payment_reference").is_unique().all()
    lumps = payments.filter(pl.col("invoice_number").is_null())
    assert lumps.height > 500
    named = payments.drop_nulls("invoice_number").group_by("invoice_number").len()
    assert named.filter(pl.col("len") >= 2).height > 500
    assert named.filter(pl.col("len") >= 3).height > 50
    weekday = payments.get_column("payment_date").dt.weekday()
    assert weekday.is_between(1, 5).all()


def test_other_windows_and_sizes_generate() -> None:
    short = generate_portfolio(seed=3, buyers=40, end=date(2025, 2, 28), years=1)
    assert short.start == date(2024, 2, 29)
    assert short.invoices.get_column("issue_date").min() >= short.start  # type: ignore[operator]
    assert short.statements.get_column("period_end").max() == date(2024, 12, 31)
    assert short.statements.height == 40
    leap = generate_portfolio(seed=3, buyers=40, end=date(2028, 2, 29), years=2)
    assert leap.start == date(2026, 3, 1)


def test_output_does_not_depend_on_hash_seed_or_threads() -> None:
    """Another process, another string-hash seed and one Polars thread: the same portfolio."""
    script = (
        "from tradecredit.demo.generator import generate_portfolio; "
        "print(generate_portfolio(seed=5, buyers=100).fingerprint())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "POLARS_MAX_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == generate_portfolio(seed=5, buyers=100).fingerprint()


def test_accounts_speak_the_company_language(portfolio: Portfolio) -> None:
    joined = portfolio.accounts.join(
        portfolio.companies, on=["registration_number", "country"], suffix="_company"
    )
    assert joined.height == portfolio.companies.height
    assert (joined.get_column("language") == joined.get_column("language_company")).all()
    belgian = joined.filter(pl.col("country") == "BE").get_column("language").unique()
    assert set(belgian) == {"nl", "fr"}
