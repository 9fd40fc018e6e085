"""ThemeClassifier: the array core, the estimator contract, persistence, and the shipped model."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pytest

from policytext.errors import ModelIntegrityError, ModelNotFoundError
from policytext.taxonomy import load_taxonomy
from policytext.themes import (
    PAIR_FEATURES,
    ThemeClassifier,
    compile_cues,
    cue_matrix,
    pair_features,
    prototype_similarity,
    sentence_contexts,
)
from policytext.themes.features import best_threshold

THREE = """\
themes:
  space:
    definition: Satellites, launchers and space policy.
    cues: ['satellites?', 'space agency']
    examples: [We will launch a new satellite into orbit.]
  health:
    definition: Public health, hospitals and medicine.
    cues: ['hospitals?', 'vaccines?']
    examples: [Hospitals need more nurses.]
  oceans:
    definition: Oceans, seas and maritime affairs.
    cues: ['oceans?', maritime]
    examples: [Fishing fleets must protect the oceans.]
"""


class HashEmbedder:
    """A tiny deterministic bag-of-words embedder: no model, same interface as Embedder."""

    model_key = "test:hash-64"

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@pytest.fixture
def three(tmp_path):
    path = tmp_path / "three.yaml"
    path.write_text(THREE, encoding="utf-8")
    return load_taxonomy(path)


def toy_data():
    texts = [
        "The satellite will reach orbit next year.", "A new satellite launcher is ready.",
        "Space agency plans a moon mission.", "Satellites watch the weather.", "Orbit and launch costs fall.",
        "Hospitals lack nurses.", "Vaccines save lives in hospitals.", "Doctors and nurses treat patients.",
        "Medicine prices rise.", "Patients wait for doctors.",
        "The oceans are warming.", "Maritime routes are busy.", "Fishing fleets sail the seas.",
        "Ocean pollution harms fish.", "Ports and ships and seas.",
        "The meeting ends at noon.", "Taxes will rise.", "The train was late.",
    ]
    y = [["space"]] * 5 + [["health"]] * 5 + [["oceans"]] * 5 + [[]] * 3
    return texts, y


# ----------------------------------------------------------------- array core


def test_cue_matrix_matches_whole_words_case_insensitively(three):
    hits = cue_matrix(["SATELLITES launched", "a spaceship", "Maritime law"], compile_cues(three))
    assert hits.tolist() == [[1, 0, 0], [0, 0, 0], [0, 0, 1]]


def test_prototype_similarity_takes_the_best_prototype_per_theme():
    vecs = np.eye(3, dtype=np.float32)
    protos = np.array([[1, 0, 0], [0.6, 0.8, 0], [0, 0, 1]], dtype=np.float32)
    sims, nearest = prototype_similarity(vecs, protos, np.array([0, 0, 1]), 3)
    assert sims[1].tolist() == pytest.approx([0.8, 0.0, 0.0])
    assert nearest[1, 0] == 1 and nearest[2, 1] == 2
    assert (nearest[:, 2] == -1).all()  # a theme without prototypes


def test_pair_features_shape_and_relative_similarity():
    sims = np.array([[0.2, 0.5]], dtype=np.float32)
    feats = pair_features(np.array([[1, 0]], np.float32), sims, np.zeros_like(sims))
    assert feats.shape == (1, 2, len(PAIR_FEATURES))
    col = {name: i for i, name in enumerate(PAIR_FEATURES)}
    assert feats[0, :, col["sim_rel"]].tolist() == pytest.approx([-0.3, 0.0])
    assert feats[0, :, col["sim_top"]].tolist() == [0, 1]
    assert feats[0, :, col["ctx_sim_rel"]].tolist() == [0, 0]  # no context


def test_best_threshold_maximises_micro_f1():
    proba = np.array([[0.9, 0.8], [0.7, 0.2], [0.1, 0.05]])
    truth = np.array([[1, 1], [1, 0], [0, 0]])
    t = best_threshold(proba, truth)
    assert 0.2 < t < 0.7
    assert ((proba >= t) == truth.astype(bool)).all()


# ----------------------------------------------------------------- estimator contract


def test_sklearn_conventions(three):
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    emb = HashEmbedder()
    clf = ThemeClassifier(taxonomy=three, embedder=emb, C=2.0)
    params = clf.get_params()
    assert params["C"] == 2.0 and params["embedder"] is emb and params["taxonomy"] is three
    twin = clone(clf)
    assert twin.get_params()["C"] == 2.0 and not hasattr(twin, "classes_")
    with pytest.raises(NotFittedError):
        clf.predict(["x"])
    with pytest.raises(TypeError):
        ThemeClassifier(None)  # keyword-only parameters
    texts, y = toy_data()
    assert clf.fit(texts, y) is clf
    assert list(clf.classes_) == ["space", "health", "oceans"]
    assert clf.set_params(C=5.0) is clf and clf.C == 5.0


def test_fit_predict_with_labels(three):
    texts, y = toy_data()
    emb = HashEmbedder()
    clf = ThemeClassifier(taxonomy=three, embedder=emb, min_positives=3, cv=3).fit(texts, y)
    assert clf.text_mask_.all() and clf.training_["n"] == len(texts)
    new = ["A satellite launcher for orbit.", "Nurses in hospitals.", "Nothing relevant here at all."]
    proba = clf.predict_proba(new)
    assert proba.shape == (3, 3) and ((proba >= 0) & (proba <= 1)).all()
    pred = clf.predict(new)
    assert pred.dtype.kind == "i" and pred.shape == (3, 3)
    themes = clf.predict_themes(new)
    assert themes[0][0] == "space" and themes[1][0] == "health" and themes[2] == []
    dec = clf.decision_function(new)
    assert ((dec > 0) == (pred == 1)).all()
    calls = emb.calls
    clf.predict_proba(new, context=["Space policy", "", ""])
    assert emb.calls == calls + 1  # texts and contexts in one batch: no per-text calls


def test_binary_label_matrix_and_bad_labels(three):
    texts, y = toy_data()
    clf = ThemeClassifier(taxonomy=three, embedder=HashEmbedder(), min_positives=3, cv=3)
    Y = np.array([[t in labels for t in ("space", "health", "oceans")] for labels in y], dtype=int)
    a = clf.fit(texts, Y).predict_proba(texts)
    b = clf.fit(texts, y).predict_proba(texts)
    assert np.allclose(a, b)
    with pytest.raises(ValueError, match="unknown theme 'ai'"):
        clf.fit(texts, [["ai"]] + y[1:])
    with pytest.raises(ValueError, match="context has 1 items"):
        clf.predict(texts[:2], context=["x"])
    with pytest.raises(TypeError, match="single string"):
        clf.predict("a text")


def test_custom_taxonomy_zero_shot_end_to_end(three):
    clf = ThemeClassifier(taxonomy=three, embedder=HashEmbedder(), prior="rule").fit()
    assert clf.training_["mode"] == "zero-shot" and not clf.text_mask_.any()
    out = clf.explain(["The maritime agency will protect the oceans.", "Taxes will rise."], doc_id="d")
    assert [s.theme for s in out[0]] == ["oceans"]
    assert "cue matched 'maritime'" in out[0][0].reason and "threshold" in out[0][0].reason
    assert out[0][0].assigned and out[0][0].doc_id == "d" and out[1] == []


def test_explain_all_themes_lists_unassigned_with_reasons(three):
    clf = ThemeClassifier(taxonomy=three, embedder=HashEmbedder(), prior="rule").fit()
    rows = clf.explain(["Vaccines for hospitals."], assigned_only=False, segment_ids=["s1"])
    assert [s.theme for s in rows[0]] == ["space", "health", "oceans"]
    assert [s.assigned for s in rows[0]] == [False, True, False]
    assert all(s.segment_id == "s1" and "p=" in s.reason for s in rows[0])


def test_score_document_uses_sentences_and_context(three):
    from policytext import read_text

    doc = read_text("# Oceans\n\nThe fleet sails. Maritime rules apply.\n\nHospitals are full.\n", doc_id="d1",
                    fmt="md")
    ctx = sentence_contexts(doc)
    assert len(ctx) == len(doc.sentences)
    assert ctx[1] == ("Oceans", "The fleet sails.", "Maritime rules apply.")
    assert ctx[3] == ("Oceans",)  # a sentence that is its whole paragraph: the heading only
    clf = ThemeClassifier(taxonomy=three, embedder=HashEmbedder(), prior="rule").fit()
    scores = clf.score_document(doc)
    assert len(scores) == 3 * len(doc.sentences)
    assigned = {(s.segment_id, s.theme) for s in scores if s.assigned}
    maritime = next(s for s in doc.sentences if "Maritime" in s.text)
    assert (maritime.segment_id, "oceans") in assigned


def test_save_load_roundtrip_without_pickle(three, tmp_path):
    texts, y = toy_data()
    emb = HashEmbedder()
    clf = ThemeClassifier(taxonomy=three, embedder=emb, min_positives=3, cv=3).fit(texts, y)
    folder = clf.save(tmp_path / "m", extra={"note": "test"})
    with np.load(folder / "theme_model.npz", allow_pickle=False) as data:
        assert "pair_coef" in data.files
    meta = json.loads((folder / "theme_model.json").read_text())
    assert meta["classes"] == ["space", "health", "oceans"] and meta["note"] == "test"
    back = ThemeClassifier.load(folder, taxonomy=three, embedder=emb)
    assert np.allclose(back.predict_proba(texts), clf.predict_proba(texts), atol=1e-5)
    assert back.C == clf.C


def test_load_refuses_a_mismatched_model(three, tmp_path):
    texts, y = toy_data()
    emb = HashEmbedder()
    folder = ThemeClassifier(taxonomy=three, embedder=emb, min_positives=3).fit(texts, y).save(tmp_path / "m")
    with pytest.raises(ModelIntegrityError, match="trained for themes"):
        ThemeClassifier.load(folder, embedder=emb)  # default taxonomy: other themes
    edited = tmp_path / "edited.yaml"
    edited.write_text(THREE.replace("maritime", "naval"), encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="differ"):
        ThemeClassifier.load(folder, taxonomy=edited, embedder=emb)

    class OtherEmbedder(HashEmbedder):
        model_key = "test:other"

    with pytest.raises(ModelIntegrityError, match="embeddings"):
        ThemeClassifier.load(folder, taxonomy=three, embedder=OtherEmbedder())
    with pytest.raises(ModelNotFoundError):
        ThemeClassifier.load(tmp_path / "empty", taxonomy=three, embedder=emb)


# ----------------------------------------------------------------- the shipped model (real embeddings)


@pytest.fixture(scope="module")
def shipped(embedder):
    return ThemeClassifier.load(embedder=embedder)


@pytest.mark.slow
def test_shipped_model_loads_and_classifies(shipped):
    assert len(shipped.classes_) == 17 and shipped.training_["mode"] == "supervised"
    texts = [
        "We will deploy secure 5G networks and lay a new submarine cable.",
        "Both sides will cooperate to counter ransomware attacks against hospitals.",
        "The committee approved the minutes of the previous session.",
    ]
    themes = shipped.predict_themes(texts)
    assert "connectivity" in themes[0]
    assert "cybersecurity" in themes[1]
    assert themes[2] == []
    proba = shipped.predict_proba(texts)
    assert proba.shape == (3, 17)


@pytest.mark.slow
def test_shipped_model_scores_a_document_with_reasons(shipped):
    from policytext import read_text

    doc = read_text(
        "# Artificial intelligence\n\nWe will promote trustworthy AI. Developers must test powerful models.\n",
        doc_id="demo", fmt="md",
    )
    scores = shipped.score_document(doc, assigned_only=True)
    ai = [s for s in scores if s.theme == "ai"]
    assert ai and all(s.assigned and s.doc_id == "demo" for s in ai)
    assert any("cue matched 'AI'" in s.reason for s in ai)
    assert all("nearest" in s.reason for s in ai)


@pytest.mark.slow
def test_custom_taxonomy_with_real_embeddings_uses_shipped_evidence_weights(three, embedder):
    clf = ThemeClassifier(taxonomy=three, embedder=embedder).fit()
    assert np.allclose(clf.evidence_coef_, ThemeClassifier.load(embedder=embedder).evidence_coef_)
    texts = [
        "Our space agency will put two satellites in orbit.",
        "Doctors treat more patients with new medicines.",
        "The navy patrols the seas to keep shipping lanes open.",
    ]
    assert clf.predict_themes(texts)[0] == ["space"]  # cue and prototype agree
    proba = clf.predict_proba(texts)
    # without a cue, the closest theme still ranks first
    assert list(proba.argmax(axis=1)) == [0, 1, 2]


def test_context_vector_is_the_mean_of_its_texts(three):
    """A tuple context is embedded as the normalised mean of its texts' vectors (no extra encoding)."""
    emb = HashEmbedder()
    clf = ThemeClassifier(taxonomy=three, embedder=emb, prior="rule").fit()
    parts = ("Oceans", "The fleet sails.", "Maritime rules apply.")
    ev = clf._evidence(["The fleet sails."], clf._check_context([parts], 1))
    v = emb.encode(list(parts)).mean(axis=0)
    assert np.allclose(ev["F"][0, emb.encode(["x"]).shape[1]:], clf.context_weight * v / np.linalg.norm(v), atol=1e-6)
    # a plain string is a one-text context; an empty one gives zeros
    one = clf._evidence(["a", "b"], clf._check_context(["Oceans", ""], 2))
    assert np.allclose(one["F"][0, emb.encode(["x"]).shape[1]:], clf.context_weight * emb.encode(["Oceans"])[0])
    assert not one["F"][1, emb.encode(["x"]).shape[1]:].any()
    with pytest.raises(TypeError, match="context\\[0\\]"):
        clf._check_context([("ok", 3)], 1)


def test_train_theme_model_measures_fits_saves_and_copies(three, tmp_path):
    """Retraining on one's own labels: grouped CV, fit on all, save with the gold checksum, card, copy."""
    from policytext.evaluate import train_theme_model

    texts, y = toy_data()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = []
    for d in range(3):  # three documents, every theme in each
        doc_texts = [t for i, t in enumerate(texts) if i % 3 == d]
        (corpus / f"doc{d}.txt").write_text("\n\n".join(doc_texts) + "\n", encoding="utf-8")
        rows += [{"id": f"doc{d}#{i}", "doc_id": f"doc{d}", "text": t, "themes": y[texts.index(t)]}
                 for i, t in enumerate(doc_texts)]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out, copy = tmp_path / "model", tmp_path / "copy"
    copy.mkdir()
    emb = HashEmbedder()
    clf = ThemeClassifier(taxonomy=three, embedder=emb, min_positives=2, cv=2)
    cv = train_theme_model(clf, gold, corpus, out, card=lambda m, r: f"# card\n{r.metrics['themes']['macro']['f1']:.3f}\n",
                           copy_to=copy, extra={"note": "mine"}, n_splits=3, embedder=emb, commitments=False)
    assert cv.method.startswith("grouped cross-validation, 3 folds")
    meta = json.loads((out / "theme_model.json").read_text())
    assert meta["training_data"]["files"] == [{"file": "gold.jsonl",
                                               "sha256": hashlib.sha256(gold.read_bytes()).hexdigest()}]
    assert meta["training_data"]["ids"] == [r["id"] for r in rows] and meta["note"] == "mine"
    assert meta["evaluation"]["scores"]["themes"]["macro"]["f1"] == cv.metrics["themes"]["macro"]["f1"]
    assert sorted(p.name for p in copy.iterdir()) == ["README.md", "theme_model.json", "theme_model.npz"]
    assert (copy / "README.md").read_text().startswith("# card")
    back = ThemeClassifier.load(out, taxonomy=three, embedder=emb)
    assert back.training_["n"] == len(rows) and np.allclose(back.predict_proba(texts), clf.predict_proba(texts))
