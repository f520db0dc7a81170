"""Frames that describe the buyers: companies, the seller's customer accounts, and the hidden truth."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from tradecredit.demo.buyers import DETERIORATING, Buyers
from tradecredit.demo.names import company_name, subsidiary_name
from tradecredit.demo.portfolio import EPOCH_ORDINAL, to_dates, with_major_text
from tradecredit.demo.reference import (
    COLLECTORS,
    COUNTRIES,
    DUNNING_POLICIES,
    PROFILES,
    anchor_rate,
)
from tradecredit.kit.currencies import exponent

_COUNTRY = {c.code: c for c in COUNTRIES}
GROUP_SIZE = 150
"""One corporate group per this many buyers."""


def companies_frame(rng: np.random.Generator, buyers: Buyers, *, start: date) -> pl.DataFrame:
    forms = [_legal_form(rng, _COUNTRY[c].legal_forms) for c in buyers.countries]
    names = [
        company_name(rng, language=lang, sector=sector, legal_form=form)
        for lang, sector, form in zip(buyers.languages, buyers.sectors, forms, strict=True)
    ]
    parents = _group_parents(rng, buyers)
    for child, parent in parents.items():
        names[child] = subsidiary_name(
            names[parent], forms[parent], country=buyers.countries[child], legal_form=forms[child]
        )
    age_years = np.exp(rng.normal(2.7 - 0.3 * buyers.risk, 0.7)).clip(2.0, 110.0)
    founded = start.toordinal() - np.rint(age_years * 365.25).astype(np.int64)
    parent_of = [parents.get(i) for i in range(buyers.n)]
    return pl.DataFrame(
        {
            "registration_number": buyers.registration_numbers,
            "country": buyers.countries,
            "name": names,
            "sector": buyers.sectors,
            "legal_form": forms,
            "founded": to_dates(founded),
            "group_parent_registration_number": [
                None if p is None else buyers.registration_numbers[p] for p in parent_of
            ],
            "group_parent_country": [None if p is None else buyers.countries[p] for p in parent_of],
            "status": np.where(buyers.defaulted, "insolvent", "active").tolist(),
            "language": buyers.languages,
        },
        schema_overrides={
            "group_parent_registration_number": pl.String,
            "group_parent_country": pl.String,
        },
    )


def accounts_frame(rng: np.random.Generator, buyers: Buyers) -> pl.DataFrame:
    """Terms, a credit limit in the invoicing currency (whole thousands), collector and policy."""
    appetite = np.clip(1.2 - 0.25 * buyers.risk, 0.3, 1.6)
    limit_eur = buyers.volume_eur * (buyers.terms + 30) / 365.0 * appetite
    rates = np.array([anchor_rate(c) for c in buyers.invoice_currencies])
    thousands = np.maximum(1, np.rint(limit_eur * rates / 1000.0).astype(np.int64))
    scales = np.array([10 ** exponent(c) for c in buyers.invoice_currencies], dtype=np.int64)
    limit_minor = thousands * 1000 * scales
    top_volume = buyers.volume_eur >= np.quantile(buyers.volume_eur, 0.95)
    policy_index = rng.integers(0, len(DUNNING_POLICIES), buyers.n)
    policies = [
        "strict" if risk > 1.2 else "key-account" if top else DUNNING_POLICIES[i]
        for risk, top, i in zip(buyers.risk, top_volume, policy_index, strict=True)
    ]
    country_index = {c.code: i for i, c in enumerate(COUNTRIES)}
    frame = pl.DataFrame(
        {
            "registration_number": buyers.registration_numbers,
            "country": buyers.countries,
            "payment_terms_days": buyers.terms,
            "credit_limit_minor": limit_minor,
            "currency": buyers.invoice_currencies,
            "language": buyers.languages,
            "collector": [COLLECTORS[country_index[c] % len(COLLECTORS)] for c in buyers.countries],
            "dunning_policy": policies,
            "on_hold": buyers.defaulted | ((buyers.profile == DETERIORATING) & (buyers.risk > 1.5)),
        }
    )
    return with_major_text(frame, {"credit_limit_minor": "credit_limit"}).select(
        "registration_number",
        "country",
        "payment_terms_days",
        "credit_limit",
        "currency",
        "language",
        "collector",
        "dunning_policy",
        "on_hold",
    )


def truth_frame(buyers: Buyers) -> pl.DataFrame:
    """What a model should discover: profile, latent risk and fate. Never loaded."""
    default_dates = to_dates(np.where(buyers.defaulted, buyers.default_day, EPOCH_ORDINAL))
    return pl.DataFrame(
        {
            "registration_number": buyers.registration_numbers,
            "country": buyers.countries,
            "profile": [PROFILES[p] for p in buyers.profile],
            "latent_risk": np.round(buyers.risk, 6),
            "defaulted": buyers.defaulted,
            "default_date": default_dates,
            "pays_in_lumps": buyers.lump,
        }
    ).with_columns(pl.when(pl.col("defaulted")).then(pl.col("default_date")).alias("default_date"))


def _legal_form(rng: np.random.Generator, forms: tuple[str, ...]) -> str:
    """The first legal form of a country is the commonest, the next ones rarer."""
    weights = 1.0 / np.arange(1, len(forms) + 1)
    return forms[int(rng.choice(len(forms), p=weights / weights.sum()))]


def _group_parents(rng: np.random.Generator, buyers: Buyers) -> dict[int, int]:
    """A few large healthy buyers head groups of one to four subsidiaries elsewhere in the book."""
    candidates = np.flatnonzero(~buyers.defaulted)
    if len(candidates) < 2:
        return {}
    by_size = candidates[np.argsort(-buyers.volume_eur[candidates], kind="stable")]
    pool = by_size[: max(1, len(by_size) // 4)]
    heads = rng.choice(pool, size=min(len(pool), max(1, buyers.n // GROUP_SIZE)), replace=False)
    others = np.setdiff1d(np.arange(buyers.n), heads)
    sizes = rng.integers(1, 5, len(heads))
    members = rng.choice(others, size=min(len(others), int(sizes.sum())), replace=False)
    parents: dict[int, int] = {}
    offset = 0
    for head, size in zip(heads, sizes, strict=True):
        for member in members[offset : offset + size]:
            parents[int(member)] = int(head)
        offset += size
    return parents
