"""Reading documents: one reader per format, a manifest loader, language detection."""

from .blocks import Block, Extracted, ReadLimits
from .corpus import (MANIFEST_COLUMNS, READERS, Corpus, CorpusPlan, PlannedDocument, load_corpus, plan_corpus,
                     read_document, read_manifest, read_text, resolve_partners)
from .language import detect_language

__all__ = [
    "Block",
    "Extracted",
    "ReadLimits",
    "Corpus",
    "CorpusPlan",
    "PlannedDocument",
    "plan_corpus",
    "resolve_partners",
    "READERS",
    "MANIFEST_COLUMNS",
    "load_corpus",
    "read_document",
    "read_manifest",
    "read_text",
    "detect_language",
]
