"""Read one file, or a whole corpus folder with its ``manifest.csv``."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DocumentError, ManifestError, PolicytextError
from ..records import Document, DocumentMeta, Failure, to_frame
from ..segment import build_document
from .blocks import Extracted, ReadLimits
from .docx import read_docx
from .html import read_html
from .language import base_language, detect_language, split_sentences_for
from .pdf import read_pdf
from .text import read_markdown, read_txt

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["READERS", "Corpus", "CorpusPlan", "PlannedDocument", "resolve_partners", "read_document", "read_text", "load_corpus", "plan_corpus",
           "read_manifest", "MANIFEST_COLUMNS"]

log = logging.getLogger("policytext")

#: Readers by file suffix.
READERS: dict[str, Callable[..., Extracted]] = {
    ".txt": lambda data, path, limits: read_txt(data, path),
    ".text": lambda data, path, limits: read_txt(data, path),
    ".md": lambda data, path, limits: read_markdown(data, path),
    ".markdown": lambda data, path, limits: read_markdown(data, path),
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".docx": read_docx,
}

#: Columns of a manifest (``path`` is optional: without it files are found by id; ``signatories`` and
#: ``status`` are optional too).
MANIFEST_COLUMNS = (
    "id", "title", "issuer", "partner", "doc_type", "date", "language", "source_url", "license",
    "words", "complete", "notes", "signatories", "status",
)
#: Columns read besides :data:`MANIFEST_COLUMNS` (``file`` is an alias of ``path``).
_EXTRA_COLUMNS = ("path", "file")
_MANIFEST_TO_META = {"id": "doc_id", "source_url": "source"}
_NON_ENGLISH_WARNING = ("language is {lang!r}, not English: analysed on the multilingual backend (commitments are "
                        "extracted in English and French only)")


def read_document(
    path: str | os.PathLike[str],
    *,
    doc_id: str | None = None,
    meta: DocumentMeta | None = None,
    limits: ReadLimits = ReadLimits(),
) -> Document:
    """Read one file (txt, md, html, pdf, docx) into a :class:`Document`.

    Parameters
    ----------
    path : the file.
    doc_id : id to give the document; defaults to the file name without suffix.
    meta : metadata (e.g. from a manifest); ``doc_id``, ``content_hash``,
        ``path``, ``file_format`` and the detected language are filled in.
    limits : size and page bounds; a file over a bound is refused.

    Raises
    ------
    DocumentError
        naming the file and the problem: missing, unsupported format, empty,
        binary, not UTF-8, over a limit, encrypted, damaged or truncated.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise DocumentError(
            path, f"unsupported file type {suffix or '(none)'!r}", f"supported: {', '.join(sorted(READERS))}"
        )
    try:
        info = path.stat()
    except FileNotFoundError as e:
        raise DocumentError(path, "file not found") from e
    except OSError as e:
        raise DocumentError(path, f"cannot access the file ({e.strerror})") from e
    if stat.S_ISDIR(info.st_mode):
        raise DocumentError(path, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):  # a pipe or device could block or never end
        raise DocumentError(path, "not a regular file (a pipe, socket or device)")
    if info.st_size > limits.max_bytes:
        raise DocumentError(
            path, f"file is {info.st_size:,} bytes, over the limit of {limits.max_bytes:,}", "raise ReadLimits.max_bytes"
        )
    try:
        with path.open("rb") as f:
            data = f.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew since stat(): read on, never past the limit
                data += f.read(limits.max_bytes + 1 - len(data))
    except OSError as e:
        raise DocumentError(path, f"cannot read the file ({e.strerror})") from e
    if len(data) > limits.max_bytes:
        raise DocumentError(path, f"file is over the limit of {limits.max_bytes:,} bytes", "raise ReadLimits.max_bytes")
    if not data.strip():
        raise DocumentError(path, "the file is empty")
    extracted = READERS[suffix](data, path, limits)
    meta = meta or DocumentMeta(doc_id=doc_id or path.stem)
    meta = replace(
        meta,
        doc_id=doc_id or meta.doc_id,
        content_hash=hashlib.sha256(data).hexdigest(),
        path=str(path),
        file_format=suffix.lstrip("."),
    )
    return _finish(extracted, meta, path, limits)


def read_text(text: str, *, doc_id: str, meta: DocumentMeta | None = None, fmt: str = "txt") -> Document:
    """Build a :class:`Document` from a string already in memory (``fmt``: ``txt`` or ``md``)."""
    reader = {"txt": read_txt, "md": read_markdown}.get(fmt)
    if reader is None:
        raise ValueError(f"fmt must be 'txt' or 'md', got {fmt!r}")
    data = text.encode("utf-8")
    meta = replace(
        meta or DocumentMeta(doc_id=doc_id),
        doc_id=doc_id,
        content_hash=hashlib.sha256(data).hexdigest(),
        file_format=fmt,
    )
    return _finish(reader(data, f"<{doc_id}>"), meta, f"<{doc_id}>", ReadLimits())


def _finish(extracted: Extracted, meta: DocumentMeta, path, limits: ReadLimits) -> Document:
    if not extracted.blocks:
        raise DocumentError(path, "no text found in the file")
    chars = sum(len(b.text) for b in extracted.blocks)
    if chars > limits.max_chars:
        raise DocumentError(path, f"{chars:,} characters of text, over the limit of {limits.max_chars:,}")
    sample = " ".join(b.text for b in extracted.blocks[:400])
    detected, confidence = detect_language(sample)
    language = (meta.language or detected or "").strip()
    meta = replace(meta, language=language, detected_language=detected, language_confidence=confidence)
    warnings = []
    if language.split("-")[0] != "en":
        warnings.append(_NON_ENGLISH_WARNING.format(lang=language))
    if meta.language and detected and confidence >= 0.9 and detected != meta.language.split("-")[0]:
        warnings.append(f"declared language {meta.language!r} but the text looks like {detected!r}")
    splitter = None if base_language(language) == "en" else partial(split_sentences_for, language=language)
    return build_document(extracted.blocks, meta, page_count=extracted.page_count, warnings=warnings,
                          sentence_splitter=splitter)


@dataclass(frozen=True)
class Corpus:
    """Documents loaded from a folder, with the files that failed and why.

    Iterate over it for the documents; index it by doc id.
    """

    root: str
    documents: tuple[Document, ...]
    failures: tuple[Failure, ...] = ()
    manifest: str = ""
    warnings: tuple[str, ...] = ()
    _index: dict[str, Document] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({d.doc_id: d for d in self.documents})

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._index

    def __getitem__(self, doc_id: str) -> Document:
        try:
            return self._index[doc_id]
        except KeyError:
            raise KeyError(f"no document {doc_id!r} in corpus {self.root} (ids: {', '.join(self.ids)})") from None

    @property
    def ids(self) -> list[str]:
        return [d.doc_id for d in self.documents]

    def select(self, **criteria: str) -> list[Document]:
        """Documents whose metadata fields equal the given values, e.g. ``select(partner="EU")``."""
        return [d for d in self.documents if all(getattr(d.meta, k) == v for k, v in criteria.items())]

    def to_frame(self) -> pd.DataFrame:
        """One row per document: metadata plus words, pages, paragraphs, sentences."""
        return to_frame(self.documents, record_type=Document)

    def failures_frame(self) -> pd.DataFrame:
        return to_frame(self.failures, record_type=Failure)

    def __repr__(self) -> str:
        return f"Corpus(root={self.root!r}, documents={len(self.documents)}, failures={len(self.failures)})"


def read_manifest(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """Read a ``manifest.csv`` into rows (dicts); validate its header and ids.

    Raises
    ------
    ManifestError
        if the file is missing, not UTF-8 CSV, lacks an ``id`` column, or has
        an empty or duplicate id.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as e:
        raise ManifestError(path, "manifest not found") from e
    except OSError as e:
        raise ManifestError(path, f"cannot read the manifest ({e.strerror})") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ManifestError(path, f"not valid UTF-8 (offset {e.start})") from e
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = reader.fieldnames or []
        rows = list(reader)
    except csv.Error as e:
        raise ManifestError(path, f"malformed CSV ({e})") from e
    if "id" not in header:
        raise ManifestError(path, f"no 'id' column (columns: {', '.join(header) or 'none'})")
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        if None in row:
            raise ManifestError(path, "more fields than the header has columns", row=n)
        doc_id = (row.get("id") or "").strip()
        if not doc_id:
            raise ManifestError(path, "empty id", row=n)
        if doc_id in seen:
            raise ManifestError(path, f"duplicate id {doc_id!r}", row=n)
        seen.add(doc_id)
    return rows


def _meta_from_row(row: dict[str, str]) -> DocumentMeta:
    fields = {f for f in DocumentMeta.__dataclass_fields__}
    values = {}
    for key, value in row.items():
        name = _MANIFEST_TO_META.get(key, key)
        if name in fields and name not in {"content_hash", "path", "file_format"}:
            values[name] = (value or "").strip()
    return DocumentMeta(**values)


def _resolve(root: Path, row: dict[str, str], manifest: Path, n: int, by_stem: dict[str, list[Path]]) -> Path:
    """Find the file of a manifest row, refusing anything outside the corpus folder."""
    doc_id = row["id"].strip()
    given = (row.get("path") or row.get("file") or "").strip()
    if given:
        candidate = Path(given)
        if candidate.is_absolute() or ".." in candidate.parts:
            raise ManifestError(manifest, f"path {given!r} of {doc_id!r} points outside the corpus folder", row=n)
        full = root / candidate
        if full.is_symlink() or not full.resolve().is_relative_to(root.resolve()):
            raise ManifestError(manifest, f"path {given!r} of {doc_id!r} is a link out of the corpus folder", row=n)
        if not full.exists():
            raise DocumentError(full, f"file named by manifest row {n} ({doc_id!r}) not found")
        return full
    matches = by_stem.get(doc_id, [])
    if not matches:
        raise DocumentError(
            root / doc_id, f"no file for manifest id {doc_id!r} (looked for {doc_id}.{{txt,md,html,pdf,docx}})"
        )
    if len(matches) > 1:
        raise DocumentError(root / doc_id, f"several files for id {doc_id!r}: {', '.join(map(str, matches))}")
    if not _inside(root, matches[0]):
        raise ManifestError(manifest, f"file {str(matches[0])!r} of {doc_id!r} is a link out of the corpus folder",
                            row=n)
    return matches[0]


def _inside(root: Path, path: Path) -> bool:
    """``path`` (after following links) lies inside the folder ``root``."""
    return path.resolve().is_relative_to(root.resolve())


def _files_by_stem(root: Path) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.suffix.lower() in READERS and not name.endswith(".reference.txt"):
                out.setdefault(p.stem, []).append(p)
    return out


@dataclass(frozen=True)
class PlannedDocument:
    """A document of a corpus folder as planned from its manifest or file name, before its file is read.

    ``error`` is why it is refused (a link out of the folder, a path outside it, no file for its id...):
    the same refusal, with the same message, for :func:`load_corpus` and batch scoring.
    """

    doc_id: str
    path: Path
    meta: DocumentMeta
    error: PolicytextError | None = None


@dataclass(frozen=True)
class CorpusPlan:
    """What :func:`plan_corpus` found: the documents, the manifest read (``""``: none) and warnings."""

    root: str
    documents: tuple[PlannedDocument, ...]
    manifest: str = ""
    warnings: tuple[str, ...] = ()


def plan_corpus(root: str | os.PathLike[str], *, manifest: str | os.PathLike[str] | None = "manifest.csv"
                ) -> CorpusPlan:
    """Every document of a corpus folder: its id, file and manifest metadata, or the reason it is refused.

    Reads the manifest but no document.  With a manifest, one entry per row
    (its file is ``path``, or the file named ``{id}.{suffix}`` anywhere below
    the folder); without one (``manifest=None`` or no such file), one entry
    per supported file below the folder, with the file name as id.  Files
    that resolve outside the folder (links, ``..``, absolute paths) are refused.

    Raises
    ------
    ManifestError
        if the folder does not exist, or the manifest is unusable or named but missing.
    """
    root = Path(root)
    if not root.is_dir():
        raise ManifestError(root, "corpus folder not found" if not root.exists() else "not a folder")
    manifest_path = root / manifest if manifest is not None else None
    by_stem = _files_by_stem(root)
    planned: list[PlannedDocument] = []
    if manifest_path is not None and manifest_path.is_file():
        rows = read_manifest(manifest_path)
        warnings = _unknown_columns(manifest_path, list(rows[0]) if rows else [])
        if not rows:
            warnings.append(f"{manifest_path}: the manifest has no rows")
        for n, row in enumerate(rows, start=2):
            doc_id = row["id"].strip()
            meta = replace(_meta_from_row(row), doc_id=doc_id)
            hint = root / ((row.get("path") or row.get("file") or "").strip() or doc_id)
            try:
                planned.append(PlannedDocument(doc_id, _resolve(root, row, manifest_path, n, by_stem), meta))
            except PolicytextError as e:
                planned.append(PlannedDocument(doc_id, hint, meta, error=e))
        return CorpusPlan(str(root), tuple(planned), str(manifest_path), tuple(warnings))
    if manifest is not None and manifest_path is not None and str(manifest) != "manifest.csv":
        raise ManifestError(manifest_path, "manifest not found")
    for stem, paths in sorted(by_stem.items()):
        for p in paths:
            doc_id = stem if len(paths) == 1 else f"{stem}.{p.suffix.lstrip('.').lower()}"
            error = None if _inside(root, p) else DocumentError(p, "is a link out of the corpus folder")
            planned.append(PlannedDocument(doc_id, p, DocumentMeta(doc_id=doc_id), error=error))
    warnings = [] if planned else [
        f"{root}: no manifest.csv and no file of a supported type ({', '.join(sorted(READERS))}) in the folder "
        "or below it"]
    return CorpusPlan(str(root), tuple(planned), "", tuple(warnings))


def _unknown_columns(manifest: Path, header: list[str]) -> list[str]:
    """A warning per manifest column that policytext does not read, with the closest known name."""
    import difflib

    known = MANIFEST_COLUMNS + _EXTRA_COLUMNS
    out = []
    for col in header:
        if col is None or col.strip() in known:
            continue
        close = difflib.get_close_matches(col.strip(), known, n=1, cutoff=0.7)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known columns: {', '.join(known)})"
        out.append(f"{manifest}: column {col!r} is not read{hint}")
    return out


def load_corpus(
    root: str | os.PathLike[str],
    *,
    manifest: str | os.PathLike[str] | None = "manifest.csv",
    limits: ReadLimits = ReadLimits(),
    on_error: str = "collect",
) -> Corpus:
    """Load every document of a corpus folder.

    With a ``manifest.csv`` (columns as in :data:`MANIFEST_COLUMNS`, plus an
    optional ``path`` relative to the folder), each row gives one document and
    its metadata; its file is ``path`` or the file named ``{id}.{suffix}``
    anywhere below the folder.  Without a manifest (``manifest=None`` or no
    such file), every supported file below the folder is loaded, with the
    file name as id.

    A document that fails to load is recorded in ``Corpus.failures`` with the
    reason, and the others still load (``on_error="raise"`` stops at the first).

    Raises
    ------
    ManifestError
        if the folder does not exist or the manifest itself is unusable.
    """
    if on_error not in ("collect", "raise"):
        raise ValueError(f"on_error must be 'collect' or 'raise', got {on_error!r}")
    root = Path(root)
    plan = plan_corpus(root, manifest=manifest)
    documents: list[Document] = []
    failures: list[Failure] = []
    for warning in plan.warnings:
        log.warning("%s", warning)
    for item in plan.documents:
        try:
            if item.error is not None:
                raise item.error
            documents.append(read_document(item.path, doc_id=item.doc_id, meta=item.meta, limits=limits))
        except PolicytextError as e:
            if on_error == "raise":
                raise
            log.warning("%s", e)
            failures.append(Failure(doc_id=item.doc_id, path=str(item.path), error=str(e), error_type=type(e).__name__))
    return Corpus(root=str(root), documents=tuple(documents), failures=tuple(failures), manifest=plan.manifest,
                  warnings=plan.warnings)


def resolve_partners(corpus: Corpus, refs: Sequence[str], *, exclude: Sequence[str] = (), signed: bool = False
                     ) -> dict[str, list[Document]]:
    """Partner documents named by document id or by partner name, grouped by partner.

    A document id gives that document; a partner name (the manifest's ``partner``
    column) gives all of that partner's documents except those in ``exclude``.
    Names match ignoring case and surrounding spaces; a name that is a whole word
    of exactly one partner's name matches it (``Korea`` finds ``Republic of Korea``; a group
    naming it only in parentheses, "Global Partnership (..., Republic of Korea, ...)", does not count).
    Documents of the same partner are grouped together.  With ``signed``, a partner name also gives
    the documents of other partners that it signed (the ``signatories`` column, or the authors inferred
    from the issuer): a G7 communiqué for Japan, a US–Kenya statement for the United States.

    Raises
    ------
    KeyError
        naming the reference, suggesting the closest id or partner ("did you mean"),
        and listing the valid ids and partner names.
    """
    import difflib
    import re

    excluded = set(exclude)
    partners = sorted({d.meta.partner for d in corpus if d.meta.partner})
    groups: dict[str, list[Document]] = {}
    for raw in refs:
        ref = raw.strip()
        if ref in corpus:
            docs = [corpus[ref]]
        else:
            key = ref.casefold()
            names = [p for p in partners if p.casefold() == key] or [
                p for p in partners if key and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", p.casefold())]
            if len(names) > 1:  # "Korea": the partner it names, not a group that lists it in parentheses
                outside = [p for p in names if re.search(rf"(?<!\w){re.escape(key)}(?!\w)",
                                                         re.sub(r"\([^)]*\)", "", p.casefold()))]
                names = outside if len(outside) == 1 else names
            if len(names) > 1:
                raise KeyError(f"--partner {raw!r} matches several partners: {', '.join(names)}; name one of them")
            docs = [d for d in corpus if names and d.meta.partner == names[0] and d.doc_id not in excluded]
            if signed and docs:
                from ..extract.speakers import default_reader

                reader = default_reader()
                party = reader.party(names[0])
                docs += [d for d in corpus if party and d.meta.partner != names[0] and d.doc_id not in excluded
                         and reader.authors(d.meta, d.text).signed_by(party)]
            if not docs:
                close = difflib.get_close_matches(ref, list(corpus.ids) + partners, n=1, cutoff=0.6)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise KeyError(f"--partner {raw!r} is neither a document id nor a partner of the corpus.{hint} "
                               f"Document ids: {', '.join(corpus.ids)}; partners: {', '.join(partners)}")
        for d in docs:
            label = names[0] if ref not in corpus and names else (d.meta.partner or d.doc_id)
            group = groups.setdefault(label, [])
            if all(d.doc_id != g.doc_id for g in group):
                group.append(d)
    return groups
