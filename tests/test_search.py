"""Search over a scored store (issue 19, first step): ranking, filters, and queries that must not break it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policytext.cli import app
from policytext.search import MAX_QUERY_CHARS, SearchError, search

DEMO = Path(__file__).resolve().parents[1] / "corpora" / "demo"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from policytext.batch import score_corpus

    out = tmp_path_factory.mktemp("search")
    score_corpus(DEMO, eu="eu-digital-strategy", out=out / "out", progress=False)
    return out / "out" / "store.duckdb"


def test_hybrid_ranking_finds_the_subject_and_says_why(store):
    found = search(store, "submarine cables", limit=5)
    assert len(found) == 5 and list(found["rank"]) == [1, 2, 3, 4, 5]
    assert all("cable" in s.lower() for s in found["sentence"].head(4))
    assert found["score"].is_monotonic_decreasing
    assert all(found["anchor"].str.contains("para.")) and all(found["why"].str.contains("cosine"))
    # meaning alone finds a paraphrase sharing no word with the query; words alone never return a sentence
    # without one of them
    meaning = search(store, "undersea fibre links", mode="embedding", limit=3)
    assert any("cable" in s.lower() for s in meaning["sentence"])
    words = search(store, "undersea fibre links", mode="lexical", limit=50)
    assert all(w.startswith("words: ") for w in words["why"])
    assert all(any(t in s.lower() for t in ("undersea", "fibre", "links")) for s in words["sentence"])


def test_filters_narrow_the_result(store):
    joint = search(store, "cooperation", speaker="joint", limit=50)
    assert len(joint) and set(joint["speaker"]) == {"joint"}
    ostmark = search(store, "online platforms", partner="kingdom of ostmark ", limit=50)
    assert len(ostmark) and set(ostmark["doc_id"]) == {"ostmark-national-strategy"}
    firm = search(store, "invest", strength="firm", limit=50)
    assert len(firm) and set(firm["strength"]) == {"firm"} and all(firm["commitment"])
    cables = search(store, "cables", theme="connectivity", limit=50)
    assert len(cables) and all("connectivity" in t for t in cables["themes"])
    assert search(store, "cables", since="2999-01-01").empty
    assert search(store, "cables", lang="fr").empty
    own = search(store, "cables", speaker="partner", limit=50)
    assert len(own) and not ({"joint", "EU"} & set(own["speaker"]))


def test_hostile_and_bad_queries_give_a_clear_error_or_an_empty_result(store):
    sneaky = search(store, "'; DROP TABLE sentences; --", limit=5)
    assert len(search(store, "cables", limit=1)) == 1  # the store is intact
    assert list(sneaky.columns)[:3] == ["rank", "score", "sentence"]
    for bad, message in (("", "empty"), ("x" * (MAX_QUERY_CHARS + 1), "characters")):
        with pytest.raises(SearchError, match=message):
            search(store, bad)
    with pytest.raises(SearchError, match="unknown theme"):
        search(store, "cables", theme="not_a_theme")
    with pytest.raises(SearchError, match="YYYY-MM-DD"):
        search(store, "cables", since="last year")
    with pytest.raises(SearchError, match="strength"):
        search(store, "cables", strength="strong")


def test_the_command_line(store):
    r = CliRunner().invoke(app, ["search", "submarine cables", "--store", str(store), "--limit", "2", "--json"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines() if line.startswith("{")]
    assert len(rows) == 2 and rows[0]["rank"] == 1 and "cable" in rows[0]["sentence"].lower()
    none = CliRunner().invoke(app, ["search", "cables", "--store", str(store), "--since", "2999-01-01"])
    assert none.exit_code == 0 and "No sentence matches" in none.output
    bad = CliRunner().invoke(app, ["search", "cables", "--store", str(store), "--strength", "strong"])
    assert bad.exit_code == 2 and "strength" in bad.output
    missing = CliRunner().invoke(app, ["search", "cables", "--store", str(store.parent / "nope.duckdb")])
    assert missing.exit_code == 2 and "store not found" in missing.output


def test_a_query_in_another_language_needs_the_multilingual_index_then_finds_english_text(store, tmp_path):
    import shutil

    from policytext.search import build_multilingual_index

    with pytest.raises(SearchError, match="policytext index"):
        search(store, "câbles sous-marins", query_lang="fr")  # English sentences have no multilingual vector yet
    with pytest.raises(SearchError, match="query_lang"):
        search(store, "cables", query_lang="tlh")
    copy = tmp_path / "store.duckdb"
    shutil.copy(store, copy)
    r = CliRunner().invoke(app, ["index", "--store", str(copy)])
    assert r.exit_code == 0 and "sentence(s) embedded" in r.output, r.output
    assert build_multilingual_index(copy) == 0  # incremental: nothing left to embed
    found = search(copy, "câbles sous-marins", query_lang="fr", limit=3)
    assert any("cable" in s.lower() for s in found["sentence"]), found["sentence"].tolist()
    assert all("meaning: cosine" in w for w in found["why"])
    guessed = search(copy, "protéger les enfants en ligne contre les abus", limit=3)  # French, guessed as such
    assert guessed["why"].tolist() == search(copy, "protéger les enfants en ligne contre les abus",
                                             query_lang="fr", limit=3)["why"].tolist()
    # read as English, the same words meet MiniLM vectors: no error (the caller said so)
    assert len(search(copy, "câbles sous-marins", query_lang="en", limit=3)) == 3
    r = CliRunner().invoke(app, ["search", "câbles sous-marins", "--store", str(copy), "--query-lang", "fr",
                                 "--limit", "2"])
    assert r.exit_code == 0 and "1. [" in r.output, r.output


def test_results_render_for_a_notebook_with_words_marked_and_the_passage_in_context(store):
    from policytext.search import show
    from policytext.store import Store

    with Store(store, read_only=True) as db:
        found = db.search("submarine cables", limit=3)
    assert found.attrs["query"] == "submarine cables"
    assert (found["before"] != "").any() or (found["after"] != "").any()
    html = show(found)._repr_html_()
    assert html.count("<tr>") == 4 and "<mark>" in html and "in context" in html
    assert "submarine cables" in html and "para." in html
    hostile = found.assign(sentence=["<script>alert(1)</script> cables"] * 3)
    assert "<script>" not in show(hostile, "cables").html and "&lt;script&gt;" in show(hostile, "cables").html


def test_a_corpus_folder_is_analysed_on_the_fly_into_a_cached_store(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYTEXT_CACHE", str(tmp_path / "cache"))
    args = ["search", "submarine cables", "--corpus", str(DEMO), "--eu", "eu-digital-strategy", "--limit", "2"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0 and "1. [" in first.output and "cable" in first.output.lower(), first.output
    assert list((tmp_path / "cache" / "search").glob("demo-*.duckdb"))
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "0 document(s) analysed" in again.output, again.output
    both = CliRunner().invoke(app, ["search", "cables", "--corpus", str(DEMO), "--store", "x.duckdb"])
    assert both.exit_code == 2 and "either --store" in both.output
    no_eu = CliRunner().invoke(app, ["search", "cables", "--corpus", str(DEMO)])
    assert no_eu.exit_code == 2 and "--eu" in no_eu.output
