"""Behavioural tests of the alignment score, in the spirit of CheckList.

Each test edits a partner document of the demo corpus in one controlled way
and checks the score moves the way an analyst would expect.  They use the
real models (slow).
"""

from __future__ import annotations

import re

import pytest

from policytext import load_corpus, read_text
from policytext.pipeline import Analyzer

pytestmark = pytest.mark.slow

EU = "eu-digital-strategy"
PARTNER = "veloria-eu-joint-statement"


@pytest.fixture(scope="module")
def analyzer(embedder):
    return Analyzer(embedder=embedder)


@pytest.fixture(scope="module")
def demo(demo_dir):
    return load_corpus(demo_dir)


@pytest.fixture(scope="module")
def baseline(analyzer, demo):
    return analyzer.align([demo[EU]], [demo[PARTNER]])


def _variant(demo, doc_id: str, text: str):
    meta = demo[doc_id].meta
    return read_text(text, doc_id=f"{doc_id}-variant", meta=meta)


def _source(demo, doc_id: str) -> str:
    with open(demo[doc_id].meta.path, encoding="utf-8") as f:
        return f.read()


def test_removing_a_themes_sentences_drops_its_coverage_and_score(analyzer, demo, baseline):
    analysed = analyzer.analyze(demo[PARTNER])
    k = list(analysed.themes).index("connectivity")
    on_theme = [u.text for u, row in zip(analysed.units, analysed.theme_scores)
                if row[k] >= analysed.thresholds[k] and not u.is_heading]
    assert on_theme, "the partner document should address connectivity"
    text = _source(demo, PARTNER)
    for sentence in on_theme:
        text = text.replace(sentence, "")
    after = analyzer.align([demo[EU]], [_variant(demo, PARTNER, text)]).theme("connectivity")
    before = baseline.theme("connectivity")
    print(f"connectivity: {before.score} -> {after.score}; coverage {before.partner_coverage} -> "
          f"{after.partner_coverage}")
    assert after.partner_coverage < before.partner_coverage
    assert after.score < before.score - 20


def test_negating_the_partners_commitments_lowers_agreement_and_raises_divergence(analyzer, demo, baseline):
    """Negated in the partner's own text, the AI undertakings diverge from the EU's; the same words in a text
    both sides signed are never read as the partner's divergence (the EU co-signed them)."""
    import dataclasses

    text = _source(demo, PARTNER)
    para = re.search(r"Both sides will promote trustworthy.*?\n", text).group(0)
    negated = (para.replace("Both sides will promote", "Both sides will not promote")
               .replace("We intend to cooperate", "We do not intend to cooperate"))
    variant = _variant(demo, PARTNER, text.replace(para, negated))
    agreed = analyzer.align([demo[EU]], [variant]).theme("ai")
    assert not agreed.divergences and agreed.divergence == 0.0
    own_meta = dataclasses.replace(variant.meta, signatories="Republic of Veloria")
    own = analyzer.align([demo[EU]], [read_text(text.replace(para, negated), doc_id=variant.doc_id,
                                                meta=own_meta)]).theme("ai")
    before = baseline.theme("ai")
    print(f"ai: score {before.score} -> {own.score}, agreement {before.agreement} -> {own.agreement}, "
          f"divergence {before.divergence} -> {own.divergence}")
    assert own.divergence > before.divergence
    assert own.agreement < before.agreement
    assert own.divergences, "divergent pairs are listed"
    assert own.score < before.score


PARAPHRASES = [
    ("Both sides will", "The two partners will"),
    ("We intend to", "They plan to"),
    ("cooperate on", "work together on"),
    ("strengthen", "reinforce"),
    ("share experience on", "exchange experience on"),
]


def test_paraphrasing_keeps_the_score_within_its_interval(analyzer, demo, baseline):
    text = _source(demo, PARTNER)
    for old, new in PARAPHRASES:
        text = text.replace(old, new)
    after = analyzer.align([demo[EU]], [_variant(demo, PARTNER, text)])
    print(f"overall {baseline.overall} [{baseline.overall_low}, {baseline.overall_high}] -> {after.overall}")
    assert baseline.overall_low <= after.overall <= baseline.overall_high
    inside = [baseline.theme(t.theme).low <= t.score <= baseline.theme(t.theme).high
              for t in after.themes if t.score is not None]
    assert sum(inside) / len(inside) >= 0.8


def test_an_unrelated_document_scores_near_zero(analyzer, demo, baseline):
    control = analyzer.align([demo[EU]], [demo["fisheries-policy"]])
    print(f"fisheries control overall {control.overall}; partner {baseline.overall}")
    assert control.overall < 10
    assert baseline.overall > 40


def test_every_score_above_zero_has_an_interval_and_evidence(analyzer, demo):
    for doc_id in demo.ids:
        if doc_id == EU:
            continue
        result = analyzer.align([demo[EU]], [demo[doc_id]])
        for t in result.themes:
            if t.score is None:
                continue
            assert t.low <= t.score <= t.high
            if t.score > 0:
                assert t.evidence or t.divergences, (doc_id, t.theme)


def test_a_partner_rejecting_an_eu_position_is_a_listed_divergence(analyzer, demo):
    """The Ostmark strategy refuses a rights-based approach the EU strategy defends."""
    result = analyzer.align([demo[EU]], [demo["ostmark-national-strategy"]])
    listed = [(t.theme, d.partner.text) for t in result.themes for d in t.divergences]
    print(listed)
    assert any("will not adopt a rights-based approach" in text for _, text in listed)


def test_a_document_named_twice_in_one_call_is_analysed_once(embedder, demo):
    """A G7 text in two partners' groups: one analysis, its commitments not doubled."""
    fresh = Analyzer(embedder=embedder)
    twice = fresh.analyze_many([demo[PARTNER], demo[PARTNER]])
    once = Analyzer(embedder=embedder).analyze(demo[PARTNER])
    assert twice[0] is twice[1]
    assert [c.segment_id for c in twice[0].commitments] == [c.segment_id for c in once.commitments]
