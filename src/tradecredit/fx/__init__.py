"""Dated foreign-exchange rates for converting multi-currency aggregates."""
