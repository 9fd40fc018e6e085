"""Gold labels: reading the sentence and alignment gold files, and finding each gold sentence in its document."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import PolicytextError
from ..records import Document, Segment

__all__ = ["GoldError", "gold_contexts", "gold_files", "label_matrix", "locate_sentences", "read_alignment_gold",
           "read_gold", "read_golds", "trained_on", "training_rows"]


class GoldError(PolicytextError):
    """A gold file is missing or malformed."""

    def __init__(self, path: str | os.PathLike[str], problem: str, *, line: int | None = None) -> None:
        self.path, self.problem, self.line = str(path), problem, line
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


# --------------------------------------------------------------------------- gold


def read_gold(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a gold ``sentences.jsonl``; each line needs ``id``, ``doc_id``, ``text`` and ``themes``."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as e:
        raise GoldError(path, "gold file not found") from e
    except (OSError, UnicodeDecodeError) as e:
        raise GoldError(path, f"cannot read the file ({e})") from e
    rows, seen = [], set()
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise GoldError(path, f"not valid JSON ({e.msg})", line=n) from e
        missing = [k for k in ("id", "doc_id", "text", "themes") if k not in row]
        if missing:
            raise GoldError(path, f"missing key(s) {', '.join(missing)}", line=n)
        if not isinstance(row["themes"], list):
            raise GoldError(path, "'themes' must be a list of theme ids", line=n)
        if row["id"] in seen:
            raise GoldError(path, f"duplicate id {row['id']!r}", line=n)
        seen.add(row["id"])
        rows.append(row)
    if not rows:
        raise GoldError(path, "no gold sentences in the file")
    return rows


def read_golds(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """Read one gold file or several (e.g. ``sentences.jsonl`` and ``sentences-2.jsonl``) as one list of rows.

    Ids must be unique across the files; each row remembers its file in ``"_file"``.
    """
    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not paths:
        raise ValueError("no gold file given")
    rows: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for path in map(Path, paths):
        for row in read_gold(path):
            if row["id"] in seen:
                raise GoldError(path, f"id {row['id']!r} is also in {seen[row['id']]}")
            seen[row["id"]] = path
            rows.append(row | {"_file": path.name})
    return rows


def gold_files(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[dict[str, str]]:
    """``[{"file", "sha256"}]`` of gold files: what a trained model records of its training data."""
    from ..models import file_sha256

    paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    return [{"file": Path(p).name, "sha256": file_sha256(p)} for p in paths]


def trained_on(meta: dict[str, Any]) -> set[str]:
    """The checksums of the gold files a model's metadata says it was trained on (one file or several)."""
    data = meta.get("training_data", {}) if meta else {}
    shas = {f["sha256"] for f in data.get("files", [])}
    if data.get("sha256"):  # a model trained on one file records its checksum alone
        shas.add(data["sha256"])
    return shas


def training_rows(
    meta: dict[str, Any],
    training_gold: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None,
    beside: str | os.PathLike[str],
    what: str = "the theme model",
) -> list[dict[str, Any]]:
    """The gold rows a model was trained on, to refit it without some documents.

    ``training_gold``: the file(s) it was trained on; ``None``: the files its metadata names,
    looked up in the folder of ``beside`` (the gold file being scored).  The files must be the
    very ones it was trained on (same checksums), else :class:`GoldError` says what to pass.
    """
    expected = trained_on(meta)
    if training_gold is None:
        names = [f["file"] for f in meta.get("training_data", {}).get("files", [])] or ["sentences.jsonl"]
        paths = [Path(beside).with_name(n) for n in names]
    else:
        paths = [Path(training_gold)] if isinstance(training_gold, (str, os.PathLike)) else list(map(Path, training_gold))
    missing = [p for p in paths if not p.is_file()]
    if missing or {f["sha256"] for f in gold_files(paths)} != expected:
        where = ", ".join(map(str, missing or paths))
        raise GoldError(where, f"{what} was trained on sentences of these documents; pass the gold file(s) it was "
                               "trained on (--training-gold, repeatable) so each document is scored by a model "
                               "fitted without it, or use --mode model (optimistic)")
    return read_golds(paths)


_LIST_MARKER = re.compile(r"^\s*(?:\(?(?:\d{1,3}|[ivxlc]{1,5}|[a-z])[.)]|[-•*–·▪])\s+", re.IGNORECASE)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def locate_sentences(rows: Sequence[dict[str, Any]], documents: dict[str, Document]) -> list[Segment | None]:
    """Find each gold sentence among the sentences of its document.

    A gold id reads ``{doc_id}#{n}``, with ``n`` the 0-based position of the
    sentence in the annotators' own sentence split of the document; that split
    differs from policytext's (it keeps list markers such as ``"1."`` and cuts
    some sentences elsewhere), so sentences are matched by text (whitespace and
    case ignored, list markers stripped, then by prefix), and ``n`` only breaks
    ties between repeated sentences (the one at the most similar relative
    position wins).  ``None`` where the document or the sentence is not found.
    """
    found: list[Segment | None] = []
    for row in rows:
        doc = documents.get(row["doc_id"])
        if doc is None:
            found.append(None)
            continue
        sentences = doc.sentences
        gold = _norm(row["text"])
        bare = _norm(_LIST_MARKER.sub("", row["text"]))
        normed = [_norm(s.text) for s in sentences]
        hits = [i for i, t in enumerate(normed) if t in (gold, bare)]
        if not hits:
            head = bare[:60]
            hits = [i for i, t in enumerate(normed) if head and (head in t or (len(t) > 20 and t in bare))]
        if not hits:
            found.append(None)
            continue
        try:
            n = int(str(row["id"]).rsplit("#", 1)[1])
        except (IndexError, ValueError):
            n = 0
        found.append(sentences[min(hits, key=lambda i: abs(i - n))])
    return found


def gold_contexts(
    rows: Sequence[dict[str, Any]], corpus_dir: str | os.PathLike[str]
) -> tuple[list[str], list[str]]:
    """The context (heading and paragraph) of each gold sentence, and the ids of those not found."""
    from ..ingest import load_corpus
    from ..themes import sentence_contexts

    docs = {d.doc_id: d for d in load_corpus(corpus_dir)}
    segments = locate_sentences(rows, docs)
    context = [sentence_contexts(docs[r["doc_id"]], [s])[0] if s is not None else ""
               for r, s in zip(rows, segments)]
    return context, [r["id"] for r, s in zip(rows, segments) if s is None]


def label_matrix(rows: Sequence[dict[str, Any]], classes: Sequence[str]) -> np.ndarray:
    index = {c: k for k, c in enumerate(classes)}
    Y = np.zeros((len(rows), len(classes)), dtype=np.int64)
    for i, row in enumerate(rows):
        for t in row["themes"]:
            if t in index:
                Y[i, index[t]] = 1
    return Y


def read_alignment_gold(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read ``doc_id,theme,alignment`` rows (alignment 0-3, empty where the EU is silent -> ``None``)."""
    import csv

    path = Path(path)
    if not path.is_file():
        raise GoldError(path, "gold file not found")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {"doc_id", "theme", "alignment"} - set(reader.fieldnames or [])
        if missing:
            raise GoldError(path, f"missing column(s): {', '.join(sorted(missing))}")
        rows = []
        for n, row in enumerate(reader, start=2):
            value = (row["alignment"] or "").strip()
            try:
                rating = float(value) if value else None
            except ValueError as e:
                raise GoldError(path, f"alignment {value!r} is not a number", line=n) from e
            rows.append({"doc_id": row["doc_id"].strip(), "theme": row["theme"].strip(), "gold": rating})
    return rows


