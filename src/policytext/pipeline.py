"""The analysis pipeline: documents in, sentences with themes, commitments and vectors out.

:class:`Analyzer` runs the three model stages over documents, in batches:

1. commitments and entities (:class:`~policytext.extract.CommitmentExtractor`, spaCy);
2. theme scores per sentence (:class:`~policytext.themes.ThemeClassifier`,
   with each sentence's heading and paragraph as context);
3. sentence embeddings (:class:`~policytext.embed.Embedder`, cached).

The stages are constructor arguments, so any of them can be swapped.  The
result, :class:`AnalyzedDocument`, is what :mod:`policytext.align` scores.
Results are cached per document (by id and content hash), so the EU
reference is analysed once however many partners are aligned with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .align import AlignConfig, Alignment, Unit, align_units
from .records import Commitment, Document, Entity

__all__ = ["AnalyzedDocument", "Analyzer", "align", "align_many", "alignment_table"]


@dataclass(frozen=True)
class AnalyzedDocument:
    """A document with, for each sentence, its commitment reading, theme scores and embedding."""

    document: Document
    units: tuple[Unit, ...]
    vectors: np.ndarray
    theme_scores: np.ndarray
    themes: tuple[str, ...]
    thresholds: np.ndarray
    commitments: tuple[Commitment, ...]
    entities: tuple[Entity, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def doc_id(self) -> str:
        return self.document.doc_id

    def theme_frame(self):
        """Sentences × themes scores as a DataFrame (index: segment ids)."""
        import pandas as pd

        return pd.DataFrame(self.theme_scores, index=[u.segment_id for u in self.units], columns=list(self.themes))

    def commitments_frame(self):
        from .records import to_frame

        return to_frame(self.commitments, record_type=Commitment)


class Analyzer:
    """Run extraction, theme scoring and embedding over documents.

    Parameters
    ----------
    classifier : a fitted theme classifier (``predict_proba(texts, context=)``,
        ``classes_``, ``thresholds_``); ``None`` loads the shipped model.
    extractor : a commitment extractor (``extract_many(docs)``); ``None`` for
        :class:`~policytext.extract.CommitmentExtractor` ``()``.
    embedder : a sentence embedder (``encode(texts)``); ``None`` for
        :class:`~policytext.embed.Embedder` ``()``.  Shared with the classifier.
    """

    def __init__(self, *, classifier: Any = None, extractor: Any = None, embedder: Any = None) -> None:
        self.classifier = classifier
        self.extractor = extractor
        self.embedder = embedder
        self._cache: dict[tuple[str, str], AnalyzedDocument] = {}
        self._extractions: dict[tuple[str, str], Any] = {}

    def with_classifier(self, classifier: Any) -> Analyzer:
        """A new analyzer with another theme classifier, sharing the other stages and their cached extractions."""
        other = Analyzer(classifier=classifier, extractor=self._extractor(), embedder=self._embedder())
        other._extractions = self._extractions
        return other

    # lazily built stages ---------------------------------------------------------
    def _embedder(self):
        if self.embedder is None:
            from .embed import Embedder

            self.embedder = Embedder()
        return self.embedder

    def _classifier(self):
        if self.classifier is None:
            from .themes import ThemeClassifier

            self.classifier = ThemeClassifier.load(embedder=self._embedder())
        return self.classifier

    def _extractor(self):
        if self.extractor is None:
            from .extract import CommitmentExtractor

            self.extractor = CommitmentExtractor()
        return self.extractor

    @property
    def models(self) -> dict[str, Any]:
        """Names and versions of the models in use (recorded in results)."""
        out: dict[str, Any] = {}
        emb = self._embedder()
        info = getattr(emb, "info", None)
        if info is not None:
            out["embedding"] = info.to_dict()
        ext = self._extractor()
        try:
            from .models import resolve_spacy_model

            out["spacy"] = resolve_spacy_model(getattr(ext, "model", "en_core_web_sm")).to_dict()
        except Exception as e:  # recorded, not fatal: the extractor may be a custom one
            out["spacy"] = {"error": str(e)}
        clf = self._classifier()
        out["themes"] = {
            "classes": [str(c) for c in clf.classes_],
            "training": getattr(clf, "training_", {}),
        }
        from . import __version__

        out["policytext"] = __version__
        return out

    # analysis --------------------------------------------------------------------
    def analyze(self, doc: Document) -> AnalyzedDocument:
        """Analyse one document (cached)."""
        return self.analyze_many([doc])[0]

    def analyze_many(self, docs: Sequence[Document]) -> list[AnalyzedDocument]:
        """Analyse documents in one batch per stage; cached documents are not redone."""
        todo = [d for d in docs if (d.doc_id, d.meta.content_hash) not in self._cache]
        if todo:
            for result in self._run(todo):
                self._cache[(result.doc_id, result.document.meta.content_hash)] = result
        return [self._cache[(d.doc_id, d.meta.content_hash)] for d in docs]

    def _run(self, docs: list[Document]) -> list[AnalyzedDocument]:
        from .themes import sentence_contexts

        clf = self._classifier()
        themes = tuple(str(c) for c in clf.classes_)
        thresholds = np.asarray(clf.thresholds_, dtype=float)
        english = [d for d in docs if d.is_english]
        todo = [d for d in english if (d.doc_id, d.meta.content_hash) not in self._extractions]
        if todo:
            for d, e in zip(todo, self._extractor().extract_many(todo)):
                self._extractions[(d.doc_id, d.meta.content_hash)] = e
        extractions = {d.doc_id: self._extractions[(d.doc_id, d.meta.content_hash)] for d in english}

        texts: list[str] = []
        contexts: list[str] = []
        spans: list[tuple[int, int]] = []
        for d in docs:
            sents = d.sentences
            spans.append((len(texts), len(texts) + len(sents)))
            texts.extend(s.text for s in sents)
            contexts.extend(sentence_contexts(d, sents))
        vectors = self._embedder().encode(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        scores = clf.predict_proba(texts, context=contexts) if texts else np.zeros((0, len(themes)))

        out = []
        for d, (a, b) in zip(docs, spans):
            ext = extractions.get(d.doc_id)
            by_segment = {c.segment_id: c for c in ext.commitments} if ext else {}
            doc_scores = scores[a:b]
            units = []
            for s in d.sentences:
                c = by_segment.get(s.segment_id)
                units.append(Unit(
                    segment_id=s.segment_id, doc_id=d.doc_id, text=s.text, page=s.page, paragraph=s.paragraph,
                    start=s.start, end=s.end, commitment=c is not None, strength=c.strength if c else None,
                    negated=c.negated if c else False, condition=c.condition if c else "",
                    is_heading=s.is_heading,
                ))
            # Commitments carry the themes of their sentence.
            row_of = {s.segment_id: i for i, s in enumerate(d.sentences)}
            commitments = tuple(
                replace(c, themes=tuple(themes[k] for k in np.flatnonzero(doc_scores[row_of[c.segment_id]] >= thresholds)))
                if c.segment_id in row_of else c
                for c in (ext.commitments if ext else ())
            )
            notes = () if d.is_english else (
                f"{d.doc_id}: language {d.meta.language!r}: commitments not extracted (English only)",)
            out.append(AnalyzedDocument(
                document=d, units=tuple(units), vectors=vectors[a:b], theme_scores=doc_scores, themes=themes,
                thresholds=thresholds, commitments=commitments, entities=ext.entities if ext else (), notes=notes,
            ))
        return out

    # alignment -------------------------------------------------------------------
    def align(
        self,
        eu_docs: Sequence[Document],
        partner_docs: Sequence[Document],
        *,
        partner: str | None = None,
        config: AlignConfig | None = None,
    ) -> Alignment:
        """Align the partner documents (taken together) with the EU documents."""
        eu = self.analyze_many(list(eu_docs))
        pa = self.analyze_many(list(partner_docs))
        if not eu or not pa:
            raise ValueError("align needs at least one EU document and one partner document")
        label = partner or _partner_label(partner_docs)
        return align_units(
            _cat_units(eu), _cat(eu, "vectors"), _cat(eu, "theme_scores"),
            _cat_units(pa), _cat(pa, "vectors"), _cat(pa, "theme_scores"),
            eu[0].themes, thresholds=eu[0].thresholds, partner=label, config=config, models=self.models,
        )


def _partner_label(docs: Sequence[Document]) -> str:
    names = list(dict.fromkeys(d.meta.partner or d.doc_id for d in docs))
    return names[0] if len(names) == 1 else " + ".join(names)


def _cat_units(items: Sequence[AnalyzedDocument]) -> list[Unit]:
    return [u for a in items for u in a.units]


def _cat(items: Sequence[AnalyzedDocument], name: str) -> np.ndarray:
    arrays = [getattr(a, name) for a in items if len(getattr(a, name))]
    if not arrays:
        width = len(items[0].themes) if name == "theme_scores" else 0
        return np.zeros((0, width))
    return np.concatenate(arrays)


def align(
    eu_docs: Document | Sequence[Document],
    partner_docs: Document | Sequence[Document],
    *,
    partner: str | None = None,
    config: AlignConfig | None = None,
    analyzer: Analyzer | None = None,
) -> Alignment:
    """Score how far a partner's documents commit to the same goals as the EU's, theme by theme.

    Parameters
    ----------
    eu_docs : the EU reference document(s).
    partner_docs : one partner document or several (taken together).
    partner : label for the partner (default: the documents' ``partner`` metadata).
    config : score settings (:class:`~policytext.align.AlignConfig`).
    analyzer : reuse an :class:`Analyzer` (and its models and cache) across calls.

    Examples
    --------
    >>> import policytext
    >>> corpus = policytext.load_corpus("corpora/demo")                            # doctest: +SKIP
    >>> result = policytext.align(corpus["eu-digital-strategy"], corpus["veloria-eu-joint-statement"])  # doctest: +SKIP
    >>> result.to_frame()[["theme", "score", "low", "high"]]                        # doctest: +SKIP
    """
    eu = [eu_docs] if isinstance(eu_docs, Document) else list(eu_docs)
    pa = [partner_docs] if isinstance(partner_docs, Document) else list(partner_docs)
    return (analyzer or Analyzer()).align(eu, pa, partner=partner, config=config)


def align_many(
    eu_docs: Sequence[Document],
    partners: dict[str, Sequence[Document]] | Iterable[Document],
    *,
    config: AlignConfig | None = None,
    analyzer: Analyzer | None = None,
) -> list[Alignment]:
    """Align many partners at once: a mapping label -> documents, or documents grouped by their ``partner``."""
    if not isinstance(partners, dict):
        grouped: dict[str, list[Document]] = {}
        for d in partners:
            grouped.setdefault(d.meta.partner or d.doc_id, []).append(d)
        partners = grouped
    analyzer = analyzer or Analyzer()
    analyzer.analyze_many(list(eu_docs) + [d for docs in partners.values() for d in docs])
    return [analyzer.align(eu_docs, docs, partner=label, config=config) for label, docs in partners.items()]


def alignment_table(alignments: Sequence[Alignment], value: str = "score"):
    """Partners × themes table (DataFrame) of ``value`` (``score``, ``low``, ``high``, ``partner_coverage``...)."""
    import pandas as pd

    rows = {a.partner: {t.theme: getattr(t, value) for t in a.themes} for a in alignments}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame["overall"] = [a.overall for a in alignments] if value == "score" else np.nan
    frame.index.name = "partner"
    return frame
