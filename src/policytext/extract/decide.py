"""Which sentences are commitments: the rules' reading, weighed by a model learned from labelled sentences.

The rules (:mod:`policytext.extract.commitments`) read a sentence's dependency parse and say whether,
how firmly and by whom it commits.  They were written from the annotation guidelines and refined on
one dev file, and they carry over less well than they score there.  :class:`CommitmentModel` keeps
their reading as evidence and decides: a logistic regression over a few readable features
(:data:`FEATURES`) — what the rules found, the modal and reporting words of the sentence, whether it
is a list item under a lead-in that commits ("... and commit to:"), and the kind of document —
fitted on the gold sentences (``models/commitments/train.py``) and measured by cross-validation
grouped by document (``policytext evaluate sentences``).

What the model may change, and what it may not:

* it may **drop** a rule hit (a recital's "should" describing a regulation, a report of past work);
* it may **add** a sentence the rules missed, but only one the extractor's cheap pre-filter lets
  through (a cue word, a named party opening it, or a list marker), so that the same sentence gets
  the same answer through every entry point.  An added commitment is read from its main predicate
  (:meth:`~policytext.extract.commitments.CommitmentFinder.describe`); its strength is the lead-in's
  for a list item under one, else that of the first modal family its words show (firm, intent, soft),
  else ``firm`` (a present-tense action: "federal agencies are acting to ...");
* the rules' strength, actor, deadline and condition of a sentence they took are kept.

The model files are arrays + JSON (``commitment_model.npz``, ``commitment_model.json``, no pickle)
with a model card, in ``policytext/data/commitment_model/``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FEATURES", "CommitmentModel", "Reading", "added_strength", "default_model_path", "features",
           "lead_ins"]

#: Words that make a sentence firm, intended or soft, in the order a strength is read from them.
_FAMILIES = (
    ("firm", re.compile(r"\b(?:will|shall|must|commit(?:s|ted|ting|ment)?|undertakes?|pledges?|resolved?|"
                        r"determined)\b", re.I)),
    ("intent", re.compile(r"\b(?:intends?|intended|aims?|plans?|seeks?|strives?|endeavou?rs?|work(?:ing)? "
                          r"(?:together )?to|look forward)\b", re.I)),
    ("soft", re.compile(r"\b(?:should|could|may|might|encourag\w*|support\w*|welcom\w*|promot\w*|calls? on|"
                        r"need to|essential|important)\b", re.I)),
)
#: A sentence that opens by reporting or acknowledging rather than undertaking.
_REPORTING = re.compile(
    r"^\W*(?:\w+\s+){0,3}?(?:recall\w*|not(?:e|es|ed|ing)|welcom\w*|acknowledg\w*|recogni[sz]\w*|condemn\w*|"
    r"express\w*|reaffirm\w*|underlin\w*|stress\w*|emphasi[sz]\w*)\b", re.I)
#: Work already done: "have begun", "was launched".
_PROGRESS = re.compile(r"\b(?:ha(?:ve|s) (?:already )?(?:begun|started|launched|established|made|taken|adopted|"
                       r"announced|held|completed)|(?:was|were) (?:launched|established|adopted|held))\b", re.I)
_SAVINGS = re.compile(r"\b(?:nothing in this|without prejudice|shall not be construed|does not (?:create|affect))\b",
                      re.I)
_RECITAL = re.compile(r"^\s*\(\d{1,3}\)")
_JOINT_TYPES = frozenset({"joint_statement", "joint_declaration", "communique", "joint_communique"})
_LEGAL_TYPES = frozenset({"law", "regulation", "directive", "executive_order", "recommendation", "decision"})
_NEWS_TYPES = frozenset({"factsheet", "fact_sheet", "press_release"})

#: Feature names, in column order (all in [0, 1]).
FEATURES = (
    "rule", "rule_firm", "rule_intent", "rule_soft", "rule_negated", "rule_condition", "rule_deadline",
    "word_firm", "word_intent", "word_soft", "reporting", "progress", "savings", "recital", "list_item",
    "lead_in_itself", "under_lead_in", "lead_in_commits", "lead_firm", "lead_intent", "lead_soft",
    "doc_joint", "doc_legal", "doc_news", "doc_strategy", "length",
)


@dataclass
class Reading:
    """One sentence as the extractor reads it before the decision.

    ``hit``: the rules' commitment (a dict of the finder) or ``None``; ``described``: the sentence's main
    predicate read as a commitment would be (for an added one), or ``None`` when it was not parsed;
    ``candidate``: it passed the pre-filter; ``lead``: the rule hit of the lead-in it sits under.
    """

    hit: dict[str, Any] | None
    described: dict[str, Any] | None
    candidate: bool
    marker: str = ""
    lead: dict[str, Any] | None = None
    under_lead: bool = False
    vector: np.ndarray = field(default_factory=lambda: np.zeros(len(FEATURES), dtype=np.float32))


def features(text: str, hit: Mapping[str, Any] | None, *, marker: str = "", under_lead: bool = False,
             lead: Mapping[str, Any] | None = None, doc_type: str = "") -> np.ndarray:
    """The :data:`FEATURES` of one sentence (see the module docstring)."""
    doc_type = (doc_type or "").lower()
    strength = hit.get("strength") if hit else None
    lead_strength = lead.get("strength") if lead else None
    words = [bool(rx.search(text)) for _, rx in _FAMILIES]
    values = [
        hit is not None, strength == "firm", strength == "intent", strength == "soft",
        bool(hit and hit.get("negated")), bool(hit and hit.get("condition")), bool(hit and hit.get("deadline")),
        *words,
        bool(_REPORTING.search(text)), bool(_PROGRESS.search(text)), bool(_SAVINGS.search(text)),
        bool(_RECITAL.match(text)), marker in ("bullet", "number", "enum"), text.rstrip().endswith(":"),
        under_lead, lead is not None, lead_strength == "firm", lead_strength == "intent", lead_strength == "soft",
        doc_type in _JOINT_TYPES, doc_type in _LEGAL_TYPES, doc_type in _NEWS_TYPES, doc_type == "strategy",
        min(len(text.split()), 80) / 80,
    ]
    return np.array(values, dtype=np.float32)


def lead_ins(markers: Sequence[str], texts: Sequence[str], headings: Sequence[bool] | None = None) -> list[int | None]:
    """Per sentence of a document (in order), the index of the lead-in it is a list item of, or ``None``.

    A lead-in is a sentence ending with a colon ("... we commit to:"); the list items that follow it
    (sentences with a list marker) sit under it until a sentence without a marker or a heading.
    """
    out: list[int | None] = []
    lead: int | None = None
    for i, (marker, text) in enumerate(zip(markers, texts)):
        if headings is not None and headings[i]:
            lead = None
            out.append(None)
            continue
        if marker:
            out.append(lead)
            if text.rstrip().endswith(":"):  # a nested lead-in
                lead = i
            continue
        out.append(None)
        lead = i if text.rstrip().endswith(":") else None
    return out


def added_strength(text: str, lead: Mapping[str, Any] | None) -> str:
    """The strength of a commitment the model added: the lead-in's, else the first modal family its
    words show, else ``firm``."""
    if lead is not None and lead.get("strength"):
        return str(lead["strength"])
    return next((name for name, rx in _FAMILIES if rx.search(text)), "firm")


def default_model_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "commitment_model"


@dataclass
class CommitmentModel:
    """A logistic regression over :data:`FEATURES` deciding whether a sentence is a commitment."""

    coef: np.ndarray
    intercept: float
    threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def fit(cls, X: np.ndarray, y: Sequence[bool], *, C: float = 0.3) -> CommitmentModel:
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(FEATURES):
            raise ValueError(f"X must have {len(FEATURES)} columns (FEATURES), got shape {X.shape}")
        m = LogisticRegression(C=C, max_iter=5000).fit(X, np.asarray(y, dtype=bool))
        return cls(coef=m.coef_[0].astype(np.float64), intercept=float(m.intercept_[0]),
                   meta={"C": C, "n": int(len(X))})

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability that each row's sentence is a commitment.

        Each row's log-odds is an exactly rounded sum (``math.fsum``), not a BLAS dot product whose
        summation order depends on the CPU's vector width: the decision is the same on every machine.
        """
        X = np.asarray(X, dtype=np.float64).reshape(-1, len(FEATURES))
        z = np.array([math.fsum(row) for row in X * self.coef]) + self.intercept if len(X) else np.zeros(0)
        return 1.0 / (1.0 + np.exp(-z))

    def decide(self, X: np.ndarray) -> np.ndarray:
        return self.predict_proba(X) >= self.threshold

    def weights(self) -> dict[str, float]:
        """Each feature's weight (log-odds), for the model card and for explaining a decision."""
        return {name: round(float(w), 3) for name, w in zip(FEATURES, self.coef)}

    def save(self, folder: str | os.PathLike[str], *, extra: dict[str, Any] | None = None) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / "commitment_model.npz", coef=self.coef, intercept=np.array([self.intercept]),
                 threshold=np.array([self.threshold]))
        meta = {"features": list(FEATURES), "weights": self.weights(), **self.meta, **(extra or {})}
        (folder / "commitment_model.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | os.PathLike[str] | None = None) -> CommitmentModel:
        """Load a saved model (the shipped one with ``folder=None``); refuses one built on other features."""
        from ..errors import ModelIntegrityError, ModelNotFoundError

        folder = Path(folder) if folder is not None else default_model_path()
        arrays, meta_path = folder / "commitment_model.npz", folder / "commitment_model.json"
        if not arrays.is_file() or not meta_path.is_file():
            raise ModelNotFoundError(str(folder), kind="commitment", install="a folder holding commitment_model.npz "
                                     "and commitment_model.json, written by CommitmentModel.save()")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("features") != list(FEATURES):
            raise ModelIntegrityError(f"{folder}: the commitment model was built on other features; retrain it "
                                      "(models/commitments/train.py)")
        with np.load(arrays, allow_pickle=False) as z:
            return cls(coef=z["coef"].astype(np.float64), intercept=float(z["intercept"][0]),
                       threshold=float(z["threshold"][0]), meta=meta)
