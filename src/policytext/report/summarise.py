"""Summarise alignments into the plain dict a briefing is rendered from.

Reports are data first: :func:`summarise_briefing` turns one
:class:`~policytext.alignment.Alignment` (and, optionally, the partner's analysed
documents, for change over time) into a JSON-ready ``dict``; the HTML,
Markdown and DOCX writers only render that dict, and the JSON output *is*
that dict.  :func:`summarise_comparison` does the same for several partners.

Every quote in a briefing is listed once in the annex under a stable
reference (``Q1``, ``Q2``...), with its document, page and paragraph; the
sections cite quotes by that reference, so a talking point links to the
evidence behind it in every format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..alignment import STRENGTH_RANK, Alignment, Quote, ThemeAlignment

from ..formatting import interval, number, shorten

if TYPE_CHECKING:  # pragma: no cover
    from ..records import Analysis
    from ..records import Commitment, DocumentMeta

__all__ = [
    "SCHEMA",
    "SECTIONS",
    "COMPARISON_SECTIONS",
    "ChangeSettings",
    "summarise_briefing",
    "summarise_comparison",
    "commitment_changes",
    "theme_labels",
    "slugify",
]

#: Version of the briefing data layout (the JSON output).
SCHEMA = "policytext.briefing.v1"

#: Sections of a briefing, in order: ``(id, heading)``; every format uses these headings.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Executive summary"),
    ("themes", "Alignment by theme"),
    ("talking-points", "Talking points"),
    ("shared", "Shared commitments"),
    ("gaps", "EU priorities absent from the partner's documents"),
    ("partner-only", "Partner priorities absent from the EU strategy"),
    ("divergences", "Divergences"),
    ("changes", "Change over time"),
    ("documents", "Documents"),
    ("annex", "Annex: evidence"),
    ("methods", "Methods"),
)

#: Sections of a comparison of several partners.
COMPARISON_SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Executive summary"),
    ("overall", "Overall alignment by partner"),
    ("heatmap", "Partners by theme"),
    ("briefings", "Briefings"),
    ("methods", "Methods"),
)


@dataclass(frozen=True, slots=True)
class ChangeSettings:
    """How commitments of consecutive documents are matched for change over time.

    Attributes
    ----------
    threshold : cosine similarity at or above which two commitments are the same undertaking.
    max_items : at most this many quotes per list (new, dropped, strengthened, weakened);
        the counts are always complete.
    """

    threshold: float = 0.6
    max_items: int = 8


def slugify(text: str) -> str:
    """A file- and anchor-safe slug: lower case ASCII letters, digits and hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "partner"


def theme_labels(themes: Sequence[str]) -> dict[str, str]:
    """Human-readable labels of theme ids from the default taxonomy (the id itself when unknown)."""
    labels = {t: t.replace("_", " ").capitalize() for t in themes}
    try:
        from ..taxonomy import load_taxonomy

        tax = load_taxonomy()
    except Exception:  # the labels are cosmetic; an unreadable default taxonomy must not stop a report
        return labels
    for t in tax:
        if t.id in labels:
            labels[t.id] = t.label
    return labels




def _short(text: str, limit: int = 140) -> str:
    return shorten(text, limit)


class _Annex:
    """Collects quotes once each, under stable references Q1, Q2..."""

    def __init__(self, titles: Mapping[str, str]) -> None:
        self.titles = titles
        self.items: list[dict[str, Any]] = []
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}

    def add(self, quote: Quote, *, side: str, theme: str | None = None) -> dict[str, Any]:
        """Register ``quote`` (once) and return the reference dict the sections carry."""
        key = (quote.doc_id, quote.segment_id)
        item = self._by_key.get(key)
        if item is None:
            ref = f"Q{len(self.items) + 1}"
            item = {
                "ref": ref, "side": side, "doc_id": quote.doc_id, "title": self.titles.get(quote.doc_id, ""),
                "segment_id": quote.segment_id, "page": quote.page,
                "paragraph": None if quote.paragraph is None else quote.paragraph + 1,
                "start": quote.start, "end": quote.end, "anchor": quote.anchor, "text": quote.text,
                "strength": quote.strength, "negated": quote.negated, "themes": [],
            }
            self._by_key[key] = item
            self.items.append(item)
        if theme and theme not in item["themes"]:
            item["themes"].append(theme)
        return {"ref": item["ref"], "text": item["text"], "anchor": item["anchor"], "strength": item["strength"]}


def _doc_info(meta: DocumentMeta) -> dict[str, Any]:
    return {"doc_id": meta.doc_id, "title": meta.title, "issuer": meta.issuer, "partner": meta.partner,
            "doc_type": meta.doc_type, "date": meta.date, "language": meta.language, "source": meta.source}


def _rank(strength: str | None, negated: bool = False, condition: str = "") -> float:
    if negated:
        return 0.0
    rank = float(STRENGTH_RANK.get(strength, 0))
    return max(0.0, rank - 0.5) if condition and strength else rank


def _theme_row(t: ThemeAlignment, label: str) -> dict[str, Any]:
    return {
        "theme": t.theme, "label": label, "score": t.score, "low": t.low, "high": t.high,
        "interval": interval(t.low, t.high), "eu_coverage": t.eu_coverage, "partner_coverage": t.partner_coverage,
        "eu_sentences": t.eu_sentences, "partner_sentences": t.partner_sentences,
        "eu_commitments": t.eu_commitments, "partner_commitments": t.partner_commitments,
        "matched": t.matched, "agreement": t.agreement, "parity": t.parity if t.matched else None,
        "divergence": t.divergence, "divergences": len(t.divergences), "scored": t.score is not None,
        "partner_prominent": t.partner_prominent,
    }


def summarise_briefing(
    alignment: Alignment,
    *,
    eu_meta: Sequence[DocumentMeta] = (),
    partner_meta: Sequence[DocumentMeta] = (),
    analyzed: Sequence[Analysis] = (),
    labels: Mapping[str, str] | None = None,
    top: int = 3,
    change: ChangeSettings | None = None,
) -> dict[str, Any]:
    """Summarise one partner's alignment as the plain dict of a dialogue briefing.

    Parameters
    ----------
    alignment : the partner's alignment with the EU reference.
    eu_meta, partner_meta : metadata of the EU and partner documents (titles, dates); optional.
    analyzed : the partner's analysed documents; with two or more dated documents of one type,
        the briefing reports how commitments changed between consecutive ones.
    labels : theme id -> label (default: the labels of the default taxonomy).
    top : how many themes the executive summary names as convergences and gaps.
    change : settings of the change-over-time matching.

    Returns
    -------
    dict
        JSON-ready: ``partner``, ``overall``, ``summary``, ``themes``, ``talking_points``,
        ``shared``, ``gaps``, ``partner_only``, ``divergences``, ``changes``, ``documents``,
        ``annex`` (every quote once, with its reference ``Qn`` and anchor) and ``methods``.
    """
    labels = dict(labels or theme_labels([t.theme for t in alignment.themes]))
    for t in alignment.themes:
        labels.setdefault(t.theme, t.theme)
    titles = {m.doc_id: m.title for m in (*eu_meta, *partner_meta)}
    for a in analyzed:
        titles.setdefault(a.doc_id, _meta(a).title)
    annex = _Annex(titles)
    scored = [t for t in alignment.themes if t.score is not None]
    ranked = sorted(scored, key=lambda t: (-t.score, t.theme))

    # Shared commitments: every evidence pair at or above the match threshold, best themes first. The
    # closest pair of a theme with no match (kept as its score's evidence) is not a shared commitment.
    threshold = float(alignment.config.get("match_threshold", 0.5))
    shared = []
    for t in ranked:
        for e in t.evidence:
            if e.similarity < threshold:
                continue
            shared.append({
                "theme": t.theme, "label": labels[t.theme], "similarity": round(e.similarity, 3),
                "note": e.reason, "eu": annex.add(e.eu, side="EU", theme=t.theme),
                "partner": annex.add(e.partner, side="partner", theme=t.theme),
            })
    divergences = [
        {"theme": t.theme, "label": labels[t.theme], "similarity": round(d.similarity, 3), "reason": d.reason,
         "eu": annex.add(d.eu, side="EU", theme=t.theme), "partner": annex.add(d.partner, side="partner", theme=t.theme)}
        for t in alignment.themes for d in t.divergences
    ]
    gap_themes = sorted((t for t in scored if t.gaps), key=lambda t: (t.score, t.theme))
    gaps = [
        {"theme": t.theme, "label": labels[t.theme], "score": t.score,
         "quotes": [annex.add(q, side="EU", theme=t.theme) for q in t.gaps]}
        for t in gap_themes
    ]
    partner_only = [
        {"theme": t.theme, "label": labels[t.theme], "eu_silent": t.score is None,
         "quotes": [annex.add(q, side="partner", theme=t.theme) for q in t.partner_only]}
        for t in sorted(alignment.themes, key=lambda t: (t.score is not None, -t.partner_sentences, t.theme))
        if t.partner_only
    ]

    convergences = [
        {"theme": t.theme, "label": labels[t.theme], "score": t.score, "interval": interval(t.low, t.high),
         "refs": [shared_item["eu"]["ref"] for shared_item in shared if shared_item["theme"] == t.theme][:1]
         + [shared_item["partner"]["ref"] for shared_item in shared if shared_item["theme"] == t.theme][:1]}
        for t in ranked if t.evidence and t.matched
    ][:top]
    main_gaps = [
        {"theme": g["theme"], "label": g["label"], "score": g["score"], "refs": [q["ref"] for q in g["quotes"][:1]]}
        for g in gaps
    ][:top]
    diverging = list(dict.fromkeys(d["label"] for d in divergences))
    headline = (
        f"Overall alignment {number(alignment.overall)} out of 100 "
        f"({int(round(alignment.config.get('interval', 0.9) * 100))}% interval "
        f"{interval(alignment.overall_low, alignment.overall_high)}) over {len(scored)} themes the EU "
        f"reference addresses."
        if alignment.overall is not None
        else "The EU reference addresses none of the themes, so no overall alignment is scored."
    )
    summary = {
        "headline": headline,
        "convergences": convergences,
        "gaps": main_gaps,
        "divergences": [{"label": lab, "count": sum(d["label"] == lab for d in divergences)} for lab in diverging],
        "themes_scored": len(scored),
        "themes_with_evidence": sum(1 for t in scored if t.evidence),
    }

    changes = _changes(analyzed, annex, change or ChangeSettings())
    talking_points = _talking_points(ranked, shared, gaps, divergences, partner_only, top=top)
    from ..records import DocumentMeta

    partner_docs = [_doc_info(m) for m in partner_meta] or [_doc_info(DocumentMeta(d)) for d in alignment.partner_doc_ids]
    eu_docs = [_doc_info(m) for m in eu_meta] or [_doc_info(DocumentMeta(d)) for d in alignment.eu_doc_ids]
    models = alignment.models
    return {
        "schema": SCHEMA,
        "kind": "briefing",
        "title": f"Dialogue briefing: {alignment.partner}",
        "partner": alignment.partner,
        "slug": slugify(alignment.partner),
        "sections": [{"id": i, "title": h} for i, h in SECTIONS],
        "eu_documents": eu_docs,
        "partner_documents": partner_docs,
        "overall": {"score": alignment.overall, "low": alignment.overall_low, "high": alignment.overall_high,
                    "interval": interval(alignment.overall_low, alignment.overall_high),
                    "level": alignment.config.get("interval", 0.9)},
        "summary": summary,
        "themes": [_theme_row(t, labels[t.theme]) for t in alignment.themes],
        "talking_points": talking_points,
        "shared": shared,
        "gaps": gaps,
        "partner_only": partner_only,
        "divergences": divergences,
        "changes": changes,
        "annex": annex.items,
        "methods": _methods(alignment.config, models),
    }


def _methods(config: Mapping[str, Any], models: Mapping[str, Any]) -> dict[str, Any]:
    from .. import __version__

    described = []
    for kind, info in models.items():
        if isinstance(info, Mapping) and "name" in info:
            described.append({"kind": kind, "name": str(info["name"]), "version": str(info.get("version", "")),
                              "package": str(info.get("package", ""))})
        elif kind == "themes" and isinstance(info, Mapping):
            training = info.get("training", {}) or {}
            described.append({"kind": "themes", "name": f"theme classifier ({len(info.get('classes', []))} themes)",
                              "version": str(training.get("mode", "")), "package": "policytext"})
    return {
        "policytext": str(models.get("policytext") or __version__),
        "models": described,
        "config": dict(config),
        "note": (
            "Per theme the score (0–100) combines coverage (how much the partner addresses the theme), agreement "
            "(for each EU statement on the theme, its best partner match by meaning), firmness parity of matched "
            "pairs and a penalty for divergent pairs; the interval is a percentile bootstrap over the EU's "
            "statements and the partner's count. The overall index weights themes by the EU's emphasis. "
            "Change over time matches the commitments of consecutive documents of one type by embedding "
            "similarity."
        ),
    }


def _talking_points(
    ranked: Sequence[ThemeAlignment],
    shared: Sequence[dict[str, Any]],
    gaps: Sequence[dict[str, Any]],
    divergences: Sequence[dict[str, Any]],
    partner_only: Sequence[dict[str, Any]],
    *,
    top: int,
) -> list[dict[str, Any]]:
    """Talking points derived from the evidence, each citing the quotes behind it."""
    points: list[dict[str, Any]] = []
    by_theme: dict[str, list[dict[str, Any]]] = {}
    for s in shared:
        by_theme.setdefault(s["theme"], []).append(s)
    for t in [t for t in ranked if t.theme in by_theme and t.matched][:top]:
        best = by_theme[t.theme][0]
        points.append({
            "kind": "build_on", "verb": "Build on", "theme": t.theme, "label": best["label"],
            "text": f"the shared commitment on {best['label']} (score {number(t.score)}, "
                    f"interval {interval(t.low, t.high)}): the partner's “{_short(best['partner']['text'])}” "
                    f"answers the EU's “{_short(best['eu']['text'])}”.",
            "refs": [best["eu"]["ref"], best["partner"]["ref"]],
        })
    # Firmness: matched pairs where the partner's undertaking is weaker than the EU's.
    seen: set[str] = set()
    for s in shared:
        if s["theme"] in seen or len(seen) >= top:
            continue
        eu_r, p_r = _rank(s["eu"]["strength"]), _rank(s["partner"]["strength"])
        if eu_r >= 2 and p_r < eu_r:
            seen.add(s["theme"])
            weaker = s["partner"]["strength"] or "no commitment"
            points.append({
                "kind": "firm_up", "verb": "Seek firmer language", "theme": s["theme"], "label": s["label"],
                "text": f"on {s['label']}: the EU's undertaking is {s['eu']['strength']}, the partner's "
                        f"matching statement is {weaker} (“{_short(s['partner']['text'])}”).",
                "refs": [s["eu"]["ref"], s["partner"]["ref"]],
            })
    for g in gaps[:top]:
        q = g["quotes"][0]
        points.append({
            "kind": "raise", "verb": "Raise", "theme": g["theme"], "label": g["label"],
            "text": f"{g['label']}: the EU's priority “{_short(q['text'])}” has no counterpart in the partner's "
                    "documents.",
            "refs": [x["ref"] for x in g["quotes"][:2]],
        })
    for d in divergences:
        points.append({
            "kind": "clarify", "verb": "Clarify", "theme": d["theme"], "label": d["label"],
            "text": f"the position on {d['label']}: {d['reason']}; the partner says “{_short(d['partner']['text'])}” "
                    f"where the EU says “{_short(d['eu']['text'])}”.",
            "refs": [d["eu"]["ref"], d["partner"]["ref"]],
        })
    for p in [p for p in partner_only if p["eu_silent"]][:top]:
        q = p["quotes"][0]
        points.append({
            "kind": "ask", "verb": "Ask about", "theme": p["theme"], "label": p["label"],
            "text": f"{p['label']}, a partner priority the EU reference does not address: “{_short(q['text'])}”.",
            "refs": [x["ref"] for x in p["quotes"][:2]],
        })
    for i, p in enumerate(points, start=1):
        p["id"] = f"TP{i}"
    return points


# ------------------------------------------------------------------ change over time


def commitment_changes(
    older: Analysis,
    newer: Analysis,
    *,
    threshold: float = 0.6,
) -> dict[str, list[tuple[Commitment | None, Commitment | None, float]]]:
    """Match the commitments of two documents by meaning and classify the change.

    Each commitment of ``newer`` is paired with its most similar commitment of
    ``older`` (cosine of sentence embeddings); at or above ``threshold`` they are
    the same undertaking, which is ``strengthened`` or ``weakened`` when its
    firmness rank (firm 3, intent 2, soft 1; negated 0; a condition half a rank
    lower) rose or fell.  Unmatched commitments of ``newer`` are ``new``; those
    of ``older`` that no commitment of ``newer`` matches are ``dropped``.

    Returns
    -------
    dict
        ``new``, ``dropped``, ``strengthened``, ``weakened``, ``kept``: lists of
        ``(older_commitment, newer_commitment, similarity)`` (``None`` on the missing side).
    """
    def vectors(a: Analysis) -> tuple[list[Commitment], np.ndarray]:
        row = {u.segment_id: i for i, u in enumerate(a.units)}
        items = [c for c in a.commitments if c.segment_id in row]
        if not items or a.vectors.size == 0:
            return [], np.zeros((0, 1), dtype=np.float32)
        return items, np.asarray(a.vectors[[row[c.segment_id] for c in items]], dtype=np.float32)

    old_c, old_v = vectors(older)
    new_c, new_v = vectors(newer)
    out: dict[str, list[tuple[Commitment | None, Commitment | None, float]]] = {
        "new": [], "dropped": [], "strengthened": [], "weakened": [], "kept": []}
    sims = new_v @ old_v.T if len(old_c) and len(new_c) else np.zeros((len(new_c), len(old_c)))
    for i, c in enumerate(new_c):
        if not len(old_c) or sims[i].max() < threshold:
            out["new"].append((None, c, float(sims[i].max()) if len(old_c) else 0.0))
            continue
        j = int(sims[i].argmax())
        o = old_c[j]
        delta = _rank(c.strength, c.negated, c.condition) - _rank(o.strength, o.negated, o.condition)
        key = "strengthened" if delta > 0 else "weakened" if delta < 0 else "kept"
        out[key].append((o, c, float(sims[i, j])))
    for j, o in enumerate(old_c):
        if not len(new_c) or sims[:, j].max() < threshold:
            out["dropped"].append((o, None, float(sims[:, j].max()) if len(new_c) else 0.0))
    for key in ("strengthened", "weakened", "kept"):
        out[key].sort(key=lambda x: -x[2])
    return out


def _commitment_quote(c: Commitment) -> Quote:
    return Quote(c.doc_id, c.segment_id, c.text, c.page, c.paragraph, c.start, c.end, c.strength, c.negated)


def _changes(analyzed: Sequence[Analysis], annex: _Annex, settings: ChangeSettings) -> dict[str, Any]:
    """Change of commitments between consecutive dated documents of the same type."""
    series: dict[str, list[Analysis]] = {}
    for a in analyzed:
        if _meta(a).date:
            series.setdefault(_meta(a).doc_type or "document", []).append(a)
    steps = []
    for doc_type, docs in sorted(series.items()):
        docs = sorted(docs, key=lambda a: (_meta(a).date, a.doc_id))
        for older, newer in zip(docs, docs[1:]):
            found = commitment_changes(older, newer, threshold=settings.threshold)
            step: dict[str, Any] = {
                "doc_type": doc_type,
                "from": {"doc_id": older.doc_id, "title": _meta(older).title, "date": _meta(older).date,
                         "commitments": len(older.commitments)},
                "to": {"doc_id": newer.doc_id, "title": _meta(newer).title, "date": _meta(newer).date,
                       "commitments": len(newer.commitments)},
                "counts": {k: len(v) for k, v in found.items()},
            }
            for key in ("new", "dropped", "strengthened", "weakened"):
                items = []
                for o, n, sim in found[key][: settings.max_items]:
                    item: dict[str, Any] = {"similarity": round(sim, 3), "before": None, "after": None}
                    if o is not None:
                        item["before"] = annex.add(_commitment_quote(o), side="partner") | {"strength": o.strength,
                                                                                         "negated": o.negated}
                    if n is not None:
                        item["after"] = annex.add(_commitment_quote(n), side="partner") | {"strength": n.strength,
                                                                                        "negated": n.negated}
                    items.append(item)
                step[key] = items
            steps.append(step)
    return {
        "available": bool(steps),
        "threshold": settings.threshold,
        "note": "" if steps else "Change over time needs two or more dated documents of the same type from the partner.",
        "steps": steps,
    }


# ------------------------------------------------------------------ comparison


def summarise_comparison(
    briefings: Sequence[Mapping[str, Any]],
    *,
    files: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Summarise several partners' briefings as the plain dict of a comparison.

    Parameters
    ----------
    briefings : briefing dicts from :func:`summarise_briefing`.
    files : partner -> file name of its HTML briefing, for links (optional).

    Returns
    -------
    dict
        ``partners`` (overall score and interval, best and weakest theme), ``themes``
        (ids and labels), ``matrix`` (partners × themes scores, ``None`` where not scored),
        and ``methods``.
    """
    if not briefings:
        raise ValueError("summarise_comparison needs at least one briefing")
    themes = [{"theme": r["theme"], "label": r["label"]} for r in briefings[0]["themes"]]
    partners = []
    matrix = []
    for b in briefings:
        rows = {r["theme"]: r for r in b["themes"]}
        scored = sorted((r for r in b["themes"] if r["scored"]), key=lambda r: (-r["score"], r["theme"]))
        partners.append({
            "partner": b["partner"], "slug": b["slug"], "score": b["overall"]["score"], "low": b["overall"]["low"],
            "high": b["overall"]["high"], "interval": b["overall"]["interval"],
            "documents": [d["doc_id"] for d in b["partner_documents"]],
            "strongest": scored[0]["label"] if scored else "",
            "weakest": scored[-1]["label"] if scored else "",
            "divergences": len(b["divergences"]),
            "file": (files or {}).get(b["partner"], ""),
        })
        matrix.append([rows[t["theme"]]["score"] if t["theme"] in rows else None for t in themes])
    ordered = sorted(partners, key=lambda p: (-(p["score"] if p["score"] is not None else -1), p["partner"]))
    headline = "; ".join(f"{p['partner']} {number(p['score'])} ({p['interval']})" for p in ordered)
    return {
        "schema": SCHEMA,
        "kind": "comparison",
        "title": f"Comparison of {len(partners)} partners",
        "sections": [{"id": i, "title": h} for i, h in COMPARISON_SECTIONS],
        "eu_documents": briefings[0]["eu_documents"],
        "summary": {"headline": f"Overall alignment with the EU reference: {headline}."},
        "partners": partners,
        "themes": themes,
        "matrix": matrix,
        "methods": briefings[0]["methods"],
    }


def _meta(a: Analysis) -> DocumentMeta:
    """An analysis's document metadata (empty for one made without it)."""
    from ..records import DocumentMeta

    return a.meta if a.meta is not None else DocumentMeta(doc_id=a.doc_id)
