"""Assemble reader blocks into a :class:`~policytext.records.Document` with segments.

The document text is the blocks joined by blank lines.  From it come:

* **paragraphs**: one per block (headings included, flagged ``is_heading``;
  footnotes and endnotes flagged ``is_note``: those the reader marked, and
  every paragraph under a "Notes", "Endnotes", "References" or "Bibliography"
  heading, up to the next heading of the same or a higher level);
* **sections**: from a heading to the next heading;
* **sentences**: each paragraph split by :func:`split_sentences`, a fast,
  deterministic rule-based splitter that knows common abbreviations
  ("e.g.", "U.S.", "Art.") and CJK full stops.

Ids are stable for the same input: ``{doc_id}:p{n}``, ``{doc_id}:s{n}``,
``{doc_id}:h{n}``, numbered from 0 in document order.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence

from .ingest.blocks import Block
from .records import Document, DocumentMeta, Page, Segment

__all__ = ["split_sentences", "build_document", "PARAGRAPH_SEPARATOR"]

PARAGRAPH_SEPARATOR = "\n\n"
#: A heading over the notes or references (optionally numbered): what follows it cites other texts.
NOTES_HEADING = re.compile(
    r"^\s*(?:(?:\d{1,2}(?:\.\d{1,2})*|[IVXLC]{1,6}|[A-Z])[.)]?\s+)?"
    r"(?:(?:end|foot)?notes|notes and references|references|bibliography|works cited|sources|"
    r"notes et références|références|bibliographie|notas|referencias|bibliografía|"
    r"anmerkungen|fußnoten|endnoten|literatur|literaturverzeichnis|quellen|"
    r"注|脚注|注記|参考文献)\s*:?\s*$",
    re.I,
)

_ABBREVIATIONS = {
    "e.g", "i.e", "etc", "vs", "cf", "al", "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos",
    "art", "arts", "para", "paras", "p", "pp", "vol", "ch", "sec", "fig", "ed", "eds", "inc",
    "ltd", "co", "corp", "jr", "sr", "gen", "gov", "dept", "approx", "incl", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.u",
    "h.e", "hon", "rev", "op", "cit", "ibid", "viz", "resp", "min", "max", "mt", "ca", "nr",
    "z.b", "bzw", "usw", "vgl", "mme", "mlle", "cie", "sr", "sra", "ee.uu", "núm", "pág",
}
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace.
# The look-behind makes a run of punctuation match from its first character only, so a long
# run ("......") costs linear, not quadratic, time.
_BOUNDARY = re.compile(r"(?<![.!?\u2026])([.!?\u2026]+)([\"'\u201d\u2019)\]]*)(\s+)")
_TOKEN = re.compile(r"\S+")
_CJK_BOUNDARY = re.compile(r"([\u3002\uff01\uff1f]+)([\u300d\u300f\uff09\"'\u201d]*)")
_NEXT_STARTS_SENTENCE = re.compile(r"[\"'\u201c\u2018(\[]*[A-Z0-9\u00c0-\u00de\u0391-\u03a9\u0410-\u042f\u2022\u2013-]")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` character spans of the sentences of ``text``.

    Spans exclude surrounding whitespace.  A boundary is terminal punctuation
    followed by whitespace and an upper-case letter, digit or bullet, unless
    the word before it is a known abbreviation or a single initial; CJK full
    stops (``。！？``) end a sentence without a following space.
    """
    cuts: list[int] = []
    token_starts: list[int] | None = None  # starts of the whitespace-free runs, built on first need
    for m in _BOUNDARY.finditer(text):
        end = m.end(2)
        nxt = text[m.end():m.end() + 3]
        if not nxt or not _NEXT_STARTS_SENTENCE.match(nxt):
            continue
        if m.group(1) == ".":
            if token_starts is None:
                token_starts = [t.start() for t in _TOKEN.finditer(text)]
            token = _token_before(text, m.start(1), token_starts).lower().lstrip("(\"'\u201c")
            tail = re.split(r"[-/\u2013]", token)[-1]  # "Indo-U.S." ends with the abbreviation "U.S."
            if any(t in _ABBREVIATIONS or (len(t) == 1 and t.isalpha()) for t in (token, tail)):
                continue
            if re.fullmatch(r"(?:[a-z]\.)+[a-z]", tail):  # U.S, e.g, a.m
                continue
        cuts.append(end)
    for m in _CJK_BOUNDARY.finditer(text):
        cuts.append(m.end())
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in sorted(set(cuts)) + [len(text)]:
        piece = text[start:cut]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + lead + len(stripped)))
        start = cut
    return spans


def _token_before(text: str, end: int, token_starts: list[int]) -> str:
    """The whitespace-free run of ``text`` that ends at ``end`` (``""`` if whitespace precedes it).

    Same as ``re.search(r"(\\S+)$", text[:end])`` (which also looks past one final
    newline) without copying the text before ``end``: linear, not quadratic, overall.
    """
    if end and text[end - 1] == "\n":
        end -= 1
    if not end or text[end - 1].isspace():
        return ""
    start = token_starts[bisect_right(token_starts, end - 1) - 1]
    return text[start:end]


def build_document(
    blocks: Sequence[Block],
    meta: DocumentMeta,
    *,
    page_count: int | None = None,
    warnings: Sequence[str] = (),
    sentence_splitter: Callable[[str], list[tuple[int, int]]] | None = None,
) -> Document:
    """Assemble blocks into a :class:`Document` with sections, paragraphs and sentences.

    Parameters
    ----------
    blocks : paragraphs and headings in reading order, as a reader returns them.
    meta : the document's metadata.
    page_count : number of pages of a paged source (PDF); pages without text
        are kept as empty :class:`Page` records so numbering stays right.
    sentence_splitter : paragraph text -> sentence spans; ``None`` for
        :func:`split_sentences` (non-English documents get a per-language one,
        see :func:`policytext.ingest.language.split_sentences_for`).
    """
    splitter = sentence_splitter or split_sentences
    doc_id = meta.doc_id
    parts: list[str] = []
    offset = 0
    paragraphs: list[Segment] = []
    sentences: list[Segment] = []
    sections: list[Segment] = []
    section_title = ""
    section_start: int | None = None
    section_first_par = 0
    section_id: str | None = None

    def close_section(end: int) -> None:
        if section_start is None or section_id is None:
            return
        sections.append(
            Segment(
                segment_id=section_id,
                doc_id=doc_id,
                kind="section",
                text="",  # filled below from the document text
                start=section_start,
                end=end,
                page=None,
                paragraph=section_first_par,
                section=section_title,
            )
        )

    notes_level: int | None = None  # the level of the "Notes"/"References" heading we are under, if any
    for i, block in enumerate(blocks):
        if parts:
            parts.append(PARAGRAPH_SEPARATOR)
            offset += len(PARAGRAPH_SEPARATOR)
        start = offset
        parts.append(block.text)
        offset += len(block.text)
        if block.heading:
            level = block.level or 1
            if notes_level is not None and level <= notes_level:
                notes_level = None
            if notes_level is None and NOTES_HEADING.match(block.text):
                notes_level = level
        is_note = block.note or (notes_level is not None and not block.heading)
        if block.heading or section_id is None:
            if section_id is not None:
                close_section(paragraphs[-1].end)
            section_id = f"{doc_id}:h{len(sections)}"
            section_title = block.text if block.heading else ""
            section_start = start
            section_first_par = i
        par = Segment(
            segment_id=f"{doc_id}:p{i}",
            doc_id=doc_id,
            kind="paragraph",
            text=block.text,
            start=start,
            end=offset,
            page=block.page,
            paragraph=i,
            section=section_title,
            parent_id=section_id,
            is_heading=block.heading,
            is_note=is_note,
        )
        paragraphs.append(par)
        spans = [(0, len(block.text))] if block.heading else splitter(block.text)
        for s, e in spans:
            sentences.append(
                Segment(
                    segment_id=f"{doc_id}:s{len(sentences)}",
                    doc_id=doc_id,
                    kind="sentence",
                    text=block.text[s:e],
                    start=start + s,
                    end=start + e,
                    page=block.page,
                    paragraph=i,
                    section=section_title,
                    parent_id=par.segment_id,
                    is_heading=block.heading,
                    is_note=is_note,
                )
            )
    if paragraphs:
        close_section(paragraphs[-1].end)
    text = "".join(parts)

    pages = _pages(paragraphs, page_count)
    sections = [
        Segment(
            segment_id=s.segment_id, doc_id=doc_id, kind="section", text=text[s.start:s.end],
            start=s.start, end=s.end, page=paragraphs[s.paragraph].page, paragraph=s.paragraph,
            section=s.section, parent_id=None, is_heading=False,
        )
        for s in sections
    ]
    segments = sorted(sections + paragraphs + sentences, key=lambda s: (s.start, _KIND_ORDER[s.kind]))
    return Document(meta=meta, text=text, segments=tuple(segments), pages=tuple(pages), warnings=tuple(warnings))


_KIND_ORDER = {"section": 0, "paragraph": 1, "sentence": 2}


def _pages(paragraphs: list[Segment], page_count: int | None) -> list[Page]:
    if page_count is None:
        return []
    pages: list[Page] = []
    cursor = 0
    for number in range(1, page_count + 1):
        on_page = [p for p in paragraphs if p.page == number]
        if on_page:
            start, end = on_page[0].start, on_page[-1].end
        else:
            start = end = cursor
        pages.append(Page(number, start, end))
        cursor = end
    return pages
