"""The record model: frozen records, stable ids, offsets into the text, DataFrames."""

from __future__ import annotations

import dataclasses

import pytest

from policytext import Document, DocumentMeta, Failure, Segment, read_document, read_text, to_frame
from policytext.records import Commitment, Entity, ThemeScore
from policytext.segment import split_sentences

TEXT = """Digital Partnership

The EU will invest in secure submarine cables, e.g. to Africa. Both sides will cooperate on AI.
The U.S. and Art. 5 are not sentence ends.

Skills

Partners may train 10,000 people by 2030. What next? More work!
"""


@pytest.fixture()
def doc() -> Document:
    return read_text(TEXT, doc_id="demo")


def check_offsets(d: Document) -> None:
    for s in d.segments:
        assert d.text[s.start:s.end] == s.text, s.segment_id
    starts = [(s.start, s.kind) for s in d.segments]
    assert [s[0] for s in starts] == sorted(s[0] for s in starts)


def test_offsets_and_kinds(doc):
    check_offsets(doc)
    assert [s.text for s in doc.sections] and all(s.kind == "section" for s in doc.sections)
    assert [p.text for p in doc.paragraphs if p.is_heading] == ["Digital Partnership", "Skills"]
    sentences = [s.text for s in doc.sentences if not s.is_heading]
    assert sentences == [
        "The EU will invest in secure submarine cables, e.g. to Africa.",
        "Both sides will cooperate on AI.",
        "The U.S. and Art. 5 are not sentence ends.",
        "Partners may train 10,000 people by 2030.",
        "What next?",
        "More work!",
    ]


def test_ids_are_stable_and_structured(doc):
    again = read_text(TEXT, doc_id="demo")
    assert [s.segment_id for s in doc.segments] == [s.segment_id for s in again.segments]
    assert doc == again
    assert doc.paragraphs[1].segment_id == "demo:p1"
    assert doc.sentences[0].segment_id == "demo:s0"
    assert doc.sections[1].segment_id == "demo:h1" and doc.sections[1].section == "Skills"
    for sent in doc.sentences:
        assert doc.segment(sent.parent_id).kind == "paragraph"
    for par in doc.paragraphs:
        assert doc.segment(par.parent_id).kind == "section"
    with pytest.raises(KeyError, match="no segment"):
        doc.segment("demo:p999")


def test_records_are_frozen(doc):
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.text = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.segments[0].start = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.meta.doc_id = "x"  # type: ignore[misc]
    assert isinstance(doc.segments, tuple)


def test_to_frame_columns(doc):
    frame = doc.to_frame()
    assert list(frame.columns) == [f.name for f in dataclasses.fields(Segment)]
    assert len(frame) == len(doc.sentences)
    assert len(doc.to_frame(None)) == len(doc.segments)
    with pytest.raises(ValueError, match="kind must be one of"):
        doc.to_frame("word")
    docs = to_frame([doc], record_type=Document)
    assert list(docs.columns) == [f.name for f in dataclasses.fields(DocumentMeta)] + [
        "words", "pages", "paragraphs", "sentences", "warnings"
    ]
    for cls in (Failure, Entity, Commitment, ThemeScore, Segment):
        assert list(to_frame([], record_type=cls).columns) == [f.name for f in dataclasses.fields(cls)]
    assert to_frame([]).empty


def test_document_properties(doc):
    assert doc.doc_id == "demo" and doc.word_count == len(doc.text.split())
    assert doc.page_count == 0 and doc.page_at(0) is None
    assert doc.is_english and doc.meta.detected_language == "en"
    assert doc.meta.content_hash and doc.meta.file_format == "txt"
    d = doc.to_dict()
    assert d["meta"]["doc_id"] == "demo" and len(d["segments"]) == len(doc.segments)
    assert "Document(doc_id='demo'" in repr(doc)


def test_split_sentences_spans_and_cjk():
    text = "これはテストです。二つ目の文です。 Dr. Smith arrived. He left."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["これはテストです。", "二つ目の文です。", "Dr. Smith arrived.", "He left."]
    assert split_sentences("   ") == []


def test_every_demo_document_keeps_offsets(demo_dir):
    checked = 0
    for path in sorted(demo_dir.iterdir()):
        if path.suffix in {".md", ".txt", ".html"}:
            check_offsets(read_document(path))
            checked += 1
    assert checked >= 4


def test_frames_use_one_convention_for_missing_values():
    from policytext.records import Commitment, to_frame

    rows = [Commitment("c1", "d", "d:s1", "We will act.", 0, 12, "EU", "firm", deadline="2027", page=3),
            Commitment("c2", "d", "d:s2", "We aim to act.", 13, 27, "EU", "intent")]
    frame = to_frame(rows)
    assert str(frame["page"].dtype) == "Int64" and frame["page"].isna().tolist() == [False, True]
    assert frame["deadline"].isna().tolist() == [False, True] and frame["deadline"][0] == "2027"
    assert frame["condition"].isna().all() and frame["quantity"].isna().all()
    assert to_frame([], record_type=Commitment).columns[0] == "commitment_id"
