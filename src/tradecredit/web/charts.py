"""Small inline SVG charts: no JavaScript, readable in a browser, a PDF and an e-mail."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from tradecredit.web.render import money

BUCKET_COLOURS = ("#7fa7d9", "#f2c14e", "#f29e4c", "#e8703a", "#d1453b", "#8e1b2a")
GRADE_COLOURS = (
    "#2e7d32",
    "#43a047",
    "#7cb342",
    "#c0ca33",
    "#fdd835",
    "#ffb300",
    "#fb8c00",
    "#f4511e",
    "#d32f2f",
    "#6d1b1b",
)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[Decimal],
    *,
    colours: Sequence[str] = BUCKET_COLOURS,
    width: int = 760,
    height: int = 220,
    integers: bool = False,
) -> str:
    """Vertical bars with the value above each; values must be non-negative."""
    shown = (lambda v: f"{int(v):,}") if integers else money
    top = max((v for v in values), default=Decimal(0)) or Decimal(1)
    slot = width / max(len(values), 1)
    bar_width = slot * 0.62
    plot_height = height - 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_height = int(plot_height * value / top)
        x = i * slot + (slot - bar_width) / 2
        y = 20 + plot_height - bar_height
        colour = colours[i % len(colours)]
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{bar_width:.1f}" height="{bar_height}" fill="{colour}">'
            f"<title>{escape(label)}: {shown(value)}</title></rect>"
        )
        parts.append(
            f'<text x="{x + bar_width / 2:.1f}" y="{y - 5}" text-anchor="middle">{shown(value)}</text>'
        )
        parts.append(
            f'<text x="{x + bar_width / 2:.1f}" y="{height - 12}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
