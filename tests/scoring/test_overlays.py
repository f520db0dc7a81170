from __future__ import annotations

from datetime import date

import pytest

from tradecredit.scoring.overlays import (
    EventFact,
    OverlayParameters,
    apply_overlays,
    months_before,
)

AS_OF = date(2026, 3, 31)


def overlaid(grade: int, *events: EventFact, status: str = "active") -> tuple[int, list[str]]:
    result = apply_overlays(grade, events=events, status=status, as_of=AS_OF)
    return result.grade, [reason.code for reason in result.reasons]


def test_no_events_leave_the_grade() -> None:
    assert overlaid(3) == (3, [])


def test_insolvency_filing_forces_10_even_for_grade_1() -> None:
    grade, codes = overlaid(1, EventFact("insolvency_filing", date(2019, 1, 1), 5))
    assert (grade, codes) == (10, ["overlay_insolvency_filing"])


def test_status_insolvent_forces_10() -> None:
    assert overlaid(2, status="insolvent") == (10, ["overlay_status_insolvent"])


def test_a_filing_after_the_as_of_date_is_not_known_yet() -> None:
    assert overlaid(2, EventFact("insolvency_filing", date(2026, 4, 1), 5)) == (2, [])


def test_judgment_within_24_months_caps_at_7() -> None:
    inside = EventFact("court_judgment", date(2024, 4, 1), 2)
    assert overlaid(2, inside) == (7, ["overlay_court_judgment"])
    assert overlaid(8, inside) == (8, ["overlay_court_judgment"])


def test_judgment_exactly_24_months_old_is_outside_the_window() -> None:
    assert overlaid(2, EventFact("court_judgment", date(2024, 3, 31), 2)) == (2, [])


def test_severe_incident_within_12_months_caps_at_6() -> None:
    assert overlaid(1, EventFact("payment_incident", date(2025, 4, 1), 4)) == (
        6,
        ["overlay_payment_incident"],
    )
    assert overlaid(1, EventFact("payment_incident", date(2025, 3, 31), 5)) == (1, [])


def test_mild_incident_does_not_cap() -> None:
    assert overlaid(1, EventFact("payment_incident", date(2026, 1, 1), 3)) == (1, [])


def test_judgment_and_incident_both_give_reasons_and_the_worse_floor() -> None:
    grade, codes = overlaid(
        2,
        EventFact("payment_incident", date(2026, 1, 1), 5),
        EventFact("court_judgment", date(2025, 6, 1), 1),
    )
    assert grade == 7
    assert codes == ["overlay_court_judgment", "overlay_payment_incident"]


def test_reasons_carry_english_and_chinese() -> None:
    result = apply_overlays(
        1, events=[EventFact("court_judgment", date(2025, 6, 1), 1)], status="active", as_of=AS_OF
    )
    (reason,) = result.reasons
    assert "2025-06-01" in reason.text_en
    assert "no better than 7" in reason.text_en
    assert "2025-06-01" in reason.text_zh
    assert "法院判决" in reason.text_zh


def test_parameters_change_the_rule() -> None:
    strict = OverlayParameters(judgment_months=36, judgment_floor=8)
    result = apply_overlays(
        1,
        events=[EventFact("court_judgment", date(2023, 6, 1), 1)],
        status="active",
        as_of=AS_OF,
        parameters=strict,
    )
    assert result.grade == 8


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 24, date(2024, 3, 31)),
        (date(2024, 2, 29), 12, date(2023, 2, 28)),
        (date(2026, 1, 15), 6, date(2025, 7, 15)),
    ],
)
def test_months_before(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected
