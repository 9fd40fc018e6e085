"""The theme taxonomy: which themes exist and how to recognise them, as data.

A taxonomy is a YAML file listing themes by id, each with a label, a parent
group, a definition, *cues* (regular expressions whose match is strong
evidence for the theme) and *examples* (short sentences carrying the theme).
The default one ships as package data (``policytext/data/taxonomy.yaml``) and
uses the theme ids of the annotation guidelines; users load their own file to
add, drop or rename themes::

    version: 1
    name: my-taxonomy
    themes:
      ai:
        label: Artificial intelligence
        group: technology
        definition: Development, use and governance of AI.
        cues: ["AI", "artificial intelligence"]
        examples: ["We will invest in trustworthy AI."]

:func:`load_taxonomy` validates the file and raises
:class:`~policytext.errors.TaxonomyError` naming the file and the problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import TaxonomyError

__all__ = ["Theme", "Taxonomy", "load_taxonomy", "default_taxonomy_path", "THEME_KEYS", "TAXONOMY_KEYS"]

#: Keys allowed in a theme entry.
THEME_KEYS = ("label", "group", "definition", "cues", "examples")
#: Keys allowed at the top level of a taxonomy file.
TAXONOMY_KEYS = ("version", "name", "description", "themes")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class Theme:
    """One theme of a taxonomy.

    Attributes
    ----------
    id : stable identifier (lower case, digits, underscores), e.g. ``"ai"``.
    label : human-readable name.
    group : parent group (``""`` if none).
    definition : what the theme covers, in a sentence or two.
    cues : regular expressions (case-insensitive, anchored at word starts and ends).
    examples : short sentences carrying the theme.
    """

    id: str
    label: str
    group: str = ""
    definition: str = ""
    cues: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()

    @property
    def prototypes(self) -> tuple[str, ...]:
        """Texts describing the theme for embedding: ``"label: definition"`` then the examples."""
        head = f"{self.label}: {self.definition}" if self.definition else self.label
        return (head, *self.examples)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label, "group": self.group, "definition": self.definition,
            "cues": list(self.cues), "examples": list(self.examples),
        }


@dataclass(frozen=True)
class Taxonomy:
    """An ordered collection of :class:`Theme` records.

    Index it by theme id, iterate over its themes, ``len()`` gives their number.
    """

    themes: tuple[Theme, ...]
    name: str = ""
    version: int = 1
    path: str = ""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    def __iter__(self):
        return iter(self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self.ids

    def __getitem__(self, theme_id: str) -> Theme:
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(f"no theme {theme_id!r} in taxonomy {self.name or self.path!r} (themes: {', '.join(self.ids)})")

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the themes' content (ids, definitions, cues, examples); names a taxonomy version."""
        payload = json.dumps({t.id: t.to_dict() for t in self.themes}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "name": self.name, "themes": {t.id: t.to_dict() for t in self.themes}}


def default_taxonomy_path() -> Path:
    """Path of the taxonomy shipped with policytext."""
    return Path(str(resources.files("policytext") / "data" / "taxonomy.yaml"))


def load_taxonomy(path: str | os.PathLike[str] | None = None) -> Taxonomy:
    """Read and validate a taxonomy YAML file (the default one with ``path=None``).

    Parameters
    ----------
    path : a YAML file in the format described in :mod:`policytext.taxonomy`.

    Returns
    -------
    Taxonomy

    Raises
    ------
    TaxonomyError
        if the file is missing or not valid YAML, has unknown keys, duplicate
        or malformed theme ids, a theme with neither cues, examples nor a
        definition, or a cue that is not a valid regular expression.

    Examples
    --------
    >>> tax = load_taxonomy()
    >>> len(tax), tax["ai"].label
    (17, 'Artificial intelligence')
    """
    import yaml

    file = Path(path) if path is not None else default_taxonomy_path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise TaxonomyError(file, "taxonomy file not found") from e
    except (OSError, UnicodeDecodeError) as e:
        raise TaxonomyError(file, f"cannot read the file ({e})") from e
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as e:
        raise TaxonomyError(file, f"duplicate key or theme id {e.key!r} at line {e.line}") from e
    except yaml.YAMLError as e:
        raise TaxonomyError(file, f"not valid YAML: {e}") from e
    return _from_dict(data, file)


def _from_dict(data: Any, file: Path) -> Taxonomy:
    if not isinstance(data, dict):
        raise TaxonomyError(file, "expected a mapping with a 'themes' key at the top level")
    unknown = sorted(set(map(str, data)) - set(TAXONOMY_KEYS))
    if unknown:
        raise TaxonomyError(file, f"unknown top-level key(s) {', '.join(map(repr, unknown))}; "
                                  f"allowed: {', '.join(TAXONOMY_KEYS)}")
    raw = data.get("themes")
    if isinstance(raw, list):  # a list of {id: ..., ...} entries is accepted too
        entries: list[tuple[Any, Any]] = []
        for n, item in enumerate(raw):
            if not isinstance(item, dict) or "id" not in item:
                raise TaxonomyError(file, f"theme #{n + 1}: a list entry needs an 'id' key")
            item = dict(item)
            entries.append((item.pop("id"), item))
    elif isinstance(raw, dict):
        entries = list(raw.items())
    else:
        raise TaxonomyError(file, "'themes' must be a mapping of theme id -> theme")
    if not entries:
        raise TaxonomyError(file, "the taxonomy has no themes")
    themes: list[Theme] = []
    seen: set[str] = set()
    for theme_id, body in entries:
        themes.append(_theme(theme_id, body, file))
        if themes[-1].id in seen:
            raise TaxonomyError(file, f"duplicate theme id {theme_id!r}")
        seen.add(themes[-1].id)
    try:
        version = int(data.get("version", 1))
    except (TypeError, ValueError) as e:
        raise TaxonomyError(file, f"'version' must be an integer, got {data.get('version')!r}") from e
    return Taxonomy(tuple(themes), name=str(data.get("name") or file.stem), version=version, path=str(file))


def _strings(value: Any, key: str, theme_id: str, file: Path) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise TaxonomyError(file, f"theme {theme_id!r}: {key!r} must be a list of strings")
    out = tuple(str(v).strip() for v in value if str(v).strip())
    return out


def _theme(theme_id: Any, body: Any, file: Path) -> Theme:
    if not isinstance(theme_id, str) or not _ID.match(theme_id):
        raise TaxonomyError(
            file, f"bad theme id {theme_id!r}: use lower-case letters, digits and underscores, starting with a letter"
        )
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise TaxonomyError(file, f"theme {theme_id!r}: expected a mapping with keys {', '.join(THEME_KEYS)}")
    unknown = sorted(set(map(str, body)) - set(THEME_KEYS))
    if unknown:
        raise TaxonomyError(file, f"theme {theme_id!r}: unknown key(s) {', '.join(map(repr, unknown))}; "
                                  f"allowed: {', '.join(THEME_KEYS)}")
    cues = _strings(body.get("cues"), "cues", theme_id, file)
    examples = _strings(body.get("examples"), "examples", theme_id, file)
    definition = str(body.get("definition") or "").strip()
    if not cues and not examples and not definition:
        raise TaxonomyError(file, f"theme {theme_id!r} is empty: give it cues, examples or a definition")
    for cue in cues:
        try:
            re.compile(cue)
        except re.error as e:
            raise TaxonomyError(file, f"theme {theme_id!r}: cue {cue!r} is not a valid regular expression ({e})") from e
    return Theme(
        id=theme_id,
        label=str(body.get("label") or theme_id.replace("_", " ").capitalize()).strip(),
        group=str(body.get("group") or "").strip(),
        definition=definition,
        cues=cues,
        examples=examples,
    )


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int) -> None:
        self.key, self.line = key, line


def _make_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """A SafeLoader that refuses duplicate keys in a mapping (YAML silently keeps the last)."""

        def construct_mapping(self, node, deep=False):  # type: ignore[override]
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    hash(key)
                except TypeError:  # a list or mapping as key ("? [a]"): SafeLoader reports it as a YAML error
                    continue
                if key in seen:
                    raise _DuplicateKey(key, key_node.start_mark.line + 1)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return Loader


class _LazyLoader:
    """Build the YAML loader class on first use, so importing this module does not import yaml."""

    _cls = None

    def __call__(self, stream):
        if _LazyLoader._cls is None:
            _LazyLoader._cls = _make_loader()
        return _LazyLoader._cls(stream)


_UniqueKeyLoader = _LazyLoader()
