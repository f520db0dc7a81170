"""Every domain router, in the order they appear in the OpenAPI description."""

from __future__ import annotations

from fastapi import APIRouter

from tradecredit.analytics.api import router as analytics_router
from tradecredit.companies.api import router as companies_router
from tradecredit.decisions.api import router as decisions_router
from tradecredit.exposure.api import router as exposure_router
from tradecredit.fx.api import router as fx_router
from tradecredit.gates.api import router as gates_router
from tradecredit.limits.api import router as limits_router
from tradecredit.orders.api import router as orders_router
from tradecredit.organisations.api import router as organisations_router
from tradecredit.receivables.api import router as receivables_router
from tradecredit.reports.api import router as reports_router
from tradecredit.risk.api import router as risk_router
from tradecredit.scoring.api import router as scoring_router

ROUTERS: list[APIRouter] = [decisions_router]
"""First: requests are matched against the routers in this order, and POST /v1/decisions is the
hot route (instant checkout decisions; bench/decisions.py)."""
ROUTERS += [organisations_router, companies_router, receivables_router]
ROUTERS += [fx_router, analytics_router]
ROUTERS += [risk_router]
ROUTERS += [scoring_router]
ROUTERS += [orders_router, exposure_router]
ROUTERS += [reports_router]
ROUTERS += [limits_router]
ROUTERS += [gates_router]
