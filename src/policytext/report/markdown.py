"""Render a briefing or comparison dict as Markdown.

Every value taken from the data (quotes, titles, labels, reasons) goes through
:func:`policytext.demo.escape_markdown`, so quoted text renders as text: HTML
tags become entities and Markdown syntax is backslash-escaped.  Quote
references link to ``<a id="Qn">`` anchors in the annex, as in the HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..alignment import EVIDENCE_KINDS
from ..formatting import escape_markdown, number, percent

__all__ = ["render_markdown"]


_EARLIER_TITLE = "Earlier dated commitments and what later documents say"
_EARLIER_NOTE = ("The status is read from the words of the partner's later sentence on the same undertaking (done, "
                 "in progress, renewed, mentioned), or silent when no later sentence is about it: a pointer to read, "
                 "not a verification (link precision in the README).")

def _e(value: Any) -> str:
    return escape_markdown("" if value is None else str(value))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ref(ref: str) -> str:
    return f"[\\[{ref}\\]](#{ref})"


def _cite(q: Mapping[str, Any]) -> str:
    return f"[\\[{q['ref']}: {_e(q['anchor'])}\\]](#{q['ref']})"


def _quote(q: Mapping[str, Any], side: str = "") -> str:
    strength = f" ({_e(q['strength'])})" if q.get("strength") else ""
    who = q.get("voice") or side
    return f"> **{_e(who)}**{strength}: “{_e(q['text'])}” {_cite(q)}"


def _said(q: Mapping[str, Any]) -> str:
    """A quote in a list: who says it, the words, the citation."""
    return f"[{_e(q.get('voice') or q.get('side', ''))}] “{_e(q['text'])}” {_cite(q)}"


def _kinds(k: Mapping[str, int]) -> str:
    return " / ".join(str(k.get(x, 0)) for x in EVIDENCE_KINDS)


def render_markdown(data: Mapping[str, Any]) -> str:
    """The Markdown text of a briefing (``kind="briefing"``) or comparison."""
    return _comparison(data) if data["kind"] == "comparison" else _briefing(data)


def _methods(m: Mapping[str, Any]) -> list[str]:
    lines = [_e(m["note"]), ""]
    lines += [f"- {_e(x['kind'])}: {_e(x['name'])} {_e(x['version'])}" + (f" ({_e(x['package'])})" if x["package"] else "")
              for x in m["models"]]
    lines += [f"- policytext {_e(m['policytext'])}", "", "| setting | value |", "|---|---|"]
    lines += [f"| {_e(k)} | {_e(v)} |" for k, v in m["config"].items()]
    return lines + [""]


def _briefing(d: Mapping[str, Any]) -> str:
    titles = {s["id"]: s["title"] for s in d["sections"]}
    docs = ", ".join(f"{_e(x['doc_id'])}" + (f" ({_e(x['date'])})" if x.get("date") else "")
                     for x in d["partner_documents"])
    eu = ", ".join(_e(x["doc_id"]) for x in d["eu_documents"])
    out = [f"# {_e(d['title'])}", "", f"Partner documents: {docs}. EU reference: {eu}.", ""]

    s = d["summary"]
    out += [f"## {titles['summary']}", "", f"**{_e(s['headline'])}**", "", _e(s["basis"]), ""]
    if s["warnings"]:
        out += ["### Read first", ""] + [f"- ⚠ {_e(w)}" for w in s["warnings"]] + [""]
    out += ["### Strongest convergences", ""]
    out += [f"- **{_e(c['label'])}**: {number(c['score'])} (interval {_e(c['interval'])}) "
            + " ".join(_ref(r) for r in c["refs"]) for c in s["convergences"]] or ["No theme with a matched commitment."]
    out += ["", "### Main gaps", ""]
    out += [f"- **{_e(g['label'])}**: {_e(d['summary'].get('gap_note', 'the partner says nothing on it'))} "
            + " ".join(_ref(r) for r in g["refs"])
            for g in s["gaps"]] or ["None: the partner-side documents speak to every theme the EU reference addresses."]
    if s["weak"]:
        out += ["", "### Weakest matches", ""]
        out += [f"- **{_e(w['label'])}**: {number(w['score'])} (the partner {'names it only in passing or through others' if w['status'] == 'mentioned' else 'addresses it'}, "
                "no shared undertaking)" for w in s["weak"]]
    out += ["", "### Divergences", ""]
    out += [f"- **{_e(x['label'])}**: {x['count']} divergent pair(s)" for x in s["divergences"]] \
        or ["No divergence found."]

    out += ["", f"## {titles['sources']}", "",
            "| side | document | authors | relation | date | complete | words | status | sentences own / co-signed / agreed / third |",
            "|---|---|---|---|---|---|---:|---|---:|"]
    for x in d["sources"]:
        title = f" — {_e(x['title'])}" if x.get("title") else ""
        out.append(f"| {_e(x['side'])} | {_e(x['doc_id'])}{title} | {_e(x['authors'])} | {_e(x['relation'])} | "
                   f"{_e(x['date'])} | {_e(x['complete'])} | {number(x['words'])} | {_e(x['status']) or '–'} | "
                   f"{_kinds(x['sentences']) if x['side'] == 'partner' else '–'} |")

    out += ["", f"## {titles['themes']}", "",
            "| theme | status | score | interval | own-text score | partner sentences own / co-signed / agreed / third | "
            "EU sentences | close matches | commitments EU / partner | firmness parity | divergent pairs |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for t in d["themes"]:
        out.append(f"| {_e(t['label'])} | {_e(t['status'])} | {number(t['score'])} | {_e(t['interval'])} | "
                   f"{number(t['own_score'])} | {_kinds(t['partner_kinds'])} | {t['eu_sentences']} | {t['matched']} | "
                   f"{t['eu_commitments']} / {t['partner_commitments']} | {percent(t['parity'])} | {t['divergences']} |")
    out += ["", "“–”: the EU reference does not address the theme (or, for the own-text score, the partner has no text "
            "of its own on it). Status: shared (an undertaking on each side naming the same things), addressed (the partner speaks to it, no shared undertaking), "
            "mentioned (named in passing, or only in others' words), absent (nothing on it in the partner-side documents). Thin evidence: fewer "
            "than 3 sentences on one side.", ""]

    out += [f"## {titles['talking-points']}", ""]
    out += [f"{i}. <a id=\"{p['id']}\"></a>**{_e(p['verb'])}** {_e(p['text'])} "
            + " ".join(_ref(r) for r in p["refs"]) for i, p in enumerate(d["talking_points"], start=1)] \
        or ["The evidence suggests no talking point."]

    out += ["", f"## {titles['shared']}", ""]
    theme = None
    for x in d["shared"]:
        if x["theme"] != theme:
            theme = x["theme"]
            out += [f"### {_e(x['label'])}", ""]
        out += [_quote(x["eu"], "EU"), ">", _quote(x["partner"], "Partner"), ""]
    if not d["shared"]:
        out += ["No shared undertaking: no EU undertaking has a partner undertaking naming the same things.", ""]

    out += [f"## {titles['gaps']}", ""]
    for g in d["gaps"]:
        out += [f"### {_e(g['label'])}", "", _e(_sentence(d["summary"].get("gap_note", "the partner says nothing on it"))) + ". The EU says:", ""]
        out += [f"- {_said(q)}" for q in g["quotes"]] + [""]
    if not d["gaps"]:
        out += ["None: the partner-side documents speak to every theme the EU reference addresses.", ""]
    if d["weak"]:
        out += ["### Addressed, but no shared undertaking", ""]
        for w in d["weak"]:
            quotes = "; ".join(_said(q) for q in w["eu"] + w["partner"]) or "no sentence worth quoting (what there is on it is procedural or descriptive)"
            out.append(f"- **{_e(w['label'])}** ({number(w['score'])}): {quotes}")
        out.append("")

    out += [f"## {titles['partner-only']}", ""]
    for p in d["partner_only"]:
        silent = (" (not addressed by the EU reference)" if p["eu_silent"] else
                  " (named only in passing by the EU reference)" if p.get("eu_mentions") else "")
        out += [f"### {_e(p['label'])}{silent}", ""]
        out += [f"- {_said(q)}" for q in p["quotes"]] + [""]
    if not d["partner_only"]:
        out += ["None found.", ""]

    out += [f"## {titles['divergences']}", ""]
    for x in d["divergences"]:
        out += [f"### {_e(x['label'])}: {_e(x['reason'])}", "", _quote(x["eu"], "EU"), ">",
                _quote(x["partner"], "Partner"), ""]
    if not d["divergences"]:
        out += ["No divergence found: no text of the partner's own declines an undertaking the EU makes.", ""]

    f = d["follow_up"]
    out += [f"## {titles['follow-up']}", ""]
    if f["items"]:
        out += ["| deadline | actor | strength | said by | themes | commitment |", "|---|---|---|---|---|---|"]
        out += [f"| {_e(x['deadline'])} | {_e(x['actor'])} | {_e('negated' if x['negated'] else x['strength'])} | "
                f"{_e(x['quote']['voice'])} | {_e(', '.join(x['themes']))} | “{_e(x['quote']['text'])}” {_cite(x['quote'])} |"
                for x in f["items"]]
    if f.get("earlier"):
        out += ["", f"### {_EARLIER_TITLE}", "", _e(_EARLIER_NOTE), "",
                "| due | status | commitment | what a later document says |", "|---|---|---|---|"]
        out += [f"| {_e(x['deadline'])} | {_e(x['status'])} | “{_e(x['quote']['text'])}” {_cite(x['quote'])} | "
                + (f"{_e(x['report']['status'])}: “{_e(x['report']['text'])}” {_cite(x['report'])}" if x["report"]
                   else f"nothing found in {_e(', '.join(x['later_documents']))}") + " |"
                for x in f["earlier"]]
    if f["note"]:
        out += ["", _e(f["note"])]
    out.append("")

    out += [f"## {titles['changes']}", ""]
    ch = d["changes"]
    if ch["available"]:
        out += [f"Commitments of consecutive documents of one type are matched by meaning "
                f"(cosine ≥ {ch['threshold']}).", ""]
        for st in ch["steps"]:
            c = st["counts"]
            out += [f"### {_e(st['from']['doc_id'])} ({_e(st['from']['date'])}) → "
                    f"{_e(st['to']['doc_id'])} ({_e(st['to']['date'])})", "",
                    "| new | dropped | strengthened | weakened | unchanged |", "|---:|---:|---:|---:|---:|",
                    f"| {c['new']} | {c['dropped']} | {c['strengthened']} | {c['weakened']} | {c['kept']} |", ""]
            for key, heading in (("new", "New commitments"), ("dropped", "Dropped commitments"),
                                 ("strengthened", "Strengthened"), ("weakened", "Weakened")):
                if not st[key]:
                    continue
                out += [f"#### {heading}", ""]
                for item in st[key]:
                    parts = []
                    if item.get("before"):
                        b = item["before"]
                        parts.append(f"before ({_e(b['strength'])}): “{_e(b['text'])}” {_cite(b)}")
                    if item.get("after"):
                        a = item["after"]
                        parts.append(f"after ({_e(a['strength'])}): “{_e(a['text'])}” {_cite(a)}")
                    out.append("- " + "; ".join(parts))
                out.append("")
    else:
        out += [_e(ch["note"]), ""]

    out += [f"## {titles['annex']}", "", "Every quote of this briefing, with who says it, its document, page and "
            "paragraph.", ""]
    for q in d["annex"]:
        title = f" — {_e(q['title'])}" if q.get("title") else ""
        extra = "".join(f", {k} {_e(q[k])}" for k in ("actor", "deadline") if q.get(k))
        out += [f"<a id=\"{q['ref']}\"></a>**{q['ref']}** ({_e(q['voice'])}{extra}) {_e(q['anchor'])}{title}  ",
                f"“{_e(q['text'])}”", ""]
    out += [f"## {titles['methods']}", ""] + _methods(d["methods"])
    return "\n".join(out).rstrip() + "\n"


def _comparison(d: Mapping[str, Any]) -> str:
    titles = {s["id"]: s["title"] for s in d["sections"]}
    eu = ", ".join(_e(x["doc_id"]) for x in d["eu_documents"])
    out = [f"# {_e(d['title'])}", "", f"EU reference: {eu}.", "",
           f"## {titles['summary']}", "", f"**{_e(d['summary']['headline'])}**", "",
           f"## {titles['overall']}", "",
           _e(d["summary"]["note"]), "",
           "| partner | overall | interval | evidence | sentences own / co-signed / agreed / third | strongest theme | "
           "weakest theme | divergent pairs | documents |",
           "|---|---:|---:|---|---:|---|---|---:|---|"]
    out += [f"| {_e(p['partner'])} | {number(p['score'])} | {_e(p['interval'])} | "
            f"{'thin' if p['thin'] else 'sufficient'}{' (third-party only)' if p['basis'] == 'third-party only' else ''} | "
            f"{_kinds(p['sentences'])} | {_e(p['strongest'])} | "
            f"{_e(p['weakest'])} | {p['divergences']} | {_e(', '.join(p['documents']))} |" for p in d["partners"]]
    out += ["", f"## {titles['heatmap']}", "",
            "| partner | " + " | ".join(_e(t["label"]) for t in d["themes"]) + " |",
            "|---|" + "---:|" * len(d["themes"])]
    out += [f"| {_e(p['partner'])} | " + " | ".join(number(v) for v in row) + " |"
            for p, row in zip(d["partners"], d["matrix"])]
    out += ["", f"## {titles['briefings']}", ""]
    for p in d["partners"]:
        target = p["file"].replace(".html", ".md") if p["file"] else ""
        out.append(f"- [{_e(p['partner'])}]({target})" if target else f"- {_e(p['partner'])}")
    out += ["", f"## {titles['methods']}", ""] + _methods(d["methods"])
    return "\n".join(out).rstrip() + "\n"
