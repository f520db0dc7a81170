"""Settings from environment variables prefixed `TRADECREDIT_` (pydantic-settings)."""

from __future__ import annotations

from functools import cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRADECREDIT_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./tradecredit.db",
        description="SQLAlchemy URL; sqlite:///path or postgresql://user@host/db",
    )
    default_org: str | None = Field(
        default=None, description="Organisation the CLI acts for when --org is not given"
    )
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_hot_slots: int = Field(
        default=2,
        ge=1,
        description="POST /v1/decisions requests one worker process runs at once (api.deps)",
    )
    api_route_slots: int = Field(
        default=20,
        ge=1,
        description="requests of the ordinary routes one worker process runs at once (api.deps);"
        " keep it below the PostgreSQL pool (30 connections per worker) minus api_hot_slots and"
        " the decision batch thread",
    )
    api_decision_batches: bool = Field(
        default=True,
        description="POST /v1/decisions decided in batches, one transaction each (api.hot); "
        "false: one transaction per request through the ordinary route",
    )
    api_decision_batch_max: int = Field(
        default=64, ge=1, le=512, description="most decisions one batch transaction holds"
    )
    sqlite_synchronous: str = Field(
        default="FULL", description="SQLite synchronous pragma: FULL (durable) or NORMAL"
    )

    @field_validator("database_url")
    @classmethod
    def _use_psycopg3(cls, url: str) -> str:
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("sqlite_synchronous")
    @classmethod
    def _known_sync(cls, value: str) -> str:
        if value.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError("sqlite_synchronous must be FULL, NORMAL or EXTRA")
        return value.upper()


@cache
def get_settings() -> Settings:
    return Settings()
