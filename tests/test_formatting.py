"""One way to write numbers, intervals and quotes in every report and table."""

from __future__ import annotations

import math

from policytext.formatting import escape_markdown, interval, metric, number, percent, shorten


def test_missing_values_look_the_same_everywhere():
    assert number(None) == number(math.nan) == interval(None, 3) == percent(None) == "–"
    assert number(71.6) == "72" and number(0.5, 2) == "0.50" and number(None, missing="-") == "-"
    assert interval(61.2, 80.4) == "61–80" and percent(0.454) == "45%"
    assert metric(0.71912) == "0.719" and metric(math.nan) == "n/a"


def test_quotes_are_cut_at_a_word_boundary_with_an_ellipsis():
    text = "Both sides will refrain from interference in the internal affairs of other states."
    assert shorten(text, 200) == text
    cut = shorten(text, 40)
    assert cut.endswith("…") and len(cut) <= 40
    assert text.startswith(cut[:-1]) and text[len(cut) - 1] == " "  # the cut falls between two words
    assert "interfer…" not in shorten(text, 37) and shorten(text, 37) == "Both sides will refrain from…"
    assert shorten("a   b\n c", 10) == "a b c"  # on one line
    assert shorten("Supercalifragilistic", 8) == "Superca…"  # one long word: cut inside


def test_markdown_escaping_keeps_quoted_text_as_text():
    assert escape_markdown("<b>*x*</b>") == "&lt;b&gt;\\*x\\*&lt;/b&gt;"
