"""Commitments in French: who commits to what, how firmly, read from the ``fr_core_news_sm`` parse.

The same record and the same guidelines as the English rules
(:mod:`policytext.extract.commitments`), with French cues kept as data in
``patterns/cues_fr.jsonl``:

* ``firm``: verbs of undertaking (``s'engager à``, ``convenir de``,
  ``décider de``), ``va``/``vont`` + infinitive, ``doit``/``doivent``, a verb in
  the simple future with an acting subject (``renforceront``), a commitment
  noun (``réaffirment leur engagement``) or adjective (``sont déterminés à``),
  and action-programme bullets opening with an infinitive (``- Lancer ...``);
* ``intent``: ``entendre``, ``viser à``, ``prévoir de``, ``voudrait``, an
  intention noun (``leur intention de``), ``prêts à``;
* ``soft``: ``devrait``/``pourrait`` and stance verbs (``saluer``,
  ``encourager``, ``réaffirmer``, ``reconnaître``) -- not when they only report
  a past event (``se sont félicités``);
* ``ne ... pas``/``jamais`` on the predicate sets ``negated``; ``si``/``sous
  réserve de`` a ``condition``; years a ``deadline``; amounts a ``quantity``.

Actors: ``nous`` is the document's voice, ``les deux parties`` is ``joint``,
named parties (``les États-Unis``, ``la RdC``) map to the same labels as in
English (``US``, ``Korea``), two parties together are ``joint``.  Document
voice comes from the (English) manifest metadata, as for English documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..records import Commitment, Document, DocumentMeta, Segment
from .commitments import split_marker
from .extractor import DocumentVoice, Extraction
from .lexicon import PATTERNS_DIR, load_jsonl

__all__ = ["FrenchCommitmentExtractor", "FrenchLexicon", "load_french_lexicon"]

_SUBJECTS = ("nsubj", "nsubj:pass", "expl:subj")
_YEAR = re.compile(r"\b(?:d[’']ici (?:à |la fin |fin )?(?:de )?|avant (?:la fin de |fin )?|en |dès |à partir de )?"
                   r"((?:19|20)\d\d)\b", re.I)
_AMOUNT = re.compile(r"(?:\d[\d\s.,]*\s?(?:millions?|milliards?)\s?(?:de\s)?(?:dollars|euros|USD|EUR|\$|€)"
                     r"|(?:USD|EUR|\$|€)\s?\d[\d\s.,]*(?:\s?(?:millions?|milliards?))?|\d+(?:,\d+)?\s?%)", re.I)
_PAST_YEAR = re.compile(r"\b(?:en|depuis|lors de)\s+(?:19|20)\d\d\b|\b(?:avril|mai|juin|mars) dernier\b", re.I)


@dataclass(frozen=True)
class FrenchLexicon:
    """The French cue tables of ``cues_fr.jsonl``, keyed by kind."""

    strengths: dict[str, dict[str, str]]
    conditional: dict[str, str]
    words: dict[str, frozenset[str]]
    actors: tuple[tuple[re.Pattern[str], str], ...]
    joint: tuple[str, ...]

    def strength(self, kind: str, lemma: str) -> str | None:
        """The strength a ``verb``/``noun``/``adj``/``modal``/``action`` cue gives, or ``None``."""
        return self.strengths.get(kind, {}).get(lemma.lower())

    def actor_of(self, text: str) -> list[str]:
        """Actor labels named in ``text``, in order of first mention."""
        hits = sorted((m.start(), label) for pattern, label in self.actors for m in pattern.finditer(text))
        return list(dict.fromkeys(label for _, label in hits))


def load_french_lexicon(path: str | Path | None = None) -> FrenchLexicon:
    """Read ``cues_fr.jsonl`` (default: the shipped one)."""
    strengths: dict[str, dict[str, str]] = {}
    conditional: dict[str, str] = {}
    words: dict[str, set[str]] = {}
    actors: list[tuple[re.Pattern[str], str]] = []
    joint: list[str] = []
    for row in load_jsonl(path or PATTERNS_DIR / "cues_fr.jsonl"):
        kind, ws = row["kind"], [w.lower() for w in row.get("words", ())]
        if kind == "actor":
            for w in row["words"]:
                flags = 0 if w.isupper() else re.I  # "UE", "RdC" only as written
                actors.append((re.compile(rf"(?<!\w){re.escape(w)}(?!\w)", flags), row["actor"]))
        elif kind == "joint":
            joint.extend(ws)
        elif row.get("mood") == "Cnd":
            conditional.update({w: row["strength"] for w in ws})
        elif "strength" in row:
            strengths.setdefault(kind, {}).update({w: row["strength"] for w in ws})
        else:
            words.setdefault(kind, set()).update(ws)
    return FrenchLexicon(strengths, conditional, {k: frozenset(v) for k, v in words.items()}, tuple(actors),
                         tuple(sorted(joint, key=len, reverse=True)))


class FrenchCommitmentExtractor:
    """Extract commitments from French documents (``fr_core_news_sm``), as :class:`Extraction` records.

    The interface of :class:`~policytext.extract.CommitmentExtractor`
    (``extract``, ``extract_many``); entities are not extracted (the gazetteer
    is English), so ``Extraction.entities`` is empty.

    Parameters
    ----------
    model : spaCy model name or folder (resolved offline).
    batch_size : sentences per ``nlp.pipe`` batch.
    cues : path of a French cue file (default: the shipped ``patterns/cues_fr.jsonl``).
    voice : function ``DocumentMeta -> DocumentVoice`` (default: the English
        extractor's, on the manifest metadata, without loading a parser).
    """

    language = "fr"

    def __init__(self, model: str = "fr_core_news_sm", *, batch_size: int = 128, cues: str | None = None,
                 voice: Any = None) -> None:
        self.model = model
        self.batch_size = batch_size
        self.cues = cues
        self.voice = voice

    @cached_property
    def lexicon(self) -> FrenchLexicon:
        return load_french_lexicon(self.cues)

    @cached_property
    def nlp(self):
        from ..models import load_spacy

        nlp, info = load_spacy(self.model, exclude=["ner"])
        self.model_info = info
        return nlp

    @cached_property
    def _voice(self):
        if self.voice is not None:
            return self.voice
        import spacy

        from .entities import EntityTagger
        from .extractor import document_voice
        from .lexicon import load_lexicon

        blank = spacy.blank("en")
        lexicon = load_lexicon()
        tagger = EntityTagger(blank, lexicon=lexicon, use_ner=False)
        return lambda meta: document_voice(meta, tagger, lexicon, blank.make_doc)

    # -- public API -------------------------------------------------------------------------
    def extract(self, doc: Document) -> Extraction:
        """Commitments of one document."""
        return next(iter(self.extract_many([doc])))

    def extract_many(self, docs: Iterable[Document]) -> Iterator[Extraction]:
        """Commitments of many documents, one :class:`Extraction` each, in order (one ``nlp.pipe``)."""
        docs = list(docs)
        jobs = []
        for d, document in enumerate(docs):
            for seg in document.sentences:
                if seg.is_heading or seg.is_note:  # a note cites another text: not the document's commitment
                    continue
                marker, offset = split_marker(seg.text)
                jobs.append((seg.text[offset:], (d, seg, marker)))
        found: list[list[tuple[Segment, dict[str, Any]]]] = [[] for _ in docs]
        for sdoc, (d, seg, marker) in self.nlp.pipe(jobs, as_tuples=True, batch_size=self.batch_size):
            hit = self.analyse(sdoc, marker=marker)
            if hit is not None:
                found[d].append((seg, hit))
        from .extractor import CommitmentExtractor

        for d, document in enumerate(docs):
            voice = self._voice(document.meta)
            records = tuple(CommitmentExtractor._record(document.doc_id, n, seg, hit, voice, ())
                            for n, (seg, hit) in enumerate(found[d]))
            yield Extraction(document.doc_id, records, ())

    def classify(self, sentences: list[str], meta: DocumentMeta | None = None) -> list[Commitment | None]:
        """Classify standalone French sentences (actor resolved with ``meta``)."""
        voice = self._voice(meta) if meta is not None else DocumentVoice("other", frozenset())
        out: list[Commitment | None] = []
        for i, text in enumerate(sentences):
            marker, offset = split_marker(text)
            hit = self.analyse(self.nlp(text[offset:]), marker=marker)
            seg = Segment(segment_id=f"q{i}", doc_id="", kind="sentence", text=text, start=0, end=len(text),
                          page=None, paragraph=0)
            out.append(None if hit is None else _record(seg, hit, voice, i))
        return out

    # -- the analysis of one parsed sentence ----------------------------------------------
    def analyse(self, sdoc, *, marker: str = "") -> dict[str, Any] | None:
        """The commitment of a parsed sentence (a dict of record fields), or ``None``."""
        if not len(sdoc) or sdoc.text.rstrip().endswith(":") and not any(t.pos_ in ("VERB", "AUX") for t in sdoc):
            return None
        roots = [t for t in sdoc if t.dep_ == "ROOT"]
        if not roots:
            return None
        root = roots[0]
        first = next((t for t in sdoc if not t.is_punct and not t.is_space), None)
        if marker and first is not None and (self._is_infinitive(first) or self.lexicon.strength("action", first.lower_)):
            strength = self.lexicon.strength("action", first.lower_) or "firm"
            action = self._action_token(first)
            return self._hit(sdoc, strength, first.text, "self", "", action, first)
        preds = [root] + [t for t in root.children if t.dep_ == "conj" and t.pos_ in ("VERB", "AUX")]
        for pred in preds:
            hit = self._predicate(sdoc, pred)
            if hit is not None:
                return hit
        return None

    def _predicate(self, sdoc, pred) -> dict[str, Any] | None:
        lex = self.lexicon
        subj = self._subject(pred)
        actor, actor_text = self._actor(subj, sdoc)
        chain = self._chain(pred)
        strength, cue, cue_tok = None, "", None
        for tok in chain:
            lemma = tok.lemma_.lower()
            mood, tense = tok.morph.get("Mood"), tok.morph.get("Tense")
            if lemma in lex.conditional and "Cnd" in mood:
                strength, cue, cue_tok = lex.conditional[lemma], tok.text, tok
            elif lex.strength("modal", lemma) and "Ind" in mood and "Pres" in tense and self._has_inf(tok):
                strength, cue, cue_tok = lex.strength("modal", lemma), tok.text, tok
            elif lex.strength("verb", lemma):
                verb_strength = lex.strength("verb", lemma)
                if lemma == "engager" and not any(c.lower_ in ("se", "s'", "s’", "nous") for c in tok.children):
                    continue  # "engager des discussions" is an action, not an undertaking
                if verb_strength == "soft" and self._is_past(tok):
                    return None  # a reported stance ("se sont félicités"): background
                strength, cue, cue_tok = verb_strength, tok.text, tok
            elif tok.pos_ in ("VERB", "AUX") and ("Fut" in tense or self._future_form(tok)):
                strength, cue, cue_tok = "firm", tok.text, tok
            elif tok.pos_ == "ADJ" and lex.strength("adj", lemma):
                strength, cue, cue_tok = lex.strength("adj", lemma), tok.text, tok
            if strength:
                break
        if strength is None:
            for child in pred.children:  # "réaffirment leur engagement à", "ont souligné leur intention de"
                if child.dep_ == "obj" and lex.strength("noun", child.lemma_.lower()):
                    strength, cue, cue_tok = lex.strength("noun", child.lemma_.lower()), child.text, child
                    break
        if strength is None or actor == "":
            return None
        if strength == "firm" and self._is_past(pred) and _PAST_YEAR.search(sdoc.text):
            return None  # "en avril 2023, les présidents se sont engagés": background
        action = self._action_token(cue_tok)
        return self._hit(sdoc, strength, cue, actor, actor_text, action, pred)

    # helpers ------------------------------------------------------------------------------
    @staticmethod
    def _is_infinitive(tok) -> bool:
        return tok.pos_ in ("VERB", "AUX") and "Inf" in tok.morph.get("VerbForm")

    @staticmethod
    def _is_past(tok) -> bool:
        """Passé composé / passé simple / imparfait of ``tok`` (its own tense or its auxiliary's)."""
        if tok.morph.get("Tense") in (["Past"], ["Imp"]) and "Part" not in tok.morph.get("VerbForm"):
            return True
        return "Part" in tok.morph.get("VerbForm") and any(c.dep_.startswith("aux") for c in tok.children)

    @staticmethod
    def _future_form(tok) -> bool:
        """A regular simple future the small model tags as present (financeront = financer + ont)."""
        lemma, form = tok.lemma_.lower(), tok.lower_
        if not lemma.endswith(("er", "ir", "re")):
            return False
        stems = (lemma, lemma[:-1]) if lemma.endswith("re") else (lemma,)
        return any(form == stem + end for stem in stems for end in ("a", "ont", "ons", "ez", "ai", "as"))

    @staticmethod
    def _has_inf(tok) -> bool:
        return any(c.pos_ in ("VERB", "AUX") and "Inf" in c.morph.get("VerbForm") for c in tok.children) \
            or (tok.dep_.startswith("aux") and "Inf" in tok.head.morph.get("VerbForm"))

    @staticmethod
    def _subject(pred):
        for c in pred.children:
            if c.dep_ in _SUBJECTS:
                return c
        return None

    def _actor(self, subj, sdoc) -> tuple[str, str]:
        """(actor, its words): ``self`` for nous, ``joint``, a party label, or ``""`` (no identifiable actor)."""
        if subj is None:
            return "", ""
        start = subj.head.left_edge.i if subj.dep_ == "conj" else subj.left_edge.i  # "les États-Unis et la RdC"
        span = sdoc[start: subj.right_edge.i + 1]
        text, low = span.text, span.text.lower()
        words = self.lexicon.words
        if subj.lower_ in words.get("self", ()) or subj.lower_ in words.get("plural_self", ()):
            return "self", subj.text
        if any(low.startswith(j) or j in low for j in self.lexicon.joint):
            return "joint", text
        parties = self.lexicon.actor_of(text)
        if len(parties) >= 2:
            return "joint", text
        if parties:
            return parties[0], text
        if subj.pos_ == "PROPN" or any(t.pos_ == "PROPN" for t in span):
            return "other", text  # a named body the table does not know
        return "", ""

    @staticmethod
    def _chain(pred) -> list:
        """The predicate, its auxiliaries and its chain of infinitive complements (va -> lancer)."""
        out, seen, todo = [], set(), [pred]
        while todo:
            tok = todo.pop(0)
            if tok.i in seen:
                continue
            seen.add(tok.i)
            out.append(tok)
            for c in tok.children:
                if c.dep_ in ("aux", "aux:tense", "aux:pass", "cop"):
                    out.append(c)
                elif c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "AUX", "ADJ"):
                    todo.append(c)
        return out

    @staticmethod
    def _action_token(cue_tok):
        """The action: the innermost infinitive governed by the cue (s'engagent à *renforcer*), else the cue."""
        tok = cue_tok
        for _ in range(4):
            nxt = next((c for c in tok.children if c.pos_ in ("VERB", "AUX") and "Inf" in c.morph.get("VerbForm")
                        and c.dep_ in ("xcomp", "acl", "obl", "ccomp", "advcl")), None)
            if tok.pos_ == "NOUN" and nxt is None:
                nxt = next((c for c in tok.children if c.pos_ == "VERB"), None)
            if nxt is None:
                break
            tok = nxt
        if tok.lemma_.lower() == "faire":  # faire avancer / faire progresser
            tok = next((c for c in tok.children if c.pos_ == "VERB"), tok)
        return tok

    def _hit(self, sdoc, strength: str, cue: str, actor: str, actor_text: str, action, pred) -> dict[str, Any]:
        negation = self.lexicon.words.get("negation", frozenset())
        scope = [pred] + list(pred.children) + ([action] + list(action.children) if action is not pred else [])
        negated = any(t.lower_ in negation and t.dep_ == "advmod" for t in scope) and \
            any(t.lower_ in ("ne", "n'", "n’") for t in scope)
        cond = ""
        for t in sdoc:
            reserve = t.lower_ == "sous" and t.i + 1 < len(sdoc) and sdoc[t.i + 1].lower_ == "réserve"
            if (t.lower_ == "si" and t.dep_ == "mark") or reserve:
                cond = sdoc[t.head.left_edge.i: t.head.right_edge.i + 1].text
                break
        obj = next((c for c in action.children if c.dep_ in ("obj", "obl:arg")), None)
        year = _YEAR.search(sdoc.text)
        amount = _AMOUNT.search(sdoc.text)
        phrase = sdoc[action.i: action.right_edge.i + 1].text
        return {
            "strength": strength, "cue": cue, "actor": actor, "actor_text": actor_text,
            "action": action.lemma_.lower(), "action_phrase": phrase[:200],
            "object": sdoc[obj.left_edge.i: obj.right_edge.i + 1].text if obj is not None else "",
            "negated": negated, "condition": cond, "deadline": year.group(1) if year else "",
            "quantity": amount.group(0).strip() if amount else "", "rule": "fr",
        }


def _record(seg: Segment, hit: dict[str, Any], voice: DocumentVoice, n: int) -> Commitment:
    from .extractor import CommitmentExtractor

    return CommitmentExtractor._record(seg.doc_id, n, seg, hit, voice, ())
