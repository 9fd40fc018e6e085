"""Entities: gazetteer with canonical ids, plus spaCy NER."""

from __future__ import annotations

import pytest

from policytext.extract.lexicon import load_lexicon


def test_patterns_have_ids_and_labels():
    lex = load_lexicon()
    assert lex.entity_patterns and all({"label", "pattern", "id"} <= set(p) for p in lex.entity_patterns)
    assert lex.actors["ISO:US"] == "US" and lex.actors["AU"] == "African Union"
    assert lex.strength("modal", "shall") == "firm" and lex.strength("verb", "intend") == "intent"


@pytest.fixture(scope="module")
def tagger():
    import spacy

    from policytext.extract.entities import EntityTagger

    nlp = spacy.blank("en")
    return nlp, EntityTagger(nlp, use_ner=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The European Commission and the EU agreed.", [("European Commission", "EU"), ("EU", "EU")]),
        ("Kenya and the U.S. met.", [("Kenya", "ISO:KE"), ("U.S.", "ISO:US")]),
        ("The AI Act and the Digital Services Act apply.", [("AI Act", "instrument:ai_act"),
                                                             ("Digital Services Act", "instrument:dsa")]),
        ("The Global Gateway funds 5G and submarine cables.", [("Global Gateway", "instrument:global_gateway"),
                                                              ("5G", "tech:5g"),
                                                              ("submarine cables", "tech:submarine_cables")]),
        ("The African Union, the ITU and the G7.", [("African Union", "AU"), ("ITU", "org:itu"), ("G7", "G7")]),
        ("Tell us about the Republic of Korea.", [("Republic of Korea", "ISO:KR")]),  # "us" is not the US
    ],
)
def test_canonical_ids(tagger, text, expected):
    nlp, tg = tagger
    spans = tg.match(nlp(text))
    assert [(s.text, s.id_) for s in spans] == expected


def test_ner_entities_get_ids():
    from policytext.extract import CommitmentExtractor
    from policytext.ingest.corpus import read_text

    doc = read_text("The Federal Trade Commission will work with Kenya on semiconductors.", doc_id="t")
    res = CommitmentExtractor().extract(doc)
    ids = {e.entity_id for e in res.entities}
    assert "ISO:KE" in ids and "tech:semiconductors" in ids
    assert any(e.source == "ner" and e.entity_id.startswith("ner:ORG:") for e in res.entities)
    c = res.commitments[0]
    assert doc.text[c.start:c.end] == c.text and c.segment_id == "t:s0"
