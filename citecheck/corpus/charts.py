"""Small self-contained SVG charts for the corpus summary: no script, no font or style fetched
from anywhere, readable in a browser, an image viewer, or embedded in an HTML page.

- `bar_chart`: horizontal bars, one per labelled value (findings by rule, papers);
- `histogram`: vertical bars over ordered bins (unresolved references per paper).

Text is escaped; values are drawn to scale from zero, with the value written at each bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["bar_chart", "histogram"]

_FONT = "font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:12px"
_BAR = "#3b6ea8"
_MUTED = "#555"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def bar_chart(title: str, items: Sequence[tuple[str, float]], width: int = 720, label_width: int = 260) -> str:
    """Horizontal bars: `items` as (label, value), drawn in the order given."""
    row, top = 22, 34
    height = top + row * max(1, len(items)) + 12
    largest = max((value for _, value in items), default=0) or 1
    span = width - label_width - 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" style="{_FONT}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" style="font-size:14px;font-weight:600">{escape(title)}</text>',
    ]
    if not items:
        parts.append(f'<text x="0" y="{top + 14}" fill="{_MUTED}">nothing to show</text>')
    for index, (label, value) in enumerate(items):
        y = top + index * row
        length = max(1.0, span * value / largest) if value else 0.0
        shown = label if len(label) <= 42 else label[:41] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{escape(shown)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" fill="{_BAR}">'
                     f"<title>{escape(label)}: {_number(value)}</title></rect>")
        parts.append(f'<text x="{label_width + length + 4:.1f}" y="{y + 14}" fill="{_MUTED}">{_number(value)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def histogram(title: str, bins: Sequence[tuple[str, int]], x_label: str, y_label: str,
              width: int = 720, height: int = 280) -> str:
    """Vertical bars over ordered bins (label, count)."""
    left, bottom, top = 56, 44, 34
    plot_height = height - top - bottom
    largest = max((count for _, count in bins), default=0) or 1
    slot = (width - left - 10) / max(1, len(bins))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" style="{_FONT}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" style="font-size:14px;font-weight:600">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - 10}" y2="{top + plot_height}" stroke="{_MUTED}"/>',
        f'<text x="{left + (width - left) / 2:.0f}" y="{height - 6}" text-anchor="middle" fill="{_MUTED}">'
        f"{escape(x_label)}</text>",
        f'<text x="14" y="{top + plot_height / 2:.0f}" text-anchor="middle" fill="{_MUTED}" '
        f'transform="rotate(-90 14 {top + plot_height / 2:.0f})">{escape(y_label)}</text>',
    ]
    for index, (label, count) in enumerate(bins):
        bar = plot_height * count / largest
        x = left + index * slot + slot * 0.15
        y = top + plot_height - bar
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" fill="{_BAR}">'
                     f"<title>{escape(label)}: {count:,}</title></rect>")
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="{_MUTED}">'
                     f"{count:,}</text>")
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{top + plot_height + 16}" text-anchor="middle">'
                     f"{escape(label)}</text>")
    parts.append("</svg>")
    return "\n".join(parts)
