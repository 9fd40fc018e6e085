"""How well analysis carries across languages: translations scored beside their English originals.

:func:`evaluate_translations` aligns each translated document and its English
original with the EU reference, both with the multilingual backend (so the
two scores live in one embedding space and are comparable), and reports per
language:

* the mean absolute difference of the theme scores (0-100);
* the share of themes whose translated score lies inside the English score's
  90% interval;
* Spearman's rho of the translated and of the English scores with the dev
  alignment gold of the original (the gold of an original applies to its
  translation);
* for languages with commitment rules (French), the commitments found in the
  translation against those found in the original, matched sentence by
  sentence within each paragraph, and the share of matched ones with the
  same strength.

Honesty: the multilingual theme model was trained on the dev gold sentences,
which include sentences of the originals.  With ``mode="auto"`` each
original/translation pair is scored with a theme model refitted without that
document's sentences (leave-one-document-out), as :func:`~policytext.evaluate.evaluate_alignment` does.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .gold import gold_contexts, label_matrix, read_alignment_gold, training_rows
from .metrics import spearman
from ..formatting import metric
from ..records import Commitment, Document

__all__ = ["TranslationEvaluation", "evaluate_translations", "match_commitments"]


@dataclass
class TranslationEvaluation:
    """The outcome of :func:`evaluate_translations`.

    Attributes
    ----------
    rows : per translation a dict: ``doc_id``, ``original``, ``language``, ``n_themes``,
        ``mad`` (mean absolute score difference), ``inside`` (share of translated
        scores inside the English interval), ``rho_translation``, ``rho_english``,
        ``commitments`` (``None`` where not extracted) and ``themes`` (per theme:
        English score, interval, translated score, gold).
    method : how the scores were made.
    notes : remarks (documents missing, languages without commitment rules...).
    """

    rows: list[dict[str, Any]]
    method: str
    notes: list[str] = field(default_factory=list)

    def format(self) -> str:
        lines = [f"Method: {self.method}"] + [f"note: {n}" for n in self.notes]
        lines.append(f"{'translation':<28}{'lang':>5}{'themes':>7}{'MAD':>7}{'inside':>8}{'rho tr':>8}{'rho en':>8}"
                     f"{'d rho':>7}")
        for r in self.rows:
            d = None if r["rho_translation"] is None or r["rho_english"] is None else \
                r["rho_translation"] - r["rho_english"]
            lines.append(f"{r['doc_id']:<28}{r['language']:>5}{r['n_themes']:>7}{r['mad']:>7.1f}"
                         f"{r['inside']:>8.0%}{metric(r['rho_translation']):>8}{metric(r['rho_english']):>8}{metric(d):>7}")
        for r in self.rows:
            c = r["commitments"]
            if c is None:
                continue
            lines.append(f"commitments {r['doc_id']}: {c['translation']} found vs {c['english']} in the English "
                         f"original ({c['ratio']:.0%}); {c['matched']} matched, same strength on "
                         f"{c['same_strength']} ({c['same_strength_share']:.0%})")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "notes": self.notes, "rows": self.rows}


def match_commitments(english: Document, english_c: Sequence[Commitment], translated: Document,
                      translated_c: Sequence[Commitment]) -> dict[str, Any]:
    """Match commitments of a translation to its original's: same paragraph, same sentence rank in it.

    Where a paragraph was split into a different number of sentences, its
    commitments are matched in order instead.
    """
    def keyed(doc: Document, found: Sequence[Commitment]) -> dict[int, list[tuple[int, Commitment]]]:
        rank = {}
        for p in doc.paragraphs:
            for i, s in enumerate(x for x in doc.sentences if x.paragraph == p.paragraph):
                rank[s.segment_id] = i
        out: dict[int, list[tuple[int, Commitment]]] = {}
        for c in found:
            out.setdefault(c.paragraph, []).append((rank.get(c.segment_id, -1), c))
        return out

    def counts(doc: Document) -> dict[int, int]:
        out: dict[int, int] = {}
        for s in doc.sentences:
            out[s.paragraph] = out.get(s.paragraph, 0) + 1
        return out

    en, tr = keyed(english, english_c), keyed(translated, translated_c)
    n_en, n_tr = counts(english), counts(translated)
    pairs: list[tuple[Commitment, Commitment]] = []
    for par, items in en.items():
        other = tr.get(par, [])
        if n_en.get(par) == n_tr.get(par):
            by_rank = dict(other)
            pairs += [(c, by_rank[r]) for r, c in items if r in by_rank]
        else:
            pairs += [(a, b) for (_, a), (_, b) in zip(items, other)]
    same = sum(a.strength == b.strength for a, b in pairs)
    return {
        "english": len(english_c), "translation": len(translated_c),
        "ratio": len(translated_c) / len(english_c) if english_c else float("nan"),
        "matched": len(pairs), "same_strength": same,
        "same_strength_share": same / len(pairs) if pairs else float("nan"),
        "negation_agree": sum(a.negated == b.negated for a, b in pairs),
    }


def evaluate_translations(
    corpus_dir: str | os.PathLike[str],
    translations_dir: str | os.PathLike[str],
    gold_path: str | os.PathLike[str],
    eu_ids: Sequence[str],
    *,
    training_gold: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    mode: str = "auto",
    config: Any = None,
) -> TranslationEvaluation:
    """Score each translation and its English original against the EU reference, multilingual backend.

    Parameters
    ----------
    corpus_dir : the corpus holding the originals and the EU reference.
    translations_dir : a corpus folder of translations (ids: the original's id
        plus a language suffix, ``us-kr-cet-2023.fr``).
    gold_path : ``alignment.csv`` of the originals.
    eu_ids : ids (in ``corpus_dir``) or files of the EU reference.
    training_gold : the gold sentence file(s) the multilingual theme model was
        trained on (default: the files its metadata names, beside ``gold_path``), for the leave-one-document-out refits.
    mode : ``"auto"`` (refit without the document where the model saw it) or
        ``"model"`` (the shipped model as is: optimistic).
    config : :class:`~policytext.alignment.AlignConfig`.
    """
    from sklearn.base import clone

    from ..ingest import load_corpus, read_document
    from ..pipeline import Analyzer

    if mode not in ("auto", "model"):
        raise ValueError(f"mode must be 'auto' or 'model', got {mode!r}")
    gold = read_alignment_gold(gold_path)
    corpus, translations = load_corpus(corpus_dir), load_corpus(translations_dir)
    eu_docs = [corpus[i] if i in corpus else read_document(i) for i in eu_ids]
    base = Analyzer(backend="multilingual")
    embedder, clf = base.stages("multilingual")
    trained = getattr(clf, "model_meta_", {}).get("training_data", {})
    trained_docs = {i.split("#")[0] for i in trained.get("ids", [])}
    notes: list[str] = []
    train_rows: list[dict[str, Any]] = []
    if mode == "auto":
        train_rows = training_rows(clf.model_meta_, training_gold, gold_path, "the multilingual theme model")
        train_ctx, _ = gold_contexts(train_rows, corpus_dir)
        Y = label_matrix(train_rows, [str(c) for c in clf.classes_])
        method = ("multilingual backend (USE multilingual v3, theme model with cues in en/fr/es/de/ja) for "
                  "originals and translations; leave-one-document-out: each pair scored with a theme model "
                  "refitted without the original's gold sentences")
    else:
        method = "multilingual backend, theme model as is (trained on these originals: optimistic)"

    rows = []
    for t in translations:
        original_id = t.doc_id.rsplit(".", 1)[0]
        if original_id not in corpus:
            notes.append(f"{t.doc_id}: original {original_id!r} not in the corpus, skipped")
            continue
        original = corpus[original_id]
        analyzer = base
        if mode == "auto" and original_id in trained_docs:
            keep = [i for i, r in enumerate(train_rows) if r["doc_id"] != original_id]
            fold = clone(clf).set_params(embedder=embedder)
            fold.fit([train_rows[i]["text"] for i in keep], Y[keep], context=[train_ctx[i] for i in keep],
                     groups=[train_rows[i]["doc_id"] for i in keep])
            analyzer = base.with_classifier(fold)  # bound to the multilingual backend: its embedder is USE
        route = "multilingual"
        en = analyzer.align(eu_docs, [original], config=config, backend=route)
        tr = analyzer.align(eu_docs, [t], config=config, backend=route)
        g = {r["theme"]: r["gold"] for r in gold if r["doc_id"] == original_id and r["gold"] is not None}
        themes = []
        for a, b in zip(en.themes, tr.themes):
            if a.score is None or b.score is None:
                continue
            themes.append({"theme": a.theme, "english": a.score, "low": a.low, "high": a.high,
                           "translation": b.score, "gold": g.get(a.theme)})
        with_gold = [x for x in themes if x["gold"] is not None]
        # a gold-rated theme the EU reference does not address in our reading scores 0, as in evaluate_alignment
        missing = [th for th in g if th not in {x["theme"] for x in themes}]
        gold_vals = [x["gold"] for x in with_gold] + [g[th] for th in missing]
        rho_tr = spearman(gold_vals, [x["translation"] for x in with_gold] + [0.0] * len(missing))
        rho_en = spearman(gold_vals, [x["english"] for x in with_gold] + [0.0] * len(missing))
        diffs = np.array([abs(x["translation"] - x["english"]) for x in themes])
        inside = np.array([x["low"] - 1e-9 <= x["translation"] <= x["high"] + 1e-9 for x in themes])
        commitments = None
        analysed_tr = analyzer.analyze(t, backend=route)
        if t.meta.language.split("-")[0] in ("en", "fr"):
            analysed_en = analyzer.analyze(original, backend=route)
            commitments = match_commitments(original, analysed_en.commitments, t, analysed_tr.commitments)
        else:
            notes.extend(analysed_tr.notes)
        rows.append({
            "doc_id": t.doc_id, "original": original_id, "language": t.meta.language, "n_themes": len(themes),
            "mad": float(diffs.mean()) if len(diffs) else float("nan"),
            "inside": float(inside.mean()) if len(inside) else float("nan"),
            "rho_translation": rho_tr, "rho_english": rho_en, "n_gold": len(gold_vals),
            "commitments": commitments, "themes": themes,
            "models": {"english": en.models.get("embedding", {}).get("name"),
                       "translation": tr.models.get("embedding", {}).get("name")},
        })
    return TranslationEvaluation(rows=rows, method=method, notes=notes)
