"""Extraction with spaCy: entities with canonical ids, and commitments (who commits to what, how firmly).

This is the only package where spaCy objects live; the rest of policytext sees
frozen :class:`~policytext.records.Commitment` and
:class:`~policytext.records.Entity` records.

* :class:`CommitmentExtractor` -- documents in, :class:`Extraction` records out
  (``extract``, ``extract_many``), standalone sentences classified (``classify``);
* the spaCy components ``policytext_entities`` and ``policytext_commitments``
  (entry points, usable from plain spaCy);
* :mod:`policytext.evaluate.commitments` -- commitment predictions scored against gold sentences.

Importing this package does not import spaCy or load a model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["CommitmentExtractor", "Extraction", "DocumentVoice", "load_lexicon"]

if TYPE_CHECKING:  # pragma: no cover
    from .extractor import CommitmentExtractor, DocumentVoice, Extraction
    from .lexicon import load_lexicon


def __getattr__(name: str) -> Any:
    if name in ("CommitmentExtractor", "Extraction", "DocumentVoice"):
        from . import extractor

        return getattr(extractor, name)
    if name == "load_lexicon":
        from .lexicon import load_lexicon

        return load_lexicon
    raise AttributeError(f"module 'policytext.extract' has no attribute {name!r}")
