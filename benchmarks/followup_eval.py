"""Follow-up links measured on the shared corpus's two EU-US TTC statements (issue 19).

Two steps:

``python benchmarks/followup_eval.py pool --store STORE.duckdb --texts /tmp/followup-texts.jsonl``
    tracks every commitment of the United States' documents (``deadlines_only=False``: the 2021 statement
    has one dated commitment only) and keeps the links from the 2021 TTC statement to the 2023 one: their
    ids go to ``docs/followup/links.jsonl`` (never the texts, which stay in the shared data set); ``--texts``
    writes them with their texts, in random order and without the tracker's status, for the annotators.

``python benchmarks/followup_eval.py score --store STORE.duckdb --labels docs/followup/labels-*.jsonl``
    reads the annotators' judgements (``{"id", "reports": 0|1, "status": "done"|"in progress"|"renewed"|
    "mentioned"|""}``; ``docs/followup/GUIDELINES.md``), prints their agreement (raw and Cohen's kappa) and
    the links' precision (the later sentence reports on the earlier undertaking, by each annotator and where
    both agree), and how often the tracker's status is the annotators' on links both judge reports.

The store is one written by ``policytext score ../shared/corpora --eu eu-ids-2025-press --eu eu-ids-2025``.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "followup"
EARLIER, LATER = "eu-us-ttc-2021", "eu-us-ttc-2023"


def _links(store: Path) -> list[dict]:
    from policytext.followup import track
    from policytext.store import Store

    with Store(store, read_only=True) as db:
        keys = db.con.execute(
            "SELECT DISTINCT a.doc_key, a.analysis_fp FROM analyses a JOIN documents d USING (doc_key) "
            "WHERE d.partner = 'United States' ORDER BY 1").fetchall()
        analyses = [db.load_analysis(k, fp) for k, fp in keys]
    out = []
    for t in track(analyses, deadlines_only=False):
        for lk in t.links:
            if t.commitment.doc_id == EARLIER and lk.doc_id == LATER:
                out.append({"id": f"{t.commitment.segment_id}>{lk.segment_id}", "from": t.commitment.segment_id,
                            "to": lk.segment_id, "status": lk.status, "similarity": lk.similarity,
                            "_earlier": t.commitment.text, "_later": lk.text})
    return out


def pool(store: Path, texts: Path | None) -> None:
    links = _links(store)
    DOCS.mkdir(parents=True, exist_ok=True)
    (DOCS / "links.jsonl").write_text("".join(json.dumps({k: v for k, v in r.items() if not k.startswith("_")}) + "\n"
                                              for r in links), encoding="utf-8")
    print(f"{len(links)} links {EARLIER} -> {LATER} -> {DOCS / 'links.jsonl'}")
    if texts is not None:
        shuffled = links[:]
        random.Random(19).shuffle(shuffled)
        texts.write_text("".join(json.dumps({"id": r["id"], "earlier": r["_earlier"], "later": r["_later"]},
                                            ensure_ascii=False) + "\n" for r in shuffled), encoding="utf-8")
        print(f"texts for the annotators -> {texts}")


def _kappa(a: list, b: list) -> float:
    cats = sorted(set(a) | set(b))
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pe = sum((a.count(c) / n) * (b.count(c) / n) for c in cats)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def _figures(name: str, ids: list[str], status: dict[str, str], judged: list[dict], labels: list[Path]) -> None:
    print(f"{name}: {len(ids)} links")
    if not ids:
        return
    reports = [[int(j[i]["reports"]) for i in ids] for j in judged]
    for p, r in zip(labels, reports):
        print(f"  precision by {p.name}: {sum(r) / len(r):.3f} ({sum(r)}/{len(r)})")
    if len(judged) < 2:
        return
    a, b = reports[0], reports[1]
    print(f"  agreement on 'reports': raw {sum(x == y for x, y in zip(a, b)) / len(a):.3f}, "
          f"Cohen's kappa {_kappa(a, b):.3f}")
    both = [i for i, x, y in zip(ids, a, b) if x and y]
    print(f"  precision where both annotators say it reports: {len(both) / len(ids):.3f}; either: "
          f"{sum(x or y for x, y in zip(a, b)) / len(ids):.3f}")
    agreed = [i for i in both if judged[0][i]["status"] == judged[1][i]["status"]]
    if both:
        print(f"  status: the annotators agree on {len(agreed)}/{len(both)} links both judge reports "
              f"(kappa {_kappa([judged[0][i]['status'] for i in both], [judged[1][i]['status'] for i in both]):.3f});"
              f" the tracker's status is theirs on {sum(status[i] == judged[0][i]['status'] for i in agreed)}"
              f"/{len(agreed)}")


def score(store: Path, labels: list[Path]) -> None:
    links = {json.loads(x)["id"]: json.loads(x) for x in (DOCS / "links.jsonl").read_text().splitlines() if x.strip()}
    judged = []
    for path in labels:
        rows = {json.loads(x)["id"]: json.loads(x) for x in path.read_text().splitlines() if x.strip()}
        missing = set(links) - set(rows)
        if missing:
            raise SystemExit(f"{path}: {len(missing)} link(s) not judged")
        judged.append(rows)
    print(f"{len(links)} links {EARLIER} -> {LATER} judged by {len(judged)} annotators "
          f"({', '.join(p.name for p in labels)})")
    _figures("the judged set (the tracker as it was when the links were pooled)", sorted(links),
             {i: r["status"] for i, r in links.items()}, judged, labels)
    now = {r["id"]: r["status"] for r in _links(store)}
    unjudged = set(now) - set(links)
    if unjudged:
        print(f"note: {len(unjudged)} link(s) the tracker gives now were not judged; pool again and judge them")
    _figures("the links the tracker gives now (judged ones)", sorted(set(now) & set(links)), now, judged, labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("pool")
    p.add_argument("--store", type=Path, required=True)
    p.add_argument("--texts", type=Path, default=None)
    s = sub.add_parser("score")
    s.add_argument("--store", type=Path, required=True)
    s.add_argument("--labels", type=Path, nargs="+", required=True)
    args = parser.parse_args()
    if args.step == "pool":
        pool(args.store, args.texts)
    else:
        score(args.store, args.labels)


if __name__ == "__main__":
    main()
