"""Instant credit decisions for buy-now-pay-later checkouts."""
