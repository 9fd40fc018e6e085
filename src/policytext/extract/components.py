"""spaCy factories: ``policytext_entities`` and ``policytext_commitments``.

Registered with ``@Language.factory`` here and exposed through the
``spacy_factories`` entry point of the package, so a plain spaCy pipeline can
add them without importing policytext first::

    import spacy
    nlp = spacy.load("en_core_web_sm")
    nlp.add_pipe("policytext_entities")
    nlp.add_pipe("policytext_commitments")
    doc = nlp("The Commission will launch the Global Gateway by 2027.")
    doc._.policytext_commitments   # [{'strength': 'firm', 'actor': 'EU', ...}]
    doc._.policytext_entities      # [Global Gateway, Commission] spans with .id_ / .label_

The ``Doc._`` extensions are registered when a factory runs (never at import).
``policytext_entities`` keeps its spans in ``doc.spans["policytext_entities"]``
(serialisable, so ``nlp.pipe(n_process=2)`` works); the extension reads them.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .commitments import COMMITMENTS_ATTR, CommitmentFinder
from .entities import ENTITIES_ATTR, EntityTagger
from .lexicon import load_lexicon

__all__ = ["make_entities", "make_commitments", "register_extensions"]


def _entities_getter(doc: Doc):
    return list(doc.spans[ENTITIES_ATTR]) if ENTITIES_ATTR in doc.spans else None


def register_extensions() -> None:
    """Register ``Doc._.policytext_entities`` and ``Doc._.policytext_commitments`` once."""
    if not Doc.has_extension(ENTITIES_ATTR):
        Doc.set_extension(ENTITIES_ATTR, getter=_entities_getter)
    if not Doc.has_extension(COMMITMENTS_ATTR):
        Doc.set_extension(COMMITMENTS_ATTR, default=None)


@Language.factory(
    "policytext_entities",
    default_config={"patterns_dir": None, "use_ner": True},
    assigns=["doc._.policytext_entities"],
)
def make_entities(nlp: Language, name: str, patterns_dir: str | None, use_ner: bool) -> EntityTagger:
    """Gazetteer + NER entities with canonical ids (``Doc._.policytext_entities``).

    Parameters
    ----------
    patterns_dir : folder with ``entities.jsonl``/``actors.jsonl``/``cues.jsonl``
        (default: the shipped patterns).
    use_ner : keep the entities of a preceding ``ner`` component too.
    """
    register_extensions()
    return EntityTagger(nlp, name, lexicon=load_lexicon(patterns_dir), use_ner=use_ner)


@Language.factory(
    "policytext_commitments",
    default_config={"patterns_dir": None, "self_actor": "self"},
    assigns=["doc._.policytext_commitments"],
    requires=["token.dep", "token.lemma", "token.tag"],
)
def make_commitments(nlp: Language, name: str, patterns_dir: str | None, self_actor: str) -> CommitmentFinder:
    """Commitments of each sentence (``Doc._.policytext_commitments``).

    Parameters
    ----------
    patterns_dir : folder of the rule data (default: the shipped patterns).
    self_actor : actor label for the document's own voice ("we", agencies,
        imperative bullets), e.g. ``"EU"`` for EU texts, ``"joint"`` for joint
        statements; ``"self"`` leaves it to be resolved later.
    """
    register_extensions()
    return CommitmentFinder(nlp, name, lexicon=load_lexicon(patterns_dir), self_actor=self_actor)
