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

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..alignment import (EVIDENCE_KINDS, LEANS_BACK, SIGNED_KINDS, STRENGTH_RANK, Alignment, EvidencePair, Quote,
                         ThemeAlignment, anchored)

from ..formatting import interval, number, shorten
from .lines import Line, condense, third_person

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
SCHEMA = "policytext.briefing.v2"

#: Sections of a briefing, in order: ``(id, heading)``; every format uses these headings.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Executive summary"),
    ("sources", "Sources"),
    ("themes", "Alignment by theme"),
    ("talking-points", "Talking points"),
    ("shared", "Shared commitments"),
    ("gaps", "EU priorities absent from the partner-side documents"),
    ("partner-only", "Partner priorities absent from the EU strategy"),
    ("divergences", "Divergences"),
    ("follow-up", "Dated commitments to follow up"),
    ("changes", "Change over time"),
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

    threshold: float = 0.7
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
    """Collects quotes once each, under stable references Q1, Q2..., each saying who speaks."""

    def __init__(self, titles: Mapping[str, str], authors: Mapping[str, Any] | None = None, party: str = "") -> None:
        self.titles = titles
        self.authors = authors or {}
        self.party = party
        self.items: list[dict[str, Any]] = []
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}

    def _voice(self, quote: Quote, side: str) -> str:
        from ..extract.speakers import voice

        if side == "EU":
            return "EU"
        au = self.authors.get(quote.doc_id)
        if au is None or not quote.speaker:
            return self.party or "partner"
        return voice(quote.speaker, quote.kind or "own", au, self.party)

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
                "speaker": quote.speaker, "kind": quote.kind if side != "EU" else "",
                "voice": self._voice(quote, side), "actor": None, "deadline": "",
            }
            self._by_key[key] = item
            self.items.append(item)
        if theme and theme not in item["themes"]:
            item["themes"].append(theme)
        return {"ref": item["ref"], "text": item["text"], "anchor": item["anchor"], "strength": item["strength"],
                "voice": item["voice"], "kind": item["kind"], "doc_id": item["doc_id"], "segment_id": item["segment_id"]}

    def annotate(self, analyzed: Sequence[Analysis]) -> None:
        """Add the actor and deadline of each quoted sentence that is a commitment."""
        found = {(c.doc_id, c.segment_id): c for a in analyzed for c in a.commitments}
        for item in self.items:
            c = found.get((item["doc_id"], item["segment_id"]))
            if c is not None:
                item["actor"], item["deadline"] = c.actor, c.deadline


#: Words that make an English sentence about digital policy: a leaders' communiqué commits to forests and net zero
#: too, and a theme cue such as "supply chains" or "investment" does not tell them apart.
_DIGITAL = re.compile(r"\b(?:digital\w*|data|cyber\w*|online|internet|web|AI|artificial intelligence|algorithm\w*|"
                      r"tech\w*|semiconductor\w*|chips?|telecom\w*|[56]G|broadband|platforms?|software|cloud|quantum|"
                      r"comput\w*|electronic\w*|ICT|connectivity|cables?|satellite\w*|spyware|privacy|"
                      r"e-\w+|innovation|STEM|standardi[sz]ation|(?:technical|technology|digital|AI) standards?|identit\w*|(?:social|news|digital) media|media (?:freedom|literacy|"
                      r"pluralism)|journalis\w*|disinformation|information (?:manipulation|integrity|environment|"
                      r"space|society|sharing|security))\b", re.I)


def _quotable(quotes: Sequence[Quote], *, fallback: bool = True) -> list[Quote]:
    """The quotes worth showing: procedural lines, lead-ins and meeting narration left out (with ``fallback``,
    kept when nothing else is left, so a gap never loses its only quote); a sentence leaning on the one before
    ("It is a continuum of ...", "These guidelines will ...") is never shown alone."""
    whole = [q for q in quotes if not LEANS_BACK.match(q.text)]
    kept = [q for q in whole if not _procedural(q.text)]
    return kept or (whole if fallback else [])


def _procedural(text: str) -> bool:
    """Boilerplate (headings, definitions, lead-ins) or a procedural line: never a commitment to follow up."""
    from ..alignment import PROCEDURAL, is_boilerplate

    return (is_boilerplate(text) or bool(PROCEDURAL.search(text)) or bool(_PROCEDURAL_MORE.search(text))
            or text.rstrip().endswith(":"))


#: Procedural lines a briefing does not quote as undertakings (beyond those the alignment already ranks lower):
#: work programmes, consultations, meetings, cross-references, lead-ins to lists, meeting narration, the
#: presentation of a text ("will present the proposals at a series of events").
_PROCEDURAL_MORE = re.compile(
    r"\bpresent\w* (?:the|these|its|our|this) (?:proposals?|communication|strategy)\b|\bseries of events\b"
    r"|\bwork ?program(?:me)?s?\b|\bconsult\w*\b[^.]{0,60}\b(?:industry|civil society|stakeholders|academia)\b"
    r"|\b(?:hold|convene|organi[sz]e|host)\w* (?:a |an |regular |further |periodic )?(?:meetings?|workshops?|"
    r"conferences?|expert meetings?)\b|\bexpert meetings?\b|\bwill complement\b|\bstakeholder (?:engagement|outreach)\b"
    r"|\b(?:two|both) sides discussed\b|\bthe following\b[^.]{0,80}$|\bwithout prejudice to\b"
    r"|\bover the past year\b|\bhas grown\b|\btoday,? we (?:are )?announc\w*\b|\bwe are (?:proud|pleased) to announce\b"
    # descriptions of a body, not positions: "The Global Partnership is also an action coalition ...",
    # "By adding thirteen new members to the coalition ..."
    r"|^\W*(?:the|this|our) [\w -]{2,60}? is (?:also )?(?:an?|the|part of) (?:[\w-]+ ){0,3}?(?:coalition|initiative|"
    r"network|platform|forum|alliance|partnership|group)\b|\bnew members\b", re.I)


def _doc_info(meta: DocumentMeta) -> dict[str, Any]:
    return {"doc_id": meta.doc_id, "title": meta.title, "issuer": meta.issuer, "partner": meta.partner,
            "doc_type": meta.doc_type, "date": meta.date, "language": meta.language, "source": meta.source}


def _rank(strength: str | None, negated: bool = False, condition: str = "") -> float:
    if negated:
        return 0.0
    rank = float(STRENGTH_RANK.get(strength, 0))
    return max(0.0, rank - 0.5) if condition and strength else rank


def _theme_row(t: ThemeAlignment, label: str) -> dict[str, Any]:
    thin = t.score is not None and (t.eu_sentences < THIN_SENTENCES or t.partner_sentences < THIN_SENTENCES)
    return {
        "theme": t.theme, "label": label, "score": t.score, "low": t.low, "high": t.high,
        "interval": "thin evidence" if thin else interval(t.low, t.high), "thin": thin, "status": t.status,
        "own_score": t.own_score, "partner_kinds": dict(t.partner_kinds),
        "eu_coverage": t.eu_coverage, "partner_coverage": t.partner_coverage,
        "eu_sentences": t.eu_sentences, "partner_sentences": t.partner_sentences,
        "eu_mentions": t.eu_mentions, "partner_mentions": t.partner_mentions,
        "eu_commitments": t.eu_commitments, "partner_commitments": t.partner_commitments,
        "matched": t.matched, "shared_pairs": t.shared, "agreement": t.agreement, "parity": t.parity if t.matched else None,
        "divergence": t.divergence, "divergences": len(t.divergences), "scored": t.score is not None,
        "partner_prominent": t.partner_prominent,
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
            "Every sentence has a speaker: the partner side rests on what the partner signed, its own texts and "
            "agreed language signed with the EU (a partner with no such text is scored on third-party texts, "
            "flagged); the EU's own sentences inside joint texts, titles, lists, definitions and procedural lines "
            "never count. The own-text score beside each theme leaves agreed language out. A divergence is "
            "claimed only where the partner's own text declines an undertaking the EU makes. "
            "Change over time matches the commitments of consecutive documents of one type by embedding "
            "similarity."
        ),
    }


def summarise_briefing(
    alignment: Alignment,
    *,
    eu_meta: Sequence[DocumentMeta] = (),
    partner_meta: Sequence[DocumentMeta] = (),
    analyzed: Sequence[Analysis] = (),
    eu_analyzed: Sequence[Analysis] = (),
    labels: Mapping[str, str] | None = None,
    top: int = 3,
    change: ChangeSettings | None = None,
) -> dict[str, Any]:
    """Summarise one partner's alignment as the plain dict of a dialogue briefing.

    Parameters
    ----------
    alignment : the partner's alignment with the EU reference.
    eu_meta, partner_meta : metadata of the EU and partner documents (titles, dates, authors, status); optional.
    analyzed : the partner's analysed documents: their commitments (actor, strength, deadline) make the
        follow-up table, their sentence counts the source panel; with two or more dated documents of one
        type, the briefing reports how commitments changed between consecutive ones.
    eu_analyzed : the EU reference's analysed documents (word counts in the source panel).
    labels : theme id -> label (default: the labels of the default taxonomy).
    top : how many themes the executive summary names as convergences and gaps.
    change : settings of the change-over-time matching.

    Returns
    -------
    dict
        JSON-ready: ``partner``, ``overall``, ``summary`` (with ``warnings``), ``sources``, ``themes``,
        ``talking_points``, ``shared``, ``gaps``, ``weak``, ``partner_only``, ``divergences``, ``follow_up``,
        ``changes``, ``annex`` (every quote once, with its reference ``Qn``, anchor and who speaks) and
        ``methods``.  Every partner quote says who speaks (``voice``) and how it relates to the partner
        (``kind``: ``own``, ``agreed`` language signed with the EU, ``third`` party).
    """
    from ..extract.speakers import default_reader

    labels = dict(labels or theme_labels([t.theme for t in alignment.themes]))
    for t in alignment.themes:
        labels.setdefault(t.theme, t.theme)
    metas: dict[str, DocumentMeta] = {m.doc_id: m for m in (*eu_meta, *partner_meta)}
    for a in (*analyzed, *eu_analyzed):
        metas.setdefault(a.doc_id, _meta(a))
    titles = {k: m.title for k, m in metas.items()}
    reader = default_reader()
    party = reader.party(alignment.partner) or alignment.partner
    name = alignment.partner or party  # the partner as the reader knows it ("United States")
    opening = {a.doc_id: " ".join(u.text for u in a.units[:60]) for a in (*analyzed, *eu_analyzed)}
    authors = {k: reader.authors(m, opening.get(k, "")) for k, m in metas.items()}
    annex = _Annex(titles, authors, party)
    scored = [t for t in alignment.themes if t.score is not None]
    ranked = sorted(scored, key=lambda t: (-t.score, t.theme))
    rows = {t.theme: _theme_row(t, labels[t.theme]) for t in alignment.themes}

    # Shared commitments: matched pairs only (at or above the match threshold), best themes first; one EU
    # or partner sentence anchors at most two pairs, so a sentence listing many themes does not fill the list.
    threshold = float(alignment.config.get("match_threshold", 0.5))
    shared = []
    uses: dict[tuple[str, str], int] = {}
    pairs_seen: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    for t in ranked:
        for e in t.evidence:
            keys = (("EU", e.eu.segment_id), ("partner", e.partner.segment_id))
            first = not any(x["theme"] == t.theme for x in shared)
            if (e.similarity < threshold or e.reason or (not first and any(uses.get(k, 0) >= MAX_USES for k in keys))
                    or keys in pairs_seen):
                continue  # not a shared commitment, a sentence already used enough, or the same pair again
            pairs_seen.add(keys)
            for k in keys:
                uses[k] = uses.get(k, 0) + 1
            shared.append({
                "theme": t.theme, "label": labels[t.theme], "similarity": round(e.similarity, 3),
                "kind": e.partner.kind, "eu": annex.add(e.eu, side="EU", theme=t.theme),
                "partner": annex.add(e.partner, side="partner", theme=t.theme),
            })
    divergences = [
        {"theme": t.theme, "label": labels[t.theme], "similarity": round(d.similarity, 3), "reason": d.reason,
         "eu": annex.add(d.eu, side="EU", theme=t.theme), "partner": annex.add(d.partner, side="partner", theme=t.theme)}
        for t in alignment.themes for d in t.divergences
    ]
    # Gaps: themes the EU addresses and the partner's documents say nothing on (status "absent"), by the
    # EU's emphasis.  Themes the partner speaks to without a matching statement are "weak", never gaps.
    gaps = [
        {"theme": t.theme, "label": labels[t.theme], "score": t.score, "eu_sentences": t.eu_sentences,
         "quotes": [annex.add(q, side="EU", theme=t.theme) for q in _quotable(t.gaps)[:2]]}
        for t in sorted((t for t in scored if t.status == "absent"), key=lambda t: (-t.eu_sentences, t.theme))
    ]
    weak = [
        {"theme": t.theme, "label": labels[t.theme], "score": t.score, "status": t.status,
         "partner_sentences": t.partner_sentences, "partner_mentions": t.partner_mentions,
         "eu": [annex.add(q, side="EU", theme=t.theme) for q in _quotable(t.gaps, fallback=False)[:1]],
         "partner": [annex.add(e.partner, side="partner", theme=t.theme)
                     for e in [e for e in t.evidence if _quotable([e.partner], fallback=False)][:1]]}
        for t in sorted((t for t in scored if t.status in ("addressed", "mentioned")), key=lambda t: (t.score, t.theme))
    ]
    partner_only = [
        {"theme": t.theme, "label": labels[t.theme], "eu_silent": t.score is None and not t.eu_mentions,
         "eu_mentions": t.eu_mentions,
         "quotes": [annex.add(q, side="partner", theme=t.theme) for q in _quotable(t.partner_only)
                    if q.kind != "agreed"][:3]}
        for t in sorted(alignment.themes, key=lambda t: (-t.partner_sentences, t.theme))
        # a theme the EU reference addresses is no partner-only priority, nor is text the EU itself signed
        if t.score is None and any(q.kind != "agreed" for q in t.partner_only)
    ]

    sources = _sources(alignment, metas, authors, party, analyzed, eu_analyzed)
    warnings = _warnings(alignment, sources, rows, labels, name)
    convergences = [
        {"theme": t.theme, "label": labels[t.theme], "score": t.score, "interval": rows[t.theme]["interval"],
         "refs": [s["eu"]["ref"] for s in shared if s["theme"] == t.theme][:1]
         + [s["partner"]["ref"] for s in shared if s["theme"] == t.theme][:1]}
        for t in sorted(ranked, key=lambda t: rows[t.theme]["thin"]) if t.status == "shared"
    ][:top]
    main_gaps = [{"theme": g["theme"], "label": g["label"], "score": g["score"],
                  "refs": [q["ref"] for q in g["quotes"][:1]]} for g in gaps][:top]
    diverging = list(dict.fromkeys(d["label"] for d in divergences))
    kinds = alignment.partner_kinds
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
        "basis": _basis_line(alignment, name),
        "warnings": warnings,
        "convergences": convergences,
        "gaps": main_gaps,
        "weak": [{"theme": w["theme"], "label": w["label"], "score": w["score"], "status": w["status"]}
                 for w in weak][:top],
        "divergences": [{"label": lab, "count": sum(d["label"] == lab for d in divergences)} for lab in diverging],
        # what "absent" means for this partner: its own documents, or (none of its own) the texts on it by others
        "gap_note": (f"the documents on {name} here, all issued by others, say nothing on it"
                     if alignment.basis == "third-party only" else f"{_possessive(name)} documents here say nothing on it"),
        "themes_scored": len(scored),
        "themes_with_evidence": sum(1 for t in scored if t.evidence),
        "partner_kinds": dict(kinds),
    }

    follow_up = _follow_up(analyzed, annex, authors, party, alignment.basis, labels)
    changes = _changes(analyzed, annex, change or ChangeSettings())
    talking_points = _talking_points(ranked, shared, gaps, divergences, partner_only, metas, name, top=top,
                                     authors=authors, basis=alignment.basis, annex=annex, threshold=threshold,
                                     eu_name=_eu_name(metas, alignment.eu_doc_ids),
                                     undertakings=_undertakings(analyzed, authors, party), labels=labels)
    annex.annotate(analyzed)
    from ..records import DocumentMeta

    partner_docs = [_doc_info(m) for m in partner_meta] or [_doc_info(DocumentMeta(d)) for d in alignment.partner_doc_ids]
    eu_docs = [_doc_info(m) for m in eu_meta] or [_doc_info(DocumentMeta(d)) for d in alignment.eu_doc_ids]
    models = alignment.models
    return {
        "schema": SCHEMA,
        "kind": "briefing",
        "title": f"Dialogue briefing: {alignment.partner}",
        "partner": alignment.partner,
        "party": party,
        "slug": slugify(alignment.partner),
        "sections": [{"id": i, "title": h} for i, h in SECTIONS],
        "eu_documents": eu_docs,
        "partner_documents": partner_docs,
        "basis": alignment.basis,
        "overall": {"score": alignment.overall, "low": alignment.overall_low, "high": alignment.overall_high,
                    "interval": interval(alignment.overall_low, alignment.overall_high),
                    "level": alignment.config.get("interval", 0.9)},
        "summary": summary,
        "sources": sources,
        "themes": [rows[t.theme] for t in alignment.themes],
        "talking_points": talking_points,
        "shared": shared,
        "gaps": gaps,
        "weak": weak,
        "partner_only": partner_only,
        "divergences": divergences,
        "follow_up": follow_up,
        "changes": changes,
        "annex": annex.items,
        "methods": _methods(alignment.config, models),
    }


#: A theme score resting on fewer sentences than this on either side is shown as thin evidence.
THIN_SENTENCES = 3
#: Characters of a partner quote and of an EU quote in a talking point (cut at a word boundary).
QUOTE_LIMIT, EU_QUOTE_LIMIT = 320, 240
#: One EU or partner sentence anchors at most this many shared pairs in a briefing.
MAX_USES = 2
#: How many of a theme's agreed undertakings (the most on-theme first) a "Build on" point tries to condense
#: into a line: each try is a dependency parse, and a G7 communiqué has hundreds on some themes.
LINE_CANDIDATES = 12

_KIND_WORDS = {"own": "own", "cosigned": "co-signed with others", "agreed": "agreed with the EU",
               "third": "third-party"}
_DOC_TYPES = {"joint_statement": "joint statement", "factsheet": "fact sheet", "press_release": "press release",
              "strategy": "strategy", "law": "law", "communique": "communiqué", "joint_declaration": "joint declaration",
              "speech": "speech", "other": "text"}


def _this_year() -> int:
    import datetime

    return datetime.date.today().year


#: Names of states said with an article ("the Republic of Korea").
_ARTICLE = re.compile(r"^(?:Republic|United|Kingdom|Federal|Democratic|People's|Islamic|Netherlands|Philippines|"
                      r"Czech Republic|Gambia|Bahamas|Holy See|European|African Union)\b")


def _the(name: str) -> str:
    return f"the {name}" if _ARTICLE.match(name) else name


def _eu_name(metas: Mapping[str, DocumentMeta], eu_ids: Sequence[str]) -> str:
    """How the EU side names its reference in a talking point: ``our International Digital Strategy`` (the title
    of the EU strategy, without article, references and "for the European Union"), else ``our strategy``."""
    for i in eu_ids:
        m = metas.get(i)
        if m is not None and (m.doc_type or "").lower() == "strategy" and m.title:
            name = re.split(r"\s+(?:\(|-\s|–|—)", m.title)[0]
            name = re.sub(r"^(?:An?|The)\s+", "", name)
            name = re.sub(r"\s+(?:for|of)\s+the\s+(?:European Union|EU)$|\s+(?:for|of)\s+the\s+EU$", "", name)
            if 2 <= len(name.split()) <= 8:
                return f"our {name}"
    return "our strategy"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _basis_line(alignment: Alignment, party: str) -> str:
    k = alignment.partner_kinds
    parts = [f"{k[x]} {_KIND_WORDS[x]}" for x in EVIDENCE_KINDS if k.get(x)]
    left = [f"{k[x]} {w}" for x, w in (("eu", "EU-only sentences inside joint texts"),
                                        ("none", "titles, headings and lists"),
                                        ("boilerplate", "definitions and procedural lines")) if k.get(x)]
    if alignment.basis == "unknown":
        return "The partner sentences carry no speaker: every one is read as the partner's own."
    rest = ("signed texts (its own, co-signed with others, agreed with the EU)" if alignment.basis == "signed"
            else "third-party texts only: no text of its own is in the corpus")
    line = f"{_possessive(party)} side rests on {rest}: " + (", ".join(parts) or "no sentence") + " sentences."
    return line + (f" Left out: {', '.join(left)}." if left else "")


def _status_of(meta: DocumentMeta) -> str:
    if meta.status:
        return meta.status
    m = re.search(r"\b(revoked|superseded|repealed|rescinded|withdrawn|expired)\b[^.;]*", meta.notes or "", re.I)
    return m.group(0).strip() if m else ""


def _sources(alignment: Alignment, metas: Mapping[str, DocumentMeta], authors: Mapping[str, Any], party: str,
             analyzed: Sequence[Analysis], eu_analyzed: Sequence[Analysis]) -> list[dict[str, Any]]:
    """The source panel: per document its authors, date, completeness, words, status and what it adds."""
    from ..extract.speakers import evidence_kind, summary_of_joint_text
    from ..records import DocumentMeta

    by_id = {a.doc_id: a for a in (*analyzed, *eu_analyzed)}
    out = []
    for side, ids in (("EU", alignment.eu_doc_ids), ("partner", alignment.partner_doc_ids)):
        for doc_id in ids:
            meta = metas.get(doc_id) or DocumentMeta(doc_id)
            a = by_id.get(doc_id)
            au = authors.get(doc_id)
            relation = "EU reference"
            counts: dict[str, int] = {}
            if side == "partner" and au is not None:
                signed = au.signed_by(party) or (not au.parties and not au.groups)
                relation = ("agreed with the EU" if signed and au.signed_by("EU") else
                            ("own" if au.parties == (party,) and not au.groups else "co-signed with others")
                            if signed else "third party")
                if a is not None:
                    for u in a.units:
                        k = evidence_kind(u.speaker, au, party) if u.speaker else "own"
                        counts[k] = counts.get(k, 0) + 1
            words = sum(len(u.text.split()) for u in a.units) if a is not None else None
            complete = (meta.complete or "").strip().lower()
            out.append({
                "side": side, "doc_id": doc_id, "title": meta.title, "date": meta.date,
                "doc_type": meta.doc_type, "issuer": meta.issuer,
                "authors": au.describe() if au is not None else "",
                "alone": bool(au is not None and side == "partner" and au.parties == (party,) and not au.groups),
                "relation": relation, "complete": complete or "unknown",
                "partial": complete in ("partial", "no", "excerpt"), "words": words,
                "status": _status_of(meta), "sentences": counts,
                "summary_of": summary_of_joint_text(meta),
            })
    return out


def _warnings(alignment: Alignment, sources: Sequence[dict[str, Any]], rows: Mapping[str, dict[str, Any]],
              labels: Mapping[str, str], party: str) -> list[str]:
    """What the reader must know before trusting the numbers, most serious first."""
    out = []
    partner_docs = [s for s in sources if s["side"] == "partner"]
    if alignment.basis == "third-party only":
        reporters = ", ".join(f"{s['doc_id']} ({s['authors']})" for s in partner_docs)
        out.append(f"{party} has no document of its own in this corpus: every partner quote comes from texts "
                   f"others issued ({reporters}). Read them as reports of {party}'s position, not its words.")
    k = alignment.partner_kinds
    used = k.get("own", 0) + k.get("cosigned", 0) + k.get("agreed", 0)
    if alignment.basis == "signed" and used and k.get("agreed", 0) > used / 2:
        out.append(f"{k['agreed']} of {used} of {_possessive(party)} sentences are agreed language signed with the EU: the "
                   f"scores show what {party} agreed with the EU more than its own priorities (see the own-text "
                   "score beside each theme).")
    for s in sources:
        if s["status"]:
            out.append(f"{s['doc_id']} ({s['title'] or s['doc_type']}) is {s['status']}: it is read as a past "
                       "position, not current policy.")
    for s in sources:
        if s["partial"]:
            who = "The EU reference" if s["side"] == "EU" else "Partner document"
            words = f", {s['words']} words" if s["words"] else ""
            out.append(f"{who} {s['doc_id']} is a partial text{words}: silence in it is not absence from the policy.")
    if alignment.basis == "signed" and partner_docs and not any(
            s["alone"] for s in partner_docs):
        out.append(f"None of the texts here is {_possessive(party)} alone: every one was issued or signed with "
                   "others, so it shows what was agreed with them rather than its own priorities.")
    else:
        cosigned = [s for s in partner_docs if s["relation"] == "co-signed with others"]
        n_own, n_co = k.get("own", 0) + k.get("cosigned", 0), k.get("cosigned", 0)  # as the basis line counts
        if alignment.basis == "signed" and n_co:
            out.append(f"{n_co} of {n_own} of {_possessive(party)} signed sentences without the EU come from texts it "
                       f"co-signed with others ({', '.join(s['doc_id'] for s in cosigned)}): they show positions "
                       f"shared with those co-signers, not {_possessive(party)} alone, and are kept out of the "
                       "own-text score.")
        alone = [s for s in partner_docs if s["alone"]]
        if alone and all(s["partial"] for s in alone):
            out.append(f"{_possessive(party)} only text{'s' if len(alone) > 1 else ''} of its own alone "
                       f"({', '.join(s['doc_id'] for s in alone)}) {'are' if len(alone) > 1 else 'is'} partial: "
                       "no complete policy text of its own is in this corpus.")
    reports = [s for s in partner_docs if s["relation"] == "third party"]
    if alignment.basis == "signed" and reports:
        out.append(f"{', '.join(s['doc_id'] + ' (' + s['authors'] + ')' for s in reports)}: issued by others, "
                   f"{'it is' if len(reports) == 1 else 'they are'} quoted as a report on {party}, never counted in "
                   f"the scores, which rest on the texts {party} signed.")
    for s in partner_docs:
        if s["summary_of"]:
            out.append(f"{s['doc_id']} is {s['issuer'] or s['authors']}'s summary of a joint statement, not the "
                       f"statement itself: its sentences are {_possessive(party)} account of what was agreed (those "
                       "reporting what both sides did count as agreed language), so it is kept out of the own-text "
                       "scores; check the statement before quoting it as agreed wording.")
    if alignment.basis == "signed" and used < THIN_PARTNER:
        out.append(f"Thin evidence overall: {_possessive(party)} side rests on {used} signed sentences (fewer than "
                   f"{THIN_PARTNER}): the overall score is an indication, not a measurement.")
    dates = sorted(s["date"] for s in partner_docs if s["date"])
    if dates and dates[-1][:4].isdigit() and int(dates[-1][:4]) <= _this_year() - 1:
        out.append(f"The newest partner text here is from {dates[-1]}: the briefing describes positions taken then, "
                   "which may not be current policy.")
    thin = [r["label"] for r in rows.values() if r["thin"]]
    if thin:
        out.append(f"Thin evidence (fewer than {THIN_SENTENCES} sentences on one side): {', '.join(thin)}. Their "
                   "scores are indications, not measurements.")
    return out


def _doc_phrase(meta: DocumentMeta | None, authors: Any, party: str) -> str:
    """``their 2023 joint statement`` (signed by the EU and the partner), ``the United States' 2023 fact sheet``
    (the partner's), ``the 2023 fact sheet issued by US`` (someone else's), for a talking point."""
    if meta is None:
        return f"{_possessive(party)} documents"
    year = (meta.date or "")[:4]
    stem = f"{year} {_DOC_TYPES.get((meta.doc_type or '').lower(), 'text')}".strip()
    if authors is None or not (authors.parties or authors.groups):
        return f"{_possessive(party)} {stem}"
    from ..extract.speakers import default_reader

    mine = default_reader().party(party) or party
    if authors.signed_by(mine) and not authors.signed_by("EU") and len(authors.parties) + len(authors.groups) > 2:
        n = len(authors.parties) + len(authors.groups) - 1
        return f"the {stem} {party} signed with {n} others"
    if authors.signed_by("EU") and authors.signed_by(mine):
        others = len(authors.parties) + len(authors.groups) - 2
        if others <= 0:
            return f"their {stem}"
        named = f"the {meta.title} ({year})" if meta.title and len(meta.title) <= 70 else f"the {stem}"
        if authors.source == "text":  # a member list read from the text: its count is not the members'
            return f"{named}, which the EU and {party} signed with the other members,"
        return f"{named}, which the EU and {party} signed with {others} other{'s' if others > 1 else ''},"
    if authors.signed_by(mine) and len(authors.parties) + len(authors.groups) > 1:
        others = [p for p in authors.parties if p != mine] + list(authors.groups)
        return f"the {stem} of {party} and {' and '.join(_display(o) for o in others)}"
    if authors.signed_by(mine):
        return f"{_possessive(party)} {stem}"
    return f"the {stem} issued by {' and '.join(list(authors.parties) + list(authors.groups))}"


#: A sentence that leans on the one before it: a pronoun or "this/these" among its first words ("We see this
#: everywhere ...", "It would also aim ...").
_LEANS = re.compile(r"^\W*(?:\w+\s+){0,2}(?:it|this|these|they|such)\b(?!\s+(?:strategy|partnership))",
                    re.I)


def _bare(text: str, limit: int, theme: str = "") -> str:
    """A quote for a talking point: without its list marker, cut at a word boundary, and, when the words that put
    it on ``theme`` (a cue of the taxonomy) lie beyond the cut, the part of the sentence around them."""
    text = re.sub(r"^\s*(?:[-•–*]|\(?[a-z0-9ivx]{1,4}[.)])\s+", "", text)
    cue = _theme_cue(theme)
    m = cue.search(text) if cue is not None and len(text) > limit else None
    if m is None or m.end() <= limit - 5:
        return _short(text, limit)
    start = max(0, m.start() - limit // 3)
    start = text.rfind(" ", 0, start) + 1 if start else 0
    return "…" + _short(text[start:], limit).lstrip()


_CUES: dict[str, Any] = {}


def _theme_cue(theme: str):
    """The cue regex of a theme of the default taxonomy (``None`` for an unknown theme or no cues)."""
    if not theme:
        return None
    if not _CUES:
        try:
            from ..taxonomy import load_taxonomy
            from ..themes import compile_cues

            tax = load_taxonomy()
            _CUES.update(zip(tax.ids, compile_cues(tax)))
        except Exception:  # the cue only chooses the excerpt; without it the quote is cut at its start
            _CUES["?"] = None
    return _CUES.get(theme)


def _undertakings(analyzed: Sequence[Analysis], authors: Mapping[str, Any], party: str) -> dict[str, list[Quote]]:
    """Per theme, the partner side's firm or intended undertakings on it (not boilerplate, not procedural), the
    most on-theme first, as quotes with their speaker and kind: what a "Build on" point may draw on where no
    EU sentence matches closely enough to make a shared pair."""
    from ..extract.speakers import evidence_kind

    out: dict[str, list[tuple[float, Quote]]] = {}
    for a in analyzed:
        if _status_of(_meta(a)) or not len(a.units):
            continue  # a revoked or superseded text is nothing to build on
        au = authors.get(a.doc_id)
        scores = np.asarray(a.theme_scores, dtype=float)
        cut = np.broadcast_to(np.asarray(a.thresholds, dtype=float), scores.shape[1:])
        for i, u in enumerate(a.units):
            if (not u.commitment or u.negated or u.strength not in ("firm", "intent") or u.is_heading or u.is_note
                    or u.speaker in ("none", "") or _procedural(u.text)):
                continue
            kind = evidence_kind(u.speaker, au, party) if au is not None else "own"
            if kind not in ("own", "cosigned", "agreed"):
                continue
            for j, theme in enumerate(a.themes):
                if scores[i, j] >= cut[j]:
                    out.setdefault(theme, []).append((float(scores[i, j]), Quote.of(u, kind)))
    return {k: [q for _, q in sorted(v, key=lambda x: (-x[0], x[1].doc_id, x[1].segment_id))] for k, v in out.items()}


def _english(meta: DocumentMeta | None) -> bool:
    lang = ((meta.language or meta.detected_language) if meta is not None else "") or "en"
    return lang.lower().startswith("en")


def _line(text: str, theme: str, meta: DocumentMeta | None, *, of_parties: bool = True) -> Line | None:
    """The sentence condensed to what it says on ``theme`` (English only; ``None`` when no sure line).

    ``of_parties``: the line is reported of a text's signatories ("both sides committed to ..."), so the
    sentence's subject must speak for them; ``False`` for the EU's own strategy, whose impersonal subjects
    ("Cooperation will focus on ...") are the EU's voice."""
    if not _english(meta) or _LEANS.match(text):
        return None
    cue = _theme_cue(theme)
    if cue is not None and not cue.search(text):
        cue = None  # the theme model put it on the theme without a cue word: any line of it is on the theme
    try:
        line = condense(text, cue)
    except OSError:  # no spaCy model: the point names the priority without a line
        return None
    # a line for a digital dialogue says something digital ("strengthen cooperation on tertiary education in
    # executive training" does not, whatever theme the sentence was put on)
    if line is None or not _DIGITAL.search(line.phrase):
        return None
    # the line is reported of the text's signatories: its subject must speak for them ("we", "both sides", a
    # named party), not for a body they set up ("the ICRTF will build upon the successes of its ...")
    return line if not of_parties or not line.subject or _speaks_for_parties(line.subject) else None


@functools.lru_cache(maxsize=1)
def _party_subject() -> re.Pattern[str]:
    from ..extract.extractor import CommitmentExtractor

    return CommitmentExtractor(decider=None)._subject_regex


_GROUP_SUBJECT = re.compile(r"\b(?:members|leaders|partners|participants|signatories|ministers|governments|"
                            r"countries|nations|sides)$", re.I)


def _speaks_for_parties(subject: str) -> bool:
    """Whether a sentence's subject speaks for the parties: we, both sides, named parties, their members."""
    parts = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", subject.strip()) if p]

    def party(part: str) -> bool:
        m = _party_subject().match(part)
        return (m is not None and len(part[m.end():].split()) <= 2) or bool(_GROUP_SUBJECT.search(part))

    return bool(parts) and all(party(p) for p in parts)


#: Themes about the formats of cooperation rather than a subject: an agreed undertaking on them without a shared
#: pair gives no "build on" point (the EU sentence beside it would say nothing about the same subject).
_FORMAT_THEMES = frozenset({"cooperation"})

#: How a line reports an undertaking, by its strength.
_SAID = {"firm": "committed to", "intent": "set out the intention to", "soft": "agreed on the need to"}


def _said(line: Line, strength: str | None) -> str | None:
    if line.stance:
        return line.phrase
    how = _SAID.get(strength or "")
    return None if how is None else f"{how} {line.phrase}"


def _display(name: str) -> str:
    return {"US": "the US", "EU": "the EU", "UK": "the UK"}.get(name, name)


def _names(speaker: str, authors: Any, party: str) -> str:
    """Who speaks a sentence, in words, the partner first: ``India and the US``; a document's own voice
    (``joint``) is all its signatories."""
    names = [n for n in speaker.split("+") if n] if speaker and speaker not in ("joint", "none", "other") else []
    if not names and authors is not None:
        names = list(authors.parties) + list(authors.groups)
    names = [_display(n) for n in names] or [party]
    if party in names:  # the partner first
        names.remove(party)
        names.insert(0, party)
    return " and ".join(names)


def _talking_points(
    ranked: Sequence[ThemeAlignment],
    shared: Sequence[dict[str, Any]],
    gaps: Sequence[dict[str, Any]],
    divergences: Sequence[dict[str, Any]],
    partner_only: Sequence[dict[str, Any]],
    metas: Mapping[str, DocumentMeta],
    party: str,
    *,
    top: int,
    authors: Mapping[str, Any] | None = None,
    basis: str = "signed",
    annex: _Annex | None = None,
    threshold: float = 0.5,
    eu_name: str = "our strategy",
    undertakings: Mapping[str, Sequence[Quote]] | None = None,
    labels: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Talking points in a diplomat's register: short, attributed, one idea each, citing their quotes.

    Each point is a line composed from a quoted sentence condensed to what it says on the theme
    (:func:`policytext.report.lines.condense`: reported speech, the quote cited beside it), never a pasted
    sentence; where no sentence condenses to a sure line, a "Build on" point is left out and a "Raise" point
    names the priority without one.

    * build on agreed language (a text both sides signed) or on the partner's own matching statement;
    * seek a firmer undertaking only where the partner's *own* text is weaker than the EU's (never
      on agreed language: the EU signed it);
    * raise an EU priority the partner's documents say nothing on;
    * ask the partner to explain a position that declines an EU undertaking;
    * ask about a partner priority the EU reference does not address.
    """
    authors = authors or {}
    party = _the(party)
    points: list[dict[str, Any]] = []
    by_theme: dict[str, list[dict[str, Any]]] = {}
    for s in shared:
        by_theme.setdefault(s["theme"], []).append(s)
    order = {"agreed": 0, "own": 1, "cosigned": 2, "third": 3}
    used: set[str] = set()
    for t in ranked:
        if sum(p["kind"] == "build_on" for p in points) >= top:
            break
        cands = list(by_theme.get(t.theme, []))
        if (not cands and t.status == "addressed" and (t.evidence or t.gaps) and undertakings
                and t.theme not in _FORMAT_THEMES):
            # No shared pair, but text both sides signed on a theme the EU addresses is still common ground to
            # build on: the partner-side undertakings on the theme, agreed first, beside the EU's closest sentence.
            eu_q = t.evidence[0].eu if t.evidence else t.gaps[0]
            cands = [{"kind": q.kind, "label": (labels or {}).get(t.theme, t.theme),
                      "pair": EvidencePair(t.theme, eu_q, q, 0.0)}
                     for q in undertakings.get(t.theme, ()) if q.kind == "agreed"][:LINE_CANDIDATES]
        if annex is not None and cands:  # more matched pairs of the theme than the shared list shows
            listed = {(c["partner"]["doc_id"], c["partner"]["segment_id"]) if "partner" in c
                      else (c["pair"].partner.doc_id, c["pair"].partner.segment_id) for c in cands}
            for e in t.evidence:
                if e.similarity >= threshold and not e.reason and (e.partner.doc_id, e.partner.segment_id) not in listed:
                    listed.add((e.partner.doc_id, e.partner.segment_id))
                    cands.append({"kind": e.partner.kind, "label": cands[0]["label"], "pair": e})
        cands.sort(key=lambda c: order.get(c["kind"], 3))
        for c in cands:
            if "pair" in c:
                pq = c["pair"].partner
                text, doc_id, strength, seg, speaker = pq.text, pq.doc_id, pq.strength, pq.segment_id, pq.speaker
            else:
                pq = c["partner"]
                text, doc_id, strength, seg = pq["text"], pq["doc_id"], pq["strength"], pq["segment_id"]
                speaker = next((i["speaker"] for i in annex.items if i["ref"] == pq["ref"]), "") if annex else ""
            if (doc_id, seg) in used:
                continue  # one point per idea: this sentence already carries a point
            eu_strength = c["pair"].eu.strength if "pair" in c else c["eu"]["strength"]
            if c["kind"] in ("own", "cosigned") and not eu_strength:
                continue  # "the EU shares this aim" needs an EU undertaking, not a description
            line = _line(text, t.theme, metas.get(doc_id))
            said = _said(line, strength) if line is not None else None
            if said is None:
                continue
            if "pair" in c:
                refs = [annex.add(c["pair"].eu, side="EU", theme=t.theme)["ref"],
                        annex.add(c["pair"].partner, side="partner", theme=t.theme)["ref"]]
            else:
                refs = [c["eu"]["ref"], c["partner"]["ref"]]
            used.add((doc_id, seg))
            au = authors.get(doc_id)
            doc = _doc_phrase(metas.get(doc_id), au, party)
            label = c["label"]
            if c["kind"] == "agreed" and doc.startswith("their "):
                text = (f"{label}: in {doc.replace('their ', 'our ', 1)} both sides {third_person(said, True)}. We "
                        "propose to agree concrete next steps.")
            elif c["kind"] == "agreed" and " signed with " in doc:
                text = (f"{label}: in {doc.rstrip(',')}, the signatories {third_person(said, True)}. We propose to "
                        f"discuss how the EU and {party} can take this forward in our dialogue.")
            elif c["kind"] == "agreed":
                text = (f"{label}: {doc} reports that both sides {third_person(said, True)}. We propose to agree "
                        "concrete next steps.")
            elif c["kind"] == "third":
                who = _names(speaker, au, party)
                plural = " and " in who
                text = (f"{label}: according to {doc}, {who} {third_person(said, plural)}. We would welcome "
                        f"{_possessive(party)} own view on this.")
            else:
                who = _names(speaker, au, party) if speaker in ("joint", "") or "+" in speaker else party
                text = (f"{label}: in {doc}, {who} {third_person(said, ' and ' in who)}. The EU shares this aim; "
                        "we propose to work together on it.")
            points.append({"kind": "build_on", "verb": "Build on", "theme": t.theme, "label": label,
                           "text": text, "refs": refs})
            break
    seen: set[str] = set()
    for s in shared:
        if (s["theme"] in seen or len(seen) >= top or s["kind"] != "own"
                or (s["partner"]["doc_id"], s["partner"]["segment_id"]) in used
                or s["partner"]["strength"] not in ("soft", "intent")):
            continue  # only the partner's own undertaking, weaker than the EU's, not already carrying a point
        eu_r, p_r = _rank(s["eu"]["strength"]), _rank(s["partner"]["strength"])
        p_line = _line(s["partner"]["text"], s["theme"], metas.get(s["partner"]["doc_id"]))
        e_line = _line(s["eu"]["text"], s["theme"], metas.get(s["eu"]["doc_id"]), of_parties=False)
        if eu_r >= 2 and p_r < eu_r and p_line is not None and e_line is not None and not p_line.stance \
                and not e_line.stance:
            seen.add(s["theme"])
            used.add((s["partner"]["doc_id"], s["partner"]["segment_id"]))
            how = {"soft": "says it should", "intent": "says it intends to"}[s["partner"]["strength"]]
            doc = _doc_phrase(metas.get(s["partner"]["doc_id"]), authors.get(s["partner"]["doc_id"]), party)
            points.append({
                "kind": "firm_up", "verb": "Seek a firmer undertaking", "theme": s["theme"], "label": s["label"],
                "text": f"{s['label']}: in {doc}, {party} {how} {third_person(p_line.phrase)}; the EU has committed to "
                        f"{e_line.phrase}. Would {party} be ready to commit as well?",
                "refs": [s["eu"]["ref"], s["partner"]["ref"]],
            })
    whose = (f"none of the documents on {party} here" if basis == "third-party only"
             else f"none of {_possessive(party)} documents here")
    partner_ids = {p["partner"]["doc_id"] for p in shared} | {i for i, m in metas.items()
                                                              if m.partner and m.partner == party}
    if partner_ids and all((metas[i].complete or "").lower() in ("partial", "no") for i in partner_ids if i in metas):
        whose += " (partial texts only)"
    by_gap = {t.theme: t for t in ranked}
    raised = 0
    said_lines: set[str] = set()
    for g in gaps:
        if raised >= top:
            break
        quotes = list(by_gap[g["theme"]].gaps) if g["theme"] in by_gap else []
        for q in quotes:  # the first EU sentence on the theme that says what the EU aims to do, in a line
            line = _line(q.text, g["theme"], metas.get(q.doc_id), of_parties=False)
            if line is None or line.stance or line.phrase in said_lines:
                continue  # a priority without a line of its own is left to the gap section: no template point
            said_lines.add(line.phrase)
            ref = annex.add(q, side="EU", theme=g["theme"])["ref"] if annex is not None else g["quotes"][0]["ref"]
            points.append({
                "kind": "raise", "verb": "Raise", "theme": g["theme"], "label": g["label"],
                "text": f"{g['label']}: under {eu_name}, the EU aims to {line.phrase}. We would welcome "
                        f"{_possessive(party)} views on working together on this.",
                "note": f"{whose[0].upper() + whose[1:]} address it.", "refs": [ref],
            })
            raised += 1
            break
    for d in divergences:
        doc = _doc_phrase(metas.get(d["partner"]["doc_id"]), authors.get(d["partner"]["doc_id"]), party)
        points.append({
            "kind": "clarify", "verb": "Clarify", "theme": d["theme"], "label": d["label"],
            "text": f"{d['label']}: {doc} says “{_bare(d['partner']['text'], QUOTE_LIMIT, d['theme'])}”, while the EU "
                    f"commits to “{_bare(d['eu']['text'], EU_QUOTE_LIMIT, d['theme'])}” Could {party} explain its "
                    "position?",
            "refs": [d["eu"]["ref"], d["partner"]["ref"]],
        })
    for p in [p for p in partner_only if p["eu_silent"] and any(q["kind"] in ("own", "cosigned")
                                                                 for q in p["quotes"])][:top]:
        # agreed language is no partner-only priority
        for q in (q for q in p["quotes"] if q["kind"] in ("own", "cosigned")):
            line = _line(q["text"], p["theme"], metas.get(q["doc_id"]))
            said = _said(line, q["strength"]) if line is not None else None
            if said is None:
                continue
            doc = _doc_phrase(metas.get(q["doc_id"]), authors.get(q["doc_id"]), party)
            speaker = next((i["speaker"] for i in annex.items if i["ref"] == q["ref"]), "") if annex else ""
            who = (_names(speaker, authors.get(q["doc_id"]), party) if speaker in ("joint", "") or "+" in speaker
                   else party)
            points.append({
                "kind": "ask", "verb": "Ask about", "theme": p["theme"], "label": p["label"],
                "text": f"{p['label']}: in {doc}, {who} {third_person(said, ' and ' in who)}. How does {party} see "
                        "cooperation with the EU on it?",
                "refs": [q["ref"]],
            })
            break
    for i, p in enumerate(points, start=1):
        p["id"] = f"TP{i}"
    return points


def _follow_up(analyzed: Sequence[Analysis], annex: _Annex, authors: Mapping[str, Any], party: str, basis: str,
               labels: Mapping[str, str]) -> dict[str, Any]:
    """Dated commitments of the partner's side (own and agreed; third-party only when that is all there is)."""
    from ..extract.speakers import evidence_kind

    allowed = EVIDENCE_KINDS if basis == "third-party only" else SIGNED_KINDS
    items = []
    seen_texts: set[str] = set()
    counts: dict[str, dict[str, int]] = {}
    lapsed_docs = []
    passed = 0
    passed_ids: dict[tuple[str, str], str] = {}
    this_year = _this_year()
    for a in analyzed:
        au = authors.get(a.doc_id)
        if _status_of(_meta(a)):
            lapsed_docs.append(f"{a.doc_id} ({_status_of(_meta(a))})")
            continue  # a revoked or superseded text commits no one any more
        speakers = {u.segment_id: u.speaker for u in a.units}
        year = int(_meta(a).date[:4]) if (_meta(a).date or "")[:4].isdigit() else None
        for c in a.commitments:
            if speakers.get(c.segment_id) == "none" or _procedural(c.text):
                continue
            norm = " ".join(c.text.lower().split())
            if norm in seen_texts:
                continue  # the same sentence twice (repeated in a document, or in two of them)
            seen_texts.add(norm)
            speaker = speakers.get(c.segment_id, "")
            kind = evidence_kind(speaker, au, party) if (speaker and au is not None) else "own"
            if kind not in allowed:
                continue
            counts.setdefault(kind, {})
            key = "negated" if c.negated else (c.strength or "none")
            counts[kind][key] = counts[kind].get(key, 0) + 1
            years = [int(y) for y in re.findall(r"\b(?:19|20)\d{2}\b", c.deadline)]
            if not c.deadline or (year is not None and years and max(years) < year) or not c.themes:
                continue  # no deadline, a date before the document (a reference), or off the taxonomy's themes
            if not any((cue := _theme_cue(t)) is None or cue.search(c.text) for t in c.themes) or (
                    _english(_meta(a)) and not _DIGITAL.search(c.text)):
                continue  # off-theme: no word of its themes, or nothing digital (forests, net zero in a communiqué)
            if (years and max(years) < this_year) or (not years and year is not None and year < this_year):
                passed += 1
                passed_ids[(c.doc_id, c.segment_id)] = kind
                continue  # the date has passed ("by the next Ministerial" in a text of an earlier year, too)
            quote = Quote(c.doc_id, c.segment_id, c.text, c.page, c.paragraph, c.start, c.end, c.strength, c.negated,
                          speaker, kind)
            items.append({
                "deadline": c.deadline, "actor": c.actor, "strength": c.strength, "negated": c.negated,
                "condition": c.condition, "kind": kind, "date": _meta(a).date, "doc_id": c.doc_id,
                "themes": [labels.get(t, t) for t in c.themes],
                "quote": annex.add(quote, side="partner"),
            })
    items.sort(key=lambda x: (x["date"] or "", x["doc_id"], x["quote"]["ref"]))
    # Commitments whose date has passed, followed up in the partner's later documents (policytext.followup)
    earlier = []
    if passed_ids:
        from ..followup import track

        in_force = [a for a in analyzed if not _status_of(_meta(a))]
        for t in track(in_force):
            c = t.commitment
            kind = passed_ids.get((c.doc_id, c.segment_id))
            if kind is None or not t.later_documents:
                continue
            quote = Quote(c.doc_id, c.segment_id, c.text, c.page, c.paragraph, c.start, c.end, c.strength, c.negated,
                          t.speaker, kind)
            item = {"deadline": c.deadline, "date": t.date, "status": t.status, "kind": kind,
                    "quote": annex.add(quote, side="partner"), "later_documents": list(t.later_documents),
                    "report": None}
            if t.links:
                lk = t.links[0]
                au = authors.get(lk.doc_id)
                lk_kind = evidence_kind(lk.speaker, au, party) if (lk.speaker and au is not None) else "own"
                item["report"] = annex.add(Quote(lk.doc_id, lk.segment_id, lk.text, lk.page, lk.paragraph, lk.start,
                                                 lk.end, None, False, lk.speaker, lk_kind), side="partner") | {
                    "status": lk.status, "similarity": lk.similarity, "date": lk.date}
            earlier.append(item)
    note = "" if items or earlier else "No dated commitment was found in the partner-side documents."
    left = passed - len(earlier)
    if left:
        note = (note + " " if note else "") + (f"Left out: {left} commitment(s) whose date has passed (a date "
                                               "before this year, or a deadline relative to a meeting or 'this year' "
                                               "in a text of an earlier year) and no later document of the partner "
                                               "to check them against.")
    if lapsed_docs:
        note = (note + " " if note else "") + ("Left out, no longer in force: " + ", ".join(lapsed_docs) + ".")
    return {"items": items, "earlier": earlier, "counts": counts, "note": note}


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
        # headings, list lead-ins, definitions and procedural lines (working groups, work programmes, the next
        # meeting) are no undertakings to compare
        items = [c for c in a.commitments if c.segment_id in row and not _procedural(c.text)]
        if not items or a.vectors.size == 0:
            return [], np.zeros((0, 1), dtype=np.float32)
        return items, np.asarray(a.vectors[[row[c.segment_id] for c in items]], dtype=np.float32)

    old_c, old_v = vectors(older)
    new_c, new_v = vectors(newer)
    out: dict[str, list[tuple[Commitment | None, Commitment | None, float]]] = {
        "new": [], "dropped": [], "strengthened": [], "weakened": [], "kept": []}
    sims = new_v @ old_v.T if len(old_c) and len(new_c) else np.zeros((len(new_c), len(old_c)))
    # the same undertaking: close in meaning and naming the same things (two specific terms in common), so a
    # standards principle is not "strengthened" into a standards training
    same = sims >= threshold
    for i, j in zip(*np.nonzero(same)):
        same[i, j] = anchored(old_c[j].text, new_c[i].text)
    sims_ok = np.where(same, sims, -1.0)
    for i, c in enumerate(new_c):
        if not len(old_c) or not same[i].any():
            out["new"].append((None, c, float(sims[i].max()) if len(old_c) else 0.0))
            continue
        j = int(sims_ok[i].argmax())
        o = old_c[j]
        delta = _rank(c.strength, c.negated, c.condition) - _rank(o.strength, o.negated, o.condition)
        key = "strengthened" if delta > 0 else "weakened" if delta < 0 else "kept"
        out[key].append((o, c, float(sims[i, j])))
    for j, o in enumerate(old_c):
        if not len(new_c) or not same[:, j].any():
            out["dropped"].append((o, None, float(sims[:, j].max()) if len(new_c) else 0.0))
    for key in ("strengthened", "weakened", "kept"):
        out[key].sort(key=lambda x: -x[2])
    return out


def _commitment_quote(c: Commitment, speaker: str = "", kind: str = "") -> Quote:
    return Quote(c.doc_id, c.segment_id, c.text, c.page, c.paragraph, c.start, c.end, c.strength, c.negated,
                 speaker, kind)


def _series_terms(meta: DocumentMeta) -> set[str]:
    """The words that make two titles one series ("Trade and Technology Council"), without genre words."""
    generic = {"fact", "sheet", "joint", "statement", "press", "release", "administration", "announces",
               "biden-harris", "government", "strategy", "national", "executive", "order", "communique", "leaders"}
    return {w for w in re.findall(r"[a-z][a-z-]{3,}", (meta.title or "").lower())} - generic


def _changes(analyzed: Sequence[Analysis], annex: _Annex, settings: ChangeSettings) -> dict[str, Any]:
    """Change of commitments between consecutive dated documents of one series: the same type, the same
    authors, and titles that name the same body or process (two TTC joint statements, not two unrelated
    fact sheets)."""
    from ..extract.speakers import evidence_kind

    series: dict[str, list[Analysis]] = {}
    for a in analyzed:
        if _meta(a).date:
            au = annex.authors.get(a.doc_id)
            key = f"{_meta(a).doc_type or 'document'}|{au.describe() if au is not None else ''}"
            series.setdefault(key, []).append(a)
    steps = []
    for key, docs in sorted(series.items()):
        doc_type = key.split("|", 1)[0]
        docs = sorted(docs, key=lambda a: (_meta(a).date, a.doc_id))
        for older, newer in zip(docs, docs[1:]):
            if len(_series_terms(_meta(older)) & _series_terms(_meta(newer))) < 2:
                continue  # not one series: nothing was dropped or kept between them
            found = commitment_changes(older, newer, threshold=settings.threshold)
            step: dict[str, Any] = {
                "doc_type": doc_type,
                # commitments compared (procedural lines and lead-ins left out) and those left out
                "from": {"doc_id": older.doc_id, "title": _meta(older).title, "date": _meta(older).date,
                         "commitments": sum(not _procedural(c.text) for c in older.commitments),
                         "procedural": sum(_procedural(c.text) for c in older.commitments)},
                "to": {"doc_id": newer.doc_id, "title": _meta(newer).title, "date": _meta(newer).date,
                       "commitments": sum(not _procedural(c.text) for c in newer.commitments),
                       "procedural": sum(_procedural(c.text) for c in newer.commitments)},
                "counts": {k: len(v) for k, v in found.items()},
            }
            for key in ("new", "dropped", "strengthened", "weakened"):
                items = []
                for o, n, sim in found[key][: settings.max_items]:
                    item: dict[str, Any] = {"similarity": round(sim, 3), "before": None, "after": None}
                    for side, c, a in (("before", o, older), ("after", n, newer)):
                        if c is None:
                            continue
                        speaker = next((u.speaker for u in a.units if u.segment_id == c.segment_id), "")
                        au = annex.authors.get(a.doc_id)
                        kind = evidence_kind(speaker, au, annex.party) if speaker and au is not None else ""
                        item[side] = annex.add(_commitment_quote(c, speaker, kind), side="partner") | {
                            "strength": c.strength, "negated": c.negated}
                    items.append(item)
                step[key] = items
            steps.append(step)
    return {
        "available": bool(steps),
        "threshold": settings.threshold,
        "note": "" if steps else ("Change over time needs two or more dated documents of one series from the partner "
                                  "(the same type and authors, titles naming the same body or process)."),
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
            "basis": b.get("basis", "unknown"),
            "sentences": {k: v for k, v in b["summary"].get("partner_kinds", {}).items()
                          if k in EVIDENCE_KINDS},
            "thin": _thin_partner(b),
        })
        matrix.append([rows[t["theme"]]["score"] if t["theme"] in rows else None for t in themes])
    ordered = sorted(partners, key=lambda p: (-(p["score"] if p["score"] is not None else -1), p["partner"]))
    headline = "; ".join(f"{p['partner']} {number(p['score'])} ({p['interval']}){' — thin evidence' if p['thin'] else ''}"
                         for p in ordered)
    return {
        "schema": SCHEMA,
        "kind": "comparison",
        "title": f"Comparison of {len(partners)} partners",
        "sections": [{"id": i, "title": h} for i, h in COMPARISON_SECTIONS],
        "eu_documents": briefings[0]["eu_documents"],
        "summary": {"headline": f"Overall alignment with the EU reference: {headline}.",
                    "note": ("Scores grow with how much a partner has written on each theme (coverage): compare "
                             "partners with similar sources. Thin evidence: fewer than "
                             f"{THIN_PARTNER} signed sentences, or third-party texts only.")},
        "partners": partners,
        "themes": themes,
        "matrix": matrix,
        "methods": briefings[0]["methods"],
    }


#: A partner whose signed text (own and agreed) has fewer sentences than this is marked thin in a comparison.
THIN_PARTNER = 40


def _thin_partner(b: Mapping[str, Any]) -> bool:
    kinds = b["summary"].get("partner_kinds", {})
    return b.get("basis") == "third-party only" or (kinds.get("own", 0) + kinds.get("cosigned", 0)
                                                     + kinds.get("agreed", 0)) < THIN_PARTNER


def _meta(a: Analysis) -> DocumentMeta:
    """An analysis's document metadata (empty for one made without it)."""
    from ..records import DocumentMeta

    return a.meta if a.meta is not None else DocumentMeta(doc_id=a.doc_id)
