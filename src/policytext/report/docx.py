"""Render a briefing or comparison dict as a Word document (python-docx).

The document has the same sections (as ``Heading 1``) and the same quote
references as the HTML: every annex entry carries a bookmark named after its
reference (``Q3``), and every citation is an internal hyperlink to it.  Charts
are added as PNG images when matplotlib is installed (the theme table carries
the same numbers either way).  python-docx writes text runs, never markup, so
quoted text cannot turn into anything but text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..alignment import EVIDENCE_KINDS
from ..formatting import number, percent

__all__ = ["render_docx", "write_docx"]

# XML 1.0 forbids most control characters; python-docx raises on them.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _t(value: Any) -> str:
    return _XML_BAD.sub("", "" if value is None else str(value))


class _Writer:
    def __init__(self) -> None:
        from docx import Document

        self.doc = Document()
        self._bookmark_id = 0

    # low-level helpers -------------------------------------------------------------
    def heading(self, text: str, level: int) -> None:
        self.doc.add_heading(_t(text), level=level)

    def para(self, text: str = "", *, style: str | None = None, bold_prefix: str = ""):
        p = self.doc.add_paragraph(style=style)
        if bold_prefix:
            p.add_run(_t(bold_prefix)).bold = True
        if text:
            p.add_run(_t(text))
        return p

    def link(self, paragraph, ref: str, text: str) -> None:
        """An internal hyperlink to bookmark ``ref``."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), ref)
        run = OxmlElement("w:r")
        props = OxmlElement("w:rPr")
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), "1D4ED8")
        props.append(colour)
        underline = OxmlElement("w:u")
        underline.set(qn("w:val"), "single")
        props.append(underline)
        run.append(props)
        node = OxmlElement("w:t")
        node.text = _t(text)
        node.set(qn("xml:space"), "preserve")
        run.append(node)
        link.append(run)
        paragraph._p.append(link)

    def bookmark(self, paragraph, name: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        self._bookmark_id += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self._bookmark_id))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self._bookmark_id))
        paragraph._p.insert(0, start)
        paragraph._p.append(end)

    def cite(self, paragraph, q: Mapping[str, Any]) -> None:
        paragraph.add_run(" ")
        self.link(paragraph, q["ref"], f"[{q['ref']}: {q['anchor']}]")

    def refs(self, paragraph, refs: Sequence[str]) -> None:
        for r in refs:
            paragraph.add_run(" ")
            self.link(paragraph, r, f"[{r}]")

    def quote(self, q: Mapping[str, Any], side: str) -> None:
        p = self.doc.add_paragraph(style="Quote")
        strength = f" ({q['strength']})" if q.get("strength") else ""
        p.add_run(_t(f"{q.get('voice') or side}{strength}: ")).bold = True
        p.add_run(_t(f"“{q['text']}”"))
        self.cite(p, q)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header):
            cell.text = ""
            cell.paragraphs[0].add_run(_t(text)).bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row):
                cell.text = _t(value)

    def picture(self, figure_bytes: bytes | None) -> None:
        if figure_bytes:
            from docx.shared import Inches

            self.doc.add_picture(io.BytesIO(figure_bytes), width=Inches(6.3))

    def methods(self, m: Mapping[str, Any]) -> None:
        self.para(m["note"])
        for x in m["models"]:
            pkg = f" ({x['package']})" if x["package"] else ""
            self.para(f"{x['kind']}: {x['name']} {x['version']}{pkg}", style="List Bullet")
        self.para(f"policytext {m['policytext']}", style="List Bullet")
        self.table(["setting", "value"], [(k, v) for k, v in m["config"].items()])


def _figure_png(data: Mapping[str, Any]) -> bytes | None:
    """The chart as PNG bytes, or ``None`` without matplotlib."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return None
    from .plots import plot_rows

    if data["kind"] == "comparison":
        rows = [{"label": p["partner"], "score": p["score"], "low": p["low"], "high": p["high"]} for p in data["partners"]]
        title = "Overall alignment by partner"
    else:
        rows = [t for t in data["themes"]]
        title = f"Alignment by theme: {data['partner']}"
    fig = plot_rows(rows, title=title)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    return buf.getvalue()


def render_docx(data: Mapping[str, Any], *, charts: bool = True):
    """The report as a :class:`docx.document.Document` (save it with ``.save(path)``)."""
    w = _Writer()
    png = _figure_png(data) if charts else None
    if data["kind"] == "comparison":
        _comparison(w, data, png)
    else:
        _briefing(w, data, png)
    return w.doc


def write_docx(data: Mapping[str, Any], path: str | Path, *, charts: bool = True) -> Path:
    """Write the report as a ``.docx`` file and return its path."""
    path = Path(path)
    render_docx(data, charts=charts).save(str(path))
    return path


def _kinds(k: Mapping[str, int]) -> str:
    return " / ".join(str(k.get(x, 0)) for x in EVIDENCE_KINDS)


def _briefing(w: _Writer, d: Mapping[str, Any], png: bytes | None) -> None:
    titles = {s["id"]: s["title"] for s in d["sections"]}
    w.doc.add_heading(_t(d["title"]), level=0)
    docs = ", ".join(x["doc_id"] + (f" ({x['date']})" if x.get("date") else "") for x in d["partner_documents"])
    w.para(f"Partner documents: {docs}. EU reference: {', '.join(x['doc_id'] for x in d['eu_documents'])}.")

    s = d["summary"]
    w.heading(titles["summary"], 1)
    w.para(s["headline"]).runs[0].bold = True
    w.para(s["basis"])
    if s["warnings"]:
        w.heading("Read first", 2)
        for text in s["warnings"]:
            w.para(f"⚠ {text}", style="List Bullet")
    w.heading("Strongest convergences", 2)
    for c in s["convergences"]:
        p = w.para(f": {number(c['score'])} (interval {c['interval']})", style="List Bullet", bold_prefix=c["label"])
        w.refs(p, c["refs"])
    if not s["convergences"]:
        w.para("No theme with a matched commitment.")
    w.heading("Main gaps", 2)
    for g in s["gaps"]:
        w.refs(w.para(": " + d["summary"].get("gap_note", "the partner says nothing on it"), style="List Bullet",
                      bold_prefix=g["label"]),
               g["refs"])
    if not s["gaps"]:
        w.para("None: the partner-side documents speak to every theme the EU reference addresses.")
    if s["weak"]:
        w.heading("Weakest matches", 2)
        for x in s["weak"]:
            how = "names it only in passing or through others" if x["status"] == "mentioned" else "addresses it"
            w.para(f": {number(x['score'])} (the partner {how}, no shared undertaking)", style="List Bullet",
                   bold_prefix=x["label"])
    w.heading("Divergences", 2)
    for x in s["divergences"]:
        w.para(f": {x['count']} divergent pair(s)", style="List Bullet", bold_prefix=x["label"])
    if not s["divergences"]:
        w.para("No divergence found.")

    w.heading(titles["sources"], 1)
    w.table(["side", "document", "authors", "relation", "date", "complete", "words", "status",
             "sentences own / co-signed / agreed / third"],
            [(x["side"], x["doc_id"] + (f" — {x['title']}" if x.get("title") else ""), x["authors"], x["relation"],
              x["date"], x["complete"], number(x["words"]), x["status"] or "–",
              _kinds(x["sentences"]) if x["side"] == "partner" else "–") for x in d["sources"]])

    w.heading(titles["themes"], 1)
    w.picture(png)
    w.table(["theme", "status", "score", "interval", "own-text score", "partner sentences own / co-signed / agreed / third",
             "EU sentences", "close matches", "commitments EU / partner", "firmness parity", "divergent pairs"],
            [(t["label"], t["status"], number(t["score"]), t["interval"], number(t["own_score"]),
              _kinds(t["partner_kinds"]), t["eu_sentences"], t["matched"],
              f"{t['eu_commitments']} / {t['partner_commitments']}", percent(t["parity"]), t["divergences"])
             for t in d["themes"]])
    w.para("“–”: the EU reference does not address the theme (own-text score: the partner has no text of its own on "
           "it). Status: shared (an undertaking on each side naming the same things), addressed (the partner speaks to it, no shared undertaking), mentioned (named in "
           "passing), absent (nothing on it in the partner-side documents). Thin evidence: fewer than 3 sentences on "
           "one side.")

    w.heading(titles["talking-points"], 1)
    for p in d["talking_points"]:
        para = w.para(f" {p['text']}", style="List Number", bold_prefix=p["verb"])
        w.bookmark(para, p["id"])
        w.refs(para, p["refs"])
    if not d["talking_points"]:
        w.para("The evidence suggests no talking point.")

    w.heading(titles["shared"], 1)
    theme = None
    for x in d["shared"]:
        if x["theme"] != theme:
            theme = x["theme"]
            w.heading(x["label"], 2)
        w.quote(x["eu"], "EU")
        w.quote(x["partner"], "Partner")
    if not d["shared"]:
        w.para("No shared undertaking: no EU undertaking has a partner undertaking naming the same things.")

    w.heading(titles["gaps"], 1)
    for g in d["gaps"]:
        w.heading(g["label"], 2)
        note = d["summary"].get("gap_note", "the partner says nothing on it")
        w.para(note[:1].upper() + note[1:] + ". The EU says:")
        for q in g["quotes"]:
            w.quote(q, "EU")
    if not d["gaps"]:
        w.para("None: the partner-side documents speak to every theme the EU reference addresses.")
    if d["weak"]:
        w.heading("Addressed, but no shared undertaking", 2)
        for x in d["weak"]:
            w.heading(f"{x['label']} ({number(x['score'])})", 3)
            for q in x["eu"] + x["partner"]:
                w.quote(q, "")
            if not x["eu"] + x["partner"]:
                w.para("No sentence worth quoting (what there is on it is procedural or descriptive).")

    w.heading(titles["partner-only"], 1)
    for p in d["partner_only"]:
        w.heading(p["label"] + (" (not addressed by the EU reference)" if p["eu_silent"] else
                                " (named only in passing by the EU reference)" if p.get("eu_mentions") else ""), 2)
        for q in p["quotes"]:
            w.quote(q, "Partner")
    if not d["partner_only"]:
        w.para("None found.")

    w.heading(titles["divergences"], 1)
    for x in d["divergences"]:
        w.heading(f"{x['label']}: {x['reason']}", 2)
        w.quote(x["eu"], "EU")
        w.quote(x["partner"], "Partner")
    if not d["divergences"]:
        w.para("No divergence found: no text of the partner's own declines an undertaking the EU makes.")

    w.heading(titles["follow-up"], 1)
    f = d["follow_up"]
    for x in f["items"]:
        strength = "negated" if x["negated"] else x["strength"]
        w.para(f": actor {x['actor']}, {strength}" + (f"; {', '.join(x['themes'])}" if x["themes"] else ""),
               style="List Bullet", bold_prefix=x["deadline"])
        w.quote(x["quote"], "")
    if f.get("earlier"):
        from .markdown import _EARLIER_NOTE, _EARLIER_TITLE

        w.heading(_EARLIER_TITLE, 2)
        w.para(_EARLIER_NOTE)
        for x in f["earlier"]:
            w.para(f": {x['status']}", style="List Bullet", bold_prefix=x["deadline"])
            w.quote(x["quote"], "")
            if x["report"]:
                w.quote(x["report"], f"later, {x['report']['status']}")
            else:
                w.para(f"Nothing found in {', '.join(x['later_documents'])}.")
    if f["note"]:
        w.para(f["note"])

    w.heading(titles["changes"], 1)
    ch = d["changes"]
    if ch["available"]:
        w.para(f"Commitments of consecutive documents of one type are matched by meaning (cosine ≥ {ch['threshold']}).")
        for st in ch["steps"]:
            w.heading(f"{st['from']['doc_id']} ({st['from']['date']}) → {st['to']['doc_id']} ({st['to']['date']})", 2)
            c = st["counts"]
            w.table(["new", "dropped", "strengthened", "weakened", "unchanged"],
                    [(c["new"], c["dropped"], c["strengthened"], c["weakened"], c["kept"])])
            for key, heading in (("new", "New commitments"), ("dropped", "Dropped commitments"),
                                 ("strengthened", "Strengthened"), ("weakened", "Weakened")):
                if not st[key]:
                    continue
                w.heading(heading, 3)
                for item in st[key]:
                    if item.get("before"):
                        w.quote(item["before"], "before")
                    if item.get("after"):
                        w.quote(item["after"], "after")
    else:
        w.para(ch["note"])

    w.doc.add_page_break()
    w.heading(titles["annex"], 1)
    w.para("Every quote of this briefing, with who says it, its document, page and paragraph.")
    for q in d["annex"]:
        extra = "".join(f", {k} {q[k]}" for k in ("actor", "deadline") if q.get(k))
        p = w.para(f" ({q['voice']}{extra}) {q['anchor']}" + (f" — {q['title']}" if q.get("title") else ""),
                   bold_prefix=q["ref"])
        w.bookmark(p, q["ref"])
        w.para(f"“{q['text']}”", style="Quote")
    w.heading(titles["methods"], 1)
    w.methods(d["methods"])


def _comparison(w: _Writer, d: Mapping[str, Any], png: bytes | None) -> None:
    titles = {s["id"]: s["title"] for s in d["sections"]}
    w.doc.add_heading(_t(d["title"]), level=0)
    w.para(f"EU reference: {', '.join(x['doc_id'] for x in d['eu_documents'])}.")
    w.heading(titles["summary"], 1)
    w.para(d["summary"]["headline"])
    w.para(d["summary"]["note"])
    w.heading(titles["overall"], 1)
    w.picture(png)
    w.table(["partner", "overall", "interval", "evidence", "sentences own / co-signed / agreed / third", "strongest theme",
             "weakest theme", "divergent pairs", "documents"],
            [(p["partner"], number(p["score"]), p["interval"],
              ("thin" if p["thin"] else "sufficient") + (" (third-party only)" if p["basis"] == "third-party only" else ""),
              _kinds(p["sentences"]), p["strongest"], p["weakest"], p["divergences"], ", ".join(p["documents"]))
             for p in d["partners"]])
    w.heading(titles["heatmap"], 1)
    w.table(["partner"] + [t["label"] for t in d["themes"]],
            [[p["partner"]] + [number(v) for v in row] for p, row in zip(d["partners"], d["matrix"])])
    w.heading(titles["briefings"], 1)
    for p in d["partners"]:
        w.para(p["partner"] + (f": {p['file'].replace('.html', '.docx')}" if p["file"] else ""), style="List Bullet")
    w.heading(titles["methods"], 1)
    w.methods(d["methods"])
