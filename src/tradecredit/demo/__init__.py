"""The demo portfolio: a deterministic seller's book (`generate_portfolio`) and its bulk loader.

`generate_portfolio(seed=..., buyers=..., end=..., years=...)` returns a `Portfolio` of Polars
frames laid out like the import templates, plus a hidden `truth` frame; `load_portfolio(session,
actor=..., portfolio=...)` writes it into one organisation in the caller's transaction.
"""

from tradecredit.demo.generator import generate_portfolio
from tradecredit.demo.loader import LoadSummary, load_portfolio
from tradecredit.demo.portfolio import DEMO_SELLER, Portfolio, Seller

__all__ = [
    "DEMO_SELLER",
    "LoadSummary",
    "Portfolio",
    "Seller",
    "generate_portfolio",
    "load_portfolio",
]
