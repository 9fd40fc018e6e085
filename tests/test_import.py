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


def test_every_relative_import_names_an_existing_module():
    """Imports inside functions run only when called: check them all statically (modules and names)."""
    import ast
    import importlib
    from pathlib import Path

    import policytext

    root = Path(policytext.__file__).parent
    problems = []
    for path in sorted(root.rglob("*.py")):
        package = ".".join(("policytext",) + path.relative_to(root).with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            try:
                module = importlib.import_module(target)
            except ModuleNotFoundError as e:
                if e.name and e.name.startswith("policytext"):
                    problems.append(f"{path.relative_to(root)}:{node.lineno}: no module {target}")
                continue  # an optional third-party dependency missing here
            for alias in node.names:
                if alias.name != "*" and not hasattr(module, alias.name):
                    try:
                        importlib.import_module(f"{target}.{alias.name}")
                    except ModuleNotFoundError:
                        problems.append(f"{path.relative_to(root)}:{node.lineno}: {target} has no {alias.name}")
    assert not problems, "\n".join(problems)


def test_public_functions_take_at_most_8_options():
    """An executor or settings object absorbs the rest (workers, scheduler, device...)."""
    import importlib
    import inspect

    too_many = []
    for name in ("policytext", "policytext.batch", "policytext.evaluate", "policytext.report", "policytext.ingest",
                 "policytext.store", "policytext.pipeline", "policytext.alignment", "policytext.embed"):
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", ()):
            obj = getattr(module, attr)
            target = obj.__init__ if inspect.isclass(obj) else obj
            if not callable(target) or inspect.isclass(obj) and obj.__init__ is object.__init__:
                continue
            try:
                params = inspect.signature(target).parameters.values()
            except (TypeError, ValueError):
                continue
            options = [p.name for p in params if p.default is not inspect.Parameter.empty]
            if len(options) > 8 and not inspect.isclass(obj):
                too_many.append(f"{name}.{attr}: {len(options)} options ({', '.join(options)})")
    assert not too_many, "\n".join(too_many)
