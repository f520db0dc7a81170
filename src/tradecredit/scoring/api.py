"""Routes: a buyer's score, and scoring posted figures. Parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from tradecredit.api.deps import ActorDep, SessionDep
from tradecredit.scoring import scores
from tradecredit.scoring.overlays import EventFact
from tradecredit.scoring.schemas import ReasonOut, ScoreOut, ScoreRequest

router = APIRouter(tags=["scoring"])


def score_out(result: scores.ScoreResult, *, stored: bool, posted: bool = False) -> ScoreOut:
    return ScoreOut(
        company_id=None if posted else result.company_id,
        model_version=result.model_version,
        as_of=result.as_of,
        pd=result.pd,
        grade=result.grade,
        reasons=[
            ReasonOut(code=r.code, text_en=r.text_en, text_zh=r.text_zh) for r in result.reasons
        ],
        inputs_hash=result.inputs_hash,
        stored=stored,
    )


@router.get(
    "/companies/{company_id}/score",
    response_model=ScoreOut,
    summary="A buyer's PD, grade 1-10 and reasons as of a date",
)
def company_score(
    company_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    as_of: Annotated[date, Query(description="the scoring date, YYYY-MM-DD")],
) -> ScoreOut:
    """The latest stored score for that date (`stored: true`); without one, the score computed
    now from the ledger, not stored (`stored: false`)."""
    found = scores.company_score(session, actor=actor, company_id=company_id, as_of=as_of)
    return score_out(found.result, stored=found.stored)


@router.post(
    "/scores",
    response_model=ScoreOut,
    summary="Score posted statement lines and behaviour figures, without storing",
)
def score_posted(data: ScoreRequest, session: SessionDep, actor: ActorDep) -> ScoreOut:
    """Statement lines in major units (ratios are computed, never posted), optional payment
    behaviour, events and founding date. Nothing is stored; with `sector`, reasons quote the portfolio's median
    for that NACE section."""
    result = scores.score_posted(
        session,
        actor=actor,
        as_of=data.as_of,
        sector=data.sector,
        status=data.status,
        lines=dict(data.statement),
        behaviour=dict(data.behaviour),
        events=[EventFact(e.kind, e.event_date, e.severity) for e in data.events],
        founded=data.founded,
    )
    return score_out(result, stored=False, posted=True)
