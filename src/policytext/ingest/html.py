"""Reader for HTML pages: main content only, headings kept, navigation dropped, notes flagged."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DocumentError
from .blocks import Block, Extracted, ReadLimits, normalize_whitespace
from .text import decode_text

__all__ = ["read_html"]

# Elements whose content is never policy text.
_DROP_TAGS = {
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "iframe", "svg", "canvas", "button", "select", "input", "textarea", "menu", "dialog",
    "object", "embed", "video", "audio", "map",
}
# Landmark roles and class/id words that mark site chrome.
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "menu", "menubar", "dialog"}
_CHROME = re.compile(
    r"(^|[-_ ])(nav|navbar|menu|breadcrumbs?|cookie|cookies|consent|footer|header|masthead|"
    r"sidebar|share|sharing|social|skip|skiplink|banner|toolbar|pager|pagination|related|newsletter)([-_ ]|$)",
    re.I,
)
# Footnotes and endnotes: DPUB-ARIA roles, and the class/id words that pandoc, Markdown and CMS output use.
_NOTE_ROLES = {"doc-footnote", "doc-endnotes", "doc-endnote", "doc-footnotes"}
_NOTE_MARK = re.compile(r"(^|[-_ ])(footnotes?|endnotes?)(?![-_]?(?:ref|back|link|call|mark))([-_ ]|$)|^fn-?\d+$",
                        re.I)  # "footnote-ref" is the marker in the text, "footnote-back" the link back: not notes
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = {
    "p", "li", "blockquote", "pre", "dd", "dt", "td", "th", "caption", "figcaption",
    "div", "section", "article", "main", "body", "address", "summary", "details",
    "table", "tr", "ul", "ol", "dl", "figure",
}


_NOTE_ATTR = "data-policytext-note"  # set on the note elements found, for the walk
#: Elements that hold the page, never a note, whatever their class says ("has-footnotes").
_NEVER_NOTES = {"html", "body", "main", "article"}


def _is_note(el) -> bool:
    """A footnote or endnote element by its role, class or id (its text is kept and flagged ``Block.note``)."""
    if el.tag in _NEVER_NOTES:
        return False
    if (el.get("role") or "").lower() in _NOTE_ROLES:
        return True
    return bool(_NOTE_MARK.search(el.get("class") or "") or _NOTE_MARK.search(el.get("id") or ""))


def _mark_notes(container) -> None:
    """Mark the note elements under ``container``, leaving out any that holds half of its text or more
    (a wrapper whose class merely mentions notes, such as ``class="content with-footnotes"``)."""
    total = len(container.text_content())
    for el in container.iter():
        if isinstance(el.tag, str) and _is_note(el) and 2 * len(el.text_content()) < max(total, 1):
            el.set(_NOTE_ATTR, "1")


def _is_chrome(el) -> bool:
    if _is_note(el):  # pandoc sets its notes in an <aside>: kept, not dropped as chrome
        return False
    if el.tag in _DROP_TAGS:
        return True
    if (el.get("role") or "").lower() in _DROP_ROLES:
        return True
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    marker = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(marker.strip()) and bool(_CHROME.search(marker))


#: libxml2's own nesting limit with ``huge_tree=True``: markup past it is dropped by the parser.
_LIBXML2_MAX_DEPTH = 2048


def _max_depth(root) -> int:
    """Deepest element nesting of the tree, computed without recursion."""
    import lxml.etree

    depth = deepest = 0
    for event, _ in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def read_html(data: bytes, path: str | Path, limits: ReadLimits = ReadLimits()) -> Extracted:
    """Read the main content of an HTML page into blocks.

    Scripts, styles, navigation, headers, footers, cookie banners and other
    site chrome are removed; ``<main>`` or ``<article>`` is preferred when
    present.  ``h1``-``h6`` become headings; paragraphs, list items, table
    cells and text-bearing ``div``s become paragraphs; footnotes and endnotes
    (``role="doc-endnotes"``, ``class="footnotes"``, ``id="fn1"``...) become
    paragraphs flagged ``note``.  Works iteratively, so deeply nested markup
    cannot exhaust the stack.

    Raises
    ------
    DocumentError
        for elements nested deeper than ``limits.max_html_depth`` (libxml2
        itself stops at 2,048 levels and would silently drop everything
        after that point, so such a page is refused rather than read in part).
    """
    import lxml.etree
    import lxml.html

    text = decode_text(data, path)
    try:
        # huge_tree lifts libxml2's nesting limit from 256 to 2,048 levels (input size is
        # already bounded by ReadLimits.max_bytes); deeper pages are refused below.
        parser = lxml.html.HTMLParser(recover=True, huge_tree=True, remove_comments=True, remove_pis=True)
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as e:
        raise DocumentError(path, f"unreadable HTML ({e})") from e
    depth = _max_depth(root)
    truncated = any("Excessive depth" in err.message for err in parser.error_log)
    if truncated or depth > limits.max_html_depth:
        raise DocumentError(
            path,
            f"HTML elements nested more than {min(limits.max_html_depth, _LIBXML2_MAX_DEPTH):,} levels deep",
            "the page cannot be read in full; simplify its markup or raise ReadLimits.max_html_depth "
            f"(at most {_LIBXML2_MAX_DEPTH:,})",
        )

    # Drop chrome first (collect, then remove, so iteration stays valid).
    doomed = [el for el in root.iter() if isinstance(el.tag, str) and _is_chrome(el)]
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()
    mains = root.xpath("//main|//article|//*[@role='main']")
    container = mains[0] if mains else root
    _mark_notes(container)

    blocks: list[Block] = []
    buffer: list[str] = []
    in_notes = 0  # how many note elements enclose the walk

    def flush(heading_level: int = 0) -> None:
        joined = normalize_whitespace(" ".join(buffer))
        buffer.clear()
        if joined:
            blocks.append(Block(joined, heading=heading_level > 0, level=heading_level, note=in_notes > 0))

    # Iterative walk: ("start", el) / ("end", el) events.
    stack: list[tuple[str, object]] = [("start", container)]
    while stack:
        event, el = stack.pop()
        if event == "text":
            buffer.append(el)  # type: ignore[arg-type]
            continue
        tag = el.tag if isinstance(el.tag, str) else ""  # type: ignore[union-attr]
        tag = tag.lower()
        if event == "end":
            if tag in _HEADINGS:
                flush(_HEADINGS[tag])
            elif tag in _BLOCKS or el.get(_NOTE_ATTR):
                flush()
            if el.get(_NOTE_ATTR):
                in_notes -= 1
            if el.tail:  # type: ignore[union-attr]
                stack.append(("text", el.tail))  # type: ignore[union-attr]
            continue
        if tag in _HEADINGS or tag in _BLOCKS or el.get(_NOTE_ATTR):
            flush()
        if el.get(_NOTE_ATTR):
            in_notes += 1
        if tag == "br":
            buffer.append(" ")
        stack.append(("end", el))
        for child in reversed(list(el)):  # type: ignore[arg-type]
            if isinstance(child.tag, str):
                stack.append(("start", child))
            elif child.tail:
                stack.append(("text", child.tail))
        if el.text and tag:  # type: ignore[union-attr]
            stack.append(("text", el.text))  # type: ignore[union-attr]
    flush()
    return Extracted(blocks)
