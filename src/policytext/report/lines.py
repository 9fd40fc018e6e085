"""Lines a diplomat can say: a quoted sentence condensed to what it commits to on one theme.

A talking point that pastes a whole sentence into a template reads like a search result; an analyst
rewrites it. This module does the rewriting that can be done reliably from a dependency parse:

* find the undertaking behind the cue verbs ("We intend to cooperate to ..." -> *cooperate to ...*,
  "We are committed to fostering ..." -> *foster ...*, "restate our commitment to supporting ..." ->
  *support ...*);
* keep, of a list of actions or areas, only the one on the theme ("... address the misuse of technology,
  protect our societies from information manipulation and interference, promote secure connectivity ..."
  on information integrity -> *protect our societies from information manipulation and interference*);
* drop what leans on the context (sentence-initial adverbials, "including ..." tails off the theme);
* give up (``None``) when what is left is not a short verb phrase on the theme, so the caller can fall
  back to another sentence or to naming the priority without a line.

The result is reported speech, not a quotation: the talking point cites the quoted sentence (its ``Qn``
reference) beside it. Only English sentences are condensed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Line", "condense", "MAX_WORDS"]

#: Longest verb phrase a line may carry (words).
MAX_WORDS = 26

#: Verbs that announce an undertaking rather than state it: the action is their complement.
_CUE_VERBS = frozenset({
    "intend", "plan", "aim", "seek", "commit", "resolve", "decide", "agree", "pledge", "undertake", "strive",
    "endeavour", "endeavor", "continue", "look", "remain", "stand", "be", "reaffirm", "reiterate", "restate",
    "renew", "share", "will", "want", "wish", "hope", "need", "work",
})
#: Nouns that announce an undertaking ("our commitment to supporting ...").
_CUE_NOUNS = frozenset({"commitment", "intention", "aim", "goal", "determination", "resolve", "ambition", "objective"})
_CUE_ADJS = frozenset({"committed", "determined", "ready", "resolved", "keen", "dedicated", "eager"})
#: Stance verbs: the line reports the stance ("we acknowledged the strategic importance of ...").
STANCE_PAST = {
    "acknowledge": "acknowledged", "recognize": "recognised", "recognise": "recognised", "support": "supported",
    "welcome": "welcomed", "encourage": "encouraged", "emphasize": "emphasised", "emphasise": "emphasised",
    "underline": "underlined", "stress": "stressed", "reaffirm": "reaffirmed",
    "reiterate": "reiterated", "affirm": "affirmed", "share": "shared", "call": "called", "urge": "urged",
    "condemn": "condemned", "endorse": "endorsed", "applaud": "applauded", "highlight": "highlighted",
    "remain": "remained",
}
#: Verbs that never make a line: narration, procedure, being.
_NO_LINE = frozenset({"be", "have", "see", "note", "announce", "meet", "hold", "discuss", "convene", "take", "say",
                      "describe", "include", "mean", "refer", "apply", "construe", "visit", "thank", "allow"})
_TAILS = re.compile(r"(?:,\s*|\s+)(?:including|in particular|particularly|notably|such as|inter alia|for example|"
                    r"e\.g\.|in line with|as well as|among others|through|by means of|with a view to)\b.*$", re.I)
#: Adverbs that lean on the sentence before ("We will also explore ..." -> "explore ...").
_FILLERS = frozenset({"also", "further", "additionally", "furthermore", "moreover", "likewise", "similarly"})
_LEAD = re.compile(r"^\s*(?:[-•–*]|\(?[a-z0-9ivx]{1,4}[.)])\s+")


@dataclass(frozen=True, slots=True)
class Line:
    """What a sentence commits to on one theme, as a verb phrase to put in a talking point.

    Attributes
    ----------
    phrase : the action in its base form with its complements: ``"protect our societies from information
        manipulation and interference"``.
    verb : lemma of the action.
    stance : the sentence states a stance rather than an undertaking (``phrase`` then starts with the verb
        in the past: ``"acknowledged the strategic importance of ..."``).
    subject : who the sentence says acts (its subject's words; ``""`` for a list item or an imperative):
        the line drops it, so a caller checks that it speaks for the party the line is reported of.
    """

    phrase: str
    verb: str
    stance: bool = False
    subject: str = ""

    def said(self, how: str = "committed to") -> str:
        """``"committed to protect ..."``, or for a stance the stance itself (``"acknowledged ..."``)."""
        return self.phrase if self.stance else f"{how} {self.phrase}"


@lru_cache(maxsize=1)
def _nlp() -> Any:
    from ..models import load_spacy

    nlp, _ = load_spacy("en_core_web_sm")
    return nlp


def _unwrap(v: Any) -> Any:
    """Follow cue verbs, adjectives and nouns to the action they announce."""
    for _ in range(5):
        nxt = None
        if v.lemma_ in _CUE_VERBS:
            nxt = next((c for c in v.children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")), None)
        if nxt is None:
            heads = [c for c in v.children if (c.dep_ == "acomp" and c.lower_ in _CUE_ADJS)
                     or (c.dep_ == "dobj" and c.lemma_ in _CUE_NOUNS)]
            if v.lemma_ == "commit" or (v.tag_ == "VBN" and v.lower_ == "committed"):
                heads.append(v)
            for h in heads:
                for p in h.children:
                    if p.dep_ == "prep" and p.lower_ == "to":
                        nxt = next((c for c in p.children if c.dep_ in ("pcomp", "xcomp") and c.pos_ == "VERB"), None)
                        if nxt is not None:
                            break
                    if p.dep_ == "xcomp" and p.pos_ == "VERB":
                        nxt = p
                        break
                if nxt is not None:
                    break
        if nxt is None:
            break
        v = nxt
    return v


def _conjuncts(v: Any) -> list[Any]:
    """``v`` and the actions conjoined to it that share its subject and form ("will address ..., protect ...");
    a conjoined verb of another form or with a subject of its own is a parse to distrust."""
    out, frontier = [v], [v]
    while frontier:
        frontier = [c for t in frontier for c in t.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
        out += [c for c in frontier
                if c.tag_ == v.tag_ and not any(x.dep_ in ("nsubj", "nsubjpass") for x in c.children)]
    return out


def _span_tokens(v: Any) -> list[Any]:
    """The tokens of ``v``'s own phrase: its subtree without subject, auxiliaries, conjoined actions and what
    stands before it (intro adverbials, leading clauses)."""
    drop: set[int] = set()
    for c in v.children:
        left = c.i < v.i
        if c.dep_ in ("conj", "cc", "nsubj", "nsubjpass", "aux", "auxpass", "mark", "neg", "expl") or (
                left and not (c.dep_ == "advmod" and c.i == v.i - 1)):
            drop.update(t.i for t in c.subtree)
        elif c.dep_ == "punct" and c.i > v.i and any(x.dep_ == "conj" and x.i > c.i for x in v.children):
            drop.add(c.i)
    return [t for t in v.subtree if t.i not in drop]


def _prune(tokens: list[Any], hit: tuple[int, int] | None) -> list[Any]:
    """Of each list of conjoined words (areas, actions), keep the member on the theme (``hit``: character
    range of the theme's cue) and drop its siblings; a list with no single member on the theme is kept whole."""
    if hit is None:
        return tokens
    keep = {t.i for t in tokens}

    def own(m: Any) -> set[int]:
        inner = {x.i for c in m.children if c.dep_ in ("conj", "cc") for x in c.subtree}
        inner |= {c.i for c in m.children if c.dep_ == "punct" and c.i > m.i}
        return {x.i for x in m.subtree if x.i in keep} - inner

    by_i = {t.i: t for t in tokens}
    for t in tokens:
        if t.i not in keep or t.dep_ == "conj":
            continue
        members, chain = [t], [t]
        while chain:  # "a, b and c": c hangs on b
            chain = [c for m in chain for c in m.children if c.dep_ == "conj" and c.i in keep]
            members += chain
        if len(members) < 2:
            continue
        spans = {m.i: own(m) for m in members}
        hits = [m for m in members if any(by_i[i].idx <= hit[0] < by_i[i].idx + len(by_i[i]) + 1
                                          for i in spans[m.i] if i in by_i)]
        if len(hits) != 1:
            continue
        lost = set().union(*(spans[m.i] for m in members if m is not hits[0]))
        if len(members) < 3 and len(lost) < 5:
            continue  # "information manipulation and interference": a pair of words is one idea
        lose = set().union(*(spans[m.i] for m in members if m is not hits[0]))
        lose |= {c.i for m in members for c in m.children if c.dep_ in ("cc", "punct") and c.i > m.i}
        j = hits[0].left_edge.i - 1  # the joiners before the member kept: ", and", "as well as", "but also"
        while j >= 0 and j in by_i and (by_i[j].dep_ in ("cc", "punct", "preconj") or by_i[j].lower_ in
                                         ("as", "well", "also", "but", "not", "only")):
            lose.add(j)
            j -= 1
        keep -= lose
    return [t for t in tokens if t.i in keep]


def _list_item(tokens: list[Any], hit: tuple[int, int] | None, longest: int = 10) -> list[Any] | None:
    """A phrase ending in a list ("focus on A, B, C and D"): the words before the list and the one item on
    the theme ("focus on C"); ``None`` when the items are not short or none is on the theme.  Works on the
    commas, not the parse, which often misreads long lists."""
    if hit is None:
        return None
    items: list[list[Any]] = [[]]
    for t in tokens:
        if t.text == ",":
            items.append([])
        else:
            items[-1].append(t)
    items = [[t for t in it if not (t.dep_ == "cc" and t is it[0])] for it in items]
    items = [it for it in items if it]
    if len(items) < 3 or any(len(it) > longest for it in items[1:]):
        return None
    k = next((i for i, it in enumerate(items) if it[0].idx <= hit[0] < it[-1].idx + len(it[-1])), None)
    if k is None:
        return None
    head = items[0]
    if k == 0:
        return head
    first = items[k][0]
    if (first.pos_ in ("VERB", "AUX") and first.dep_ not in ("amod", "compound", "nmod")) or first.tag_ == "TO":  # a list of actions: "cooperate to A, to B, C"
        to = next((t for t in head[1:] if t.tag_ == "TO"), None)
        if to is None:
            return items[k]
        return [t for t in head if t.i < to.i] + ([] if first.tag_ == "TO" else [to]) + items[k]
    # Where the list's first item starts inside the head: the widest object reaching the head's last word.
    last = head[-1].i
    starts = [t.left_edge.i for t in head if t.dep_ in ("dobj", "pobj", "attr", "conj") and t.right_edge.i >= last
              and t.left_edge.i > head[0].i]
    if not starts:
        return None
    cut = min(starts)
    return [t for t in head if t.i < cut] + items[k]


def _text(tokens: list[Any]) -> str:
    # a token keeps its own spacing only before the token that followed it in the sentence; where words were
    # left out between two kept tokens, a space
    out = "".join(t.text_with_ws if (k + 1 == len(tokens) or tokens[k + 1].i == t.i + 1) else t.text + " "
                  for k, t in enumerate(tokens)).strip()
    out = re.sub(r"\s+([,;:.)])", r"\1", out)
    out = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", out)
    out = re.sub(r"(?:[,;:]|\s(?:and|or))\s*$", "", out).strip()
    out = re.sub(r"\(\s*$", "", out).strip()
    if out.count("(") != out.count(")"):
        out = re.sub(r"\s*\([^)]*$", "", out)
    return out


def condense(text: str, cue: Any = None, *, max_words: int = MAX_WORDS) -> Line | None:
    """The undertaking of ``text`` on a theme, as a :class:`Line`; ``None`` when no short line is sure.

    Parameters
    ----------
    text : one sentence (English).
    cue : compiled regex of the theme's cue words; the line must contain a match (``None``: any).
    max_words : longest phrase accepted.
    """
    clean = _LEAD.sub("", text).strip()
    if not clean or not re.search(r"[a-z]", clean):
        return None
    doc = _nlp()(clean)
    sents = list(doc.sents)
    if len(sents) != 1 and sum(len(s) > 3 for s in sents) > 1:
        return None  # one sentence per quote; two are no line
    sent = max(sents, key=len)
    root = sent.root
    if root.pos_ not in ("VERB", "AUX"):
        return None  # a heading or a noun phrase
    subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
    if (not subjects and root.tag_ not in ("VB", "VBG")) or any(c.tag_ in ("WDT", "WP") for c in subjects):
        return None  # no subject, or the parse took a relative clause for the sentence
    if any(c.lower_ in ("this", "that", "it", "these", "those", "they", "such") for c in subjects):
        return None  # "this occurs ...": the subject is in the sentence before
    fronted = [c for c in root.children if c.dep_ in ("prep", "advcl") and c.i < min([root.i] + [x.i for x in subjects])]
    if any(len(list(c.subtree)) >= 5 for c in fronted):
        return None  # "In countering X for terrorist purposes, we will ...": the scope is in the dropped opening
    stance = root.lemma_ in STANCE_PAST and not any(c.dep_ == "xcomp" for c in root.children)
    action = root if stance else _unwrap(root)
    if stance and root.lemma_ in ("reaffirm", "reiterate", "share", "restate"):
        inner = _unwrap(root)
        if inner is not root:
            action, stance = inner, False
    if action.pos_ not in ("VERB", "AUX") or (action.lemma_ in _NO_LINE and not stance):
        return None
    hit = None
    if cue is not None:
        m = cue.search(clean)
        if m is None:
            return None
        hit = (m.start(), m.end())
    members = _conjuncts(action)
    if hit is not None:
        on = [m for m in members if any(t.idx <= hit[0] < t.idx + len(t) + 1 for t in _span_tokens(m))]
        if on:
            action = on[0]
    if not stance and action.tag_ == "VBD":
        return None  # "The Policy Pillar examined ...": a report of what was done, not an undertaking
    tokens = _span_tokens(action)
    tokens = (_list_item(tokens, hit) if sum(t.text == "," for t in tokens) >= 2 else None) or _prune(tokens, hit)
    if any(t.text in ("—", "–", "--") for t in doc[tokens[0].i: tokens[-1].i + 1]):
        return None  # an aside between dashes does not survive condensing
    kept = {t.i for t in tokens}
    if any((t.dep_ in ("mark", "nsubj", "nsubjpass", "aux", "auxpass") and t.head.i not in kept)
           or (t.dep_ in ("ccomp", "advcl", "relcl") and t.pos_ not in ("VERB", "AUX")) for t in tokens):
        return None  # "reaffirm that cross-border data flows": the clause lost its verb to the list pruning
    if any(t.dep_ == "ccomp" and not any(c.i in kept and c.dep_ not in ("nsubj", "nsubjpass", "mark", "punct", "aux",
                                                                          "neg", "advmod") for c in t.children)
           for t in tokens):
        return None  # a that-clause cut down to subject and verb: what it said was pruned with a list
    if any(c.dep_ in ("dobj", "pobj", "pcomp") and c.i > tokens[0].i and not any(x.i in kept for x in c.subtree)
           for t in tokens if t.pos_ in ("VERB", "ADP") for c in t.children):
        return None  # "by supporting as well as addressing ...": a verb or preposition lost its object
    tokens = [t for k, t in enumerate(tokens) if not (t.lower_ in _FILLERS and t.dep_ == "advmod"
                                                      and (k == 0 or tokens[k - 1].tag_ == "TO"))]
    phrase = _text(tokens)
    if hit is not None and not cue.search(phrase):
        return None
    m = _TAILS.search(phrase)
    if m and not cue_in(cue, phrase[m.start():]) and len(phrase[:m.start()].split()) >= 3:
        phrase = phrase[:m.start()].rstrip(" ,")  # "including ...", "in line with ...": off the theme
    if re.search(r"\s[–—]\s|\s-\s", phrase):
        return None  # an aside between dashes does not survive condensing
    phrase = re.sub(r"[\s.;:,–—-]+$", "", phrase)
    words = phrase.split()
    if len(words) > max_words or len(words) < 2 or phrase.count(",") >= 2:
        return None  # too long, or still a list of several things
    verb = next((t for t in tokens[:2] if t.pos_ in ("VERB", "AUX") and t.dep_ not in ("amod", "compound")), None)
    if verb is None or (verb is not tokens[0] and tokens[0].dep_ != "advmod"):
        return None  # the phrase must start with its action ("protect ...", "effectively address ...")
    at = 0 if verb is tokens[0] else 1
    if words[at].lower() != verb.lower_:
        return None
    words[at] = STANCE_PAST.get(verb.lemma_, verb.text) if stance else verb.lemma_
    if stance and at:
        words = words[1:]
    action = verb
    while (len(words) > 3 and not stance and words[0].lower() in ("commit", "intend", "plan", "aim", "seek", "pledge",
                                                                  "undertake", "resolve", "decide", "agree")
           and words[1].lower() == "to"):
        words = words[2:]  # a cue verb the parse did not unwrap: "commit to protect ..." -> "protect ..."
    phrase = " ".join(words)
    if phrase.lower().startswith(("is ", "are ", "was ", "be ")):
        return None
    subject = " ".join(t.text for t in subjects[0].subtree) if subjects else ""
    return Line(phrase=phrase, verb=action.lemma_, stance=stance, subject=subject)


def cue_in(cue: Any, text: str) -> bool:
    return bool(cue is not None and cue.search(text))


def third_person(phrase: str, plural: bool = False) -> str:
    """``our``/``we``/``us`` -> ``its``/``it``/``it`` (``their``/``they``/``them`` for several parties): a line
    the partner said of itself, reported by the EU."""
    subs = {"our": "their" if plural else "its", "ours": "theirs" if plural else "its own",
            "we": "they" if plural else "it", "us": "them" if plural else "it",
            "ourselves": "themselves" if plural else "itself"}

    def swap(m: re.Match[str]) -> str:
        w = m.group(0)
        out = subs[w.lower()]
        return out[0].upper() + out[1:] if w[0].isupper() else out

    return re.sub(r"\b(?:ours|our|ourselves|we|us)\b", swap, phrase, flags=re.I)
