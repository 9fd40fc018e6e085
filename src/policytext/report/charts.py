"""Inline SVG charts for HTML briefings: no script, no font or file to fetch.

Every text placed in an SVG (theme labels, partner names) is escaped, so a
label can never turn into markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from ..formatting import shorten

__all__ = ["theme_bars_svg", "heatmap_svg", "score_colour"]

_FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"


def score_colour(score: float | None) -> str:
    """Fill colour of a 0–100 score on a light-to-dark blue scale (grey when not scored)."""
    if score is None:
        return "#e5e7eb"
    x = max(0.0, min(1.0, score / 100.0))
    low, high = (239, 246, 255), (30, 64, 175)
    r, g, b = (round(lo + (hi - lo) * x) for lo, hi in zip(low, high))
    return f"#{r:02x}{g:02x}{b:02x}"


def _clip(text: str, limit: int = 44) -> str:
    return shorten(text, limit)


def _text_colour(score: float | None) -> str:
    return "#ffffff" if score is not None and score >= 55 else "#111827"


def theme_bars_svg(themes: Sequence[Mapping[str, Any]], *, title: str = "Alignment by theme",
                   level: float = 0.9) -> str:
    """Horizontal bars of theme scores (0–100) with interval whiskers.

    Parameters
    ----------
    themes : rows with ``label``, ``score``, ``low``, ``high`` (as in a briefing's ``themes``);
        rows without a score are drawn as "not addressed by the EU".
    title : accessible title of the chart.
    level : the interval's level, for the caption.

    Returns
    -------
    str
        An ``<svg>`` element (``role="img"``) with a ``<title>``; width scales with its container.
    """
    row_h, label_w, plot_w, top, right = 22, 300, 440, 28, 40
    height = top + row_h * max(1, len(themes)) + 34
    width = label_w + plot_w + right
    x0 = label_w

    def x(v: float) -> float:
        return x0 + plot_w * max(0.0, min(100.0, v)) / 100.0

    parts = [
        f'<svg class="chart chart-bars" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px;{_FONT}" '
        f'aria-labelledby="bars-title">',
        f'<title id="bars-title">{escape(title)}</title>',
    ]
    for tick in range(0, 101, 25):
        parts.append(f'<line x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" y2="{height - 30}" '
                     'stroke="#d1d5db" stroke-width="1"/>')
        parts.append(f'<text x="{x(tick):.1f}" y="{height - 16}" font-size="11" text-anchor="middle" '
                     f'fill="#4b5563">{tick}</text>')
    for i, row in enumerate(themes):
        y = top + i * row_h
        label = escape(str(row.get("label", row.get("theme", ""))))
        parts.append(f'<text x="{label_w - 8}" y="{y + 14}" font-size="12" text-anchor="end" fill="#111827">'
                     f'<title>{label}</title>{escape(_clip(str(row.get("label", row.get("theme", "")))))}</text>')
        score = row.get("score")
        if score is None:
            parts.append(f'<text x="{x0 + 4}" y="{y + 14}" font-size="11" fill="#6b7280" font-style="italic">'
                         'not addressed by the EU reference</text>')
            continue
        parts.append(f'<rect class="bar" x="{x0}" y="{y + 4}" width="{x(score) - x0:.1f}" height="{row_h - 8}" '
                     f'fill="{score_colour(max(score, 35))}"><title>{label}: {score:.0f}</title></rect>')
        low, high = row.get("low"), row.get("high")
        if low is not None and high is not None:
            ym = y + row_h / 2
            parts.append(f'<g class="whisker" stroke="#111827" stroke-width="1.4">'
                         f'<line x1="{x(low):.1f}" y1="{ym:.1f}" x2="{x(high):.1f}" y2="{ym:.1f}"/>'
                         f'<line x1="{x(low):.1f}" y1="{ym - 5:.1f}" x2="{x(low):.1f}" y2="{ym + 5:.1f}"/>'
                         f'<line x1="{x(high):.1f}" y1="{ym - 5:.1f}" x2="{x(high):.1f}" y2="{ym + 5:.1f}"/></g>')
        parts.append(f'<text x="{x(max(score, high or score)) + 6:.1f}" y="{y + 14}" font-size="11" '
                     f'fill="#111827">{score:.0f}</text>')
    parts.append(f'<text x="{x0}" y="{top - 12}" font-size="11" fill="#4b5563">score 0–100; whiskers: '
                 f'{int(round(level * 100))}% interval</text>')
    parts.append("</svg>")
    return "".join(parts)


def heatmap_svg(partners: Sequence[str], themes: Sequence[str], matrix: Sequence[Sequence[float | None]], *,
                title: str = "Alignment: partners by theme") -> str:
    """A partners × themes heatmap of scores (0–100), with the value in each cell.

    Parameters
    ----------
    partners : row labels.
    themes : column labels (drawn rotated).
    matrix : ``len(partners)`` rows of ``len(themes)`` scores (``None``: not scored).
    title : accessible title of the chart.
    """
    cell_w, cell_h, label_w, head_h = 40, 26, 210, 150
    width = label_w + cell_w * max(1, len(themes)) + 100
    height = head_h + cell_h * max(1, len(partners)) + 10
    parts = [
        f'<svg class="chart chart-heatmap" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px;{_FONT}" '
        f'aria-labelledby="heatmap-title">',
        f'<title id="heatmap-title">{escape(title)}</title>',
    ]
    for j, theme in enumerate(themes):
        cx = label_w + j * cell_w + cell_w / 2
        parts.append(f'<text transform="translate({cx:.1f},{head_h - 6}) rotate(-55)" font-size="11" '
                     f'fill="#111827">{escape(_clip(str(theme), 26))}</text>')
    for i, partner in enumerate(partners):
        y = head_h + i * cell_h
        parts.append(f'<text x="{label_w - 8}" y="{y + cell_h / 2 + 4:.1f}" font-size="12" text-anchor="end" '
                     f'fill="#111827"><title>{escape(str(partner))}</title>{escape(_clip(str(partner), 28))}</text>')
        for j, theme in enumerate(themes):
            v = matrix[i][j]
            x = label_w + j * cell_w
            tip = f"{escape(str(partner))} / {escape(str(theme))}: {'–' if v is None else f'{v:.0f}'}"
            parts.append(f'<rect class="cell" x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                         f'fill="{score_colour(v)}"><title>{tip}</title></rect>')
            parts.append(f'<text x="{x + cell_w / 2 - 1:.1f}" y="{y + cell_h / 2 + 3:.1f}" font-size="10" '
                         f'text-anchor="middle" fill="{_text_colour(v)}">{"–" if v is None else f"{v:.0f}"}</text>')
    parts.append("</svg>")
    return "".join(parts)
