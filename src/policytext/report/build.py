"""The :class:`Report` object and the functions that build briefings from documents.

:func:`briefing` turns one partner's :class:`~policytext.alignment.Alignment` into
a :class:`Report`; :func:`comparison` puts several briefings side by side;
:func:`build_briefings` does the whole job for a corpus (resolve the EU and
partner documents, analyse them once, align, summarise) and
:func:`write_reports` writes every report in every format into a folder.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .summarise import ChangeSettings, summarise_briefing, summarise_comparison

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..alignment import AlignConfig, Alignment
    from ..ingest import Corpus
    from ..pipeline import Analyzer
    from ..records import Document

from ..ingest.corpus import resolve_partners  # noqa: E402  (re-exported: it lived here first)

__all__ = ["Report", "FORMATS", "briefing", "comparison", "build_briefings", "resolve_partners", "write_reports"]

#: Output formats and their file suffixes.
FORMATS: dict[str, str] = {"html": ".html", "md": ".md", "docx": ".docx", "json": ".json"}


class Report:
    """A rendered-on-demand report: a plain data dict and its HTML, Markdown, DOCX and JSON renderings.

    Parameters
    ----------
    data : the report's data, from :func:`~policytext.report.summarise.summarise_briefing`
        or :func:`~policytext.report.summarise.summarise_comparison` (``kind`` is
        ``"briefing"`` or ``"comparison"``).

    Examples
    --------
    >>> report = briefing(alignment, eu_docs=eu, partner_docs=docs)   # doctest: +SKIP
    >>> report                       # displays as HTML in Jupyter          # doctest: +SKIP
    >>> report.write("briefings/")   # .html, .md, .docx and .json          # doctest: +SKIP
    """

    def __init__(self, data: Mapping[str, Any]) -> None:
        if data.get("kind") not in ("briefing", "comparison"):
            raise ValueError(f"report data must have kind 'briefing' or 'comparison', got {data.get('kind')!r}")
        self.data = dict(data)

    # identity ------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def title(self) -> str:
        return str(self.data["title"])

    @property
    def stem(self) -> str:
        """File name without suffix: ``briefing-<partner slug>`` or ``comparison``."""
        return f"briefing-{self.data['slug']}" if self.kind == "briefing" else "comparison"

    def __repr__(self) -> str:
        return f"Report(kind={self.kind!r}, title={self.title!r})"

    # renderings -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the report's data (what :meth:`json` serialises)."""
        return copy.deepcopy(self.data)

    def json(self, *, indent: int | None = 2) -> str:
        """The report's data as JSON."""
        return json.dumps(self.data, indent=indent, ensure_ascii=False)

    def html(self) -> str:
        """One self-contained HTML document (inline CSS and SVG, no script, nothing fetched)."""
        from .html import render_html

        return render_html(self.data)

    def markdown(self) -> str:
        """The report as Markdown (all quoted text escaped)."""
        from .markdown import render_markdown

        return render_markdown(self.data)

    def docx(self, *, charts: bool = True):
        """The report as a python-docx ``Document``."""
        from .docx import render_docx

        return render_docx(self.data, charts=charts)

    def _repr_html_(self) -> str:
        from .html import render_fragment

        return render_fragment(self.data)

    # writing -------------------------------------------------------------------
    def write_html(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.html(), encoding="utf-8")
        return path

    def write_markdown(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.markdown(), encoding="utf-8")
        return path

    def write_docx(self, path: str | Path, *, charts: bool = True) -> Path:
        path = Path(path)
        self.docx(charts=charts).save(str(path))
        return path

    def write_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.json() + "\n", encoding="utf-8")
        return path

    def paths(self, folder: str | Path, formats: Sequence[str] = tuple(FORMATS)) -> list[Path]:
        """The files :meth:`write` would write into ``folder``."""
        bad = [f for f in formats if f not in FORMATS]
        if bad:
            raise ValueError(f"unknown report format(s) {bad}; choose from {', '.join(FORMATS)}")
        return [Path(folder) / f"{self.stem}{FORMATS[f]}" for f in formats]

    def write(self, folder: str | Path, *, formats: Sequence[str] = tuple(FORMATS), force: bool = False) -> list[Path]:
        """Write the report into ``folder`` in each of ``formats``; never overwrites without ``force``."""
        targets = self.paths(folder, formats)
        existing = [p for p in targets if p.exists()]
        if existing and not force:
            raise FileExistsError(f"{existing[0]} exists; pass force=True (--force) to overwrite it")
        Path(folder).mkdir(parents=True, exist_ok=True)
        writers = {"html": self.write_html, "md": self.write_markdown, "docx": self.write_docx,
                   "json": self.write_json}
        return [writers[f](p) for f, p in zip(formats, targets)]

    @classmethod
    def from_json(cls, source: str | Path) -> Report:
        """Read a report back from its JSON file (or JSON text)."""
        text = Path(source).read_text(encoding="utf-8") if isinstance(source, Path) or (
            isinstance(source, str) and not source.lstrip().startswith("{")) else source
        return cls(json.loads(text))

    # tables ---------------------------------------------------------------------
    def themes_frame(self) -> pd.DataFrame:
        """The theme table (a briefing) or the partners × themes matrix (a comparison) as a DataFrame."""
        import pandas as pd

        if self.kind == "comparison":
            frame = pd.DataFrame(self.data["matrix"], index=[p["partner"] for p in self.data["partners"]],
                                 columns=[t["theme"] for t in self.data["themes"]], dtype=float)
            frame["overall"] = [p["score"] for p in self.data["partners"]]
            frame.index.name = "partner"
            return frame
        cols = ["theme", "label", "score", "low", "high", "eu_coverage", "partner_coverage", "matched",
                "eu_commitments", "partner_commitments", "parity", "divergences"]
        return pd.DataFrame([{c: r[c] for c in cols} for r in self.data["themes"]], columns=cols)

    def talking_points_frame(self) -> pd.DataFrame:
        """Talking points with the references of their quotes."""
        import pandas as pd

        cols = ["id", "kind", "theme", "verb", "text", "refs"]
        return pd.DataFrame([{c: p[c] for c in cols} for p in self.data.get("talking_points", [])], columns=cols)

    def annex_frame(self) -> pd.DataFrame:
        """Every quote of the briefing with its reference, document, page and paragraph."""
        import pandas as pd

        cols = ["ref", "side", "doc_id", "page", "paragraph", "anchor", "strength", "text"]
        return pd.DataFrame([{c: q[c] for c in cols} for q in self.data.get("annex", [])], columns=cols)


def briefing(
    alignment: Alignment,
    *,
    eu_docs: Sequence[Document] = (),
    partner_docs: Sequence[Document] = (),
    analyzer: Analyzer | None = None,
    labels: Mapping[str, str] | None = None,
    change: ChangeSettings | None = None,
) -> Report:
    """A dialogue briefing for one partner.

    Parameters
    ----------
    alignment : the partner's alignment with the EU reference.
    eu_docs, partner_docs : the documents behind it (for titles and dates).
    analyzer : the :class:`~policytext.pipeline.Analyzer` that aligned them; with it (and
        ``partner_docs``), the briefing reports change over time between the partner's
        dated documents (cached analyses are reused).
    labels : theme id -> label.
    change : settings of the change-over-time matching.
    """
    analyzed, eu_analyzed = [], []
    if analyzer is not None and partner_docs:  # on the backend the alignment used (cached)
        route = analyzer.backend_for(list(eu_docs) + list(partner_docs))
        analyzed = analyzer.analyze_many(list(partner_docs), backend=route)
        eu_analyzed = analyzer.analyze_many(list(eu_docs), backend=route) if eu_docs else []
    data = summarise_briefing(alignment, eu_meta=[d.meta for d in eu_docs], partner_meta=[d.meta for d in partner_docs],
                              analyzed=analyzed, eu_analyzed=eu_analyzed, labels=labels, change=change)
    return Report(data)


def comparison(reports: Sequence[Report], *, link: bool = True) -> Report:
    """Several partners' briefings side by side (overall scores, partners × themes heatmap)."""
    briefings = [r.data for r in reports if r.kind == "briefing"]
    files = {r.data["partner"]: f"{r.stem}.html" for r in reports} if link else None
    return Report(summarise_comparison(briefings, files=files))


def build_briefings(
    corpus: Corpus,
    eu: Sequence[str],
    partners: Sequence[str],
    *,
    analyzer: Analyzer | None = None,
    config: AlignConfig | None = None,
    change: ChangeSettings | None = None,
    signed: bool = False,
) -> tuple[list[Report], Report | None]:
    """Briefings for partners of a corpus, and a comparison when there are several.

    Parameters
    ----------
    corpus : a loaded corpus (:func:`policytext.load_corpus`).
    eu : ids of the EU reference documents.
    partners : partner document ids or partner names (see :func:`resolve_partners`).
    analyzer : reuse an analyzer (models loaded once); a new one by default.
    config : alignment settings.
    change : settings of the change-over-time matching.
    signed : a partner named by name also gets the documents of others it signed (a G7 communiqué for
        Japan); see :func:`resolve_partners`.

    Returns
    -------
    (briefings, comparison)
        one :class:`Report` per partner, and a comparison ``Report`` (``None`` for one partner).
    """
    from ..pipeline import Analyzer, align_many

    missing = [i for i in eu if i not in corpus]
    if missing:
        raise KeyError(f"--eu {missing[0]!r} is not a document id of the corpus; ids: "
                       f"{', '.join(d.doc_id for d in corpus)}")
    if not partners:
        raise ValueError("name at least one partner (a document id or a partner name)")
    eu_docs = [corpus[i] for i in eu]
    groups = resolve_partners(corpus, partners, exclude=eu, signed=signed)
    analyzer = analyzer or Analyzer()
    alignments = align_many(eu_docs, groups, config=config, analyzer=analyzer)  # the scores `align` gives
    reports = [
        briefing(result, eu_docs=eu_docs, partner_docs=docs, analyzer=analyzer, change=change)
        for result, docs in zip(alignments, groups.values())
    ]
    return reports, (comparison(reports) if len(reports) > 1 else None)


def write_reports(
    reports: Sequence[Report],
    out: str | Path,
    *,
    formats: Sequence[str] = tuple(FORMATS),
    force: bool = False,
) -> list[Path]:
    """Write reports into ``out`` in every format; checks all targets before writing any.

    Raises
    ------
    FileExistsError
        when a target exists and ``force`` is false (nothing is written then).
    """
    targets = [p for r in reports for p in r.paths(out, formats)]
    stems = [r.stem for r in reports]
    if len(set(stems)) != len(stems):
        raise ValueError(f"two reports would share a file name: {stems}")
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists; pass --force to overwrite it")
    written: list[Path] = []
    for r in reports:
        written += r.write(out, formats=formats, force=True)
    return written
