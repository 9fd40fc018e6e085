"""One answer per question: the same scores from every entry point, call order, batch and worker count.

An English partner document of the shared corpus and its French and German
translations are aligned with the EU press release through ``Analyzer.align``
(fresh analyzers and one reused in several orders), ``align_many`` (English
first, French first, mixed), ``score_corpus`` with one and two workers,
``evaluate_alignment`` and ``build_briefings``.  Each document must get the
same theme scores, bit for bit, wherever it went.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from policytext import load_corpus, read_document
from policytext.batch import LocalExecutor, score_corpus
from policytext.pipeline import Analyzer, align_many

pytestmark = [pytest.mark.slow, pytest.mark.shared]
EU = "eu-ids-2025-press"
EN, FR, DE = "us-kr-cet-2023", "us-kr-cet-2023.fr", "eu-kr-dpc-2023.de"
EN2 = "eu-kr-dpc-2023"


@pytest.fixture(scope="module")
def corpus_dir(shared, tmp_path_factory) -> Path:
    """The EU press release, two English partner documents and French and German translations of them."""
    root = tmp_path_factory.mktemp("entry") / "corpus"
    root.mkdir()
    rows = []
    for folder, ids in ((shared / "corpora", (EU, EN, EN2)), (shared / "corpora" / "translations", (FR, DE))):
        with (folder / "manifest.csv").open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["id"] in ids:
                    shutil.copy(folder / "texts" / f"{row['id']}.txt", root / f"{row['id']}.txt")
                    # one partner per document: every entry point then scores each document on its own
                    rows.append({k: row.get(k, "") for k in ("id", "partner", "doc_type", "date", "language",
                                                              "issuer", "title")} | {"partner": row["id"]})
    with (root / "manifest.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return root


def _scores(alignment) -> dict[str, float | None]:
    return {t.theme: t.score for t in alignment.themes} | {"overall": alignment.overall,
                                                           "low": alignment.overall_low}


@pytest.fixture(scope="module")
def reference(corpus_dir) -> dict[str, dict[str, float | None]]:
    """Each document aligned by a fresh analyzer of its own."""
    corpus = load_corpus(corpus_dir)
    return {d: _scores(Analyzer().align([corpus[EU]], [corpus[d]])) for d in (EN, FR, DE, EN2)}


def test_call_order_and_batch_composition_do_not_change_scores(corpus_dir, reference):
    corpus = load_corpus(corpus_dir)
    eu = [corpus[EU]]
    # an analyzer that has analysed an English document (and so loaded the English theme model) first
    a = Analyzer()
    a.analyze(corpus[EN])
    assert _scores(a.align(eu, [corpus[DE]])) == reference[DE]
    assert _scores(a.align(eu, [corpus[EN]])) == reference[EN]
    for order in ([EN, FR, DE, EN2], [FR, EN, DE, EN2], [DE, EN2, FR, EN]):
        results = align_many(eu, {d: [corpus[d]] for d in order}, analyzer=Analyzer())
        assert {r.partner: _scores(r) for r in results} == {d: reference[d] for d in order}, order


def test_a_classifier_given_for_english_refuses_french_rather_than_misread_it(corpus_dir):
    from policytext.multilingual import UnsupportedLanguageError
    from policytext.themes import ThemeClassifier

    corpus = load_corpus(corpus_dir)
    a = Analyzer(classifier=ThemeClassifier.load())
    with pytest.raises(UnsupportedLanguageError, match=r"us-kr-cet-2023\.fr \(fr\): not read by the default backend"):
        a.align([corpus[EU]], [corpus[FR]])
    assert a.backend_for([corpus[EN]]).name == "default"


@pytest.mark.parametrize("workers", [1, 2])
def test_score_corpus_gives_the_scores_of_align(corpus_dir, reference, tmp_path, workers):
    executor = LocalExecutor(workers)
    try:
        result = score_corpus(corpus_dir, eu=EU, store=tmp_path / "s.duckdb", executor=executor, progress=False)
    finally:
        executor.close()
    assert result.exit_code == 0
    assert dict(zip(result.summary.doc_id, result.summary.backend)) == {EN: "default", EN2: "default",
                                                                       FR: "multilingual", DE: "multilingual"}
    for doc_id, want in reference.items():
        rows = result.scores[result.scores.doc_id == doc_id].set_index("theme")["score"]
        got = {t: (None if np.isnan(v) else float(v)) for t, v in rows.items()}
        assert got == {t: v for t, v in want.items() if t not in ("overall", "low")}, doc_id
        s = result.summary.set_index("doc_id").loc[doc_id]
        assert (s.overall, s.low) == (want["overall"], want["low"]), doc_id


def test_evaluate_alignment_and_briefings_give_the_scores_of_align(corpus_dir, reference, tmp_path):
    from policytext.evaluate import evaluate_alignment
    from policytext.report import build_briefings

    gold = tmp_path / "alignment.csv"
    themes = [t for t in reference[EN] if t not in ("overall", "low")]
    gold.write_text("doc_id,theme,alignment\n" + "".join(f"{d},{t},2\n" for d in reference for t in themes),
                    encoding="utf-8")
    ev = evaluate_alignment(gold, corpus_dir, [EU], mode="model")
    for doc_id, want in reference.items():
        rows = ev.predictions[ev.predictions.doc_id == doc_id].set_index("theme")["score"]
        got = {t: (None if np.isnan(v) else float(v)) for t, v in rows.items()}
        assert got == {t: v for t, v in want.items() if t not in ("overall", "low")}, doc_id
    corpus = load_corpus(corpus_dir)
    reports, _ = build_briefings(corpus, [EU], [FR, EN, DE])
    for report in reports:
        frame = report.themes_frame().set_index("theme")["score"]
        doc_id = report.data["partner"]
        got = {t: (None if v is None or np.isnan(v) else float(v)) for t, v in frame.items()}
        assert got == {t: v for t, v in reference[doc_id].items() if t not in ("overall", "low")}, doc_id
