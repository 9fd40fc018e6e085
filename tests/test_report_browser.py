"""The ``policytext report`` command and its HTML briefing in headless Chromium.

One CLI run (one set of models) writes briefings for three partners of a copy
of the demo corpus, one of them a document whose title, partner name and text
carry ``<script>`` and ``<img onerror=...>`` markup.  Chromium then renders the
briefing with every host name unresolvable and a network log: charts and
tables render, the screenshot is not blank, the markup shows as text and never
runs, and the page makes no network request (checked against a positive
control page that does).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policytext.cli import app

pytestmark = pytest.mark.slow

HOSTILE_TEXT = """Cyber Strategy of the Republic of Hostilia

The Government will respond to malicious cyber activities <script>document.title='pwned'</script> together with its partners.

We will protect personal data and privacy <img src=x onerror="document.title='pwned'"> in every digital partnership.

Hostilia will invest in secure submarine cables and trusted connectivity with Europe.
"""
HOSTILE_ROW = ('hostile-doc,"Hostile <script>document.title=\'pwned\'</script> paper",Hostilia,'
               '"Hostilia <img src=x onerror=alert(1)>",strategy,2025-02-01,en,,CC0-1.0,60,yes,,,hostile.txt\n')
PARTNERS = ["veloria-eu-joint-statement", "Kingdom of Ostmark", "hostile-doc"]


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        msg = "chromium not found: run `make chromium` (apt-get install -y chromium)"
        if os.environ.get("CI") or os.environ.get("POLICYTEXT_REQUIRE_SHARED"):
            pytest.fail(msg)
        pytest.skip(msg)
    return exe


def _run_chromium(page: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    args = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND", *extra, page.as_uri(),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=90, check=False)


def _page_requests(net_log: Path) -> list[str]:
    """http(s) requests started on behalf of a page (browser-internal update/account checks excluded).

    A page's request carries the page's origin as initiator ("null" for file://) and a
    network isolation key naming it; the browser's own requests have no initiator.
    """
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:
        p = event.get("params", {})
        if event["type"] != start_job or not str(p.get("url", "")).startswith(("http:", "https:")):
            continue
        if p.get("initiator") != "not an origin" or "file://" in str(p.get("network_isolation_key", "")):
            urls.append(p["url"])
    return urls


@pytest.fixture(scope="module")
def briefings(demo_dir, tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("hostile-corpus")
    for f in demo_dir.iterdir():
        (corpus / f.name).write_bytes(f.read_bytes())
    (corpus / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    with (corpus / "manifest.csv").open("a", encoding="utf-8") as fh:
        fh.write(HOSTILE_ROW)
    out = tmp_path_factory.mktemp("briefings")
    args = ["report", "--corpus", str(corpus), "--eu", "eu-digital-strategy", "--out", str(out)]
    for p in PARTNERS:
        args += ["--partner", p]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Republic of Veloria: overall" in result.output
    # Refuses to overwrite, before analysing anything.
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "--force" in again.output
    return out


def _hostile_html(folder: Path) -> Path:
    [page] = [p for p in folder.glob("briefing-hostilia*.html")]
    return page


def test_report_writes_four_formats_per_partner_and_a_comparison(briefings):
    stems = {p.stem for p in briefings.iterdir()}
    assert stems == {"briefing-republic-of-veloria", "briefing-kingdom-of-ostmark",
                     "briefing-hostilia-img-src-x-onerror-alert-1", "comparison"}
    for stem in stems:
        assert {p.suffix for p in briefings.glob(f"{stem}.*")} == {".html", ".md", ".docx", ".json"}
    data = json.loads(_hostile_html(briefings).with_suffix(".json").read_text(encoding="utf-8"))
    # The hostile markup reached the report as data (so the escaping below is really tested).
    assert data["partner"] == "Hostilia <img src=x onerror=alert(1)>"
    assert any("<script>document.title='pwned'</script>" in q["text"] for q in data["annex"])
    comp = json.loads((briefings / "comparison.json").read_text(encoding="utf-8"))
    assert len(comp["partners"]) == 3 and len(comp["matrix"][0]) == len(comp["themes"])


def test_bad_partner_and_missing_corpus_exit_2(briefings, demo_dir, tmp_path):
    r = CliRunner().invoke(app, ["report", "--corpus", str(demo_dir), "--eu", "eu-digital-strategy",
                                 "--partner", "atlantis", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "atlantis" in r.output and "veloria-eu-joint-statement" in r.output
    r = CliRunner().invoke(app, ["report", "--corpus", str(tmp_path / "nope"), "--eu", "x", "--partner", "y",
                                 "--out", str(tmp_path)])
    assert r.exit_code == 2 and "not found" in r.output


def test_html_renders_charts_and_tables_and_runs_no_markup(briefings, tmp_path):
    page = _hostile_html(briefings)
    source = page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(|@import""", source, re.I)
    assert "<script" not in source.lower()
    run = _run_chromium(page, tmp_path, "--dump-dom")
    dom = run.stdout
    assert run.returncode == 0 and "</html>" in dom, run.stderr[-2000:]
    assert len(re.findall(r"<svg\b", dom)) >= 1 and len(re.findall(r'<rect class="bar"', dom)) >= 3
    assert len(re.findall(r"<table\b", dom)) >= 3 and len(re.findall(r"<tr\b", dom)) > 17
    # The markup is text: no element was created from it, nothing ran, the text is there.
    assert not re.search(r"<script\b", dom, re.I) and not re.search(r"<img\b", dom, re.I)
    title = re.search(r"<title>(.*?)</title>", dom, re.S).group(1)
    assert "pwned" not in title and title.startswith("Dialogue briefing: Hostilia")
    text = html.unescape(dom)
    assert "<script>document.title='pwned'</script>" in text
    assert "<img src=x onerror=\"document.title='pwned'\">" in text or "onerror" in text


def test_screenshot_is_not_blank_and_no_network_request_is_made(briefings, tmp_path):
    from PIL import Image, ImageStat

    page = _hostile_html(briefings)
    shot, net = tmp_path / "shot.png", tmp_path / "net.json"
    run = _run_chromium(page, tmp_path, f"--screenshot={shot}", "--window-size=1200,2200", f"--log-net-log={net}")
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    with Image.open(shot) as img:
        img = img.convert("L")
        assert img.size == (1200, 2200)
        stat = ImageStat.Stat(img)
        assert stat.stddev[0] > 15  # text, bars and table lines, not a blank page
        dark = sum(img.histogram()[:128]) / (img.size[0] * img.size[1])
        assert dark > 0.01
    assert _page_requests(net) == []


def test_network_check_detects_a_page_that_fetches(tmp_path):
    """Positive control: the net-log check does see a page's own requests."""
    page = tmp_path / "fetching.html"
    page.write_text('<html><body><img src="http://example.invalid/x.png"></body></html>', encoding="utf-8")
    net = tmp_path / "net.json"
    _run_chromium(page, tmp_path, "--dump-dom", f"--log-net-log={net}")
    assert _page_requests(net) == ["http://example.invalid/x.png"]


def _h2(text: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", text, re.S)]


def _citations(text: str) -> set[str]:
    return set(re.findall(r"Q\d+: [^\]\\]+", text.replace("\\", "")))


@pytest.mark.parametrize("stem", ["briefing-republic-of-veloria", "briefing-kingdom-of-ostmark", "comparison"])
def test_docx_and_markdown_hold_the_same_sections_and_citations_as_html(briefings, stem):
    from docx import Document

    page = (briefings / f"{stem}.html").read_text(encoding="utf-8")
    md = (briefings / f"{stem}.md").read_text(encoding="utf-8")
    doc = Document(str(briefings / f"{stem}.docx"))
    sections = _h2(page)
    assert sections and sections == [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert sections == [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    docx_text = "\n".join(p.text for p in doc.paragraphs)
    assert _citations(html.unescape(page)) == _citations(md) == _citations(docx_text)
    if stem != "comparison":
        assert _citations(page), "a briefing cites its evidence"
        assert len(doc.inline_shapes) == 1  # the chart
