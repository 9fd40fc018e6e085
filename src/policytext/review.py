"""Review the model's reading of sentences and save the corrections as gold labels.

How a team adapts policytext to its own documents and taxonomy: the analyst sees
sentences with the model's themes, commitment, strength, actor and speaker, the
ones the model is least sure of first, and accepts or corrects each.  Every answer
is appended to a gold JSONL file at once (flushed and synced), in the format of the
shared gold (``id``, ``doc_id``, ``text``, ``themes``, ``commitment``, ``strength``,
``actor``, plus ``speaker`` and ``review``), so nothing is lost when the kernel or
the terminal dies, and a session reopened on the same file goes on where it stopped.
``policytext train`` then retrains the models on the file.

* :class:`ReviewSession` -- the logic (no display): items, order, accept / correct / skip;
* :class:`ReviewWidget` -- the same in Jupyter (ipywidgets: checkboxes and buttons);
* ``policytext review`` -- the same in a terminal.

Order: by the smallest margin between a theme's probability and its threshold
(log-odds), with sentences where a taxonomy cue and the model disagree (a cue
matched, the theme not assigned) first.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ReviewItem", "ReviewSession", "ReviewWidget", "STRENGTHS"]

STRENGTHS = ("firm", "intent", "soft")


@dataclass
class ReviewItem:
    """One sentence with the model's reading of it."""

    id: str
    doc_id: str
    text: str
    section: str
    themes: list[str]
    theme_scores: dict[str, float]
    cue_themes: list[str]
    commitment: bool
    strength: str | None
    actor: str | None
    speaker: str
    margin: float
    why: str = ""
    gold: dict[str, Any] = field(default_factory=dict)

    def reading(self) -> dict[str, Any]:
        """The model's reading as a gold row."""
        return {"id": self.id, "doc_id": self.doc_id, "text": self.text, "themes": list(self.themes),
                "commitment": self.commitment, "strength": self.strength if self.commitment else None,
                "actor": self.actor if self.commitment else None, "speaker": self.speaker}


class ReviewSession:
    """Sentences of a corpus to review, and the gold file their answers go to.

    Parameters
    ----------
    corpus : a corpus folder, a :class:`~policytext.ingest.Corpus` or a list of documents.
    out : the gold JSONL file (created; an existing one is read and its sentences are not asked again).
    analyzer : the :class:`~policytext.pipeline.Analyzer` whose reading is reviewed (default: the shipped models).
    doc_ids : review only these documents.
    """

    def __init__(self, corpus: Any, out: str | os.PathLike[str], *, analyzer: Any = None,
                 doc_ids: Sequence[str] | None = None) -> None:
        from .ingest import load_corpus
        from .pipeline import Analyzer
        from .taxonomy import load_taxonomy
        from .themes import compile_cues, cue_matrix

        docs = list(load_corpus(corpus) if isinstance(corpus, (str, os.PathLike)) else corpus)
        if doc_ids is not None:
            unknown = sorted(set(doc_ids) - {d.doc_id for d in docs})
            if unknown:
                raise KeyError(f"not in the corpus: {', '.join(unknown)}")
            docs = [d for d in docs if d.doc_id in set(doc_ids)]
        self.out = Path(out)
        self.done: dict[str, dict[str, Any]] = self._read_done()
        analyzer = analyzer or Analyzer()
        taxonomy = load_taxonomy()
        items: list[ReviewItem] = []
        for doc, a in zip(docs, analyzer.analyze_many(docs)):
            actors = {c.segment_id: c.actor for c in a.commitments}
            sections = {s.segment_id: s.section for s in doc.sentences}
            units = [u for u in a.units if not u.is_heading and not u.is_note]
            rows = [k for k, u in enumerate(a.units) if not u.is_heading and not u.is_note]
            patterns = compile_cues(taxonomy) if list(taxonomy.ids) == list(a.themes) else [None] * len(a.themes)
            cues = cue_matrix([u.text for u in units], patterns) > 0 if units else None
            for i, (k, u) in enumerate(zip(rows, units)):
                scores = a.theme_scores[k]
                assigned = [t for t, p, th in zip(a.themes, scores, a.thresholds) if p >= th]
                cue_themes = [t for t, hit in zip(a.themes, cues[i]) if hit] if cues is not None else []
                margins = [abs(_logit(p) - _logit(th)) for p, th in zip(scores, a.thresholds)]
                disagree = [t for t in cue_themes if t not in assigned]
                order = sorted(assigned, key=lambda t: -scores[a.themes.index(t)])
                items.append(ReviewItem(
                    id=f"{doc.doc_id}#{u.segment_id.rsplit(':s', 1)[-1]}", doc_id=doc.doc_id, text=u.text,
                    section=sections.get(u.segment_id, ""), themes=order,
                    theme_scores={t: round(float(p), 3) for t, p in zip(a.themes, scores)}, cue_themes=cue_themes,
                    commitment=u.commitment, strength=u.strength, actor=actors.get(u.segment_id),
                    speaker=u.speaker, margin=-1.0 if disagree else float(min(margins, default=math.inf)),
                    why=(f"a cue names {', '.join(disagree)}, the model did not assign it" if disagree
                         else f"closest theme decision: margin {min(margins, default=0):.2f} (log-odds)"),
                ))
        self.items = sorted(items, key=lambda it: (it.margin, it.doc_id, it.id))
        self.themes = tuple(taxonomy.ids)

    # -- state ----------------------------------------------------------------------------------
    def pending(self) -> list[ReviewItem]:
        """Items not answered yet, least sure first."""
        return [it for it in self.items if it.id not in self.done]

    def next(self) -> ReviewItem | None:
        todo = self.pending()
        return todo[0] if todo else None

    # -- answers --------------------------------------------------------------------------------
    def accept(self, item: ReviewItem) -> dict[str, Any]:
        """The model's reading is right: saved as gold."""
        return self._save(item, item.reading(), "accepted")

    def correct(self, item: ReviewItem, *, themes: Sequence[str] | None = None, commitment: bool | None = None,
                strength: str | None = None, actor: str | None = None, speaker: str | None = None) -> dict[str, Any]:
        """Save the model's reading with the given fields corrected (``None``: as the model read it)."""
        row = item.reading()
        if themes is not None:
            unknown = [t for t in themes if t not in self.themes]
            if unknown:
                raise ValueError(f"unknown theme(s) {', '.join(unknown)}; themes: {', '.join(self.themes)}")
            row["themes"] = list(dict.fromkeys(themes))
        if commitment is not None:
            row["commitment"] = bool(commitment)
        if strength is not None:
            if strength not in STRENGTHS:
                raise ValueError(f"strength must be one of {', '.join(STRENGTHS)}, got {strength!r}")
            row["strength"] = strength
        if actor is not None:
            row["actor"] = actor
        if speaker is not None:
            row["speaker"] = speaker
        if not row["commitment"]:
            row["strength"] = row["actor"] = None
        elif row["strength"] is None:
            raise ValueError(f"{item.id}: a commitment needs a strength ({', '.join(STRENGTHS)})")
        return self._save(item, row, "corrected" if row != item.reading() else "accepted")

    def skip(self, item: ReviewItem) -> None:
        """Leave the sentence for later (not saved, asked again next session)."""
        self.items.remove(item)
        self.items.append(item)

    # -- the file -------------------------------------------------------------------------------
    def _save(self, item: ReviewItem, row: dict[str, Any], review: str) -> dict[str, Any]:
        row = {**row, "review": review}
        self.out.parent.mkdir(parents=True, exist_ok=True)
        with self.out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.done[item.id] = row
        item.gold = row
        return row

    def _read_done(self) -> dict[str, dict[str, Any]]:
        from .evaluate.gold import GoldError

        if not self.out.exists():
            return {}
        done = {}
        for n, line in enumerate(self.out.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                done[str(row["id"])] = row  # a later answer to the same sentence wins
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise GoldError(self.out, f"not a gold line written by a review ({e})", line=n) from None
        return done


def _logit(p: float) -> float:
    p = min(max(float(p), 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


class ReviewWidget:
    """A Jupyter widget over a :class:`ReviewSession`: one sentence at a time, accept or correct with clicks.

    ``widget.box`` is the ipywidgets container (displayed by ``display(widget)`` or as the cell's value).
    Its controls are attributes, so the logic can be driven without a browser (tests do).
    """

    def __init__(self, session: ReviewSession) -> None:
        try:
            import ipywidgets as w
        except ImportError as e:  # pragma: no cover - depends on the install
            from .errors import OptionalDependencyError

            raise OptionalDependencyError("the review widget needs ipywidgets: pip install 'policytext[notebooks]'") from e
        self.session = session
        self.text = w.HTML()
        self.themes = {t: w.Checkbox(description=t, indent=False, layout=w.Layout(width="210px"))
                       for t in session.themes}
        self.commitment = w.Checkbox(description="commitment", indent=False)
        self.strength = w.Dropdown(options=[("—", None)] + [(s, s) for s in STRENGTHS], description="strength")
        self.actor = w.Text(description="actor")
        self.speaker = w.Text(description="speaker")
        self.accept_button = w.Button(description="Accept (model right)", button_style="success")
        self.save_button = w.Button(description="Save correction", button_style="warning")
        self.skip_button = w.Button(description="Skip")
        self.status = w.HTML()
        self.accept_button.on_click(lambda _: self._answer(accept=True))
        self.save_button.on_click(lambda _: self._answer(accept=False))
        self.skip_button.on_click(lambda _: self._skip())
        self.box = w.VBox([
            self.text, w.HBox(list(self.themes.values()), layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.commitment, self.strength]), w.HBox([self.actor, self.speaker]),
            w.HBox([self.accept_button, self.save_button, self.skip_button]), self.status,
        ])
        self.item: ReviewItem | None = None
        self._show(session.next())

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.box)

    def _show(self, item: ReviewItem | None) -> None:
        from html import escape

        self.item = item
        left = len(self.session.pending())
        if item is None:
            self.text.value = f"<b>All done.</b> Answers are in <code>{escape(str(self.session.out))}</code>."
            for b in (self.accept_button, self.save_button, self.skip_button):
                b.disabled = True
            return
        self.text.value = (f"<p><small>{escape(item.doc_id)} · {escape(item.section)} · {left} left · "
                           f"{escape(item.why)}</small></p><blockquote>{escape(item.text)}</blockquote>")
        for t, box in self.themes.items():
            box.value = t in item.themes
        self.commitment.value = item.commitment
        self.strength.value = item.strength if item.commitment else None
        self.actor.value = item.actor or ""
        self.speaker.value = item.speaker or ""

    def _answer(self, *, accept: bool) -> None:
        from html import escape

        item = self.item
        if item is None:
            return
        try:
            if accept:
                row = self.session.accept(item)
            elif self.commitment.value and self.strength.value is None:
                raise ValueError(f"{item.id}: a commitment needs a strength ({', '.join(STRENGTHS)})")
            else:
                row = self.session.correct(
                    item, themes=[t for t, b in self.themes.items() if b.value], commitment=self.commitment.value,
                    strength=self.strength.value, actor=self.actor.value or None, speaker=self.speaker.value or None)
        except ValueError as e:
            self.status.value = f"<span style='color:#a00'>{escape(str(e))}</span>"
            return
        self.status.value = f"saved {escape(item.id)} ({row['review']})"
        self._show(self.session.next())

    def _skip(self) -> None:
        if self.item is not None:
            self.session.skip(self.item)
        self._show(self.session.next())
