"""Readers for txt/md/html/docx, language detection, bad input, and corpus loading."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policytext import DocumentError, ManifestError, ReadLimits, load_corpus, read_document
from policytext.ingest import detect_language, read_manifest

EN = "The European Union will invest in secure connectivity and work with partners on artificial intelligence."
FR = "L'Union européenne investira dans une connectivité sécurisée et coopérera avec ses partenaires sur l'intelligence artificielle."


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Digital Partnership", level=1)
    d.add_paragraph(EN)
    d.add_heading("Skills", level=2)
    d.add_paragraph("Both sides will train 20,000 young people.")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Action"
    table.rows[0].cells[1].text = "Cable security"
    d.save(str(path))
    return path


# --------------------------------------------------------------------------- readers


def test_txt_paragraphs_headings_bullets_and_hyphenation(tmp_path):
    p = write(tmp_path / "a.txt", f"Secure connectivity\n\n{EN}\nIt will also fund infra-\nstructure.\n\n- first item\n- second item\n")
    doc = read_document(p)
    pars = doc.paragraphs
    assert pars[0].is_heading and pars[0].text == "Secure connectivity"
    assert pars[1].text.endswith("It will also fund infrastructure.")
    assert [q.text for q in pars[2:]] == ["- first item", "- second item"]
    assert doc.meta.doc_id == "a" and doc.meta.file_format == "txt" and doc.page_count == 0
    assert all(s.page is None for s in doc.segments)


def test_utf16_and_bom_text(tmp_path):
    p = tmp_path / "u16.txt"
    p.write_bytes(EN.encode("utf-16"))
    assert read_document(p).text == EN
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbf" + EN.encode())
    assert read_document(p).text == EN


def test_markdown(tmp_path):
    p = write(
        tmp_path / "m.md",
        "# Title\n\nSome **bold** and [a link](http://x.org) and `code`.\n\n## Part\n\n* item one\n* item two\n\n"
        "```\ncode block\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    )
    doc = read_document(p)
    assert [(q.text, q.is_heading) for q in doc.paragraphs] == [
        ("Title", True), ("Some bold and a link and code.", False), ("Part", True),
        ("item one", False), ("item two", False), ("a | b", False), ("1 | 2", False),
    ]


def test_html_strips_chrome_keeps_headings(demo_dir):
    doc = read_document(demo_dir / "ostmark-national-strategy.html")
    for chrome in ("Home", "Contact us", "Accept all", "Related news", "All rights reserved", "Government Portal",
                   "analytics", "Policies >"):
        assert chrome not in doc.text
    headings = [q.text for q in doc.paragraphs if q.is_heading]
    assert headings[:3] == ["National Digital Strategy 2025-2030", "1. Connectivity and infrastructure",
                            "2. Artificial intelligence"]
    assert "Ostmark will not adopt a rights-based approach to platform regulation." in doc.text
    assert any(q.text.startswith("The Government will introduce a mandatory") for q in doc.paragraphs)


def test_html_without_main_and_deep_nesting(tmp_path):
    body = "<div>" * 200 + "<p>Deep text.</p>" + "</div>" * 200
    p = write(tmp_path / "deep.html", f"<html><body><nav>Menu</nav><h2>Heading</h2>{body}</body></html>")
    doc = read_document(p)
    assert [(q.text, q.is_heading) for q in doc.paragraphs] == [("Heading", True), ("Deep text.", False)]


def test_html_notes_are_kept_and_flagged(tmp_path):
    """Pandoc's endnotes (an <aside> that is otherwise chrome) and a CMS footnote div: kept, flagged."""
    page = (
        '<html><head><meta charset="utf-8"></head><body><h1>Strategy</h1>'
        '<p>The government will secure submarine cables<a href="#fn1" class="footnote-ref" id="fnref1" '
        'role="doc-noteref"><sup>1</sup></a> with its partners.</p>'
        '<div class="field-footnote">See the cable security toolbox.</div>'
        '<aside id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes"><hr><ol>'
        '<li id="fn1"><p>Council conclusions on submarine cables, 2024.<a href="#fnref1" class="footnote-back" '
        'role="doc-backlink">↩</a></p></li></ol></aside>'
        '<aside class="sidebar">Related news</aside></body></html>'
    )
    doc = read_document(write(tmp_path / "notes.html", page))
    got = [(q.text, q.is_note) for q in doc.paragraphs if not q.is_heading]
    assert got == [
        ("The government will secure submarine cables 1 with its partners.", False),  # the marker splits nothing
        ("See the cable security toolbox.", True),
        ("Council conclusions on submarine cables, 2024. ↩", True),
    ]
    assert "Related news" not in doc.text  # other asides are still chrome
    # a wrapper whose class only mentions notes, holding the page, is not a note
    wrapped = page.replace("<body><h1>", '<body><div class="entry-content has-footnotes"><h1>').replace(
        "</aside></body>", "</aside></div></body>")
    doc = read_document(write(tmp_path / "wrapped.html", wrapped))
    assert [(q.text, q.is_note) for q in doc.paragraphs if not q.is_heading] == got


def test_docx(tmp_path):
    doc = read_document(make_docx(tmp_path / "d.docx"))
    assert [(q.text, q.is_heading) for q in doc.paragraphs] == [
        ("Digital Partnership", True), (EN, False), ("Skills", True),
        ("Both sides will train 20,000 young people.", False), ("Action | Cable security", False),
    ]
    assert doc.meta.file_format == "docx" and doc.page_count == 0


def test_broken_docx(tmp_path):
    p = tmp_path / "bad.docx"
    p.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(DocumentError, match=r"bad\.docx: not a valid DOCX"):
        read_document(p)
    with pytest.raises(DocumentError, match=r"d\.docx: DOCX expands to .* over the limit"):
        read_document(make_docx(tmp_path / "d.docx"), limits=ReadLimits(max_docx_uncompressed=1000))


# --------------------------------------------------------------------------- language


def test_language_detected_and_non_english_flagged(tmp_path):
    assert detect_language(EN)[0] == "en"
    assert detect_language("") == ("", 0.0)
    doc = read_document(write(tmp_path / "fr.txt", FR))
    assert doc.meta.language == "fr" and doc.meta.detected_language == "fr"
    assert not doc.is_english
    assert any("not English: analysed on the multilingual backend" in w for w in doc.warnings)
    assert not any("skip" in w for w in doc.warnings)
    assert read_document(write(tmp_path / "en.txt", EN)).warnings == ()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.md", b"  \n\n ", "the file is empty"),
        ("binary.txt", b"\x00\x01\x02abc\x00" * 20, "binary content"),
        ("latin1.txt", "Politique numérique européenne".encode("latin-1"), r"not valid UTF-8 \(byte 0xe9"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00", "binary content"),
        ("table.xlsx", b"whatever", "unsupported file type '.xlsx'"),
        ("noise.pdf", b"%PDF-1.4\n garbage", r"damaged or truncated PDF|no extractable text|has no pages"),
        ("only-nav.html", b"<html><body><nav>Home</nav></body></html>", "no text found"),
    ],
)
def test_bad_files_name_the_file_and_problem(tmp_path, name, content, problem):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(DocumentError, match=problem) as e:
        read_document(p)
    assert str(e.value).startswith(str(p))


def test_missing_file_folder_and_limits(tmp_path):
    with pytest.raises(DocumentError, match="file not found"):
        read_document(tmp_path / "nope.txt")
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(DocumentError, match="is a folder"):
        read_document(tmp_path / "dir.txt")
    p = write(tmp_path / "big.txt", EN * 10)
    with pytest.raises(DocumentError, match=r"big\.txt: file is 1,040 bytes, over the limit of 100"):
        read_document(p, limits=ReadLimits(max_bytes=100))
    with pytest.raises(DocumentError, match="characters of text, over the limit"):
        read_document(p, limits=ReadLimits(max_chars=50))


# --------------------------------------------------------------------------- corpora


@pytest.mark.slow
def test_shared_corpus_loads_through_manifest(shared_corpus, shared):
    rows = read_manifest(shared / "corpora" / "manifest.csv")
    texts = sorted((shared / "corpora" / "texts").iterdir())
    # Every manifest row is a document, and every text file has a row (21 since December 2026).
    assert len(shared_corpus) == len(rows) == len(texts) >= 21
    assert not shared_corpus.failures
    assert set(shared_corpus.ids) == {r["id"] for r in rows}
    frame = shared_corpus.to_frame()
    assert (frame["words"] > 100).all()
    for d in shared_corpus:
        assert d.meta.language == "en" and d.meta.detected_language == "en", d.doc_id
        assert d.meta.title and d.meta.license and d.meta.content_hash
        for s in d.segments[:200]:
            assert d.text[s.start:s.end] == s.text
    assert shared_corpus.select(partner="EU")


def test_shared_translations_flagged_non_english(shared):
    corpus = load_corpus(shared / "corpora" / "translations")
    assert len(corpus) == 4 and not corpus.failures
    langs = {d.doc_id: (d.meta.language, d.meta.detected_language) for d in corpus}
    assert langs == {
        "eu-kr-dpc-2023.de": ("de", "de"), "us-in-icet-2023.es": ("es", "es"),
        "us-kr-cet-2023.fr": ("fr", "fr"), "us-ncs-factsheet-2023.ja": ("ja", "ja"),
    }
    for d in corpus:
        assert not d.is_english and any("not English" in w for w in d.warnings)
    ja = corpus["us-ncs-factsheet-2023.ja"]
    assert len(ja.sentences) > 5  # CJK full stops split sentences


def test_demo_corpus(demo_dir):
    corpus = load_corpus(demo_dir)
    assert corpus.ids == ["eu-digital-strategy", "veloria-eu-joint-statement", "ostmark-national-strategy",
                          "fisheries-policy"]
    assert not corpus.failures
    rows = {r["id"]: r for r in read_manifest(demo_dir / "manifest.csv")}
    for d in corpus:
        assert d.paragraphs[0].text.startswith("ILLUSTRATIVE, FICTIONAL DOCUMENT")
        assert 250 <= d.word_count <= 650
        assert int(rows[d.doc_id]["words"]) == d.word_count
    assert corpus["eu-digital-strategy"].meta.partner == "EU"
    assert {d.meta.file_format for d in corpus} == {"md", "txt", "html"}


@pytest.fixture()
def bad_corpus(tmp_path, request) -> Path:
    """A corpus with two good documents and one of each kind of bad input."""
    from reportlab.pdfgen import canvas

    root = tmp_path / "corpus"
    write(root / "good.txt", EN)
    write(root / "sub" / "good-md.md", "# Heading\n\n" + EN)
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(b"\x00\xff" * 50)
    (root / "latin1.txt").write_bytes("numérique".encode("latin-1"))
    write(root / "big.txt", EN * 2000)  # over the limit passed below
    pdf = root / "ok.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawString(72, 700, EN)
    c.showPage()
    c.save()
    (root / "truncated.pdf").write_bytes(pdf.read_bytes()[:400])
    import pypdf

    w = pypdf.PdfWriter(clone_from=pypdf.PdfReader(pdf))
    w.encrypt(user_password="pw", algorithm="RC4-128")
    with (root / "encrypted.pdf").open("wb") as f:
        w.write(f)
    pdf.unlink()
    write(tmp_path / "outside.txt", EN)
    os.symlink(tmp_path / "outside.txt", root / "link.txt")
    rows = [
        ("good", "good.txt"), ("good-md", ""), ("empty", "empty.txt"), ("binary", "binary.txt"),
        ("latin1", "latin1.txt"), ("big", "big.txt"), ("truncated", "truncated.pdf"),
        ("encrypted", "encrypted.pdf"), ("missing", "missing.txt"), ("dotdot", "../outside.txt"),
        ("absolute", str(tmp_path / "outside.txt")), ("symlink", "link.txt"), ("no-file", ""),
    ]
    lines = ["id,title,language,path"] + [f"{i},Title of {i},en,{p}" for i, p in rows]
    write(root / "manifest.csv", "\n".join(lines) + "\n")
    return root


EXPECTED_FAILURES = {
    "empty": "the file is empty",
    "binary": "binary content",
    "latin1": "not valid UTF-8",
    "big": "over the limit",
    "truncated": "damaged or truncated PDF",
    "encrypted": "the PDF is encrypted",
    "missing": "not found",
    "dotdot": "points outside the corpus folder",
    "absolute": "points outside the corpus folder",
    "symlink": "link out of the corpus folder",
    "no-file": "no file for manifest id 'no-file'",
}


def test_bad_corpus_keeps_good_documents_and_reports_each_bad_one(bad_corpus):
    corpus = load_corpus(bad_corpus, limits=ReadLimits(max_bytes=50_000))
    assert corpus.ids == ["good", "good-md"]
    failures = {f.doc_id: f for f in corpus.failures}
    assert set(failures) == set(EXPECTED_FAILURES)
    for doc_id, problem in EXPECTED_FAILURES.items():
        assert problem in failures[doc_id].error, (doc_id, failures[doc_id].error)
        assert failures[doc_id].error_type in {"DocumentError", "ManifestError"}
    assert "manifest.csv, row" in failures["dotdot"].error
    assert list(corpus.failures_frame().columns) == ["doc_id", "path", "error", "error_type"]
    with pytest.raises((DocumentError, ManifestError)):
        load_corpus(bad_corpus, on_error="raise")


def test_corpus_without_manifest_loads_every_file(tmp_path):
    write(tmp_path / "a.txt", EN)
    write(tmp_path / "b.md", "# T\n\n" + EN)
    write(tmp_path / "b.txt", EN)
    (tmp_path / "c.txt").write_bytes(b"")
    corpus = load_corpus(tmp_path)
    assert corpus.ids == ["a", "b.md", "b.txt"]
    assert [f.doc_id for f in corpus.failures] == ["c"]
    assert "a" in corpus and corpus["a"].text == EN
    with pytest.raises(KeyError, match="no document 'zz'"):
        corpus["zz"]


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ("title\nx\n", "no 'id' column"),
        ("id,title\na,A\na,B\n", r"row 3: duplicate id 'a'"),
        ("id,title\n,A\n", r"row 2: empty id"),
        ("id,title\na,A,extra\n", "more fields than the header"),
    ],
)
def test_unusable_manifest_raises(tmp_path, manifest, problem):
    write(tmp_path / "manifest.csv", manifest)
    with pytest.raises(ManifestError, match=problem):
        load_corpus(tmp_path)


def test_misspelled_manifest_column_and_empty_folder_are_said(tmp_path, capsys):
    from typer.testing import CliRunner

    from policytext.cli import app
    from policytext.ingest import plan_corpus

    write(tmp_path / "a.txt", EN)
    write(tmp_path / "manifest.csv", "id,partnr,signatories,status\na,Veloria,EU;Veloria,revoked 2025-01-20\n")
    corpus = load_corpus(tmp_path)
    assert corpus.warnings == (f"{tmp_path / 'manifest.csv'}: column 'partnr' is not read (did you mean 'partner'?)",)
    assert corpus["a"].meta.signatories == "EU;Veloria" and corpus["a"].meta.status == "revoked 2025-01-20"
    result = CliRunner().invoke(app, ["ingest", str(tmp_path)])
    assert "did you mean 'partner'?" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    write(empty / "notes.xlsx", "x")
    plan = plan_corpus(empty)
    assert plan.documents == () and "no manifest.csv and no file of a supported type" in plan.warnings[0]
    result = CliRunner().invoke(app, ["ingest", str(empty)])
    assert result.exit_code == 1
    assert "Loaded 0 document(s)" in result.output and "no file of a supported type" in result.output


def test_plan_names_the_same_documents_and_refusals_as_load(tmp_path):
    from policytext.ingest import plan_corpus

    write(tmp_path / "a.txt", EN)
    write(tmp_path / "manifest.csv", "id,path\na,a.txt\nb,../b.txt\nc,\n")
    plan = plan_corpus(tmp_path)
    corpus = load_corpus(tmp_path)
    assert [d.doc_id for d in plan.documents] == ["a", "b", "c"]
    assert corpus.ids == [d.doc_id for d in plan.documents if d.error is None]
    assert [(f.doc_id, f.error) for f in corpus.failures] == [(d.doc_id, str(d.error)) for d in plan.documents
                                                              if d.error is not None]
    assert "points outside the corpus folder" in str(plan.documents[1].error)
    assert "no file for manifest id 'c'" in str(plan.documents[2].error)


def test_unusable_corpus_folder(tmp_path):
    with pytest.raises(ManifestError, match="corpus folder not found"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(ManifestError, match="not a folder"):
        load_corpus(write(tmp_path / "f.txt", EN))
    with pytest.raises(ManifestError, match="manifest not found"):
        load_corpus(tmp_path, manifest="other.csv")
    (tmp_path / "manifest.csv").write_bytes(b"id\n\xff\xfe\n")
    with pytest.raises(ManifestError, match="not valid UTF-8"):
        load_corpus(tmp_path)
    with pytest.raises(ValueError, match="on_error"):
        load_corpus(tmp_path, on_error="ignore")


def test_paragraphs_under_a_notes_heading_are_notes():
    from policytext.ingest import Block
    from policytext.records import DocumentMeta
    from policytext.segment import build_document

    blocks = [
        Block("Strategy", heading=True, level=1),
        Block("1. Connectivity", heading=True, level=2),
        Block("We will secure submarine cables."),
        Block("Figure 2: cable routes", note=True),  # marked by the reader
        Block("Notes", heading=True, level=2),
        Block("1 See the Council conclusions of 2024."),
        Block("Cable security", heading=True, level=3),  # a sub-heading of the notes: still notes
        Block("2 See the toolbox."),
        Block("Annex: actions", heading=True, level=2),
        Block("We will report every year."),
    ]
    doc = build_document(blocks, DocumentMeta(doc_id="d"))
    flagged = [(p.text, p.is_note) for p in doc.paragraphs if not p.is_heading]
    assert flagged == [("We will secure submarine cables.", False), ("Figure 2: cable routes", True),
                       ("1 See the Council conclusions of 2024.", True), ("2 See the toolbox.", True),
                       ("We will report every year.", False)]
    assert not any(p.is_note for p in doc.paragraphs if p.is_heading)


def test_a_sentence_is_not_cut_at_an_abbreviation_inside_a_compound():
    from policytext.segment import split_sentences

    text = "- Establishing a joint Indo-U.S. Quantum Coordination Mechanism with industry. The next item."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "- Establishing a joint Indo-U.S. Quantum Coordination Mechanism with industry.", "The next item."]
