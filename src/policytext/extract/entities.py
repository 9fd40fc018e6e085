"""The ``policytext_entities`` component: spaCy NER plus the domain gazetteer.

Gazetteer matches (``patterns/entities.jsonl`` in a :class:`~spacy.pipeline.SpanRuler`)
carry their canonical id (``EU``, ``ISO:KE``, ``instrument:ai_act``,
``tech:semiconductors``) as ``Span.id_``; spaCy NER entities (when the pipeline
has an ``ner``) that no gazetteer span covers are added with an id made from
their label and text (``ner:ORG:federal_trade_commission``), or the gazetteer id
when their text is a known name.  The result is ``Doc._.policytext_entities``:
a list of non-overlapping spans, stored in ``doc.spans["policytext_entities"]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .lexicon import Lexicon, load_lexicon

__all__ = ["EntityTagger", "NER_LABELS", "ENTITIES_ATTR"]

#: Doc extension holding the entity spans.
ENTITIES_ATTR = "policytext_entities"
#: spaCy NER labels kept as entities (dates, money and numbers go to commitments instead).
NER_LABELS = ("GPE", "ORG", "NORP", "LOC", "LAW", "PERSON", "FAC", "PRODUCT", "EVENT")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


class EntityTagger:
    """Find named actors, institutions, instruments and technologies.

    Parameters
    ----------
    nlp : the pipeline (for its vocabulary).
    name : component name.
    lexicon : gazetteer and actor tables; defaults to the shipped patterns.
    use_ner : also keep the entities of a preceding ``ner`` component.
    """

    def __init__(self, nlp: Language, name: str = "policytext_entities", *, lexicon: Lexicon | None = None,
                 use_ner: bool = True) -> None:
        self.name = name
        self.lexicon = lexicon or load_lexicon()
        self.use_ner = use_ner
        self.ruler = SpanRuler(nlp, name=f"{name}_ruler", spans_key=None, phrase_matcher_attr="LOWER")
        self.ruler.add_patterns(self.lexicon.entity_patterns)
        # Known names, for giving a gazetteer id to an NER entity the ruler missed by a word.
        self._by_name = {
            p["pattern"].lower(): (p["label"], p["id"]) for p in self.lexicon.entity_patterns if isinstance(p["pattern"], str)
        }

    def __call__(self, doc: Doc) -> Doc:
        spans = self.match(doc)
        self.set_annotations(doc, spans)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def match(self, doc: Doc) -> list[Span]:
        """Gazetteer spans plus NER entities not covered by one, without overlaps."""
        spans = filter_spans(self.ruler.match(doc))
        if self.use_ner and doc.has_annotation("ENT_IOB"):
            covered = {i for s in spans for i in range(s.start, s.end)}
            for ent in doc.ents:
                if ent.label_ not in NER_LABELS or any(i in covered for i in range(ent.start, ent.end)):
                    continue
                text = re.sub(r"^(?i:the)\s+", "", ent.text)
                label, eid = self._by_name.get(text.lower(), (ent.label_, f"ner:{ent.label_}:{_slug(text)}"))
                spans.append(Span(doc, ent.start, ent.end, label=label, span_id=eid))
        return sorted(spans)

    def set_annotations(self, doc: Doc, spans: list[Span]) -> None:
        """Keep the spans in ``doc.spans["policytext_entities"]`` (read by ``Doc._.policytext_entities``)."""
        doc.spans[ENTITIES_ATTR] = spans
