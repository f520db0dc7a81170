"""Small inline SVG charts: no JavaScript, readable in a browser, a PDF and an e-mail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def optional_bar_chart(
    labels: Sequence[str],
    values: Sequence[Decimal | None],
    *,
    shown: Callable[[Decimal | None], str],
    colour: str = "#1f5fbf",
    width: int = 760,
    height: int = 200,
) -> str:
    """Vertical bars where a value may be missing (no bar, the missing mark above the label);
    non-negative values, each shown above its bar by `shown`."""
    known = [v for v in values if v is not None]
    top = max(known, default=Decimal(0)) or Decimal(1)
    slot = width / max(len(values), 1)
    bar_width = slot * 0.6
    plot_height = height - 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_height = 0 if value is None else int(plot_height * value / top)
        x = i * slot + (slot - bar_width) / 2
        y = 20 + plot_height - bar_height
        if value is not None:
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{bar_width:.1f}" height="{bar_height}" '
                f'fill="{colour}"><title>{escape(label)}: {escape(shown(value))}</title></rect>'
            )
        parts.append(
            f'<text x="{x + bar_width / 2:.1f}" y="{y - 5}" text-anchor="middle">'
            f"{escape(shown(value))}</text>"
        )
        parts.append(
            f'<text x="{x + bar_width / 2:.1f}" y="{height - 12}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def small_line_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal | None],
    *,
    shown: Callable[[Decimal | None], str],
    colour: str = "#1f5fbf",
    width: int = 240,
    height: int = 130,
) -> str:
    """A small multiple: one series over a few periods, points joined where both are known, each
    value written beside its point; a missing value leaves a gap."""
    known = [v for v in values if v is not None]
    low, high = min(known, default=Decimal(0)), max(known, default=Decimal(1))
    span = (high - low) or abs(high) or Decimal(1)
    top, bottom, side = 34, height - 22, 28
    step = (width - 2 * side) / max(len(values) - 1, 1)

    def point(i: int, value: Decimal) -> tuple[float, float]:
        share = float((value - low) / span) if high != low else 0.5
        return side + i * step, bottom - share * (bottom - top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
        f'<text x="4" y="14" font-weight="600">{escape(title)}</text>',
        f'<line x1="{side - 8}" y1="{bottom}" x2="{width - side + 8}" y2="{bottom}" '
        'stroke="#dfe3ea"/>',
    ]
    for i in range(1, len(values)):
        previous, current = values[i - 1], values[i]
        if previous is None or current is None:
            continue
        (x1, y1), (x2, y2) = point(i - 1, previous), point(i, current)
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = side + i * step
        if value is not None:
            _, y = point(i, value)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
            parts.append(
                f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle">'
                f"{escape(shown(value))}</text>"
            )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
