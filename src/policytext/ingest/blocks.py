"""The unit every reader produces: a block of text with its page and role."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Block", "Extracted", "ReadLimits", "normalize_whitespace", "join_lines"]


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph or heading as a reader found it.

    ``page`` is the 1-based page the block starts on (``None`` for formats
    without pages); ``level`` is the heading level (1 = top) for headings;
    ``note`` marks a footnote or endnote (kept, but not read as the document's
    own statement).
    """

    text: str
    page: int | None = None
    heading: bool = False
    level: int = 0
    note: bool = False


@dataclass(frozen=True, slots=True)
class Extracted:
    """What a reader returns: the blocks in reading order and, for paged formats, the page count."""

    blocks: list[Block]
    page_count: int | None = None


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Bounds that keep reading a hostile or broken file cheap.

    A file over a limit is refused with a :class:`~policytext.errors.DocumentError`
    naming the limit, never read half-way.
    """

    max_bytes: int = 50_000_000
    max_pages: int = 2_000
    max_chars: int = 20_000_000
    max_docx_uncompressed: int = 200_000_000
    #: Deepest element nesting read from an HTML page (libxml2 stops at 2,048 in any case).
    max_html_depth: int = 2_048
    #: Decompressed bytes of all compressed streams of one PDF (decompression bombs stop here).
    max_pdf_decompressed: int = 100_000_000


_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_HYPHEN_END = re.compile(r"(\w)[-\u00ad]$")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Private-use bullets of the Symbol/Wingdings fonts that PDF extraction leaves behind.
_PUA_BULLETS = str.maketrans({c: "\u2022" for c in "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf06e\uf0a8"})


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces, drop control characters and soft hyphens, map symbol-font bullets to •."""
    text = _CONTROL.sub(" ", text).replace("\u00ad", "").translate(_PUA_BULLETS)
    return _WS.sub(" ", text).strip()


_URL_PREFIXES = ("https://", "http://", "www.")
#: Longest word handed to ``keep_hyphen``: a longer run of letters is cut to its last 64.
_MAX_HYPHEN_WORD = 64


def join_lines(lines: list[str], keep_hyphen: Callable[[str, str], bool] | None = None) -> str:
    """Join the lines of one paragraph, repairing line-end hyphenation.

    Parameters
    ----------
    lines : the lines, in order.
    keep_hyphen : optional ``f(head, tail)`` deciding, for a line ending in
        ``head-`` followed by a line starting with ``tail``, whether the hyphen
        is part of a compound ("user-" + "centric") rather than a typesetting
        break; the PDF reader answers it from the document's own vocabulary.

    Notes
    -----
    A line ending in ``word-`` followed by a line starting with a lowercase
    letter is joined without the hyphen ("infra-" + "structure" ->
    "infrastructure") unless ``keep_hyphen`` says otherwise; followed by an
    upper-case letter or digit ("Self-" + "Sovereign") the hyphen is kept and
    no space inserted.  A URL broken at ``.``, ``/`` or ``-`` is rejoined
    without a space.  Other lines are joined with a space.

    Runs in time linear in the text (a paragraph of a million short lines is
    joined in about a second): the output is built as a list of parts and
    only the end of the text joined so far is inspected.
    """
    parts: list[str] = []
    length = 0  # characters in parts
    token_start = 0  # where the last whitespace-free token of the output starts
    token_head = ""  # its first 8 characters (enough to recognise a URL prefix)
    soft_break = False  # the previous line ended in a soft hyphen (U+00AD)

    def append(text: str, *, space: bool) -> None:
        nonlocal length, token_start, token_head
        if space:
            parts.append(" ")
            length += 1
            token_start, token_head = length, ""
        last_space = _last_space(text)
        if last_space >= 0:
            token_start, token_head = length + last_space + 1, text[last_space + 1:last_space + 9]
        elif len(token_head) < 8:
            token_head = (token_head + text)[:8]
        parts.append(text)
        length += len(text)

    def drop_last_char() -> None:
        nonlocal length, token_head
        parts[-1] = parts[-1][:-1]
        if not parts[-1]:
            parts.pop()
        length -= 1
        token_head = token_head[: length - token_start]

    def tail(n: int) -> str:
        return "".join(parts[-n:])[-n:]

    for raw in lines:
        line = normalize_whitespace(raw)
        if not line:
            continue
        joined_soft, soft_break = soft_break, raw.rstrip().endswith("\u00ad")
        if not parts:
            append(line, space=False)
            continue
        if joined_soft:
            append(line, space=False)
            continue
        end = tail(2)
        hyphen = _HYPHEN_END.search(end)
        if hyphen and line[0].islower():
            head = _FIRST_WORD.match(tail(_MAX_HYPHEN_WORD + 1)[:-1][::-1])
            word = _FIRST_WORD.match(line)
            if keep_hyphen is not None and head and word and keep_hyphen(head.group(0)[::-1], word.group(0)):
                append(line, space=False)
            else:
                drop_last_char()
                append(line, space=False)
        elif hyphen and end.endswith("-") and (line[0].isupper() or line[0].isdigit()):
            append(line, space=False)
        elif (line[0].islower() or line[0] in "/?#&=") and _ends_broken_url(end, token_head, length - token_start):
            append(line, space=False)
        else:
            append(line, space=True)
    return "".join(parts)


def _last_space(text: str) -> int:
    """Index of the last whitespace character of stripped ``text`` (-1 if none)."""
    pieces = text.rsplit(None, 1)
    return len(text) - len(pieces[-1]) - 1 if len(pieces) == 2 else -1


def _ends_broken_url(end: str, token_head: str, token_length: int) -> bool:
    """The text ends in a URL token broken after ``.``, ``/``, ``_`` or ``-``."""
    return end[-1:] in (".", "/", "_", "-") and any(
        token_head.startswith(prefix) and token_length > len(prefix) for prefix in _URL_PREFIXES
    )
