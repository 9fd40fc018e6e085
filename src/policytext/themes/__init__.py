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

Modules: :mod:`~policytext.themes.estimator` (the estimator: fit, predict),
:mod:`~policytext.themes.features` (the array core: :func:`cue_matrix`,
:func:`prototype_similarity`, :func:`pair_features`; no model needed),
:mod:`~policytext.themes.context` (a sentence's heading and paragraph),
:mod:`~policytext.themes.explain` (the reason of each score) and
:mod:`~policytext.themes.persistence` (arrays and JSON on disk, no pickle).
Training with figures and a model card: :func:`policytext.evaluate.train_theme_model`.

Examples
--------
>>> clf = ThemeClassifier.load()                            # doctest: +SKIP
>>> clf.predict_themes(["We will deploy 5G networks."])     # doctest: +SKIP
[['connectivity']]
>>> scores = clf.score_document(doc)                        # doctest: +SKIP
"""

from __future__ import annotations

from .context import sentence_contexts
from .estimator import ThemeClassifier
from .features import N_EVIDENCE, PAIR_FEATURES, compile_cues, cue_matrix, cue_text, pair_features, prototype_similarity
from .persistence import MODEL_FORMAT, default_model_path, embedder_id

__all__ = [
    "ThemeClassifier",
    "cue_matrix",
    "cue_text",
    "compile_cues",
    "prototype_similarity",
    "pair_features",
    "sentence_contexts",
    "default_model_path",
    "embedder_id",
    "MODEL_FORMAT",
    "N_EVIDENCE",
    "PAIR_FEATURES",
]
