"""Who speaks in each sentence: the document's authors, and the sentences that speak for fewer of them.

A joint statement speaks for all who signed it, but not every sentence of it
does: "The EU also supports research projects on trustworthy AI" inside an
EU–US statement is the EU's alone, and a title or a list of participants
speaks for no one.  An analyst must never read such a sentence as the
partner's position.  This module gives every sentence a **speaker**, with the
labels of the annotation guidelines (``eval/GUIDELINES.md``, section 4):

``joint``
    all the document's signatories together;
``EU``, ``US``, ``Japan``... (a party's short name)
    that party alone: every sentence of a document it issued alone, or a
    sentence of a joint text whose subject is that party alone;
``A+B``
    two (or more) named parties that are not all the signatories, names in
    alphabetical order ("The United States and India will ..." in a US fact
    sheet: ``India+US``);
``other``
    the document's authors are unknown;
``none``
    no one's position: titles, headings, table headers, notes, lists of
    participants or signatories, bylines, dates, references to the document itself.

How it is decided (rules, nothing learnt from the gold labels):

1. The **authors** (:class:`Authors`): the manifest's ``signatories`` column
   (``EU;United States``) when present; otherwise the parties named in the
   issuer (without "published by ..."), plus the partner for a joint
   document type.  Party names are resolved with the gazetteer
   (``United States``, ``U.S.``, ``White House`` -> ``US``; ``Republic of Korea`` -> ``Korea``).
2. The document's **usual speaker**: ``joint`` when two or more parties (or a
   named group) signed it; the single author otherwise, except that a
   single-author fact sheet whose title has two parties as its subject
   ("United States and India Elevate ...") speaks for both (``India+US``).
3. Per sentence: ``none`` for the non-positions listed above; else the
   **subject** of the sentence, when it is one or more named parties
   (after a list marker and an opening adverbial such as "Today," or
   "In addition,", before a verb), gives the speaker when it names a
   signatory: one party of several signatories speaks alone (``EU``), all of
   them are ``joint``, some of them are joined by ``+``.  A subject that names
   no signatory ("Russia spread disinformation") is a description by the
   authors: the usual speaker.  Every other sentence has the usual speaker.

The rules read English party names and subjects; in other languages a
sentence gets its document's usual speaker unless its title/heading status
says ``none``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from .commitments import looks_like_heading, split_marker
from .lexicon import Lexicon, load_lexicon

if TYPE_CHECKING:  # pragma: no cover
    from ..records import Document, DocumentMeta

__all__ = ["Authors", "SpeakerReader", "JOINT", "NONE", "OTHER", "EVIDENCE_KINDS", "evidence_kind", "summary_of_joint_text",
           "speaker_parties", "speaker_label", "default_reader", "voice"]

JOINT, NONE, OTHER = "joint", "none", "other"

#: How a partner-side sentence relates to the partner of an alignment (see :func:`evidence_kind`).
EVIDENCE_KINDS = {
    "own": "the partner's own position (a text it issued, alone or with others than the EU)",
    "agreed": "agreed language: a text the partner signed with the EU",
    "third": "a third party's text or words (the partner did not sign it, or another party speaks)",
    "eu": "the EU's own words inside a partner-side text (never counted as the partner's)",
    "none": "no one's position (title, heading, list of participants, reference)",
}

_JOINT_DOC_TYPES = frozenset({"joint_statement", "joint_declaration", "communique", "joint_communique"})
_PUBLISHED_BY = re.compile(r"[;,(]?\s*\b(?:text\s+)?(?:published|released|issued|posted)\s+by\b[^);]*\)?", re.I)
_GROUP_ISSUER = re.compile(r"\b(?:leaders|ministers|members|partnership|initiative|coalition|participants|"
                           r"signatories)\b", re.I)
_FACT_SHEET = re.compile(r"^\s*(?:joint\s+)?(?:fact\s*sheet|readout|press release|statement)\s*:\s*", re.I)
_INTRO = re.compile(
    r"^(?:(?:today|moreover|additionally|furthermore|further|finally|also|together|separately|meanwhile|likewise|"
    r"however|therefore|thus|indeed|notably|[a-z]+ly|"
    r"similarly|first|second|third|in addition|in particular|in parallel|at the same time|to that end|to this end|"
    r"in the short[- ]term|in the long[- ]term|(?:building|based) on [^,]{1,80}|in [^,]{1,60}|as [^,]{1,80}|"
    r"on [^,]{1,60}|during [^,]{1,60}|through [^,]{1,60}|under [^,]{1,60}),\s+)+", re.I)
_TITLES = re.compile(
    r"(?:(?:President|Prime Minister|Vice[- ]President|Executive Vice[- ]President|Commissioner|Secretary|"
    r"Minister|Ambassador|High Representative|Chancellor|Mr\.?|Ms\.?|Mrs\.?|Dr\.?)\s+)+")
_HEAD_NOUNS = r"(?:\s+(?:government|governments|administration|side|delegation|authorities))?"
_JOINER = re.compile(r"^(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)(?:the\s+)?", re.I)
# What follows a subject: a verb or adverb in lower case (not a possessive, a compound or a noun in capitals).
_AFTER_SUBJECT = re.compile(r"^\s+(?:also\s+|further\s+|jointly\s+|together\s+|both\s+|each\s+|will\s+|"
                            r"have\s+|has\s+|are\s+|is\s+)?[a-z]")
_TITLE_AFTER_SUBJECT = re.compile(r"^\s+[A-Za-z]")
_TABLE_HEADER = re.compile(r"(?:\b[A-Z][A-Z/&-]{2,}\b[\s,/]+){3,}")
_PARTICIPANTS = re.compile(
    r"^(?:on the [\w-]+ side,|participants\b|attendees\b|present\b|(?:the )?(?:participants|attendees|delegations?) "
    r"(?:were|included|comprised)\b|(?:the meeting|it) was attended by\b)", re.I)
_MEMBERSHIP = re.compile(r"\b(?:form|are|constitute|comprise)\s+(?:the\s+)?(?:initial\s+|founding\s+)?"
                         r"(?:set of\s+)?(?:member|members|signator|participants)", re.I)
_NOTICE = re.compile(r"\b(?:licen[cs]e\s*:|not an? official (?:text|document)|illustrative,? fictional|"
                     r"all rights reserved)|©", re.I)
_SELF_REFERENCE = re.compile(
    r"^(?:this|the present)\s+(?:joint\s+)?(?:statement|communiqu[eé]|fact sheet|document|press release|"
    r"declaration|roadmap|readout)\s+(?:is|was)\s+(?:a\s+joint\s+statement|issued|published|released|adopted)\b"
    r"|^this is a joint statement\b", re.I)
_DATE_LINE = re.compile(r"^\W*(?:\w+day,?\s+)?(?:\d{1,2}\s+)?[A-Z][a-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\W*$"
                        r"|^\W*\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\W*$|^\W*\d{4}-\d{2}-\d{2}\W*$")
_REFERENCE = re.compile(r"^\W*(?:https?://|www\.|read the full\b|for more information\b|see also\b|source:)", re.I)


@dataclass(frozen=True, slots=True)
class Authors:
    """Who signed a document, and who speaks in its sentences that name no subject.

    Attributes
    ----------
    parties : short names of the signatories (``("EU", "US")``), in the order given.
    groups : signatories that are named groups signing as a whole ("Counter Ransomware
        Initiative members (50, incl. EU)"); their members are not listed.
    default : the usual speaker (``joint``, a party's short name, ``A+B``, or ``other``).
    source : ``"manifest"`` (the ``signatories`` column) or ``"inferred"`` (issuer, type, partner).
    """

    parties: tuple[str, ...]
    groups: tuple[str, ...] = ()
    default: str = OTHER
    source: str = "inferred"
    #: names of signatories the gazetteer does not know, and their short forms (``Veloria`` for
    #: ``Republic of Veloria``), each with its party label
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def joint(self) -> bool:
        """Whether several parties (or a group) signed the document."""
        return len(self.parties) + len(self.groups) > 1 or bool(self.groups)

    def signed_by(self, party: str) -> bool:
        """Whether ``party`` (a short name) signed the document."""
        return party in self.parties

    def describe(self) -> str:
        """``EU and US (manifest)``."""
        names = list(self.parties) + list(self.groups)
        return f"{_join(names) or 'unknown'} ({self.source})"


_STATE_PREFIX = re.compile(r"^(?:the\s+)?(?:Republic|Kingdom|State|Federation|Commonwealth|Principality|Sultanate|"
                           r"Federal Republic|People's Republic|Islamic Republic|United Republic)\s+of\s+(?:the\s+)?",
                           re.I)


def _aliases(names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``(name, label)`` pairs for names the gazetteer does not know: the name and its short form, longest first."""
    out: dict[str, str] = {}
    for name in names:
        out.setdefault(name, name)
        short = _STATE_PREFIX.sub("", name)
        if short and short != name:
            out.setdefault(short, name)
    return tuple(sorted(out.items(), key=lambda kv: -len(kv[0])))


def _join(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def speaker_parties(speaker: str) -> frozenset[str]:
    """The parties named in a speaker label (``"India+US"`` -> ``{"India", "US"}``; ``joint``, ``none``, ``other`` -> ``{}``)."""
    if speaker in (JOINT, NONE, OTHER, ""):
        return frozenset()
    return frozenset(speaker.split("+"))


def speaker_label(parties: Iterable[str], authors: Authors) -> str:
    """The label of a subject made of ``parties``: ``joint`` when they are all the signatories."""
    names = sorted(set(parties))
    if authors.parties and not authors.groups and set(names) == set(authors.parties) and len(names) > 1:
        return JOINT
    return "+".join(names)


#: A document that is one party's summary of a joint text, not the text itself (its title or manifest notes say so).
_SUMMARY_OF = re.compile(r"\bsummary of (?:the |a |its |their )?(?:[\w-]+ ){0,4}?(?:joint )?(?:statement|declaration|"
                         r"communiqu\w*)\b", re.I)


def summary_of_joint_text(meta: DocumentMeta | None) -> bool:
    """Whether a document is a party's summary of a joint statement ("Digital Agency summary of the joint
    statement"): its own text, whose sentences report what was agreed, so no evidence of its position alone."""
    return meta is not None and bool(_SUMMARY_OF.search(f"{meta.title} {meta.notes}"))


def evidence_kind(speaker: str, authors: Authors, partner: str | None) -> str:
    """How a partner-side sentence relates to ``partner`` (a short name; ``None`` when it cannot be resolved).

    ``none`` and ``eu`` sentences are no evidence of the partner's position;
    ``agreed`` is text the partner signed with the EU (joint, or a subject naming both);
    ``own`` is the partner's own voice, alone; ``cosigned`` its voice together with others than the EU
    (a joint statement with the US, a G7 communiqué without the EU);
    ``third`` is everything else: a text the partner did not sign (a US fact sheet
    for India), or a sentence another party speaks alone.  A partner that cannot be
    resolved to a party (a group such as "G7 (incl. Japan, UK, Canada)") is taken
    to have signed its own documents.
    """
    if speaker == NONE:
        return "none"
    named = speaker_parties(speaker)
    if named == {"EU"}:
        return "eu"
    signed = partner is None or authors.signed_by(partner) or (not authors.parties and not authors.groups)
    if not signed:
        return "third"
    if speaker == JOINT:
        if authors.signed_by("EU"):
            return "agreed"
        return "cosigned" if partner is not None and len(authors.parties) + len(authors.groups) > 1 else "own"
    if partner is None:
        return "agreed" if "EU" in named else "own"
    if partner in named:
        if "EU" in named:
            return "agreed"
        # several parties named, all of them signatories: co-signed; a fact sheet the partner issued alone on
        # what it decided with another party is its own account
        return "cosigned" if len(named) > 1 and named <= set(authors.parties) else "own"
    return "third"


class SpeakerReader:
    """Read the authors of documents and the speaker of their sentences (see the module docstring).

    Parameters
    ----------
    lexicon : the gazetteer and actor table (default: the shipped patterns).

    Examples
    --------
    >>> from policytext.extract.speakers import SpeakerReader
    >>> from policytext.records import DocumentMeta
    >>> reader = SpeakerReader()
    >>> authors = reader.authors(DocumentMeta("ttc", doc_type="joint_statement", signatories="EU;United States"))
    >>> reader.speaker("We intend to cooperate on AI.", authors)
    'joint'
    >>> reader.speaker("The EU also supports research on trustworthy AI.", authors)
    'EU'
    """

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        self.lexicon = lexicon or load_lexicon()

    # -- party names -------------------------------------------------------------------------
    @cached_property
    def _names(self) -> tuple[re.Pattern[str], dict[str, str | None]]:
        """One regex over every gazetteer name (longest first) and name -> party label (``None``: not a party)."""
        lex = self.lexicon
        canonical: dict[str, str] = {}
        labels: dict[str, str | None] = {}
        for p in lex.entity_patterns:
            pat = p["pattern"]
            name = pat if isinstance(pat, str) else " ".join(t.get("TEXT", "") for t in pat)
            if not name.strip():
                continue
            ident = p.get("id", "")
            if isinstance(pat, str) and ident not in canonical:
                canonical[ident] = name
            label = lex.actors.get(ident)
            if label is None and p.get("label") in ("COUNTRY", "BLOC"):
                label = canonical.get(ident, name)
            labels.setdefault(name, label)
        alts = "|".join(re.escape(n) for n in sorted(labels, key=len, reverse=True))
        return re.compile(r"(?<![\w.-])(?:" + alts + r")(?![\w-])"), labels

    def parties(self, text: str) -> list[str]:
        """Party labels named in ``text``, in order, each once (regions and institutions of no party skipped)."""
        rx, labels = self._names
        out: list[str] = []
        for m in rx.finditer(text):
            label = labels.get(m.group(0))
            if label and label not in out:
                out.append(label)
        return out

    def party(self, label: str) -> str | None:
        """The party a partner label names (``"United States"`` -> ``"US"``); a name the gazetteer does not
        know stands for itself (``"Veloria"``); ``None`` for a group ("G7 (incl. Japan, UK, Canada)")."""
        label = (label or "").strip()
        if not label:
            return None
        rx, labels = self._names
        whole = rx.fullmatch(label) or rx.fullmatch(re.sub(r"^the\s+", "", label, flags=re.I))
        if whole and labels.get(whole.group(0)):
            return labels[whole.group(0)]
        named = self.parties(label)
        if not named and re.fullmatch(r"[A-Z][\w'’.-]*(?:\s+[\w'’.-]+){0,3}", label):
            return label
        return None

    def subject(self, text: str, *, title: bool = False, aliases: Sequence[tuple[str, str]] = ()) -> list[str]:
        """The parties that are the subject of ``text`` ([] when its subject is no named party).

        ``title``: ``text`` is a title, whose verb may be capitalised ("United States and India Elevate ...").
        ``aliases``: further ``(name, label)`` pairs (signatories the gazetteer does not know).
        """
        rx, labels = self._names
        _, offset = split_marker(text)
        s = text[offset:].lstrip(" -•–*")
        m = _INTRO.match(s)
        if m:
            s = s[m.end():]
        found: list[str] = []

        def name_at(text: str) -> tuple[int, str] | None:
            n = rx.match(text)
            if n and labels.get(n.group(0)):
                return n.end(), labels[n.group(0)]  # type: ignore[return-value]
            for alias, label in aliases:
                if text.startswith(alias) and not text[len(alias):len(alias) + 1].isalnum():
                    return len(alias), label
            return None

        while True:
            s = re.sub(r"^(?:the|The)\s+", "", s)
            hit = name_at(s)  # a name with its title ("President Biden") first, then without it
            if hit is None:
                t = _TITLES.match(s)
                hit = name_at(s[t.end():]) if t else None
                if hit is not None:
                    s = s[t.end():]  # type: ignore[union-attr]
            if hit is None:
                return []
            found.append(hit[1])
            s = s[hit[0]:]
            h = re.match(_HEAD_NOUNS, s, re.I)
            if h:
                s = s[h.end():]
            j = _JOINER.match(s)
            if j:
                rest = re.sub(r"^(?:the|The)\s+", "", s[j.end():])
                if name_at(rest) or name_at(_TITLES.sub("", rest, count=1)):
                    s = s[j.end():]
                    continue
            break
        if not (_TITLE_AFTER_SUBJECT if title else _AFTER_SUBJECT).match(s):
            return []
        return list(dict.fromkeys(found))

    # -- documents ---------------------------------------------------------------------------
    def members(self, text: str) -> list[str]:
        """The parties of a text's member list ("The 50 members of the ... Initiative — Albania, Australia, ...
        — met ..."): the first sentence of its opening that names at least ten parties; [] when there is none."""
        for sentence in re.split(r"(?<=[.!?])\s+", text[:6000]):
            named = self.parties(sentence)
            if len(named) >= 10:
                return named
        return []

    def authors(self, meta: DocumentMeta | None, text: str = "") -> Authors:
        """The document's signatories and usual speaker, from its metadata.

        ``text``: the document's text (or its opening).  A document the manifest signs as a group of members
        without naming them ("Counter Ransomware Initiative members (50, incl. EU)") is signed by the
        parties of the member list its text opens with, when it has one.
        """
        if meta is None:
            return Authors((), (), OTHER, "inferred")
        parties: list[str] = []
        groups: list[str] = []
        source = "inferred"
        if (meta.signatories or "").strip():
            source = "manifest"
            for entry in re.split(r"\s*;\s*", meta.signatories.strip()):
                if not entry:
                    continue
                rx, labels = self._names
                whole = rx.fullmatch(entry) or rx.fullmatch(re.sub(r"^the\s+", "", entry, flags=re.I))
                label = labels.get(whole.group(0)) if whole else None
                if not label and re.fullmatch(r"[A-Z][\w'’.-]*(?:\s+[\w'’.-]+){0,3}", entry):
                    label = entry  # a country the gazetteer does not know ("Costa Rica"): its own name
                if label:
                    if label not in parties:
                        parties.append(label)
                else:
                    groups.append(entry)  # a named group signing as a whole
        else:
            issuer = _PUBLISHED_BY.sub("", meta.issuer or "")
            parties = self.parties(issuer)
            named = self.party(meta.partner or "")
            partner = self.parties(meta.partner or "") or ([named] if named else [])
            if (meta.doc_type or "").lower() in _JOINT_DOC_TYPES or re.search(r"\bjoint\b", meta.issuer or "", re.I):
                parties += [p for p in partner if p not in parties]
            if _GROUP_ISSUER.search(issuer):
                groups.append(re.sub(r"\s+", " ", issuer).strip(" ;,()"))  # "G7 Leaders", "Members of the ..."
            elif not parties:
                parties = partner[:1] or ([meta.partner] if meta.partner else [])
        if text and any(re.search(r"\bmembers\b", g, re.I) for g in groups):
            listed = self.members(text)
            if listed:
                parties += [p for p in listed if p not in parties]
                source = "text"
        aliases = _aliases([p for p in parties if p not in self._names[1].values()])
        draft = Authors(tuple(parties), tuple(groups), OTHER, source, aliases)
        if draft.joint:
            default = JOINT
        elif parties:
            default = parties[0]
            about = self.subject(_FACT_SHEET.sub("", meta.title or ""), title=True, aliases=aliases)
            if len(about) >= 2 and default in about:
                default = speaker_label(about, draft)
        else:
            default = OTHER
        return Authors(tuple(parties), tuple(groups), default, source, aliases)

    def speaker(self, text: str, authors: Authors, *, heading: bool = False, note: bool = False,
                title: str = "") -> str:
        """The speaker of one sentence of a document by ``authors``."""
        if heading and split_marker(text)[0]:
            heading = False  # a list item flagged as a heading by its layout is an item of content
        if heading or note or self.no_position(text, title) or self.is_membership_list(text):
            return NONE
        subject = self.subject(text, aliases=authors.aliases)
        if not subject and _BOTH_SIDES.search(text[:160]) and title:
            # "Both sides have worked to ...": the two parties the title names (a Japanese summary of a
            # Japan-EU statement reports what both agreed, not Japan's own position)
            named = self.parties(re.sub(r"(?<=\w)[-–/](?=\w)", " ", title))  # "Japan-EU Council"
            if len(named) == 2:
                return speaker_label(named, authors)
        if not subject:
            return authors.default
        if not authors.parties and not authors.groups:
            return speaker_label(subject, authors)
        signatories = [p for p in subject if authors.signed_by(p)]
        if not signatories:
            # A subject naming no signatory: the authors describe someone, or (a single-author fact sheet on
            # a partnership) the usual speaker already covers it.
            named = set(speaker_parties(authors.default))
            return speaker_label(subject, authors) if len(subject) > 1 and named & set(subject) else authors.default
        if len(subject) == 1 and not authors.joint:
            return authors.default if subject[0] in speaker_parties(authors.default) else subject[0]
        return speaker_label(subject, authors)

    @staticmethod
    def no_position(text: str, title: str = "") -> bool:
        """Whether a sentence states no one's position (title, heading, table header, list, byline, date, reference)."""
        t = text.strip()
        if not t:
            return True
        _, offset = split_marker(t)
        body = t[offset:].strip()
        norm = re.sub(r"\W+", " ", body).strip().casefold()
        if title:
            head = re.sub(r"\W+", " ", title).strip().casefold()
            if norm and head and (norm == head or (head.startswith(norm) and len(norm) > 20)
                                  or (norm.startswith(head) and len(norm) - len(head) < 40)):
                return True
        # the heading test reads capitalised Latin words: a sentence in a script without capitals is no heading
        latin = len(re.findall(r"[A-Za-z]", body)) >= max(1, len(body) // 2)
        if (latin and looks_like_heading(body)) or _DATE_LINE.match(body) or _REFERENCE.match(body):
            return True
        if _SELF_REFERENCE.match(body) or _PARTICIPANTS.match(body) or _NOTICE.search(body):
            return True
        if _TABLE_HEADER.search(body) and sum(w.isupper() for w in body.split()) >= len(body.split()) / 2:
            return True
        return False

    def is_membership_list(self, text: str) -> bool:
        """"X, Y, Z and W form the initial set of member countries": a list of signatories (no position)."""
        return len(self.parties(text)) >= 4 and bool(_MEMBERSHIP.search(text))

    def read(self, document: Document) -> tuple[Authors, tuple[str, ...]]:
        """The authors of ``document`` and the speaker of each of its sentences (in ``document.sentences`` order)."""
        authors = self.authors(document.meta, document.text)
        title = document.meta.title if document.meta is not None else ""
        out = []
        for seg in document.sentences:
            out.append(self.speaker(seg.text, authors, heading=seg.is_heading, note=seg.is_note, title=title))
        return authors, tuple(out)


_DEFAULT: SpeakerReader | None = None
#: "Both sides ...", "the two parties ..." as the subject of a sentence.
_BOTH_SIDES = re.compile(r"(?:^\W*|,\s+)(?:both sides|the two sides|both parties|the two parties)\s+(?!of\b)[a-z]+",
                         re.I)


def default_reader() -> SpeakerReader:
    """One :class:`SpeakerReader` on the shipped gazetteer, shared by the alignment and the briefings."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = SpeakerReader()
    return _DEFAULT


def voice(speaker: str, kind: str, authors: Authors, partner: str = "") -> str:
    """Who is speaking, in words for a briefing: ``agreed: EU and US``, ``own: Kenya with US``, ``EU``,
    ``third party: US``, ``third party: India and US, as reported by US``."""
    if speaker == JOINT:
        names = _join(list(authors.parties) + list(authors.groups)) or "the signatories"
    elif speaker in ("", OTHER):
        names = "unknown"
    else:
        names = _join(sorted(speaker_parties(speaker)))
    if kind == "agreed":
        if not authors.signed_by("EU"):  # the partner's own account of what both sides agreed
            return f"agreed: {names}, as reported by {_join(list(authors.parties) + list(authors.groups))}"
        return f"agreed: {names}"
    if kind in ("own", "cosigned"):
        signers = list(authors.parties) + list(authors.groups)
        named = speaker_parties(speaker)
        if kind == "cosigned" or (speaker == JOINT and len(signers) > 1) or (
                len(named) > 1 and named <= set(authors.parties)):
            # the partner's signed text, but not its alone: a joint statement with the US, a G7 communiqué
            others = [p for p in (signers if speaker == JOINT else sorted(named)) if p != partner]
            return f"co-signed: {partner} with {_join(others)}" if partner in signers else f"co-signed: {names}"
        if len(named) > 1 and authors.parties and not named <= set(authors.parties):
            # a fact sheet issued by one party on what two decided: its issuer speaks
            return f"own: {_join(list(authors.parties))}, on {names}"
        return f"own: {names}"
    if kind == "third":
        reporter = _join(list(authors.parties) + list(authors.groups))
        if speaker != JOINT and reporter and set(speaker_parties(speaker)) != set(authors.parties):
            return f"third party: {names}, as reported by {reporter}"
        return f"third party: {names}"
    if kind == "eu":
        return "EU"
    return names
