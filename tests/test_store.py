"""The DuckDB result store: round-trip, SQL, exports, one transaction per document (no models)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from policytext.alignment import AlignConfig, Unit, align_units
from policytext.records import Commitment, DocumentMeta, Entity
from policytext.records import Analysis
from policytext.store import TABLES, Store, StoreError, document_key

pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")

THEMES = ("ai", "connectivity", "privacy")


def _record(doc_id: str, n: int = 4, seed: int = 0) -> Analysis:
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(n, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    units = tuple(
        Unit(segment_id=f"{doc_id}:s{i}", doc_id=doc_id, text=f"We will act on item {i}.", page=None if i % 2 else 1,
             paragraph=i, start=10 * i, end=10 * i + 9, commitment=i % 2 == 0, strength="firm" if i % 2 == 0 else None,
             negated=False, condition="", is_heading=i == 3, is_note=i == 2)
        for i in range(n)
    )
    commitment = Commitment(commitment_id=f"{doc_id}:c0", doc_id=doc_id, segment_id=f"{doc_id}:s0",
                            text="We will act on item 0.", start=0, end=9, actor="EU", strength="firm",
                            themes=("ai", "privacy"), page=1, paragraph=0)
    entity = Entity(entity_id="EU", label="ACTOR", text="EU", doc_id=doc_id, segment_id=f"{doc_id}:s0", start=0, end=2)
    return Analysis(
        doc_key=document_key(DocumentMeta(doc_id=doc_id, content_hash=f"hash-{doc_id}")), doc_id=doc_id,
        units=units, vectors=vecs, theme_scores=rng.random((n, len(THEMES))), themes=THEMES,
        thresholds=np.array([0.5, 0.4, 0.6]), commitments=(commitment,), entities=(entity,), notes=("a note",),
        backend="multilingual", language="fr", meta=DocumentMeta(doc_id=doc_id, title="T", date="2025-01-01"),
        commitments_extracted=doc_id != "p",
    )


def assert_same_analysis(a: Analysis, b: Analysis) -> None:
    """Every field equal (arrays bit for bit)."""
    import dataclasses

    for f in dataclasses.fields(Analysis):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


def _alignment(eu: Analysis, partner: Analysis):
    return align_units(eu.units, eu.vectors, eu.theme_scores, partner.units, partner.vectors, partner.theme_scores,
                       THEMES, thresholds=eu.thresholds, partner="P", config=AlignConfig(n_bootstrap=20))


@pytest.fixture
def filled(tmp_path):
    eu, partner = _record("eu", seed=1), _record("p", seed=2)
    store = Store(tmp_path / "s.duckdb")
    run = store.begin_run(corpus="c", settings={"a": 1}, models={"m": "v"})
    store.put_result(run_id=run, doc_id="eu", doc_key=eu.doc_key, role="reference", status="analysed",
                     analysis_fp="fp", analysis=eu)
    store.put_result(run_id=run, doc_id="p", doc_key=partner.doc_key, role="partner", status="analysed",
                     analysis_fp="fp", analysis=partner, alignment=_alignment(eu, partner), reference_key="ref",
                     score_fp="sfp")
    store.finish_run(run, n_analysed=2)
    yield store, eu, partner, run
    store.close()


def test_analysis_round_trip_is_exact(filled):
    store, eu, partner, _ = filled
    back = store.load_analysis(partner.doc_key, "fp")
    assert back.units == partner.units
    assert back.vectors.dtype == np.float32 and np.array_equal(back.vectors, partner.vectors)
    assert np.array_equal(back.theme_scores, partner.theme_scores)
    assert back.themes == THEMES and np.array_equal(back.thresholds, partner.thresholds)
    assert back.commitments == partner.commitments and back.entities == partner.entities
    assert_same_analysis(back, partner)
    # Same inputs, same alignment: bit-exact arrays give the same bootstrap.
    assert _alignment(store.load_analysis(eu.doc_key, "fp"), back) == _alignment(eu, partner)


def test_a_store_written_before_notes_were_flagged_opens_and_reads_no_notes(tmp_path):
    path = tmp_path / "old.duckdb"
    record = _record("p")
    with Store(path) as store:
        run = store.begin_run(corpus="c", settings={}, models={})
        store.put_result(run_id=run, doc_id="p", doc_key=record.doc_key, role="partner", status="analysed",
                         analysis_fp="fp", analysis=record)
        store.con.execute("ALTER TABLE sentences DROP COLUMN is_note")  # the schema of the first release
    with Store(path, read_only=True) as store:  # read as it is: no column to add
        assert [u.is_note for u in store.load_analysis(record.doc_key, "fp").units] == [False] * len(record.units)
    with Store(path) as store:
        back = store.load_analysis(record.doc_key, "fp")
        assert [u.is_note for u in back.units] == [False] * len(record.units)
        assert [u.text for u in back.units] == [u.text for u in record.units]


def test_lookups_and_sql(filled):
    store, eu, partner, run = filled
    assert store.analysed([eu.doc_key, partner.doc_key, "nope"], "fp") == {eu.doc_key, partner.doc_key}
    assert store.analysed([eu.doc_key], "other-fp") == set()
    assert store.scored([partner.doc_key], "ref", "sfp") == {partner.doc_key}
    frame = store.sql("SELECT theme, score FROM theme_alignments WHERE doc_id = ? ORDER BY theme", ["p"])
    assert list(frame["theme"]) == sorted(THEMES)
    long = store.table("theme_scores")
    assert len(long) == 2 * 4 * len(THEMES)
    row = long[(long.segment_id == "p:s0") & (long.theme == "privacy")].iloc[0]
    assert row.score == pytest.approx(partner.theme_scores[0, 2]) and row.assigned == (row.score >= 0.6)
    runs = store.table("runs")
    assert runs.loc[0, "status"] == "finished" and json.loads(runs.loc[0, "settings"]) == {"a": 1}
    assert set(store.run_items(run)["status"]) == {"analysed"}
    with pytest.raises(ValueError, match="table must be one of"):
        store.table("nope")


def test_rewriting_a_document_replaces_it(filled):
    store, eu, partner, run = filled
    store.put_result(run_id=run, doc_id="p", doc_key=partner.doc_key, role="partner", status="analysed",
                     analysis_fp="fp", analysis=partner, alignment=_alignment(eu, partner), reference_key="ref",
                     score_fp="sfp")
    assert store.count("analyses") == 2 and store.count("sentences") == 8 and store.count("alignments") == 1
    assert store.count("run_items") == 2


def test_failed_write_rolls_back(filled):
    store, eu, partner, run = filled
    other = _record("q", seed=3)
    before = {t: store.count(t) for t in TABLES}
    with pytest.raises(ValueError, match="reference_key"):
        store.put_result(run_id=run, doc_id="q", doc_key=other.doc_key, role="partner", status="analysed",
                         analysis_fp="fp", analysis=other, alignment=_alignment(eu, other))
    assert {t: store.count(t) for t in TABLES} == before


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_exports(filled, tmp_path, fmt):
    store, *_ = filled
    paths = store.export(tmp_path / "exp", fmt=fmt, tables=["sentences", "theme_alignments"])
    assert [p.name for p in paths] == [f"sentences.{fmt}", f"theme_alignments.{fmt}"]
    if fmt == "parquet":
        frame = pd.read_parquet(paths[0])
        assert len(frame["embedding"].iloc[0]) == 8
    elif fmt == "csv":
        frame = pd.read_csv(paths[0])
        assert frame["embedding"].iloc[0].startswith("[")
    else:
        frame = pd.read_json(paths[0], lines=True)
    assert len(frame) == 8
    assert not list((tmp_path / "exp").glob(".*tmp"))  # written atomically


def test_unusable_file_is_refused(tmp_path):
    path = tmp_path / "not-a-db.duckdb"
    path.write_text("not a database")
    with pytest.raises(StoreError, match="not-a-db"):
        Store(path)


def test_a_csv_or_a_folder_is_refused_as_store_and_left_untouched(tmp_path):
    csv = tmp_path / "results.csv"
    csv.write_text("doc_id,score\na,1\n", encoding="utf-8")
    with pytest.raises(StoreError, match=r"results\.csv: not a DuckDB store \(it looks like a CSV file\)"):
        Store(csv)
    assert csv.read_text(encoding="utf-8") == "doc_id,score\na,1\n"
    with pytest.raises(StoreError, match="is a folder"):
        Store(tmp_path)
    with Store(tmp_path / "new.duckdb") as db:  # a new path, and then the same file again, are fine
        db.put_documents([])
    Store(tmp_path / "new.duckdb", read_only=True).close()


def test_cli_score_refuses_a_csv_store(tmp_path, demo_dir):
    from typer.testing import CliRunner

    from policytext.cli import app

    csv = tmp_path / "results.csv"
    csv.write_text("doc_id,score\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(demo_dir), "--eu", "eu-digital-strategy", "--store", str(csv)])
    assert result.exit_code == 2 and "not a DuckDB store" in result.output
    assert csv.read_text(encoding="utf-8") == "doc_id,score\n"


def test_document_key_follows_content_and_metadata():
    a = DocumentMeta(doc_id="x", content_hash="h", path="/a/x.txt")
    assert document_key(a) == document_key(DocumentMeta(doc_id="x", content_hash="h", path="/b/x.txt"))
    assert document_key(a) != document_key(DocumentMeta(doc_id="x", content_hash="h2"))
    assert document_key(a) != document_key(DocumentMeta(doc_id="x", content_hash="h", issuer="EU"))


@pytest.mark.slow
def test_an_analyzers_analysis_is_stored_and_loaded_unchanged(tmp_path, demo_dir):
    """The Analyzer, batch workers and the store share one record: saved and loaded as it was made."""
    from policytext import Analyzer, load_corpus

    doc = load_corpus(demo_dir)["veloria-eu-joint-statement"]
    made = Analyzer().analyze(doc)
    assert made.doc_key == document_key(doc.meta) and made.backend == "default" and made.meta == doc.meta
    assert made.precision in ("fp32", "bf16") and made.models["embedding"]["name"] == "all-MiniLM-L6-v2"
    with Store(tmp_path / "s.duckdb") as db:
        run = db.begin_run(corpus="c", settings={}, models={})
        db.put_result(run_id=run, doc_id=made.doc_id, doc_key=made.doc_key, role="partner", status="analysed",
                      analysis_fp="fp", analysis=made)
        assert_same_analysis(db.load_analysis(made.doc_key, "fp"), made)


def test_result_rows_become_the_frame_duckdb_itself_would_give():
    """Batch results are fetched as plain rows (no pandas on a no-op rerun); asked for a DataFrame, they
    give DuckDB's own ``.df()``: same values, NULLs and dtypes."""
    import duckdb

    from policytext.batch.run import Rows

    query = ("SELECT * FROM (VALUES ('a', 1.5, 3::INTEGER, NULL::INTEGER, NULL::VARCHAR, 7::BIGINT), "
             "('b', NULL, 4::INTEGER, 5::INTEGER, 'x', 8::BIGINT)) t(s, d, i, ni, nv, b)")
    con = duckdb.connect()
    cur = con.execute(query)
    rows = Rows(tuple(c[0] for c in cur.description), tuple(str(c[1]) for c in cur.description), cur.fetchall())
    expected = con.sql(query).df()
    pd.testing.assert_frame_equal(rows.frame(), expected)
    assert len(rows) == 2 and rows.records()[1]["nv"] == "x"
    empty = Rows(rows.columns, rows.types, [])
    assert list(empty.frame().columns) == list(expected.columns) and len(empty) == 0
