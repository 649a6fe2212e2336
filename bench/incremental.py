"""Incremental refresh, measured in one process against the first run's time.

1. The sample corpus: the first refresh, then a rerun with nothing new.
2. A corpus of 70 reviews (the 24 sample documents and 46 generated from their sentences with a
   fixed seed, so their passages are new text to embed): the full refresh, then a rerun after
   one new review lands in the inbox. The goal is a ratio <= 0.10.

The temporary Prefect API is started first by a trivial flow, so figures are the refresh flow's
own time; `findings run` from a shell adds imports and the API start-up to each.

Run: .venv/bin/python bench/incremental.py [--reviews 70]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import json
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def sentence_pool() -> list[str]:
    """Sentences of the sample corpus's plain-text documents."""
    sentences = []
    for path in sorted((REPO / "corpus").glob("*.txt")) + sorted((REPO / "corpus").glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for block in text.split("\n\n"):
            paragraph = " ".join(block.split())
            speaker = re.match(r"^([\w .'()]{1,40}):\s*", paragraph)
            if speaker and speaker.group(1).strip() in {"Q", "Interviewer", "Facilitator"}:
                continue  # practitioners' words only
            if speaker:
                paragraph = paragraph[speaker.end() :]
            if len(paragraph.split()) < 12 or paragraph.startswith(("#", "-", "*")):
                continue
            sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", paragraph) if s.strip()]
    return sentences


def generate_reviews(folder: Path, count: int, seed: int = 11) -> list[dict[str, str]]:
    """`count` review reports made of corpus sentences, with areas and dates from a fixed seed."""
    from pipeline.gazetteer import load_gazetteer

    rng = random.Random(seed)
    pool = sentence_pool()
    areas = [p for p in load_gazetteer() if p.kind == "local_authority" and p.status == "current"]
    rows = []
    for number in range(count):
        area = rng.choice(areas).name
        date = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
        paragraphs = [
            " ".join(rng.sample(pool, rng.randint(2, 4))) for _ in range(rng.randint(14, 22))
        ]
        name = f"gen_{number:03d}.txt"
        title = f"Locality review: {area}"
        (folder / name).write_text(
            f"{title}\n{date:%d %B %Y}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
        )
        rows.append({"path": name, "title": title, "area": area,
                     "review_date": date.isoformat(), "doc_type": "report"})  # fmt: skip
    return rows


def build_corpus(folder: Path, reviews: int) -> Path:
    """The sample corpus plus generated reviews up to `reviews`, and one more held back."""
    shutil.copytree(REPO / "corpus", folder, ignore=shutil.ignore_patterns("inbox"))
    (folder / "inbox").mkdir()
    generated = generate_reviews(folder, reviews - 24 + 1)
    held_back = generated.pop()
    with (folder / "manifest.csv").open("a", newline="", encoding="utf-8") as manifest:
        writer = csv.DictWriter(manifest, fieldnames=list(held_back))
        writer.writerows(generated)
    spare = folder.parent / "held-back"
    spare.mkdir(exist_ok=True)
    (folder / held_back["path"]).rename(spare / held_back["path"])
    return spare / held_back["path"]


def timed_refresh(corpus: Path, db: str) -> tuple[float, dict[str, object]]:
    from pipeline.flows import refresh_flow

    started = time.perf_counter()
    summary = refresh_flow(corpus=str(corpus), inbox=str(corpus / "inbox"), db=db)
    return time.perf_counter() - started, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=70)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "incremental.json")
    args = parser.parse_args()
    importlib.import_module("pipeline.flows")  # sets Prefect's start-up settings first
    from prefect import flow

    @flow
    def warm_up() -> int:
        return 1

    warm_up()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "sample.duckdb")
        full, first = timed_refresh(REPO / "corpus", db)
        rerun, again = timed_refresh(REPO / "corpus", db)
        results["sample_nothing_new"] = {
            "full_s": full, "rerun_s": rerun, "ratio": rerun / full,
            "documents": first["documents_added"], "rerun_embedded": again["passages_embedded"],
        }  # fmt: skip
        print(
            f"sample corpus: first refresh {full:.1f} s ({first['documents_added']} documents); "
            f"rerun with nothing new {rerun:.2f} s ({again['passages_embedded']} embedded); "
            f"ratio {rerun / full:.3f}"
        )
        corpus = Path(tmp) / "corpus70"
        new_review = build_corpus(corpus, args.reviews)
        db = str(Path(tmp) / "seventy.duckdb")
        full, first = timed_refresh(corpus, db)
        shutil.copy(new_review, corpus / "inbox" / new_review.name)
        rerun, again = timed_refresh(corpus, db)
        results["one_new_review"] = {
            "reviews": first["documents_added"], "full_s": full,
            "full_embedded": first["passages_embedded"], "rerun_s": rerun,
            "rerun_documents": again["documents_added"],
            "rerun_embedded": again["passages_embedded"], "ratio": rerun / full,
        }  # fmt: skip
        print(
            f"{first['documents_added']} reviews: full refresh {full:.1f} s "
            f"({first['passages_embedded']} passages embedded); one new review "
            f"{rerun:.2f} s ({again['documents_added']} document, "
            f"{again['passages_embedded']} embedded); ratio {rerun / full:.3f} (goal <= 0.10)"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
