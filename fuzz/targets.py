"""Fuzz targets shared by the hypothesis tests (``tests/test_fuzz.py``) and atheris (``fuzz/run.py``).

Each target takes arbitrary bytes and feeds them to one entry point of
policytext.  A target may raise a :class:`~policytext.errors.PolicytextError`
(the documented way to refuse bad input); any other exception, or a
:class:`~policytext.records.Document` that breaks an invariant
(:func:`check_document`), is a bug.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from policytext.errors import PolicytextError
from policytext.ingest import ReadLimits, read_manifest
from policytext.ingest.blocks import Block
from policytext.records import Document, DocumentMeta

__all__ = ["TARGETS", "check_document", "seed_pdf", "seed_docx", "run_target", "SEEDS"]

#: Small limits so that one fuzz input stays cheap.
LIMITS = ReadLimits(max_bytes=2_000_000, max_pages=50, max_chars=2_000_000, max_docx_uncompressed=20_000_000,
                    max_pdf_decompressed=20_000_000)


def check_document(doc: Document) -> None:
    """Assert the invariants every Document must keep."""
    ids = [s.segment_id for s in doc.segments]
    assert len(ids) == len(set(ids)), "duplicate segment ids"
    for s in doc.segments:
        assert 0 <= s.start <= s.end <= len(doc.text), (s.segment_id, s.start, s.end)
        assert doc.text[s.start:s.end] == s.text, s.segment_id
    for kind in ("paragraph", "sentence"):
        pages = [s.page for s in doc.segments if s.kind == kind and s.page is not None]
        assert pages == sorted(pages), f"{kind} pages not monotonic"
    numbers = [p.number for p in doc.pages]
    assert numbers == list(range(1, len(numbers) + 1)), "page numbers not 1..n"


def _read(suffix: str) -> Callable[[bytes], None]:
    def target(data: bytes) -> None:
        from policytext.ingest import read_document

        with tempfile.TemporaryDirectory(prefix="policytext-fuzz-") as tmp:
            path = Path(tmp) / f"input{suffix}"
            path.write_bytes(data)
            check_document(read_document(path, limits=LIMITS))

    target.__name__ = f"read_{suffix.lstrip('.')}"
    return target


def split_sentences_target(data: bytes) -> None:
    from policytext.segment import split_sentences

    text = data.decode("utf-8", "replace")
    spans = split_sentences(text)
    last = 0
    for start, end in spans:
        assert last <= start < end <= len(text), (start, end)
        piece = text[start:end]
        assert piece == piece.strip() and piece, (start, end)
        last = end


def build_document_target(data: bytes) -> None:
    """Blocks from the bytes: each line a block; a leading '#' makes a heading, a leading digit a page."""
    from policytext.segment import build_document

    blocks = []
    page = 1
    for line in data.decode("utf-8", "replace").split("\n"):
        if line[:1].isdigit():
            page += int(line[0])
        text = line.lstrip("#").strip()
        if text:
            blocks.append(Block(text, page=page if data[:1] == b"p" else None, heading=line.startswith("#")))
    if not blocks:
        return
    check_document(build_document(blocks, DocumentMeta(doc_id="fuzz"), page_count=page if data[:1] == b"p" else None))


def manifest_target(data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="policytext-fuzz-") as tmp:
        path = Path(tmp) / "manifest.csv"
        path.write_bytes(data)
        read_manifest(path)


def corpus_target(data: bytes) -> None:
    """A corpus folder: a few small files and the fuzzed bytes as its manifest."""
    from policytext.ingest import load_corpus

    with tempfile.TemporaryDirectory(prefix="policytext-fuzz-") as tmp:
        root = Path(tmp) / "corpus"
        (root / "sub").mkdir(parents=True)
        (root / "a.txt").write_text("The Union will invest in cables. Partners agree.", encoding="utf-8")
        (root / "sub" / "b.md").write_text("# Title\n\nWe will cooperate on data.", encoding="utf-8")
        (root / "c.html").write_bytes(b"<p>Both sides shall meet.</p>")
        (Path(tmp) / "outside.txt").write_text("outside", encoding="utf-8")
        try:
            os.symlink(Path(tmp) / "outside.txt", root / "link.txt")
        except OSError:  # pragma: no cover - no symlinks on this file system
            pass
        (root / "manifest.csv").write_bytes(data)
        corpus = load_corpus(root, limits=LIMITS)
        for doc in corpus:
            check_document(doc)
            assert Path(doc.meta.path).resolve().is_relative_to(root.resolve()), doc.meta.path


def taxonomy_target(data: bytes) -> None:
    from policytext.taxonomy import load_taxonomy

    with tempfile.TemporaryDirectory(prefix="policytext-fuzz-") as tmp:
        path = Path(tmp) / "taxonomy.yaml"
        path.write_bytes(data)
        tax = load_taxonomy(path)
        assert len(tax) > 0 and len(set(tax.ids)) == len(tax)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "txt": _read(".txt"),
    "md": _read(".md"),
    "html": _read(".html"),
    "pdf": _read(".pdf"),
    "docx": _read(".docx"),
    "split_sentences": split_sentences_target,
    "build_document": build_document_target,
    "manifest": manifest_target,
    "corpus": corpus_target,
    "taxonomy": taxonomy_target,
}


def run_target(name: str, data: bytes) -> bool:
    """Run one target; ``True`` if the input was accepted, ``False`` if refused with a PolicytextError."""
    try:
        TARGETS[name](data)
    except PolicytextError:
        return False
    return True


# --------------------------------------------------------------------------- seeds


def _pdf(objects: list[bytes]) -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def seed_pdf(content: bytes = b"BT /F1 12 Tf 72 700 Td (The Union will invest in cables.) Tj ET",
             *, count: int = 1, filter_: bytes = b"") -> bytes:
    """A one-page PDF with one line of text (``count`` is the page count the page tree declares)."""
    stream = b"<< /Length %d %s>>\nstream\n" % (len(content), filter_) + content + b"\nendstream"
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


@cache
def seed_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Digital partnership", level=1)
    d.add_paragraph("The Union will invest in cables. Both sides agree to cooperate.")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Action"
    table.rows[0].cells[1].text = "Cables"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def docx_with_document_xml(xml: bytes) -> bytes:
    """The seed DOCX with its ``word/document.xml`` replaced."""
    src = zipfile.ZipFile(io.BytesIO(seed_docx()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, xml if info.filename == "word/document.xml" else src.read(info))
    return buf.getvalue()


SEEDS: dict[str, list[bytes]] = {
    "txt": [b"Title\n\nThe Union will invest in cables. Partners agree.\n- item\n"],
    "md": [b"# Title\n\nSome **bold** [link](http://x) `code`.\n\n* item\n\n| a | b |\n|---|---|\n"],
    "html": [b"<html><body><nav>Menu</nav><main><h1>T</h1><p>The Union will invest.</p></main></body></html>"],
    "pdf": [],  # filled lazily by ``seeds()``
    "docx": [],
    "split_sentences": [b"The U.S. and the EU agree. They will meet e.g. in May! Done."],
    "build_document": [b"p# Heading\nFirst paragraph. Second sentence.\n2Next page."],
    "manifest": [b"id,title,path\na,A,a.txt\nb,B,\n"],
    "corpus": [b"id,title,path\na,A,a.txt\nb,B,\nc,C,c.html\nx,X,../outside.txt\nl,L,link.txt\n"],
    "taxonomy": [b"version: 1\nthemes:\n  ai:\n    label: AI\n    cues: ['AI']\n"],
}


def seeds(name: str) -> list[bytes]:
    if name == "pdf":
        return [seed_pdf()]
    if name == "docx":
        return [seed_docx()]
    return SEEDS[name]
