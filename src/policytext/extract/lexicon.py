"""Load the rule data of ``extract/patterns/*.jsonl``: gazetteer, actor table, cue lexicons.

The rules of the extraction components are data, not code:

``entities.jsonl``
    SpanRuler patterns (``label``, ``pattern``, ``id``): EU institutions and
    instruments, international bodies, countries and blocs, technologies and
    people who speak for a party; ``id`` is the canonical entity id.
``actors.jsonl``
    Canonical entity id -> normalised actor label (``ISO:US`` -> ``US``).
``cues.jsonl``
    Cue lexicons (``kind`` + ``words`` or a Matcher ``pattern``): modal verbs,
    verbs, nouns and adjectives of undertaking, intention and stance, action
    verbs of programme bullets, prediction verbs, conditions, deadlines, ...

Nothing here imports spaCy; the components build matchers from these tables.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["PATTERNS_DIR", "Lexicon", "load_jsonl", "load_lexicon"]

#: Folder of the pattern files shipped with the package.
PATTERNS_DIR = Path(__file__).with_name("patterns")


def load_jsonl(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Read a JSONL file into a list of dicts (blank lines skipped).

    Raises
    ------
    ValueError
        naming the file and line of a row that is not a JSON object.
    """
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not valid JSON ({e.msg})") from e
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{n}: expected a JSON object, got {type(row).__name__}")
            rows.append(row)
    return rows


@dataclass(frozen=True)
class Lexicon:
    """The cue tables, keyed by kind (see ``cues.jsonl``).

    Attributes
    ----------
    words : ``kind -> set of lower-case words/lemmas`` for kinds without strength.
    strengths : ``kind -> {word: strength}`` for ``modal``, ``verb``, ``noun``, ``adj``.
    patterns : ``kind -> list of Matcher token patterns``.
    entity_patterns : SpanRuler patterns of the gazetteer.
    actors : canonical entity id -> actor label.
    """

    words: dict[str, frozenset[str]]
    strengths: dict[str, dict[str, str]]
    patterns: dict[str, list[list[dict[str, Any]]]]
    entity_patterns: list[dict[str, Any]] = field(default_factory=list)
    actors: dict[str, str] = field(default_factory=dict)

    def has(self, kind: str, word: str) -> bool:
        """Whether ``word`` (lower-cased) is in the ``kind`` table."""
        return word.lower() in self.words.get(kind, frozenset())

    def strength(self, kind: str, word: str) -> str | None:
        """The strength a ``modal``/``verb``/``noun``/``adj`` cue gives, or ``None``."""
        return self.strengths.get(kind, {}).get(word.lower())

    def cue_words(self) -> frozenset[str]:
        """Every word of a strength-bearing cue, for the cheap text pre-filter."""
        out: set[str] = set()
        for table in self.strengths.values():
            out.update(table)
        for kind in ("necessity", "necessity_noun", "aspect", "self"):
            out.update(self.words.get(kind, ()))
        return frozenset(out)


def load_lexicon(patterns_dir: str | os.PathLike[str] | None = None) -> Lexicon:
    """Load the cue lexicons, gazetteer and actor table from ``patterns_dir``.

    Parameters
    ----------
    patterns_dir : folder holding ``cues.jsonl``, ``entities.jsonl`` and
        ``actors.jsonl``; defaults to the files shipped with policytext.
    """
    return _load(str(Path(patterns_dir) if patterns_dir else PATTERNS_DIR))


@lru_cache(maxsize=4)
def _load(folder: str) -> Lexicon:
    root = Path(folder)
    for name in ("cues.jsonl", "entities.jsonl", "actors.jsonl"):
        if not (root / name).is_file():
            raise FileNotFoundError(f"patterns folder {root} has no {name} (expected cues, entities, actors JSONL)")
    words: dict[str, set[str]] = defaultdict(set)
    strengths: dict[str, dict[str, str]] = defaultdict(dict)
    patterns: dict[str, list[list[dict[str, Any]]]] = defaultdict(list)
    for row in load_jsonl(root / "cues.jsonl"):
        kind = row["kind"]
        if "pattern" in row:
            patterns[kind].append(row["pattern"])
        for w in row.get("words", ()):
            if "strength" in row:
                strengths[kind][w.lower()] = row["strength"]
            else:
                words[kind].add(w.lower())
    actors = {row["id"]: row["actor"] for row in load_jsonl(root / "actors.jsonl")}
    return Lexicon(
        words={k: frozenset(v) for k, v in words.items()},
        strengths=dict(strengths),
        patterns=dict(patterns),
        entity_patterns=load_jsonl(root / "entities.jsonl"),
        actors=actors,
    )
