"""Country risk (OECD classifications, dated) and sector risk (per NACE section): reference data."""
