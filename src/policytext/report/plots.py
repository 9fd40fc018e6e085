"""Matplotlib figures of alignment results, for notebooks.

matplotlib is imported only when a function here is called (install it with
``pip install 'policytext[report]'``).  Figures are built with the
object-oriented API (:class:`matplotlib.figure.Figure`), never through
``pyplot``, so nothing global is touched; Jupyter displays the returned figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import OptionalDependencyError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..alignment import Alignment

__all__ = ["plot_alignment", "plot_heatmap", "plot_rows"]


def _figure(**kwargs: Any) -> Figure:
    try:
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise OptionalDependencyError("matplotlib", feature="Plotting", extra="report") from e
    return Figure(**kwargs)


def plot_rows(rows: Sequence[Mapping[str, Any]], *, title: str = "", level: float = 0.9) -> Figure:
    """Horizontal bars of scores with interval whiskers from rows with ``label``, ``score``, ``low``, ``high``.

    Rows without a score are shown as "not addressed" (no bar).
    """
    labels = [str(r.get("label", r.get("theme", ""))) for r in rows]
    fig = _figure(figsize=(8, 0.32 * max(len(rows), 3) + 1.0), layout="constrained")
    ax = fig.add_subplot()
    ys = list(range(len(rows)))[::-1]
    for y, r in zip(ys, rows):
        score = r.get("score")
        if score is None:
            ax.text(1, y, "not addressed by the EU reference", va="center", fontsize=8, color="#6b7280",
                    style="italic")
            continue
        ax.barh(y, score, color="#3b82f6", height=0.6)
        low, high = r.get("low"), r.get("high")
        if low is not None and high is not None:
            ax.errorbar(score, y, xerr=[[score - low], [high - score]], fmt="none", ecolor="#111827", capsize=3,
                        linewidth=1)
        ax.text(max(score, high or score) + 1.5, y, f"{score:.0f}", va="center", fontsize=8)
    ax.set_yticks(ys, labels)
    ax.set_xlim(0, 105)
    ax.set_xlabel(f"score 0–100 (whiskers: {level:.0%} interval)")
    ax.grid(axis="x", color="#e5e7eb")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    return fig


def plot_alignment(alignment: Alignment, *, labels: Mapping[str, str] | None = None,
                   scored_only: bool = False) -> Figure:
    """Bar chart of an alignment's theme scores with their intervals.

    Parameters
    ----------
    alignment : an :class:`~policytext.alignment.Alignment`.
    labels : theme id -> label (default: the default taxonomy's labels).
    scored_only : leave out the themes the EU reference does not address.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from policytext.report import plot_alignment      # doctest: +SKIP
    >>> plot_alignment(result)                             # doctest: +SKIP
    """
    from .summarise import theme_labels

    names = dict(labels or theme_labels([t.theme for t in alignment.themes]))
    rows = [{"label": names.get(t.theme, t.theme), "score": t.score, "low": t.low, "high": t.high}
            for t in alignment.themes if t.score is not None or not scored_only]
    overall = "–" if alignment.overall is None else f"{alignment.overall:.0f}"
    return plot_rows(rows, title=f"{alignment.partner}: overall {overall}",
                     level=float(alignment.config.get("interval", 0.9)))


def plot_heatmap(alignments: Sequence[Alignment], *, labels: Mapping[str, str] | None = None) -> Figure:
    """Partners × themes heatmap of scores (grey where a theme is not scored)."""
    import numpy as np

    from .summarise import theme_labels

    if not alignments:
        raise ValueError("plot_heatmap needs at least one alignment")
    themes = [t.theme for t in alignments[0].themes]
    names = dict(labels or theme_labels(themes))
    values = np.array([[np.nan if a.theme(t).score is None else a.theme(t).score for t in themes]
                       for a in alignments], dtype=float)
    fig = _figure(figsize=(0.45 * len(themes) + 3, 0.4 * len(alignments) + 2.2), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(np.ma.masked_invalid(values), cmap="Blues", vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(themes)), [names.get(t, t) for t in themes], rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(alignments)), [a.partner for a in alignments], fontsize=9)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            ax.text(j, i, "–" if np.isnan(v) else f"{v:.0f}", ha="center", va="center", fontsize=7,
                    color="white" if not np.isnan(v) and v >= 55 else "#111827")
    fig.colorbar(image, ax=ax, label="score")
    return fig
