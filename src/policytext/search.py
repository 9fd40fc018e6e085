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

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

__all__ = ["MAX_QUERY_CHARS", "SearchError", "agreed_wording", "build_multilingual_index", "search", "show"]

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
    query_lang: str | None = None,
    embedders: dict[int, Any] | None = None,
):
    """Sentences of ``store`` (a :class:`~policytext.store.Store` or its path) that match ``query``.

    Returns a DataFrame, best first: ``rank``, ``score`` (the fused reciprocal-rank score), ``sentence``,
    ``doc_id``, ``idx`` (the sentence's index in its document), ``title``, ``date``, ``partner``,
    ``anchor`` (``doc, p. N, para. M``), ``speaker``,
    ``themes`` (assigned), ``commitment``, ``strength``, ``cosine`` (of the query; NaN in lexical mode), ``why``,
    ``before`` and ``after`` (the neighbouring sentences: the passage in context).  In a notebook,
    :func:`show` renders it with the query's words highlighted.  An empty frame when nothing matches.
    ``mode``: ``"hybrid"``, ``"lexical"`` or ``"embedding"`` (the baselines of the two halves).
    ``query_lang``: the query's language (``"fr"``...); ``None`` guesses it (a guess under 80% confidence is
    English: short queries are hard to tell).  A query in another language than English is embedded with
    the multilingual model (USE) and compared with every sentence's multilingual vector: its own for a
    document analysed on the multilingual backend, the store's multilingual index for the others
    (:func:`build_multilingual_index`, ``policytext index``); without that index such a query is refused
    (a MiniLM vector does not understand French), never answered from English vectors.
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
        base, params = _candidates(partner=partner, theme=theme, speaker=speaker, commitments=commitments,
                                   strength=strength, since=since, lang=lang)
        q_terms = _terms(query)
        depth = max(_DEPTH, 5 * int(limit))
        qvec = _QueryVectors(query, embedders or {})
        qlang = _query_language(query, query_lang)
        if mode == "embedding":
            lexical = []
        elif qlang == "en":
            lexical = _lexical(db, base, params, q_terms, depth)
        elif lang is not None and not lang.lower().startswith(qlang):
            lexical = []  # documents of another language than the query's: its words are no evidence there
        else:  # a French query's words are matched in French documents only ("de", "la" are not English words)
            lexical = _lexical(db, *_candidates(partner=partner, theme=theme, speaker=speaker, commitments=commitments,
                                                strength=strength, since=since, lang=qlang), q_terms, depth)
        if mode == "lexical":
            meaning = []
        elif qlang != "en":
            meaning = _meaning_multilingual(db, base, params, qvec, depth, qlang)
        else:
            meaning = _meaning(db, base, params, qvec, depth)
        # reciprocal-rank fusion of the two rankings; ties by document id and sentence index
        fused: dict[tuple[str, int], float] = {}
        doc_ids: dict[tuple[str, int], str] = {}
        for ranking in (lexical, meaning):
            for rank, (key, (_, doc_id)) in enumerate(ranking, start=1):
                fused[key] = fused.get(key, 0.0) + 1.0 / (_RRF_K + rank)
                doc_ids[key] = doc_id
        chosen = sorted(fused, key=lambda k: (-fused[k], doc_ids[k], k[1], k[0]))[: int(limit)]
        rows = _details(db, base, params, chosen)
        context = _context(db, chosen)
    finally:
        if own:
            db.close()
    columns = ["rank", "score", "sentence", "doc_id", "idx", "title", "date", "partner", "anchor", "speaker",
               "themes", "commitment", "strength", "cosine", "why", "before", "after"]
    cosines = {key: score for key, (score, _) in meaning}
    out = []
    for rank, key in enumerate(chosen, start=1):
        r = rows[key]
        words = sorted(set(q_terms) & set(_terms(r["text"])))
        cosine = cosines.get(key)
        if cosine is None and mode != "lexical":  # found by its words alone: its cosine, for the reader
            cosine = qvec.cosine(r["embedding"]) if qlang == "en" else None  # not among the multilingual best
        why = "; ".join(filter(None, [f"words: {', '.join(words)}" if words and mode != "embedding" else "",
                                      f"meaning: cosine {cosine:.2f}" if cosine is not None else ""]))
        where = ", ".join(filter(None, [r["doc_id"], f"p. {r['page']}" if r["page"] else "",
                                        f"para. {r['paragraph'] + 1}" if r["paragraph"] is not None else ""]))
        out.append({"rank": rank, "score": round(fused[key], 6), "sentence": r["text"], "doc_id": r["doc_id"],
                    "idx": int(r["idx"]), "title": r["title"], "date": r["date"], "partner": r["partner"],
                    "anchor": where, "speaker": r["speaker"], "themes": r["themes"],
                    "commitment": bool(r["commitment"]), "strength": r["strength"],
                    "cosine": round(float(cosine), 6) if cosine is not None else float("nan"), "why": why,
                    "before": context.get((key[0], key[1] - 1), ""), "after": context.get((key[0], key[1] + 1), "")})
    found = pd.DataFrame(out, columns=columns)
    found.attrs["query"] = query  # for show(): the words to highlight
    return found


#: How deep each ranking goes before fusion (at least; 5 x the limit when that is more).  A sentence below
#: rank 200 in both rankings scores under 2/260 and never reaches a result's top.
_DEPTH = 200
_TOKENS = r"regexp_extract_all(lower(c.text), '[\p{L}\p{N}]+')"


def _candidates(**f: Any) -> tuple[str, list[Any]]:
    """The SQL of the sentences passing the filters (CTE ``c``) and its bound parameters."""
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
        d AS (SELECT DISTINCT ON (doc_key) * FROM documents ORDER BY doc_key, recorded_at DESC),
        c AS (
            SELECT s.doc_key, s.analysis_fp, s.doc_id, s.idx, s.text, s.page, s.paragraph, coalesce(s.speaker, '') AS speaker,
                   s.commitment, s.strength, s.embedding, s.theme_scores, a.themes AS theme_ids, a.thresholds,
                   d.title, d.date, d.partner
            FROM sentences s JOIN a ON s.doc_key = a.doc_key AND s.analysis_fp = a.analysis_fp
            JOIN d ON s.doc_key = d.doc_key
            WHERE {' AND '.join(where)})"""
    return sql, params


def _word_index(db: Any) -> None:
    """Build, once per connection, the word index lexical ranking reads: each stored sentence's words (stop
    words out) as postings ``(sentence, term, count)`` and its length, in temporary tables of the
    connection (the store itself is not written; a read-only store is indexed too).  Rebuilt when the
    store's sentences changed.  Tokenising 100,000 sentences takes about 1.5 s; a query then reads the
    postings of its own words only."""
    sig = "|".join(str(x) for x in db.con.execute(
        "SELECT (SELECT count(*) FROM sentences), (SELECT max(created_at) FROM analyses)").fetchone())
    try:
        if db.con.execute("SELECT sig FROM _pt_meta").fetchone()[0] == sig:
            return
    except Exception:  # noqa: BLE001 - not built yet on this connection (DuckDB's CatalogException)
        pass
    db.con.execute(f"""CREATE OR REPLACE TEMP TABLE _pt_tokens AS
        SELECT doc_key, analysis_fp, idx,
               list_filter({_TOKENS.replace("c.text", "text")}, lambda x: NOT list_contains(?, x)) AS toks
        FROM sentences""", [sorted(_STOP)])
    db.con.execute("CREATE OR REPLACE TEMP TABLE _pt_lengths AS "
                   "SELECT doc_key, analysis_fp, idx, len(toks) AS dl FROM _pt_tokens")
    db.con.execute("CREATE OR REPLACE TEMP TABLE _pt_postings AS "
                   "SELECT term, doc_key, analysis_fp, idx, count(*) AS f "
                   "FROM (SELECT doc_key, analysis_fp, idx, unnest(toks) AS term FROM _pt_tokens) GROUP BY ALL")
    db.con.execute("DROP TABLE _pt_tokens")
    db.con.execute("CREATE OR REPLACE TEMP TABLE _pt_meta AS SELECT ? AS sig", [sig])


def _lexical(db: Any, base: str, params: list[Any], terms: Sequence[str], depth: int
             ) -> list[tuple[tuple[str, int], tuple[float, str]]]:
    """BM25 (k1 1.2, b 0.75; idf and mean length over the filtered sentences) from the word index: the
    ``depth`` best, best first."""
    terms = sorted(set(terms))
    if not terms:
        return []
    _word_index(db)
    sql = f"""{base},
        n AS (SELECT c.doc_key, c.doc_id, c.idx, c.analysis_fp, l.dl FROM c JOIN _pt_lengths l
              ON l.doc_key = c.doc_key AND l.analysis_fp = c.analysis_fp AND l.idx = c.idx),
        stats AS (SELECT count(*) AS n, coalesce(nullif(avg(dl), 0), 1) AS avgdl FROM n),
        tf AS (SELECT n.doc_key, n.doc_id, n.idx, n.dl, p.term, p.f FROM n JOIN _pt_postings p
               ON p.doc_key = n.doc_key AND p.analysis_fp = n.analysis_fp AND p.idx = n.idx
               WHERE p.term IN (SELECT unnest(?::VARCHAR[]))),
        df AS (SELECT term, count(*) AS df FROM tf GROUP BY term)
        SELECT doc_key, idx, doc_id,
               round(sum(ln(1 + (stats.n - df.df + 0.5) / (df.df + 0.5)) * f * 2.2
                         / (f + 1.2 * (0.25 + 0.75 * dl / stats.avgdl))), 9) AS score
        FROM tf JOIN df USING (term), stats
        GROUP BY doc_key, idx, doc_id ORDER BY score DESC, doc_id, idx, doc_key LIMIT ?"""
    rows = db.con.execute(sql, [*params, terms, depth]).fetchall()
    return [((k, int(i)), (float(score), doc_id)) for k, i, doc_id, score in rows]


def _meaning(db: Any, base: str, params: list[Any], qvec: _QueryVectors, depth: int
             ) -> list[tuple[tuple[str, int], tuple[float, str]]]:
    """Cosine of the query with each sentence's stored vector, the query embedded in that vector's space
    (one query per space), rounded to 6 decimals so that the order is the same on every CPU."""
    dims = [int(d) for (d,) in db.con.execute(f"{base} SELECT DISTINCT len(embedding) FROM c "
                                              "WHERE embedding IS NOT NULL ORDER BY 1", params).fetchall()]
    found = []
    for dim in dims:
        rows = db.con.execute(
            f"{base} SELECT doc_key, idx, doc_id, round(list_cosine_similarity(embedding, ?::FLOAT[]), 6) AS score "
            "FROM c WHERE len(embedding) = ? ORDER BY score DESC, doc_id, idx, doc_key LIMIT ?",
            [*params, [float(x) for x in qvec[dim]], dim, depth]).fetchall()
        found += [((k, int(i)), (float(score), doc_id)) for k, i, doc_id, score in rows]
    found.sort(key=lambda x: (-x[1][0], x[1][1], x[0][1], x[0][0]))
    return found[:depth]


#: Below this confidence a query's guessed language is taken to be English (py3langid on a few words).
QUERY_LANG_CONFIDENCE = 0.8
_USE_DIM = 512


def _query_language(query: str, given: str | None) -> str:
    from .embed import USE_LANGUAGES
    from .ingest.language import base_language, detect_language

    if given:
        lang = base_language(given)
        if lang not in USE_LANGUAGES:
            raise SearchError(f"query_lang {given!r}: the multilingual model reads {', '.join(sorted(USE_LANGUAGES))}")
        return lang
    lang, confidence = detect_language(query)
    lang = base_language(lang) if lang else "en"
    return lang if confidence >= QUERY_LANG_CONFIDENCE and lang in USE_LANGUAGES else "en"


def _meaning_multilingual(db: Any, base: str, params: list[Any], qvec: _QueryVectors, depth: int, lang: str
                          ) -> list[tuple[tuple[str, int], tuple[float, str]]]:
    """Cosine of a non-English query (USE) with each sentence's multilingual vector: its stored one when the
    document was analysed with USE, else the store's multilingual index."""
    has_index = bool(db.con.execute("SELECT count(*) FROM information_schema.tables "
                                    "WHERE table_name = 'search_vectors'").fetchone()[0])
    join = ("LEFT JOIN search_vectors v ON v.doc_key = c.doc_key AND v.analysis_fp = c.analysis_fp "
            "AND v.idx = c.idx" if has_index else "")
    vector = ("CASE WHEN len(c.embedding) = 512 THEN c.embedding ELSE v.embedding END" if has_index
              else "CASE WHEN len(c.embedding) = 512 THEN c.embedding END")
    missing = db.con.execute(f"{base} SELECT count(*) FROM c {join} WHERE ({vector}) IS NULL", params).fetchone()[0]
    if missing:
        raise SearchError(
            f"a query in {lang!r} is compared with the sentences' multilingual vectors, and {missing} sentence(s) "
            "of this search have none (analysed in English): build the store's multilingual index once with "
            "`policytext index --store STORE` (policytext.search.build_multilingual_index), or pass "
            "query_lang='en' (--query-lang en) if the query is English")
    rows = db.con.execute(
        f"{base} SELECT c.doc_key, c.idx, c.doc_id, round(list_cosine_similarity({vector}, ?::FLOAT[]), 6) AS score "
        f"FROM c {join} ORDER BY score DESC, c.doc_id, c.idx, c.doc_key LIMIT ?",
        [*params, [float(x) for x in qvec[_USE_DIM]], depth]).fetchall()
    return [((k, int(i)), (float(score), doc_id)) for k, i, doc_id, score in rows]


def build_multilingual_index(store: Any, *, batch: int = 256, progress: Any = None) -> int:
    """Give every stored sentence a multilingual (USE) vector, for queries in any of its 16 languages.

    Documents analysed on the multilingual backend have one already; the others (English, MiniLM) get
    theirs in the ``search_vectors`` table.  Incremental (only sentences without one are embedded,
    committed every ``batch``: an interrupted build resumes) and idempotent.  About 260 sentences/s on one
    core.  Returns the number of sentences embedded.
    """
    from .embed import MultilingualEmbedder
    from .store import Store

    own = not isinstance(store, Store)
    db = Store(store) if own else store
    try:
        db.con.execute("CREATE TABLE IF NOT EXISTS search_vectors (doc_key VARCHAR, analysis_fp VARCHAR, "
                       "idx INTEGER, embedding FLOAT[])")
        todo = db.con.execute(
            "SELECT s.doc_key, s.analysis_fp, s.idx, s.text FROM sentences s "
            "LEFT JOIN search_vectors v ON v.doc_key = s.doc_key AND v.analysis_fp = s.analysis_fp AND v.idx = s.idx "
            "WHERE v.doc_key IS NULL AND (s.embedding IS NULL OR len(s.embedding) <> 512) "
            "ORDER BY s.doc_key, s.analysis_fp, s.idx").fetchall()
        if not todo:
            return 0
        embedder = MultilingualEmbedder()
        for start in range(0, len(todo), batch):
            chunk = todo[start:start + batch]
            vectors = np.asarray(embedder.encode([t for *_, t in chunk]), dtype=np.float32)
            db.con.execute("BEGIN TRANSACTION")
            db.con.executemany("INSERT INTO search_vectors VALUES (?, ?, ?, ?)",
                               [(k, fp, i, [float(x) for x in v]) for (k, fp, i, _), v in zip(chunk, vectors)])
            db.con.execute("COMMIT")
            if progress is not None:
                progress(min(start + batch, len(todo)), len(todo))
        return len(todo)
    finally:
        if own:
            db.close()


class _QueryVectors:
    """The query embedded in each space it is asked for, once (the embedder of a space loads on first use)."""

    def __init__(self, query: str, embedders: dict[int, Any]) -> None:
        self.query, self.embedders, self._done = query, embedders, {}

    def __getitem__(self, dim: int) -> np.ndarray:
        if dim not in self._done:
            emb = self.embedders.get(dim) or _embedder_for(dim)
            self._done[dim] = np.asarray(emb.encode([self.query]), dtype=np.float32)[0]
        return self._done[dim]

    def cosine(self, vector: Sequence[float] | None) -> float:
        if vector is None:
            return 0.0
        v, q = np.asarray(vector, dtype=np.float64), self[len(vector)].astype(np.float64)
        return float(v @ q / max(np.linalg.norm(v) * np.linalg.norm(q), 1e-12))


def _context(db: Any, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The sentences just before and after each chosen one (same analysis), keyed by (doc_key, idx)."""
    if not keys:
        return {}
    rows = db.con.execute(
        "WITH a AS (SELECT * FROM (SELECT doc_key, analysis_fp, row_number() OVER (PARTITION BY doc_key "
        "ORDER BY created_at DESC) AS rn FROM analyses) WHERE rn = 1), "
        "k AS (SELECT unnest(?::VARCHAR[]) AS doc_key, unnest(?::INTEGER[]) AS idx) "
        "SELECT s.doc_key, s.idx, s.text FROM sentences s JOIN a ON s.doc_key = a.doc_key AND s.analysis_fp = "
        "a.analysis_fp JOIN k ON s.doc_key = k.doc_key AND s.idx IN (k.idx - 1, k.idx + 1)",
        [[k for k, _ in keys], [i for _, i in keys]]).fetchall()
    return {(k, int(i)): t for k, i, t in rows}


def _details(db: Any, base: str, params: list[Any], keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], dict]:
    """The chosen sentences' text, anchor, speaker and assigned themes."""
    if not keys:
        return {}
    cur = db.con.execute(
        f"{base} SELECT c.* FROM c JOIN (SELECT unnest(?::VARCHAR[]) AS doc_key, unnest(?::INTEGER[]) AS idx) k "
        "USING (doc_key, idx)", [*params, [k for k, _ in keys], [i for _, i in keys]])
    names = [c[0] for c in cur.description]
    out = {}
    for values in cur.fetchall():
        r = dict(zip(names, values))
        scores, ids, thr = r.pop("theme_scores") or [], r.pop("theme_ids") or [], r.pop("thresholds") or []
        r["themes"] = [t for t, s, h in zip(ids, scores, thr) if s is not None and s >= h]
        out[(r["doc_key"], int(r["idx"]))] = r
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




# --------------------------------------------------------------------------- strongest agreed wording

#: Firmness order of agreed wording: firm before intent before soft.
_FIRMNESS = {"firm": 3, "intent": 2, "soft": 1}
#: A result is on the subject when its cosine with it is at least ON_SUBJECT, or at least
#: ON_SUBJECT_WITH_WORDS with two thirds of the subject's words in it (plurals folded): the hybrid ranking
#: always returns something; this gate does not.
ON_SUBJECT, ON_SUBJECT_WITH_WORDS = 0.5, 0.4
#: Two sentences of successive statements phrase the same undertaking when their cosine is at least this and
#: they share two specific terms (the rule of the follow-up tracker and of the evidence pairs).
SAME_UNDERTAKING = 0.6


def agreed_wording(
    store: Any,
    subject: str,
    *,
    partner: str,
    limit: int = 10,
    with_eu: bool = True,
    embedders: dict[int, Any] | None = None,
):
    """The firmest language already agreed with ``partner`` on ``subject``, with its wording history.

    Agreed: commitments said jointly (speaker ``joint``) in a document the partner signed with the EU
    (its signatories, from the manifest or the issuer); ``with_eu=False`` adds the partner's joint texts
    with others (a US–Kenya statement), each row saying who signed (``signed_by``).  On the subject: found by :func:`search` *and* holding a
    word of ``subject`` with cosine at least :data:`ON_SUBJECT_WITH_WORDS`, or with cosine at least
    :data:`ON_SUBJECT`.  Ranked firm before intent before soft, then the most recent, then by the search
    score; a sentence leaning on the one before ("It will ...") is left out.  ``history`` lists how the same undertaking is phrased in the partner's other joint
    statements (cosine at least :data:`SAME_UNDERTAKING` and two specific terms shared), by date; a
    sentence already listed in an earlier result's history is not repeated as a result.

    Returns a DataFrame: ``rank``, ``sentence``, ``strength``, ``date``, ``doc_id``, ``anchor``,
    ``speaker``, ``title``, ``cosine``, ``why``, ``versions`` (statements holding the undertaking) and
    ``history`` (list of ``{date, doc_id, anchor, strength, commitment, similarity, sentence}``, oldest
    first, this sentence included).  Empty when nothing agreed is on the subject.
    """
    import pandas as pd

    from .alignment import LEANS_BACK, anchored
    from .store import Store

    if not partner or not str(partner).strip():
        raise SearchError("name the partner whose agreed wording to find")
    columns = ["rank", "sentence", "strength", "date", "doc_id", "anchor", "speaker", "signed_by", "title", "cosine",
               "why", "versions", "history"]
    own = not isinstance(store, Store)
    db = Store(store, read_only=True) if own else store
    try:
        found = search(db, subject, partner=partner, speaker="joint", commitments=True, limit=100,
                       embedders=embedders)
        base, params = _candidates(partner=partner, theme=None, speaker="joint", commitments=False, strength=None,
                                   since=None, lang=None)
        pool = db.con.execute(f"{base} SELECT doc_key, idx, doc_id, text, page, paragraph, commitment, strength, "
                              "date, embedding FROM c ORDER BY date, doc_id, idx", params).fetchall()
        signers = _signers(db, {r[0] for r in pool})
    finally:
        if own:
            db.close()
    if with_eu:  # only what the EU signed: "agreed with this partner", as an EU analyst means it
        keep = {doc_id for doc_id, who in signers.items() if "EU" in who}
        found = found[found["doc_id"].isin(keep)]
        pool = [r for r in pool if r[2] in keep]
    terms = _folded(subject)

    def covered(text: str) -> float:
        return len(terms & _folded(text)) / len(terms) if terms else 0.0

    on_subject = found[[
        ((c >= ON_SUBJECT) or (c >= ON_SUBJECT_WITH_WORDS and covered(t) >= 2 / 3 - 1e-9))
        and not LEANS_BACK.match(t)  # "It will initially focus on ...": not quotable on its own
        for c, t in zip(found["cosine"].fillna(0.0), found["sentence"])]] if len(found) else found
    if on_subject.empty:
        return pd.DataFrame(columns=columns)
    ordered = on_subject.assign(_firm=on_subject["strength"].map(_FIRMNESS).fillna(0))
    ordered = ordered.sort_values(["_firm", "date", "rank"], ascending=[False, False, True], kind="stable")
    index = {(r[2], int(r[1])): k for k, r in enumerate(pool)}  # (doc_id, idx) -> row of the pool
    vectors: dict[int, np.ndarray] = {}
    for k, r in enumerate(pool):
        if r[9] is not None:
            vectors[k] = np.asarray(r[9], dtype=np.float32)
    listed: set[int] = set()
    rows = []
    for r in ordered.itertuples():
        k = index.get((r.doc_id, int(r.idx)))
        if k is None or k in listed:
            continue
        history = [k]
        if k in vectors:
            v = vectors[k]
            best: dict[str, tuple[float, int]] = {}  # other statement -> its closest phrasing of the undertaking
            for j, w in vectors.items():
                doc = pool[j][2]
                if doc == r.doc_id or len(w) != len(v):
                    continue
                sim = float(w @ v)
                if sim >= SAME_UNDERTAKING and (doc not in best or sim > best[doc][0]) and anchored(r.sentence,
                                                                                                    pool[j][3]):
                    best[doc] = (sim, j)
            history += [j for _, j in best.values()]
        history.sort(key=lambda j: (pool[j][8] or "", pool[j][2], pool[j][1]))
        listed.update(history)
        rows.append({
            "sentence": r.sentence, "strength": r.strength, "date": r.date, "doc_id": r.doc_id, "anchor": r.anchor,
            "speaker": r.speaker, "signed_by": " and ".join(signers.get(r.doc_id, ())) or "unknown",
            "title": r.title, "cosine": r.cosine, "why": r.why, "versions": len(history),
            "history": [{"date": pool[j][8], "doc_id": pool[j][2], "anchor": _anchor(pool[j][2], pool[j][4], pool[j][5]),
                         "strength": pool[j][7], "commitment": bool(pool[j][6]),
                         "similarity": 1.0 if j == k else round(float(vectors[j] @ vectors[k]), 3),
                         "sentence": pool[j][3]} for j in history],
        })
        if len(rows) == int(limit):
            break
    return pd.DataFrame([{"rank": n, **row} for n, row in enumerate(rows, start=1)], columns=columns)


def _signers(db: Any, doc_keys: set[str]) -> dict[str, tuple[str, ...]]:
    """doc_id -> the short names of its signatories (policytext.extract.speakers), from the stored metadata."""
    import json

    from .extract.speakers import default_reader
    from .records import DocumentMeta

    if not doc_keys:
        return {}
    rows = db.con.execute("SELECT DISTINCT ON (doc_key) doc_id, meta FROM analyses WHERE list_contains(?, doc_key) "
                          "ORDER BY doc_key, created_at DESC", [sorted(doc_keys)]).fetchall()
    reader = default_reader()
    out = {}
    for doc_id, meta in rows:
        authors = reader.authors(DocumentMeta(**json.loads(meta)) if meta else None)
        out[doc_id] = tuple(authors.parties) + tuple(authors.groups)
    return out


def _folded(text: str) -> set[str]:
    """A text's words with a plural -s folded ("chains" = "chain"), for a subject's coverage."""
    return {t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t for t in _terms(text)}


def _anchor(doc_id: str, page: int | None, paragraph: int | None) -> str:
    return ", ".join(filter(None, [doc_id, f"p. {page}" if page else "",
                                   f"para. {paragraph + 1}" if paragraph is not None else ""]))


# --------------------------------------------------------------------------- notebooks


class Shown:
    """Search results as HTML (``_repr_html_``: a notebook displays it); ``str(shown)`` is the HTML."""

    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def show(found: Any, query: str | None = None) -> Shown:
    """Render :func:`search` (or :func:`agreed_wording`) results as a table for a notebook.

    The query's words are highlighted (``<mark>``), each sentence says who said it, how firmly and where
    (document, page, paragraph), and "in context" opens the passage: the sentences before and after it.
    Everything quoted is escaped.
    """
    import html

    query = query if query is not None else found.attrs.get("query", "")
    words = set(_folded(query))

    def marked(text: str) -> str:
        out, last = [], 0
        for m in _WORD.finditer(text):
            w = m.group(0).casefold()
            folded = w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            if folded in words and w not in _STOP:
                out += [html.escape(text[last:m.start()]), f"<mark>{html.escape(m.group(0))}</mark>"]
                last = m.end()
        return "".join(out) + html.escape(text[last:])

    rows = []
    for r in found.to_dict(orient="records"):
        said = ", ".join(filter(None, [r.get("speaker") or "speaker unknown",
                                       r.get("strength") if r.get("commitment", True) and r.get("strength") else ""]))
        context = ""
        if r.get("before") or r.get("after"):
            context = ("<details><summary>in context</summary><p>" + html.escape(r.get("before") or "")
                       + " <b>" + html.escape(r["sentence"]) + "</b> " + html.escape(r.get("after") or "")
                       + "</p></details>")
        rows.append(f"<tr><td>{r.get('rank', '')}</td><td>{html.escape(str(r.get('anchor', '')))}<br>"
                    f"<small>{html.escape(str(r.get('date') or ''))}</small></td><td>{html.escape(said)}</td>"
                    f"<td>{marked(r['sentence'])}{context}<br><small>{html.escape(str(r.get('why') or ''))}</small>"
                    "</td></tr>")
    head = "<tr><th>#</th><th>where</th><th>who, how firmly</th><th>sentence</th></tr>"
    caption = f"<caption>{len(rows)} sentence(s) for “{html.escape(query)}”</caption>"
    return Shown(f'<table class="policytext-search">{caption}<thead>{head}</thead><tbody>{"".join(rows)}'
                 "</tbody></table>")
