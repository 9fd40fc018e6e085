"""Shared fixtures.  Models are loaded once per session; nothing reaches the network."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# No hub access in tests; a fresh embedding cache per test session.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
_OWN_CACHE = None
if "POLICYTEXT_CACHE" not in os.environ:
    _OWN_CACHE = os.environ["POLICYTEXT_CACHE"] = tempfile.mkdtemp(prefix="policytext-test-cache-")

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "corpora" / "demo"


def _shared_root() -> Path | None:
    env = os.environ.get("POLICYTEXT_SHARED_DATA")
    path = Path(env) if env else REPO.parent / "shared"
    return path if (path / "corpora" / "manifest.csv").is_file() else None


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared data set (real documents and gold labels).

    In CI (``POLICYTEXT_REQUIRE_SHARED=1``, set by ``.ci/run``) a missing data
    set fails the test loudly; elsewhere the test is skipped with the reason.
    """
    root = _shared_root()
    if root is None:
        msg = (
            "shared data set not found: set POLICYTEXT_SHARED_DATA to the folder holding "
            "corpora/manifest.csv and eval/"
        )
        if os.environ.get("POLICYTEXT_REQUIRE_SHARED") or os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return root


@pytest.fixture(scope="session")
def shared_corpus(shared):
    from policytext import load_corpus

    return load_corpus(shared / "corpora")


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def embedder():
    """One sentence-transformers embedder for the whole session (cache in a temp dir)."""
    from policytext.embed import Embedder

    return Embedder()


def pytest_sessionfinish(session, exitstatus):
    """Remove the session's embedding cache (the process that made it: not an xdist worker, which inherits it)."""
    if _OWN_CACHE is not None and not hasattr(session.config, "workerinput"):
        shutil.rmtree(_OWN_CACHE, ignore_errors=True)
