"""Receivables analytics: ageing, DSO (later: concentration, ECL, forecasts)."""
