"""Tenancy: organisations (sellers, insurers), their users, roles and API keys."""
