"""tradecredit: an open-source trade-credit risk platform."""

__version__ = "0.1.0"
