"""Reader for Word documents (``.docx``)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..errors import DocumentError
from .blocks import Block, Extracted, ReadLimits, normalize_whitespace

__all__ = ["read_docx"]

_HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre)\s*(\d)$", re.I)


def _check_zip(data: bytes, path: str | Path, limits: ReadLimits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
            names = set(zf.namelist())
    except zipfile.BadZipFile as e:
        raise DocumentError(path, "not a valid DOCX file (damaged or not a zip archive)") from e
    if "word/document.xml" not in names:
        raise DocumentError(path, "not a Word document (no word/document.xml inside)")
    if total > limits.max_docx_uncompressed:
        raise DocumentError(
            path,
            f"DOCX expands to {total:,} bytes, over the limit of {limits.max_docx_uncompressed:,}",
            "possible decompression bomb; raise ReadLimits.max_docx_uncompressed if it is genuine",
        )


def read_docx(data: bytes, path: str | Path, limits: ReadLimits = ReadLimits()) -> Extracted:
    """Read paragraphs, headings (``Heading N`` / ``Title`` styles) and tables of a DOCX file.

    DOCX files have no fixed pages, so blocks carry ``page=None``.
    """
    from docx import Document as open_docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_zip(data, path, limits)
    try:
        doc = open_docx(io.BytesIO(data))
    except Exception as e:  # python-docx raises many types for broken packages
        raise DocumentError(path, f"unreadable DOCX ({type(e).__name__}: {e})") from e

    blocks: list[Block] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Paragraph):
            text = normalize_whitespace(item.text)
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            m = _HEADING_STYLE.match(style.strip())
            if style.lower() == "title":
                blocks.append(Block(text, heading=True, level=1))
            elif m:
                blocks.append(Block(text, heading=True, level=int(m.group(1))))
            else:
                blocks.append(Block(text))
        elif isinstance(item, Table):
            for row in item.rows:
                cells: list[str] = []
                for cell in row.cells:
                    t = normalize_whitespace(cell.text)
                    if t and (not cells or cells[-1] != t):  # merged cells repeat
                        cells.append(t)
                if cells:
                    blocks.append(Block(" | ".join(cells)))
    return Extracted(blocks)
