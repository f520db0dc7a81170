"""Imports every domain's tables so that `Base.metadata` is complete (Alembic, tests)."""

from tradecredit.audit import models as audit_models
from tradecredit.companies import models as companies_models
from tradecredit.db.base import Base
from tradecredit.decisions import models as decisions_models
from tradecredit.exposure import models as exposure_models
from tradecredit.fx import models as fx_models
from tradecredit.gates import models as gates_models
from tradecredit.idempotency import models as idempotency_models
from tradecredit.limits import models as limits_models
from tradecredit.orders import models as orders_models
from tradecredit.organisations import models as organisations_models
from tradecredit.receivables import models as receivables_models
from tradecredit.risk import models as risk_models
from tradecredit.scoring import models as scoring_models

__all__ = [
    "Base",
    "audit_models",
    "companies_models",
    "decisions_models",
    "exposure_models",
    "fx_models",
    "gates_models",
    "idempotency_models",
    "limits_models",
    "orders_models",
    "organisations_models",
    "receivables_models",
    "risk_models",
    "scoring_models",
]
