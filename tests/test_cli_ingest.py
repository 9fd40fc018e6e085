"""``policytext ingest``: what loaded, what failed, and the exit codes 0/1/2."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from policytext.cli import app

runner = CliRunner()


def test_ingest_demo_corpus(demo_dir):
    result = runner.invoke(app, ["ingest", str(demo_dir)])
    assert result.exit_code == 0, result.output
    assert "Loaded 4 document(s)" in result.output
    for doc_id in ("eu-digital-strategy", "veloria-eu-joint-statement", "ostmark-national-strategy", "fisheries-policy"):
        assert doc_id in result.output
    assert "Failed" not in result.output


def test_ingest_json(demo_dir):
    result = runner.invoke(app, ["ingest", str(demo_dir), "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert [r["doc_id"] for r in rows] == [
        "eu-digital-strategy", "veloria-eu-joint-statement", "ostmark-national-strategy", "fisheries-policy"
    ]
    assert all(r["status"] == "ok" and r["words"] > 0 for r in rows)


def test_ingest_reports_failures_but_succeeds(tmp_path):
    (tmp_path / "good.txt").write_text("The EU will invest in secure connectivity.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes("numérique".encode("latin-1"))
    (tmp_path / "fr.txt").write_text(
        "L'Union européenne investira dans une connectivité sécurisée avec ses partenaires.", encoding="utf-8"
    )
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Loaded 2 document(s)" in result.output
    assert "Failed: 1" in result.output and "bad.txt: not valid UTF-8" in result.output
    assert "warning: fr:" in result.output and "not English" in result.output
    result = runner.invoke(app, ["ingest", str(tmp_path), "--json"])
    statuses = sorted(json.loads(line)["status"] for line in result.output.splitlines() if line.strip())
    assert statuses == ["failed", "ok", "ok"]


def test_ingest_exits_1_when_nothing_loads(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "manifest.csv").write_text("id,path\nempty,empty.txt\nmissing,missing.txt\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 1
    assert "Loaded 0 document(s)" in result.output and "Failed: 2" in result.output
    assert "the file is empty" in result.output and "not found" in result.output


def test_ingest_exits_2_when_corpus_unusable(tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "corpus folder not found" in result.output
    (tmp_path / "manifest.csv").write_text("id,title\na,A\na,B\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(tmp_path)])
    assert result.exit_code == 2
    assert "duplicate id 'a'" in result.output
    result = runner.invoke(app, ["ingest", str(tmp_path), "--manifest", "other.csv"])
    assert result.exit_code == 2 and "manifest not found" in result.output


def test_ingest_shared_corpus(shared):
    from policytext.ingest import read_manifest

    rows = read_manifest(shared / "corpora" / "manifest.csv")
    assert len(rows) >= 21
    result = runner.invoke(app, ["ingest", str(shared / "corpora")])
    assert result.exit_code == 0
    assert f"Loaded {len(rows)} document(s)" in result.output
