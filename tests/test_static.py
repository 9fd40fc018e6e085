"""The static embedding option (issue 17): vectors, their theme model, and the score path that uses them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from test_themes import HashEmbedder  # the hashing embedder of the theme tests
from policytext.cli import app
from policytext.embed import STATIC, StaticEmbedder, static_theme_model_path
from policytext.errors import PolicytextError

DEMO = Path(__file__).resolve().parents[1] / "corpora" / "demo"


def test_static_vectors_are_unit_length_deterministic_and_meaningful():
    emb = StaticEmbedder()
    texts = ["We will protect children from online abuse.", "Minors must be kept safe on social media.",
             "Tariffs on steel imports rise next year.", ""]
    v = emb.encode(texts)
    assert v.shape == (4, 256) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v[:3], axis=1), 1.0, atol=1e-5)
    assert not v[3].any()  # no token, no direction
    alone = emb.encode([texts[1]])[0]
    assert np.array_equal(alone, v[1])  # a vector does not depend on its batch
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1
    assert emb.model_key.startswith("static:") and len(emb.info.sha256) == 64


def test_the_static_theme_model_reads_only_static_vectors():
    from policytext.themes import ThemeClassifier

    clf = ThemeClassifier.load(static_theme_model_path(), embedder=StaticEmbedder())
    assert "child_protection" in clf.predict_themes(["We will protect children from online sexual abuse."])[0]
    with pytest.raises(PolicytextError, match="trained with embeddings"):
        ThemeClassifier.load(static_theme_model_path(), embedder=HashEmbedder())


def test_the_static_spec_has_its_own_fingerprint():
    from policytext.batch.tasks import AnalyzerSpec

    static, default = AnalyzerSpec(embedding_model=STATIC), AnalyzerSpec()
    assert static.describe()["embedding"]["kind"] == "static"
    assert static.describe()["themes"]["path"].endswith("theme_model_static")
    assert static.fingerprint() != default.fingerprint()
    assert static.resolved().precision == "fp32"


@pytest.mark.slow
def test_score_with_static_embeddings_runs_and_refuses_other_languages(tmp_path):
    r = CliRunner().invoke(app, ["score", str(DEMO), "--eu", "eu-digital-strategy", "--out", str(tmp_path / "o"),
                                 "--embedding", "static", "--no-progress"])
    assert r.exit_code == 0, r.output
    assert "veloria-eu-joint-statement" in r.output
    bad = CliRunner().invoke(app, ["score", str(DEMO), "--eu", "eu-digital-strategy", "--embedding", "static",
                                   "--backend", "multilingual", "--out", str(tmp_path / "p")])
    assert bad.exit_code == 2 and "English only" in bad.output
    wrong = CliRunner().invoke(app, ["score", str(DEMO), "--eu", "eu-digital-strategy", "--embedding", "glove",
                                     "--out", str(tmp_path / "q")])
    assert wrong.exit_code == 2 and "minilm or static" in wrong.output


@pytest.mark.slow
def test_the_static_analyzer_aligns_the_demo_like_the_default_one_roughly():
    from policytext import load_corpus
    from policytext.pipeline import Analyzer

    docs = load_corpus(DEMO)
    fast = Analyzer.static().align([docs["eu-digital-strategy"]], [docs["veloria-eu-joint-statement"]])
    control = Analyzer.static().align([docs["eu-digital-strategy"]], [docs["fisheries-policy"]])
    assert fast.overall is not None and control.overall is not None
    assert fast.overall > control.overall + 20  # the joint statement far above the unrelated control
