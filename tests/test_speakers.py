"""Who speaks in each sentence: authors from the manifest or inferred, one party inside a joint text, non-positions."""

from __future__ import annotations

import json

import pytest

from policytext.extract.speakers import Authors, SpeakerReader, evidence_kind
from policytext.ingest.blocks import Block
from policytext.records import DocumentMeta
from policytext.segment import build_document

reader = SpeakerReader()

JOINT = DocumentMeta("ttc", title="United States-EU Joint Statement", issuer="United States and European Union",
                     partner="United States", doc_type="joint_statement", signatories="EU;United States")


def test_authors_come_from_the_signatories_column_and_are_inferred_without_it():
    a = reader.authors(JOINT)
    assert a.parties == ("EU", "US") and a.source == "manifest" and a.default == "joint" and a.joint
    inferred = reader.authors(DocumentMeta("x", issuer="United States Government and European Union (joint "
                                                       "statement, published by The White House)",
                                           partner="United States", doc_type="joint_statement"))
    assert set(inferred.parties) == {"EU", "US"} and inferred.source == "inferred" and inferred.default == "joint"
    # "published by The White House" does not make the White House an author of a G7 text
    g7 = reader.authors(DocumentMeta("g7", issuer="G7 Leaders (published by The White House)", partner="G7",
                                     doc_type="joint_statement"))
    assert g7.joint and g7.default == "joint"
    alone = reader.authors(DocumentMeta("ncs", issuer="The White House", partner="United States", doc_type="factsheet"))
    assert alone.parties == ("US",) and alone.default == "US"


def test_a_fact_sheet_on_a_partnership_speaks_for_both_parties():
    a = reader.authors(DocumentMeta("icet", title="FACT SHEET: United States and India Elevate Strategic Partnership",
                                    issuer="The White House", partner="India", doc_type="factsheet",
                                    signatories="United States"))
    assert a.parties == ("US",) and a.default == "India+US"
    assert evidence_kind("India+US", a, "India") == "third"  # India did not sign it


def test_both_sides_in_one_partys_summary_of_a_joint_meeting_is_agreed_text():
    """A ministry's summary of a Japan-EU council: "Both sides have worked ..." reports what both agreed."""
    meta = DocumentMeta("summary", title="Japan-EU Digital Partnership Council held (summary)", issuer="Digital Agency",
                        partner="Japan", doc_type="press_release", signatories="Japan")
    a = reader.authors(meta)
    both = reader.speaker("- Both sides have worked to deliver results on semiconductors.", a, title=meta.title)
    assert both == "EU+Japan" and evidence_kind(both, a, "Japan") == "agreed"
    assert reader.speaker("On quantum, both sides decided to set up a forum.", a, title=meta.title) == "EU+Japan"
    assert reader.speaker("Workers on both sides of the Atlantic gain.", a, title=meta.title) == "Japan"
    assert reader.speaker("The Digital Agency hosted the council in Tokyo.", a, title=meta.title) == "Japan"


def test_the_eu_alone_inside_a_joint_text_is_the_eu():
    a = reader.authors(JOINT)
    assert reader.speaker("We intend to deepen cooperation on semiconductors.", a) == "joint"
    assert reader.speaker("The EU also supports a number of research projects on trustworthy AI.", a) == "EU"
    assert reader.speaker("The European Union notes the American approach to cloud security.", a) == "EU"
    assert reader.speaker("- The United States will host the next meeting.", a) == "US"
    assert reader.speaker("In addition, the United States and the European Union will cooperate.", a) == "joint"
    # possessives and compounds are not subjects
    assert reader.speaker("The EU's AI Act entered into force in 2024.", a) == "joint"
    assert reader.speaker("The EU-US Trade and Technology Council will meet again.", a) == "joint"
    # a non-signatory as subject is described by the authors
    assert reader.speaker("Russia spread disinformation about the elections.", a) == "joint"


def test_two_of_several_signatories_are_joined_alphabetically():
    a = reader.authors(DocumentMeta("g7", signatories="Canada;France;Japan;United States;EU", doc_type="joint_statement"))
    assert reader.speaker("The United States and Japan will launch a new dialogue.", a) == "Japan+US"
    assert reader.speaker("President Biden welcomed the initiative.", a) == "US"


def test_titles_headings_lists_and_references_speak_for_no_one():
    a = reader.authors(JOINT)
    assert reader.speaker("United States-EU Joint Statement", a, title=JOINT.title) == "none"
    assert reader.speaker("Cooperating on Digital Technology", a) == "none"
    assert reader.speaker("Anything at all.", a, heading=True) == "none"
    assert reader.speaker("On the American side, the Minister of Digital Affairs and the Ambassador attended.", a) == "none"
    assert reader.speaker("This Joint Statement was issued after the first meeting of the Council.", a) == "none"
    assert reader.speaker("OBJECTIVE DESCRIPTION PARTNER COUNTRY / REGION TIMELINE", a) == "none"
    assert reader.speaker("The United States, Denmark, Sweden, Australia and Japan form the initial set of member "
                          "countries.", a) == "none"
    # a list item whose layout made it a heading is content
    assert reader.speaker("- Ensure inclusion and security in digital identity systems", a, heading=True) == "joint"


@pytest.mark.parametrize("speaker, partner, kind", [
    ("joint", "US", "agreed"), ("EU", "US", "eu"), ("US", "US", "own"), ("none", "US", "none"),
    ("Japan+US", "US", "own"), ("EU+US", "US", "agreed"),
])
def test_evidence_kinds_relative_to_the_partner(speaker, partner, kind):
    a = Authors(("EU", "US"), (), "joint", "manifest")
    assert evidence_kind(speaker, a, partner) == kind


def test_joint_text_without_the_eu_is_cosigned_its_text_alone_own_and_a_text_it_did_not_sign_third_party():
    us_kenya = Authors(("US", "Kenya"), (), "joint", "manifest")
    assert evidence_kind("joint", us_kenya, "Kenya") == "cosigned"  # Kenya's signed words, not Kenya's alone
    assert evidence_kind("Kenya", Authors(("Kenya",), (), "Kenya", "manifest"), "Kenya") == "own"
    g7 = Authors(("Japan",), ("G7",), "joint", "manifest")
    assert evidence_kind("joint", g7, "Japan") == "cosigned"
    # a fact sheet the US issued alone on what India and the US decided is the US's own account
    icet = Authors(("US",), (), "India+US", "manifest")
    assert evidence_kind("India+US", icet, "US") == "own" and evidence_kind("India+US", icet, "India") == "third"
    assert evidence_kind("US", us_kenya, "Kenya") == "third"  # the other party alone
    assert evidence_kind("joint", us_kenya, "India") == "third"


def test_every_sentence_of_a_document_gets_a_speaker():
    doc = build_document([Block("United States-EU Joint Statement"),
                          Block("We intend to deepen cooperation on artificial intelligence. "
                                "The EU also supports research projects on trustworthy AI.")], JOINT)
    authors, speakers = reader.read(doc)
    by_text = dict(zip((s.text for s in doc.sentences), speakers))
    assert by_text["We intend to deepen cooperation on artificial intelligence."] == "joint"
    assert by_text["The EU also supports research projects on trustworthy AI."] == "EU"
    assert authors.default == "joint"


@pytest.mark.shared
def test_speaker_accuracy_on_the_dev_gold_beats_the_document_baseline(shared):
    """The whole dev gold (both sentence files): accuracy at least 0.98 and every EU sentence of a joint text found."""
    from policytext.evaluate.speakers import predict_speakers, read_speakers, speaker_metrics
    from policytext.ingest import load_corpus

    dev = shared / "eval" / "dev"
    rows = [json.loads(line) for name in ("sentences.jsonl", "sentences-2.jsonl")
            for line in (dev / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = load_corpus(shared / "corpora")
    gold = read_speakers(dev / "speakers.jsonl")
    m = speaker_metrics(rows, gold, predict_speakers(rows, corpus), corpus)
    assert m["n"] == len(rows)
    assert m["accuracy"] >= 0.98 > m["baseline_accuracy"]
    assert m["eu_in_joint"] >= 1 and m["eu_in_joint_found"] == m["eu_in_joint"]


def test_the_demo_joint_statement_has_its_eu_and_partner_sentences(demo_dir):
    """Signatories the gazetteer does not know ("Republic of Veloria") are read from the manifest, with their
    short form; licence and disclaimer lines speak for no one."""
    from policytext import load_corpus

    doc = load_corpus(demo_dir)["veloria-eu-joint-statement"]
    authors, speakers = reader.read(doc)
    assert authors.parties == ("EU", "Republic of Veloria") and authors.default == "joint"
    said = dict(zip((s.text for s in doc.sentences), speakers))
    assert said["Licence: CC0-1.0."] == "none"
    assert next(v for k, v in said.items() if k.startswith("The EU will support the planned")) == "EU"
    assert next(v for k, v in said.items() if k.startswith("Veloria will establish")) == "Republic of Veloria"
    assert next(v for k, v in said.items() if k.startswith("Both sides will cooperate on the security")) == "joint"


def test_a_sentence_in_a_script_without_capitals_is_not_taken_for_a_heading():
    a = reader.authors(DocumentMeta("ncs.ja", issuer="The White House", partner="United States", language="ja"))
    assert reader.speaker("政権は国家サイバーセキュリティ戦略を発表した。", a) == "US"
    assert reader.speaker("国家サイバーセキュリティ戦略", a, heading=True) == "none"


def test_a_group_of_unnamed_members_is_signed_by_the_member_list_its_text_opens_with():
    meta = DocumentMeta("cri", title="Initiative Joint Statement", issuer="Members of the Initiative",
                        doc_type="joint_statement", signatories="Initiative members (12, incl. EU)")
    text = ("The 12 members of the Initiative - Australia, Brazil, Canada, Egypt, the European Union, France, "
            "Germany, India, Japan, Kenya, Mexico and the United States - met in Washington. We commit to act.")
    without = reader.authors(meta)
    assert not without.signed_by("India") and without.groups
    a = reader.authors(meta, text)
    assert a.source == "text" and a.signed_by("India") and a.signed_by("EU") and a.default == "joint"
    assert evidence_kind("joint", a, "India") == "agreed"
    # a group the manifest names with its signatories, or a text without a member list, is left as it is
    assert reader.authors(meta, "We commit to act.") == without
    g7 = DocumentMeta("g7", signatories="Canada;France;Germany;Italy;Japan;United Kingdom;United States")
    assert reader.authors(g7, text) == reader.authors(g7)
