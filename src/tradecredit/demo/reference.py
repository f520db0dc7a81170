"""Reference data for the demo portfolio: buyer countries, sectors, currencies and their FX paths.

Every figure here is a plausible stylised fact, not a statistic: weights decide how often a country
or sector appears, shifts move a buyer's latent risk, and the sector shapes decide what a typical
balance sheet of that trade looks like.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CountryProfile:
    """A buyer country: how common, its languages, currencies, legal forms, risk and usual terms.

    `usual_terms` lists the payment terms (days) a seller grants there; repeats weight them."""

    code: str
    weight: float
    languages: tuple[str, ...]
    invoice_currency: str
    local_currency: str
    legal_forms: tuple[str, ...]
    risk_shift: float
    usual_terms: tuple[int, ...]


COUNTRIES: tuple[CountryProfile, ...] = (
    CountryProfile(
        "DE",
        20.0,
        ("de",),
        "EUR",
        "EUR",
        ("GmbH", "AG", "GmbH & Co. KG", "KG"),
        -0.20,
        (30, 30, 45, 60),
    ),
    CountryProfile("FR", 10.0, ("fr",), "EUR", "EUR", ("SAS", "SARL", "SA"), 0.00, (45, 60, 60)),
    CountryProfile("IT", 8.0, ("it",), "EUR", "EUR", ("S.r.l.", "S.p.A."), 0.15, (60, 60, 90)),
    CountryProfile("ES", 6.0, ("es",), "EUR", "EUR", ("S.L.", "S.A."), 0.10, (60, 60, 90)),
    CountryProfile("NL", 6.0, ("nl",), "EUR", "EUR", ("B.V.", "N.V."), -0.15, (30, 30, 45)),
    CountryProfile(
        "BE", 4.0, ("nl", "fr"), "EUR", "EUR", ("BV", "NV", "SRL", "SA"), -0.05, (30, 45, 60)
    ),
    CountryProfile("PL", 5.0, ("pl",), "EUR", "PLN", ("Sp. z o.o.", "S.A."), 0.10, (30, 45, 60)),
    CountryProfile("CZ", 3.0, ("cs",), "EUR", "CZK", ("s.r.o.", "a.s."), 0.05, (30, 45)),
    CountryProfile("AT", 4.0, ("de",), "EUR", "EUR", ("GmbH", "AG"), -0.20, (30, 30, 45)),
    CountryProfile("SE", 3.0, ("sv",), "SEK", "SEK", ("AB",), -0.25, (30, 30, 45)),
    CountryProfile("DK", 2.0, ("da",), "EUR", "DKK", ("ApS", "A/S"), -0.25, (30, 30)),
    CountryProfile("GB", 6.0, ("en",), "GBP", "GBP", ("Ltd", "PLC"), 0.05, (30, 30, 60)),
    CountryProfile("US", 6.0, ("en",), "USD", "USD", ("Inc.", "LLC", "Corp."), 0.00, (30, 45, 60)),
    CountryProfile("CN", 4.0, ("zh",), "CNY", "CNY", ("Co., Ltd.",), 0.25, (60, 90, 90)),
    CountryProfile("JP", 2.0, ("ja",), "JPY", "JPY", ("Co., Ltd.", "K.K."), -0.30, (60, 90)),
    CountryProfile("TR", 2.5, ("tr",), "EUR", "TRY", ("A.Ş.", "Ltd. Şti."), 0.55, (60, 90)),
    CountryProfile("BR", 2.0, ("pt",), "USD", "BRL", ("Ltda.", "S.A."), 0.45, (60, 90)),
    CountryProfile("IN", 2.0, ("en",), "USD", "INR", ("Pvt. Ltd.", "Ltd."), 0.35, (60, 90)),
    CountryProfile(
        "MX", 1.5, ("es",), "USD", "MXN", ("S.A. de C.V.", "S. de R.L. de C.V."), 0.40, (45, 60)
    ),
    CountryProfile("ZA", 1.0, ("en",), "USD", "ZAR", ("(Pty) Ltd",), 0.45, (30, 60)),
    CountryProfile("AE", 1.0, ("en",), "USD", "AED", ("LLC", "FZE"), 0.20, (45, 60, 90)),
    CountryProfile("CH", 3.0, ("de", "fr"), "CHF", "CHF", ("AG", "GmbH", "SA"), -0.35, (30, 30)),
)


@dataclass(frozen=True, slots=True)
class SectorProfile:
    """A NACE division and the shape of a typical balance sheet in that trade."""

    code: str
    weight: float
    risk_shift: float
    asset_turnover: float
    ebit_margin: float
    inventory_share: float
    receivables_share: float


SECTORS: tuple[SectorProfile, ...] = (
    SectorProfile("C10", 6.0, 0.00, 1.6, 0.06, 0.35, 0.35),
    SectorProfile("C20", 7.0, -0.10, 1.0, 0.09, 0.30, 0.40),
    SectorProfile("C22", 7.0, 0.05, 1.3, 0.06, 0.30, 0.40),
    SectorProfile("C25", 10.0, 0.05, 1.2, 0.06, 0.35, 0.40),
    SectorProfile("C26", 5.0, -0.05, 1.1, 0.08, 0.35, 0.40),
    SectorProfile("C28", 12.0, -0.10, 1.0, 0.07, 0.40, 0.40),
    SectorProfile("C29", 8.0, 0.10, 1.4, 0.05, 0.30, 0.45),
    SectorProfile("F41", 5.0, 0.40, 0.9, 0.04, 0.45, 0.35),
    SectorProfile("F43", 5.0, 0.35, 1.3, 0.05, 0.20, 0.55),
    SectorProfile("G46", 15.0, 0.00, 2.2, 0.03, 0.40, 0.45),
    SectorProfile("G47", 6.0, 0.25, 2.4, 0.03, 0.60, 0.10),
    SectorProfile("H49", 5.0, 0.20, 1.5, 0.04, 0.05, 0.65),
    SectorProfile("J62", 3.0, -0.05, 1.3, 0.10, 0.05, 0.70),
    SectorProfile("M71", 3.0, -0.10, 1.2, 0.08, 0.05, 0.70),
    SectorProfile("Q86", 3.0, -0.25, 0.8, 0.07, 0.10, 0.50),
)


@dataclass(frozen=True, slots=True)
class FxPath:
    """How many units of the currency one euro buys at the start, and how that drifts monthly."""

    start: float
    monthly_drift: float
    monthly_vol: float


FX_PATHS: dict[str, FxPath] = {
    "USD": FxPath(1.07, 0.0005, 0.020),
    "GBP": FxPath(0.865, 0.0004, 0.012),
    "CHF": FxPath(0.955, -0.0020, 0.012),
    "SEK": FxPath(11.45, -0.0010, 0.015),
    "DKK": FxPath(7.457, 0.0, 0.0008),
    "PLN": FxPath(4.58, -0.0015, 0.014),
    "CZK": FxPath(24.35, 0.0005, 0.010),
    "CNY": FxPath(7.79, 0.0010, 0.016),
    "JPY": FxPath(157.9, 0.0020, 0.022),
    "TRY": FxPath(29.0, 0.0240, 0.030),
    "BRL": FxPath(5.32, 0.0030, 0.030),
    "INR": FxPath(89.0, 0.0020, 0.012),
    "MXN": FxPath(18.6, 0.0010, 0.030),
    "ZAR": FxPath(20.3, 0.0010, 0.030),
}
PEGGED: dict[str, tuple[str, float]] = {"AED": ("USD", 3.6725)}
"""Currencies fixed to another one: the dirham has been pegged to the dollar since 1997."""

BASE_CURRENCY = "EUR"


def fx_currencies() -> tuple[str, ...]:
    """Every currency a buyer invoices or reports in, other than the euro, sorted."""
    used = {c.invoice_currency for c in COUNTRIES} | {c.local_currency for c in COUNTRIES}
    return tuple(sorted(used - {BASE_CURRENCY}))


PROFILES: tuple[str, ...] = ("prompt", "slow", "deteriorating", "part_payer")
"""Payment behaviour profiles. Buyers that fail are 'deteriorating': they pay later and later."""

CREDIT_NOTE_REASONS: tuple[str, ...] = (
    "price correction",
    "returned goods",
    "quantity difference",
    "damaged in transit",
    "volume rebate",
)
DISPUTE_REASONS: tuple[str, ...] = (
    "quality complaint",
    "price disagreement",
    "short delivery",
    "late delivery",
    "goods damaged",
    "missing delivery documents",
)
DUNNING_POLICIES: tuple[str, ...] = ("standard", "standard", "strict", "key-account")
COLLECTORS: tuple[str, ...] = (
    "A. Becker",
    "M. Rossi",
    "L. Dubois",
    "J. Novak",
    "S. Lindqvist",
    "K. Wang",
)


def anchor_rate(currency: str) -> float:
    """Units of `currency` per euro at the start of the demo window (before the random walk)."""
    if currency == BASE_CURRENCY:
        return 1.0
    if currency in PEGGED:
        anchor, peg = PEGGED[currency]
        return FX_PATHS[anchor].start * peg
    return FX_PATHS[currency].start
