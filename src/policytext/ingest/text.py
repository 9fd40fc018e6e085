"""Readers for plain text (``.txt``) and Markdown (``.md``)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DocumentError
from .blocks import Block, Extracted, join_lines

__all__ = ["decode_text", "read_txt", "read_markdown", "blocks_from_plain_text"]

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2013\u25aa\u25cf\u00b7]|\(?[0-9]{1,3}[.)]|\(?[a-z][.)])\s+")
_DATELINE_END = re.compile(r"\b(?:1[89]|20)\d{2}$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")  # closing #s are stripped in code (linear time)
# Inline markup, each span bounded (text 500, link target 1,000 characters) so that a line full of
# unclosed markers ("*a *a *a ...") costs linear time, not quadratic: longer spans are left as written.
_MD_INLINE = [
    (re.compile(r"!\[([^\]]{0,500})\]\([^)]{0,1000}\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]{1,500})\]\([^)]{0,1000}\)"), r"\1"),  # links -> text
    (re.compile(r"(\*\*|__)(.{1,500}?)\1"), r"\2"),  # bold
    (re.compile(r"(?<!\w)([*_])(\S.{0,498}?\S|\S)\1(?!\w)"), r"\2"),  # italics
    (re.compile(r"`([^`]{0,500})`"), r"\1"),  # code
]


def decode_text(data: bytes, path: str | Path) -> str:
    """Decode bytes as UTF-8 (or UTF-16 with a byte-order mark).

    Raises
    ------
    DocumentError
        if the bytes are empty, binary (NUL bytes) or not valid UTF-8.
    """
    if not data.strip():
        raise DocumentError(path, "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise DocumentError(path, f"invalid UTF-16 text at byte {e.start}") from e
    if b"\x00" in data[:65536]:
        raise DocumentError(path, "binary content (NUL bytes) in a text file", "is it really text?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DocumentError(
            path,
            f"not valid UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})",
            "re-save the file as UTF-8",
        ) from e


def _looks_like_heading(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 16
        and not line.rstrip().endswith((".", ",", ";", ":", "?", "!"))
        and not ("," in line and _DATELINE_END.search(line))  # "Brussels, 12 March 2025"
        and not _BULLET.match(line)
        and any(c.isalpha() for c in line)
        and (line[0].isupper() or line[0].isdigit())
    )


def blocks_from_plain_text(text: str) -> list[Block]:
    """Split plain text into paragraphs and headings.

    Paragraphs are separated by blank lines.  Inside a paragraph, hard-wrapped
    lines are joined; a line starting with a bullet or list number starts a
    new paragraph.  A short, single-line paragraph without final punctuation is
    taken for a heading.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text):
        lines = [ln for ln in chunk.split("\n") if ln.strip()]
        if not lines:
            continue
        if len(lines) == 1 and _looks_like_heading(lines[0].strip()):
            blocks.append(Block(join_lines(lines), heading=True, level=2))
            continue
        current: list[str] = []
        for line in lines:
            if current and _BULLET.match(line):
                blocks.append(Block(join_lines(current)))
                current = []
            current.append(line)
        if current:
            blocks.append(Block(join_lines(current)))
    return [b for b in blocks if b.text]


def read_txt(data: bytes, path: str | Path) -> Extracted:
    """Read a plain-text file into blocks."""
    return Extracted(blocks_from_plain_text(decode_text(data, path)))


def _strip_inline_markdown(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text


def read_markdown(data: bytes, path: str | Path) -> Extracted:
    """Read a Markdown file: ``#`` headings, paragraphs, list items; inline markup removed."""
    text = decode_text(data, path).replace("\r\n", "\n")
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # code blocks carry no policy text
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = join_lines([_strip_inline_markdown(p) for p in paragraph])
            if joined:
                blocks.append(Block(joined))
            paragraph.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        heading = _MD_HEADING.match(stripped)
        if heading:
            flush()
            title = _strip_inline_markdown(heading.group(2).rstrip().rstrip("#").rstrip()).strip()
            if title:
                blocks.append(Block(title, heading=True, level=len(heading.group(1))))
        elif not stripped or re.fullmatch(r"[-*_=]{3,}", stripped):
            flush()
        elif _BULLET.match(stripped):
            flush()
            paragraph.append(_BULLET.sub("", stripped))
        elif stripped.startswith(">"):
            paragraph.append(stripped.lstrip("> "))
        elif stripped.startswith("|"):
            flush()
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells if c):
                row = " | ".join(c for c in cells if c)
                if row:
                    blocks.append(Block(_strip_inline_markdown(row)))
        else:
            paragraph.append(stripped)
    flush()
    return Extracted(blocks)
