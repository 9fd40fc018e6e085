"""A sentence's context for theme scoring: its section heading and its paragraph."""

from __future__ import annotations

from collections.abc import Sequence

from ..records import Document, Segment

__all__ = ["sentence_contexts"]


def sentence_contexts(doc: Document, segments: Sequence[Segment] | None = None) -> list[tuple[str, ...]]:
    """The context of each sentence of ``doc``: its section heading and its paragraph's sentences.

    Each context is a tuple of texts — the heading (when the sentence is not
    the heading itself), then every sentence of the paragraph — and the
    classifier embeds it as the mean of those texts' vectors.  The sentences
    are the ones the classifier embeds anyway, so a context costs no extra
    encoding.  A sentence that is its whole paragraph gets only the heading; a
    sentence before the first heading and alone in its paragraph gets ``()``
    (no context).
    """
    segments = doc.sentences if segments is None else segments
    by_paragraph: dict[str, list[str]] = {}
    for s in doc.sentences:
        if s.parent_id:
            by_paragraph.setdefault(s.parent_id, []).append(s.text)
    out = []
    for s in segments:
        para = by_paragraph.get(s.parent_id or "", [])
        para = [] if [" ".join(x.split()) for x in para] == [" ".join(s.text.split())] else para
        heading = "" if s.section.strip() == s.text.strip() else s.section
        out.append(tuple(x for x in (heading, *para) if x.strip()))
    return out


