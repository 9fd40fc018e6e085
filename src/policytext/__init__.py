"""policytext: analyse policy texts for digital diplomacy.

Read the EU strategy and partners' policy documents, extract their
commitments and themes, and score how far they align, with evidence.

Importing this package is cheap: no model is loaded and torch is not imported
until a function that needs one is called.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from .errors import (
    DocumentError,
    ManifestError,
    ModelIntegrityError,
    ModelNotFoundError,
    OptionalDependencyError,
    PolicytextError,
    TaxonomyError,
)
from .ingest import Corpus, ReadLimits, load_corpus, read_document, read_text
from .models import ModelInfo, resolve_sentence_model, resolve_spacy_model
from .records import Document, DocumentMeta, Failure, Page, Segment, to_frame

try:
    __version__ = version("policytext")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

logging.getLogger("policytext").addHandler(logging.NullHandler())

__all__ = [
    "__version__",
    # records
    "Document",
    "DocumentMeta",
    "Failure",
    "Page",
    "Segment",
    "to_frame",
    # reading
    "Corpus",
    "ReadLimits",
    "load_corpus",
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
