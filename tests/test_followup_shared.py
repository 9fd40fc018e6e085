"""Follow-up tracker and strongest agreed wording on the shared corpus's two EU-US TTC statements (real models)."""

from __future__ import annotations

import csv
import shutil

import pytest
from typer.testing import CliRunner

from policytext.cli import app
from policytext.followup import followup
from policytext.search import agreed_wording

pytestmark = pytest.mark.slow
IDS = ("eu-us-ttc-2021", "eu-us-ttc-2023", "eu-ids-2025-press")


@pytest.fixture(scope="module")
def store(shared, tmp_path_factory):
    """The two TTC statements and the EU press release, scored (a copy of their files: the data set is read-only)."""
    from policytext.batch import score_corpus

    root = tmp_path_factory.mktemp("ttc")
    with open(shared / "corpora" / "manifest.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if r["id"] in IDS]
        fields = reader.fieldnames
    assert sorted(r["id"] for r in rows) == sorted(IDS)
    (root / "texts").mkdir()
    for r in rows:
        for src in (shared / "corpora" / "texts").glob(f"{r['id']}.*"):
            shutil.copy(src, root / "texts" / src.name)
    with open(root / "manifest.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    score_corpus(root, eu="eu-ids-2025-press", out=root / "out", progress=False)
    return root / "out" / "store.duckdb"


def test_dated_commitments_are_followed_up_in_the_later_statement(store):
    dated = followup(store, "united states")
    by_deadline = dict(zip(dated["deadline"], dated["status"]))
    # 2021: "... will begin in the relevant TTC working groups ahead of the next TTC Meeting": the 2023 statement
    # follows; 2023: "By the next U.S.-EU TTC Ministerial ... mapping of digital identity": nothing later here.
    assert by_deadline["ahead of the next TTC Meeting"] in ("silent", "done", "in progress", "renewed", "mentioned")
    assert by_deadline["By the next U.S.-EU TTC Ministerial"] == "no later document"
    assert set(dated["due"]) <= {"date", "event", "period"} and "in May 2009" not in by_deadline  # a reference
    assert set(dated["speaker"]) <= {"joint"}  # the EU's own lines are not the partner's promises


def test_every_commitment_links_to_reports_with_a_status(store):
    links = followup(store, "United States", deadlines_only=False, long=True)
    linked = links[links["link_sentence"] != ""]
    assert len(linked) >= 20
    assert set(linked["doc_id"]) == {"eu-us-ttc-2021"} and set(linked["link_anchor"].str.split(",").str[0]) == {
        "eu-us-ttc-2023"}
    assert set(linked["link_status"]) <= {"done", "in progress", "renewed", "mentioned"}
    done = linked[linked["link_status"] == "done"]
    assert any("early warning mechanism" in s for s in done["link_sentence"])
    assert not any("expect to have developed" in s for s in done["link_sentence"])  # a promise, not a report
    with pytest.raises(ValueError, match="no analysed document of partner 'Atlantis'"):
        followup(store, "Atlantis")


def test_strongest_agreed_wording_with_its_history(store):
    cables = agreed_wording(store, "subsea cables", partner="United States")
    assert len(cables) and all("cable" in s.lower() for s in cables["sentence"])
    assert set(cables["speaker"]) == {"joint"} and set(cables["date"]) == {"2023-05-31"}
    assert set(cables["signed_by"]) == {"EU and US"}
    chips = agreed_wording(store, "semiconductor supply chains", partner="United States")
    firmness = chips["strength"].map({"firm": 3, "intent": 2, "soft": 1}).tolist()
    assert firmness == sorted(firmness, reverse=True)  # firmest first
    spanning = chips[chips["versions"] >= 2]
    assert len(spanning), "an undertaking phrased in both statements"
    history = spanning["history"].iloc[0]
    assert [h["date"] for h in history] == sorted(h["date"] for h in history)
    assert {h["doc_id"] for h in history} == {"eu-us-ttc-2021", "eu-us-ttc-2023"}
    assert agreed_wording(store, "deep-sea mining royalties", partner="United States").empty


def test_the_command_lines(store):
    out = CliRunner().invoke(app, ["followup", "--partner", "United States", "--store", str(store)])
    assert out.exit_code == 0, out.output
    assert "[NO LATER DOCUMENT]" in out.output and "By the next U.S.-EU TTC Ministerial" in out.output
    out = CliRunner().invoke(app, ["agreed", "subsea cables", "--partner", "United States", "--store", str(store)])
    assert out.exit_code == 0 and "1. intent, 2023-05-31 [eu-us-ttc-2023" in out.output, out.output
    assert "signed by EU and US" in out.output
    out = CliRunner().invoke(app, ["followup", "--partner", "Atlantis", "--store", str(store)])
    assert out.exit_code == 2 and "no analysed document" in out.output


def test_the_briefing_follows_up_earlier_dated_commitments(store):
    from policytext import load_corpus
    from policytext.report import build_briefings

    corpus = load_corpus(store.parent.parent)
    (report,), _ = build_briefings(corpus, ["eu-ids-2025-press"], ["United States"])
    earlier = report.data["follow_up"]["earlier"]
    semis = [x for x in earlier if "semiconductor" in x["quote"]["text"]]
    assert semis and semis[0]["deadline"] == "ahead of the next TTC Meeting"
    assert semis[0]["later_documents"] == ["eu-us-ttc-2023"] and semis[0]["status"] in (
        "done", "in progress", "renewed", "mentioned", "silent")
    assert semis[0]["quote"]["voice"]  # who said it
    assert "Earlier dated commitments and what later documents say" in report.markdown()
    assert "Earlier dated commitments and what later documents say" in report.html()
