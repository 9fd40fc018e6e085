"""The review loop: the session and widget logic (headless), the terminal command, and corrections -> training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policytext.cli import app

DEMO = Path(__file__).resolve().parents[1] / "corpora" / "demo"
pytestmark = pytest.mark.slow


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.fixture(scope="module")
def session_factory():
    from policytext.pipeline import Analyzer
    from policytext.review import ReviewSession

    analyzer = Analyzer()  # one analyzer for the module: each document is analysed once
    return lambda out, **kw: ReviewSession(DEMO, out, analyzer=analyzer, **kw)


def test_items_come_least_sure_first_with_the_model_reading(session_factory, tmp_path):
    s = session_factory(tmp_path / "gold.jsonl")
    assert len(s.items) > 40 and all(it.text for it in s.items)
    margins = [it.margin for it in s.items]
    assert margins == sorted(margins)  # cue/model disagreements (-1) first, then by margin
    first = s.items[0]
    assert first.margin == -1.0 and "cue" in first.why
    assert set(first.cue_themes) - set(first.themes)
    assert {"id", "doc_id", "text", "themes", "commitment", "strength", "actor", "speaker"} <= set(first.reading())


def test_widget_saves_each_answer_at_once_and_a_new_session_resumes(session_factory, tmp_path):
    from policytext.review import ReviewWidget

    out = tmp_path / "gold.jsonl"
    s = session_factory(out)
    w = ReviewWidget(s)
    first = w.item
    w.accept_button.click()
    assert [r["id"] for r in lines(out)] == [first.id] and lines(out)[0]["review"] == "accepted"
    second = w.item
    assert second is not first
    for box in w.themes.values():
        box.value = False
    w.themes["dpi"].value = True
    w.commitment.value = True
    w.strength.value = "intent"
    w.actor.value = "EU"
    w.save_button.click()
    saved = lines(out)[1]
    assert saved["id"] == second.id and saved["review"] == "corrected"
    assert (saved["themes"], saved["commitment"], saved["strength"], saved["actor"]) == (["dpi"], True, "intent", "EU")
    # a commitment without a strength is refused in the widget, nothing saved
    w.commitment.value, w.strength.value = True, None
    w.save_button.click()
    assert "strength" in w.status.value and len(lines(out)) == 2
    w.skip_button.click()
    again = session_factory(out)
    assert len(again.pending()) == len(s.items) - 2 and first.id in again.done and second.id in again.done


def test_corrections_are_checked(session_factory, tmp_path):
    s = session_factory(tmp_path / "gold.jsonl")
    item = s.next()
    with pytest.raises(ValueError, match="unknown theme"):
        s.correct(item, themes=["not_a_theme"])
    with pytest.raises(ValueError, match="strength must be"):
        s.correct(item, commitment=True, strength="very firm")
    row = s.correct(item, commitment=False)
    assert row["strength"] is None and row["actor"] is None
    (tmp_path / "bad.jsonl").write_text("not json\n", encoding="utf-8")
    from policytext.evaluate import GoldError

    with pytest.raises(GoldError, match="bad.jsonl, line 1"):
        session_factory(tmp_path / "bad.jsonl")


def test_terminal_review_accepts_skips_corrects_and_quits(tmp_path):
    out = tmp_path / "gold.jsonl"
    r = CliRunner().invoke(app, ["review", "--corpus", str(DEMO), "--out", str(out), "--doc", "eu-digital-strategy"],
                           input="a\ns\nthemes=ai,privacy commitment=no\nnonsense\nq\n")
    assert r.exit_code == 0, r.output
    rows = lines(out)
    assert [row["review"] for row in rows] == ["accepted", "corrected"]
    assert rows[1]["themes"] == ["ai", "privacy"] and rows[1]["commitment"] is False
    assert "not understood" in r.output and "2 answer(s) saved" in r.output
    assert all(row["doc_id"] == "eu-digital-strategy" for row in rows)
    bad = CliRunner().invoke(app, ["review", "--corpus", str(DEMO), "--out", str(out), "--doc", "nope"])
    assert bad.exit_code == 2 and "not in the corpus: nope" in bad.output


def test_twenty_corrections_train_models_that_predict_them(session_factory, tmp_path):
    """Round trip: correct 20 sentences, train, and the new theme model predicts them as corrected."""
    from policytext.themes import ThemeClassifier

    out = tmp_path / "corrections.jsonl"
    s = session_factory(out)
    items = s.pending()[:40]
    corrected = items[::2][:20]
    for it in items:
        if it in corrected:
            s.correct(it, themes=sorted(set(it.themes) | {"dpi"}))
        else:
            s.correct(it, themes=[t for t in it.themes if t != "dpi"])
    assert sum(r["review"] == "corrected" for r in lines(out)) >= 15
    models = tmp_path / "models"
    r = CliRunner().invoke(app, ["train", str(out), "--corpus", str(DEMO), "--out", str(models)])
    assert r.exit_code == 0, r.output
    assert "grouped cross-validation" in r.output and "theme macro-F1" in r.output and "commitment F1" in r.output
    assert {"theme_model.npz", "commitment_model.npz", "README.md"} <= {p.name for p in models.iterdir()}
    clf = ThemeClassifier.load(models)
    predicted = clf.predict_themes([it.text for it in corrected])
    assert sum("dpi" in p for p in predicted) >= 18
    # the labels were given by position, not meaning, so some spill-over is expected; far less than on them
    others = clf.predict_themes([it.text for it in items if it not in corrected])
    assert sum("dpi" in p for p in others) <= 10
    # nothing is overwritten without --force; --model uses the new folder
    again = CliRunner().invoke(app, ["train", str(out), "--corpus", str(DEMO), "--out", str(models)])
    assert again.exit_code == 2 and "--force" in again.output
    aligned = CliRunner().invoke(app, ["align", "--corpus", str(DEMO), "--eu", "eu-digital-strategy", "--partner",
                                       "veloria-eu-joint-statement", "--model", str(models), "--format", "json"])
    assert aligned.exit_code == 0, aligned.output
    bad = CliRunner().invoke(app, ["align", "--corpus", str(DEMO), "--eu", "eu-digital-strategy", "--partner",
                                   "veloria-eu-joint-statement", "--model", str(tmp_path)])
    assert bad.exit_code == 2 and "no model folder" in bad.output
