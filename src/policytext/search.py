"""Search an analysed corpus: the sentences that say something on a subject, with filters (issue 19, first step).

``search(store, "subsea cables", partner="United States", speaker="joint", commitments=True)`` returns a
DataFrame of sentences ranked by a hybrid of two rankings, fused by reciprocal rank (``1 / (60 + rank)``
summed; RRF needs no calibration between the two scores):

* **lexical**: BM25 (k1 = 1.2, b = 0.75) over the filtered sentences' words — exact terms, names and
  acronyms ("ICRTF", "5G") that a sentence vector blurs;
* **meaning**: the cosine between the query and each sentence's stored vector, the query embedded in the
  sentence's own space (MiniLM, static or USE, told apart by the vector's size) — paraphrases ("undersea
  fibre links" for "subsea cables").

Filters are SQL ``WHERE`` clauses with bound parameters (a query is never pasted into SQL): partner,
theme (the sentence's score at or above the theme's threshold), speaker (``joint``, ``EU``, ``partner`` —
one party alone, not the EU —, or a label such as ``US``), commitments only, strength, date of the
document, language.  Each row says why it matched (the query words it holds, its cosine).
Not yet (issue 19): cross-lingual queries over English text (an English sentence's vector is MiniLM's, a
French query is embedded there too), the strongest-agreed-wording and follow-up views, measured ranking
quality and latency.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

__all__ = ["MAX_QUERY_CHARS", "SearchError", "search"]

#: Longest query accepted (characters).
MAX_QUERY_CHARS = 500
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset("""a an and are as at be by for from has have in is it its of on or that the their this to
was were will with we our us not no""".split())
_STRENGTHS = ("firm", "intent", "soft")
_RRF_K = 60


class SearchError(ValueError):
    """A search that cannot be run as asked (an empty or too long query, an unknown filter value)."""


def _terms(text: str) -> list[str]:
    return [w for w in (m.group(0).casefold() for m in _WORD.finditer(text)) if w not in _STOP]


def search(
    store: Any,
    query: str,
    *,
    partner: str | None = None,
    theme: str | None = None,
    speaker: str | None = None,
    commitments: bool = False,
    strength: str | None = None,
    since: str | None = None,
    lang: str | None = None,
    limit: int = 20,
    mode: str = "hybrid",
    embedders: dict[int, Any] | None = None,
):
    """Sentences of ``store`` (a :class:`~policytext.store.Store` or its path) that match ``query``.

    Returns a DataFrame, best first: ``rank``, ``score`` (the fused reciprocal-rank score), ``sentence``,
    ``doc_id``, ``idx`` (the sentence's index in its document), ``title``, ``date``, ``partner``,
    ``anchor`` (``doc, p. N, para. M``), ``speaker``,
    ``themes`` (assigned), ``commitment``, ``strength``, ``why``.  An empty frame when nothing matches.
    ``mode``: ``"hybrid"``, ``"lexical"`` or ``"embedding"`` (the baselines of the two halves).
    ``embedders``: vector size -> embedder of that space (default: MiniLM 384, static 256, USE 512).
    """
    import pandas as pd

    from .store import Store

    if not isinstance(query, str) or not query.strip():
        raise SearchError("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"the query has {len(query)} characters; at most {MAX_QUERY_CHARS}")
    if mode not in ("hybrid", "lexical", "embedding"):
        raise SearchError(f"mode must be hybrid, lexical or embedding, got {mode!r}")
    if not 1 <= int(limit) <= 1000:
        raise SearchError(f"limit must be between 1 and 1000, got {limit}")
    if strength is not None and strength not in _STRENGTHS:
        raise SearchError(f"strength must be one of {', '.join(_STRENGTHS)}, got {strength!r}")
    if since is not None:
        try:
            date.fromisoformat(since)
        except ValueError:
            raise SearchError(f"since must be a date as YYYY-MM-DD, got {since!r}") from None
    own = not isinstance(store, Store)
    db = Store(store, read_only=True) if own else store
    try:
        if theme is not None:
            known = {t for (t,) in db.con.execute("SELECT DISTINCT unnest(themes) FROM analyses").fetchall()}
            if known and theme not in known:
                raise SearchError(f"unknown theme {theme!r}; the store's themes: {', '.join(sorted(known))}")
        rows = _candidates(db, partner=partner, theme=theme, speaker=speaker, commitments=commitments,
                           strength=strength, since=since, lang=lang)
    finally:
        if own:
            db.close()
    columns = ["rank", "score", "sentence", "doc_id", "idx", "title", "date", "partner", "anchor", "speaker",
               "themes", "commitment", "strength", "why"]
    if not rows:
        return pd.DataFrame(columns=columns)
    q_terms = _terms(query)
    lexical = _bm25(q_terms, [_terms(r["text"]) for r in rows]) if mode != "embedding" else np.zeros(len(rows))
    cosine = (_cosines(query, rows, embedders or {}) if mode != "lexical" else np.zeros(len(rows)))
    fused = np.zeros(len(rows))
    if mode != "embedding":
        fused += _rrf(lexical, keep=lexical > 0)
    if mode != "lexical":
        fused += _rrf(cosine, keep=np.ones(len(rows), dtype=bool))
    order = sorted((i for i in range(len(rows)) if fused[i] > 0),
                   key=lambda i: (-fused[i], rows[i]["doc_id"], rows[i]["idx"]))[: int(limit)]
    out = []
    for rank, i in enumerate(order, start=1):
        r = rows[i]
        words = sorted(set(q_terms) & set(_terms(r["text"])))
        why = "; ".join(filter(None, [f"words: {', '.join(words)}" if words and mode != "embedding" else "",
                                      f"meaning: cosine {cosine[i]:.2f}" if mode != "lexical" else ""]))
        where = ", ".join(filter(None, [r["doc_id"], f"p. {r['page']}" if r["page"] else "",
                                        f"para. {r['paragraph'] + 1}" if r["paragraph"] is not None else ""]))
        out.append({"rank": rank, "score": round(float(fused[i]), 6), "sentence": r["text"], "doc_id": r["doc_id"],
                    "idx": int(r["idx"]), "title": r["title"], "date": r["date"], "partner": r["partner"],
                    "anchor": where,
                    "speaker": r["speaker"], "themes": r["themes"], "commitment": bool(r["commitment"]),
                    "strength": r["strength"], "why": why})
    return pd.DataFrame(out, columns=columns)


def _candidates(db: Any, **f: Any) -> list[dict[str, Any]]:
    """The sentences passing the filters (one SQL query, every value a bound parameter)."""
    where, params = ["NOT coalesce(s.is_heading, false)", "NOT coalesce(s.is_note, false)"], []
    if f["partner"]:
        where.append("lower(trim(d.partner)) = lower(trim(?))")
        params.append(f["partner"])
    if f["theme"]:
        where.append("list_position(a.themes, ?) IS NOT NULL")
        where.append("s.theme_scores[list_position(a.themes, ?)] >= a.thresholds[list_position(a.themes, ?)]")
        params += [f["theme"]] * 3
    sp = f["speaker"]
    if sp:
        if sp.lower() == "partner":  # one party alone, not the EU
            where.append("s.speaker NOT IN ('joint', 'EU', 'none', 'other', '') AND strpos(s.speaker, '+') = 0")
        else:
            where.append("lower(s.speaker) = lower(?)")
            params.append(sp)
    if f["commitments"] or f["strength"]:
        where.append("s.commitment")
    if f["strength"]:
        where.append("s.strength = ?")
        params.append(f["strength"])
    if f["since"]:
        where.append("try_cast(d.date AS DATE) >= CAST(? AS DATE)")
        params.append(f["since"])
    if f["lang"]:
        where.append("lower(coalesce(a.language, d.language)) LIKE lower(?) || '%'")
        params.append(f["lang"])
    sql = f"""
        WITH a AS (
            SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY doc_key ORDER BY created_at DESC) AS rn
                           FROM analyses) WHERE rn = 1),
        d AS (SELECT DISTINCT ON (doc_key) * FROM documents ORDER BY doc_key, recorded_at DESC)
        SELECT s.doc_id, s.idx, s.text, s.page, s.paragraph, coalesce(s.speaker, '') AS speaker, s.commitment,
               s.strength, s.embedding, s.theme_scores, a.themes AS theme_ids, a.thresholds, d.title, d.date,
               d.partner
        FROM sentences s JOIN a ON s.doc_key = a.doc_key AND s.analysis_fp = a.analysis_fp
        JOIN d ON s.doc_key = d.doc_key
        WHERE {' AND '.join(where)}
        ORDER BY s.doc_id, s.idx"""
    cur = db.con.execute(sql, params)
    names = [c[0] for c in cur.description]
    rows = [dict(zip(names, values)) for values in cur.fetchall()]
    for r in rows:
        scores, ids, thr = r.pop("theme_scores") or [], r.pop("theme_ids") or [], r.pop("thresholds") or []
        r["themes"] = [t for t, s, h in zip(ids, scores, thr) if s is not None and s >= h]
    return rows


def _bm25(query: Sequence[str], docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    """BM25 of each tokenised sentence for the query terms (idf over these sentences)."""
    n = len(docs)
    if not n or not query:
        return np.zeros(n)
    avg = sum(len(d) for d in docs) / n or 1.0
    df = Counter(t for d in docs for t in set(d))
    out = np.zeros(n)
    for i, d in enumerate(docs):
        tf = Counter(d)
        for t in set(query):
            if tf[t]:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                out[i] += idf * tf[t] * (k1 + 1) / (tf[t] + k1 * (1 - b + b * len(d) / avg))
    return out


def _cosines(query: str, rows: Sequence[dict[str, Any]], embedders: dict[int, Any]) -> np.ndarray:
    """Cosine of the query with each sentence's stored vector, the query embedded in that vector's space."""
    out = np.zeros(len(rows))
    by_dim: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        if r["embedding"] is not None:
            by_dim.setdefault(len(r["embedding"]), []).append(i)
    for dim, idx in by_dim.items():
        emb = embedders.get(dim) or _embedder_for(dim)
        q = np.asarray(emb.encode([query]), dtype=np.float32)[0]
        m = np.asarray([rows[i]["embedding"] for i in idx], dtype=np.float32)
        out[idx] = m @ q
    return out


def _embedder_for(dim: int) -> Any:
    from .embed import Embedder, MultilingualEmbedder, StaticEmbedder

    if dim == 384:
        return Embedder()
    if dim == 256:
        return StaticEmbedder()
    if dim == 512:
        return MultilingualEmbedder()
    raise SearchError(f"the store holds {dim}-dimensional sentence vectors of an embedding policytext does not know")


def _rrf(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Reciprocal-rank scores ``1 / (60 + rank)`` of ``values`` (descending), 0 where not ``keep``."""
    out = np.zeros(len(values))
    order = sorted(np.flatnonzero(keep), key=lambda i: (-values[i], i))
    for rank, i in enumerate(order, start=1):
        out[i] = 1.0 / (_RRF_K + rank)
    return out

