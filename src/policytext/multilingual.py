"""Routing by language: which embedding backend, theme model and extractor a run uses.

policytext analyses partner documents in their own language, without
translating them first.  Two *backends* exist:

``"default"``
    all-MiniLM-L6-v2 (English) and the shipped theme model
    (``data/theme_model``), which also uses the taxonomy's English cues;
``"multilingual"``
    USE multilingual v3 (:class:`~policytext.embed.MultilingualEmbedder`, 16
    languages in one space) and a theme model trained in that space
    (``data/theme_model_use``).  That model reads every language with the
    same evidence -- prototype similarity, context similarity, per-theme text
    models -- plus the taxonomy's cues in English *and* in French, Spanish,
    German and Japanese (:func:`multilingual_taxonomy`, cue lists in
    ``data/cues_multilingual.yaml``), so a French sentence is not scored lower
    than its English original for want of an English cue.  Other languages
    have no cue list: their theme scores rest on the embedding evidence alone,
    and the analysis says so in its notes.

:func:`choose_backend` picks the multilingual backend when any document of a
run is not English (or a paragraph of one is, see
:func:`~policytext.ingest.language.paragraph_languages`), or when asked; an
English-only run keeps the default backend and its results.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import PolicytextError
from .records import Document
from .taxonomy import Taxonomy, load_taxonomy

__all__ = [
    "ANALYSIS_REVISION",
    "BACKENDS",
    "Backend",
    "DEFAULT",
    "MULTILINGUAL",
    "UnsupportedLanguageError",
    "choose_backend",
    "get_backend",
    "document_languages",
    "language_neutral_taxonomy",
    "multilingual_taxonomy",
    "CUE_LANGUAGES",
    "multilingual_model_path",
    "load_multilingual_classifier",
]

#: Bumped when a change to reading, segmentation or analysis code changes what an analysis holds, so
#: that stored analyses made before are redone (it enters every fingerprint).  2: footnotes and
#: endnotes (PDF small print, HTML notes, paragraphs under a "Notes" heading) are flagged ``is_note``
#: and left out of the alignment and the commitments.  3: a sentence's vector is a function of the sentence
#: alone (one-thread forward passes over equal-length buckets; last bits changed), whether commitments
#: were extracted is an explicit field, and deadlines relative to events ("by the next Ministerial") are read.
#: 4: each sentence has a speaker.  5: "both sides" in one party's summary of a joint meeting speaks for the
#: two parties its title names.  6: a document signed as a group of unnamed members is signed by the parties
#: of the member list its text opens with.  7: the commitment model decides which sentences are commitments.
#: 8: bodies named by an acronym (and pillars, partnerships, alliances) act; actions in the present progressive.
ANALYSIS_REVISION = 8

#: Backend names accepted by :func:`choose_backend` (``"auto"`` decides from the documents).
BACKENDS = ("auto", "default", "multilingual")


def multilingual_model_path() -> Path:
    """The folder of the theme model trained with USE multilingual embeddings (shipped)."""
    return Path(str(resources.files("policytext") / "data" / "theme_model_use"))


def document_languages(doc: Document) -> frozenset[str]:
    """Base language codes present in ``doc``: its own, plus any paragraph confidently in another."""
    from .ingest.language import base_language, paragraph_languages

    return frozenset({base_language(doc.meta.language or doc.meta.detected_language or "en")}
                     | set(paragraph_languages(doc).values()))


class UnsupportedLanguageError(PolicytextError):
    """A document is in a language the chosen backend cannot read (no silent fallback to a model that cannot)."""


class Backend(ABC):
    """A way to read documents: an embedding model, the theme model trained with it, the languages it reads.

    Two exist, :data:`DEFAULT` and :data:`MULTILINGUAL`; :func:`choose_backend` is the one function
    that decides which reads a set of documents.  A backend builds its stages
    (:meth:`embedder`, :meth:`classifier`), says what it reads (:attr:`languages`,
    :meth:`check`) and describes its models for the fingerprint stored analyses are keyed by
    (:meth:`describe`).  Commitments are extracted by language on every backend (English and
    French rules: :attr:`extractor_languages`).
    """

    name: str = ""
    languages: frozenset[str] = frozenset()
    #: Languages whose commitments are extracted (by rules) on this backend; others get a note.
    extractor_languages: tuple[str, ...] = ("en", "fr")

    def unread(self, doc: Document) -> frozenset[str]:
        """Languages of ``doc`` (its own and its paragraphs') this backend cannot read."""
        return document_languages(doc) - self.languages - {""}

    def check(self, docs: Sequence[Document]) -> None:
        """Raise :class:`UnsupportedLanguageError` naming every document this backend cannot read."""
        bad = [(d.doc_id, sorted(langs)) for d in docs if (langs := self.unread(d))]
        if bad:
            listed = "; ".join(f"{doc_id} ({', '.join(langs)})" for doc_id, langs in bad)
            readers = [b.name for b in (DEFAULT, MULTILINGUAL) if b is not self and
                       all(set(langs) <= b.languages for _, langs in bad)]
            hint = (f"the {readers[0]} backend reads them (backend='auto' routes them there)" if readers else
                    f"no backend reads them (multilingual reads: {', '.join(sorted(MULTILINGUAL.languages))})")
            raise UnsupportedLanguageError(f"the {self.name} backend cannot read {listed}: {hint}")

    @abstractmethod
    def embedder(self, **options: Any) -> Any:
        """A new embedder of this backend's space."""

    @abstractmethod
    def classifier(self, embedder: Any, theme_model: str | os.PathLike[str] | None = None) -> Any:
        """The theme model trained in this backend's space, reading with ``embedder``."""

    @abstractmethod
    def describe(self, spec: Any) -> dict[str, Any]:
        """Names, versions and checksums of what this backend's analyses depend on (the fingerprint's parts)."""

    @abstractmethod
    def taxonomy(self) -> Taxonomy:
        """The taxonomy (with the cues) this backend's theme model reads."""

    def __repr__(self) -> str:
        return f"<backend {self.name}: {', '.join(sorted(self.languages))}>"

    def __str__(self) -> str:
        return self.name


class _DefaultBackend(Backend):
    """all-MiniLM-L6-v2 and the shipped theme model with the taxonomy's English cues: English text."""

    name = "default"
    languages = frozenset({"en"})

    def embedder(self, **options: Any) -> Any:
        """An :class:`~policytext.embed.Embedder` (options: ``model``, ``batch_size``, ``device``, ``cache``,
        ``precision``)."""
        from .embed import Embedder

        return Embedder(**options)

    def classifier(self, embedder: Any, theme_model: str | os.PathLike[str] | None = None) -> Any:
        from .themes import ThemeClassifier

        return ThemeClassifier.load(theme_model, embedder=embedder)

    def taxonomy(self) -> Taxonomy:
        """The shipped taxonomy (English cues)."""
        return load_taxonomy()

    def describe(self, spec: Any) -> dict[str, Any]:
        from .models import resolve_sentence_model

        from .embed import STATIC, StaticEmbedder, static_theme_model_path

        static = spec.embedding_model == STATIC
        theme_dir = (Path(spec.theme_model) if spec.theme_model else
                     static_theme_model_path() if static else _package() / "data" / "theme_model")
        precision = spec.resolved().precision
        return {
            "embedding": (StaticEmbedder().info if static else
                          resolve_sentence_model(spec.embedding_model, verify=False)).to_dict(),
            # float32 adds nothing, so stores written before precision was an option keep their keys
            **({"embedding_precision": precision} if precision != "fp32" else {}),
            **_rules(spec),
            "themes": {"path": str(theme_dir), "sha256": _files_sha(sorted(theme_dir.glob("*")))},
            "taxonomy_sha256": _files_sha([_package() / "data" / "taxonomy.yaml"]),
        }


class _MultilingualBackend(Backend):
    """USE multilingual v3 (16 languages in one space) and the theme model trained with it, cues in five."""

    name = "multilingual"

    @property
    def languages(self) -> frozenset[str]:  # type: ignore[override]
        from .embed import USE_LANGUAGES

        return USE_LANGUAGES

    def embedder(self, **options: Any) -> Any:
        """A :class:`~policytext.embed.MultilingualEmbedder` (option: ``cache``)."""
        from .embed import MultilingualEmbedder

        return MultilingualEmbedder(**options)

    def classifier(self, embedder: Any, theme_model: str | os.PathLike[str] | None = None) -> Any:
        return load_multilingual_classifier(embedder, theme_model)

    def taxonomy(self) -> Taxonomy:
        """The shipped taxonomy with its cues in English, French, Spanish, German and Japanese."""
        return multilingual_taxonomy()

    def describe(self, spec: Any) -> dict[str, Any]:
        from .embed import resolve_use_model

        theme_dir = multilingual_model_path()
        return {
            "backend": "multilingual",
            "embedding": resolve_use_model().to_dict(),
            **_rules(spec),
            "spacy_fr": _optional_spacy("fr_core_news_sm"),
            "themes": {"path": str(theme_dir), "sha256": _files_sha(sorted(theme_dir.glob("*")))},
            "taxonomy_sha256": _files_sha([_package() / "data" / "taxonomy.yaml", _cue_file()]),
            "french_rules_sha256": _files_sha([_package() / "extract" / "french.py"]),
        }


#: The two backends.
DEFAULT: Backend = _DefaultBackend()
MULTILINGUAL: Backend = _MultilingualBackend()


def get_backend(backend: str | Backend) -> Backend:
    """The backend named ``"default"`` or ``"multilingual"`` (a :class:`Backend` passes through)."""
    if isinstance(backend, Backend):
        return backend
    for b in (DEFAULT, MULTILINGUAL):
        if backend == b.name:
            return b
    raise ValueError(f"backend must be one of default, multilingual (or auto where the documents decide), "
                     f"got {backend!r}")


def choose_backend(docs: Sequence[Document], requested: str | Backend = "auto") -> Backend:
    """The backend that reads ``docs``: the one function that decides it.

    Parameters
    ----------
    docs : every document of the run (EU reference and partners together, so
        their scores are comparable).
    requested : ``"auto"`` (:data:`MULTILINGUAL` when any document or paragraph is
        not English, else :data:`DEFAULT`), or a backend (name) to use.

    Raises
    ------
    UnsupportedLanguageError
        if the backend cannot read a document (a French text on the default
        backend, a language USE does not know on the multilingual one).
    """
    if requested == "auto":
        chosen = MULTILINGUAL if any(document_languages(d) - {"en"} for d in docs) else DEFAULT
    elif isinstance(requested, Backend) or requested in BACKENDS:
        chosen = get_backend(requested)
    else:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {requested!r}")
    chosen.check(docs)
    return chosen


def _package() -> Path:
    return Path(str(resources.files("policytext")))


def _files_sha(paths: Sequence[Path]) -> str:
    import hashlib

    h = hashlib.sha256()
    for p in paths:
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _optional_spacy(name: str) -> dict[str, str]:
    from .models import resolve_spacy_model

    try:
        return resolve_spacy_model(name).to_dict()
    except PolicytextError as e:  # the French rules fall back to a blank pipeline: recorded as such
        return {"name": name, "missing": str(e)}


def _rules(spec: Any) -> dict[str, Any]:
    """What every backend's analysis also depends on: the spaCy model, the rule files, the code revision."""
    from . import __version__
    from .models import resolve_spacy_model

    return {
        "spacy": resolve_spacy_model(spec.spacy_model).to_dict(),
        "patterns_sha256": _files_sha(sorted((_package() / "extract" / "patterns").glob("*.jsonl"))),
        "commitment_model_sha256": _files_sha(sorted(Path(getattr(spec, "commitment_model", None)
                                                          or _package() / "data" / "commitment_model").glob("*.npz"))),
        "policytext": __version__,
        "analysis_revision": ANALYSIS_REVISION,
    }


def language_neutral_taxonomy(taxonomy: Taxonomy | str | os.PathLike[str] | None = None) -> Taxonomy:
    """``taxonomy`` (default: the shipped one) without its cues: the same themes, definitions and examples.

    The cues are English regular expressions; a classifier trained without them
    weighs the same evidence in every language.
    """
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    return replace(tax, themes=tuple(replace(t, cues=()) for t in tax.themes),
                   name=f"{tax.name or 'taxonomy'} (language-neutral: no cues)")


def _cue_file() -> Path:
    return Path(str(resources.files("policytext") / "data" / "cues_multilingual.yaml"))


@lru_cache(maxsize=1)
def _cue_lists() -> dict[str, Any]:
    """The cue file, parsed once per process (read-only for callers)."""
    import yaml

    path = _cue_file()
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("cues"), dict):
        raise ValueError(f"{path}: expected a mapping with a 'cues' mapping of theme id -> language -> cues")
    return data


def _cue_languages() -> tuple[str, ...]:
    return ("en", *(str(x) for x in _cue_lists().get("languages", ())))


def __getattr__(name: str) -> Any:
    if name == "CUE_LANGUAGES":  # languages with a cue list (read from the YAML file on first use)
        return _cue_languages()
    raise AttributeError(name)


def multilingual_taxonomy(taxonomy: Taxonomy | str | os.PathLike[str] | None = None) -> Taxonomy:
    """``taxonomy`` (default: the shipped one) with each theme's cues also in French, Spanish, German, Japanese.

    The extra cues (``data/cues_multilingual.yaml``) translate the English ones
    theme by theme; a theme id missing from the file keeps its English cues only.
    """
    tax = taxonomy if isinstance(taxonomy, Taxonomy) else load_taxonomy(taxonomy)
    extra = _cue_lists()["cues"]
    themes = []
    for t in tax.themes:
        per_language = extra.get(t.id) or {}
        more = tuple(str(c) for lang in sorted(per_language) for c in (per_language[lang] or ()))
        themes.append(replace(t, cues=tuple(dict.fromkeys((*t.cues, *more)))))
    return replace(tax, themes=tuple(themes), name=f"{tax.name or 'taxonomy'} (+ cues in {', '.join(_cue_languages()[1:])})")


def load_multilingual_classifier(embedder: Any = None, folder: str | os.PathLike[str] | None = None):
    """Load the theme model trained in the USE multilingual space.

    Parameters
    ----------
    embedder : a :class:`~policytext.embed.MultilingualEmbedder` (``None``: a new one).
    folder : the model folder (``None``: the shipped ``data/theme_model_use``).

    Raises
    ------
    ModelNotFoundError
        if the USE package or the model files are missing.
    ModelIntegrityError
        if the model was trained with other embeddings or another taxonomy.
    """
    from .embed import MultilingualEmbedder
    from .themes import ThemeClassifier

    embedder = embedder if embedder is not None else MultilingualEmbedder()
    return ThemeClassifier.load(folder or multilingual_model_path(), taxonomy=multilingual_taxonomy(),
                                embedder=embedder)
