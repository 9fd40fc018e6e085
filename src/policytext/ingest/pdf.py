"""Reader for PDF files: text per page, page numbers kept, page furniture removed.

Built on pdfminer.six (MIT).  For every page the reader takes pdfminer's text
boxes with their positions, then:

1. orders them in reading order, column by column on multi-column pages;
2. removes running headers and footers: lines in the top or bottom band of
   the page that repeat (digits ignored) on many pages, and bare page numbers;
3. joins each box's lines into a paragraph, repairing line-end hyphenation;
4. marks boxes set in a larger font than the body as headings;
5. merges a paragraph split across a page or column break.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import DocumentError
from .blocks import Block, Extracted, ReadLimits, join_lines, normalize_whitespace

__all__ = ["read_pdf", "FURNITURE_BAND"]

#: Share of the page height, at top and bottom, where headers and footers live.
FURNITURE_BAND = 0.12
_PAGE_NUMBER = re.compile(
    r"^(?:page|p\.|seite|página|pagina)?\s*[-\u2013(\[]?\s*#\s*[-\u2013)\]]?\s*(?:(?:of|/|de|von|sur)\s*#)?$", re.I
)
_SENTENCE_END = re.compile(r"[.!?:;\u201d\")\]]$")


@dataclass
class _Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float


@dataclass
class _Box:
    lines: list[_Line]
    x0: float
    y0: float
    x1: float
    y1: float


def _furniture_key(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def _open_pages(data: bytes, path: str | Path, limits: ReadLimits):
    """Yield (page_number, width, height, boxes) for every page."""
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
        boxes: list[_Box] = []
        for element in layout:
            if not isinstance(element, LTTextBox):
                continue
            lines = []
            for line in element:
                if not isinstance(line, LTTextLine):
                    continue
                text = normalize_whitespace(line.get_text())
                if not text:
                    continue
                sizes = [c.size for c in line if isinstance(c, LTChar)]
                size = statistics.median(sizes) if sizes else 0.0
                lines.append(_Line(text, line.x0, line.y0, line.x1, line.y1, size))
            if lines:
                boxes.append(_Box(lines, element.x0, element.y0, element.x1, element.y1))
        yield number, layout.width, layout.height, boxes


def _reading_order(boxes: list[_Box], width: float) -> list[_Box]:
    """Order boxes top to bottom, and column by column on a two-column page."""
    mid = width / 2
    tol = width * 0.04
    left = [b for b in boxes if b.x1 <= mid + tol]
    right = [b for b in boxes if b.x0 >= mid - tol]
    two_columns = len(left) >= 2 and len(right) >= 2
    if not two_columns:
        return sorted(boxes, key=lambda b: (-round(b.y1), b.x0))
    spanning = [b for b in boxes if b not in left and b not in right]
    column_top = max(b.y1 for b in left + right)
    column_bottom = min(b.y0 for b in left + right)
    above = [b for b in spanning if b.y0 >= column_top - tol]
    below = [b for b in spanning if b.y1 <= column_bottom + tol]
    middle = [b for b in spanning if b not in above and b not in below]

    def by_y(bs: list[_Box]) -> list[_Box]:
        return sorted(bs, key=lambda b: (-round(b.y1), b.x0))

    return by_y(above) + by_y(left + middle) + by_y(right) + by_y(below)


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
        pages = list(_open_pages(data, path, limits))
    except DocumentError:
        raise
    except (PDFEncryptionError, PDFPasswordIncorrect) as e:
        raise DocumentError(path, "the PDF is encrypted", "decrypt it or export an unprotected copy") from e
    except Exception as e:  # pdfminer raises many types on damaged files
        raise DocumentError(path, f"damaged or truncated PDF ({type(e).__name__}: {e})") from e
    if not pages:
        raise DocumentError(path, "the PDF has no pages")

    furniture = _furniture_lines(pages)
    body_sizes = [ln.size for _, _, _, boxes in pages for b in boxes for ln in b.lines for _ in ln.text.split()]
    body_size = statistics.median(body_sizes) if body_sizes else 0.0

    blocks: list[Block] = []
    for number, width, height, boxes in pages:
        for box in _reading_order(boxes, width):
            lines = [ln for ln in box.lines if not _is_furniture(ln, height, furniture)]
            if not lines:
                continue
            text = join_lines([ln.text for ln in lines])
            if not text:
                continue
            size = statistics.median(ln.size for ln in lines)
            heading = (
                body_size > 0
                and size >= body_size * 1.15
                and len(text.split()) <= 20
                and not _SENTENCE_END.search(text.rstrip())
            )
            if (
                blocks
                and not heading
                and not blocks[-1].heading
                and not _SENTENCE_END.search(blocks[-1].text)
                and text[:1].islower()
            ):
                # A paragraph that runs on across a column or page break.
                prev = blocks[-1]
                blocks[-1] = Block(join_lines([prev.text, text]), prev.page, False, 0)
                continue
            blocks.append(Block(text, page=number, heading=heading, level=2 if heading else 0))
    if not blocks:
        raise DocumentError(path, "the PDF has no extractable text", "a scanned PDF needs OCR first")
    return Extracted(blocks, page_count=len(pages))


def _furniture_lines(pages) -> set[str]:
    """Keys of lines that repeat in the header/footer band across pages."""
    n_pages = len(pages)
    if n_pages < 2:
        return set()
    counts: Counter[str] = Counter()
    for _, _, height, boxes in pages:
        seen = set()
        for b in boxes:
            for ln in b.lines:
                if _in_band(ln, height):
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
    return key in furniture or bool(_PAGE_NUMBER.match(key))
