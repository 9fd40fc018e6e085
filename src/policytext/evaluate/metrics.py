"""The figures: multi-label precision/recall/F1, commitment metrics, Spearman's rho, and their printout."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..records import STRENGTHS


__all__ = ["commitment_metrics", "format_metrics", "multilabel_metrics", "spearman"]


def multilabel_metrics(truth: np.ndarray, pred: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Per-label precision, recall, F1, support and predicted count, with micro and macro averages.

    Macro averages are over all ``labels`` (a label with no gold and no
    predicted positives scores 0 only if it has predictions, else it is left
    out of the macro average and marked ``"empty": True``).
    """
    truth, pred = np.asarray(truth).astype(bool), np.asarray(pred).astype(bool)
    per: dict[str, dict[str, Any]] = {}
    ps, rs, fs = [], [], []
    for k, label in enumerate(labels):
        tp = int((truth[:, k] & pred[:, k]).sum())
        npred, nsup = int(pred[:, k].sum()), int(truth[:, k].sum())
        p = tp / npred if npred else 0.0
        r = tp / nsup if nsup else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        empty = nsup == 0 and npred == 0
        per[label] = {"precision": p, "recall": r, "f1": f, "support": nsup, "predicted": npred, "empty": empty}
        if not empty:
            ps.append(p)
            rs.append(r)
            fs.append(f)
    tp = int((truth & pred).sum())
    npred, nsup = int(pred.sum()), int(truth.sum())
    p = tp / npred if npred else 0.0
    r = tp / nsup if nsup else 0.0
    micro = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": nsup,
             "predicted": npred}
    macro = {"precision": float(np.mean(ps)) if ps else 0.0, "recall": float(np.mean(rs)) if rs else 0.0,
             "f1": float(np.mean(fs)) if fs else 0.0, "labels": len(fs)}
    return {"per_label": per, "micro": micro, "macro": macro}


def format_metrics(section: dict[str, Any], *, title: str = "") -> str:
    """Render one metrics section as a fixed-width table."""
    lines = [title] if title else []
    if "per_label" not in section:  # a flat section (e.g. added by another stage)
        for k, v in section.items():
            if isinstance(v, dict):
                v = ", ".join(f"{a}={b:.3f}" if isinstance(b, float) else f"{a}={b}" for a, b in v.items())
            lines.append(f"  {k}: {v:.3f}" if isinstance(v, float) else f"  {k}: {v}")
        return "\n".join(lines)
    width = max([len(k) for k in section["per_label"]] + [10])
    lines.append(f"  {'label':<{width}}  {'prec':>6} {'recall':>6} {'f1':>6} {'gold':>5} {'pred':>5}")
    for label, m in section["per_label"].items():
        lines.append(f"  {label:<{width}}  {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} "
                     f"{m['support']:5d} {m['predicted']:5d}")
    mi, ma = section["micro"], section["macro"]
    lines.append(f"  {'micro avg':<{width}}  {mi['precision']:6.3f} {mi['recall']:6.3f} {mi['f1']:6.3f} "
                 f"{mi['support']:5d} {mi['predicted']:5d}")
    lines.append(f"  {'macro avg':<{width}}  {ma['precision']:6.3f} {ma['recall']:6.3f} {ma['f1']:6.3f}")
    return "\n".join(lines)


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    from scipy.stats import spearmanr

    a, b = np.asarray(a, float), np.asarray(b, float)
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return float(spearmanr(a, b).statistic)


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def commitment_metrics(gold: Sequence[dict], pred: Sequence[dict]) -> dict[str, Any]:
    """Commitment detection P/R/F1, strength accuracy and macro-F1, actor accuracy.

    ``gold`` and ``pred`` are aligned lists of dicts with ``commitment``,
    ``strength`` and ``actor``.  See the module docstring for the definitions.

    Raises
    ------
    ValueError
        if the lists differ in length.
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items but pred has {len(pred)}; they must be aligned")
    tp = sum(1 for g, p in zip(gold, pred) if g["commitment"] and p["commitment"])
    fp = sum(1 for g, p in zip(gold, pred) if not g["commitment"] and p["commitment"])
    fn = sum(1 for g, p in zip(gold, pred) if g["commitment"] and not p["commitment"])
    precision, recall, f1 = _f1(tp, fp, fn)
    pairs = [(g, p) for g, p in zip(gold, pred) if g["commitment"]]
    n = len(pairs)
    strength_acc = sum(1 for g, p in pairs if p["commitment"] and p["strength"] == g["strength"]) / n if n else 0.0
    per_class = {}
    for s in STRENGTHS:
        s_tp = sum(1 for g, p in pairs if g["strength"] == s and p["commitment"] and p["strength"] == s)
        s_fp = sum(1 for g, p in pairs if g["strength"] != s and p["commitment"] and p["strength"] == s)
        s_fn = sum(1 for g, p in pairs if g["strength"] == s and not (p["commitment"] and p["strength"] == s))
        per_class[s] = _f1(s_tp, s_fp, s_fn)[2]
    actor_acc = sum(1 for g, p in pairs if p["commitment"] and p["actor"] == g["actor"]) / n if n else 0.0
    return {
        "n": len(gold),
        "n_gold_commitments": n,
        "n_pred_commitments": tp + fp,
        "commitment_precision": precision,
        "commitment_recall": recall,
        "commitment_f1": f1,
        "strength_accuracy": strength_acc,
        "strength_macro_f1": sum(per_class.values()) / len(per_class),
        "strength_f1": per_class,
        "actor_accuracy": actor_acc,
    }
