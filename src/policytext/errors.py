"""The exceptions policytext raises.

Every user-facing error message is built here, so that messages stay
consistent: each names the file or parameter concerned, the problem, and how
to fix it.  All errors derive from :class:`PolicytextError`, so callers can
catch one class.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "PolicytextError",
    "DocumentError",
    "ManifestError",
    "ModelNotFoundError",
    "ModelIntegrityError",
    "TaxonomyError",
    "OptionalDependencyError",
]


class PolicytextError(Exception):
    """Base class of every error raised by policytext."""


class DocumentError(PolicytextError):
    """A document could not be read.

    Parameters
    ----------
    path : path of the offending file (or a document id).
    problem : what is wrong, in plain words.
    hint : what the user can do about it (optional).
    """

    def __init__(self, path: str | Path, problem: str, hint: str = "") -> None:
        self.path = str(path)
        self.problem = problem
        self.hint = hint
        message = f"{self.path}: {problem}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class ManifestError(PolicytextError):
    """A corpus manifest is missing, malformed, or names an unusable file."""

    def __init__(self, path: str | Path, problem: str, *, row: int | None = None) -> None:
        self.path = str(path)
        self.problem = problem
        self.row = row
        where = f"{self.path}, row {row}" if row is not None else self.path
        super().__init__(f"{where}: {problem}")


class ModelNotFoundError(PolicytextError):
    """A model name could not be resolved to an installed package or folder."""

    def __init__(self, name: str, *, install: str, kind: str) -> None:
        self.name = name
        self.install = install
        super().__init__(
            f"The {kind} model {name!r} is not installed and policytext does not "
            f"download models at run time. Install it with: {install}"
        )


class ModelIntegrityError(PolicytextError):
    """An installed model's weights do not match the expected checksum."""


class TaxonomyError(PolicytextError):
    """A taxonomy file is invalid."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class OptionalDependencyError(PolicytextError, ImportError):
    """An optional dependency needed for a feature is not installed."""

    def __init__(self, module: str, *, feature: str, extra: str) -> None:
        self.module = module
        super().__init__(
            f"{feature} needs the optional package {module!r}. "
            f"Install it with: pip install 'policytext[{extra}]'"
        )
