"""Documents in, frozen :class:`Commitment` and :class:`Entity` records out.

:class:`CommitmentExtractor` runs spaCy with the ``policytext_entities`` and
``policytext_commitments`` components over the sentences of documents and
turns the results into records with document ids, character offsets,
paragraphs and pages.  spaCy objects never leave this package.

Speed: a sentence is parsed only when a cheap text pre-filter finds a cue in it
(a modal or a verb/noun/adjective of undertaking, intention or stance, a list
marker, an action verb opening it, a pronoun or a named party).  The other
sentences (and headings, which are never commitments, and footnotes and
endnotes, which cite other texts) get gazetteer entities from the tokenizer alone.  Actors are resolved with the document's metadata:
"we" in a joint statement is ``joint``, in an EU strategy ``EU``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ..records import Commitment, Document, DocumentMeta, Entity, Segment
from .commitments import SentenceContext, looks_like_heading, split_marker
from .decide import FEATURES, CommitmentModel, Reading, added_strength, features, lead_ins
from .entities import ENTITIES_ATTR, EntityTagger
from .lexicon import Lexicon, load_lexicon

__all__ = ["CommitmentExtractor", "Extraction", "DocumentVoice", "document_voice", "ThemeFunction"]

#: Optional theme function: sentence texts -> theme ids of each.
ThemeFunction = Callable[[list[str]], list[tuple[str, ...]]]

_JOINT_WORD = re.compile(r"\bjoint\b", re.I)
_JOINT_DOC_TYPES = frozenset({"joint_statement", "joint_declaration", "communique", "joint_communique"})


@dataclass(frozen=True, slots=True)
class Extraction:
    """The commitments and entities of one document (unpacks as ``commitments, entities``)."""

    doc_id: str
    commitments: tuple[Commitment, ...]
    entities: tuple[Entity, ...]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter((self.commitments, self.entities))


@dataclass(frozen=True, slots=True)
class DocumentVoice:
    """Who speaks in a document: ``actor`` for "we" (``joint``, ``EU``, ``US``...) and the parties it names."""

    actor: str
    parties: frozenset[str]

    def resolve(self, actor: str) -> str:
        """Map a component actor (``self``, ``joint``, a party label) to the document's terms."""
        if actor in ("self", ""):
            return self.actor
        if actor == "joint" or actor in self.parties or actor == self.actor:
            return actor
        return "other"


def document_voice(meta: DocumentMeta | None, tagger: EntityTagger, lexicon: Lexicon,
                   make_doc: Callable[[str], Any]) -> DocumentVoice:
    """Work out the document's own voice from its issuer, partner and type.

    A joint statement, an issuer naming two or more parties ("United States and
    Kenya"), or an issuer that differs from the partner (a White House fact
    sheet on a partnership with India) speaks as ``joint``; otherwise the
    issuer's party (``EU`` for the Commission, ``US`` for the White House).
    """
    if meta is None:
        return DocumentVoice("other", frozenset())

    def parties(text: str) -> list[str]:
        if not text:
            return []
        doc = make_doc(text)
        out: list[str] = []
        for span in tagger.match(doc):
            label = lexicon.actors.get(span.id_) or (span.text if span.label_ == "COUNTRY" else None)
            if label and label not in out:
                out.append(label)
        return out

    issuer = parties(meta.issuer)
    partner = parties(meta.partner) or ([meta.partner] if meta.partner else [])
    everyone = frozenset(issuer + partner + parties(meta.title))
    joint = (
        meta.doc_type.lower() in _JOINT_DOC_TYPES
        or bool(_JOINT_WORD.search(meta.issuer))
        or len(issuer) >= 2
        or bool(issuer and partner and issuer[0] != partner[0])
    )
    if joint:
        return DocumentVoice("joint", everyone)
    return DocumentVoice((issuer or partner or ["other"])[0], everyone)


class CommitmentExtractor:
    """Extract commitments and entities from documents with spaCy.

    Parameters
    ----------
    model : spaCy model name or folder (resolved offline by :func:`policytext.models.load_spacy`).
    n_process : processes for ``nlp.pipe``.
    batch_size : sentences per ``nlp.pipe`` batch.
    prefilter : parse only sentences with a commitment cue (faster; set
        ``False`` to parse every sentence).
    decider : what decides which sentences are commitments: ``"default"`` (the shipped
        :class:`~policytext.extract.decide.CommitmentModel`, learned from the dev gold sentences, weighing
        the rules' reading with the sentence's words and context), a ``CommitmentModel`` or a folder
        holding one, or ``None`` (the rules alone).
    themes : optional function giving the theme ids of a list of sentence texts.
    patterns_dir : folder of rule data (default: the shipped patterns).

    Examples
    --------
    >>> from policytext import load_corpus
    >>> from policytext.extract import CommitmentExtractor
    >>> extractor = CommitmentExtractor()                        # doctest: +SKIP
    >>> commitments, entities = extractor.extract(document)      # doctest: +SKIP
    """

    def __init__(self, model: str = "en_core_web_sm", *, n_process: int = 1, batch_size: int = 256,
                 prefilter: bool = True, themes: ThemeFunction | None = None,
                 patterns_dir: str | None = None, decider: Any = "default") -> None:
        self.model = model
        self.decider = decider
        self.n_process = n_process
        self.batch_size = batch_size
        self.prefilter = prefilter
        self.themes = themes
        self.patterns_dir = patterns_dir

    # -- lazy state --------------------------------------------------------------------------
    @cached_property
    def lexicon(self) -> Lexicon:
        return load_lexicon(self.patterns_dir)

    @cached_property
    def nlp(self):
        """The spaCy pipeline: the model plus the two policytext components."""
        from ..models import load_spacy
        from . import components  # noqa: F401  (registers the factories when run from a source tree)

        nlp, info = load_spacy(self.model)
        self.model_info = info
        cfg = {"patterns_dir": self.patterns_dir}
        nlp.add_pipe("policytext_entities", config=cfg)
        nlp.add_pipe("policytext_commitments", config={**cfg, "self_actor": "self"})
        return nlp

    @cached_property
    def commitment_model(self) -> CommitmentModel | None:
        """The model that decides (``None``: the rules alone); see ``decider``."""
        if self.decider is None:
            return None
        if isinstance(self.decider, CommitmentModel):
            return self.decider
        return CommitmentModel.load(None if self.decider == "default" else self.decider)

    def describe_decider(self) -> dict[str, Any]:
        """What decides, for the run's model record: ``{"decider": "rules"}`` or the model's weights."""
        model = self.commitment_model
        if model is None:
            return {"decider": "rules"}
        return {"decider": "model", "weights": model.weights(), "threshold": model.threshold}

    @cached_property
    def _tagger(self) -> EntityTagger:
        return self.nlp.get_pipe("policytext_entities")

    @cached_property
    def _cue_regex(self) -> re.Pattern[str]:
        lex = self.lexicon
        words = set(lex.cue_words())
        names = [p["pattern"] for p in lex.entity_patterns if isinstance(p["pattern"], str) and p["id"] in lex.actors]
        names += [" ".join(t["TEXT"] for t in p["pattern"]) for p in lex.entity_patterns
                  if isinstance(p["pattern"], list) and p["id"] in lex.actors]
        words -= set(lex.words.get("self", ()))
        alts = sorted({re.escape(w) + r"(?:s|es|d|ed|ing|ment|ments)?" for w in words if w.isalpha()}, key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(alts) + r")\b", re.I)

    @cached_property
    def _subject_regex(self) -> re.Pattern[str]:
        """A pronoun or named party opening the sentence (present-tense action programmes: "The EU deploys ...")."""
        lex = self.lexicon
        names = [p["pattern"] for p in lex.entity_patterns if isinstance(p["pattern"], str) and p["id"] in lex.actors]
        names += [" ".join(t["TEXT"] for t in p["pattern"]) for p in lex.entity_patterns
                  if isinstance(p["pattern"], list) and p["id"] in lex.actors]
        names += sorted(lex.words.get("self", ())) + ["both sides", "the two sides", "the participants"]
        alts = "|".join(sorted({re.escape(n) for n in names}, key=len, reverse=True))
        return re.compile(r"^\W*(?:[A-Z][\w’']*,?\s+){0,3}?(?:the\s+)?(?:" + alts + r")\b", re.I)

    def is_candidate(self, text: str, marker: str = "") -> bool:
        """Cheap test: could this sentence hold a commitment?  (Never parses.)"""
        if marker:
            return True
        if self._cue_regex.search(text) or self._subject_regex.search(text):
            return True
        m = re.match(r"\W*([A-Za-z]+)", text)
        if m:
            word = m.group(1).lower()
            stems = [word] + ([word[:-3], word[:-3] + "e", word[:-4]] if word.endswith("ing") else [])
            return any(self.lexicon.has("action", s) or self.lexicon.strength("verb", s) for s in stems)
        return False

    # -- public API -------------------------------------------------------------------------
    def voice(self, meta: DocumentMeta | None) -> DocumentVoice:
        """The document's own voice (see :func:`document_voice`)."""
        return document_voice(meta, self._tagger, self.lexicon, self.nlp.make_doc)

    def extract(self, doc: Document) -> Extraction:
        """Commitments and entities of one document."""
        return next(iter(self.extract_many([doc])))

    def extract_many(self, docs: Iterable[Document]) -> Iterator[Extraction]:
        """Commitments and entities of many documents, one :class:`Extraction` each, in order.

        All sentences of the documents go through one ``nlp.pipe`` (with
        ``n_process`` and ``batch_size``), so many small documents are as fast
        as one large one.
        """
        docs = list(docs)
        nlp = self.nlp
        jobs: list[tuple[str, tuple[int, int, int, str]]] = []
        light: list[tuple[int, Segment, int]] = []
        markers: list[list[str]] = []
        leads: list[list[int | None]] = []
        for d, document in enumerate(docs):
            sents = document.sentences
            split = [split_marker(seg.text) for seg in sents]
            # Headings commit to nothing, and a footnote or endnote cites another text: gazetteer
            # entities only, no parse, no commitment.
            skip = [seg.is_heading or seg.is_note or looks_like_heading(seg.text) for seg in sents]
            markers.append([m for m, _ in split])
            leads.append(lead_ins(markers[d], [seg.text for seg in sents], skip))
            for i, (seg, (marker, offset)) in enumerate(zip(sents, split)):
                text = seg.text[offset:]
                if not skip[i] and (not self.prefilter or self.is_candidate(text, marker)):
                    jobs.append((text, (d, i, offset, marker)))
                else:
                    light.append((d, seg, offset if not skip[i] else 0))
        readings: list[dict[int, Reading]] = [{} for _ in docs]
        entities: list[list[Entity]] = [[] for _ in docs]
        for sdoc, (d, i, offset, marker) in self._parse(jobs):
            seg = docs[d].sentences[i]
            entities[d].extend(self._entities(sdoc, docs[d], seg, offset))
            readings[d][i] = self._read(sdoc, marker)
        tagger = self._tagger
        for d, seg, offset in light:
            sdoc = nlp.make_doc(seg.text[offset:])
            tagger.set_annotations(sdoc, tagger.match(sdoc))
            entities[d].extend(self._entities(sdoc, docs[d], seg, offset))
        for d, document in enumerate(docs):
            sents = document.sentences
            for i, r in readings[d].items():
                lead = leads[d][i]
                r.under_lead = lead is not None
                r.lead = readings[d][lead].hit if lead is not None and lead in readings[d] else None
            order = sorted(readings[d])
            keep = self._decide([sents[i].text for i in order], [readings[d][i] for i in order], document.meta)
            hits = [(sents[i], c) for i, c in zip(order, keep) if c is not None]
            themes = self.themes([seg.text for seg, _ in hits]) if self.themes and hits else [()] * len(hits)
            voice = self.voice(document.meta)
            records = tuple(
                self._record(document.doc_id, n, seg, hit, voice, tuple(th))
                for n, ((seg, hit), th) in enumerate(zip(hits, themes))
            )
            ents = tuple(sorted(entities[d], key=lambda e: (e.start, e.end)))
            yield Extraction(document.doc_id, records, ents)

    def read(self, sentences: Sequence[str], leads: Sequence[str | None] | None = None) -> list[Reading]:
        """Each standalone sentence as the rules read it (every one parsed), before the decision.

        ``leads``: per sentence the lead-in it is a list item of ("... and commit to:"), or ``None``.
        """
        leads = list(leads) if leads is not None else [None] * len(sentences)
        if len(leads) != len(sentences):
            raise ValueError(f"leads has {len(leads)} items but sentences has {len(sentences)}; pass one per sentence")
        lead_texts = sorted({t for t in leads if t})
        texts = list(sentences) + lead_texts
        jobs = []
        for i, text in enumerate(texts):
            marker, offset = split_marker(text)
            jobs.append((text[offset:], (i, offset, marker)))
        out: list[Reading | None] = [None] * len(jobs)
        for sdoc, (i, offset, marker) in self._parse(jobs):
            if looks_like_heading(texts[i]):
                out[i] = Reading(hit=None, described=None, candidate=False, marker=marker)
            else:
                out[i] = self._read(sdoc, marker)
                out[i].candidate = self.is_candidate(texts[i][offset:], marker)
        by_text = {t: out[len(sentences) + k] for k, t in enumerate(lead_texts)}
        readings = [r for r in out[: len(sentences)] if r is not None]
        for r, lead in zip(readings, leads):
            r.under_lead = bool(lead) and bool(r.marker)
            r.lead = by_text[lead].hit if r.under_lead else None
        return readings

    def classify(self, sentences: Sequence[str], metas: Sequence[DocumentMeta | None] | None = None,
                 leads: Sequence[str | None] | None = None) -> list[Commitment | None]:
        """Classify standalone sentences, each with its document's metadata (or ``None``).

        Returns, per sentence, its :class:`Commitment` (actor resolved with the
        metadata) or ``None`` when it is not a commitment.  Every sentence is
        parsed, so the rules' reading does not depend on the pre-filter; the
        decision is the one :meth:`extract_many` takes.  ``leads``: per sentence
        the lead-in it is a list item of, when known.
        """
        metas = list(metas) if metas is not None else [None] * len(sentences)
        if len(metas) != len(sentences):
            raise ValueError(f"metas has {len(metas)} items but sentences has {len(sentences)}; pass one per sentence")
        readings = self.read(sentences, leads)
        return self.records(sentences, self.decide(sentences, readings, metas), metas)

    def records(self, sentences: Sequence[str], hits: Sequence[dict[str, Any] | None],
                metas: Sequence[DocumentMeta | None]) -> list[Commitment | None]:
        """Commitment records of standalone sentences from decided hits (``None``: not a commitment)."""
        voices: dict[str, DocumentVoice] = {}
        out: list[Commitment | None] = []
        for i, (text, hit, meta) in enumerate(zip(sentences, hits, metas)):
            if hit is None:
                out.append(None)
                continue
            key = meta.doc_id if meta is not None else ""
            if key not in voices:
                voices[key] = self.voice(meta)
            seg = Segment(segment_id=f"{key}:q{i}", doc_id=key, kind="sentence", text=text, start=0, end=len(text),
                          page=None, paragraph=0)
            out.append(self._record(key, i, seg, hit, voices[key], ()))
        return out

    def decide(self, sentences: Sequence[str], readings: Sequence[Reading], metas: Sequence[DocumentMeta | None],
               keep: Sequence[bool] | None = None) -> list[dict[str, Any] | None]:
        """The commitment of each read sentence, or ``None``: the model's decision (or ``keep``, a
        decision made elsewhere, e.g. by a cross-validated model) applied to the rules' reading."""
        if keep is None:
            return [self._decide([t], [r], m)[0] for t, r, m in zip(sentences, readings, metas)]
        return [self._apply(t, r, bool(k)) for t, r, k in zip(sentences, readings, keep)]

    def feature_matrix(self, sentences: Sequence[str], readings: Sequence[Reading],
                       metas: Sequence[DocumentMeta | None]) -> np.ndarray:
        """``(n, len(FEATURES))``: what the commitment model sees of each read sentence."""
        return np.array([self._features(t, r, m) for t, r, m in zip(sentences, readings, metas)],
                        dtype=np.float32).reshape(len(readings), len(FEATURES))

    # -- the decision ------------------------------------------------------------------------
    def _parse(self, jobs: list[tuple[str, Any]]):
        nlp = self.nlp
        with nlp.select_pipes(disable=["policytext_commitments"]):
            yield from nlp.pipe(jobs, as_tuples=True, batch_size=self.batch_size, n_process=self.n_process)

    def _read(self, sdoc, marker: str) -> Reading:
        finder = self.nlp.get_pipe("policytext_commitments")
        hit, described = finder.read(sdoc, SentenceContext(marker=marker), describe=self.decider is not None)
        return Reading(hit=hit, described=described, candidate=True, marker=marker)

    @staticmethod
    def _features(text: str, r: Reading, meta: DocumentMeta | None) -> np.ndarray:
        return features(text, r.hit, marker=r.marker, under_lead=r.under_lead, lead=r.lead,
                        doc_type=meta.doc_type if meta is not None else "")

    def _decide(self, texts: Sequence[str], readings: Sequence[Reading], meta: DocumentMeta | None
                ) -> list[dict[str, Any] | None]:
        model = self.commitment_model
        if model is None:
            return [r.hit for r in readings]
        if not readings:
            return []
        keep = model.decide(np.array([self._features(t, r, meta) for t, r in zip(texts, readings)]))
        return [self._apply(t, r, bool(k)) for t, r, k in zip(texts, readings, keep)]

    @staticmethod
    def _apply(text: str, r: Reading, keep: bool) -> dict[str, Any] | None:
        """A kept rule hit as it is; an added sentence from its description (only a pre-filter candidate)."""
        if not keep:
            return None
        if r.hit is not None:
            return r.hit
        if r.described is None or not r.candidate:
            return None
        hit = dict(r.described, strength=added_strength(text, r.lead))
        if r.under_lead and r.lead is not None and hit["actor"] == "self":
            hit.update(actor=r.lead["actor"], actor_text=r.lead.get("actor_text", ""))
        return hit

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _entities(sdoc, document: Document, seg: Segment, offset: int) -> list[Entity]:
        base = seg.start + offset
        spans = sdoc.spans[ENTITIES_ATTR] if ENTITIES_ATTR in sdoc.spans else []
        return [
            Entity(
                entity_id=s.id_, label=s.label_, text=s.text, doc_id=document.doc_id, segment_id=seg.segment_id,
                start=base + s.start_char, end=base + s.end_char, page=seg.page, paragraph=seg.paragraph,
                source="ner" if s.id_.startswith("ner:") else "gazetteer",
            )
            for s in spans
        ]

    @staticmethod
    def _record(doc_id: str, n: int, seg: Segment, hit: dict[str, Any], voice: DocumentVoice,
                themes: tuple[str, ...]) -> Commitment:
        return Commitment(
            commitment_id=f"{doc_id}:c{n}", doc_id=doc_id, segment_id=seg.segment_id, text=seg.text,
            start=seg.start, end=seg.end, actor=voice.resolve(hit["actor"]), strength=hit["strength"],
            actor_text=hit["actor_text"], action=hit["action"], action_phrase=hit["action_phrase"],
            object=hit["object"], cue=hit["cue"], negated=hit["negated"], condition=hit["condition"],
            deadline=hit["deadline"], quantity=hit["quantity"], themes=themes, page=seg.page,
            paragraph=seg.paragraph,
        )

