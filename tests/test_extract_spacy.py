"""The components work in a plain spaCy pipeline, without importing policytext first (entry points)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCRIPT = r'''
import json, sys
import spacy
assert "policytext" not in sys.modules
nlp = spacy.load(sys.argv[1])
nlp.add_pipe("policytext_entities")
nlp.add_pipe("policytext_commitments")
sentences = [
    "The Commission will launch a new connectivity programme with Kenya by 2027.",
    "We intend to explore joint research on quantum technologies.",
    "Partners should consider adopting trusted vendors for their 5G networks.",
    "We will not impose data localisation requirements, subject to national security exceptions.",
    "The European Union commits EUR 300 million to submarine cables where appropriate.",
    "Semiconductors are produced in many countries.",
]
out = []
for doc in nlp.pipe(sentences):
    out.append({"commitments": doc._.policytext_commitments,
                "entities": [(s.text, s.label_, s.id_) for s in doc._.policytext_entities]})
print(json.dumps(out))
'''


@pytest.mark.slow
def test_components_in_plain_spacy():
    from policytext.models import resolve_spacy_model

    path = resolve_spacy_model("en_core_web_sm").path
    proc = subprocess.run([sys.executable, "-c", SCRIPT, path], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    firm, intent, soft, negated, amount, fact = out
    c = firm["commitments"][0]
    assert (c["strength"], c["actor"], c["action"], c["deadline"]) == ("firm", "EU", "launch", "by 2027")
    assert ("Kenya", "COUNTRY", "ISO:KE") in [tuple(e) for e in firm["entities"]]
    assert intent["commitments"][0]["strength"] == "intent"
    assert intent["commitments"][0]["actor"] == "self"  # "we": resolved later from the document's metadata
    assert soft["commitments"][0]["strength"] == "soft"
    n = negated["commitments"][0]
    assert n["negated"] is True and n["strength"] == "firm"
    assert n["condition"].startswith("subject to national security")
    a = amount["commitments"][0]
    assert a["strength"] == "firm" and "300 million" in a["quantity"] and a["condition"] == "where appropriate"
    assert fact["commitments"] == []
