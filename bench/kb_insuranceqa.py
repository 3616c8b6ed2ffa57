"""Export the public Chinese InsuranceQA corpus to the evaluation harness's JSONL files.

Source: PyPI package ``insuranceqa_data==1.0`` (Hai Liang Wang, 2017, GPL-3.0; repository
github.com/Samurais/insuranceqa-corpus-zh). It is the Chinese translation of IBM's InsuranceQA:
27,413 answers and its own train / valid / test splits (12,889 / 2,000 / 2,000 questions), each
question pointing at its correct answer ids. Version 1.0 is the only release that carries the data
inside the wheel (1.3 and later download it at run time, 2.x behind a licence), so it is pinned:

    .venv/bin/pip install insuranceqa_data==1.0
    .venv/bin/python bench/kb_insuranceqa.py [--out var/kb/insuranceqa]

Writes answers.jsonl ({id, text}) and one queries file per split ({id, question, answer_ids}):
queries-train.jsonl, queries-valid.jsonl, queries-test.jsonl; and history-train.jsonl, the train split as the
learned component's evidence (one {id, title, description, article_id, created} row per question and correct
answer, all on one date so nothing decays), for ``telqc kb eval --train``. The data is not committed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

TRAIN_DATE = "2017-01-01T00:00:00+00:00"  # the corpus's year; one date for all, so the evidence does not decay


def export(out: Path) -> dict[str, int]:
    try:
        import insuranceqa_data as iqa
    except ImportError as exc:
        raise SystemExit("insuranceqa_data is missing: .venv/bin/pip install insuranceqa_data==1.0") from exc
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    answers = iqa.load_answers()
    with (out / "answers.jsonl").open("w", encoding="utf-8") as fh:
        for aid, row in answers.items():
            fh.write(json.dumps({"id": aid, "text": row["zh"].strip()}, ensure_ascii=False) + "\n")
    counts["answers"] = len(answers)
    for split, load in (("train", iqa.load_train), ("valid", iqa.load_valid), ("test", iqa.load_test)):
        rows = load()
        with (out / f"queries-{split}.jsonl").open("w", encoding="utf-8") as fh:
            for qid, row in rows.items():
                record = {"id": f"{split}-{qid}", "question": row["zh"].strip(), "answer_ids": row["answers"]}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        counts[split] = len(rows)
        if split == "train":
            with (out / "history-train.jsonl").open("w", encoding="utf-8") as fh:
                for qid, row in rows.items():
                    for aid in row["answers"]:
                        fh.write(json.dumps({"id": f"train-{qid}-{aid}", "title": row["zh"].strip(), "description": "",
                                             "article_id": aid, "created": TRAIN_DATE}, ensure_ascii=False) + "\n")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("var/kb/insuranceqa"))
    args = parser.parse_args()
    for name, n in export(args.out).items():
        print(f"{name}: {n}")


if __name__ == "__main__":
    main()
