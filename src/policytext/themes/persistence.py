"""Theme models on disk: arrays (``theme_model.npz``, no pickle) and metadata (``theme_model.json``)."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelIntegrityError, ModelNotFoundError
from ..taxonomy import Taxonomy
from .features import PAIR_FEATURES

if TYPE_CHECKING:  # pragma: no cover
    from .estimator import ThemeClassifier

__all__ = ["MODEL_FORMAT", "default_model_path", "embedder_id", "load_model", "read_model", "save_model"]

MODEL_FORMAT = "policytext.theme_model.v1"
_NPZ, _JSON = "theme_model.npz", "theme_model.json"


def default_model_path() -> Path:
    """The folder of the theme model shipped with policytext."""
    return Path(str(resources.files("policytext") / "data" / "theme_model"))


def save_model(clf: ThemeClassifier, folder: str | os.PathLike[str], *, extra: dict[str, Any] | None = None) -> Path:
    """Write the fitted model as ``theme_model.npz`` (arrays) and ``theme_model.json`` (metadata).

    No pickle: the arrays are loaded with ``allow_pickle=False``.  ``extra``
    is added to the JSON (e.g. measured scores).
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(clf, ["pair_coef_", "threshold_"])
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        folder / _NPZ,
        prototypes=clf.prototypes_.astype(np.float32),
        prototype_theme=clf.prototype_theme_,
        text_coef=clf.text_coef_.astype(np.float32),
        text_intercept=clf.text_intercept_.astype(np.float32),
        text_mask=clf.text_mask_,
        pair_coef=clf.pair_coef_,
        pair_intercept=np.array([clf.pair_intercept_]),
        threshold=np.array([clf.threshold_]),
        evidence_coef=clf.evidence_coef_,
        evidence_intercept=np.array([clf.evidence_intercept_]),
        evidence_threshold=np.array([clf.evidence_threshold_]),
    )
    meta = {
        "format": MODEL_FORMAT,
        "classes": [str(c) for c in clf.classes_],
        "taxonomy_name": clf.taxonomy_.name,
        "taxonomy_fingerprint": clf.taxonomy_.fingerprint,
        "embedding_model": embedder_id(clf._embedder()),
        "params": {k: v for k, v in clf.get_params().items() if k not in ("embedder", "taxonomy")},
        "pair_features": list(PAIR_FEATURES),
        "training": clf.training_,
        **(extra or {}),
    }
    (folder / _JSON).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder

def load_model(
cls: type[ThemeClassifier],
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
    meta, arrays = read_model(folder)
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
    want = embedder_id(clf._embedder())
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




def embedder_id(embedder: Any) -> str:
    """What identifies an embedding space: the model key of a policytext Embedder, else its repr."""
    key = getattr(embedder, "model_key", None)
    return str(key) if key else f"{type(embedder).__module__}.{type(embedder).__qualname__}"


def read_model(folder: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
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
