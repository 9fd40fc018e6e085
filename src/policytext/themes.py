"""Theme classification: which themes of a taxonomy a sentence or paragraph is about.

:class:`ThemeClassifier` is a scikit-learn estimator.  It scores every
(text, theme) pair from three kinds of evidence:

1. **cues** — the theme's regular expressions (from the taxonomy) match the text;
2. **prototypes** — cosine similarity of the text's embedding to the theme's
   definition and example sentences (and the same for the text's *context*:
   its section heading and paragraph), absolute and relative to the best theme;
3. **learned text models** — with labelled examples, one logistic regression
   per theme over the text and context embeddings (themes with at least
   ``min_positives`` positive examples), entered as out-of-fold scores.

A single, theme-agnostic logistic regression (the *pair model*) weighs this
evidence into a probability per pair, and one global threshold, chosen on the
training pairs to maximise micro-F1, decides assignment.  Because the pair
model does not depend on theme ids, its evidence weights transfer to any
taxonomy: ``fit(texts)`` without labels (zero-shot) uses the evidence weights
shipped with policytext (learned on the annotated development set), so a user's
own taxonomy works out of the box and improves when labels are given.

The array core (:func:`cue_matrix`, :func:`prototype_similarity`,
:func:`pair_features`) needs no model and is tested on its own.

Examples
--------
>>> clf = ThemeClassifier.load()                            # doctest: +SKIP
>>> clf.predict_themes(["We will deploy 5G networks."])     # doctest: +SKIP
[['connectivity']]
>>> scores = clf.score_document(doc)                        # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from .errors import ModelIntegrityError, ModelNotFoundError
from .records import Document, Segment, ThemeScore
from .taxonomy import Taxonomy, load_taxonomy

__all__ = [
    "ThemeClassifier",
    "cue_matrix",
    "compile_cues",
    "prototype_similarity",
    "pair_features",
    "sentence_contexts",
    "default_model_path",
    "PAIR_FEATURES",
]

#: Names of the per-(text, theme) evidence features, in column order.
PAIR_FEATURES = (
    "cue", "sim", "sim_rel", "sim_top", "ctx_sim", "ctx_sim_rel", "cue_x_sim", "text_model", "has_text_model",
)
#: The first features, used by the evidence-only (zero-shot) pair model.
N_EVIDENCE = 7
MODEL_FORMAT = "policytext.theme_model.v1"
_NPZ, _JSON = "theme_model.npz", "theme_model.json"
#: Fallback evidence weights when no shipped model matches the embedder: a cue
#: match or a close prototype (cosine ~0.55 and best of all themes) assigns a theme.
_PRIOR_COEF = np.array([4.0, 10.0, 2.0, 1.0, 2.0, 0.5, 0.0])
_PRIOR_INTERCEPT, _PRIOR_THRESHOLD = -7.0, 0.5


def default_model_path() -> Path:
    """The folder of the theme model shipped with policytext."""
    return Path(str(resources.files("policytext") / "data" / "theme_model"))


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


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _best_threshold(proba: np.ndarray, truth: np.ndarray) -> float:
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


# --------------------------------------------------------------------------- context


def sentence_contexts(doc: Document, segments: Sequence[Segment] | None = None) -> list[tuple[str, ...]]:
    """The context of each sentence of ``doc``: its section heading and its paragraph's sentences.

    Each context is a tuple of texts — the heading (when the sentence is not
    the heading itself), then every sentence of the paragraph — and the
    classifier embeds it as the mean of those texts' vectors.  The sentences
    are the ones the classifier embeds anyway, so a context costs no extra
    encoding.  A sentence that is its whole paragraph gets only the heading; a
    sentence before the first heading and alone in its paragraph gets ``()``
    (no context).
    """
    segments = doc.sentences if segments is None else segments
    by_paragraph: dict[str, list[str]] = {}
    for s in doc.sentences:
        if s.parent_id:
            by_paragraph.setdefault(s.parent_id, []).append(s.text)
    out = []
    for s in segments:
        para = by_paragraph.get(s.parent_id or "", [])
        para = [] if [" ".join(x.split()) for x in para] == [" ".join(s.text.split())] else para
        heading = "" if s.section.strip() == s.text.strip() else s.section
        out.append(tuple(x for x in (heading, *para) if x.strip()))
    return out


# --------------------------------------------------------------------------- estimator


class ThemeClassifier(BaseEstimator):
    """Assign zero or more taxonomy themes to texts, with a score and a reason per theme.

    A scikit-learn estimator (``get_params``/``set_params``/``clone`` work).

    Parameters
    ----------
    taxonomy : a :class:`~policytext.taxonomy.Taxonomy`, a path to a taxonomy
        YAML file, or ``None`` for the default taxonomy.
    embedder : an object with ``encode(texts) -> (n, d) normalised array``;
        ``None`` for :class:`policytext.embed.Embedder` ``()``.
    context_weight : weight of the context embedding beside the text's in the
        per-theme text models.
    C : inverse regularisation strength of the per-theme text models.
    min_positives : a theme gets a text model only with at least this many
        positive (and negative) training examples; rarer themes rely on cues
        and prototypes alone.
    cv : folds for the out-of-fold text-model scores the pair model learns from.
    prior : evidence weights used by a zero-shot ``fit`` (no labels):
        ``"default"`` (those of the shipped model, falling back to a fixed
        rule) or ``"rule"`` (the fixed rule).

    Attributes
    ----------
    classes_ : theme ids, the column order of every score matrix.
    taxonomy_ : the resolved taxonomy.
    prototypes_, prototype_theme_, prototype_texts_ : prototype embeddings,
        their theme index and texts.
    text_coef_, text_intercept_, text_mask_ : per-theme text models (rows of
        themes without one are zero, ``text_mask_`` False).
    pair_coef_, pair_intercept_, threshold_ : the pair model and its threshold.
    evidence_coef_, evidence_intercept_, evidence_threshold_ : the
        evidence-only pair model (what a zero-shot fit uses).
    training_ : facts about the training data (``n``, ``sha256``, ``mode``).
    """

    def __init__(
        self,
        *,
        taxonomy: Taxonomy | str | os.PathLike[str] | None = None,
        embedder: Any = None,
        context_weight: float = 0.5,
        C: float = 3.0,
        min_positives: int = 5,
        cv: int = 4,
        prior: str = "default",
    ) -> None:
        self.taxonomy = taxonomy
        self.embedder = embedder
        self.context_weight = context_weight
        self.C = C
        self.min_positives = min_positives
        self.cv = cv
        self.prior = prior

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.target_tags.required = False
        tags.target_tags.multi_output = True
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    # helpers -----------------------------------------------------------------

    def _embedder(self):
        if self.embedder is None:
            if not hasattr(self, "_default_embedder"):
                from .embed import Embedder

                self._default_embedder = Embedder()
            return self._default_embedder
        return self.embedder

    def _resolve_taxonomy(self) -> Taxonomy:
        if isinstance(self.taxonomy, Taxonomy):
            return self.taxonomy
        return load_taxonomy(self.taxonomy)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts once each (duplicates and empties skipped); empty texts get a zero vector."""
        texts = list(texts)
        unique = sorted({t for t in texts if t.strip()})
        if not unique:
            dim = self.prototypes_.shape[1] if hasattr(self, "prototypes_") else 0
            return np.zeros((len(texts), dim), dtype=np.float32)
        vecs = np.asarray(self._embedder().encode(unique), dtype=np.float32)
        index = {t: i for i, t in enumerate(unique)}
        out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
        for i, t in enumerate(texts):
            if t in index:
                out[i] = vecs[index[t]]
        return out

    @staticmethod
    def _check_texts(X: Any, name: str = "X") -> list[str]:
        if isinstance(X, str):
            raise TypeError(f"{name} must be a sequence of texts, got a single string; wrap it in a list")
        texts = list(X)
        bad = [type(t).__name__ for t in texts if not isinstance(t, str)]
        if bad:
            raise TypeError(f"{name} must hold strings, found {bad[0]}")
        return texts

    def _check_context(self, context: Sequence[str | Sequence[str]] | None, n: int) -> list[tuple[str, ...]]:
        """Each context as a tuple of texts (a plain string is a one-text context)."""
        if context is None:
            return [()] * n
        if isinstance(context, str):
            raise TypeError("context must be a sequence with one context per text, got a single string")
        ctx = []
        for i, c in enumerate(context):
            parts = (c,) if isinstance(c, str) else tuple(c)
            bad = [type(x).__name__ for x in parts if not isinstance(x, str)]
            if bad:
                raise TypeError(f"context[{i}] must be a string or a sequence of strings, found {bad[0]}")
            ctx.append(tuple(x for x in parts if x.strip()))
        if len(ctx) != n:
            raise ValueError(f"context has {len(ctx)} items but X has {n}; give one context per text")
        return ctx

    @staticmethod
    def _context_vectors(ctx: list[tuple[str, ...]], vecs: np.ndarray, index: dict[str, int]) -> np.ndarray:
        """Per context the normalised mean of its texts' vectors (zeros for an empty context)."""
        out = np.zeros((len(ctx), vecs.shape[1]), dtype=np.float32)
        for i, parts in enumerate(ctx):
            if parts:
                v = vecs[[index[t] for t in parts]].mean(axis=0)
                norm = float(np.linalg.norm(v))
                if norm > 0:
                    out[i] = v / norm
        return out

    def _binarize(self, y: Any, n: int) -> np.ndarray:
        classes = list(self.classes_)
        if isinstance(y, np.ndarray) and y.ndim == 2:
            if y.shape != (n, len(classes)):
                raise ValueError(f"y has shape {y.shape}; expected ({n}, {len(classes)}) in the order of classes_")
            return (y != 0).astype(np.int64)
        rows = list(y)
        if len(rows) != n:
            raise ValueError(f"y has {len(rows)} label sets but X has {n} texts")
        out = np.zeros((n, len(classes)), dtype=np.int64)
        index = {c: k for k, c in enumerate(classes)}
        for i, labels in enumerate(rows):
            if isinstance(labels, str):
                raise TypeError(f"y[{i}] is a string; give a list of theme ids per text, e.g. [{labels!r}]")
            for label in labels:
                if label not in index:
                    raise ValueError(f"y[{i}]: unknown theme {label!r}; themes: {', '.join(classes)}")
                out[i, index[label]] = 1
        return out

    def _evidence(self, texts: list[str], ctx: list[tuple[str, ...]]) -> dict[str, np.ndarray]:
        k = len(self.classes_)
        # one encode call for the texts and every context part (mostly the same sentences)
        unique = sorted({*texts, *(t for parts in ctx for t in parts)})
        vecs = self._encode(unique)
        index = {t: i for i, t in enumerate(unique)}
        E = vecs[[index[t] for t in texts]] if texts else np.zeros((0, vecs.shape[1]), dtype=np.float32)
        Ec = self._context_vectors(ctx, vecs, index)
        sims, nearest = prototype_similarity(E, self.prototypes_, self.prototype_theme_, k)
        csims, _ = prototype_similarity(Ec, self.prototypes_, self.prototype_theme_, k)
        csims[~np.any(Ec != 0, axis=1)] = 0.0
        cues = cue_matrix(texts, self._patterns)
        F = np.hstack([E, self.context_weight * Ec])
        return {"E": E, "F": F, "sims": sims, "nearest": nearest, "ctx_sims": csims, "cues": cues}

    @property
    def _patterns(self) -> list[re.Pattern[str] | None]:
        if getattr(self, "_compiled_for", None) is not self.taxonomy_:
            self._compiled = compile_cues(self.taxonomy_)
            self._compiled_for = self.taxonomy_
        return self._compiled

    def _setup(self) -> None:
        self.taxonomy_ = self._resolve_taxonomy()
        self.classes_ = np.array(self.taxonomy_.ids, dtype=object)
        texts, owner = [], []
        for k, theme in enumerate(self.taxonomy_):
            for p in theme.prototypes:
                texts.append(p)
                owner.append(k)
        self.prototype_texts_ = tuple(texts)
        self.prototype_theme_ = np.array(owner, dtype=np.int64)
        self.prototypes_ = self._encode(texts)

    # fit ---------------------------------------------------------------------

    def fit(
        self,
        X: Sequence[str] | None = None,
        y: Any = None,
        *,
        context: Sequence[str | Sequence[str]] | None = None,
        groups: Sequence[Any] | None = None,
    ) -> ThemeClassifier:
        """Fit on labelled texts, or set up zero-shot scoring when ``y`` is ``None``.

        Parameters
        ----------
        X : texts (sentences or paragraphs); may be ``None`` for a zero-shot fit.
        y : per text a list of theme ids, or an ``(n, n_themes)`` 0/1 matrix
            in the order of ``classes_`` (the taxonomy's order); ``None`` for zero-shot.
        context : per text its context — a text, or a tuple of texts embedded as the mean of
            their vectors (what :func:`sentence_contexts` gives: heading and paragraph sentences) —
            or ``None``.
        groups : per text a group (e.g. its document id): out-of-fold scores
            then never mix a group's texts between training and scoring folds.

        Returns
        -------
        self
        """
        from sklearn.linear_model import LogisticRegression

        self._setup()
        k = len(self.classes_)
        dim = 2 * self.prototypes_.shape[1]
        self.text_coef_ = np.zeros((k, dim), dtype=np.float32)
        self.text_intercept_ = np.zeros(k, dtype=np.float32)
        self.text_mask_ = np.zeros(k, dtype=bool)
        if y is None:
            self._set_prior()
            self.pair_coef_ = np.concatenate([self.evidence_coef_, [0.0, 0.0]]).astype(np.float64)
            self.pair_intercept_ = float(self.evidence_intercept_)
            self.threshold_ = float(self.evidence_threshold_)
            self.training_ = {"mode": "zero-shot", "n": 0, "sha256": "", "prior": self.prior}
            return self
        if X is None:
            raise ValueError("X is None but y is given: pass the labelled texts as X")
        texts = self._check_texts(X)
        Y = self._binarize(y, len(texts))
        ctx = self._check_context(context, len(texts))
        ev = self._evidence(texts, ctx)
        F = ev["F"]
        oof = np.zeros(Y.shape, dtype=np.float32)
        for j in range(k):
            pos = int(Y[:, j].sum())
            if pos < self.min_positives or len(texts) - pos < self.min_positives:
                continue
            self.text_mask_[j] = True
            for train, test in self._folds(Y[:, j], groups):
                if Y[train, j].min() == Y[train, j].max():
                    continue
                m = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000).fit(F[train], Y[train, j])
                oof[test, j] = m.decision_function(F[test])
            m = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000).fit(F, Y[:, j])
            self.text_coef_[j] = m.coef_[0]
            self.text_intercept_[j] = m.intercept_[0]
        P = pair_features(ev["cues"], ev["sims"], ev["ctx_sims"], oof, self.text_mask_)
        flat, truth = P.reshape(-1, P.shape[-1]), Y.ravel()
        pair = LogisticRegression(C=1.0, max_iter=2000).fit(flat, truth)
        self.pair_coef_, self.pair_intercept_ = pair.coef_[0].astype(np.float64), float(pair.intercept_[0])
        self.threshold_ = _best_threshold(pair.predict_proba(flat)[:, 1], truth)
        evid = LogisticRegression(C=1.0, max_iter=2000).fit(flat[:, :N_EVIDENCE], truth)
        self.evidence_coef_ = evid.coef_[0].astype(np.float64)
        self.evidence_intercept_ = float(evid.intercept_[0])
        self.evidence_threshold_ = _best_threshold(evid.predict_proba(flat[:, :N_EVIDENCE])[:, 1], truth)
        digest = hashlib.sha256(json.dumps([texts, Y.tolist()], ensure_ascii=False).encode("utf-8")).hexdigest()
        self.training_ = {"mode": "supervised", "n": len(texts), "sha256": digest,
                          "positives": {c: int(v) for c, v in zip(self.classes_, Y.sum(axis=0))}}
        return self

    def _folds(self, y: np.ndarray, groups: Sequence[Any] | None):
        from sklearn.model_selection import GroupKFold, StratifiedKFold

        if groups is not None:
            groups = np.asarray(list(groups))
            n_splits = min(self.cv, len(set(groups)))
            if n_splits >= 2:
                return GroupKFold(n_splits=n_splits).split(y, y, groups)
        n_splits = max(2, min(self.cv, int(y.sum()), int(len(y) - y.sum())))
        return StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=0).split(y, y)

    def _set_prior(self) -> None:
        """Evidence weights for a zero-shot fit: the shipped model's, else the fixed rule."""
        if self.prior not in ("default", "rule"):
            raise ValueError(f"prior must be 'default' or 'rule', got {self.prior!r}")
        if self.prior == "default":
            try:
                meta, arrays = _read_model(default_model_path())
                if meta.get("embedding_model") == _embedder_id(self._embedder()):
                    self.evidence_coef_ = arrays["evidence_coef"].astype(np.float64)
                    self.evidence_intercept_ = float(arrays["evidence_intercept"][0])
                    self.evidence_threshold_ = float(arrays["evidence_threshold"][0])
                    return
            except (ModelNotFoundError, ModelIntegrityError):
                pass
        self.evidence_coef_ = _PRIOR_COEF.astype(np.float64)
        self.evidence_intercept_ = _PRIOR_INTERCEPT
        self.evidence_threshold_ = _PRIOR_THRESHOLD

    # predict -----------------------------------------------------------------

    def _scores(self, X: Sequence[str], context: Sequence[str | Sequence[str]] | None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, ["pair_coef_", "threshold_"])
        texts = self._check_texts(X)
        ctx = self._check_context(context, len(texts))
        ev = self._evidence(texts, ctx)
        z = ev["F"] @ self.text_coef_.T + self.text_intercept_
        P = pair_features(ev["cues"], ev["sims"], ev["ctx_sims"], z, self.text_mask_)
        ev["text_scores"] = z
        proba = _sigmoid(P @ self.pair_coef_ + self.pair_intercept_)
        # themes without a text model: the evidence-only pair model, learned on all themes' pairs
        evidence = _sigmoid(P[..., :N_EVIDENCE] @ self.evidence_coef_ + self.evidence_intercept_)
        return np.where(self.text_mask_, proba, evidence), ev

    @property
    def thresholds_(self) -> np.ndarray:
        """``(n_themes,)`` assignment threshold of each theme: the pair model's for themes with a
        text model, the evidence-only model's for the others (both chosen by the same global rule)."""
        return np.where(self.text_mask_, self.threshold_, self.evidence_threshold_)

    def predict_proba(self, X: Sequence[str], *, context: Sequence[str | Sequence[str]] | None = None) -> np.ndarray:
        """``(n, n_themes)`` probability that each text carries each theme (columns: ``classes_``)."""
        return self._scores(X, context)[0]

    def decision_function(self, X: Sequence[str], *, context: Sequence[str | Sequence[str]] | None = None) -> np.ndarray:
        """``(n, n_themes)`` log-odds of each theme, shifted so that ``> 0`` means assigned."""
        p = np.clip(self.predict_proba(X, context=context), 1e-9, 1 - 1e-9)
        t = self.thresholds_
        return np.log(p / (1 - p)) - np.log(t / (1 - t))

    def predict(self, X: Sequence[str], *, context: Sequence[str | Sequence[str]] | None = None) -> np.ndarray:
        """``(n, n_themes)`` 0/1 indicator matrix of assigned themes (columns: ``classes_``)."""
        return (self.predict_proba(X, context=context) >= self.thresholds_).astype(np.int64)

    def predict_themes(self, X: Sequence[str], *, context: Sequence[str | Sequence[str]] | None = None) -> list[list[str]]:
        """Assigned theme ids per text, best first."""
        proba = self.predict_proba(X, context=context)
        return self._themes_of(proba)

    def _themes_of(self, proba: np.ndarray) -> list[list[str]]:
        out, t = [], self.thresholds_
        for row in proba:
            order = np.argsort(-row)
            out.append([str(self.classes_[k]) for k in order if row[k] >= t[k]])
        return out

    def explain(
        self,
        X: Sequence[str],
        *,
        context: Sequence[str | Sequence[str]] | None = None,
        segment_ids: Sequence[str] | None = None,
        doc_id: str = "",
        assigned_only: bool = True,
    ) -> list[list[ThemeScore]]:
        """Per text, :class:`~policytext.records.ThemeScore` records with the reason of each score.

        The reason lists the evidence: the cue that matched (and the words it
        matched), the nearest definition or example and its cosine similarity,
        the learned text model's score, and the probability against the threshold.

        Parameters
        ----------
        X : texts.
        context : per text its context, or ``None``.
        segment_ids : ids to put in the records (default ``"0"``, ``"1"``, ...).
        doc_id : document id to put in the records.
        assigned_only : only the assigned themes (best first); else every theme in ``classes_`` order.
        """
        proba, ev = self._scores(X, context)
        texts = list(X)
        ids = list(segment_ids) if segment_ids is not None else [str(i) for i in range(len(texts))]
        if len(ids) != len(texts):
            raise ValueError(f"segment_ids has {len(ids)} ids but X has {len(texts)} texts")
        patterns, thresholds = self._patterns, self.thresholds_
        out: list[list[ThemeScore]] = []
        for i, text in enumerate(texts):
            order = np.argsort(-proba[i]) if assigned_only else np.arange(len(self.classes_))
            row = []
            for k in order:
                assigned = bool(proba[i, k] >= thresholds[k])
                if assigned_only and not assigned:
                    continue
                row.append(ThemeScore(
                    segment_id=ids[i], doc_id=doc_id, theme=str(self.classes_[k]), score=float(proba[i, k]),
                    assigned=assigned, reason=self._reason(i, k, text, proba[i, k], thresholds[k], ev, patterns[k]),
                ))
            out.append(row)
        return out

    def _reason(self, i: int, k: int, text: str, p: float, t: float, ev: dict[str, np.ndarray], pattern) -> str:
        parts = []
        match = pattern.search(cue_text(text)) if pattern is not None else None
        if match:
            parts.append(f"cue matched {match.group(0)!r}")
        j = int(ev["nearest"][i, k])
        if j >= 0:
            kind = "definition" if self.prototype_texts_[j].startswith(f"{self.taxonomy_.themes[k].label}") else "example"
            proto = self.prototype_texts_[j]
            proto = proto if len(proto) <= 80 else proto[:77] + "..."
            parts.append(f"nearest {kind} {proto!r} (cosine {ev['sims'][i, k]:.2f})")
        if ev["ctx_sims"][i, k]:
            parts.append(f"context cosine {ev['ctx_sims'][i, k]:.2f}")
        if self.text_mask_[k]:
            parts.append(f"text model {ev['text_scores'][i, k]:+.2f}")
        op = ">=" if p >= t else "<"
        parts.append(f"p={p:.2f} {op} threshold {t:.2f}")
        return "; ".join(parts)

    def score_document(
        self, doc: Document, *, use_context: bool = True, assigned_only: bool = False
    ) -> list[ThemeScore]:
        """Score every sentence of ``doc`` on every theme, using each sentence's heading and paragraph.

        Returns
        -------
        list of ThemeScore
            sentence by sentence in document order; per sentence every theme in
            ``classes_`` order (or only the assigned ones with ``assigned_only=True``).
        """
        sentences = doc.sentences
        texts = [s.text for s in sentences]
        ctx = sentence_contexts(doc, sentences) if use_context else None
        rows = self.explain(texts, context=ctx, segment_ids=[s.segment_id for s in sentences], doc_id=doc.doc_id,
                            assigned_only=assigned_only)
        return [score for row in rows for score in row]

    # persistence -------------------------------------------------------------

    def save(self, folder: str | os.PathLike[str], *, extra: dict[str, Any] | None = None) -> Path:
        """Write the fitted model as ``theme_model.npz`` (arrays) and ``theme_model.json`` (metadata).

        No pickle: the arrays are loaded with ``allow_pickle=False``.  ``extra``
        is added to the JSON (e.g. measured scores).
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, ["pair_coef_", "threshold_"])
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            folder / _NPZ,
            prototypes=self.prototypes_.astype(np.float32),
            prototype_theme=self.prototype_theme_,
            text_coef=self.text_coef_.astype(np.float32),
            text_intercept=self.text_intercept_.astype(np.float32),
            text_mask=self.text_mask_,
            pair_coef=self.pair_coef_,
            pair_intercept=np.array([self.pair_intercept_]),
            threshold=np.array([self.threshold_]),
            evidence_coef=self.evidence_coef_,
            evidence_intercept=np.array([self.evidence_intercept_]),
            evidence_threshold=np.array([self.evidence_threshold_]),
        )
        meta = {
            "format": MODEL_FORMAT,
            "classes": [str(c) for c in self.classes_],
            "taxonomy_name": self.taxonomy_.name,
            "taxonomy_fingerprint": self.taxonomy_.fingerprint,
            "embedding_model": _embedder_id(self._embedder()),
            "params": {k: v for k, v in self.get_params().items() if k not in ("embedder", "taxonomy")},
            "pair_features": list(PAIR_FEATURES),
            "training": self.training_,
            **(extra or {}),
        }
        (folder / _JSON).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(
        cls,
        folder: str | os.PathLike[str] | None = None,
        *,
        taxonomy: Taxonomy | str | os.PathLike[str] | None = None,
        embedder: Any = None,
    ) -> ThemeClassifier:
        """Load a fitted model (the shipped one with ``folder=None``).

        Raises
        ------
        ModelNotFoundError
            if the folder lacks ``theme_model.npz`` / ``theme_model.json``.
        ModelIntegrityError
            if the model does not match the taxonomy (themes or their content)
            or the embedder's model, or its arrays are inconsistent.
        """
        folder = Path(folder) if folder is not None else default_model_path()
        meta, arrays = _read_model(folder)
        params = meta.get("params", {})
        clf = cls(taxonomy=taxonomy, embedder=embedder, **{k: v for k, v in params.items()
                                                           if k in cls._get_param_names()})
        tax = clf._resolve_taxonomy()
        if list(tax.ids) != meta["classes"]:
            raise ModelIntegrityError(
                f"{folder}: the model was trained for themes {meta['classes']} but the taxonomy has "
                f"{list(tax.ids)}; retrain it (ThemeClassifier(taxonomy=...).fit(texts, labels))"
            )
        if tax.fingerprint != meta.get("taxonomy_fingerprint"):
            raise ModelIntegrityError(
                f"{folder}: the taxonomy's definitions, cues or examples differ from those the model was trained "
                "with; retrain it, or load the taxonomy it was trained with"
            )
        want = _embedder_id(clf._embedder())
        if meta.get("embedding_model") != want:
            raise ModelIntegrityError(
                f"{folder}: the model was trained with embeddings {meta.get('embedding_model')!r}, "
                f"not {want!r}; use the same embedding model or retrain"
            )
        k = len(tax)
        if arrays["text_coef"].shape[0] != k or arrays["prototype_theme"].max(initial=-1) >= k \
                or arrays["pair_coef"].shape != (len(PAIR_FEATURES),):
            raise ModelIntegrityError(f"{folder}: array shapes do not match {k} themes; the file is damaged")
        clf.taxonomy_ = tax
        clf.classes_ = np.array(tax.ids, dtype=object)
        clf.prototypes_ = arrays["prototypes"]
        clf.prototype_theme_ = arrays["prototype_theme"]
        texts = [p for theme in tax for p in theme.prototypes]
        clf.prototype_texts_ = tuple(texts)
        clf.text_coef_ = arrays["text_coef"]
        clf.text_intercept_ = arrays["text_intercept"]
        clf.text_mask_ = arrays["text_mask"].astype(bool)
        clf.pair_coef_ = arrays["pair_coef"]
        clf.pair_intercept_ = float(arrays["pair_intercept"][0])
        clf.threshold_ = float(arrays["threshold"][0])
        clf.evidence_coef_ = arrays["evidence_coef"]
        clf.evidence_intercept_ = float(arrays["evidence_intercept"][0])
        clf.evidence_threshold_ = float(arrays["evidence_threshold"][0])
        clf.training_ = meta.get("training", {})
        clf.model_meta_ = meta
        return clf


def _embedder_id(embedder: Any) -> str:
    """What identifies an embedding space: the model key of a policytext Embedder, else its repr."""
    key = getattr(embedder, "model_key", None)
    return str(key) if key else f"{type(embedder).__module__}.{type(embedder).__qualname__}"


def _read_model(folder: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    npz, meta_file = folder / _NPZ, folder / _JSON
    if not npz.is_file() or not meta_file.is_file():
        raise ModelNotFoundError(str(folder), kind="theme", install=f"a folder holding {_NPZ} and {_JSON}, "
                                 "written by ThemeClassifier.save()")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        with np.load(npz, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (ValueError, OSError) as e:
        raise ModelIntegrityError(f"{folder}: cannot read the theme model ({e})") from e
    if meta.get("format") != MODEL_FORMAT:
        raise ModelIntegrityError(f"{folder}: format {meta.get('format')!r} is not {MODEL_FORMAT!r}")
    missing = {"prototypes", "prototype_theme", "text_coef", "text_intercept", "text_mask", "pair_coef",
               "pair_intercept", "threshold", "evidence_coef", "evidence_intercept", "evidence_threshold"}
    missing -= set(arrays)
    if missing:
        raise ModelIntegrityError(f"{folder}: arrays missing from {_NPZ}: {', '.join(sorted(missing))}")
    return meta, arrays
