"""Reports from alignments built in code (no model): data, escaping, formats, change over time."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from policytext.alignment import Unit, align_units
from policytext.records import Analysis
from policytext.records import Commitment, DocumentMeta
from policytext.report import Report, briefing, commitment_changes, comparison, summarise_briefing, write_reports
from policytext.report.charts import heatmap_svg, theme_bars_svg

THEMES = ["privacy", "ai", "defence"]
HOSTILE = "<script>document.title='pwned'</script> <img src=x onerror=alert(1)> *bold* [link](http://evil.test)"


def _vec(seed: int, dim: int = 16) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=dim)
    return v / np.linalg.norm(v)


def _near(v: np.ndarray, seed: int, eps: float = 0.15) -> np.ndarray:
    w = v + eps * _vec(seed, v.size)
    return w / np.linalg.norm(w)


@pytest.fixture(scope="module")
def alignment():
    eu = [
        Unit("eu:s0", "eu", "The EU will protect personal data in all partnerships.", page=1, paragraph=0,
             commitment=True, strength="firm"),
        Unit("eu:s1", "eu", "The EU will invest in trustworthy AI research.", page=2, paragraph=3,
             commitment=True, strength="firm"),
        Unit("eu:s2", "eu", "The EU will fund AI testing facilities.", page=2, paragraph=4,
             commitment=True, strength="firm"),
    ]
    partner = [
        Unit("p:s0", "p", "We will protect personal data in all our agreements.", paragraph=0, commitment=True,
             strength="firm"),
        Unit("p:s1", "p", f"We may explore AI research together {HOSTILE}.", paragraph=1, commitment=True,
             strength="soft"),
        Unit("p:s2", "p", "We will not fund AI testing facilities.", paragraph=2, commitment=True, strength="firm",
             negated=True),
        Unit("p:s3", "p", "We will expand our navy's cyber units.", paragraph=3, commitment=True, strength="firm"),
    ]
    base = [_vec(1), _vec(2), _vec(3)]
    eu_v = np.stack(base)
    p_v = np.stack([_near(base[0], 11), _near(base[1], 12), _near(base[2], 13), _vec(4)])
    eu_s = np.array([[0.9, 0.1, 0.0], [0.1, 0.9, 0.0], [0.0, 0.9, 0.0]])
    p_s = np.array([[0.9, 0.1, 0.0], [0.1, 0.9, 0.0], [0.0, 0.9, 0.0], [0.0, 0.0, 0.9]])
    return align_units(eu, eu_v, eu_s, partner, p_v, p_s, THEMES, partner=f"Partner {HOSTILE}",
                       models={"policytext": "test"})


@pytest.fixture(scope="module")
def report(alignment):
    eu_meta = [DocumentMeta("eu", title="EU strategy", date="2025-06-01", doc_type="strategy")]
    p_meta = [DocumentMeta("p", title=f"Partner paper {HOSTILE}", date="2025-01-01", doc_type="strategy")]
    return Report(summarise_briefing(alignment, eu_meta=eu_meta, partner_meta=p_meta))


def test_briefing_data_has_every_section_and_cites_every_quote(report):
    d = report.data
    assert d["kind"] == "briefing" and d["schema"] == "policytext.briefing.v2"
    assert [s["id"] for s in d["sections"]][:4] == ["summary", "sources", "themes", "talking-points"]
    assert d["overall"]["score"] is not None and d["overall"]["low"] <= d["overall"]["score"] <= d["overall"]["high"]
    assert {t["theme"] for t in d["themes"]} == set(THEMES)
    assert d["shared"] and d["shared"][0]["eu"]["ref"].startswith("Q")
    assert any(dv["partner"]["text"].startswith("We will not fund") for dv in d["divergences"])
    assert [p["theme"] for p in d["partner_only"]] == ["defence"] and d["partner_only"][0]["eu_silent"]
    kinds = {p["kind"] for p in d["talking_points"]}
    assert {"build_on", "clarify", "ask"} <= kinds
    # Every reference used anywhere is in the annex, with document, page and paragraph.
    annex = {q["ref"]: q for q in d["annex"]}
    used = set(re.findall(r"'ref': '(Q\d+)'", str({k: v for k, v in d.items() if k != "annex"})))
    used |= {r for p in d["talking_points"] for r in p["refs"]}
    assert used and used <= set(annex)
    assert annex["Q1"]["anchor"] == "eu, p. 1, para. 1" and annex["Q1"]["page"] == 1 and annex["Q1"]["paragraph"] == 1
    # JSON round trip gives the same report.
    assert Report.from_json(report.json()).data == json.loads(report.json())


def test_html_escapes_quotes_titles_and_partner_names(report):
    html = report.html()
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;document.title=" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<svg") == 1 and "<table" in html
    # Self-contained: nothing to fetch.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert not re.search(r"url\(", html, re.I) and "@import" not in html
    assert "@media print" in html and "break-inside: avoid" in html
    # Every citation links to an annex entry.
    targets = set(re.findall(r'href="#(Q\d+)"', html))
    assert targets and targets <= set(re.findall(r'id="(Q\d+)"', html))


def test_markdown_escapes_and_links_to_the_annex(report):
    md = report.markdown()
    assert "<script" not in md and "<img" not in md
    assert "&lt;script&gt;" in md and "\\*bold\\*" in md and "\\[link\\]\\(http://evil.test\\)" in md
    targets = set(re.findall(r"\]\(#(Q\d+)\)", md))
    assert targets and targets <= set(re.findall(r'<a id="(Q\d+)"></a>', md))


def _headings_html(html: str) -> list[str]:
    import html as h

    return [h.unescape(re.sub(r"<[^>]+>", "", x)).strip() for x in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]


def _anchors(text: str) -> set[str]:
    return set(re.findall(r"Q\d+: [^\]\\]+", text.replace("\\", "")))


def test_html_markdown_and_docx_hold_the_same_sections_and_citations(report, tmp_path):
    from docx import Document as Docx

    html, md = report.html(), report.markdown()
    path = report.write_docx(tmp_path / "b.docx", charts=False)
    doc = Docx(str(path))
    titles = [s["title"] for s in report.data["sections"]]
    assert _headings_html(html) == titles
    assert [line[3:] for line in md.splitlines() if line.startswith("## ")] == titles
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == titles
    import html as h

    docx_text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    # python-docx's paragraph.text includes hyperlink runs (citations are internal hyperlinks).
    cites_html, cites_md, cites_docx = _anchors(h.unescape(html)), _anchors(md), _anchors(docx_text)
    assert cites_html and cites_html == cites_md == cites_docx
    # Bookmarks named after the references exist for every annex entry.
    names = {b.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}name")
             for b in doc.element.body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}bookmarkStart")}
    assert {q["ref"] for q in report.data["annex"]} <= names
    assert HOSTILE.split(" ")[0] in docx_text  # stored as text


def test_report_writes_every_format_and_refuses_to_overwrite(report, tmp_path):
    written = report.write(tmp_path, formats=("html", "md", "json"))
    assert [p.suffix for p in written] == [".html", ".md", ".json"]
    with pytest.raises(FileExistsError, match="force"):
        report.write(tmp_path, formats=("html",))
    assert report.write(tmp_path, formats=("html",), force=True)
    with pytest.raises(ValueError, match="unknown report format"):
        report.paths(tmp_path, ("pdf",))


def test_comparison_of_two_partners_has_a_heatmap(alignment, report, tmp_path):
    other = Report(summarise_briefing(alignment.__class__(**{**{f: getattr(alignment, f) for f in (
        "partner", "eu_doc_ids", "partner_doc_ids", "themes", "overall", "overall_low", "overall_high", "config",
        "models")}, "partner": "Second partner"})))
    comp = comparison([report, other])
    assert comp.kind == "comparison" and comp.stem == "comparison"
    html = comp.html()
    assert html.count("<svg") == 2 and "chart-heatmap" in html and "<script" not in html
    assert comp.themes_frame().shape == (2, len(THEMES) + 1)
    paths = write_reports([report, other, comp], tmp_path, formats=("html", "md"))
    assert len(paths) == 6
    with pytest.raises(FileExistsError):
        write_reports([comp], tmp_path, formats=("html",))


def test_svg_charts_escape_their_labels():
    bars = theme_bars_svg([{"label": "<b>x</b>", "score": 40, "low": 30, "high": 50},
                           {"label": "none", "score": None, "low": None, "high": None}])
    assert "<b>" not in bars and "&lt;b&gt;" in bars and "not addressed" in bars
    heat = heatmap_svg(["<i>p</i>"], ["t&1"], [[None]])
    assert "<i>" not in heat and "&lt;i&gt;" in heat and "t&amp;1" in heat


def test_repr_html_and_frames(report):
    frag = report._repr_html_()
    assert frag.startswith("<style>") and "<svg" in frag and "<html" not in frag
    assert list(report.themes_frame()["theme"]) == THEMES
    assert len(report.annex_frame()) == len(report.data["annex"])
    assert set(report.talking_points_frame()["kind"]) >= {"build_on"}


def test_plot_alignment_returns_a_figure(alignment):
    from matplotlib.figure import Figure

    from policytext.report import plot_alignment, plot_heatmap

    assert isinstance(plot_alignment(alignment), Figure)
    assert isinstance(plot_heatmap([alignment, alignment]), Figure)


def _analysed(doc_id: str, date: str, sentences: list[tuple[str, str | None, np.ndarray]],
              title: str = "Trade and Technology Council Joint Statement") -> Analysis:
    meta = DocumentMeta(doc_id, title=title, date=date, doc_type="joint_statement")
    units, commitments = [], []
    for i, (text, strength, _) in enumerate(sentences):
        sid = f"{doc_id}:s{i}"
        units.append(Unit(sid, doc_id, text, paragraph=i, commitment=strength is not None, strength=strength))
        if strength:
            commitments.append(Commitment(f"{doc_id}:c{i}", doc_id, sid, text, 0, len(text), "joint", strength,
                                          paragraph=i))
    return Analysis(doc_id=doc_id, meta=meta, units=tuple(units),
                            vectors=np.stack([v for *_, v in sentences]).astype(np.float32),
                            theme_scores=np.zeros((len(units), 1)), themes=("x",), thresholds=np.array([0.5]),
                            commitments=tuple(commitments))


def test_change_over_time_new_dropped_strengthened_weakened():
    a, b, c, d, e = (_vec(i) for i in range(20, 25))
    f = _vec(25)
    older = _analysed("ttc-1", "2021-09-29", [("We intend to cooperate on semiconductor chips.", "intent", a),
                                              ("We will share health data.", "firm", b),
                                              ("We will fund 5G.", "firm", c),
                                              ("We will train standards experts.", "firm", f)])
    newer = _analysed("ttc-2", "2023-05-31", [("We will cooperate on semiconductor chips.", "firm", _near(a, 30, 0.05)),
                                              ("We should share health data.", "soft", _near(b, 31, 0.05)),
                                              ("We will build quantum links.", "firm", d),
                                              ("Context sentence.", None, e),
                                              # close in meaning, but names other things: not the same undertaking
                                              ("We will promote standards aligned with core values.", "intent",
                                               _near(f, 32, 0.05))])
    found = commitment_changes(older, newer, threshold=0.6)
    assert [n.text for _, n, _ in found["strengthened"]] == ["We will cooperate on semiconductor chips."]
    assert [n.text for _, n, _ in found["weakened"]] == ["We should share health data."]
    assert [n.text for _, n, _ in found["new"]] == ["We will build quantum links.",
                                                   "We will promote standards aligned with core values."]
    assert [o.text for o, _, _ in found["dropped"]] == ["We will fund 5G.", "We will train standards experts."]


def test_briefing_reports_change_between_dated_documents(alignment):
    v = _vec(40)
    docs = [_analysed("ttc-2023", "2023-05-31", [("We will invest jointly.", "firm", v),
                                                 ("We will build quantum links.", "firm", _vec(42))]),
            _analysed("ttc-2021", "2021-09-29", [("We aim to invest jointly.", "intent", _near(v, 41, 0.05)),
                                                 ("We will fund 5G.", "firm", _vec(43))])]
    data = summarise_briefing(alignment, analyzed=docs)
    ch = data["changes"]
    assert ch["available"] and len(ch["steps"]) == 1
    step = ch["steps"][0]
    assert (step["from"]["doc_id"], step["to"]["doc_id"]) == ("ttc-2021", "ttc-2023")
    assert step["counts"]["strengthened"] == 1 and step["strengthened"][0]["after"]["ref"] in {
        q["ref"] for q in data["annex"]}
    assert (step["counts"]["new"], step["counts"]["dropped"]) == (1, 1)
    assert step["new"][0]["before"] is None and step["dropped"][0]["after"] is None
    report = Report(data)
    html = report.html()
    assert "ttc-2021 (2021-09-29) → ttc-2023 (2023-05-31)" in html and "We will fund 5G." in html
    assert "We will build quantum links." in report.markdown()
    assert "We will fund 5G." in "\n".join(p.text for p in report.docx(charts=False).paragraphs)
    assert "Change over time needs" in Report(summarise_briefing(alignment)).html()
    # two statements of the same type on unrelated subjects are no series: nothing "dropped" between them
    other = [_analysed("cyber", "2023-03-02", [("We will fund 5G.", "firm", _vec(43))], title="National Cybersecurity"),
             _analysed("youth", "2023-05-23", [("We will protect youth.", "firm", _vec(44))], title="Youth Online Safety")]
    assert not summarise_briefing(alignment, analyzed=other)["changes"]["available"]


def test_briefing_without_analyzer_needs_no_model(alignment):
    r = briefing(alignment)
    assert r.kind == "briefing" and not r.data["changes"]["available"]


def test_a_pair_below_the_match_threshold_is_never_shown_as_shared_in_any_format():
    """The closest pair of a theme without a match backs its score but is no shared commitment."""
    from policytext.alignment import AlignConfig

    eu = [Unit("eu:s0", "eu", "The EU will protect personal data in all partnerships.", paragraph=0,
               commitment=True, strength="firm")]
    weak = "Our ministry publishes an annual report on postal services."
    partner = [Unit("p:s0", "p", weak, paragraph=0)]
    v = _vec(1)
    w = _near(v, 5, eps=1.3)  # cosine about 0.6 of the EU sentence: below a threshold of 0.7
    a = align_units(eu, v[None, :], np.array([[0.9, 0.0, 0.0]]), partner, w[None, :], np.array([[0.9, 0.0, 0.0]]),
                    THEMES, partner="P", config=AlignConfig(match_threshold=0.7))
    pair = a.theme("privacy").evidence[0]
    assert pair.similarity < 0.7 and "below the match threshold" in pair.reason  # kept as the score's evidence
    r = Report(summarise_briefing(a, eu_meta=[DocumentMeta("eu")], partner_meta=[DocumentMeta("p")]))
    assert r.data["shared"] == []
    assert not any(weak in p["text"] for p in r.data["talking_points"])
    for text, next_heading in ((r.markdown(), "\n## "), (r.html(), "<h2")):
        shared_section = text.split("Shared commitments", 1)[1].split(next_heading, 1)[0]
        assert "No shared undertaking" in shared_section
        assert "postal services" not in shared_section
    assert weak not in " ".join(str(s) for s in r.data["shared"])
    paragraphs = [p.text for p in r.docx(charts=False).paragraphs]
    start = next(i for i, t in enumerate(paragraphs) if t.startswith("Shared commitments"))
    end = next(i for i in range(start + 1, len(paragraphs)) if paragraphs[i].startswith("EU priorities absent"))
    assert "postal services" not in " ".join(paragraphs[start:end])
