"""Safety (issue 9): nothing executable is loaded from disk, and nothing reaches the network at run time."""

from __future__ import annotations

import ast
import socket
from pathlib import Path

import pytest

from conftest import DEMO, REPO

SRC = REPO / "src" / "policytext"

#: Modules whose loaders can execute code from the data they read.
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "joblib", "dill", "cloudpickle", "marshal", "shelve", "skops"}
SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "_UniqueKeyLoader"}  # _UniqueKeyLoader: a SafeLoader subclass


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def _unsafe_uses(path: Path, root: Path = REPO) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) else [])
            if any((n or "").split(".")[0] in UNSAFE_MODULES for n in names):
                found.append(f"{where}: imports {names}")
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        keywords = {k.arg: k.value for k in node.keywords}
        if name in {"eval", "exec", "torch.load", "yaml.unsafe_load", "yaml.full_load", "yaml.load_all"}:
            found.append(f"{where}: calls {name}")
        elif name in {"np.load", "numpy.load"}:
            flag = keywords.get("allow_pickle")
            if not (isinstance(flag, ast.Constant) and flag.value is False):
                found.append(f"{where}: {name} without allow_pickle=False")
        elif name == "yaml.load":
            loader = keywords.get("Loader")
            if loader is None or _dotted(loader).split(".")[-1] not in SAFE_YAML_LOADERS:
                found.append(f"{where}: yaml.load without a safe Loader")
    return found


def test_issue9_no_code_executing_loaders_in_src():
    """No pickle/joblib/torch.load/np.load(allow_pickle=True)/unsafe YAML anywhere in the package.

    Model weights are read as safetensors (sentence-transformers, SHA-256
    checked in ``policytext.models``), numpy archives with ``allow_pickle=False``
    (theme model, language model) and JSON; taxonomies with a YAML SafeLoader.
    """
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 10
    problems = [p for f in files for p in _unsafe_uses(f)]
    assert not problems, "\n".join(problems)


def test_issue9_the_scanner_catches_unsafe_code(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import pickle\nimport numpy as np\nimport yaml\nimport torch\n"
                   "np.load('x', allow_pickle=True)\nyaml.load('a')\ntorch.load('m')\neval('1')\n", encoding="utf-8")
    problems = _unsafe_uses(bad, root=tmp_path)
    assert len(problems) == 5, problems


def test_issue9_taxonomy_yaml_cannot_execute_code(tmp_path):
    from policytext.errors import TaxonomyError
    from policytext.taxonomy import _make_loader, load_taxonomy

    import yaml

    assert issubclass(_make_loader(), yaml.SafeLoader)
    marker = tmp_path / "executed"
    path = tmp_path / "evil.yaml"
    path.write_text(f"themes: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(path)
    assert not marker.exists()


@pytest.fixture()
def no_network(monkeypatch):
    """Every attempt to open a connection or resolve a name fails loudly."""
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[1:] or args)[:200])
        raise OSError("network access attempted during a policytext run")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_issue9_no_network_guard_works(no_network):
    with pytest.raises(OSError, match="network access attempted"):
        socket.create_connection(("example.org", 80), timeout=1)
    assert no_network


def test_issue9_ingest_without_network(no_network):
    from policytext import load_corpus

    corpus = load_corpus(DEMO)
    assert len(corpus) == 4 and not corpus.failures
    assert no_network == []


@pytest.mark.slow
def test_issue9_ingest_and_align_without_network(no_network):
    """The whole path of the README's quick start, models included, with sockets blocked."""
    from policytext import load_corpus
    from policytext.pipeline import Analyzer

    corpus = load_corpus(DEMO)
    analyzer = Analyzer()
    result = analyzer.align([corpus["eu-digital-strategy"]], [corpus["veloria-eu-joint-statement"]])
    assert result.overall is not None
    assert no_network == []
