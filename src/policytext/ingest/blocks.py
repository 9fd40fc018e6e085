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
    without pages); ``level`` is the heading level (1 = top) for headings.
    """

    text: str
    page: int | None = None
    heading: bool = False
    level: int = 0


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


_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_HYPHEN_END = re.compile(r"(\w)[-\u00ad]$")
_LAST_WORD = re.compile(r"[^\W\d_]+$")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_BROKEN_URL = re.compile(r"(?:^|\s)(?:https?://|www\.)\S*[./_-]$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Private-use bullets of the Symbol/Wingdings fonts that PDF extraction leaves behind.
_PUA_BULLETS = str.maketrans({c: "\u2022" for c in "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf06e\uf0a8"})


def normalize_whitespace(text: str) -> str:
    """Collapse runs of spaces, drop control characters and soft hyphens, map symbol-font bullets to •."""
    text = _CONTROL.sub(" ", text).replace("\u00ad", "").translate(_PUA_BULLETS)
    return _WS.sub(" ", text).strip()


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
    """
    out = ""
    soft_break = False  # the previous line ended in a soft hyphen (U+00AD)
    for raw in lines:
        line = normalize_whitespace(raw)
        if not line:
            continue
        joined_soft, soft_break = soft_break, raw.rstrip().endswith("\u00ad")
        if not out:
            out = line
            continue
        if joined_soft:
            out = out + line
            continue
        hyphen = _HYPHEN_END.search(out)
        if hyphen and line[0].islower():
            head = _LAST_WORD.search(out[:-1])
            tail = _FIRST_WORD.match(line)
            if keep_hyphen is not None and head and tail and keep_hyphen(head.group(0), tail.group(0)):
                out = out + line
            else:
                out = out[:-1] + line
        elif hyphen and out.endswith("-") and (line[0].isupper() or line[0].isdigit()):
            out = out + line
        elif _BROKEN_URL.search(out) and (line[0].islower() or line[0] in "/?#&="):
            out = out + line
        else:
            out = out + " " + line
    return out
