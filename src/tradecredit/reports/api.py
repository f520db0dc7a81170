"""Route: a company's credit report as HTML or PDF. Parse, call the service, render."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from tradecredit.api.deps import ActorDep, SessionDep
from tradecredit.kit.clock import get_clock
from tradecredit.reports.html import render_html
from tradecredit.reports.pdf import render_pdf
from tradecredit.reports.service import build_credit_report

router = APIRouter(tags=["reports"])

MEDIA_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
DOCUMENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the report: an HTML page or a PDF file, as `format` asks",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/companies/{company_id}/report",
    response_class=Response,
    responses=DOCUMENT_RESPONSES,
    summary="A company's credit report, HTML or PDF, in English or Chinese",
)
def company_report(
    company_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf")] = "html",
    lang: Annotated[Literal["en", "zh"], Query(description="en or zh")] = "en",
    as_of: Annotated[date | None, Query(description="report date (default today)")] = None,
) -> Response:
    """Identity, three years of statements with ratios and trends, payment behaviour by
    quarter, events, country and sector risk, peer percentiles, grade, PD and reasons."""
    day = as_of or get_clock().today()
    report = build_credit_report(session, actor=actor, company_id=company_id, as_of=day)
    if format == "pdf":
        body: bytes | str = render_pdf(report, lang)
        reg = re.sub(r"[^A-Za-z0-9._-]", "_", report.identity.registration_number)
        name = f"credit-report-{reg}-{day.isoformat()}-{lang}.pdf"
        headers = {"Content-Disposition": f'inline; filename="{name}"'}
        return Response(body, media_type=MEDIA_TYPES["pdf"], headers=headers)
    return Response(render_html(report, lang), media_type=MEDIA_TYPES["html"])
