"""The theme taxonomy: the default file and validation of users' files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policytext.errors import TaxonomyError
from policytext.taxonomy import Taxonomy, Theme, load_taxonomy

GUIDELINE_IDS = (
    "human_rights", "child_protection", "freedom_of_expression", "democracy", "privacy", "cybersecurity", "ai",
    "emerging_tech", "connectivity", "digital_identity", "dpi", "digital_governance", "trade_investment",
    "defence", "online_platforms", "skills_inclusion", "cooperation",
)

THREE = """\
version: 1
name: three
themes:
  space:
    label: Space
    group: tech
    definition: Satellites, launchers and space policy.
    cues: ['satellites?', space]
    examples: [We will launch a new satellite.]
  health:
    definition: Public health and medicine.
  oceans:
    cues: ['oceans?', maritime]
"""


def write(tmp_path: Path, text: str, name: str = "tax.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_default_taxonomy_has_the_guideline_ids_in_order():
    tax = load_taxonomy()
    assert tax.ids == GUIDELINE_IDS
    for theme in tax:
        assert theme.label and theme.group and theme.definition, theme.id
        assert len(theme.cues) >= 3 and len(theme.examples) >= 3, theme.id
        for cue in theme.cues:
            re.compile(cue)
    assert tax["ai"].label == "Artificial intelligence"
    assert tax["ai"].prototypes[0].startswith("Artificial intelligence: ")


def test_default_cues_recognise_their_theme():
    from policytext.themes import compile_cues, cue_matrix

    tax = load_taxonomy()
    hits = cue_matrix(["Ransomware hit the hospital.", "The weather is nice."], compile_cues(tax))
    assert hits[0, tax.ids.index("cybersecurity")] == 1
    assert hits[1].sum() == 0


def test_custom_taxonomy_loads_with_defaults(tmp_path):
    tax = load_taxonomy(write(tmp_path, THREE))
    assert isinstance(tax, Taxonomy) and tax.name == "three"
    assert tax.ids == ("space", "health", "oceans")
    assert tax["health"].label == "Health" and tax["health"].cues == ()
    assert tax["oceans"].examples == ()
    assert isinstance(tax["space"], Theme) and "space" in tax and "ai" not in tax
    with pytest.raises(KeyError, match="no theme 'ai'"):
        tax["ai"]


def test_fingerprint_changes_with_content(tmp_path):
    a = load_taxonomy(write(tmp_path, THREE))
    b = load_taxonomy(write(tmp_path, THREE.replace("maritime", "seas"), "b.yaml"))
    assert a.fingerprint != b.fingerprint
    assert a.fingerprint == load_taxonomy(write(tmp_path, THREE, "c.yaml")).fingerprint


def test_list_form_is_accepted(tmp_path):
    text = "themes:\n  - id: a\n    cues: [x]\n  - id: b\n    definition: B things.\n"
    assert load_taxonomy(write(tmp_path, text)).ids == ("a", "b")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("themes:\n  a:\n    cues: [x]\n    colour: red\n", "unknown key(s) 'colour'"),
        ("themes:\n  a:\n    cues: [x]\nauthor: me\n", "unknown top-level key(s) 'author'"),
        ("themes:\n  a:\n    cues: [x]\n  a:\n    cues: [y]\n", "duplicate key or theme id 'a'"),
        ("themes:\n  a:\n    label: Only a label\n", "theme 'a' is empty"),
        ("themes:\n  a: {cues: [x]\n", "not valid YAML"),
        ("themes:\n  a:\n    cues: ['(unclosed']\n", "not a valid regular expression"),
        ("themes:\n  Bad-Id:\n    cues: [x]\n", "bad theme id 'Bad-Id'"),
        ("themes: {}\n", "has no themes"),
        ("- just\n- a list\n", "expected a mapping"),
        ("themes:\n  a:\n    cues: {x: 1}\n", "'cues' must be a list of strings"),
    ],
)
def test_invalid_files_raise_taxonomy_error(tmp_path, text, problem):
    path = write(tmp_path, text)
    with pytest.raises(TaxonomyError) as info:
        load_taxonomy(path)
    assert problem in str(info.value)
    assert info.value.path == str(path)


def test_missing_file(tmp_path):
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "nope.yaml")
