"""The array core of theme scoring: cue matches, prototype similarities and the pair features.

Needs no model: arrays in, arrays out, tested on their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..taxonomy import Taxonomy

__all__ = ["N_EVIDENCE", "PAIR_FEATURES", "PRIOR_COEF", "PRIOR_INTERCEPT", "PRIOR_THRESHOLD", "best_threshold",
           "compile_cues", "cue_matrix", "cue_text", "pair_features", "prototype_similarity", "sigmoid"]

#: Names of the per-(text, theme) evidence features, in column order.
PAIR_FEATURES = (
    "cue", "sim", "sim_rel", "sim_top", "ctx_sim", "ctx_sim_rel", "cue_x_sim", "text_model", "has_text_model",
)
#: The first features, used by the evidence-only (zero-shot) pair model.
N_EVIDENCE = 7
#: Fallback evidence weights when no shipped model matches the embedder: a cue
#: match or a close prototype (cosine ~0.55 and best of all themes) assigns a theme.
PRIOR_COEF = np.array([4.0, 10.0, 2.0, 1.0, 2.0, 0.5, 0.0])
PRIOR_INTERCEPT, PRIOR_THRESHOLD = -7.0, 0.5


# --------------------------------------------------------------------------- array core


#: Kana, CJK ideographs and Hangul: scripts written without spaces between words.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\uac00-\ud7af"
#: A word character of a script that separates words (so "AI" matches in "AIの活用" but not in "MAIL").
_WORD = rf"[^\W{_CJK}]"


def _cue_regex(cues: Sequence[str]) -> str:
    """Cues as one regex: whole words, except cues written in a script without spaces (matched anywhere)."""
    spaced = [c for c in cues if not re.search(f"[{_CJK}]", c)]
    unspaced = [c for c in cues if re.search(f"[{_CJK}]", c)]
    parts = [rf"(?<!{_WORD})(?:{'|'.join(f'(?:{c})' for c in spaced)})(?!{_WORD})"] if spaced else []
    parts += [f"(?:{c})" for c in unspaced]
    return "|".join(parts)


def compile_cues(taxonomy: Taxonomy) -> list[re.Pattern[str] | None]:
    """One case-insensitive regex per theme matching any of its cues (``None``: no cues).

    Cues match as whole words; cues in Japanese, Chinese or Korean script match
    anywhere (those scripts do not put spaces between words).
    """
    out: list[re.Pattern[str] | None] = []
    for theme in taxonomy:
        out.append(re.compile(_cue_regex(theme.cues), re.IGNORECASE) if theme.cues else None)
    return out


#: A middle dot between katakana: Japanese writes a loanword compound with or without it
#: (デジタル・アイデンティティ = デジタルアイデンティティ), so cues match either spelling.
_NAKAGURO = re.compile(r"(?<=[\u30a1-\u30fa\u30fc\uff66-\uff9f])[\u30fb\uff65](?=[\u30a1-\u30fa\u30fc\uff66-\uff9f])")


def cue_text(text: str) -> str:
    """``text`` as cues read it: katakana compounds joined across a middle dot."""
    return _NAKAGURO.sub("", text) if ("\u30fb" in text or "\uff65" in text) else text


def cue_matrix(texts: Sequence[str], patterns: Sequence[re.Pattern[str] | None]) -> np.ndarray:
    """``(n, n_themes)`` float array: 1 where a cue of the theme matches the text (see :func:`cue_text`)."""
    texts = [cue_text(t) for t in texts]
    out = np.zeros((len(texts), len(patterns)), dtype=np.float32)
    for k, pattern in enumerate(patterns):
        if pattern is None:
            continue
        for i, text in enumerate(texts):
            if pattern.search(text):
                out[i, k] = 1.0
    return out


def prototype_similarity(
    vectors: np.ndarray, prototypes: np.ndarray, owner: np.ndarray, n_themes: int
) -> tuple[np.ndarray, np.ndarray]:
    """Best cosine similarity of each vector to each theme's prototypes.

    Parameters
    ----------
    vectors : ``(n, d)`` L2-normalised embeddings.
    prototypes : ``(p, d)`` L2-normalised prototype embeddings.
    owner : ``(p,)`` theme index of each prototype.
    n_themes : number of themes.

    Returns
    -------
    sims : ``(n, n_themes)`` maximum similarity (0 for a theme without prototypes).
    nearest : ``(n, n_themes)`` index into ``prototypes`` of the most similar one (-1 if none).
    """
    n = vectors.shape[0]
    sims = np.zeros((n, n_themes), dtype=np.float32)
    nearest = np.full((n, n_themes), -1, dtype=np.int64)
    if n == 0 or prototypes.shape[0] == 0:
        return sims, nearest
    all_sims = vectors @ prototypes.T
    for k in range(n_themes):
        idx = np.flatnonzero(owner == k)
        if idx.size:
            j = all_sims[:, idx].argmax(axis=1)
            nearest[:, k] = idx[j]
            sims[:, k] = all_sims[np.arange(n), idx[j]]
    return sims, nearest


def pair_features(
    cues: np.ndarray,
    sims: np.ndarray,
    ctx_sims: np.ndarray,
    text_scores: np.ndarray | None = None,
    has_text_model: np.ndarray | None = None,
) -> np.ndarray:
    """Evidence features of every (text, theme) pair: ``(n, n_themes, len(PAIR_FEATURES))``.

    ``ctx_sims`` rows of zeros mean "no context".  ``text_scores`` are the
    per-theme text models' decision values (squashed with ``tanh(z / 4)``);
    ``has_text_model`` ``(n_themes,)`` flags themes that have one.
    """
    n, k = sims.shape
    rel = sims - (sims.max(axis=1, keepdims=True) if k else 0)
    top = (rel >= 0).astype(np.float32)
    has_ctx = np.any(ctx_sims != 0, axis=1, keepdims=True)
    ctx_rel = np.where(has_ctx, ctx_sims - (ctx_sims.max(axis=1, keepdims=True) if k else 0), 0)
    z = np.zeros((n, k), dtype=np.float32) if text_scores is None else np.tanh(text_scores / 4.0)
    has = np.zeros(k, dtype=np.float32) if has_text_model is None else has_text_model.astype(np.float32)
    z = z * has
    cols = [cues, sims, rel, top, ctx_sims, ctx_rel, cues * sims, z, np.broadcast_to(has, (n, k))]
    return np.stack([np.asarray(c, dtype=np.float32) for c in cols], axis=-1)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def best_threshold(proba: np.ndarray, truth: np.ndarray) -> float:
    """The probability threshold maximising micro-F1 of ``proba >= t`` against ``truth``."""
    p, t = proba.ravel(), truth.ravel().astype(bool)
    order = np.argsort(-p)
    tp = np.cumsum(t[order])
    k = np.arange(1, len(p) + 1)
    f1 = 2 * tp / (k + t.sum())
    best = int(np.argmax(f1))
    # the midpoint between the last accepted and the next score, so ties behave
    nxt = p[order][best + 1] if best + 1 < len(p) else 0.0
    return float((p[order][best] + nxt) / 2)


