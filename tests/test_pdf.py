"""PDF reading: fidelity on generated PDFs with known text, the two real PDFs, broken PDFs.

The fidelity PDFs are built with reportlab from text written for this test
(fictional), with the things that trip extractors up: a running header and
footer with page numbers on every page, words hyphenated at line ends,
paragraphs running on across page and column breaks (one continuing with a
capitalised word), and a two-column page.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from policytext import DocumentError, ReadLimits, read_document
from policytext.ingest.pdf import read_pdf

HEADER_LEFT = "Ministry of Digital Affairs of Nordavia"
HEADER_RIGHT = "Digital Partnerships Strategy 2030"
FOOTER_LEFT = "Draft for public consultation"

#: (kind, text) in reading order: "h" heading, "p" paragraph.
KNOWN_TEXT: list[tuple[str, str]] = [
    ("h", "1. Purpose of this strategy"),
    ("p", "This strategy explains how the government intends to work with international partners on "
          "digital infrastructure, cybersecurity and the governance of artificial intelligence. It builds "
          "on the experience of earlier cooperation programmes and sets out priorities for the coming "
          "decade, together with the institutional arrangements that will support their implementation."),
    ("p", "The government will publish an annual progress report describing what has been achieved, "
          "which commitments have been delayed and why, and how public consultation has influenced the "
          "choice of priorities. Independent evaluators will review the programme halfway through its "
          "duration and recommend corrections where the intended outcomes are not being reached."),
    ("h", "2. Secure and resilient connectivity"),
    ("p", "Reliable connectivity underpins every other objective of this strategy. Submarine cables, "
          "terrestrial backbone networks and satellite links carry the overwhelming majority of "
          "international communications between | Nordavian ministries and their partners, yet their protection depends on cooperation between operators, "
          "regulators and security agencies in many jurisdictions. The government will therefore promote "
          "coordinated risk assessments, encourage diversification of landing stations and support "
          "investment in repair capacity, so that accidental or deliberate damage can be addressed quickly "
          "and transparently, with information shared among trusted partners."),
    ("p", "Investment decisions will give priority to projects that combine commercial viability with "
          "demonstrable benefits for underserved regions. Public guarantees may be offered where private "
          "financing alone would not close the connectivity gap, provided that procurement is open, "
          "competitive and subject to independent oversight."),
    ("h", "3. Trustworthy artificial intelligence"),
    ("p", "Artificial intelligence offers considerable opportunities for public administration, health care "
          "and environmental monitoring, but it also creates risks for privacy, equal treatment and "
          "democratic debate. The government supports international frameworks that classify applications "
          "according to their risk and that require transparency, human oversight and accountability "
          "from developers and deployers of high-risk systems."),
    ("p", "Together with partner administrations, the ministry intends to establish a network of testing "
          "facilities where developers can evaluate systems against shared benchmarks before deployment. "
          "Regulators will exchange information about incidents and enforcement experience, and "
          "universities will be invited to contribute research on measurement methods, documentation "
          "standards and the environmental footprint of large models."),
    ("p", "Particular attention will be paid to the protection of children online, to accessibility for "
          "persons with disabilities and to the availability of services in minority languages, which "
          "commercial providers frequently overlook because the markets concerned are comparatively small."),
    ("h", "4. Skills and partnerships"),
    ("p", "No strategy succeeds without people who understand the technology and its consequences. The "
          "government will expand scholarship programmes, support exchanges between public servants and "
          "offer short courses on cybersecurity, data protection and procurement of digital services to "
          "officials in partner countries who request them."),
    ("p", "Partnerships will be reviewed every two years against published indicators. Where a partnership "
          "does not deliver the expected results, the government will discuss adjustments with the partner "
          "concerned before deciding whether to continue, reduce or end the cooperation."),
]


@dataclass
class _Frame:
    x: float
    top: float
    width: float
    bottom: float


def _wrap(words: list[str], width: float, font: str, size: float, measure) -> list[str]:
    """Greedy line breaking that hyphenates long words at the line end."""
    lines: list[str] = []
    line = ""
    words = list(words)
    while words:
        word = words.pop(0)
        candidate = f"{line} {word}" if line else word
        if measure(candidate, font, size) <= width:
            line = candidate
            continue
        # Try to hyphenate: the longest head that fits, at least 3 letters each side.
        if word.isalpha() and len(word) >= 7:
            for cut in range(len(word) - 3, 2, -1):
                head = f"{line} {word[:cut]}-" if line else f"{word[:cut]}-"
                if measure(head, font, size) <= width:
                    lines.append(head)
                    line = ""
                    words.insert(0, word[cut:])
                    break
            else:
                lines.append(line)
                line = word
            continue
        lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


def build_pdf(path: Path, *, two_column_page: int = 3) -> Path:
    """Write the test PDF to ``path``: 4+ pages, page ``two_column_page`` set in two columns."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    page_w, page_h = A4
    margin = 72
    body_font, body_size, leading = "Helvetica", 11, 14
    head_font, head_size = "Helvetica-Bold", 15
    gap = 24

    def frames_for(page: int) -> list[_Frame]:
        # Short frames (15 lines) spread the text over 4+ pages.
        top = page_h - 90
        bottom = top - 15 * leading - 2
        if page == two_column_page:
            col = (page_w - 2 * margin - gap) / 2
            return [_Frame(margin, top, col, bottom), _Frame(margin + col + gap, top, col, bottom)]
        return [_Frame(margin, top, page_w - 2 * margin, bottom)]

    # First pass lays out lines; second pass draws with the total page count known.
    placed: list[tuple[int, str, float, float, str, float]] = []  # page, text, x, y, font, size
    page, frame_i = 1, 0
    frames = frames_for(page)
    y = frames[0].top

    def next_frame() -> None:
        nonlocal page, frame_i, frames, y
        frame_i += 1
        if frame_i >= len(frames):
            page += 1
            frames = frames_for(page)
            frame_i = 0
        y = frames[frame_i].top

    for kind, text in KNOWN_TEXT:
        font, size = (head_font, head_size) if kind == "h" else (body_font, body_size)
        step = size + 4 if kind == "h" else leading
        if kind == "h" and y - step * 3 < frames[frame_i].bottom:  # keep a heading with its paragraph
            next_frame()
        # " | " forces a column/page break inside a paragraph (what follows starts upper-case).
        for n_chunk, chunk in enumerate(text.split(" | ")):
            if n_chunk:
                next_frame()
            for line in _wrap(chunk.split(), frames[frame_i].width, font, size, stringWidth):
                if y - step < frames[frame_i].bottom:
                    next_frame()
                y -= step
                placed.append((page, line, frames[frame_i].x, y, font, size))
        y -= 10 if kind == "p" else 4
    n_pages = page

    c = canvas.Canvas(str(path), pagesize=A4)
    for p in range(1, n_pages + 1):
        c.setFont("Helvetica", 9)
        c.drawString(margin, page_h - 50, HEADER_LEFT)
        c.drawRightString(page_w - margin, page_h - 50, HEADER_RIGHT)
        c.drawString(margin, 45, FOOTER_LEFT)
        c.drawRightString(page_w - margin, 45, f"Page {p} of {n_pages}")
        for page_no, line, x, ly, font, size in placed:
            if page_no == p:
                c.setFont(font, size)
                c.drawString(x, ly, line)
        c.showPage()
    c.save()
    return path


def known_paragraphs() -> list[str]:
    return [normalize(t.replace(" | ", " ")) for _, t in KNOWN_TEXT]


def known_words() -> list[str]:
    return " ".join(known_paragraphs()).split()


def word_similarity(expected: list[str], got: list[str]) -> float:
    """Word-level similarity in [0, 1] (difflib ratio over word sequences)."""
    return difflib.SequenceMatcher(None, expected, got, autojunk=False).ratio()


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------- fidelity


@pytest.fixture(scope="module")
def fidelity_pdf(tmp_path_factory) -> Path:
    return build_pdf(tmp_path_factory.mktemp("pdf") / "nordavia-strategy.pdf")


def test_fidelity_word_similarity_and_no_furniture(fidelity_pdf):
    import pypdf

    doc = read_document(fidelity_pdf)
    expected_pages = len(pypdf.PdfReader(fidelity_pdf).pages)
    similarity = word_similarity(known_words(), doc.text.split())
    exact = set(known_paragraphs()) & {normalize(p.text) for p in doc.paragraphs}
    print(
        f"\nPDF fidelity: word similarity {similarity:.4f}; "
        f"{len(exact)}/{len(KNOWN_TEXT)} paragraphs extracted exactly; "
        f"{len(doc.paragraphs)} paragraphs found; {doc.page_count} pages"
    )
    assert similarity >= 0.98
    assert doc.page_count == expected_pages >= 4
    for furniture in (HEADER_LEFT, HEADER_RIGHT, FOOTER_LEFT, "Page 1 of", "Page 3 of"):
        assert furniture not in doc.text
    assert not re.search(r"\bPage \d+ of \d+\b", doc.text)


def test_fidelity_paragraphs_headings_and_pages(fidelity_pdf):
    doc = read_document(fidelity_pdf)
    got = [normalize(p.text) for p in doc.paragraphs]
    # every known paragraph comes back whole: hyphenation repaired, run-ons merged
    assert got == known_paragraphs()
    assert [p.is_heading for p in doc.paragraphs] == [kind == "h" for kind, _ in KNOWN_TEXT]
    assert all(s.page is not None and 1 <= s.page <= doc.page_count for s in doc.segments)
    # no syllable of a hyphenated word left dangling
    assert not re.search(r"\w- \w", doc.text)


def test_fidelity_two_column_page_reads_left_column_first(fidelity_pdf):
    doc = read_document(fidelity_pdf)
    two_col = [p for p in doc.paragraphs if p.page == 3]
    assert two_col, "the two-column page produced no paragraph"
    # reading order: the text stays in the known order across both columns
    positions = [doc.text.index(p) for p in known_paragraphs()]
    assert positions == sorted(positions)


def test_pages_cover_the_text(fidelity_pdf):
    doc = read_document(fidelity_pdf)
    assert [p.number for p in doc.pages] == list(range(1, doc.page_count + 1))
    for seg in doc.paragraphs:
        assert doc.page_at(seg.start) == seg.page


# --------------------------------------------------------------------------- real PDFs


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "pages"),
    [("edps-1_2021_formal_comments_eidas2", 4), ("edps-5_2025_techdispatch_diw", 42)],
)
def test_real_pdfs_load_with_page_numbers(shared, name, pages):
    import pypdf

    path = shared / "corpora" / "pdf" / f"{name}.pdf"
    assert len(pypdf.PdfReader(path).pages) == pages
    doc = read_document(path)
    assert doc.page_count == pages
    assert doc.meta.file_format == "pdf" and doc.meta.detected_language == "en"
    assert all(s.page is not None and 1 <= s.page <= pages for s in doc.segments)
    for s in doc.segments:
        assert doc.text[s.start:s.end] == s.text
    reference = (shared / "corpora" / "pdf" / f"{name}.reference.txt").read_text(encoding="utf-8")
    ref_words = set(re.findall(r"[a-z]+", reference.lower()))
    words = re.findall(r"[a-z]+", doc.text.lower())
    # every word we produce is in the plain extraction (nothing invented, no glued words)
    assert sum(w not in ref_words for w in words) <= 0.01 * len(words)


@pytest.mark.slow
def test_techdispatch_running_header_and_page_numbers_removed(shared):
    path = shared / "corpora" / "pdf" / "edps-5_2025_techdispatch_diw.pdf"
    reference = (shared / "corpora" / "pdf" / "edps-5_2025_techdispatch_diw.reference.txt").read_text(
        encoding="utf-8"
    )
    header = "EDPS TechDispatch on Digital Identity Wallets"
    assert reference.count(header) >= 30  # the plain extraction keeps it on every page
    doc = read_document(path)
    assert header not in doc.text
    assert not any(re.fullmatch(r"\d{1,2}", p.text) for p in doc.paragraphs)
    # text set outside the visible page (a copy of the next page) is not read twice
    first = doc.text.find("The most meaningful interpretation of the expression")
    assert first >= 0 and doc.text.find("The most meaningful interpretation", first + 1) == -1
    # headings found and split headings joined
    headings = {p.text for p in doc.paragraphs if p.is_heading}
    assert {"1.1 What is a digital identity?", "2.2 Digital identity models",
            "3. The Digital Identity Wallet: uses cases and features"} <= headings
    # compounds broken at a line end keep their hyphen, syllable breaks are joined
    assert "Self-Sovereign" in doc.text and "Self- Sovereign" not in doc.text
    assert "user-centric" in doc.text and "usercentric" not in doc.text


@pytest.mark.slow
def test_eidas_comments_paragraphs_run_on_across_pages(shared):
    doc = read_document(shared / "corpora" / "pdf" / "edps-1_2021_formal_comments_eidas2.pdf")
    text = doc.text
    assert "Therefore, the use of Blockchain technology may not be appropriate" in text
    assert "also Chapter III gains three Sections, amounting to 11 Sections" in text
    assert "www.edps.europa.eu" not in text  # lone URL in the footer band
    assert "Regulation3" not in text  # superscript note marks dropped
    assert any(p.is_heading and p.text == "2. Comments" for p in doc.paragraphs)
    assert not any(p.text == "\u2022" for p in doc.paragraphs)


# --------------------------------------------------------------------------- broken PDFs


def test_not_a_pdf(tmp_path):
    p = tmp_path / "fake.pdf"
    p.write_bytes(b"hello, this is not a PDF at all")
    with pytest.raises(DocumentError, match=r"fake\.pdf: not a PDF file"):
        read_document(p)


def test_truncated_pdf(tmp_path, fidelity_pdf):
    p = tmp_path / "truncated.pdf"
    p.write_bytes(fidelity_pdf.read_bytes()[:1500])
    with pytest.raises(DocumentError, match=r"truncated\.pdf: .*(damaged or truncated|no extractable text)"):
        read_document(p)


def test_encrypted_pdf(tmp_path, fidelity_pdf):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(fidelity_pdf))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    p = tmp_path / "locked.pdf"
    with p.open("wb") as f:
        writer.write(f)
    with pytest.raises(DocumentError, match=r"locked\.pdf: the PDF is encrypted"):
        read_document(p)


def test_pdf_without_text_layer(tmp_path):
    from reportlab.pdfgen import canvas

    p = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(p))
    c.rect(100, 100, 300, 300, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(DocumentError, match=r"scan\.pdf: the PDF has no extractable text.*OCR"):
        read_document(p)


def test_too_many_pages(fidelity_pdf):
    with pytest.raises(DocumentError, match=r"more than 2 pages"):
        read_pdf(fidelity_pdf.read_bytes(), fidelity_pdf, ReadLimits(max_pages=2))


def test_one_page_pdf_keeps_its_page_number(tmp_path):
    from reportlab.pdfgen import canvas

    p = tmp_path / "one.pdf"
    c = canvas.Canvas(str(p))
    c.setFont("Helvetica", 11)
    c.drawString(72, 700, "The partners will cooperate on secure connectivity.")
    c.showPage()
    c.save()
    doc = read_document(p)
    assert doc.page_count == 1
    assert [s.page for s in doc.segments] == [1] * len(doc.segments)
    assert doc.text == "The partners will cooperate on secure connectivity."


# --------------------------------------------------------------------------- footnotes and endnotes


def _footnoted_pdf(path: Path) -> Path:
    """Two pages: body text, a caption in small print with body text below it, a footnote at the bottom
    of page 1 marked by a superscript; page 2 holds only endnotes."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.setFont("Helvetica", 11)
    c.drawString(72, 740, "The partners will cooperate on secure submarine cables.")
    c.drawString(72, 725, "They will publish a joint risk assessment by 2027.")
    c.setFont("Helvetica", 8)
    c.drawString(72, 690, "Figure 1: Landing stations of the northern cable route")
    c.setFont("Helvetica", 11)
    body = ["Investment will favour routes that serve remote islands, where a single cable cut leaves",
            "hospitals, schools and public services without a connection for weeks. The ministry will",
            "report every year on repair times, on the diversity of landing stations and on the share of",
            "traffic that can be rerouted within an hour, and it will consult the operators concerned",
            "before any new route is supported with public money."]
    for k, line in enumerate(body):
        c.drawString(72, 655 - 15 * k, line)
    c.setFont("Helvetica", 8)
    c.drawString(72, 110, "Council conclusions on the security of submarine cables, 2024.")
    c.showPage()
    c.setFont("Helvetica", 8)
    for i, y in enumerate((740, 728, 716), start=1):
        c.drawString(72, y, f"{i} See the joint communication on secure connectivity, section {i}.")
    c.showPage()
    c.save()
    return path


def test_footnotes_and_endnotes_are_marked_captions_are_not(tmp_path):
    doc = read_document(_footnoted_pdf(tmp_path / "notes.pdf"))
    notes = {p.text for p in doc.paragraphs if p.is_note}
    text = {p.text for p in doc.paragraphs if not p.is_note}
    assert "Council conclusions on the security of submarine cables, 2024." in notes  # below the body
    assert sum("See the joint communication" in n for n in notes) >= 1  # the endnotes page
    assert "See the joint communication" not in " ".join(text)
    assert "Figure 1: Landing stations of the northern cable route" in text  # body text below it
    assert any("remote islands" in t for t in text)
    # sentences inherit the flag from their paragraph
    for s in doc.sentences:
        parent = next(p for p in doc.paragraphs if p.segment_id == s.parent_id)
        assert s.is_note == parent.is_note


@pytest.mark.slow
def test_real_pdf_footnotes_and_endnotes_are_marked(shared):
    tech = read_document(shared / "corpora" / "pdf" / "edps-5_2025_techdispatch_diw.pdf")
    notes = [p for p in tech.paragraphs if p.is_note]
    # the endnotes pages (37-40) are all notes, and so are the lettered footnotes of the body pages
    assert all(p.is_note or p.is_heading for p in tech.paragraphs if 38 <= (p.page or 0) <= 40)
    assert any(p.text.startswith("a In literature the term") for p in notes)
    assert any(p.text.startswith("86 See endnote 67") for p in notes)
    body = [p for p in tech.paragraphs if (p.page or 0) < 37 and not p.is_heading]
    assert sum(p.is_note for p in body) <= 0.05 * len(body)  # body pages stay the document's own text
    eidas = read_document(shared / "corpora" / "pdf" / "edps-1_2021_formal_comments_eidas2.pdf")
    assert {p.text for p in eidas.paragraphs if p.is_note} >= {"Recital 35."}  # its marker was a superscript
    assert not any(p.is_note for p in eidas.paragraphs if p.text.startswith("\u2022"))
