"""Reports: dialogue briefings and partner comparisons, as HTML, Markdown, DOCX and JSON.

Reports are data first (STYLE.md): :mod:`~policytext.report.summarise` turns
alignments into a plain dict (the JSON output); :mod:`~policytext.report.html`
(Jinja2, autoescaped, inline CSS and SVG from :mod:`~policytext.report.charts`),
:mod:`~policytext.report.markdown` and :mod:`~policytext.report.docx` render it.
:class:`Report` bundles the dict and its renderings and displays as HTML in
Jupyter; :mod:`~policytext.report.plots` draws matplotlib figures for notebooks.

Examples
--------
>>> import policytext
>>> from policytext.report import build_briefings, write_reports
>>> corpus = policytext.load_corpus("corpora/demo")                          # doctest: +SKIP
>>> reports, comp = build_briefings(corpus, ["eu-digital-strategy"],
...                                 ["veloria-eu-joint-statement", "ostmark-national-strategy"])  # doctest: +SKIP
>>> write_reports(reports + [comp], "briefings/")                            # doctest: +SKIP
"""

from __future__ import annotations

from .build import FORMATS, Report, briefing, build_briefings, comparison, resolve_partners, write_reports
from .summarise import ChangeSettings, commitment_changes, summarise_briefing, summarise_comparison

__all__ = [
    "Report",
    "FORMATS",
    "briefing",
    "comparison",
    "build_briefings",
    "resolve_partners",
    "write_reports",
    "ChangeSettings",
    "commitment_changes",
    "summarise_briefing",
    "summarise_comparison",
    "plot_alignment",
    "plot_heatmap",
]


def __getattr__(name: str):
    # matplotlib loads only when a plot function is asked for.
    if name in ("plot_alignment", "plot_heatmap"):
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module 'policytext.report' has no attribute {name!r}")
