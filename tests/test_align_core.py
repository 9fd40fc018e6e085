"""The alignment core, on hand-made vectors: no model needed."""

from __future__ import annotations

import numpy as np
import pytest

from policytext.alignment import AlignConfig, Unit, align_units

THEMES = ["ai", "connectivity", "privacy"]


def _unit(i: int, side: str, text: str, **kw) -> Unit:
    return Unit(segment_id=f"{side}:s{i}", doc_id=f"{side}-doc", text=text, page=1, paragraph=i, **kw)


def _vec(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture
def eu_side():
    units = [
        _unit(0, "eu", "The EU will invest in trustworthy AI.", commitment=True, strength="firm"),
        _unit(1, "eu", "The EU will deploy submarine cables.", commitment=True, strength="firm"),
        _unit(2, "eu", "AI must respect fundamental rights.", commitment=True, strength="firm"),
    ]
    vecs = np.stack([_vec(1, 0, 0, 0.1), _vec(0, 1, 0, 0.1), _vec(0.9, 0, 0.1, 0.2)])
    themes = np.array([[0.9, 0, 0], [0, 0.9, 0], [0.8, 0, 0.1]])
    return units, vecs, themes


def _partner(strength="firm", negated=False, text="We will invest in trustworthy AI.", ai_vec=(1, 0.05, 0, 0.1)):
    units = [
        _unit(0, "p", text, commitment=True, strength=strength, negated=negated),
        _unit(1, "p", "Fisheries quotas are set yearly."),
    ]
    vecs = np.stack([_vec(*ai_vec), _vec(0, 0, 0, 1)])
    themes = np.array([[0.95, 0, 0], [0, 0, 0]])
    return units, vecs, themes


def test_scores_are_in_range_with_intervals_and_evidence(eu_side):
    a = align_units(*eu_side, *_partner(), THEMES, partner="P")
    ai = a.theme("ai")
    assert 0 < ai.score <= 100
    assert ai.low <= ai.score <= ai.high
    assert ai.evidence and ai.evidence[0].partner.segment_id == "p:s0"
    assert ai.evidence[0].eu.anchor.startswith("eu-doc, p. 1, para.")
    # The partner says nothing on connectivity: low score, the EU cable commitment is a gap.
    conn = a.theme("connectivity")
    assert conn.score < ai.score
    assert [q.segment_id for q in conn.gaps] == ["eu:s1"]
    # The EU says nothing on privacy: not applicable.
    assert a.theme("privacy").score is None
    assert a.overall is not None and a.overall_low <= a.overall <= a.overall_high
    assert a.config["w_agreement"] == AlignConfig().w_agreement


def test_deterministic(eu_side):
    a = align_units(*eu_side, *_partner(), THEMES)
    b = align_units(*eu_side, *_partner(), THEMES)
    assert a.to_dict() == b.to_dict()


def test_weaker_commitment_lowers_parity_and_score(eu_side):
    firm = align_units(*eu_side, *_partner("firm"), THEMES).theme("ai")
    soft = align_units(*eu_side, *_partner("soft", text="We could consider AI."), THEMES).theme("ai")
    assert soft.parity < firm.parity
    assert soft.score < firm.score


def test_negation_is_a_listed_divergence(eu_side):
    neg = align_units(*eu_side, *_partner(negated=True, text="We will not invest in AI."), THEMES).theme("ai")
    pos = align_units(*eu_side, *_partner(), THEMES).theme("ai")
    assert neg.divergence > 0 and neg.divergences
    assert neg.divergences[0].reason
    assert neg.score < pos.score


def test_unrelated_partner_scores_near_zero(eu_side):
    units = [_unit(0, "p", "Fisheries quotas are set yearly.")]
    a = align_units(*eu_side, units, _vec(0, 0, 0, 1)[None, :], np.zeros((1, 3)), THEMES)
    assert a.overall < 5
    assert all(t.evidence == () for t in a.themes)


def test_more_evidence_narrows_the_interval(eu_side):
    few_u, few_v, few_t = _partner()
    many_u = [_unit(i, "p", f"We will invest in AI, point {i}.", commitment=True, strength="firm") for i in range(12)]
    many_v = np.stack([_vec(1, 0.05 * (i % 3), 0, 0.1) for i in range(12)])
    many_t = np.tile([[0.95, 0, 0]], (12, 1))
    few = align_units(*eu_side, few_u, few_v, few_t, THEMES).theme("ai")
    many = align_units(*eu_side, many_u, many_v, many_t, THEMES).theme("ai")
    assert (many.high - many.low) < (few.high - few.low) or many.high - many.low < 1


def test_config_is_validated():
    with pytest.raises(ValueError, match="sum to 1"):
        AlignConfig(w_coverage=0.9)
    with pytest.raises(ValueError, match="interval"):
        AlignConfig(interval=1.5)


def test_frames(eu_side):
    a = align_units(*eu_side, *_partner(), THEMES, partner="P")
    frame = a.to_frame()
    assert list(frame["theme"]) == THEMES
    assert {"score", "low", "high", "partner_coverage"} <= set(frame.columns)
    ev = a.evidence_frame()
    assert (ev["theme"] == "ai").any()
    # analysis-ready: ids to join on, one convention for missing values
    for side in ("eu_", "partner_"):
        assert {f"{side}{k}" for k in ("doc_id", "segment_id", "page", "paragraph", "strength", "quote",
                                       "anchor")} <= set(ev.columns)
        assert str(ev[f"{side}page"].dtype) == "Int64" and str(ev[f"{side}paragraph"].dtype) == "Int64"
        assert str(ev[f"{side}strength"].dtype) == "string"
    assert ev["partner_segment_id"].notna().all()
    assert str(frame["score"].dtype) == "float64" and str(frame["parity"].dtype) == "float64"
    gaps = a.gaps_frame()
    assert list(gaps.columns[:3]) == ["partner", "theme", "kind"] and set(gaps["kind"]) <= {"gap", "partner_only"}
    assert str(gaps["page"].dtype) == "Int64"
    shown = align_units(*eu_side, *_partner(), THEMES, partner="<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;" in shown


def test_a_condition_weakens_firmness_parity(eu_side):
    plain = align_units(*eu_side, *_partner("firm"), THEMES).theme("ai")
    units, vecs, themes = _partner("firm", text="Subject to funding, we will invest in AI.")
    units[0] = Unit(**{**{f: getattr(units[0], f) for f in units[0].__slots__}, "condition": "subject to funding"})
    conditional = align_units(*eu_side, units, vecs, themes, THEMES).theme("ai")
    assert conditional.parity < plain.parity


def test_a_negated_partner_commitment_that_is_not_the_best_match_is_still_a_divergence(eu_side):
    """The reverse pass: a partner sentence declining the EU's AI undertaking, matching it (cosine 0.6) while an
    affirmative sentence is the EU sentence's best match, is listed; at cosine 0.3 it is not (precision first)."""
    def partner(cos):
        units = [_unit(0, "p", "We will invest in trustworthy AI.", commitment=True, strength="firm"),
                 _unit(1, "p", "We will not fund AI research.", commitment=True, strength="firm", negated=True)]
        vecs = np.stack([_vec(1, 0.05, 0, 0.1), _vec(cos, 0, 0, (1 - cos ** 2) ** 0.5)])
        return units, vecs, np.array([[0.9, 0, 0], [0.9, 0, 0]])

    near = align_units(*eu_side, *partner(0.6), THEMES).theme("ai")
    assert [d.partner.segment_id for d in near.divergences] == ["p:s1"]
    assert near.divergences[0].reason == "the partner declines an undertaking the EU makes"
    assert 0 < near.divergence < 1
    far = align_units(*eu_side, *partner(0.3), THEMES).theme("ai")
    assert far.divergences == () and far.divergence == 0.0


def _unread_partner():
    """The partner of _partner(), as a language without commitment rules leaves it: no commitment reading."""
    units, vecs, themes = _partner()
    return [Unit(**{**{f: getattr(u, f) for f in u.__slots__}, "commitment": False, "strength": None})
            for u in units], vecs, themes


def test_unknown_firmness_is_left_out_not_scored_as_absent(eu_side):
    """Commitments not extracted (e.g. Japanese): parity is None and coverage + agreement carry the score."""
    absent = align_units(*eu_side, *_unread_partner(), THEMES).theme("ai")
    unknown = align_units(*eu_side, *_unread_partner(), THEMES, partner_commitments_known=False).theme("ai")
    assert absent.parity == 0.0 and unknown.parity is None
    unknown_frame = align_units(*eu_side, *_unread_partner(), THEMES, partner_commitments_known=False).to_frame()
    assert unknown_frame.set_index("theme").loc["ai", "parity"] != unknown_frame.set_index("theme").loc["ai", "parity"]
    assert unknown.matched == absent.matched > 0 and unknown.agreement == absent.agreement
    cfg = AlignConfig()
    cov = 1 - np.exp(-1 / cfg.coverage_scale)
    expected = 100 * (cfg.w_coverage * cov + cfg.w_agreement * unknown.agreement) / (cfg.w_coverage + cfg.w_agreement)
    assert unknown.score == pytest.approx(expected, abs=0.01)
    assert unknown.score > absent.score
    assert unknown.low <= unknown.score <= unknown.high
    # a known partner is scored as before, with the flag given per sentence
    known = align_units(*eu_side, *_partner(), THEMES, partner_commitments_known=[True, True]).theme("ai")
    assert known == align_units(*eu_side, *_partner(), THEMES).theme("ai")


def test_divergence_is_claimed_only_where_the_partners_own_text_declines_an_eu_undertaking(eu_side):
    declined = _partner(negated=True, text="We will not invest in trustworthy AI.")
    read = align_units(*eu_side, *declined, THEMES).theme("ai")
    assert [d.partner.segment_id for d in read.divergences] == ["p:s0"]
    # firmness and negation unknown (no commitment rules for the language): no divergence
    units, vecs, themes = declined
    unread = [Unit(**{**{f: getattr(u, f) for f in Unit.__dataclass_fields__}, "commitment": False}) for u in units]
    assert not align_units(*eu_side, unread, vecs, themes, THEMES, partner_commitments_known=False).theme("ai").divergences
    # inside text both sides signed: never a divergence
    agreed = align_units(*eu_side, *declined, THEMES, partner_kinds=["agreed", "agreed"]).theme("ai")
    assert not agreed.divergences and agreed.divergence == 0.0
    # a negation aimed at a harm agrees with the EU
    harm = _partner(negated=True, text="We will not tolerate the misuse of AI.")
    assert not align_units(*eu_side, *harm, THEMES).theme("ai").divergences
    # contrary words alone are no divergence: "oppose uses of AI such as social scoring" opposes a harm
    oppose = _partner(text="We oppose uses of AI that violate human rights, such as social scoring.")
    assert not align_units(*eu_side, *oppose, THEMES).theme("ai").divergences
    # a negation on the EU side alone is not read as the partner's divergence
    units, vecs, themes = eu_side
    neg_eu = [Unit(**{**{f: getattr(u, f) for f in Unit.__dataclass_fields__}, "negated": True})
              if u.segment_id == "eu:s0" else u for u in units]
    assert not align_units(neg_eu, vecs, themes, *_partner(), THEMES).theme("ai").divergences


def test_notes_are_not_the_documents_position(eu_side):
    """A footnote that cites a text on the theme is neither evidence nor coverage, on either side."""
    units, vecs, themes = _partner()
    as_note = [Unit(**{**{f: getattr(u, f) for f in Unit.__dataclass_fields__}, "is_note": True}) for u in units]
    plain = align_units(*eu_side, units, vecs, themes, THEMES, partner="P")
    noted = align_units(*eu_side, as_note, vecs, themes, THEMES, partner="P")
    assert plain.theme("ai").partner_sentences == 1 and plain.theme("ai").score > 0
    ai = noted.theme("ai")
    assert ai.partner_sentences == 0 and not ai.evidence and not ai.partner_only
    assert ai.score < plain.theme("ai").score
    # an EU note does not count towards the EU's themes either
    eu_units, eu_vecs, eu_themes = eu_side
    eu_noted = [eu_units[0], eu_units[1], Unit(**{**{f: getattr(eu_units[2], f) for f in Unit.__dataclass_fields__},
                                                  "is_note": True})]
    with_eu_note = align_units(eu_noted, eu_vecs, eu_themes, units, vecs, themes, THEMES, partner="P")
    assert with_eu_note.theme("ai").eu_sentences == plain.theme("ai").eu_sentences - 1
