"""Hostile and broken files (issue 9): each gives a clear error or a bounded, documented degradation.

Every case is timed and its peak Python memory measured (tracemalloc); the
bounds asserted are generous (``SECONDS``, ``MEGABYTES``) so that a busy CI
machine passes, while an unbounded read (a decompression bomb inflated in
memory, a 200 MB file read whole, a quadratic parse) fails them by far.
The limits themselves are :class:`~policytext.ReadLimits` settings; see SECURITY.md.
"""

from __future__ import annotations

import io
import os
import sys
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable

import pytest

from conftest import REPO
from policytext import DocumentError, ManifestError, ReadLimits, load_corpus, read_document

sys.path.insert(0, str(REPO))
from fuzz.targets import check_document, seed_docx, seed_pdf  # noqa: E402

SECONDS = 2.0  # per case
MEGABYTES = 200  # extra peak memory per case
EN = "The European Union will invest in secure connectivity and work with partners on artificial intelligence."


@pytest.fixture(scope="module", autouse=True)
def _warm_up():
    """Load the language model once, so that no case is charged for it."""
    from policytext.ingest import detect_language

    detect_language(EN)


def measure(fn: Callable[[], object], *, trace: bool = True) -> tuple[object, float, float]:
    """Run ``fn``; return (its result or the exception it raised, seconds, peak MB allocated meanwhile).

    With ``trace=False`` the time is measured without tracemalloc (which slows
    allocation-heavy code several-fold) and the peak is the growth of the
    process's maximum resident set size (a lower bound).
    """
    import resource

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        result: object = fn()
    except Exception as e:  # noqa: BLE001 - the caller checks the type
        result = e
    seconds = time.perf_counter() - start
    if trace:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    else:
        peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1e3  # KB on Linux
    print(f"{seconds:.2f} s, {peak:.1f} MB peak: {str(result)[:120]}")
    return result, seconds, peak


def assert_bounded(seconds: float, peak: float, *, max_seconds: float = SECONDS) -> None:
    assert seconds < max_seconds, f"took {seconds:.2f} s"
    assert peak < MEGABYTES, f"peak memory {peak:.0f} MB"


# --------------------------------------------------------------------------- size


def test_issue9_200mb_text_file_refused_without_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(200_000_000)  # sparse: no disk space used
    error, seconds, peak = measure(lambda: read_document(path))
    assert isinstance(error, DocumentError)
    assert "file is 200,000,000 bytes, over the limit of 50,000,000" in str(error)
    assert seconds < 0.5 and peak < 5


def test_issue9_special_file_refused(tmp_path):
    """A pipe named like a document would block the reader forever."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    error, seconds, _ = measure(lambda: read_document(fifo))
    assert isinstance(error, DocumentError) and "not a regular file" in str(error)
    assert seconds < 0.5


# --------------------------------------------------------------------------- PDF


def test_issue9_pdf_declaring_ten_million_pages(tmp_path):
    path = tmp_path / "count.pdf"
    path.write_bytes(seed_pdf(count=10_000_000))
    doc, seconds, peak = measure(lambda: read_document(path))
    assert not isinstance(doc, Exception), doc
    check_document(doc)
    assert doc.page_count == 1 and "The Union will invest in cables." in doc.text  # the real pages, not /Count
    assert_bounded(seconds, peak)


def test_issue9_pdf_with_many_pages_stops_at_max_pages(tmp_path):
    """1,000 pages (sharing one content stream) are cut at ReadLimits.max_pages, before they are all parsed."""
    from fuzz.targets import _pdf

    n = 1000
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
            b"/Resources << /Font << /F1 4 0 R >> >> >>")
    content = b"BT /F1 12 Tf 72 700 Td (The Union will invest in cables.) Tj ET"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(n))
    path = tmp_path / "many.pdf"
    path.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", *[page] * n,
    ]))
    error, seconds, peak = measure(lambda: read_document(path, limits=ReadLimits(max_pages=20)))
    assert isinstance(error, DocumentError) and "more than 20 pages" in str(error)
    assert_bounded(seconds, peak)


def test_issue9_pdf_with_huge_image(tmp_path):
    """An image declaring 1,000,000 x 1,000,000 pixels is never decoded: the text loads."""
    content = b"q 612 0 0 792 0 0 cm /Im1 Do Q BT /F1 12 Tf 72 700 Td (The Union will invest in cables.) Tj ET"
    image = zlib.compress(b"\x00" * 1000)
    data = seed_pdf(content).replace(
        b"/Font << /F1 5 0 R >>", b"/Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >>"
    )
    obj6 = (b"6 0 obj\n<< /Type /XObject /Subtype /Image /Width 1000000 /Height 1000000 /ColorSpace /DeviceRGB "
            b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(image) + image
            + b"\nendstream\nendobj\n")
    data = data.replace(b"xref\n", obj6 + b"xref\n", 1)  # pdfminer falls back to scanning objects
    path = tmp_path / "image.pdf"
    path.write_bytes(data)
    doc, seconds, peak = measure(lambda: read_document(path))
    assert not isinstance(doc, Exception), doc
    assert "The Union will invest in cables." in doc.text
    assert_bounded(seconds, peak)


def test_issue9_pdf_decompression_bomb(tmp_path):
    """300 MB of blanks deflated to ~300 KB: refused at ReadLimits.max_pdf_decompressed, never inflated whole."""
    packer = zlib.compressobj(9)
    chunk = b" " * 1_000_000
    bomb = b"".join(packer.compress(chunk) for _ in range(300)) + packer.flush()
    path = tmp_path / "bomb.pdf"
    path.write_bytes(seed_pdf(bomb, filter_=b"/Filter /FlateDecode "))
    assert path.stat().st_size < 1_000_000
    error, seconds, peak = measure(lambda: read_document(path))
    assert isinstance(error, DocumentError)
    assert "expand to more than 100,000,000 bytes" in str(error) and "decompression bomb" in str(error)
    assert_bounded(seconds, peak)
    # the same with a smaller limit, and a truncated bomb (pdfminer's byte-by-byte fallback path)
    error, seconds, peak = measure(lambda: read_document(path, limits=ReadLimits(max_pdf_decompressed=10_000_000)))
    assert isinstance(error, DocumentError) and "more than 10,000,000 bytes" in str(error)
    path.write_bytes(seed_pdf(bomb[: len(bomb) // 2], filter_=b"/Filter /FlateDecode "))
    error, seconds, peak = measure(lambda: read_document(path))
    assert isinstance(error, DocumentError) and "decompression bomb" in str(error)
    assert_bounded(seconds, peak)


def test_issue9_compressed_pdf_under_the_limit_reads_as_before(tmp_path):
    content = b"BT /F1 12 Tf 72 700 Td (The Union will invest in cables.) Tj ET"
    packed = zlib.compress(content)
    path = tmp_path / "flate.pdf"
    path.write_bytes(seed_pdf(packed, filter_=b"/Filter /FlateDecode "))
    assert read_document(path).text == "The Union will invest in cables."
    path.write_bytes(seed_pdf(packed[:-2], filter_=b"/Filter /FlateDecode "))  # damaged checksum: text kept
    assert read_document(path).text == "The Union will invest in cables."


# --------------------------------------------------------------------------- DOCX


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    """A DOCX whose word/document.xml is 300 MB of zeros (about 300 KB compressed)."""
    src = zipfile.ZipFile(io.BytesIO(seed_docx()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info.filename, src.read(info))
        with out.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b"\x00" * 1_000_000
            for _ in range(300):
                f.write(chunk)
    return buf.getvalue()


def test_issue9_docx_decompression_bomb(tmp_path, docx_bomb):
    path = tmp_path / "bomb.docx"
    path.write_bytes(docx_bomb)
    assert path.stat().st_size < 2_000_000
    error, seconds, peak = measure(lambda: read_document(path))
    assert isinstance(error, DocumentError)
    assert "DOCX expands to 300," in str(error) and "decompression bomb" in str(error)
    assert_bounded(seconds, peak)


def test_issue9_docx_lying_about_its_size(tmp_path):
    """Declared sizes smaller than the real content: zipfile stops at the declared size, the CRC fails."""
    data = bytearray(seed_docx())
    info = next(i for i in zipfile.ZipFile(io.BytesIO(bytes(data))).infolist() if i.filename == "word/document.xml")
    real = info.file_size.to_bytes(4, "little")
    fake = (16).to_bytes(4, "little")
    data = bytes(data).replace(real, fake)  # local header and central directory
    path = tmp_path / "liar.docx"
    path.write_bytes(data)
    error, seconds, peak = measure(lambda: read_document(path))
    assert isinstance(error, DocumentError) and ("unreadable DOCX" in str(error) or "not a valid DOCX" in str(error))
    assert_bounded(seconds, peak)


def test_issue9_docx_entity_expansion_not_resolved(tmp_path):
    """A 'billion laughs' document.xml: python-docx parses without resolving entities."""
    from fuzz.targets import docx_with_document_xml

    lol = b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), b"&%s;" % bytes([97 + i]) * 10) for i in range(9)
    ) + b"]>"
    xml = lol + (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                 b"<w:p><w:r><w:t>&j;</w:t></w:r></w:p><w:p><w:r><w:t>Plain text.</w:t></w:r></w:p>"
                 b"</w:body></w:document>")
    path = tmp_path / "lol.docx"
    path.write_bytes(docx_with_document_xml(xml))
    result, seconds, peak = measure(lambda: read_document(path))
    assert isinstance(result, DocumentError) or len(result.text) < 10_000, str(result)[:200]
    assert_bounded(seconds, peak)


# --------------------------------------------------------------------------- HTML


def test_issue9_html_100000_nested_divs_refused(tmp_path):
    path = tmp_path / "deep.html"
    path.write_bytes(b"<html><body><p>Before.</p>" + b"<div>" * 100_000 + b"<p>Deep text.</p>"
                     + b"</div>" * 100_000 + b"<p>After.</p></body></html>")
    error, seconds, peak = measure(lambda: read_document(path))
    assert isinstance(error, DocumentError)
    assert "nested more than 2,048 levels" in str(error)
    assert_bounded(seconds, peak)


def test_issue9_html_nesting_over_256_no_longer_dropped(tmp_path):
    """libxml2's default limit of 256 levels silently dropped the text past it (and after it)."""
    path = tmp_path / "deep.html"
    path.write_bytes(b"<p>Before.</p>" + b"<div>" * 1000 + b"<p>Deep text.</p>" + b"</div>" * 1000 + b"<p>After.</p>")
    doc, seconds, peak = measure(lambda: read_document(path))
    assert [p.text for p in doc.paragraphs] == ["Before.", "Deep text.", "After."]
    assert_bounded(seconds, peak)
    with pytest.raises(DocumentError, match="nested more than 500 levels"):
        read_document(path, limits=ReadLimits(max_html_depth=500))


# --------------------------------------------------------------------------- encodings, NUL bytes


def test_issue9_nul_bytes(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(b"\x00" + EN.encode())
    error, seconds, _ = measure(lambda: read_document(path))
    assert isinstance(error, DocumentError) and "binary content (NUL bytes)" in str(error)
    # past the first 64 KB a NUL is read as a space (txt, md) or U+FFFD (html): documented degradation
    path.write_bytes((EN + "\n\n") .encode() * 700 + b"a\x00b " + EN.encode())
    doc = read_document(path)
    assert "\x00" not in doc.text and "a b" in doc.text
    check_document(doc)


def test_issue9_mixed_encodings_named_with_offset(tmp_path):
    path = tmp_path / "mixed.txt"
    data = "Stratégie numérique. ".encode() * 100 + "Défense".encode("latin-1") + b" more text."
    path.write_bytes(data)
    error, seconds, peak = measure(lambda: read_document(path))
    assert isinstance(error, DocumentError)
    assert f"not valid UTF-8 (byte 0xe9 at offset {data.index(b'D') + 1})" in str(error)
    assert "re-save the file as UTF-8" in str(error)
    assert_bounded(seconds, peak)


# --------------------------------------------------------------------------- quadratic parses


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("one-paragraph.txt", b"word word\n" * 100_000),  # join_lines was quadratic (240 s for 20,000 lines)
        ("hyphens.txt", b"ab-\n" * 100_000),
        ("urls.txt", b"http://a.\nb.\n" * 50_000),
        ("sentences.txt", b"This is it. " * 100_000),  # split_sentences was quadratic (224 s for 20,000)
        ("dots.txt", b"." * 1_000_000),  # 19 s for 20,000 dots
        ("italics.md", b"*a " * 100_000),  # inline markdown: 44 s for 20,000 markers
        ("links.md", b"[a](" * 100_000),
        ("heading.md", b"# " + b" " * 100_000 + b"x"),
    ],
)
def test_issue9_linear_time_on_pathological_text(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    result, seconds, peak = measure(lambda: read_document(path), trace=False)
    assert isinstance(result, DocumentError) or check_document(result) is None
    assert_bounded(seconds, peak, max_seconds=5 * SECONDS)  # 1 MB each; a quadratic parse takes minutes


# --------------------------------------------------------------------------- corpus paths


def test_issue9_manifest_paths_out_of_the_corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "docs").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(EN, encoding="utf-8")
    (root / "good.txt").write_text(EN, encoding="utf-8")
    os.symlink(outside / "secret.txt", root / "link.txt")
    os.symlink(outside, root / "linkdir")
    os.symlink(outside / "secret.txt", root / "docs" / "byid.txt")
    rows = ["good,good.txt", "dotdot,../outside/secret.txt", "nested,docs/../../outside/secret.txt",
            f"absolute,{outside / 'secret.txt'}", "symlink,link.txt", "symdir,linkdir/secret.txt", "byid,"]
    (root / "manifest.csv").write_text("id,path\n" + "\n".join(rows) + "\n", encoding="utf-8")
    corpus, seconds, peak = measure(lambda: load_corpus(root))
    assert corpus.ids == ["good"]
    failures = {f.doc_id: f.error for f in corpus.failures}
    assert set(failures) == {"dotdot", "nested", "absolute", "symlink", "symdir", "byid"}
    for doc_id in ("dotdot", "nested", "absolute"):
        assert "points outside the corpus folder" in failures[doc_id]
    for doc_id in ("symlink", "symdir", "byid"):
        assert "link out of the corpus folder" in failures[doc_id]
    assert all("manifest.csv, row" in e for e in failures.values())
    assert_bounded(seconds, peak)
    with pytest.raises(ManifestError):
        load_corpus(root, on_error="raise")


def test_issue9_links_out_of_a_corpus_without_manifest(tmp_path):
    """Without a manifest a link to a file outside the folder was read (found by the corpus fuzz target)."""
    root = tmp_path / "corpus"
    root.mkdir()
    (tmp_path / "secret.txt").write_text(EN, encoding="utf-8")
    (root / "good.txt").write_text(EN, encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", root / "secret.txt")
    os.symlink(root / "good.txt", root / "alias.txt")  # a link inside the folder is fine
    corpus = load_corpus(root)
    assert corpus.ids == ["alias", "good"]
    assert [(f.doc_id, "link out of the corpus folder" in f.error) for f in corpus.failures] == [("secret", True)]


