"""Thematic alignment between the EU strategy and a partner's documents.

Two levels, as everywhere in policytext:

* :func:`align_units` is the **pure core**: it takes sentence records
  (:class:`Unit`), their embeddings and their theme scores as arrays and
  returns an :class:`Alignment`.  It loads no model and is tested without one.
* :func:`align` is the **convenience function**: it takes
  :class:`~policytext.records.Document` objects, runs the theme classifier,
  the commitment extractor and the embedder, and calls the core.

For every theme of the taxonomy the score combines four documented parts
(weights in :class:`AlignConfig`, recorded in every result):

coverage
    how much the partner addresses the theme: ``1 - exp(-n / coverage_scale)``
    for ``n`` partner sentences carrying the theme (saturates: 1 sentence
    0.28, 3 sentences 0.63, 6 sentences 0.86 with the default scale 3).
agreement
    for each EU sentence on the theme (commitments weigh double), the
    best-matching partner sentence by meaning (cosine of embeddings, rescaled
    from ``[sim_floor, sim_ceiling]`` to ``[0, 1]``; a divergent match counts
    0); their weighted mean.
firmness parity
    over matched pairs (similarity >= ``match_threshold``): ``1 - |r_eu - r_p| / 3``
    with ranks firm 3, intent 2, soft 1, no commitment 0; a conditional
    commitment ranks ``condition_discount`` lower.  (Negated ones are divergences.)
divergence
    the share of matched pairs where the partner, in a text of its own,
    declines an undertaking the EU makes (its matching sentence is a negated
    commitment, the EU's an affirmative one; never inside agreed language,
    never for a negation aimed at a harm such as "will not tolerate"), counting
    also negated partner commitments on the theme that match an EU commitment
    without being its best match (cosine at least ``match_threshold``, or two
    shared content words and cosine at least ``divergence_threshold``: negation
    moves the wording); it multiplies the score by
    ``1 - divergence_penalty * share`` and every divergent pair is listed.
    Contrary words alone ("oppose", "restrict") are not divergence: both sides
    oppose harms.

``score = 100 * (w_cov*coverage + w_agr*agreement + w_par*parity) * (1 - penalty*divergence)``.

Where the partner's commitments were not extracted (a language without
commitment rules: ``partner_commitments_known`` False), firmness is unknown, not
absent: parity is left out (``None``; the other two weights are rescaled to sum
to 1) and a negation on the EU side is not read as a divergence.

Who speaks matters (:mod:`policytext.extract.speakers`): each partner-side
sentence is the partner's **own** position, **agreed** language it signed
with the EU, or a **third** party's; the EU's own words inside a joint text
and sentences that are no one's position (titles, lists, definitions,
savings clauses) never count.  The score rests on what the partner signed
(own and agreed text: agreed language is a commitment the partner made, and
the strongest thing to build on); each theme also reports ``own_score``, the
score from the partner's own texts alone, and how many sentences of each
kind it rests on.  A partner with no signed text in the corpus is scored on
third-party texts and says so (``basis``).

The interval is a percentile bootstrap (``n_bootstrap`` draws, seeded by the
inputs): the EU's sentences on the theme are resampled with replacement, and
the partner's number of sentences on the theme is redrawn from a Poisson law
around the observed count, so the interval reflects how much the score rests
on a few sentences and shrinks as the evidence grows.  The overall index is the mean of theme scores
weighted by the EU's emphasis on each theme, with its own bootstrap interval.
Themes the EU reference does not address get no score (``None``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .formatting import number
from .records import Unit

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


__all__ = [
    "AlignConfig",
    "BOILERPLATE",
    "SIGNED_KINDS",
    "EVIDENCE_KINDS",
    "is_boilerplate",
    "TASKING",
    "PROCEDURAL",
    "ANCHOR_TERMS",
    "anchored",
    "Unit",
    "Quote",
    "EvidencePair",
    "ThemeAlignment",
    "Alignment",
    "align_units",
    "STRENGTH_RANK",
]

#: Rank of each strength for firmness parity (no commitment ranks 0).
STRENGTH_RANK = {"firm": 3, "intent": 2, "soft": 1, None: 0}

@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Settings of the alignment score.  Recorded in every result."""

    w_coverage: float = 0.35
    w_agreement: float = 0.45
    w_parity: float = 0.20
    divergence_penalty: float = 0.5
    coverage_scale: float = 3.0
    sim_floor: float = 0.25
    sim_ceiling: float = 0.75
    match_threshold: float = 0.5
    divergence_threshold: float = 0.2
    commitment_weight: float = 2.0
    condition_discount: float = 0.5
    n_bootstrap: int = 200
    interval: float = 0.90
    max_evidence: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        weights = (self.w_coverage, self.w_agreement, self.w_parity)
        if any(w < 0 for w in weights) or not math.isclose(sum(weights), 1.0, abs_tol=1e-9):
            raise ValueError(f"w_coverage + w_agreement + w_parity must be non-negative and sum to 1, got {weights}")
        if not 0 <= self.divergence_penalty <= 1:
            raise ValueError(f"divergence_penalty must be in [0, 1], got {self.divergence_penalty}")
        if not self.sim_floor < self.sim_ceiling:
            raise ValueError("sim_floor must be below sim_ceiling")
        if not 0 < self.interval < 1:
            raise ValueError(f"interval must be in (0, 1), got {self.interval}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Quote:
    """A quoted sentence with its anchors (document, page, paragraph, offsets)."""

    doc_id: str
    segment_id: str
    text: str
    page: int | None
    paragraph: int | None
    start: int
    end: int
    strength: str | None = None
    negated: bool = False
    #: On whose behalf the sentence speaks (``joint``, ``EU``, ``US``, ``India+US``...; see
    #: :mod:`policytext.extract.speakers`), and for a partner quote how it relates to the partner:
    #: ``own``, ``agreed`` (signed with the EU) or ``third`` (a text or words of others).
    speaker: str = ""
    kind: str = ""

    @classmethod
    def of(cls, u: Unit, kind: str = "") -> Quote:
        return cls(u.doc_id, u.segment_id, u.text, u.page, u.paragraph, u.start, u.end,
                   u.strength if u.commitment else None, u.negated, u.speaker, kind)

    @property
    def anchor(self) -> str:
        """Human-readable citation, e.g. ``eu-ids-2025, p. 3, para. 12``."""
        parts = [self.doc_id]
        if self.page is not None:
            parts.append(f"p. {self.page}")
        if self.paragraph is not None:
            parts.append(f"para. {self.paragraph + 1}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"anchor": self.anchor}


@dataclass(frozen=True, slots=True)
class EvidencePair:
    """An EU quote and the partner quote that best matches it."""

    theme: str
    eu: Quote
    partner: Quote
    similarity: float
    divergent: bool = False
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme, "similarity": round(self.similarity, 4), "divergent": self.divergent,
            "reason": self.reason, "eu": self.eu.to_dict(), "partner": self.partner.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class ThemeAlignment:
    """Alignment on one theme.  ``score`` is ``None`` where the EU reference is silent on the theme."""

    theme: str
    score: float | None
    low: float | None
    high: float | None
    eu_coverage: float
    partner_coverage: float
    eu_sentences: int
    partner_sentences: int
    eu_commitments: int
    partner_commitments: int
    agreement: float
    parity: float | None  # None: the partner's commitments were not extracted (firmness unknown)
    divergence: float
    matched: int
    evidence: tuple[EvidencePair, ...] = ()
    divergences: tuple[EvidencePair, ...] = ()
    gaps: tuple[Quote, ...] = ()
    partner_only: tuple[Quote, ...] = ()
    partner_prominent: bool = False
    #: the partner's sentences on the theme by kind (``own``, ``agreed``, ``third``): what the score rests on
    partner_kinds: dict[str, int] = field(default_factory=dict)
    #: the score from the partner's own sentences alone (no agreed language); ``None`` without any
    own_score: float | None = None
    #: sentences naming the theme (a cue of the taxonomy) that the classifier did not put on it
    eu_mentions: int = 0
    partner_mentions: int = 0
    #: matched pairs that name the same things (at least ANCHOR_TERMS specific terms in common): the shared
    #: commitments a briefing lists
    shared: int = 0

    @property
    def status(self) -> str:
        """``shared`` (matched statements naming the same things), ``addressed`` (the partner speaks to the theme, nothing matches the
        EU's statements), ``mentioned`` (named in passing only, or only in others' words inside the partner-side
        documents), ``absent`` (the partner-side documents say nothing on it), or ``eu_silent`` (the EU reference
        does not address it)."""
        if self.score is None:
            return "eu_silent"
        if self.shared:
            return "shared"
        if self.partner_sentences:
            return "addressed"
        return "mentioned" if self.partner_mentions else "absent"

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)} | {"status": self.status}
        for key in ("evidence", "divergences"):
            out[key] = [e.to_dict() for e in out[key]]
        for key in ("gaps", "partner_only"):
            out[key] = [q.to_dict() for q in out[key]]
        return out


_QUOTE_FIELDS = ("doc_id", "segment_id", "page", "paragraph", "start", "end", "strength", "speaker", "relation",
                 "quote", "anchor")


def _quote_columns(prefix: str, q: Quote) -> dict[str, Any]:
    return {f"{prefix}{k}": v for k, v in (("doc_id", q.doc_id), ("segment_id", q.segment_id), ("page", q.page),
                                           ("paragraph", q.paragraph), ("start", q.start), ("end", q.end),
                                           ("strength", q.strength), ("speaker", q.speaker), ("relation", q.kind),
                                           ("quote", q.text), ("anchor", q.anchor))}


def _quote_frame(rows: list[dict[str, Any]], head: list[str], prefixes: Sequence[str],
                 texts: Sequence[str] = ()) -> pd.DataFrame:
    import pandas as pd

    from .records import missing_as_na

    columns = head + [f"{p}{k}" for p in prefixes for k in _QUOTE_FIELDS]
    frame = pd.DataFrame(rows, columns=columns)
    return missing_as_na(frame, ints=[f"{p}{k}" for p in prefixes for k in ("page", "paragraph")],
                         text=[f"{p}{k}" for p in prefixes for k in ("strength", "speaker", "relation")] + list(texts))


@dataclass(frozen=True, slots=True)
class Alignment:
    """The alignment of one partner (one or several documents) with the EU reference."""

    partner: str
    eu_doc_ids: tuple[str, ...]
    partner_doc_ids: tuple[str, ...]
    themes: tuple[ThemeAlignment, ...]
    overall: float | None
    overall_low: float | None
    overall_high: float | None
    config: dict[str, Any] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)
    #: what the partner side rests on: ``signed`` (texts the partner issued or signed: its own and agreed
    #: language), ``third-party only`` (no such text: others' texts stand in, flagged), or ``unknown``
    #: (the sentences carry no speaker)
    basis: str = "unknown"
    #: all the partner-side sentences by kind, including those left out (``eu``: the EU's own words inside
    #: a joint text; ``none``: titles, headings, lists; ``boilerplate``: definitions, savings clauses)
    partner_kinds: dict[str, int] = field(default_factory=dict)

    def theme(self, theme_id: str) -> ThemeAlignment:
        for t in self.themes:
            if t.theme == theme_id:
                return t
        raise KeyError(f"no theme {theme_id!r} in this alignment ({', '.join(t.theme for t in self.themes)})")

    def to_frame(self) -> pd.DataFrame:
        """One row per theme: score, interval, coverage, counts, components.

        ``score``, ``low`` and ``high`` are ``NaN`` where the EU reference is silent on the theme,
        ``parity`` where the partner's firmness is unknown (commitments not extracted).
        """
        import pandas as pd

        from .records import missing_as_na

        cols = ["theme", "score", "low", "high", "eu_coverage", "partner_coverage", "eu_sentences",
                "partner_sentences", "eu_commitments", "partner_commitments", "agreement", "parity",
                "divergence", "matched", "own_score"]
        rows = [{c: getattr(t, c) for c in cols} | {"evidence": len(t.evidence), "divergences": len(t.divergences),
                                                    "status": t.status}
                | {f"partner_{k}": t.partner_kinds.get(k, 0) for k in EVIDENCE_KINDS}
                for t in self.themes]
        frame = pd.DataFrame(rows, columns=cols + ["evidence", "divergences", "status", "partner_own",
                                                   "partner_agreed", "partner_third"])
        frame.insert(0, "partner", self.partner)
        return missing_as_na(frame, floats=["score", "low", "high", "eu_coverage", "partner_coverage", "agreement",
                                            "parity", "divergence", "own_score"])

    def evidence_frame(self) -> pd.DataFrame:
        """Every evidence pair, ranked within theme, with the ids to join on.

        Columns: ``partner, theme, rank, similarity, divergent, reason``, then for each side
        (``eu_``, ``partner_``) ``doc_id, segment_id, page, paragraph, start, end, strength, quote, anchor``.
        ``page`` is missing for formats without pages, ``strength`` for a sentence that is no commitment.
        """
        rows = []
        for t in self.themes:
            for rank, e in enumerate(t.evidence + t.divergences, start=1):
                rows.append({"partner": self.partner, "theme": t.theme, "rank": rank, "similarity": e.similarity,
                             "divergent": e.divergent, "reason": e.reason}
                            | _quote_columns("eu_", e.eu) | _quote_columns("partner_", e.partner))
        return _quote_frame(rows, ["partner", "theme", "rank", "similarity", "divergent", "reason"],
                            ("eu_", "partner_"), texts=["reason"])

    def gaps_frame(self) -> pd.DataFrame:
        """EU statements on a scored theme with no partner match (``kind="gap"``), and partner statements
        with no EU counterpart (``kind="partner_only"``), with the ids to join on."""
        rows = []
        for t in self.themes:
            for kind, quotes in (("gap", t.gaps), ("partner_only", t.partner_only)):
                rows += [{"partner": self.partner, "theme": t.theme, "kind": kind} | _quote_columns("", q)
                         for q in quotes]
        return _quote_frame(rows, ["partner", "theme", "kind"], ("",))

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner, "eu_doc_ids": list(self.eu_doc_ids),
            "partner_doc_ids": list(self.partner_doc_ids), "overall": self.overall,
            "overall_low": self.overall_low, "overall_high": self.overall_high,
            "themes": [t.to_dict() for t in self.themes], "config": self.config, "models": self.models,
            "basis": self.basis, "partner_kinds": dict(self.partner_kinds),
        }

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(t.theme)}</td><td>{number(t.score)}</td><td>{number(t.low)}–{number(t.high)}</td>"
            f"<td>{t.partner_sentences}</td><td>{len(t.evidence)}</td><td>{len(t.divergences)}</td></tr>"
            for t in self.themes
        )
        return (
            f"<div><strong>Alignment of {esc(self.partner)}</strong> with {esc(', '.join(self.eu_doc_ids))}: "
            f"overall {number(self.overall)} [{number(self.overall_low)}–{number(self.overall_high)}]"
            "<table><thead><tr><th>theme</th><th>score</th><th>interval</th><th>partner sentences</th>"
            f"<th>evidence</th><th>divergences</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )




# --------------------------------------------------------------------------- core


def _rank(u: Unit, cfg: AlignConfig) -> float:
    """Firmness rank of a sentence; a condition ("subject to ...") weakens it by ``condition_discount``."""
    rank = float(STRENGTH_RANK[u.strength if u.commitment else None])
    return max(0.0, rank - cfg.condition_discount) if u.commitment and u.condition else rank


def _rescale(sim: np.ndarray, cfg: AlignConfig) -> np.ndarray:
    return np.clip((sim - cfg.sim_floor) / (cfg.sim_ceiling - cfg.sim_floor), 0.0, 1.0)


#: A negated undertaking that opposes a harm ("will not tolerate attacks") agrees with the EU, not against it.
_HARM_NEGATION = re.compile(r"\b(?:not|never)\s+(?:\w+\s+)?(?:tolerate|condone|allow|permit|accept|ignore|stand by)\b",
                            re.I)


def _divergent(eu: Unit, partner: Unit, known: bool = True, kind: str = "") -> str:
    """Why a matched pair points in opposite directions ('' if it does not): precision first.

    A divergence is claimed only when the partner, in a text of its own, declines
    an undertaking the EU makes: its matching sentence is a negated commitment
    ("will not ...", "does not intend to ...") and the EU's is an affirmative one.
    Never inside agreed language (``kind == "agreed"``: both sides signed it), never
    where the partner's commitment reading is unknown (``known`` False), and never
    for a negation aimed at a harm ("will not tolerate ..."). Contrary words alone
    ("oppose", "restrict", "ban") are not read as divergence: both sides oppose harms.
    """
    if kind == "agreed" or not known:
        return ""
    if (partner.commitment and partner.negated and eu.commitment and not eu.negated
            and not _HARM_NEGATION.search(partner.text)):
        return "the partner declines an undertaking the EU makes"
    return ""


def _theme_components(
    eu_w: np.ndarray,
    best_sim: np.ndarray,
    best_idx: np.ndarray,
    partner_count: float,
    eu_rank: np.ndarray,
    p_rank: np.ndarray,
    diverg: np.ndarray,
    cfg: AlignConfig,
    contrary: int = 0,
    p_known: np.ndarray | None = None,
) -> tuple[float, float, float | None, float, float, int]:
    """Score of one theme from per-EU-item best matches; returns (score, cov, agr, par, div, matched).

    ``contrary`` counts partner statements on the theme that oppose an EU statement
    without being its best match; they join the divergent pairs in the divergence share.
    ``p_known`` flags partner sentences whose commitment reading exists; parity is
    taken over matched pairs with such a partner sentence, and is ``None`` (left out
    of the score, the other weights rescaled) when there is none.
    """
    coverage = 1.0 - math.exp(-partner_count / cfg.coverage_scale)
    if eu_w.sum() <= 0 or best_sim.size == 0:
        agreement = 0.0
    else:
        # A divergent match is not agreement, however close in wording.
        agreement = float(np.average(_rescale(best_sim, cfg) * (1.0 - diverg), weights=eu_w))
    matched = best_sim >= cfg.match_threshold
    n_matched = int(matched.sum())
    rated = matched if p_known is None else matched & p_known[best_idx]
    parity: float | None
    if rated.any():
        parity = float(np.mean(1.0 - np.abs(eu_rank[rated] - p_rank[best_idx[rated]]) / 3.0))
    else:
        # no matched pair: 0 whatever the language (as for an original whose sentences match nothing);
        # matched pairs whose partner side has no commitment reading: firmness unknown
        parity = 0.0 if p_known is None or n_matched == 0 or p_known.all() else None
    divergence = float((diverg[matched].sum() + contrary) / (n_matched + contrary)) if n_matched + contrary else 0.0
    if parity is None:  # firmness unknown on the partner side: coverage and agreement carry the score
        base = (cfg.w_coverage * coverage + cfg.w_agreement * agreement) / (cfg.w_coverage + cfg.w_agreement)
    else:
        base = cfg.w_coverage * coverage + cfg.w_agreement * agreement + cfg.w_parity * parity
    score = 100.0 * base * (1.0 - cfg.divergence_penalty * divergence)
    return score, coverage, agreement, parity, divergence, n_matched


_STOP = frozenset("""about above after again against also among and any are because been before being both
but can could does doing down during each from further have having here into itself more most must only other our
ours over same shall should some such than that their theirs them then there these they this those through under
until very were what when where which while will with within would your partner partners government digital""".split())


#: Words of any digital-policy sentence: sharing them says nothing about sharing a commitment.
_GENERIC = frozenset("""technology technologies cooperation cooperate cooperating collaboration collaborate partner partners
partnership partnerships countries country international global european union united states support supporting
promote promoting ensure including work working strengthen strengthening efforts effort continue important
opportunities opportunity approach approaches issues development develop well also like-minded relevant
values value shared commit committed commitment commitments principle principles framework frameworks
government governments stakeholders stakeholder""".split())


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z_-]{3,}", text.lower()) if w not in _STOP}


_IRREGULAR = {"children": "child", "women": "woman", "people": "person", "men": "man"}
#: Set phrases that name one thing: "human rights" is one term, not two.
_PHRASES = re.compile(r"\b(human) (rights?)\b|\b(rule) of (law)\b|\b(civil) (society)\b|\b(private) (sector)\b|"
                      r"\b(member) (states?)\b", re.I)


def _terms(text: str) -> set[str]:
    """Specific terms of a sentence: content words without digital-policy generic vocabulary, plural folded,
    set phrases joined ("human rights" -> ``human_right``)."""
    text = _PHRASES.sub(lambda m: "_".join(g for g in m.groups() if g), text)
    return {_IRREGULAR.get(w) or (w[:-1] if w.endswith("s") and not w.endswith("ss") else w)
            for w in _content_words(text) - _GENERIC}


def focus(text: str, cue: re.Pattern[str] | None) -> str:
    """The part of ``text`` on a theme when the sentence lists several things: its comma- or semicolon-separated
    items naming the theme (``cue``: the theme's cue regex), else the whole sentence.

    "Cooperation will focus on secure infrastructure, ..., and citizens' privacy" is on privacy only through
    "and citizens' privacy": a partner sentence sharing words with the other items names other things.
    """
    if cue is None or text.count(",") + text.count(";") < 3:
        return text
    on = [part for part in re.split(r"[,;]", text) if cue.search(part)]
    return " ".join(on) if on else text


#: A matched pair is shown as a shared commitment only when both sentences name at least this many specific
#: terms in common ("rules-based", "order", "values"): cosine alone pairs sentences that share a keyword's
#: field but not an object (a review of the briefings found most such pairs unusable).
ANCHOR_TERMS = 2


#: A sentence that opens leaning on the one before ("These guidelines will address ...", "It is a continuum of
#: ..."): quoted alone, it does not say what it is about.  "This regulation", "this strategy" name their text.
LEANS_BACK = re.compile(r"^\W*(?:these|this|those|such|it|they)\b(?!\s+(?:strategy|partnership|order|regulation|"
                        r"directive|statement|communiqu\w*|declaration|roadmap|communication|decision|initiative)\b)",
                        re.I)


def anchored(eu_text: str, partner_text: str, cue: re.Pattern[str] | None = None) -> bool:
    """Whether two sentences share at least :data:`ANCHOR_TERMS` specific terms (of a sentence listing several
    things, only in its items on the theme whose ``cue`` is given: :func:`focus`), neither leaning on the
    sentence before it (:data:`LEANS_BACK`)."""
    if LEANS_BACK.match(eu_text) or LEANS_BACK.match(partner_text):
        return False
    return len(_terms(focus(eu_text, cue)) & _terms(focus(partner_text, cue))) >= ANCHOR_TERMS


def _contrary_pairs(
    theme: str,
    eu_units: Sequence[Unit],
    partner_units: Sequence[Unit],
    eu_idx: np.ndarray,
    p_idx: np.ndarray,
    sims: np.ndarray,
    cfg: AlignConfig,
    seen: set[tuple[int, int]],
    kinds: Sequence[str],
    known: np.ndarray,
) -> tuple[EvidencePair, ...]:
    """Partner statements on the theme that decline an EU undertaking without being its best match.

    A negation moves the wording, so a sentence declining an EU undertaking is
    rarely its best match.  Each negated partner commitment on the theme is
    paired with the affirmative EU commitment on the theme it shares most
    content words with (then the closest by cosine); the pair is a divergence
    when :func:`_divergent` holds and they are about the same thing: cosine at
    least ``match_threshold``, or two shared content words ("rights-based
    approach") and cosine at least ``divergence_threshold``.
    """
    out = []
    targets = [int(e) for e in eu_idx if eu_units[e].commitment and not eu_units[e].negated]
    if not targets:
        return ()
    for p in p_idx:
        u = partner_units[p]
        if not u.negated:
            continue
        words = _content_words(u.text)
        e = max(targets, key=lambda e: (len(words & _content_words(eu_units[e].text)), float(sims[e, p]), -e))
        sim, shared = float(sims[e, p]), len(words & _content_words(eu_units[e].text))
        about_same = sim >= cfg.match_threshold or (shared >= 2 and sim >= cfg.divergence_threshold)
        reason = _divergent(eu_units[e], u, bool(known[p]), kinds[p])
        if about_same and reason and (e, int(p)) not in seen:
            out.append(EvidencePair(theme, Quote.of(eu_units[e]), Quote.of(u, kinds[p]), sim, divergent=True,
                                    reason=reason))
    return tuple(sorted(out, key=lambda x: (-x.similarity, x.partner.segment_id)))


def _seed(cfg: AlignConfig, *sides: Sequence[Unit]) -> int:
    """Bootstrap seed from the settings' seed and the sentences (ids and texts), not from float bytes,
    so the same documents give the same intervals on any machine or BLAS build."""
    h = hashlib.sha256(str(cfg.seed).encode())
    for side in sides:
        for u in side:
            h.update(f"{u.doc_id}\x00{u.segment_id}\x00{u.text}\x01".encode())
        h.update(b"\x02")
    return int.from_bytes(h.digest()[:8], "little")


#: Sentences that are no one's position however well they match: definitions, savings and entry-into-force
#: clauses, section numbers, narration of the meeting itself.  They are left out of both sides.
BOILERPLATE = re.compile(
    r"^\W*(?:\(?[a-z0-9]{1,4}\)\s*)?(?:the terms?\s+[\"“'‘][^\"”'’]{1,80}[\"”'’]\s+(?:means?|refers? to|has the meaning)\b"
    r"|[\"“'‘][^\"”'’]{1,80}[\"”'’]\s+(?:means|refers to|shall mean)\b"
    r"|for (?:the )?purposes? of this\b|as used in this (?:order|section|regulation|directive|act|statement)\b"
    r"|nothing in this (?:order|statement|regulation|section|declaration|communiqu)"
    r"|this (?:order|regulation|directive) (?:is not intended to|shall (?:enter into force|apply|be implemented))"
    r"|(?:sec(?:tion)?\.?\s*\d+\.?\s*$)"
    r"|the (?:meeting|council|dialogue|ministerial|summit)\b[^.]{0,60}\b(?:was|were) (?:held|co-?chaired|chaired|"
    r"attended|hosted|convened)\b"
    r"|on \w+ \d{1,2}, \d{4},[^.]{0,120}\bheld\b"
    r"|[^.]{0,120}\b(?:met for the (?:first|second|third|fourth|fifth) time|took place in|was held in)\b"
    r"|(?:[-•]\s*)?the [^.]{0,80}\b(?:council|dialogue|committee|working group|ministerial)\s+met\s+(?:in|on|at|for)\b"
    r"|[^.]{0,80}\b(?:also )?(?:sometimes )?referred to as\b"
    r"|[^.]{0,120}\b(?:co-chairs?|the next (?:meeting|ministerial)|will (?:meet|convene) again)\b[^.]{0,40}"
    r"\b(?:meet|convene|held|hold|take place)\b)",
    re.I)
#: An administrative tasking inside a government ("the Secretary of Commerce shall ... within 90 days"): a real
#: undertaking, but a poor quote for a dialogue; shown only when nothing else matches nearly as well.
TASKING = re.compile(
    r"\b(?:Secretary|Director|Administrator|Attorney General|Assistant to the President|heads? of (?:relevant )?"
    r"agencies|agencies)\b[^.]{0,240}\bshall\b|\bwithin \d+ days of the date of this order\b")
#: Procedural lines and list fragments: real text, poor quotes ("submit a report", "meet again", "; and").
PROCEDURAL = re.compile(
    r"\b(?:submit|provide|deliver)\b[^.]{0,80}\breports?\b|\bmeet again\b|\bwork ?programme?\b|\bwork-?streams?\b"
    r"|\bahead of the next meeting\b|\breport(?:s|ing)? on (?:its |the )?progress\b|\breview (?:this|the) strategy\b"
    r"|(?:;|,|;\s+(?:and|or))\s*$", re.I)
#: A partner sentence scoring at least this share of a theme's threshold keeps the theme from being "absent"
#: (it is "mentioned"): the theme classifier's scores near the cut-off are uncertain (see ``ThemeAlignment.status``).
NEAR_MISS = 0.8
#: How much lower an administrative tasking, procedural line or list fragment ranks as a partner's best match.
TASKING_PENALTY = 0.05


def is_boilerplate(text: str) -> bool:
    """Whether a sentence is no one's position however well it matches: a definition, a savings or
    entry-into-force clause, narration of the meeting, a lead-in that ends with a colon, or a heading
    written as a sentence ("Directing the Development of a National Security Memorandum.")."""
    from .extract.commitments import looks_like_heading

    t = text.strip()
    if BOILERPLATE.search(t) or re.search(r"\bshall be implemented consistent with applicable law\b", t, re.I):
        return True
    if t.endswith(":"):
        return True
    return len(t.split()) <= 12 and t.endswith(".") and looks_like_heading(t[:-1])


#: Kinds of partner-side sentence that are evidence of the partner's position (see
#: :func:`policytext.extract.speakers.evidence_kind`); the others are left out.
SIGNED_KINDS = ("own", "cosigned", "agreed")
#: The kinds of partner evidence, in the order reports show them (``eu`` and ``none`` are no evidence).
EVIDENCE_KINDS = ("own", "cosigned", "agreed", "third")


def align_units(
    eu_units: Sequence[Unit],
    eu_vectors: np.ndarray,
    eu_theme_scores: np.ndarray,
    partner_units: Sequence[Unit],
    partner_vectors: np.ndarray,
    partner_theme_scores: np.ndarray,
    themes: Sequence[str],
    *,
    thresholds: np.ndarray | float = 0.5,
    partner: str = "partner",
    config: AlignConfig | None = None,
    models: dict[str, Any] | None = None,
    partner_commitments_known: Sequence[bool] | bool = True,
    partner_kinds: Sequence[str] | None = None,
    cues: Mapping[str, re.Pattern[str] | None] | None = None,
    own_text: Sequence[bool] | None = None,
) -> Alignment:
    """Align a partner's sentences with the EU's, theme by theme (the pure core).

    Parameters
    ----------
    eu_units, partner_units : the sentences of each side.
    eu_vectors, partner_vectors : their L2-normalised embeddings, ``(n, dim)``.
    eu_theme_scores, partner_theme_scores : theme scores in [0, 1], ``(n, len(themes))``.
    themes : theme ids, the columns of the score matrices.
    thresholds : score at or above which a sentence carries a theme (per theme or one value).
    partner : label of the partner in the result.
    config : score settings; defaults to :class:`AlignConfig()`.
    models : model descriptions to record in the result.
    partner_commitments_known : per partner sentence (or one value for all) whether
        its commitment reading exists; ``False`` for text in a language without
        commitment rules, whose firmness and negation are then unknown, not absent.
    partner_kinds : per partner sentence, how it relates to the partner (``own``,
        ``agreed``, ``third``, ``eu``, ``none``; :func:`policytext.extract.speakers.evidence_kind`).
        ``eu`` and ``none`` sentences are never the partner's; the score rests on the
        partner's signed text (``own`` and ``agreed``), or, where it has none, on
        third-party text (``basis == "third-party only"``).  ``None``: every sentence is the
        partner's own (``basis == "unknown"``).
    cues : theme id -> the theme's cue regex (the taxonomy's; ``None``: no cues).  Never in a score: a sentence
        naming a theme the classifier did not put on it is a *mention* (a theme named in passing is not absent),
        and a pair of sentences listing several things is shared only when their items on the theme name the
        same things (:func:`anchored`).
    own_text : per partner sentence, whether it counts toward ``own_score`` (default: the ``own`` ones).  A
        party's summary of a joint statement is its own text, but what it reports was agreed with others:
        :func:`~policytext.pipeline.align_analyses` keeps it out of the own-text score.

    Returns
    -------
    Alignment
        Per theme: score 0-100 with a bootstrap interval, coverage both sides,
        agreement, parity, divergence, ranked evidence pairs, gaps and
        partner-only priorities, what the score rests on; and an overall index with its interval.
    """
    cfg = config or AlignConfig()
    themes = list(themes)
    n_eu, n_p = len(eu_units), len(partner_units)
    eu_vectors = np.asarray(eu_vectors, dtype=np.float32).reshape(n_eu, -1)
    partner_vectors = np.asarray(partner_vectors, dtype=np.float32).reshape(n_p, -1)
    eu_theme_scores = np.asarray(eu_theme_scores, dtype=np.float64).reshape(n_eu, len(themes))
    partner_theme_scores = np.asarray(partner_theme_scores, dtype=np.float64).reshape(n_p, len(themes))
    thr = np.broadcast_to(np.asarray(thresholds, dtype=np.float64), (len(themes),))
    kinds = list(partner_kinds) if partner_kinds is not None else ["own"] * n_p
    if len(kinds) != n_p:
        raise ValueError(f"partner_kinds has {len(kinds)} items for {n_p} partner sentences")
    # What each side may quote and score: headings name a theme but commit to nothing (prominence only);
    # footnotes cite others; titles, lists and references (speaker "none"), definitions and savings clauses
    # are no one's position; the EU's own words inside a partner-side text are not the partner's.
    boiler = {}

    def usable(u: Unit) -> bool:
        if u.is_heading or u.is_note or u.speaker == "none":
            return False
        if u.text not in boiler:
            boiler[u.text] = is_boilerplate(u.text)
        return not boiler[u.text]

    eu_use = np.array([usable(u) for u in eu_units], dtype=bool).reshape(n_eu, 1)
    p_base = np.array([usable(u) and k not in ("eu", "none") for u, k in zip(partner_units, kinds)], dtype=bool)
    signed = p_base & np.isin(np.array(kinds, dtype=object), SIGNED_KINDS)
    if partner_kinds is None:
        basis = "unknown"
    elif signed.any() or not p_base.any():
        basis = "signed"
    else:
        basis = "third-party only"
    p_use = (signed if basis == "signed" else p_base).reshape(n_p, 1)
    kind_counts = {k: int(sum(1 for u, x in zip(partner_units, kinds) if x == k and
                              (k in ("eu", "none") or usable(u)))) for k in ("own", "cosigned", "agreed", "third", "eu", "none")}
    kind_counts["boilerplate"] = int(sum(1 for u, x in zip(partner_units, kinds)
                                         if x not in ("eu", "none") and not usable(u) and u.speaker != "none"))
    p_head = np.array([u.is_heading for u in partner_units], dtype=bool).reshape(n_p, 1)
    eu_has = (eu_theme_scores >= thr) & eu_use
    p_has = (partner_theme_scores >= thr) & p_use
    p_head_theme = (partner_theme_scores >= thr) & p_head
    if cues:
        from .themes import cue_matrix

        patterns = [cues.get(t) for t in themes]
        eu_cue = (cue_matrix([u.text for u in eu_units], patterns) > 0).reshape(n_eu, len(themes))
        p_cue = (cue_matrix([u.text for u in partner_units], patterns) > 0).reshape(n_p, len(themes))
    else:
        eu_cue, p_cue = np.zeros_like(eu_has), np.zeros_like(p_has)
    eu_named = eu_cue & eu_use & ~eu_has
    # Mentions: the partner's signed text names the theme in passing, or the partner-side documents speak to it
    # only in others' words (the US's plans for Kenya inside their joint statement): either way it is not absent.
    others = p_base.reshape(n_p, 1) & ~p_use
    # A sentence scored just under the theme's threshold (within NEAR_MISS of it) is no proof of silence either:
    # "absent" is a claim an analyst repeats in the room, so the classifier's margin of error counts against it.
    near = partner_theme_scores >= thr * NEAR_MISS
    p_named = ((p_cue | near) & p_use | ((p_cue | near) & others)) & ~p_has
    sims = eu_vectors @ partner_vectors.T if n_eu and n_p else np.zeros((n_eu, n_p), dtype=np.float32)
    eu_rank = np.array([_rank(u, cfg) for u in eu_units], dtype=float)
    p_rank = np.array([_rank(u, cfg) for u in partner_units], dtype=float)
    eu_weight = np.array([cfg.commitment_weight if u.commitment else 1.0 for u in eu_units])
    p_known = np.broadcast_to(np.asarray(partner_commitments_known, dtype=bool), (n_p,)).copy()
    own = np.array([k == "own" for k in kinds], dtype=bool)
    if own_text is not None:
        own &= np.asarray(list(own_text), dtype=bool).reshape(n_p)
    tasking = np.array([bool(TASKING.search(u.text) or PROCEDURAL.search(u.text)) for u in partner_units],
                       dtype=float) * TASKING_PENALTY
    rng = np.random.default_rng(_seed(cfg, eu_units, partner_units))
    alpha = (1 - cfg.interval) / 2

    results: list[ThemeAlignment] = []
    boot_matrix = np.full((cfg.n_bootstrap, len(themes)), np.nan)
    emphasis = np.zeros(len(themes))
    for j, theme in enumerate(themes):
        eu_idx = np.flatnonzero(eu_has[:, j])
        p_idx = np.flatnonzero(p_has[:, j])
        eu_cov = 1.0 - math.exp(-len(eu_idx) / cfg.coverage_scale)
        p_cov = 1.0 - math.exp(-len(p_idx) / cfg.coverage_scale)
        partner_only = tuple(
            Quote.of(partner_units[i], kinds[i])
            for i in sorted(p_idx, key=lambda i: (-partner_theme_scores[i, j], i))
            if n_eu == 0 or sims[:, i].max() < cfg.match_threshold
        )[: cfg.max_evidence]
        common = dict(
            theme=theme, eu_coverage=round(eu_cov, 4), partner_coverage=round(p_cov, 4),
            eu_sentences=len(eu_idx), partner_sentences=len(p_idx),
            eu_commitments=int(sum(eu_units[i].commitment for i in eu_idx)),
            partner_commitments=int(sum(partner_units[i].commitment for i in p_idx)),
            partner_prominent=bool(p_head_theme[:, j].any()),
            partner_kinds={k: int(sum(kinds[i] == k for i in p_idx)) for k in EVIDENCE_KINDS
                           if any(kinds[i] == k for i in p_idx)},
            eu_mentions=int(eu_named[:, j].sum()), partner_mentions=int(p_named[:, j].sum()),
        )
        if len(eu_idx) == 0:
            results.append(ThemeAlignment(score=None, low=None, high=None, agreement=0.0, parity=0.0,
                                          divergence=0.0, matched=0, partner_only=partner_only, **common))
            continue
        emphasis[j] = float(eu_weight[eu_idx].sum())

        def best(cand: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
            """Each EU sentence's best partner match among ``cand``: (similarity, partner index, reason, divergent)."""
            sub = sims[np.ix_(eu_idx, cand)] if len(cand) else np.zeros((len(eu_idx), 0))
            pos = ((sub - tasking[cand][None, :]).argmax(axis=1) if sub.shape[1]
                   else np.zeros(len(eu_idx), dtype=int))
            b_sim = sub[np.arange(len(eu_idx)), pos] if sub.shape[1] else np.zeros(len(eu_idx))
            b_idx = cand[pos] if len(cand) else np.zeros(len(eu_idx), dtype=int)
            why = [_divergent(eu_units[e], partner_units[p], bool(p_known[p]), kinds[p]) if len(cand) else ""
                   for e, p in zip(eu_idx, b_idx)]
            return b_sim, b_idx, why, np.array([bool(r) for r in why], dtype=float)

        # Candidates on the partner side: its sentences on the theme (none: agreement and parity are 0).
        cand = p_idx
        best_sim, best_idx, diverg_reason, diverg = best(cand)
        # a sentence declining an EU undertaking is looked for among the partner's sentences on the theme and
        # those naming it or scored near its threshold ("will not adopt a rights-based approach to platform
        # regulation" is on platforms first): the divergence tests themselves stay strict
        near_idx = np.flatnonzero(p_has[:, j] | ((p_cue[:, j] | near[:, j]) & p_use[:, 0]))
        contrary = _contrary_pairs(theme, eu_units, partner_units, eu_idx, near_idx, sims, cfg,
                                   {(e, p) for e, p, s, r in zip(eu_idx, best_idx, best_sim, diverg_reason)
                                    if r and s >= cfg.match_threshold}, kinds, p_known)
        score, cov, agr, par, div, n_matched = _theme_components(
            eu_weight[eu_idx], best_sim, best_idx, len(p_idx), eu_rank[eu_idx], p_rank, diverg, cfg, len(contrary),
            p_known,
        )
        own_score = None
        own_idx = p_idx[own[p_idx]] if len(p_idx) else p_idx
        if len(own_idx) and len(own_idx) < len(p_idx):
            o_sim, o_idx, _, o_div = best(own_idx)
            own_score = round(_theme_components(eu_weight[eu_idx], o_sim, o_idx, len(own_idx), eu_rank[eu_idx],
                                                p_rank, o_div, cfg, 0, p_known)[0], 2)
        elif len(own_idx):
            own_score = round(score, 2)

        # Bootstrap: resample the EU's sentences on the theme (with replacement) and
        # the partner's count of theme sentences (Poisson); the partner's candidate
        # set stays whole, so best matches are not biased down by missing candidates.
        boots = np.empty(cfg.n_bootstrap)
        for b in range(cfg.n_bootstrap):
            e_s = rng.integers(0, len(eu_idx), len(eu_idx))
            count_b = float(rng.poisson(len(cand))) if len(cand) else 0.0
            boots[b] = _theme_components(eu_weight[eu_idx][e_s], best_sim[e_s], best_idx[e_s], count_b,
                                         eu_rank[eu_idx][e_s], p_rank, diverg[e_s], cfg, len(contrary),
                                         p_known)[0]
        boot_matrix[:, j] = boots
        low, high = np.quantile(boots, [alpha, 1 - alpha])
        low, high = min(low, score), max(high, score)

        pairs = sorted(
            (
                EvidencePair(theme, Quote.of(eu_units[e]), Quote.of(partner_units[p], kinds[p]), float(s),
                             divergent=bool(r), reason=r)
                for e, p, s, r in zip(eu_idx, best_idx, best_sim, diverg_reason)
                if len(cand) and s >= cfg.match_threshold
            ),
            key=lambda e: (-e.similarity, e.eu.segment_id, e.partner.segment_id),
        )
        cue = (cues or {}).get(theme)
        # Shared: an undertaking on each side (where the partner's commitment reading exists) naming the same
        # things.  A description ("The AI revolution is reshaping economies") or a fragment matched by meaning
        # backs the score, never a shared commitment.
        p_row = {(u.doc_id, u.segment_id): i for i, u in enumerate(partner_units)}
        evidence = _dedupe([
            p for p in pairs if not p.divergent and anchored(p.eu.text, p.partner.text, cue)
            and p.eu.strength is not None
            and (p.partner.strength is not None or not p_known[p_row[(p.partner.doc_id, p.partner.segment_id)]])])
        n_shared = len(evidence)
        evidence = evidence[: cfg.max_evidence]
        divergences = _dedupe([p for p in pairs if p.divergent] + list(contrary))  # one per partner sentence
        # The EU statements without a partner match, the most specific to the theme first.
        # The EU statements without a partner match, the most specific first: not procedural ("report on
        # progress"), fewest themes (not a sentence listing many), then the highest score on this theme.
        gaps = tuple(Quote.of(eu_units[e]) for e, s in sorted(
            zip(eu_idx, best_sim), key=lambda x: (bool(PROCEDURAL.search(eu_units[x[0]].text)),
                                                  int(eu_has[x[0]].sum()), -eu_theme_scores[x[0], j], x[0]))
            if s < cfg.match_threshold)
        if not evidence and not divergences and len(cand) and score > 0:
            # A score above zero always comes with its best (if weak) pair.
            k = int(best_sim.argmax())
            below = best_sim[k] < cfg.match_threshold
            evidence = (EvidencePair(theme, Quote.of(eu_units[eu_idx[k]]),
                                     Quote.of(partner_units[best_idx[k]], kinds[best_idx[k]]), float(best_sim[k]),
                                     reason="closest pair (below the match threshold)" if below else
                                     "closest pair (no specific term in common: not a shared commitment)"),)
        results.append(ThemeAlignment(
            score=round(score, 2), low=round(float(low), 2), high=round(float(high), 2),
            agreement=round(agr, 4), parity=None if par is None else round(par, 4), divergence=round(div, 4),
            matched=n_matched,
            evidence=tuple(evidence), divergences=divergences, gaps=gaps[: cfg.max_evidence],
            partner_only=partner_only, own_score=own_score, shared=n_shared, **common,
        ))

    scored = [j for j, t in enumerate(results) if t.score is not None]
    if scored:
        w = emphasis[scored] / emphasis[scored].sum()
        overall = float(np.dot(w, [results[j].score for j in scored]))
        boot_overall = boot_matrix[:, scored] @ w
        o_low, o_high = np.quantile(boot_overall, [alpha, 1 - alpha])
        o_low, o_high = min(o_low, overall), max(o_high, overall)
        overall_t = (round(overall, 2), round(float(o_low), 2), round(float(o_high), 2))
    else:
        overall_t = (None, None, None)
    return Alignment(
        partner=partner,
        eu_doc_ids=tuple(dict.fromkeys(u.doc_id for u in eu_units)),
        partner_doc_ids=tuple(dict.fromkeys(u.doc_id for u in partner_units)),
        themes=tuple(results),
        overall=overall_t[0], overall_low=overall_t[1], overall_high=overall_t[2],
        config=cfg.to_dict(), models=dict(models or {}), basis=basis,
        partner_kinds={k: v for k, v in kind_counts.items() if v},
    )


def _dedupe(pairs: list[EvidencePair]) -> tuple[EvidencePair, ...]:
    """Keep the best pair per partner quote, so evidence is not one quote repeated."""
    seen: set[str] = set()
    out = []
    for p in pairs:
        if p.partner.segment_id in seen:
            continue
        seen.add(p.partner.segment_id)
        out.append(p)
    return tuple(out)
