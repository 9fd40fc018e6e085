"""How numbers and quoted text are written in every report, summary and command-line table.

One place, so a briefing, the demo summary, the CLI and the evaluation
printouts show a missing value, a score or an escaped quote the same way.
"""

from __future__ import annotations

import math
import re

__all__ = ["MISSING", "escape_markdown", "interval", "metric", "number", "percent", "shorten"]

#: How a missing value (``None`` or ``NaN``) is shown in reports.
MISSING = "–"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def number(x: float | None, digits: int = 0, *, missing: str = MISSING) -> str:
    """``x`` with ``digits`` decimals (``"72"``), or ``missing`` for ``None``/``NaN``."""
    return missing if _missing(x) else f"{x:.{digits}f}"


def percent(x: float | None, *, missing: str = MISSING) -> str:
    """A share in [0, 1] as a whole percentage (``"45%"``), or ``missing``."""
    return missing if _missing(x) else f"{x * 100:.0f}%"


def interval(low: float | None, high: float | None, *, missing: str = MISSING) -> str:
    """A score interval (``"61–80"``), or ``missing`` when either end is."""
    return missing if _missing(low) or _missing(high) else f"{low:.0f}–{high:.0f}"


def metric(x: float | None) -> str:
    """An evaluation figure with three decimals (``"0.719"``), or ``"n/a"``."""
    return "n/a" if _missing(x) else f"{x:.3f}"


def escape_markdown(text: str) -> str:
    """Escape Markdown and HTML syntax so quoted text renders as text."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", text)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when longer than ``limit``
    characters (a single word longer than the limit is cut inside, as nothing else fits)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace() and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–-") + "…"
