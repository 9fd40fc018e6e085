"""The demo: analyse the bundled demo corpus and write an alignment summary.

``make demo`` (or ``policytext demo``) runs this.  It aligns every partner
document of ``corpora/demo`` with the EU reference and writes:

* ``alignment-summary.md`` -- per partner: overall score with its interval, a
  theme table, the best evidence pairs with their anchors, gaps, divergences;
* ``alignment.json`` -- the full results (scores, evidence, settings, models);
* ``alignment-table.csv`` -- partners × themes scores;
* ``briefing-<partner>.html`` -- a dialogue briefing per partner (:mod:`policytext.report`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .alignment import Alignment, Quote

from .formatting import escape_markdown, interval, number

__all__ = ["run_demo", "find_demo_corpus", "markdown_summary", "escape_markdown"]


def find_demo_corpus() -> Path | None:
    """``corpora/demo`` of the source checkout, or of the working directory."""
    for base in (Path(__file__).resolve().parents[2], Path.cwd()):
        candidate = base / "corpora" / "demo"
        if (candidate / "manifest.csv").is_file():
            return candidate
    return None


def _q(quote: Quote) -> str:
    return f"“{escape_markdown(quote.text)}” ({escape_markdown(quote.anchor)})"


def markdown_summary(alignments: Sequence[Alignment], *, title: str = "Alignment summary") -> str:
    """A readable Markdown summary of alignments: scores, intervals, evidence, gaps, divergences."""
    lines = [f"# {escape_markdown(title)}", ""]
    if alignments:
        eu = ", ".join(alignments[0].eu_doc_ids)
        lines += [f"EU reference: {escape_markdown(eu)}. Scores are 0–100 with a 90% bootstrap interval; "
                  "“–” marks themes the EU reference does not address.", ""]
    for a in alignments:
        lines += [f"## {escape_markdown(a.partner)}", "",
                  f"Documents: {escape_markdown(', '.join(a.partner_doc_ids))}  ",
                  f"**Overall alignment: {number(a.overall)}** (interval {interval(a.overall_low, a.overall_high)})", "",
                  "| theme | score | interval | partner sentences | matched | divergences |",
                  "|---|---:|---:|---:|---:|---:|"]
        for t in a.themes:
            if t.score is None and not t.partner_sentences:
                continue
            lines.append(f"| {t.theme} | {number(t.score)} | {interval(t.low, t.high)} | {t.partner_sentences} | "
                         f"{t.matched} | {len(t.divergences)} |")
        lines.append("")
        ranked = sorted((t for t in a.themes if t.score is not None), key=lambda t: -t.score)
        strongest = [t for t in ranked if t.evidence][:3]
        if strongest:
            lines += ["### Strongest convergences", ""]
            for t in strongest:
                e = t.evidence[0]
                lines.append(f"- **{t.theme}** ({number(t.score)}): EU {_q(e.eu)} ↔ partner {_q(e.partner)}, "
                             f"similarity {e.similarity:.2f}")
            lines.append("")
        gaps = [t for t in ranked[::-1] if t.gaps][:3]
        if gaps:
            lines += ["### Main gaps (EU statements without a partner match)", ""]
            for t in gaps:
                lines.append(f"- **{t.theme}** ({number(t.score)}): {_q(t.gaps[0])}")
            lines.append("")
        divergences = [(t, d) for t in a.themes for d in t.divergences]
        if divergences:
            lines += ["### Divergences", ""]
            for t, d in divergences:
                lines.append(f"- **{t.theme}**: EU {_q(d.eu)} ↔ partner {_q(d.partner)} — {escape_markdown(d.reason)}")
            lines.append("")
    if alignments:
        models = alignments[0].models
        lines += ["## Method", "",
                  "Per theme: coverage (how much the partner addresses it), agreement (best partner match by "
                  "meaning for each EU statement), firmness parity and divergence; see the README.", ""]
        for kind, info in models.items():
            if isinstance(info, dict) and "name" in info:
                lines.append(f"- {kind}: {escape_markdown(info['name'])} {escape_markdown(info.get('version', ''))}")
        lines.append(f"- policytext {escape_markdown(str(models.get('policytext', '')))}")
    return "\n".join(lines) + "\n"


def run_demo(corpus_dir: str | Path, out: str | Path, *, eu_id: str = "eu-digital-strategy",
             force: bool = False) -> list[Path]:
    """Align every partner of the demo corpus with the EU reference; write the summary files."""
    from .ingest import load_corpus
    from .pipeline import Analyzer, align_many, alignment_table

    out = Path(out)
    targets = [out / "alignment-summary.md", out / "alignment.json", out / "alignment-table.csv"]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists")
    corpus = load_corpus(corpus_dir)
    eu = [corpus[eu_id]]
    partners: dict[str, list] = {}
    for d in corpus:
        if d.doc_id != eu_id:
            partners.setdefault(d.meta.partner or d.doc_id, []).append(d)
    analyzer = Analyzer()
    results = align_many(eu, partners, analyzer=analyzer)
    # One HTML dialogue briefing per partner (policytext.report), beside the summary.
    from .report import briefing

    reports = [briefing(result, eu_docs=eu, partner_docs=docs, analyzer=analyzer)
               for (label, docs), result in zip(partners.items(), results)]
    pages = [out / f"{report.stem}.html" for report in reports]
    existing = [p for p in pages if p.exists()]
    if existing and not force:  # checked before anything is written
        raise FileExistsError(f"{existing[0]} exists")
    out.mkdir(parents=True, exist_ok=True)
    targets[0].write_text(markdown_summary(results, title="policytext demo: alignment with the EU strategy"),
                          encoding="utf-8")
    targets[1].write_text(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False), encoding="utf-8")
    alignment_table(results).to_csv(targets[2])
    for report, page in zip(reports, pages):
        targets.append(report.write_html(page))
    return targets
