"""Every domain router, in the order they appear in the OpenAPI description."""

from __future__ import annotations

from fastapi import APIRouter

ROUTERS: list[APIRouter] = []
