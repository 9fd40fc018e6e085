"""Follow up what a partner promised: dated commitments, and the later sentences that report on them.

An analyst preparing a dialogue asks *what did they promise "by the next Ministerial", and did the next
statement report it?*  :func:`track` answers from a partner's analysed documents:

1. **Tracked commitments** are the commitments of the partner's documents (own or agreed, not a third
   party's, not procedural lines or lead-ins) that carry a **deadline**: a date ("by 2027", "before the
   end of 2023"), a period ("in the coming months") or an event ("by the next TTC Ministerial").  A year
   before the document's own is a reference, not a deadline; a bare "in 2023" in a text of 2023 ("timely
   in 2023, when we celebrate ...") is no deadline either.  ``deadlines_only=False`` tracks every
   commitment (what was promised at earlier meetings, dated or not).
2. Each is **linked** to the sentences of the partner's *later* dated documents that are about the same
   undertaking: cosine of the sentence vectors at least ``threshold`` *and* two specific terms in common
   (:func:`policytext.alignment.anchored`, the rule the evidence pairs use), so a later sentence on another
   subject in similar words is not a report.  At most ``max_links`` links per commitment and document.
3. Each link gets a **status** from the later sentence's wording: ``done`` ("have launched", "was held",
   "welcomed the publication of"), ``in progress`` ("continue to", "are working", "have begun", "progress
   on"), ``renewed`` (promised again: the later sentence is itself a commitment) or ``mentioned``.  The
   commitment's status is its best link's (done > in progress > renewed > mentioned); ``silent`` when the
   partner has later documents and none reports on it; ``no later document`` when it has none.

The status is read from words, not verified: a link is a pointer to a passage to read, with its anchor and
speaker.  Precision of the links is measured on the shared corpus's two EU-US TTC statements by
independent annotators (``docs/followup``; README).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .alignment import anchored
from .records import Analysis, Commitment

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["STATUSES", "Link", "Tracked", "deadline_kind", "followup", "link_status", "track", "tracked_frame"]

#: Statuses, best first.
STATUSES = ("done", "in progress", "renewed", "mentioned", "silent", "no later document")

_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
#: Words that make a time phrase a deadline ("by", "before", "ahead of", "no later than", "within", ...).
_LEAD = re.compile(r"^\W*(?:by|before|ahead of|prior to|no later than|not later than|within|until|till|in time for"
                   r"|at (?:the|its|our|their) (?:next|upcoming|following)|during (?:the|its|our) (?:next|upcoming)"
                   r"|(?:in|over) the (?:coming|next)|(?:at|by|before) the end of|end of)\b", re.I)
_EVENT = re.compile(r"\b(?:next|upcoming|following|forthcoming)\b.{0,40}?\b(?:meeting|ministerial|summit|council|"
                    r"session|dialogue|ttc|conference|g7|g20|review|round)\b", re.I)
_PERIOD = re.compile(r"\b(?:coming|next|following) (?:\w+ )?(?:days|weeks|months|year|years)\b|\bwithin (?:\w+ ){1,2}"
                     r"(?:days|weeks|months|years?)\b", re.I)

_PAST = (r"launched|established|held|published|adopted|completed|delivered|concluded|signed|set up|created|"
         r"developed|issued|convened|finali[sz]ed|achieved|produced|endorsed|released|deployed|implemented|agreed|"
         r"organi[sz]ed|hosted|submitted|presented|approved|opened|initiated|mapped|identified")
_DONE = re.compile(
    # not "expect to have developed" / "will have completed": a future perfect is a promise, not a report
    rf"(?<!\bto )(?<!\bwill )(?<!\bshall )\b(?:ha(?:ve|s|d)|having)\s+(?:now\s+|successfully\s+|already\s+|jointly\s+|recently\s+)?(?:been\s+)?(?:{_PAST})\b"
    rf"|\b(?:was|were)\s+(?:successfully\s+|recently\s+)?(?:{_PAST})\b"
    rf"|\bha(?:ve|s)\s+\(\w{{1,4}}\)\s+(?:{_PAST})\b"  # "The groups have (i) issued a list ..."
    r"|\b(?:launched|established|adopted|created|set up|signed|concluded)\s+(?:at|in|during|on|last)\b"
    r"|\bwelcom\w*\s+(?:the\s+)?(?:publication|launch|adoption|completion|conclusion|establishment|entry into force|"
    r"signing|signature|release|creation|results?|outcomes?|delivery|first meeting|holding|convening)\b"
    rf"|^\W*(?:\w+\s+){{0,6}}?(?:we|they|it|the (?:co-chairs|parties|sides|council|ttc|united states|eu))\s+(?:{_PAST})\b", re.I)
_PROGRESS = re.compile(
    r"\bcontinu(?:e|es|ed|ing)\s+(?!to be\b)\w+|\b(?:are|is)\s+(?:now\s+|actively\s+|jointly\s+|also\s+)?"
    r"(?!going\b|being\b|including\b)\w{3,}ing\b|\bha(?:ve|s)\s+(?:accelerated|intensified|deepened|"
    r"strengthened|expanded|stepped up|advanced)\b|\b(?:are|is|remain)\s+(?:\w+\s+)?(?:working|developing|"
    r"advancing|progressing|implementing|pursuing|taking forward|making progress)\b|\bprogress\w*\s+(?:on|in|made|"
    r"achieved|towards)\b|\bmade (?:\w+ )?progress\b|\bongoing\b|\bunder ?way\b|\bha(?:ve|s) (?:begun|started)\b"
    r"|\bbuild(?:s|ing)? on\b|\b(?:take|took|taken) stock\b|\bfurther (?:advance|develop|deepen|strengthen)\w*\b", re.I)


def deadline_kind(deadline: str, doc_year: int | None = None) -> str | None:
    """``"date"``, ``"event"`` or ``"period"`` when ``deadline`` sets one, else ``None`` (a reference)."""
    phrase = " ".join((deadline or "").split())
    if not phrase:
        return None
    years = [int(y) for y in _YEAR.findall(phrase)]
    if years and doc_year is not None and max(years) < doc_year:
        return None  # a date before the document: a reference ("the principles adopted in May 2009")
    if _EVENT.search(phrase):
        return "event"
    if _PERIOD.search(phrase):
        return "period"
    if years:
        if _LEAD.search(phrase) or doc_year is None or max(years) > doc_year:
            return "date"
        return None  # "in 2023" in a text of 2023: when something happens, not a deadline
    return "date" if _LEAD.search(phrase) and re.search(r"\b(?:end|mid|spring|summer|autumn|fall|winter)\b", phrase,
                                                         re.I) else None


#: Statements of importance or of a view ("reiterate the importance of", "recall that"): mentioned, not renewed.
_MENTION = re.compile(r"\b(?:reiterat\w*|underlin\w*|stress\w*|emphasi[sz]\w*|recall\w*|highlight\w*)\s+(?:the\s+)?"
                      r"(?:importance|need|view|that|central role|key role|crucial)\b|\bshare the view\b"
                      r"|\brecogni[sz]\w*\s+(?:the|that)\b", re.I)


def link_status(text: str, commitment: bool) -> str:
    """What a later sentence says of an earlier undertaking, from its words (definitions in
    ``docs/followup/GUIDELINES.md``): done, in progress, renewed (promised again) or mentioned."""
    if _DONE.search(text):
        return "done"
    if _PROGRESS.search(text):
        return "in progress"
    return "renewed" if commitment and not _MENTION.search(text) else "mentioned"


@dataclass(frozen=True)
class Link:
    """A later sentence that reports on a tracked commitment."""

    doc_id: str
    date: str
    segment_id: str
    text: str
    page: int | None
    paragraph: int | None
    speaker: str
    status: str
    similarity: float
    start: int = 0
    end: int = 0

    @property
    def anchor(self) -> str:
        return _anchor(self.doc_id, self.page, self.paragraph)


@dataclass(frozen=True)
class Tracked:
    """A commitment followed up in the partner's later documents."""

    commitment: Commitment
    date: str
    speaker: str
    due: str  # "date", "event", "period"; "" when tracked without a deadline
    status: str
    links: tuple[Link, ...] = field(default_factory=tuple)
    later_documents: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return _anchor(self.commitment.doc_id, self.commitment.page, self.commitment.paragraph)


def _anchor(doc_id: str, page: int | None, paragraph: int | None) -> str:
    return ", ".join(filter(None, [doc_id, f"p. {page}" if page else "",
                                   f"para. {paragraph + 1}" if paragraph is not None else ""]))


def _date(a: Analysis) -> str:
    return (a.meta.date if a.meta is not None else "") or ""


def _year(a: Analysis) -> int | None:
    d = _date(a)
    return int(d[:4]) if d[:4].isdigit() else None


def track(
    analyses: Sequence[Analysis],
    *,
    deadlines_only: bool = True,
    threshold: float = 0.6,
    max_links: int = 1,
) -> list[Tracked]:
    """Follow up the commitments of one partner's analysed documents in its later ones (module docstring).

    ``analyses``: the partner's documents (dated ones take part; undated ones can neither be followed up
    nor report, as their order is unknown).  Vectors must come from one embedding (one backend).
    Returns the tracked commitments in date order, then document order.
    """
    from .report.summarise import _procedural

    dated = sorted((a for a in analyses if _date(a)), key=lambda a: (_date(a), a.doc_id))
    dims = {a.vectors.shape[1] for a in dated if a.vectors.size}
    if len(dims) > 1:
        raise ValueError("the documents were embedded in different spaces (analyse them on one backend); "
                         f"vector sizes: {sorted(dims)}")
    out: list[Tracked] = []
    seen: set[str] = set()
    for i, a in enumerate(dated):
        later = [b for b in dated[i + 1:] if _date(b) > _date(a)]
        units = {u.segment_id: (k, u) for k, u in enumerate(a.units)}
        eligible = []  # (commitment, sentence row, speaker, due): the document's undertakings
        for c in a.commitments:
            k, unit = units.get(c.segment_id, (None, None))
            speaker = unit.speaker if unit is not None else ""
            if unit is None or speaker in ("none", "EU") or _procedural(c.text):
                continue  # a third party's or the EU's own line, boilerplate, a lead-in, a meeting
            eligible.append((c, k, speaker, deadline_kind(c.deadline, _year(a)) or ""))
        if not eligible:
            continue
        rows = sorted({k for _, k, _, _ in eligible})
        # For each later sentence, the undertaking of this document it is closest to: a sentence reports on
        # that one only (mutual best match), so one report is not linked to every neighbouring undertaking.
        closest = {b.doc_id: (np.asarray(a.vectors[rows], np.float32) @ np.asarray(b.vectors, np.float32).T).argmax(0)
                   for b in later if b.vectors.size}
        for c, k, speaker, due in eligible:
            if deadlines_only and not due:
                continue
            norm = " ".join(c.text.lower().split())
            if norm in seen:
                continue  # the same sentence again (repeated in the document or in a later one)
            seen.add(norm)
            mine = rows.index(k)
            links = [link for b in later if b.doc_id in closest
                     for link in _links(a.vectors[k], c.text, b, closest[b.doc_id] == mine, threshold, max_links)]
            status = (min((lk.status for lk in links), key=STATUSES.index) if links
                      else "silent" if later else "no later document")
            out.append(Tracked(c, _date(a), speaker, due, status, tuple(links), tuple(b.doc_id for b in later)))
    return out


def _links(vector: np.ndarray, text: str, later: Analysis, mutual: np.ndarray, threshold: float,
           max_links: int) -> list[Link]:
    """The later document's sentences that report on the undertaking (``mutual``: the sentences whose
    closest undertaking of the earlier document it is)."""
    if not later.units or later.vectors.size == 0:
        return []
    sims = np.asarray(later.vectors, dtype=np.float32) @ np.asarray(vector, dtype=np.float32)
    committed = {c.segment_id for c in later.commitments}
    found: list[Link] = []
    said: set[str] = set()
    for j in np.argsort(-sims, kind="stable"):
        if sims[j] < threshold or len(found) == max_links:
            break
        u = later.units[int(j)]
        norm = " ".join(u.text.lower().split())
        if (not mutual[j] or u.is_heading or u.speaker == "none" or norm in said or u.text.rstrip().endswith(":")
                or not anchored(text, u.text)):
            continue  # closer to another undertaking, a heading, a third party's line, the same words again,
            # a lead-in, or another subject
        said.add(norm)
        found.append(Link(later.doc_id, _date(later), u.segment_id, u.text, u.page, u.paragraph, u.speaker,
                          link_status(u.text, u.segment_id in committed), round(float(sims[j]), 3), u.start, u.end))
    return found


def tracked_frame(tracked: Sequence[Tracked], *, long: bool = False) -> pd.DataFrame:
    """Tracked commitments as a DataFrame: one row each (``long=False``; the best link beside it) or one row
    per link (``long=True``; a commitment without links keeps one row with empty link columns)."""
    import pandas as pd

    rows = []
    for t in tracked:
        c = t.commitment
        base = {"date": t.date, "doc_id": c.doc_id, "anchor": t.anchor, "speaker": t.speaker, "commitment": c.text,
                "strength": c.strength, "deadline": c.deadline, "due": t.due, "status": t.status,
                "links": len(t.links), "later_documents": ", ".join(t.later_documents)}
        chosen = list(t.links) if long else sorted(t.links, key=lambda lk: (STATUSES.index(lk.status),
                                                                           -lk.similarity))[:1]
        for lk in chosen or [None]:
            rows.append(base | {
                "link_status": lk.status if lk else "", "link_date": lk.date if lk else "",
                "link_anchor": lk.anchor if lk else "", "link_speaker": lk.speaker if lk else "",
                "link_sentence": lk.text if lk else "", "similarity": lk.similarity if lk else float("nan")})
    columns = ["date", "doc_id", "anchor", "speaker", "commitment", "strength", "deadline", "due", "status", "links",
               "later_documents", "link_status", "link_date", "link_anchor", "link_speaker", "link_sentence",
               "similarity"]
    return pd.DataFrame(rows, columns=columns)


def followup(
    store: Any,
    partner: str,
    *,
    deadlines_only: bool = True,
    threshold: float = 0.6,
    long: bool = False,
) -> pd.DataFrame:
    """:func:`track` over the partner's analysed documents in a store (``policytext score``'s), as a frame.

    ``partner``: the manifest's partner name (case-insensitive).  Raises ``ValueError`` when the store holds
    no analysed document of that partner (the message lists the partners it holds).
    """
    from .store import Store

    own = not isinstance(store, Store)
    db = Store(store, read_only=True) if own else store
    try:
        rows = db.con.execute(
            "WITH a AS (SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY doc_key ORDER BY created_at DESC) "
            "AS rn FROM analyses) WHERE rn = 1) "
            "SELECT DISTINCT a.doc_key, a.analysis_fp, d.partner FROM a JOIN documents d USING (doc_key) "
            "ORDER BY a.doc_key").fetchall()
        keys = [(k, fp) for k, fp, p in rows if (p or "").strip().lower() == partner.strip().lower()]
        if not keys:
            known = sorted({p for *_, p in rows if p})
            raise ValueError(f"the store holds no analysed document of partner {partner!r}; partners: "
                             f"{', '.join(known) or 'none'}")
        analyses = [db.load_analysis(k, fp) for k, fp in keys]
    finally:
        if own:
            db.close()
    return tracked_frame(track(analyses, deadlines_only=deadlines_only, threshold=threshold), long=long)
