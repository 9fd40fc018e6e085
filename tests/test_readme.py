"""The README is true: its Python snippets run as written, and its Layout section matches the tree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.S | re.M)
    assert match, f"no '## {title}' section in the README"
    return match.group(1)


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.slow
def test_quick_start_and_spacy_snippet_run_as_written(monkeypatch):
    monkeypatch.chdir(REPO)  # the snippets name corpora/demo relative to the repository
    blocks = _python_blocks(_section("Quick start (notebook)"))
    assert len(blocks) == 2, "the quick start and the plain-spaCy snippet"
    namespace: dict = {}
    exec(compile(blocks[0], "README quick start", "exec"), namespace)
    assert len(namespace["result"].themes) > 0
    spacy_ns: dict = {}
    exec(compile(blocks[1], "README spaCy snippet", "exec"), spacy_ns)
    found = spacy_ns["doc"]._.policytext_commitments
    assert found and found[0]["strength"] == "firm" and "2027" in found[0]["deadline"]


def test_layout_section_matches_the_tree():
    block = re.search(r"```\n(.*?)```", _section("Layout"), flags=re.S).group(1)
    named: set[str] = set()
    folder = ""
    for line in block.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            folder, rest = line.split(maxsplit=1) if " " in line.strip() else (line.strip(), "")
            named.add(folder.rstrip("/"))
            for token in re.findall(r"[\w./-]+\.py|[\w-]+/", rest):
                named.add(folder + token.rstrip("/"))
            if folder != "src/policytext/":
                folder = "src/policytext/"  # indented lines belong to the package
            continue
        for token in re.findall(r"[\w./-]+\.py|[\w-]+/", line):  # paths on a line are relative to its folder
            named.add(folder + token.rstrip("/"))
    for path in sorted(named):
        assert (REPO / path).exists(), f"the README's Layout names {path}, which is not in the tree"
    package = REPO / "src" / "policytext"
    modules = {f"src/policytext/{p.relative_to(package)}".rstrip("/") for p in package.iterdir()
               if (p.suffix == ".py" and p.name not in ("__init__.py", "__main__.py")) or
               (p.is_dir() and (p / "__init__.py").exists())}
    missing = sorted(modules - named)
    assert not missing, f"modules and subpackages the README's Layout does not name: {missing}"
