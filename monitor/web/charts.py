"""Server-rendered SVG charts: daily bars for a page, and a sparkline for a table cell.

No charting library and no script: the browser draws the SVG as it arrives, and every bar has a
<title> so hovering shows the day and the count. Colours come from the stylesheet (classes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup


def daily_bars(
    days: Sequence[str], counts: Mapping[str, int], *, label: str, width: int = 640,
    height: int = 140,
) -> Markup:
    """Bars per day, oldest on the left, with the peak value and the first/last day written."""
    values = [counts.get(day, 0) for day in days]
    peak = max(values, default=0) or 1
    top, bottom = 14, 18
    span = height - top - bottom
    step = width / max(len(days), 1)
    bars = []
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        h = round(span * value / peak, 1)
        x = round(i * step + step * 0.1, 1)
        bars.append(
            f'<rect class="bar" x="{x}" y="{round(top + span - h, 1)}" '
            f'width="{round(step * 0.8, 1)}" height="{h}"><title>{escape(day)}: {value}</title>'
            "</rect>"
        )
    first = escape(days[0]) if days else ""
    last = escape(days[-1]) if days else ""
    total = sum(values)
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-label="{escape(label)}: {total} in {len(days)} days">'
        f'<text class="axis" x="0" y="10">{escape(label)} · peak {max(values, default=0)}'
        f"/day · total {total}</text>"
        + "".join(bars)
        + f'<line class="base" x1="0" x2="{width}" y1="{top + span}" y2="{top + span}"/>'
        f'<text class="axis" x="0" y="{height - 4}">{first}</text>'
        f'<text class="axis" x="{width}" y="{height - 4}" text-anchor="end">{last}</text>'
        "</svg>"
    )


def sparkline(days: Sequence[str], counts: Mapping[str, int], *, width: int = 140,
              height: int = 28) -> Markup:
    """A small bar strip for a table cell; the tooltip gives each day's count."""
    values = [counts.get(day, 0) for day in days]
    peak = max(values, default=0) or 1
    step = width / max(len(days), 1)
    bars = "".join(
        f'<rect class="bar" x="{round(i * step, 1)}" y="{round(height - height * v / peak, 1)}" '
        f'width="{round(max(step - 1, 1), 1)}" height="{round(height * v / peak, 1)}">'
        f"<title>{escape(day)}: {v}</title></rect>"
        for i, (day, v) in enumerate(zip(days, values, strict=True))
    )
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{sum(values)} posts in {len(days)} days">{bars}</svg>'
    )
