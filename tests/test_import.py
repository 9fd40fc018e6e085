"""Importing policytext is cheap: no torch, spaCy or sentence-transformers."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("torch", "spacy", "sentence_transformers", "transformers")


def _modules_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_policytext_does_not_import_heavy_packages():
    loaded = _modules_after("import policytext")
    assert not [m for m in HEAVY if m in loaded]


def test_reading_a_document_does_not_import_heavy_packages(tmp_path):
    (tmp_path / "a.txt").write_text("The EU will invest in secure connectivity.\n", encoding="utf-8")
    loaded = _modules_after(
        f"import policytext\npolicytext.load_corpus({str(tmp_path)!r})\nimport policytext.cli"
    )
    assert not [m for m in HEAVY if m in loaded]


def test_public_api_has_what_the_readme_uses_and_no_function_shadows_a_module():
    import importlib
    import pkgutil

    import policytext

    for name in policytext.__all__:
        assert getattr(policytext, name) is not None, name
    for name in ("score_corpus", "Store", "Report", "build_briefings", "plan_corpus", "Analyzer", "align_many"):
        assert name in policytext.__all__, name
    modules = {m.name for m in pkgutil.iter_modules(policytext.__path__)}
    clashes = sorted(modules & set(policytext.__all__))
    assert not clashes, f"public names that shadow a submodule: {clashes}"
    assert callable(policytext.align) and importlib.import_module("policytext.alignment").AlignConfig


def test_lazy_public_names_import_nothing_heavy_until_used():
    loaded = _modules_after("import policytext\nprint(sorted(dir(policytext))[:1])")
    assert not [m for m in HEAVY if m in loaded]
