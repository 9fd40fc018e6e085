"""policytext: analyse policy texts for digital diplomacy.

Read the EU strategy and partners' policy documents, extract their
commitments and themes, and score how far they align, with evidence.

Importing this package is cheap: no model is loaded and torch is not imported
until a function that needs one is called.
"""

from __future__ import annotations

import logging

from .errors import (
    DocumentError,
    ManifestError,
    ModelIntegrityError,
    ModelNotFoundError,
    OptionalDependencyError,
    PolicytextError,
    TaxonomyError,
)
from .ingest import Corpus, ReadLimits, load_corpus, plan_corpus, read_document, read_text
from .models import ModelInfo, resolve_sentence_model, resolve_spacy_model
from .alignment import AlignConfig, Alignment
from .pipeline import AnalyzedDocument, Analyzer, align, align_many, alignment_table
from .records import (Analysis, Commitment, Document, DocumentMeta, Entity, Failure, Page, Segment, ThemeScore,
                      to_frame)
from .taxonomy import Taxonomy, Theme, load_taxonomy

logging.getLogger("policytext").addHandler(logging.NullHandler())

_LAZY = {
    # Heavier modules (scikit-learn, spaCy, sentence-transformers) load on first use.
    "ThemeClassifier": "policytext.themes",
    "CommitmentExtractor": "policytext.extract",
    "Embedder": "policytext.embed",
    "MultilingualEmbedder": "policytext.embed",
    "evaluate_sentences": "policytext.evaluate",
    "evaluate_alignment": "policytext.evaluate",
    # batch scoring and the store (DuckDB)
    "score_corpus": "policytext.batch",
    "AnalyzerSpec": "policytext.batch",
    "LocalExecutor": "policytext.batch",
    "Store": "policytext.store",
    # briefings
    "Report": "policytext.report",
    "briefing": "policytext.report",
    "build_briefings": "policytext.report",
    "write_reports": "policytext.report",
}


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"__version__"})


def __getattr__(name: str):
    if name == "__version__":  # read from the installed metadata on first use (importlib.metadata is slow)
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("policytext")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "0.0.0+unknown"
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'policytext' has no attribute {name!r}")

__all__ = [
    "__version__",
    # records
    "Document",
    "DocumentMeta",
    "Failure",
    "Page",
    "Segment",
    "Commitment",
    "Entity",
    "ThemeScore",
    "to_frame",
    # analysis
    "Analyzer",
    "Analysis",
    "AnalyzedDocument",
    "AlignConfig",
    "Alignment",
    "align",
    "align_many",
    "alignment_table",
    "Taxonomy",
    "Theme",
    "load_taxonomy",
    "ThemeClassifier",
    "CommitmentExtractor",
    "Embedder",
    "MultilingualEmbedder",
    "evaluate_sentences",
    "evaluate_alignment",
    # batch scoring and briefings
    "score_corpus",
    "AnalyzerSpec",
    "LocalExecutor",
    "Store",
    "Report",
    "briefing",
    "build_briefings",
    "write_reports",
    # reading
    "Corpus",
    "ReadLimits",
    "load_corpus",
    "plan_corpus",
    "read_document",
    "read_text",
    # models
    "ModelInfo",
    "resolve_sentence_model",
    "resolve_spacy_model",
    # errors
    "PolicytextError",
    "DocumentError",
    "ManifestError",
    "ModelNotFoundError",
    "ModelIntegrityError",
    "TaxonomyError",
    "OptionalDependencyError",
]
