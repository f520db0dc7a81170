"""The REST API: `create_app()` builds it; each domain's `api.py` holds its routes."""
