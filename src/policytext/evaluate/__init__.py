"""Score policytext's predictions against gold labels.

Modules: :mod:`~policytext.evaluate.gold` (reading gold files, locating gold
sentences), :mod:`~policytext.evaluate.metrics` (the figures),
:mod:`~policytext.evaluate.themes` (sentences: themes and commitments; theme
model training), :mod:`~policytext.evaluate.commitments` (commitment
predictions and the modal-verb baseline), :mod:`~policytext.evaluate.alignment`
(the score against raters) and :mod:`~policytext.evaluate.translations`
(translations beside their originals).

:func:`evaluate_sentences` reads a gold ``sentences.jsonl`` (see the annotation
guidelines), finds each sentence in its document (for context), predicts its
themes, and measures per-theme precision, recall and F1 with micro and macro
averages, beside a *cues only* baseline row.

It evaluates honestly by default: when the theme model was trained on the gold
file itself (detected from the training sentence ids and data hash stored with
the model), it fits fresh models in cross-validation grouped by document and
scores each sentence with a model that never saw its document.

The result is data first: :attr:`SentenceEvaluation.metrics` is a dict of
sections (``"themes"``, ``"themes_baseline"``; later stages add their own, e.g.
commitments) and :attr:`SentenceEvaluation.predictions` a list of dicts, one per
gold sentence, that other stages may extend with their own fields before
:meth:`SentenceEvaluation.write_predictions` writes them as JSON lines.
"""


from __future__ import annotations

from .alignment import AlignmentEvaluation, evaluate_alignment, plain_similarity
from .commitments import modal_baseline, predict_commitments
from .gold import (GoldError, gold_contexts, label_matrix, locate_sentences, read_alignment_gold, read_gold,
                   read_golds)
from .metrics import commitment_metrics, format_metrics, multilabel_metrics, spearman
from .themes import SentenceEvaluation, evaluate_sentences, train_theme_model
from .translations import TranslationEvaluation, evaluate_translations, match_commitments

__all__ = [
    "AlignmentEvaluation", "GoldError", "SentenceEvaluation", "TranslationEvaluation", "commitment_metrics",
    "evaluate_alignment", "evaluate_sentences", "evaluate_translations", "format_metrics", "gold_contexts",
    "label_matrix", "locate_sentences", "match_commitments", "modal_baseline", "multilabel_metrics",
    "plain_similarity", "predict_commitments", "read_alignment_gold", "read_gold", "read_golds", "spearman", "train_theme_model",
]
