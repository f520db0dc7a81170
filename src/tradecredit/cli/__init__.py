"""The `tradecredit` command: one entry point, grouped commands."""
