"""The align and demo commands, end to end on the demo corpus (real models)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from policytext.cli import app

pytestmark = pytest.mark.slow


def test_align_formats(demo_dir):
    base = ["align", "--corpus", str(demo_dir), "--eu", "eu-digital-strategy",
            "--partner", "veloria-eu-joint-statement", "--partner", "fisheries-policy", "--by-document"]
    table = CliRunner().invoke(app, base)
    assert table.exit_code == 0, table.output
    assert "Partners x themes" in table.output and "overall" in table.output

    as_json = CliRunner().invoke(app, base + ["--format", "json"])
    results = json.loads(as_json.output)
    by_partner = {r["partner"]: r for r in results}
    assert by_partner["veloria-eu-joint-statement"]["overall"] > by_partner["fisheries-policy"]["overall"]
    assert results[0]["config"]["w_agreement"] == 0.45 and "embedding" in results[0]["models"]
    themes = {t["theme"]: t for t in by_partner["veloria-eu-joint-statement"]["themes"]}
    assert themes["connectivity"]["evidence"][0]["partner"]["anchor"].startswith("veloria-eu-joint-statement")

    as_csv = CliRunner().invoke(app, base + ["--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert len(rows) == 2 * 17 and {"partner", "theme", "score", "low", "high"} <= set(rows[0])


def test_align_unknown_document_is_a_clear_error(demo_dir):
    result = CliRunner().invoke(app, ["align", "--corpus", str(demo_dir), "--eu", "eu-digital-strategy",
                                      "--partner", "no-such-doc"])
    assert result.exit_code == 2
    assert "no-such-doc" in result.output and "neither a document id nor a partner" in result.output


def test_align_takes_partner_names_as_report_does(demo_dir):
    """`align --partner NAME` works as `report --partner NAME`: case, spaces and a word of the name match."""
    base = ["align", "--corpus", str(demo_dir), "--eu", "eu-digital-strategy", "--format", "json"]
    by_id = json.loads(CliRunner().invoke(app, base + ["--partner", "veloria-eu-joint-statement"]).output)
    for name in ("Republic of Veloria", " republic of veloria ", "Veloria"):
        result = CliRunner().invoke(app, base + ["--partner", name])
        assert result.exit_code == 0, (name, result.output)
        assert json.loads(result.output)[0]["overall"] == by_id[0]["overall"]
    typo = CliRunner().invoke(app, base + ["--partner", "Kingdom of Ostmrak"])
    assert typo.exit_code == 2 and "Did you mean 'Kingdom of Ostmark'?" in typo.output


def test_demo_writes_an_escaped_summary_and_refuses_to_overwrite(demo_dir, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in demo_dir.iterdir():
        (corpus / f.name).write_bytes(f.read_bytes())
    # A partner named with markup (as a hostile manifest might) must show it as text in the summary.
    manifest = corpus / "manifest.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "Republic of Veloria,joint_statement", "Republic of Veloria <img src=x onerror=alert(1)>,joint_statement"),
        encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["demo", "--corpus", str(corpus), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = (out / "alignment-summary.md").read_text(encoding="utf-8")
    assert "Overall alignment" in summary and "Republic of Veloria" in summary
    assert "–––" not in summary  # a missing interval is one dash, as in the briefings
    assert "<img" not in summary and "&lt;img src=x onerror=alert\\(1\\)&gt;" in summary
    data = json.loads((out / "alignment.json").read_text(encoding="utf-8"))
    assert {r["partner"] for r in data} >= {"Republic of Veloria <img src=x onerror=alert(1)>", "Kingdom of Ostmark"}
    assert (out / "alignment-table.csv").read_text().startswith("partner,")
    again = CliRunner().invoke(app, ["demo", "--corpus", str(corpus), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    # a briefing left from before is refused too, with nothing written
    for name in ("alignment-summary.md", "alignment.json", "alignment-table.csv"):
        (out / name).unlink()
    pages = sorted(out.glob("*.html"))
    assert pages
    for page in pages[1:]:
        page.unlink()
    pages[0].write_text("an analyst's edited copy", encoding="utf-8")
    again = CliRunner().invoke(app, ["demo", "--corpus", str(corpus), "--out", str(out)])
    assert again.exit_code == 2 and pages[0].name in again.output and "--force" in again.output
    assert pages[0].read_text(encoding="utf-8") == "an analyst's edited copy"
    assert not (out / "alignment.json").exists()
    forced = CliRunner().invoke(app, ["demo", "--corpus", str(corpus), "--out", str(out), "--force"])
    assert forced.exit_code == 0 and pages[0].read_text(encoding="utf-8").startswith("<!")
