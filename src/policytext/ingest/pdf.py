"""Reader for PDF files: text per page, page numbers kept, page furniture removed.

Built on pdfminer.six (MIT).  For every page the reader takes pdfminer's text
boxes with their positions, then:

1. drops text placed outside the visible page (some publishing tools leave
   the next page's text there, which a plain extractor duplicates);
2. glues a bullet, list number or footnote mark that pdfminer put in a box of
   its own to the text on its right ("•" + "Identity providers ...");
3. orders the boxes in reading order, column by column on two-column pages;
4. removes running headers and footers: lines in the top or bottom band of
   the page that repeat (digits ignored) on several pages, bare page numbers
   and lone URLs;
5. splits a box where its font changes between heading and body size, and
   marks headings (larger font, bold short line, or a numbered short line);
6. joins each paragraph's lines, repairing line-end hyphenation (a hyphen is
   kept where the document itself writes the word with one elsewhere);
7. merges what pdfminer split: heading lines, lines of one paragraph set a
   little apart, and a paragraph that runs on across a column or page break
   (skipping the footnotes at the bottom of the page);
8. marks footnotes and endnotes (``Block.note``): small print below the
   page's last line of body text (a caption with text below it stays text).
"""

from __future__ import annotations

import contextvars
import io
import re
import statistics
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DocumentError
from .blocks import Block, Extracted, ReadLimits, join_lines, normalize_whitespace

__all__ = ["read_pdf", "FURNITURE_BAND"]

#: Share of the page height, at top and bottom, where headers and footers live.
FURNITURE_BAND = 0.12
#: A font this much larger than the body text marks a heading.
_HEADING_RATIO = 1.15
#: A font this much smaller than the body text marks a footnote or caption.
_SMALL_RATIO = 0.9

_PAGE_NUMBER = re.compile(
    r"^(?:page|p\.|seite|página|pagina)?\s*[-\u2013(\[]?\s*#\s*[-\u2013)\]]?\s*(?:(?:of|/|de|von|sur)\s*#)?$", re.I
)
_URL_ONLY = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_SENTENCE_END = re.compile(r"[.!?:;\u201d\")\]]$")
_HEADING_BAD_END = re.compile(r"[.,;]$")
_MARKER = re.compile(r"^(?:[\u2022\u25aa\u25cf\u00b7\u2013\u2014\u2212*-]|\(?\d{1,3}(?:\.\d{1,3})*[.)]?|\(?[a-z][.)]?)$")
_BULLET_START = re.compile(r"^(?:[\u2022\u25aa\u25cf\u00b7\u2013\u2014*-]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)")
_NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.|[A-Z]\.)\s+[A-Z\u00c0-\u00de]")
_DOT_LEADER = re.compile(r"\.{4,}|(?:\. ){4,}")
_HYPHENATED = re.compile(r"\b([^\W\d_]+)-([^\W\d_]+)\b")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class _Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool = False


@dataclass
class _Box:
    lines: list[_Line]
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class _Page:
    number: int
    width: float
    height: float
    boxes: list[_Box]


@dataclass
class _Para:
    """A paragraph candidate: lines of one box (or a part of it) with its place on the page."""

    lines: list[_Line]
    page: int
    column: int
    size: float
    heading: bool = False
    small: bool = False
    note: bool = False
    texts: list[str] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.lines[0].y1

    @property
    def bottom(self) -> float:
        return self.lines[-1].y0


class _DecompressionLimit(Exception):
    """A PDF stream expanded past ``ReadLimits.max_pdf_decompressed`` (not a ``zlib.error``,
    so pdfminer does not retry it with its unbounded byte-by-byte fallback)."""


#: Bytes still allowed to come out of compressed streams of the PDF being read (None: no bound).
_BUDGET: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("policytext_pdf_budget", default=None)
_CHUNK = 1 << 20


class _BoundedZlib:
    """Stands in for the ``zlib`` module inside ``pdfminer.pdftypes``.

    pdfminer inflates each FlateDecode stream with one ``zlib.decompress``
    call, so a few hundred kilobytes of zeros become gigabytes.  While
    :func:`_bounded_inflate` is active, inflation goes in 1 MB steps charged
    to a per-file budget and stops with :class:`_DecompressionLimit` when it
    runs out; elsewhere (other users of pdfminer in the process) it is plain
    ``zlib``.
    """

    error = zlib.error

    def __getattr__(self, name: str):
        return getattr(zlib, name)

    @staticmethod
    def decompress(data: bytes, *args, **kwargs) -> bytes:
        budget = _BUDGET.get()
        if budget is None or args or kwargs:
            return zlib.decompress(data, *args, **kwargs)
        return _inflate(data, budget)


def _inflate(data: bytes, budget: list[int]) -> bytes:
    """What pdfminer makes of a FlateDecode stream, inflated in bounded steps.

    pdfminer calls ``zlib.decompress`` and, on a ``zlib.error``, retries byte
    by byte (``decompress_corrupted``): the output up to a damaged checksum
    is kept, a stream damaged earlier gives ``b""``.  This does the same in
    one pass, charging every 1 MB step to ``budget``, and never raises
    ``zlib.error`` (so pdfminer's unbounded, quadratic retry never runs).
    """
    inflater = zlib.decompressobj()
    out: list[bytes] = []

    def feed(chunk: bytes) -> None:
        piece = inflater.decompress(chunk, _CHUNK)
        while True:
            budget[0] -= len(piece)
            if budget[0] < 0:
                raise _DecompressionLimit
            out.append(piece)
            if not inflater.unconsumed_tail:
                return
            piece = inflater.decompress(inflater.unconsumed_tail, _CHUNK)

    body, checksum = (data[:-3], data[-3:]) if len(data) > 3 else (b"", data)
    try:
        feed(body)
    except zlib.error:
        return b""
    for i in range(len(checksum)):
        try:
            feed(checksum[i:i + 1])
        except zlib.error:
            break
    return b"".join(out)


@contextmanager
def _bounded_inflate(limit: int) -> Iterator[None]:
    import pdfminer.pdftypes

    if not isinstance(pdfminer.pdftypes.zlib, _BoundedZlib):
        pdfminer.pdftypes.zlib = _BoundedZlib()  # type: ignore[assignment]
    token = _BUDGET.set([limit])
    try:
        yield
    finally:
        _BUDGET.reset(token)



def _furniture_key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def _is_bold(fontname: str) -> bool:
    name = fontname.lower()
    return any(w in name for w in ("bold", "black", "heavy", "semibold")) or name.endswith((",b", "-b"))


def _open_pages(data: bytes, path: str | Path, limits: ReadLimits) -> Iterator[_Page]:
    """Yield every page with its text boxes (only those on the visible page)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar, LTTextBox, LTTextLine

    laparams = LAParams(line_margin=0.5, boxes_flow=0.5, detect_vertical=False)
    pages = extract_pages(io.BytesIO(data), laparams=laparams, maxpages=limits.max_pages + 1)
    for number, layout in enumerate(pages, start=1):
        if number > limits.max_pages:
            raise DocumentError(
                path,
                f"more than {limits.max_pages:,} pages",
                "raise ReadLimits.max_pages to read longer files",
            )
        width, height = layout.width, layout.height
        boxes: list[_Box] = []
        for element in layout:
            if not isinstance(element, LTTextBox):
                continue
            lines = []
            for line in element:
                if not isinstance(line, LTTextLine):
                    continue
                cx, cy = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
                if not (0 <= cx <= width and 0 <= cy <= height):
                    continue  # off the visible page
                chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
                size = statistics.median(c.size for c in chars) if chars else 0.0
                text = normalize_whitespace(_line_text(line, size))
                if not text:
                    continue
                bold = bool(chars) and all(_is_bold(c.fontname) for c in chars)
                lines.append(_Line(text, line.x0, line.y0, line.x1, line.y1, size, bold))
            if lines:
                boxes.append(
                    _Box(lines, min(ln.x0 for ln in lines), min(ln.y0 for ln in lines),
                         max(ln.x1 for ln in lines), max(ln.y1 for ln in lines))
                )
        yield _Page(number, width, height, boxes)


def _line_text(line, size: float) -> str:
    """The text of a pdfminer line without superscript note marks ("Regulation³" -> "Regulation").

    A superscript is a run of digits or letters set clearly smaller than the
    line and raised above its baseline; one that follows a digit is kept
    (ordinals such as "21st").
    """
    from pdfminer.layout import LTChar

    if size <= 0:
        return line.get_text()
    items = list(line)
    out: list[str] = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, LTChar) and _is_superscript(item, line, size):
            j = i
            while j < len(items) and isinstance(items[j], LTChar) and _is_superscript(items[j], line, size):
                j += 1
            run = "".join(c.get_text() for c in items[i:j])
            before = "".join(out).rstrip()
            if re.fullmatch(r"[0-9a-z,*†‡]+", run) and not before[-1:].isdigit():
                i = j
                continue
            out.append(run)
            i = j
            continue
        out.append(item.get_text())
        i += 1
    return "".join(out)


def _is_superscript(char, line, size: float) -> bool:
    return char.size < size * 0.8 and char.y0 > line.y0 + size * 0.2


def _attach_markers(boxes: list[_Box], width: float) -> list[_Box]:
    """Glue one-line marker boxes ("•", "2.2", a footnote letter) to the box on their right."""
    out = list(boxes)
    for marker in [b for b in boxes if len(b.lines) == 1 and _MARKER.match(b.lines[0].text)]:
        line = marker.lines[0]
        mid = (line.y0 + line.y1) / 2
        targets = [
            b for b in out
            if b is not marker
            and 0 <= b.x0 - line.x1 <= width * 0.08
            and b.lines[0].y0 - 2 <= mid <= b.lines[0].y1 + 2
        ]
        if not targets:
            continue
        target = min(targets, key=lambda b: b.x0 - line.x1)
        first = target.lines[0]
        target.lines[0] = _Line(
            f"{line.text} {first.text}", line.x0, min(line.y0, first.y0), first.x1, max(line.y1, first.y1),
            first.size, first.bold,
        )
        target.x0 = min(target.x0, line.x0)
        out.remove(marker)
    return out


def _reading_order(boxes: list[_Box], width: float) -> list[tuple[_Box, int]]:
    """Order boxes top to bottom, column by column on a two-column page.

    Returns ``(box, column)`` pairs; ``column`` is 0 for the left (or only)
    column and for full-width boxes, 1 for the right column.
    """
    mid = width / 2
    tol = width * 0.04
    left = [b for b in boxes if b.x1 <= mid + tol]
    right = [b for b in boxes if b.x0 >= mid - tol]

    def by_y(bs: list[_Box]) -> list[_Box]:
        return sorted(bs, key=lambda b: (-round(b.y1), b.x0))

    two_columns = len(left) >= 2 and len(right) >= 2
    if not two_columns:
        return [(b, 0) for b in by_y(boxes)]
    spanning = [b for b in boxes if b not in left and b not in right]
    column_top = max(b.y1 for b in left + right)
    column_bottom = min(b.y0 for b in left + right)
    above = [b for b in spanning if b.y0 >= column_top - tol]
    below = [b for b in spanning if b.y1 <= column_bottom + tol]
    middle = [b for b in spanning if b not in above and b not in below]
    return (
        [(b, 0) for b in by_y(above)]
        + [(b, 0) for b in by_y(left + middle)]
        + [(b, 1) for b in by_y(right)]
        + [(b, 2) for b in by_y(below)]
    )


def read_pdf(data: bytes, path: str | Path, limits: ReadLimits = ReadLimits()) -> Extracted:
    """Read a PDF into blocks carrying their 1-based page numbers.

    Raises
    ------
    DocumentError
        for a file that is not a PDF, is encrypted, damaged or truncated, has
        more pages than ``limits.max_pages``, or has no text layer (a scan).
    """
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(path, "not a PDF file (no %PDF- header)")
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        with _bounded_inflate(limits.max_pdf_decompressed):
            pages = list(_open_pages(data, path, limits))
    except DocumentError:
        raise
    except _DecompressionLimit as e:
        raise DocumentError(
            path,
            f"compressed streams expand to more than {limits.max_pdf_decompressed:,} bytes",
            "possible decompression bomb; raise ReadLimits.max_pdf_decompressed if it is genuine",
        ) from e
    except (PDFEncryptionError, PDFPasswordIncorrect) as e:
        raise DocumentError(path, "the PDF is encrypted", "decrypt it or export an unprotected copy") from e
    except Exception as e:  # pdfminer raises many types on damaged files
        raise DocumentError(path, f"damaged or truncated PDF ({type(e).__name__}: {e})") from e
    if not pages:
        raise DocumentError(path, "the PDF has no pages")

    furniture = _furniture_lines(pages)
    body_sizes = [ln.size for p in pages for b in p.boxes for ln in b.lines for _ in ln.text.split()]
    body_size = statistics.median(body_sizes) if body_sizes else 0.0

    paras: list[_Para] = []
    for page in pages:
        for box, column in _reading_order(_attach_markers(page.boxes, page.width), page.width):
            lines = [ln for ln in box.lines if not _is_furniture(ln, page.height, furniture)]
            paras.extend(_split_box(lines, page.number, column, body_size))

    keep_hyphen = _hyphen_oracle(pages)
    merged = _merge(_mark_notes(paras))
    blocks = []
    for para in merged:
        text = join_lines(para.texts, keep_hyphen)
        if text:
            blocks.append(Block(text, page=para.page, heading=para.heading, level=2 if para.heading else 0,
                                note=para.note))
    if not blocks:
        raise DocumentError(path, "the PDF has no extractable text", "a scanned PDF needs OCR first")
    return Extracted(blocks, page_count=len(pages))


def _split_box(lines: list[_Line], page: int, column: int, body_size: float) -> list[_Para]:
    """Cut a box's lines into paragraph candidates where the font turns from heading to body size."""
    if not lines:
        return []
    large = [body_size > 0 and ln.size >= body_size * _HEADING_RATIO for ln in lines]
    runs: list[list[_Line]] = [[lines[0]]]
    for prev_large, cur_large, line in zip(large, large[1:], lines[1:]):
        if prev_large != cur_large:
            runs.append([])
        runs[-1].append(line)
    out = []
    for run in runs:
        size = statistics.median(ln.size for ln in run)
        para = _Para(run, page, column, size, texts=[ln.text for ln in run])
        para.heading = _looks_like_heading(para, body_size)
        para.small = body_size > 0 and size < body_size * _SMALL_RATIO and not para.heading
        out.append(para)
    return out


def _looks_like_heading(para: _Para, body_size: float) -> bool:
    text = " ".join(para.texts)
    words = len(text.split())
    if not words or _HEADING_BAD_END.search(text) or _DOT_LEADER.search(text):
        return False
    if body_size > 0 and para.size >= body_size * _HEADING_RATIO:
        return words <= 20
    if _SENTENCE_END.search(text) and not text.endswith((")", "?")):
        return False
    if body_size > 0 and para.size < body_size * _SMALL_RATIO:
        return False
    if len(para.lines) > 2 or words > 14 or not (text[0].isupper() or text[0].isdigit()):
        return False
    if all(ln.bold for ln in para.lines):
        return True
    return (
        len(para.lines) == 1
        and words <= 10
        and bool(_NUMBERED_HEADING.match(text))
        and not re.search(r"[,()/:\[\]]|https?:|www\.", text)
    )


def _merge(paras: list[_Para]) -> list[_Para]:
    """Merge paragraph candidates that pdfminer split (see the module docstring)."""
    out: list[_Para] = []
    last_body: int | None = None  # index in ``out`` of the last full-size, non-heading paragraph
    for para in paras:
        prev = out[-1] if out else None
        if prev is not None and _is_lone_marker(prev) and prev.page == para.page:
            para.texts = [f"{prev.texts[0]} {para.texts[0]}"] + para.texts[1:]
            out.pop()
            prev = out[-1] if out else None
            last_body = last_body if last_body is None or last_body < len(out) else None
        if prev is not None and _same_flow(prev, para) and _runs_on(prev, para):
            prev.texts.extend(para.texts)
            prev.lines.extend(para.lines)
            continue
        if last_body is not None and _continues(out[last_body], para, out[last_body + 1:]):
            target = out[last_body]
            target.texts.extend(para.texts)
            target.lines.extend(para.lines)
            continue
        out.append(para)
        if not para.heading and not para.small:
            last_body = len(out) - 1
        elif para.heading:
            last_body = None
    return out


def _mark_notes(paras: list[_Para]) -> list[_Para]:
    """Mark footnotes and endnotes: small print set below the page's last line of body text.

    That is where footnotes sit, whatever marks them (numbers, letters, or
    superscripts the reader dropped), and an endnotes page has no body text at
    all.  Small print with body text below it (a caption, a box set smaller)
    stays the document's own text.
    """
    lowest: dict[int, float] = {}
    for para in paras:
        if not para.small and not para.heading:
            lowest[para.page] = min(lowest.get(para.page, float("inf")), para.bottom)
    for para in paras:
        para.note = para.small and para.top < lowest.get(para.page, float("inf"))
    return paras


def _is_lone_marker(para: _Para) -> bool:
    return len(para.texts) == 1 and bool(_MARKER.match(para.texts[0])) and not para.heading


def _same_flow(a: _Para, b: _Para) -> bool:
    return a.page == b.page and a.column == b.column


def _runs_on(prev: _Para, para: _Para) -> bool:
    """``para``, just below ``prev`` in the same column, is the rest of it.

    Two heading parts set in the same size and one line apart are one
    heading.  A body paragraph runs on when ``prev`` stopped mid-sentence and
    ``para`` follows one line below (pdfminer split a paragraph), or starts
    in lower case a little further down.
    """
    gap = prev.bottom - para.top
    size = max(prev.size, para.size)
    if gap < -2 or abs(prev.size - para.size) >= 0.5:
        return False
    if prev.heading and para.heading:
        return gap <= 0.6 * size
    if prev.heading or para.heading or prev.small != para.small:
        return False
    if _SENTENCE_END.search(prev.texts[-1]) or _BULLET_START.match(para.texts[0]):
        return False
    return gap <= 0.45 * size or (para.texts[0][:1].islower() and gap <= 3 * size)


def _continues(prev: _Para, para: _Para, between: list[_Para]) -> bool:
    """``para`` continues paragraph ``prev`` across a column or page break.

    ``between`` holds what came after ``prev`` (footnotes, captions): they
    must all be small print, and ``para`` must open a new column or page.
    """
    if para.heading or para.small or any(not p.small for p in between):
        return False
    if _same_flow(prev, para) or (para.page, para.column) < (prev.page, prev.column):
        return False
    if abs(prev.size - para.size) >= 0.5:
        return False
    end, start = prev.texts[-1], para.texts[0]
    if _SENTENCE_END.search(end) or _BULLET_START.match(start):
        return False
    if start[:1].islower():
        return True
    # An upper-case start ("... the use of" / "Blockchain technology ...") continues
    # only a paragraph that clearly stopped mid-sentence.
    words = sum(len(t.split()) for t in prev.texts)
    return words >= 8 and bool(re.search(r"[a-z\u00df-\u00ff],?$", end))


def _hyphen_oracle(pages: list[_Page]):
    """Return ``keep(head, tail)``: is ``head-`` + ``tail`` at a line end a compound word?

    Evidence comes from the document itself: how often it writes ``head-tail``
    and ``headtail`` inside a line, and whether both halves are words of it.
    """
    hyphenated: Counter[str] = Counter()
    plain: Counter[str] = Counter()
    for page in pages:
        for box in page.boxes:
            for ln in box.lines:
                body = ln.text[:-1] if ln.text.endswith("-") else ln.text
                hyphenated.update(f"{a}-{b}".lower() for a, b in _HYPHENATED.findall(body))
                plain.update(w.lower() for w in _WORD.findall(body))

    def keep(head: str, tail: str) -> bool:
        h, t = head.lower(), tail.lower()
        compound, joined = hyphenated[f"{h}-{t}"], plain[f"{h}{t}"]
        if compound or joined:
            return compound > joined
        # Unseen either way: a compound of two words the document uses on their own
        # ("risk-" + "mitigating"), not a syllable break ("imple-" + "mentation").
        return len(h) >= 4 and len(t) >= 4 and plain[h] >= 2 and plain[t] >= 2

    return keep


def _furniture_lines(pages: list[_Page]) -> set[str]:
    """Keys of lines that repeat in the header/footer band across pages."""
    n_pages = len(pages)
    if n_pages < 2:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        seen = set()
        for b in page.boxes:
            for ln in b.lines:
                if _in_band(ln, page.height):
                    seen.add(_furniture_key(ln.text))
        counts.update(seen)
    threshold = max(2, round(0.3 * n_pages))
    return {k for k, c in counts.items() if c >= threshold}


def _in_band(line: _Line, height: float) -> bool:
    return line.y0 >= height * (1 - FURNITURE_BAND) or line.y1 <= height * FURNITURE_BAND


def _is_furniture(line: _Line, height: float, furniture: set[str]) -> bool:
    if not _in_band(line, height):
        return False
    key = _furniture_key(line.text)
    return key in furniture or bool(_PAGE_NUMBER.match(key)) or bool(_URL_ONLY.match(line.text))
