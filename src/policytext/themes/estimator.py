"""The ThemeClassifier estimator: it fits and predicts; explanations and persistence live beside it."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from ..errors import ModelIntegrityError, ModelNotFoundError
from ..records import Document, ThemeScore
from ..taxonomy import Taxonomy, load_taxonomy
from .explain import explain, score_document
from .features import (N_EVIDENCE, PRIOR_COEF, PRIOR_INTERCEPT, PRIOR_THRESHOLD, best_threshold, compile_cues,
                       cue_matrix, pair_features, prototype_similarity, sigmoid)
from .persistence import default_model_path, embedder_id, load_model, read_model, save_model

__all__ = ["ThemeClassifier"]


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
                from ..embed import Embedder

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
        self.threshold_ = best_threshold(pair.predict_proba(flat)[:, 1], truth)
        evid = LogisticRegression(C=1.0, max_iter=2000).fit(flat[:, :N_EVIDENCE], truth)
        self.evidence_coef_ = evid.coef_[0].astype(np.float64)
        self.evidence_intercept_ = float(evid.intercept_[0])
        self.evidence_threshold_ = best_threshold(evid.predict_proba(flat[:, :N_EVIDENCE])[:, 1], truth)
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
                meta, arrays = read_model(default_model_path())
                if meta.get("embedding_model") == embedder_id(self._embedder()):
                    self.evidence_coef_ = arrays["evidence_coef"].astype(np.float64)
                    self.evidence_intercept_ = float(arrays["evidence_intercept"][0])
                    self.evidence_threshold_ = float(arrays["evidence_threshold"][0])
                    return
            except (ModelNotFoundError, ModelIntegrityError):
                pass
        self.evidence_coef_ = PRIOR_COEF.astype(np.float64)
        self.evidence_intercept_ = PRIOR_INTERCEPT
        self.evidence_threshold_ = PRIOR_THRESHOLD

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
        proba = sigmoid(P @ self.pair_coef_ + self.pair_intercept_)
        # themes without a text model: the evidence-only pair model, learned on all themes' pairs
        evidence = sigmoid(P[..., :N_EVIDENCE] @ self.evidence_coef_ + self.evidence_intercept_)
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
        """Per text, :class:`~policytext.records.ThemeScore` records with the reason of each score
        (see :func:`policytext.themes.explain.explain`)."""
        return explain(self, X, context=context, segment_ids=segment_ids, doc_id=doc_id, assigned_only=assigned_only)

    def score_document(self, doc: Document, *, use_context: bool = True,
                       assigned_only: bool = False) -> list[ThemeScore]:
        """Every sentence of ``doc`` on every theme (see :func:`policytext.themes.explain.score_document`)."""
        return score_document(self, doc, use_context=use_context, assigned_only=assigned_only)

    def save(self, folder: str | os.PathLike[str], *, extra: dict[str, Any] | None = None) -> Path:
        """Write the fitted model (see :func:`policytext.themes.persistence.save_model`)."""
        return save_model(self, folder, extra=extra)

    @classmethod
    def load(cls, folder: str | os.PathLike[str] | None = None, *,
             taxonomy: Taxonomy | str | os.PathLike[str] | None = None, embedder: Any = None) -> ThemeClassifier:
        """Load a fitted model, the shipped one with ``folder=None`` (see
        :func:`policytext.themes.persistence.load_model`)."""
        return load_model(cls, folder, taxonomy=taxonomy, embedder=embedder)
