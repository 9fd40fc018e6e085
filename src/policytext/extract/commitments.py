"""Who commits to what, how firmly: the sentence analysis behind ``policytext_commitments``.

A sentence is analysed from its main predicate (the parse root and the verbs
conjoined to it) down its chain of complements (``will`` -> ``continue`` ->
``work``; ``commit`` -> ``to`` -> ``making``).  Cues found on that chain decide
the strength, following the annotation guidelines:

* necessity (``will need to``, ``it is necessary to``) and soft modals
  (``should``, ``could``) give ``soft`` -- with a named actor only;
* intention cues (``aim``, ``intend``, ``would``, ``ready to``, ``our goal``)
  give ``intent``;
* undertaking cues (``will``, ``shall``, ``must``, ``commit``, ``agree``,
  ``our commitment``, ``are committed to``) give ``firm`` -- unless the
  sentence is a prediction (a non-agent subject with an effect verb: "this
  will strengthen ...") or background (a past-tense undertaking anchored in
  the past: "in 2021 the leaders committed");
* stance verbs (``welcome``, ``reaffirm``, ``call on``) give ``soft``, unless
  they only acknowledge a fact or are past-tense reports;
* imperative or gerund bullets of an action programme (``Develop ...``,
  ``Launching ...``) give ``firm`` (``Encourage ...`` gives ``soft``), nominal
  bullets naming a deliverable (``- Revision of the ... Regulation``) ``firm``;
* a present-tense action verb with an acting subject ("Both sides launch
  ...") gives ``firm``.

Headings (title-case lines without final punctuation) are never commitments.
Every word list lives in ``patterns/cues.jsonl``; this module holds only the
structure.  Clauses inside relative clauses, adverbial clauses and other
subordinate material are not the sentence's undertaking and are not read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from .entities import ENTITIES_ATTR, EntityTagger
from .lexicon import Lexicon, load_lexicon

__all__ = [
    "COMMITMENTS_ATTR",
    "CommitmentFinder",
    "SentenceContext",
    "split_marker",
    "looks_like_heading",
]

#: Doc extension holding the commitments found (a list of plain dicts).
COMMITMENTS_ATTR = "policytext_commitments"

# A list marker opening a sentence: a bullet symbol, "2." / "(1)" / "ii)" / "(b)" / "b." enumerations.
#: A proper noun written as an acronym (ICRTF, NIST, CISA): a body that can act.
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&-]{2,}")
_MARKER = re.compile(
    r"^\s*(?:(?P<bullet>[•\-–—*▪●◦·]+)(?=\s|[A-Za-z])"
    r"|(?P<number>\(?\d{1,3}[.)](?!\d))"
    r"|(?P<enum>\((?:[ivxlc]{1,6}|[a-zA-Z]{1,2})\)|(?:[ivxlc]{1,6}|[a-z])[.)](?=\s)))\s*"
)
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into of on or the to with via vs its their our".split()
)
_SUBJECTS = ("nsubj", "nsubjpass", "csubj", "csubjpass", "expl")
_NON_AGENT_PRONOUNS = frozenset({"it", "this", "that", "these", "those", "which", "there", "what"})
_PAST_DATE = re.compile(
    r"\b(?:1[89]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|october|november|december"
    r"|last|previous|earlier|ago)\b",
    re.I,
)
_AMOUNT = re.compile(
    r"(?:(?:EUR|USD|GBP|€|\$|£)\s?\d[\d.,]*(?:\s?(?:million|billion|trillion|bn|m))?"
    r"|\d[\d.,]*\s?(?:million|billion|trillion)\s?(?:euros?|dollars?|EUR|USD)?|\d+(?:\.\d+)?\s?(?:%|per\s?cent|percent))",
    re.I,
)
_DEADLINE_WORDS = re.compile(r"\b(?:(?:19|20)\d\d|days?|weeks?|months?|years?|end|quarter|q[1-4])\b", re.I)
#: Deadlines relative to an event: "by the next U.S.-EU TTC Ministerial", "before the next summit".
_EVENT_DEADLINE = re.compile(
    r"\b(?:by|before|ahead of|in time for|until|no later than)\s+the\s+(?:next|upcoming|following|coming)\s+"
    r"(?:[\w.\-]+\s+){0,5}?(?:ministerial|council|summit|meeting|dialogue|session|conference|g7|g20)"
    r"(?:\s+(?:meeting|summit|session))?\b", re.I)


def split_marker(text: str) -> tuple[str, int]:
    """Return the kind of list marker opening ``text`` and where the content starts.

    Kinds are ``"bullet"`` (``•``, ``-``), ``"number"`` (``2.``, ``(1)``),
    ``"enum"`` (``(ii)``, ``(b)``, ``b.``) or ``""`` when there is none.
    """
    m = _MARKER.match(text)
    if not m or m.end() >= len(text):
        return "", 0
    kind = next(k for k in ("bullet", "number", "enum") if m.group(k))
    return kind, m.end()


#: Legal savings and implementation clauses ("Nothing in this order shall be construed ...", "This order shall
#: be implemented consistent with applicable law ..."): their "shall" binds no one to act.
SAVINGS_CLAUSE = re.compile(
    r"^\W*(?:\(?[a-z0-9]{1,4}\)\s*)?(?:nothing in this (?:order|section|statement|regulation|act|memorandum|"
    r"declaration|agreement)\b|this (?:order|memorandum|regulation) (?:is not intended to|shall be implemented)\b)"
    r"|\bshall be implemented consistent with applicable law\b|\bis not intended to, and does not, create any right\b",
    re.I)


def looks_like_heading(text: str) -> bool:
    """A heading or title: no closing punctuation and (nearly) every content word capitalised."""
    t = text.strip()
    if not t or t[-1] in ".;:!?…\"”’')]":
        return False
    words = re.findall(r"[A-Za-z][A-Za-z'’\-]*", t)
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not content:
        return True
    caps = sum(1 for w in content if w[0].isupper())
    return len(words) <= 30 and caps / len(content) >= 0.75


@dataclass(frozen=True, slots=True)
class SentenceContext:
    """What the analysis of one sentence may know beyond its words."""

    marker: str = ""  # list marker kind removed from the sentence ("bullet", "number", "enum", "")


#: Stance verbs that are soft even as the opening verb of a bullet ("Welcoming ...", "Commending ...").
_STANCE_ONLY = frozenset({"welcome", "celebrate", "commend", "applaud", "recall"})


class CommitmentFinder:
    """Find commitments in the sentences of a parsed ``Doc``.

    Sets ``Doc._.policytext_commitments``: one dict per commitment with the
    sentence offsets (``start``/``end``, characters in ``doc.text``), ``strength``,
    ``cue``, ``actor`` (``"joint"``, an actor label such as ``"EU"`` or ``"US"``,
    or ``self_actor`` when the sentence speaks for the document's author: "we",
    an agency, an imperative bullet), ``actor_text``, ``action``,
    ``action_phrase``, ``object``, ``negated``, ``condition``, ``deadline``,
    ``quantity`` and ``rule`` (the rule that decided).

    Parameters
    ----------
    nlp : the pipeline; it needs a ``parser`` (and ``ner`` for deadlines and
        amounts) before this component.
    name : component name.
    lexicon : rule data; defaults to the shipped ``patterns/*.jsonl``.
    self_actor : label for the document's own voice ("we"); policytext
        resolves it from the document metadata afterwards.
    """

    def __init__(self, nlp: Language, name: str = "policytext_commitments", *, lexicon: Lexicon | None = None,
                 self_actor: str = "self") -> None:
        self.name = name
        self.lexicon = lex = lexicon or load_lexicon()
        self.self_actor = self_actor
        self.matcher = Matcher(nlp.vocab)
        for kind in ("intent_phrase", "stance_phrase", "negation_phrase", "joint", "condition"):
            if kind in lex.patterns:
                self.matcher.add(kind, lex.patterns[kind])
        self._entities = EntityTagger(nlp, f"{name}_entities", lexicon=lex, use_ner=False)

    # -- spaCy component protocol ------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)

    def match(self, doc: Doc, context: SentenceContext | None = None) -> list[dict[str, Any]]:
        """Analyse every sentence of ``doc``; return the commitments found."""
        if len(doc) and not doc.has_annotation("DEP"):
            raise ValueError(
                f"component {self.name!r} needs a dependency parse, but the Doc has none: "
                "add it after spaCy's 'parser' (e.g. to en_core_web_sm)"
            )
        actors = self._actor_index(doc)
        phrases = self._phrases(doc)
        out = []
        for sent in doc.sents:
            found = self.analyse(sent, actors, phrases, context)
            if found is not None:
                out.append(found)
        return out

    def read(self, doc: Doc, context: SentenceContext | None = None, *, describe: bool = False
             ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(the first commitment of ``doc`` or ``None``; with ``describe``, when there is none, the first
        sentence read as one would be: :meth:`describe`), sharing one actor index and phrase match."""
        actors, phrases = self._actor_index(doc), self._phrases(doc)
        hit = next((f for sent in doc.sents if (f := self.analyse(sent, actors, phrases, context)) is not None), None)
        described = self.describe(doc, context, actors=actors, phrases=phrases) if hit is None and describe else None
        return hit, described

    def describe(self, doc: Doc, context: SentenceContext | None = None, *,
                 actors: dict[int, tuple[str, str]] | None = None,
                 phrases: dict[str, list[tuple[int, int]]] | None = None) -> dict[str, Any] | None:
        """The first sentence of ``doc`` read as a commitment would be, whether or not the rules take it.

        Its main predicate's subject (actor), action and details (object, negation, condition,
        deadline, quantity), with ``strength`` ``None`` and no cue: what a commitment added by the
        commitment model (:mod:`policytext.extract.decide`) is made of.  ``None`` for an empty doc.
        """
        sent = next(iter(doc.sents), None)
        if sent is None:
            return None
        marker = context.marker if context is not None and context.marker else ""
        offset = 0 if marker else split_marker(sent.text)[1]
        content = [t for t in sent if t.idx >= sent.start_char + offset and not t.is_space]
        if not content:
            return None
        first = next((t for t in content if not t.is_punct), content[0])
        root = sent.root
        if root.i < first.i:
            root = next((t for t in content if t.pos_ in ("VERB", "AUX")), first)
        in_sent = {t.i for t in sent}
        phrases = self._phrases(doc) if phrases is None else phrases
        actors = self._actor_index(doc) if actors is None else actors
        phrase_at = {kind: [(a, b) for a, b in spans if a in in_sent] for kind, spans in phrases.items()}
        kind, actor, actor_text = self._actor(self._subject(root), root, actors, phrase_at)
        out: dict[str, Any] = {"strength": None, "cue": "", "actor": actor, "actor_text": actor_text, "rule": "model"}
        out.update(self._details(sent, self._action(self._chain(root), root) or root, phrase_at))
        out.update(start=sent.start_char, end=sent.end_char, text=sent.text)
        return out

    def _phrases(self, doc: Doc) -> dict[str, list[tuple[int, int]]]:
        phrases: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self.matcher(doc):
            phrases.setdefault(doc.vocab.strings[match_id], []).append((start, end))
        return phrases

    def set_annotations(self, doc: Doc, commitments: list[dict[str, Any]]) -> None:
        doc._.set(COMMITMENTS_ATTR, commitments)

    # -- analysis --------------------------------------------------------------------------
    def _actor_index(self, doc: Doc) -> dict[int, tuple[str, str]]:
        """Token index -> (actor label, entity id) for gazetteer spans naming a party."""
        spans = doc.spans[ENTITIES_ATTR] if ENTITIES_ATTR in doc.spans else self._entities.match(doc)
        index: dict[int, tuple[str, str]] = {}
        for span in spans:
            label = self.lexicon.actors.get(span.id_)
            if label is None and span.label_ == "COUNTRY":
                label = span.text
            if label:
                for i in range(span.start, span.end):
                    index[i] = (label, span.id_)
        return index

    def analyse(self, sent: Span, actors: dict[int, tuple[str, str]], phrases: dict[str, list[tuple[int, int]]],
                context: SentenceContext | None = None) -> dict[str, Any] | None:
        """The commitment of one sentence, or ``None``."""
        text = sent.text
        if SAVINGS_CLAUSE.search(text):
            return None
        marker = context.marker if context is not None and context.marker else ""
        offset = 0
        if not marker:
            marker, offset = split_marker(text)
        if not marker and looks_like_heading(text):
            return None
        content = [t for t in sent if t.idx >= sent.start_char + offset and not t.is_space]
        if not content or len(content) < 2:
            return None
        first = next((t for t in content if not t.is_punct), content[0])
        in_sent = {t.i for t in sent}
        phrase_at = {
            kind: [(s, e) for s, e in spans if s in in_sent] for kind, spans in phrases.items()
        }
        root = sent.root
        if root.i < first.i:  # the parser hung the sentence on its list marker
            root = next((t for t in content if t.pos_ in ("VERB", "AUX")), first)
        preds = [root] + [c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
        result = self._imperative(sent, root, first, marker)
        for pred in preds:
            if result is not None:
                break
            result = self._analyse_predicate(sent, pred, first, marker, actors, phrase_at)
        if result is None and marker in ("bullet", "number"):
            result = self._nominal_bullet(sent, root, first)
        if result is None:
            return None
        result.update(self._details(sent, result.pop("_action"), phrase_at))
        result.update(start=sent.start_char, end=sent.end_char, text=text)
        return result

    # -- rules -------------------------------------------------------------------------------
    def _chain(self, pred: Token) -> list[Token]:
        """The predicate and its complement verbs: will-continue-to-work, commit-to-making."""
        chain = [pred]
        frontier = [pred]
        while frontier:
            t = frontier.pop()
            for c in t.children:
                nxt: list[Token] = []
                if c.dep_ in ("xcomp", "acomp"):
                    nxt.append(c)
                elif c.dep_ == "prep" and c.lower_ in ("to", "towards", "toward"):
                    nxt.extend(g for g in c.children if g.dep_ == "pcomp" and g.pos_ in ("VERB", "AUX"))
                for n in nxt:
                    if n not in chain:
                        chain.append(n)
                        frontier.append(n)
        return sorted(chain, key=lambda t: t.i)

    def _subject(self, pred: Token) -> Token | None:
        t: Token | None = pred
        for _ in range(4):
            if t is None:
                return None
            for c in t.children:
                if c.dep_ in _SUBJECTS:
                    return c
            if t.dep_ in ("conj", "xcomp", "acomp") and t.head.i != t.i:
                t = t.head
            else:
                return None
        return None

    def _actor(self, subj: Token | None, pred: Token, actors: dict[int, tuple[str, str]],
               phrase_at: dict[str, list[tuple[int, int]]]) -> tuple[str, str, str]:
        """(kind, actor, actor_text) of a subject.

        kind is ``none`` (no subject), ``self`` (we/they), ``joint``, ``party``
        (a named actor), ``agent`` (a body that can act), ``passive``, ``thing``.
        """
        if subj is None:
            return "none", self.self_actor, ""
        if subj.dep_ in ("nsubjpass", "csubjpass"):
            agent = next((c for c in pred.children if c.dep_ == "agent"), None)
            if agent is None:
                return "passive", self.self_actor, ""
            subj = next((c for c in agent.children if c.dep_ == "pobj"), subj)
        keep = [t for t in subj.subtree if not self._in_clause(t, subj)]
        text = subj.doc[min(t.i for t in keep): max(t.i for t in keep) + 1].text if keep else subj.text
        low = subj.lower_
        if subj.dep_ == "expl" or low in _NON_AGENT_PRONOUNS:
            return "thing", self.self_actor, text
        if low in self.lexicon.words.get("self", ()):
            return "self", self.self_actor, text
        ids = {t.i for t in keep}
        if any(s in ids for s, _ in phrase_at.get("joint", [])):
            return "joint", "joint", text
        heads = [subj] + [c for c in subj.conjuncts if c.i in ids]
        parties = []
        unresolved = 0
        for h in heads:
            label = actors.get(h.i, (None,))[0]
            if label is None:  # "the Government of Japan": a named party inside the head's phrase
                label = next((actors[t.i][0] for t in h.subtree if t.i in actors and t.i in ids), None)
            if label is None:
                unresolved += 1
            elif label not in parties:
                parties.append(label)
        if len(parties) >= 2 or (parties and unresolved and len(heads) > 1):
            return "joint", "joint", text
        if parties:
            return "party", parties[0], text
        if any(t.lower_ in self.lexicon.words.get("self", ()) for t in keep if t.dep_ == "poss") and subj.lemma_.lower() in (
            "partnership", "cooperation", "government", "governments", "country", "countries", "leaders"
        ):
            return "self", self.self_actor, text
        if subj.lower_ in self.lexicon.words.get("agent", ()) or subj.lemma_.lower() in self.lexicon.words.get("agent", ()):
            return "agent", self.self_actor, text
        if _ACRONYM.fullmatch(subj.text) and subj.pos_ in ("PROPN", "NOUN"):
            return "agent", self.self_actor, text  # a body named by its acronym: "the ICRTF will ...", "NIST shall"
        return "thing", self.self_actor, text

    @staticmethod
    def _in_clause(t: Token, top: Token) -> bool:
        """Whether ``t`` sits in a relative/adverbial clause or a non-'of' phrase below ``top``."""
        while t.i != top.i and t.head.i != t.i:
            if t.dep_ in ("relcl", "acl", "advcl", "appos", "parataxis") or (t.dep_ == "prep" and t.lower_ != "of"):
                return True
            t = t.head
        return False

    def _analyse_predicate(self, sent: Span, pred: Token, first: Token, marker: str,
                           actors: dict[int, tuple[str, str]], phrase_at: dict[str, list[tuple[int, int]]]):
        lex = self.lexicon
        chain = self._chain(pred)
        chain_ids = {t.i for t in chain}
        subj = self._subject(pred)
        kind, actor, actor_text = self._actor(subj, pred, actors, phrase_at)
        has_actor = kind in ("self", "joint", "party", "agent") or (kind in ("none", "passive") and marker != "")
        cues: dict[str, list[Token]] = {"need": [], "soft": [], "intent": [], "firm": [], "stance": []}
        will_modal: Token | None = None
        for t in chain:
            for a in t.children:
                if a.dep_ in ("aux", "auxpass") and a.tag_ == "MD":
                    s = lex.strength("modal", a.lower_)
                    if s:
                        cues[s].append(a)
                        if a.lower_ in ("will", "'ll", "wo"):
                            will_modal = a
            if t.tag_ == "MD" and lex.strength("modal", t.lower_):  # "the Secretary shall:"
                cues[lex.strength("modal", t.lower_)].append(t)
            lemma = t.lemma_.lower()
            has_xcomp = any(c.dep_ == "xcomp" for c in t.children)
            if lex.has("need_verb", lemma) and has_xcomp and t.pos_ == "VERB":
                cues["need"].append(t)
            elif lex.has("obligation_verb", lemma) and has_xcomp and any(
                g.lower_ == "to" for c in t.children if c.dep_ == "xcomp" for g in c.children
            ):
                cues["firm"].append(t)
            s = lex.strength("verb", lemma)
            if s == "soft":
                if lex.has("stance_needs_object", lemma) and not any(
                    lex.has("stance_object", c.lemma_) for c in t.children if c.dep_ in ("dobj", "attr")
                ):
                    s = None
                if s and (t.i == pred.i or (pred.lemma_ == "be" and t.dep_ == "acomp" and t.head.i == pred.i)):
                    cues["stance"].append(t)
            elif s:
                cues[s].append(t)
            if t.pos_ == "ADJ" or t.dep_ == "acomp":
                s = lex.strength("adj", lemma) or lex.strength("adj", t.lower_)
                if s:
                    cues[s].append(t)
                elif lex.has("necessity", t.lower_) and t.dep_ == "acomp":
                    cues["need"].append(t)
            if lex.has("noun_host", lemma):
                for c in t.children:
                    if c.dep_ in ("dobj", "attr", "nsubj") and c.pos_ == "NOUN":
                        s = lex.strength("noun", c.lemma_)
                        if s and (c.dep_ != "nsubj" or any(g.dep_ == "poss" for g in c.children)):
                            cues[s].append(c)
                        elif lex.has("necessity_noun", c.lemma_) and c.dep_ in ("attr", "dobj") and any(
                            g.dep_ in ("acl", "relcl") or g.dep_ == "prep" for g in c.children
                        ):
                            cues["need"].append(c)
        for kind_name, key in (("intent_phrase", "intent"), ("stance_phrase", "stance")):
            for s, e in phrase_at.get(kind_name, []):
                if s in chain_ids:
                    cues[key].append(sent.doc[s])
        # Decide.
        action = self._action(chain, pred)
        rule = ""
        strength = None
        cue_tok: Token | None = None
        if cues["need"]:
            named = kind in ("self", "joint", "party", "agent") or self._names_actor(sent, actors, pred)
            if not named:
                return None
            strength, cue_tok, rule = "soft", cues["need"][0], "necessity"
        elif cues["soft"]:
            if self._copular_state(pred) and kind not in ("self", "joint", "party", "agent"):
                return None
            strength, cue_tok, rule = "soft", cues["soft"][0], "soft-modal"
        elif cues["intent"]:
            t = cues["intent"][0]
            if t.pos_ in ("VERB", "AUX") and self._is_past(t) and (self._past_anchor(sent) or kind in ("passive", "thing")):
                return None
            strength, cue_tok, rule = "intent", t, "intent-cue"
        elif cues["firm"]:
            t = cues["firm"][0]
            if t.tag_ == "MD":
                if self._copular_state(pred) and kind not in ("self", "joint", "party", "agent"):
                    return None
                if will_modal is not None and t.i == will_modal.i and kind == "thing" and (
                    lex.has("effect", t.head.lemma_.lower()) or (action is not None and lex.has("effect", action.lemma_.lower()))
                ):
                    return None  # a prediction: "this will strengthen ..."
            elif self._is_past(t) and self._past_anchor(sent):
                return None  # background: "in 2021 the leaders committed to ..."
            strength, cue_tok, rule = "firm", t, "firm-cue"
        elif cues["stance"]:
            t = cues["stance"][0]
            if kind == "thing" or self._is_past(t):
                return None  # a report of an earlier stance
            ccomp = next((c for c in t.children if c.dep_ == "ccomp"), None)
            if ccomp is not None and not any(lex.has("evaluative", w.lower_) or lex.has("evaluative", w.lemma_)
                                             for w in ccomp.subtree):
                return None  # acknowledges a fact, backs nothing
            strength, cue_tok, rule = "soft", t, "stance"
        else:
            aspect = pred.lemma_.lower()
            if lex.has("aspect", aspect) and any(c.dep_ == "xcomp" for c in pred.children) and kind in (
                "self", "joint", "party", "agent"
            ):
                if self._is_past(pred) and self._past_anchor(sent):
                    return None
                strength, cue_tok, rule = "firm", pred, "ongoing"
            elif (pred.tag_ in ("VBP", "VBZ") and pred.pos_ == "VERB" and not lex.has("stative", pred.lemma_.lower())
                  and kind in ("self", "joint", "party", "agent") and pred.i != first.i):
                strength, cue_tok, rule = "firm", pred, "present-action"
            elif (pred.tag_ == "VBG" and pred.pos_ == "VERB" and not lex.has("stative", pred.lemma_.lower())
                  and kind in ("self", "joint", "party", "agent")
                  and any(c.dep_ == "aux" and c.lemma_ == "be" and c.tag_ in ("VBP", "VBZ") for c in pred.children)):
                # an action under way, said in the present progressive: "federal agencies are acting to prevent ..."
                strength, cue_tok, rule = "firm", pred, "present-action"
            else:
                return None
        if not has_actor and kind == "thing" and rule in ("soft-modal",) and pred.lemma_ == "be":
            return None
        return {"strength": strength, "cue": self._cue_text(cue_tok, chain), "actor": actor, "actor_text": actor_text,
                "rule": rule, "_action": action or pred}

    def _imperative(self, sent: Span, root: Token, first: Token, marker: str):
        """An imperative or gerund bullet: "Develop ...", "Launching ...", "Encourage ..." (soft).

        The verb opens the sentence, or (in a list item) is a subject-less,
        auxiliary-less base-form root after a fronted adverbial
        ("(ii) within 180 days, submit a report").
        """
        lex = self.lexicon
        if (marker and first.i != root.i and root.tag_ == "VB" and root.pos_ == "VERB"
                and not any(c.dep_ in _SUBJECTS or c.dep_ in ("aux", "auxpass") for c in root.children)
                and (lex.has("action", root.lemma_.lower()) or lex.strength("verb", root.lemma_.lower()))):
            first = root
        if first.dep_ in _SUBJECTS or first.dep_ in ("advcl", "npadvmod", "prep", "mark", "det", "poss", "aux"):
            return None
        lemma = self._verb_lemma(first)
        if lemma is None:
            return None
        if first.i != root.i:
            if first.pos_ not in ("VERB", "NOUN", "PROPN", "ADJ"):
                return None
            if first.dep_ != "compound" and any(c.dep_ in _SUBJECTS for c in root.children):
                return None
        if any(c.dep_ in ("aux", "auxpass") and c.tag_ == "MD" for c in first.children):
            return None
        s = lex.strength("verb", lemma)
        if s == "soft" and lemma in _STANCE_ONLY:
            strength = "soft"  # "Welcoming the visit ...": a stance, not an action programme
        else:
            strength = s if s in ("soft", "intent") and not (s == "soft" and lex.has("action", lemma) and lemma != "encourage") else "firm"
        if first.tag_ in ("VBD", "VBN"):
            return None
        return {"strength": strength, "cue": first.text, "actor": self.self_actor, "actor_text": "",
                "rule": "imperative", "_action": first}

    def _nominal_bullet(self, sent: Span, root: Token, first: Token):
        """A bullet naming a deliverable: "- Revision of the ... Regulation"; "- A call for action" (soft)."""
        if root.pos_ not in ("NOUN", "PROPN"):
            # "Revision of X to improve ..., extend ...": a base-form verb cannot be a finite predicate here
            if not (first.pos_ == "NOUN" and first.dep_ in _SUBJECTS and root.tag_ in ("VB", "VBG")
                    and not any(c.dep_ in ("aux", "auxpass") for c in root.children)):
                return None
            root = first
        elif any(t.pos_ in ("VERB", "AUX") and t.dep_ == "ROOT" for t in sent):
            return None
        lemma = root.lemma_.lower()
        if not self.lexicon.has("deliverable", lemma) and not self.lexicon.has("deliverable", root.lower_):
            return None
        strength = "soft" if lemma == "call" else "firm"
        return {"strength": strength, "cue": root.text, "actor": self.self_actor, "actor_text": "",
                "rule": "nominal-bullet", "_action": root}

    # -- helpers -------------------------------------------------------------------------------
    def _verb_lemma(self, t: Token) -> str | None:
        """The verb lemma of a sentence-initial word, also when the tagger took it for a noun."""
        lex = self.lexicon
        word = t.lower_
        candidates = [t.lemma_.lower(), word]
        if word.endswith("ing"):
            stem = word[:-3]
            candidates += [stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else stem]
        for c in candidates:
            if lex.has("action", c) or lex.strength("verb", c):
                return c
        return None

    def _action(self, chain: list[Token], pred: Token) -> Token | None:
        """The content verb of the chain: the last verb that is not itself a cue."""
        lex = self.lexicon
        verbs = [t for t in chain if t.pos_ in ("VERB", "AUX")]
        for t in reversed(verbs):
            lemma = t.lemma_.lower()
            if not (lex.strength("verb", lemma) or lex.has("aspect", lemma) or lex.has("need_verb", lemma)
                    or lemma in ("be", "have")):
                return t
        for t in chain:  # "reaffirm our commitment to strengthen ...": the verb under the noun
            for c in t.children:
                if c.dep_ in ("dobj", "attr") and lex.strength("noun", c.lemma_):
                    v = next((w for w in c.subtree if w.pos_ == "VERB" and w.i != c.i), None)
                    if v is not None:
                        return v
        return verbs[-1] if verbs else pred

    @staticmethod
    def _copular_state(pred: Token) -> bool:
        """'X must be fair', 'data should be available': a state, not an act."""
        return pred.lemma_ == "be" and any(c.dep_ in ("acomp", "attr") for c in pred.children)

    @staticmethod
    def _is_past(t: Token) -> bool:
        if t.tag_ == "VBD":
            return True
        return t.tag_ == "VBN" and any(
            (c.dep_ == "aux" and c.lemma_ == "have") or (c.dep_ == "auxpass" and c.tag_ == "VBD") for c in t.children
        )

    def _past_anchor(self, sent: Span) -> bool:
        """The sentence is anchored in the past: a dated event or a past-time word."""
        if any(t.lower_ in self.lexicon.words.get("past_marker", ()) for t in sent):
            return True
        return any(e.label_ == "DATE" and _PAST_DATE.search(e.text) for e in sent.ents)

    def _names_actor(self, sent: Span, actors: dict[int, tuple[str, str]], pred: Token) -> bool:
        """A party is named as possessor/modifier or in the infinitive ('it is crucial to cooperate with our partners')."""
        lex = self.lexicon
        for t in sent:
            if t.i in actors or t.lower_ in lex.words.get("self", ()):
                node = t
                ok = False
                while node.head.i != node.i:
                    if node.dep_ in ("poss", "compound", "nsubj", "nsubjpass") and node.head.dep_ in _SUBJECTS + ("ROOT",):
                        ok = True
                        break
                    if node.dep_ in ("xcomp", "relcl", "ccomp", "advcl") or (node.dep_ == "prep" and node.lower_ in (
                            "across", "in", "within", "throughout")):
                        break
                    node = node.head
                if ok or any(a.dep_ == "xcomp" for a in t.ancestors):
                    if not any(a.dep_ == "ccomp" for a in t.ancestors):
                        return True
        return False

    @staticmethod
    def _cue_text(cue: Token | None, chain: list[Token]) -> str:
        if cue is None:
            return ""
        head = cue.head if cue.dep_ in ("aux", "auxpass") else cue
        parts = [cue.text]
        if head.i != cue.i:
            parts.append(head.text)
        nxt = cue.nbor(1) if cue.i + 1 < len(cue.doc) else None
        if nxt is not None and nxt.lower_ in ("to", "forward", "on", "for", "ready", "note") and head.i == cue.i:
            parts.append(nxt.text)
        return " ".join(parts)

    def _details(self, sent: Span, action: Token, phrase_at: dict[str, list[tuple[int, int]]]) -> dict[str, Any]:
        """Action, object, negation, condition, deadline and quantity of a commitment."""
        doc = sent.doc
        lex = self.lexicon
        # Action phrase: from the first auxiliary/cue on the path to the action, to the action.
        path = [action] + [a for a in action.ancestors if a.i >= sent.start and a.i < action.i][:3]
        start = min([t.i for t in path] + [c.i for t in path for c in t.children if c.dep_ in ("aux", "auxpass", "neg")])
        action_phrase = doc[start: action.i + 1].text if action.i + 1 - start <= 12 else action.text
        obj_tok = next((c for c in action.children if c.dep_ in ("dobj", "attr", "oprd", "ccomp", "xcomp")), None)
        if obj_tok is None:
            prep = next((c for c in action.children if c.dep_ in ("prep", "dative")), None)
            obj_tok = prep
        obj = ""
        if obj_tok is not None:
            toks = list(obj_tok.subtree)
            obj = doc[toks[0].i: min(toks[-1].i + 1, toks[0].i + 30)].text
        negated = any(c.dep_ == "neg" for t in [action] + list(action.ancestors) if t.i >= sent.start for c in t.children)
        negated = negated or any(s < action.i + 1 for s, _ in phrase_at.get("negation_phrase", []))
        condition = ""
        for s, e in sorted(phrase_at.get("condition", [])):
            end = e
            while end < sent.end and end - s < 15 and doc[end].text not in (",", ";", ":", ".", "—", "–"):
                end += 1
            condition = doc[s:end].text
            break
        deadline = ""
        for ent in sent.ents:
            if ent.label_ == "DATE" and _DEADLINE_WORDS.search(ent.text):
                prev = doc[ent.start - 1] if ent.start > sent.start else None
                if prev is not None and (lex.has("deadline_prep", prev.lower_) or prev.lower_ == "than"):
                    if prev.lower_ == "than" and ent.start - 3 >= sent.start:
                        prev = doc[ent.start - 3]
                    deadline = doc[prev.i: ent.end].text
                    break
        if not deadline:
            m = re.search(r"\b(?:by|before|until|no later than|within)\s+(?:the\s+end\s+of\s+)?((?:19|20)\d\d)\b", sent.text)
            if m:
                deadline = m.group(0)
        if not deadline:
            m = _EVENT_DEADLINE.search(sent.text)
            if m:
                deadline = m.group(0)
        quantities = []
        for ent in sent.ents:
            if ent.label_ in ("MONEY", "PERCENT", "QUANTITY") or (
                ent.label_ == "CARDINAL" and any(lex.has("quantity_unit", t.lower_) for t in ent)
            ):
                quantities.append(ent.text)
        for m in _AMOUNT.finditer(sent.text):
            if not any(m.group(0) in q or q in m.group(0) for q in quantities):
                quantities.append(m.group(0))
        return {
            "action": action.lemma_.lower(),
            "action_phrase": action_phrase,
            "object": obj,
            "negated": bool(negated),
            "condition": condition,
            "deadline": deadline,
            "quantity": "; ".join(quantities),
        }
