"""Plain, immutable records that cross stage boundaries.

Readers produce :class:`Document` objects holding their :class:`Segment`
children; later stages produce :class:`Entity`, :class:`Commitment` and
theme scores.  Records carry stable ids and character offsets into
``Document.text`` (never token indices), so any result can be traced back to
the exact words, page and paragraph it came from.

Every record type turns into a :class:`pandas.DataFrame` through
:func:`to_frame`, whose columns are the record's field names.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = [
    "DocumentMeta",
    "Page",
    "Segment",
    "Document",
    "Failure",
    "Entity",
    "Commitment",
    "ThemeScore",
    "STRENGTHS",
    "Unit",
    "Analysis",
    "KEY_FIELDS",
    "document_key",
    "missing_as_na",
    "to_frame",
    "SEGMENT_KINDS",
]

SEGMENT_KINDS = ("section", "paragraph", "sentence")
#: Commitment strengths, firmest first (see the annotation guidelines).
STRENGTHS = ("firm", "intent", "soft")


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """Descriptive metadata of a document (the columns of a corpus manifest).

    ``language`` is the declared language when the manifest gives one, else
    the detected one; ``detected_language`` is always what the text looks
    like, so a mismatch can be spotted.  ``content_hash`` is the SHA-256 of
    the source file's bytes (or of the UTF-8 text for in-memory documents).
    """

    doc_id: str
    title: str = ""
    issuer: str = ""
    partner: str = ""
    doc_type: str = ""
    date: str = ""
    language: str = ""
    source: str = ""
    license: str = ""
    content_hash: str = ""
    path: str = ""
    file_format: str = ""
    detected_language: str = ""
    language_confidence: float = 0.0
    complete: str = ""
    notes: str = ""
    #: Who signed or issued the text, ``;``-separated (``EU;United States`` for a joint statement).
    signatories: str = ""
    #: Whether the text still stands (``revoked 2025-01-20``, ``superseded``); empty: not known to have lapsed.
    status: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Page:
    """A page of the source file: ``Document.text[start:end]`` came from page ``number`` (1-based)."""

    number: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Segment:
    """A section, paragraph or sentence of a document.

    Attributes
    ----------
    segment_id : stable id, e.g. ``"eu-ids-2025:p3"`` (paragraph 3),
        ``"eu-ids-2025:s17"`` (sentence 17) or ``"eu-ids-2025:h2"`` (section 2).
    kind : ``"section"``, ``"paragraph"`` or ``"sentence"``.
    start, end : character offsets into ``Document.text``.
    page : 1-based page number of the segment's first character (``None`` for
        formats without pages).
    paragraph : 0-based index of the paragraph the segment starts in.
    section : the heading of the enclosing section (``""`` before the first heading).
    parent_id : the paragraph of a sentence, the section of a paragraph.
    is_heading : the paragraph (or sentence) is a heading.
    is_note : the paragraph (or sentence) is a footnote or endnote (PDF small
        print opening with a note number): kept and searchable, but not
        counted as the document's own position in alignment.
    """

    segment_id: str
    doc_id: str
    kind: str
    text: str
    start: int
    end: int
    page: int | None
    paragraph: int
    section: str = ""
    parent_id: str | None = None
    is_heading: bool = False
    is_note: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Document:
    """A document read from a file, with its metadata and segments.

    ``text`` is the cleaned full text: paragraphs separated by a blank line.
    ``segments`` holds sections, paragraphs and sentences in document order;
    the properties :attr:`sections`, :attr:`paragraphs` and :attr:`sentences`
    select one kind.
    """

    meta: DocumentMeta
    text: str
    segments: tuple[Segment, ...]
    pages: tuple[Page, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id

    @property
    def sections(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.kind == "section")

    @property
    def paragraphs(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.kind == "paragraph")

    @property
    def sentences(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.kind == "sentence")

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def is_english(self) -> bool:
        return (self.meta.language or self.meta.detected_language or "en").split("-")[0] == "en"

    def page_at(self, offset: int) -> int | None:
        """Return the 1-based page number holding character ``offset`` (``None`` without pages)."""
        if not self.pages:
            return None
        starts = [p.start for p in self.pages]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        return self.pages[i].number

    def segment(self, segment_id: str) -> Segment:
        """Return the segment with id ``segment_id``."""
        for s in self.segments:
            if s.segment_id == segment_id:
                return s
        raise KeyError(f"{self.doc_id}: no segment {segment_id!r}")

    def to_frame(self, kind: str | None = "sentence") -> pd.DataFrame:
        """Segments of one ``kind`` (or all with ``kind=None``) as a DataFrame."""
        if kind is not None and kind not in SEGMENT_KINDS:
            raise ValueError(f"kind must be one of {SEGMENT_KINDS} or None, got {kind!r}")
        rows = [s for s in self.segments if kind is None or s.kind == kind]
        return to_frame(rows, record_type=Segment)

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": self.meta.to_dict(),
            "text": self.text,
            "pages": [dataclasses.asdict(p) for p in self.pages],
            "segments": [s.to_dict() for s in self.segments],
            "warnings": list(self.warnings),
        }

    def __repr__(self) -> str:
        return (
            f"Document(doc_id={self.doc_id!r}, words={self.word_count}, "
            f"paragraphs={len(self.paragraphs)}, sentences={len(self.sentences)}, "
            f"pages={self.page_count})"
        )


@dataclass(frozen=True, slots=True)
class Failure:
    """A document that could not be loaded, and why."""

    doc_id: str
    path: str
    error: str
    error_type: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Entity:
    """A named actor, institution, instrument or technology found in a document.

    ``entity_id`` is canonical (``"EU"``, ``"ISO:KE"``, ``"instrument:ai_act"``,
    ``"tech:semiconductors"``), so different spellings of one thing share it;
    ``label`` is its type (``ACTOR``, ``INSTITUTION``, ``INSTRUMENT``,
    ``TECHNOLOGY``, ``COUNTRY``, ``BLOC``, ``ORG``...).  Offsets are into
    ``Document.text``.
    """

    entity_id: str
    label: str
    text: str
    doc_id: str
    segment_id: str
    start: int
    end: int
    page: int | None = None
    paragraph: int | None = None
    source: str = "gazetteer"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Commitment:
    """Who commits to do what, how firmly: one undertaking found in a sentence.

    Attributes
    ----------
    actor : normalised actor (``"EU"``, ``"joint"``, a partner name, ``"other"``).
    actor_text : the words naming the actor in the sentence.
    action : lemma of the main verb (``"deploy"``); ``action_phrase`` the verb group.
    object : what the action is about (the verb's object or complement).
    strength : ``"firm"``, ``"intent"`` or ``"soft"``; ``cue`` the words that decided it.
    negated : the undertaking is negated ("will not", "refrain from").
    condition : a condition attached ("subject to ...", "where appropriate"), or ``""``.
    deadline : a year or date by which to act, or ``""``.
    quantity : amounts of money or numbers in the undertaking, or ``""``.
    themes : theme ids of the sentence.
    start, end, page, paragraph : where the sentence is in the document.
    """

    commitment_id: str
    doc_id: str
    segment_id: str
    text: str
    start: int
    end: int
    actor: str
    strength: str
    actor_text: str = ""
    action: str = ""
    action_phrase: str = ""
    object: str = ""
    cue: str = ""
    negated: bool = False
    condition: str = ""
    deadline: str = ""
    quantity: str = ""
    themes: tuple[str, ...] = ()
    page: int | None = None
    paragraph: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["themes"] = list(self.themes)
        return d


@dataclass(frozen=True, slots=True)
class ThemeScore:
    """The score of one theme for one segment, and why it was (not) assigned."""

    segment_id: str
    doc_id: str
    theme: str
    score: float
    assigned: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


#: Metadata fields that enter a document's key (the rest derives from the content or its location).
KEY_FIELDS = ("doc_id", "title", "issuer", "partner", "doc_type", "date", "language", "source", "license",
              "complete", "notes", "signatories", "status")


def document_key(meta: DocumentMeta) -> str:
    """The identity of a document for caching: its content hash plus the metadata the analysis reads.

    The commitment extractor resolves "we" from the issuer, partner and type,
    so a metadata change is a change of the document; the file's location is not.
    """
    import hashlib
    import json

    fields = json.dumps({k: getattr(meta, k) for k in KEY_FIELDS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{meta.content_hash}\x00{fields}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Unit:
    """A sentence entering the alignment, with its commitment reading (if any)."""

    segment_id: str
    doc_id: str
    text: str
    page: int | None = None
    paragraph: int | None = None
    start: int = 0
    end: int = 0
    commitment: bool = False
    strength: str | None = None
    negated: bool = False
    condition: str = ""
    is_heading: bool = False
    is_note: bool = False
    #: On whose behalf the sentence speaks (guidelines' labels: ``joint``, ``EU``, ``US``, ``India+US``,
    #: ``other``, ``none``; see :mod:`policytext.extract.speakers`); ``""`` when not read.
    speaker: str = ""



@dataclass(frozen=True)
class Analysis:
    """What analysing one document on one backend yields: all the alignment and the reports need.

    :meth:`policytext.Analyzer.analyze` returns it, batch workers send it back,
    and the store saves and loads it unchanged.

    Attributes
    ----------
    doc_id, doc_key : the document and its identity (content hash + metadata; see :func:`document_key`).
    meta : the document's metadata (title, date, type, partner...).
    units : its sentences, with their commitment reading, as the alignment takes them.
    vectors : ``(n, d)`` float32 sentence embeddings (rows as ``units``).
    theme_scores : ``(n, k)`` float64 theme probabilities; ``themes`` the column ids, ``thresholds`` their cut-offs.
    commitments, entities : what the extractor found.
    commitments_extracted : ``False`` where the document's language has no commitment rules (its firmness is
        unknown, not absent; the alignment leaves parity out).
    backend : ``"default"`` or ``"multilingual"``; ``language`` the document's language;
        ``precision`` the embedding's (``"fp32"``, ``"bf16"``).
    models : provenance: names, versions and checksums of the models that made it (one shape
        wherever it was made: :meth:`policytext.Analyzer.models_for`).
    notes : what the reader should know (a language without rules or cues...).
    seconds : time the analysis took (batch runs record it).
    """

    doc_id: str
    units: tuple[Unit, ...]
    vectors: np.ndarray
    theme_scores: np.ndarray
    themes: tuple[str, ...]
    thresholds: np.ndarray
    commitments: tuple[Commitment, ...] = ()
    entities: tuple[Entity, ...] = ()
    notes: tuple[str, ...] = ()
    commitments_extracted: bool = True
    backend: str = "default"
    language: str = ""
    precision: str = "fp32"
    models: dict[str, Any] = field(default_factory=dict)
    meta: DocumentMeta | None = None
    doc_key: str = ""
    seconds: float = 0.0

    def theme_frame(self) -> pd.DataFrame:
        """Sentences × themes scores as a DataFrame (index: segment ids)."""
        import pandas as pd

        return pd.DataFrame(self.theme_scores, index=[u.segment_id for u in self.units], columns=list(self.themes))

    def commitments_frame(self) -> pd.DataFrame:
        return to_frame(self.commitments, record_type=Commitment)


def to_frame(records: Iterable[Any], *, record_type: type | None = None) -> pd.DataFrame:
    """Turn a sequence of records (dataclass instances) into a DataFrame.

    The columns are the record's field names, in declaration order, so an empty
    sequence still gives the right columns when ``record_type`` is passed.
    Nested records (e.g. :class:`DocumentMeta`) are flattened into their fields.
    """
    import pandas as pd

    records = list(records)
    cls = record_type or (type(records[0]) if records else None)
    if cls is None:
        return pd.DataFrame()
    if cls is Document:
        rows: Sequence[dict[str, Any]] = [
            {
                **d.meta.to_dict(),
                "words": d.word_count,
                "pages": d.page_count,
                "paragraphs": len(d.paragraphs),
                "sentences": len(d.sentences),
                "warnings": "; ".join(d.warnings),
            }
            for d in records
        ]
        columns = [f.name for f in dataclasses.fields(DocumentMeta)] + [
            "words", "pages", "paragraphs", "sentences", "warnings"
        ]
        return pd.DataFrame(rows, columns=columns)
    columns = [f.name for f in dataclasses.fields(cls)]
    frame = pd.DataFrame([_flat(r) for r in records], columns=columns)
    optional_ints = [f.name for f in dataclasses.fields(cls) if str(f.type).replace(" ", "") == "int|None"]
    return missing_as_na(frame, ints=optional_ints, text=OPTIONAL_TEXT.get(cls.__name__, ()))


#: Text fields whose ``""`` means "none found": missing (``<NA>``) in frames, so ``isna()`` finds them.
OPTIONAL_TEXT: dict[str, tuple[str, ...]] = {
    "Commitment": ("actor_text", "action", "action_phrase", "object", "cue", "condition", "deadline", "quantity"),
    "Segment": ("section", "parent_id"),
}


def missing_as_na(frame: pd.DataFrame, *, ints: Sequence[str] = (), floats: Sequence[str] = (),
                  text: Sequence[str] = ()) -> pd.DataFrame:
    """One convention for missing values in every frame policytext returns.

    ``ints`` (page, paragraph, counts that may be unknown) become pandas' nullable ``Int64``;
    ``floats`` (scores, intervals, parity) ``float64`` with ``NaN`` for ``None``; ``text`` columns
    pandas' ``string`` dtype with ``<NA>`` for ``None`` and ``""``.
    """
    import pandas as pd

    for col in ints:
        if col in frame:
            frame[col] = pd.array([None if v is None or (isinstance(v, float) and v != v) else int(v)
                                   for v in frame[col]], dtype="Int64")
    for col in floats:
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="raise").astype("float64")
    for col in text:
        if col in frame:
            frame[col] = frame[col].astype("string").replace("", pd.NA)
    return frame


def _flat(record: Any) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out
