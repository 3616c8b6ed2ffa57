"""List every P@1 and Recall@5 miss of TelQC + learned on a *dev* half, for classifying misses by cause.

    PYTHONPATH=src .venv/bin/python bench/kb_misses.py --answers tests/knowledge/data/heldout3/answers.jsonl \
        --queries tests/knowledge/data/heldout3/dev_queries.jsonl --train tests/knowledge/data/history/orders.jsonl

Prints, per missed query: the query, what the index read (homophones corrected, lexicon forms added), the
attributes it states, the expected article(s) with their rank, and the top 3 titles. Dev halves only.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from telqc.knowledge.evaluate import _EVAL_INSTANT, build_telqc, load_jsonl, recall_at_k, train_model
from telqc.knowledge.inverted_index import Article, KnowledgeIndex
from telqc.knowledge.learned import CANDIDATES


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--answers", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--train", required=True)
    args = ap.parse_args()
    if "test_queries" in args.queries:
        raise SystemExit("dev halves only: test halves are never read for tuning")
    docs = load_jsonl(args.answers)
    titles = {str(d["id"]): d.get("title", "") for d in docs}
    history = load_jsonl(args.train)
    model = train_model(docs, history, now=max(datetime.fromisoformat(r["created"]) for r in history))
    index = KnowledgeIndex()
    for d in docs:
        index.add(Article(id=str(d["id"]), title=d.get("title", ""), body=d["text"],
                          questions=tuple(d.get("questions", ()))))
    rank = build_telqc(docs, learned=model)  # what `telqc kb eval --train` ranks with (telqc+learned)
    p1 = r5 = 0.0
    queries = load_jsonl(args.queries)
    for q in queries:
        hits = index.search(q["question"], limit=CANDIDATES, at=_EVAL_INSTANT, suggest=False).hits
        ranked = rank(q["question"])
        want = [str(a) for a in q["answer_ids"]]
        r5 += recall_at_k(ranked, want, 5)
        if ranked and ranked[0] in want:
            p1 += 1
            continue
        in5 = bool(set(want) & set(ranked[:5]))
        lex = [h.id for h in hits]
        read = index.understand(q["question"])
        print(f"{'P1' if in5 else 'R5'} {q['id']} {q['question']}")
        if read != q["question"]:
            print(f"   read: {read}")
        stated = index.stated(q["question"])
        if stated:
            print(f"   states: {dict((k, sorted(v)) for k, v in stated.items())}")
        for a in want:
            pos = ranked.index(a) + 1 if a in ranked else None
            lrank = lex.index(a) + 1 if a in lex else None
            print(f"   want {a} {titles[a]} (fused rank {pos}, lexical rank {lrank})")
        for aid in ranked[:3]:
            print(f"   got  {aid} {titles[aid]}")
    n = len(queries)
    print(f"P@1 {p1 / n:.3f}  Recall@5 {r5 / n:.3f}  ({n} queries)")


if __name__ == "__main__":
    main()
