"""Render a briefing or comparison dict as one self-contained HTML file.

Jinja2 with ``autoescape=True`` renders every value as text; the only markup
inserted as such is the SVG of :mod:`policytext.report.charts`, which escapes
its own labels.  CSS is inline, there is no script, font or image to fetch, so
the file opens offline and prints to PDF with sensible page breaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .charts import heatmap_svg, theme_bars_svg

__all__ = ["render_html", "render_fragment"]


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("policytext.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )


def _charts(data: Mapping[str, Any]) -> dict[str, Any]:
    from markupsafe import Markup

    if data["kind"] == "comparison":
        bars = [{"label": p["partner"], "score": p["score"], "low": p["low"], "high": p["high"]}
                for p in data["partners"]]
        return {
            "bars_svg": Markup(theme_bars_svg(bars, title="Overall alignment by partner",
                                              level=data["methods"]["config"].get("interval", 0.9))),
            "heatmap_svg": Markup(heatmap_svg([p["partner"] for p in data["partners"]],
                                              [t["label"] for t in data["themes"]], data["matrix"])),
        }
    return {"bars_svg": Markup(theme_bars_svg(data["themes"], title=f"Alignment by theme: {data['partner']}",
                                              level=data["overall"].get("level", 0.9)))}


def render_html(data: Mapping[str, Any]) -> str:
    """The whole HTML document of a briefing (``kind="briefing"``) or comparison."""
    template = _env().get_template(f"{data['kind']}.html.j2")
    return template.render(data=data, **_charts(data))


def render_fragment(data: Mapping[str, Any]) -> str:
    """The report as an HTML fragment (its ``<style>`` and ``<main>``), for Jupyter."""
    page = render_html(data)
    start, end = page.index("<style>"), page.index("</style>") + len("</style>")
    body_start, body_end = page.index("<main"), page.index("</main>") + len("</main>")
    return page[start:end] + page[body_start:body_end]
