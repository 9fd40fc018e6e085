"""Search ranking measured on judged queries of the shared corpus (issue 19).

Two steps:

``python benchmarks/search_eval.py pool --store STORE.duckdb --texts /tmp/pool-texts.jsonl``
    runs every query of ``docs/search/queries.jsonl`` in the three modes (hybrid, lexical, embedding)
    and pools the top ``--depth`` sentences of each (the classic pooled evaluation): the pool's ids go
    to ``docs/search/pool.jsonl`` (``qid, doc_id, idx``: never the text, which stays in the shared data
    set); ``--texts`` writes the pool with its texts, in random order, for the annotators only.

``python benchmarks/search_eval.py score --store STORE.duckdb --labels docs/search/labels-*.jsonl``
    reads the annotators' grades (``{"qid", "doc_id", "idx", "grade"}``: 2 on the subject and taking a
    position on it, 1 on the subject, 0 not; ``docs/search/GUIDELINES.md``), prints their agreement
    (raw, Cohen's kappa, and linear-weighted kappa), and nDCG@10 and recall@20 of each mode against the
    mean grade (relevant: mean ≥ 1), unjudged sentences counting as not relevant.

``score ... --queries docs/search/queries-fr.jsonl --query-lang fr`` runs the same information needs asked
in French (translated for the project) against the same judgements: the multilingual half (USE, the
store's multilingual index from ``policytext index``) against the same queries read as English (MiniLM).
Sentences a French query finds that the English pool did not hold count as not relevant: a lower bound.

The store is one written by ``policytext score ../shared/corpora --eu eu-ids-2025-press --eu eu-ids-2025``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "search"
MODES = ("hybrid", "lexical", "embedding")


def _queries(path: Path | None = None) -> list[dict]:
    path = path or DOCS / "queries.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


_EMBEDDERS: dict = {}


def _ranked(store: Path, query: str, mode: str, k: int, query_lang: str | None = "en") -> list[tuple[str, int]]:
    from policytext.search import search

    if not _EMBEDDERS:  # loaded once for every query
        from policytext.embed import Embedder, MultilingualEmbedder

        _EMBEDDERS.update({384: Embedder(), 512: MultilingualEmbedder()})
    found = search(store, query, mode=mode, limit=k, query_lang=query_lang, embedders=_EMBEDDERS)
    return list(zip(found["doc_id"], found["idx"]))


def pool(store: Path, depth: int, texts: Path | None) -> None:
    from policytext.store import Store

    rows = []
    for q in _queries():
        seen: dict[tuple[str, int], None] = {}
        for mode in MODES:
            for key in _ranked(store, q["query"], mode, depth):
                seen.setdefault(key, None)
        rows += [{"qid": q["qid"], "doc_id": d, "idx": int(i)} for d, i in seen]
    (DOCS / "pool.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} pooled sentences for {len(_queries())} queries -> {DOCS / 'pool.jsonl'}")
    if texts is not None:
        db = Store(store, read_only=True)
        query_of = {q["qid"]: q["query"] for q in _queries()}
        out = []
        for r in rows:
            text = db.con.execute("SELECT text FROM sentences WHERE doc_id = ? AND idx = ? LIMIT 1",
                                  [r["doc_id"], r["idx"]]).fetchone()[0]
            out.append({**r, "query": query_of[r["qid"]], "sentence": text})
        db.close()
        random.Random(0).shuffle(out)
        texts.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
        print(f"texts for the annotators -> {texts}")


def _kappa(a: list[int], b: list[int], weighted: bool = False) -> float:
    cats = [0, 1, 2]
    n = len(a)
    w = (lambda i, j: 1 - abs(i - j) / 2) if weighted else (lambda i, j: 1.0 if i == j else 0.0)
    po = sum(w(x, y) for x, y in zip(a, b)) / n
    pa = [sum(x == c for x in a) / n for c in cats]
    pb = [sum(y == c for y in b) / n for c in cats]
    pe = sum(w(i, j) * pa[i] * pb[j] for i in cats for j in cats)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def _ndcg(ranked: list[tuple[str, int]], gains: dict[tuple[str, int], float], k: int = 10) -> float:
    dcg = sum((2 ** gains.get(key, 0.0) - 1) / math.log2(r + 2) for r, key in enumerate(ranked[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def score(store: Path, labels: list[Path], queries: Path | None = None, query_lang: str = "en") -> None:
    grades: dict[str, dict[tuple[str, str, int], int]] = {}
    for path in labels:
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        grades[path.name] = {(r["qid"], r["doc_id"], int(r["idx"])): int(r["grade"]) for r in rows}
    names = list(grades)
    common = sorted(set.intersection(*(set(g) for g in grades.values())))
    print(f"{len(common)} pooled sentences graded by {len(names)} annotators ({', '.join(names)})")
    if len(names) >= 2:
        a, b = [grades[names[0]][k] for k in common], [grades[names[1]][k] for k in common]
        raw = sum(x == y for x, y in zip(a, b)) / len(common)
        print(f"agreement: raw {raw:.3f}, Cohen's kappa {_kappa(a, b):.3f}, linear-weighted kappa "
              f"{_kappa(a, b, True):.3f}; relevant (grade >= 1): {sum(x >= 1 for x in a)} and {sum(y >= 1 for y in b)}")
    mean: dict[str, dict[tuple[str, int], float]] = defaultdict(dict)
    for key in common:
        mean[key[0]][(key[1], key[2])] = sum(grades[n][key] for n in names) / len(names)
    print(f"queries: {(queries or DOCS / 'queries.jsonl').name}, read as {query_lang!r}")
    print(f"{'mode':<10}{'nDCG@10':>9}{'recall@20':>11}   (mean grade as gain; relevant: mean >= 1)")
    for mode in MODES:
        nd, rc = [], []
        for q in _queries(queries):
            gains = mean.get(q["qid"], {})
            relevant = {k for k, g in gains.items() if g >= 1}
            ranked = _ranked(store, q["query"], mode, 20, query_lang)
            nd.append(_ndcg(ranked, gains))
            if relevant:
                rc.append(len(relevant & set(ranked)) / len(relevant))
        print(f"{mode:<10}{sum(nd) / len(nd):>9.3f}{sum(rc) / max(len(rc), 1):>11.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pool")
    p.add_argument("--store", type=Path, required=True)
    p.add_argument("--depth", type=int, default=6)
    p.add_argument("--texts", type=Path, default=None)
    s = sub.add_parser("score")
    s.add_argument("--store", type=Path, required=True)
    s.add_argument("--labels", type=Path, nargs="+", required=True)
    s.add_argument("--queries", type=Path, default=None,
                   help="the same information needs in another language (docs/search/queries-fr.jsonl)")
    s.add_argument("--query-lang", default="en", help="the language the queries are read as (fr: multilingual)")
    args = ap.parse_args()
    if args.cmd == "pool":
        pool(args.store, args.depth, args.texts)
    else:
        score(args.store, args.labels, args.queries, args.query_lang)


if __name__ == "__main__":
    main()
