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
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .records import Document
from .taxonomy import Taxonomy, load_taxonomy

__all__ = [
    "BACKENDS",
    "choose_backend",
    "document_languages",
    "language_neutral_taxonomy",
    "multilingual_taxonomy",
    "CUE_LANGUAGES",
    "multilingual_model_path",
    "load_multilingual_classifier",
]

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


def choose_backend(docs: Sequence[Document], requested: str = "auto") -> str:
    """The backend for a run over ``docs``: ``"default"`` or ``"multilingual"``.

    Parameters
    ----------
    docs : every document of the run (EU reference and partners together, so
        their scores are comparable).
    requested : ``"auto"`` (multilingual when any document or paragraph is not
        English), ``"default"`` or ``"multilingual"``.
    """
    if requested not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {requested!r}")
    if requested != "auto":
        return requested
    return "multilingual" if any(document_languages(d) - {"en"} for d in docs) else "default"


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
