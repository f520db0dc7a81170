"""Templates and static files for HTML reports and (later) the web UI."""
