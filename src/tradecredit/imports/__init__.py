"""Bulk imports from CSV and Excel: validate every row, then write all of it or nothing."""
