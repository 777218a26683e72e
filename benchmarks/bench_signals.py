"""Risk read from the words (issue 17): how well, and at what cost.

1. Precision and recall per signal kind (risk_factor, dash, risk_level, referred_to, shared_with) on
   synth's labelled sentences (``synth.labelled_sentences``: stated, denied, supposed, asked about,
   and someone else's), with the misclassified sentences.
2. What reading the summaries adds to a load: the same validated corpus written into fresh embedded
   workspaces without and with extraction, in one run (and into Neo4j with --backends embedded,neo4j).

    python benchmarks/bench_signals.py --sentences 2400 --contacts 100000
    python benchmarks/bench_signals.py --contacts 0            # accuracy only
    python benchmarks/bench_signals.py --contacts 100000 --repeat 1 --check   # and the fast reading = spaCy's
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dhrgraph import synth  # noqa: E402
from dhrgraph.loaders import textsignals  # noqa: E402


HELD = Path(__file__).parent
HELD_OUT = {
    HELD / "heldout_signals.json": "written without looking at the lexicon; its misses were seen before the lexicon was "
                                   "widened for issue 17's second round",
    HELD / "heldout_signals_2.json": "written for the second round before the lexicon was widened, never tuned on",
}


def accuracy(count: int, seed: int, show: int) -> dict:
    sentences = synth.labelled_sentences(count, seed)
    print(f"\n{len(sentences)} labelled sentences (synth.labelled_sentences, seed {seed}); "
          f"{sum(1 for s in sentences if s['real'])} state a signal, the rest deny, suppose, ask or report someone else's.")
    table = score(sentences, show)
    for path in HELD_OUT:
        held = [{"sentence": text, "real": real, "frame": path.stem} for text, real in json.loads(path.read_text(encoding="utf-8"))]
        print(f"\n{len(held)} held-out sentences ({path.name}: {HELD_OUT[path]})")
        score(held, show)
    return table


def score(sentences: list[dict], show: int) -> dict:
    agencies = textsignals.ReviewAgencies([(name, kind, aliases) for name, kind, aliases, _ in synth.TEXT_AGENCIES])
    recorder = synth.TEXT_AGENCIES[0][0]
    counts = {kind: Counter() for kind in textsignals.KINDS}
    wrong: dict[str, list[str]] = {kind: [] for kind in textsignals.KINDS}
    for item in sentences:
        real = set(item["real"])
        found = {s.key for s in textsignals.extract(item["sentence"], agencies, recorder)}
        for key in real | found:
            kind = key.split("/", 1)[0]
            outcome = "tp" if key in real and key in found else "fn" if key in real else "fp"
            counts[kind][outcome] += 1
            if outcome != "tp":
                wrong[kind].append(f"{outcome.upper()} {key}: {item['sentence']!r} ({item['frame']})")
    table = {}
    print("\n| kind | stated | found | precision | recall |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        table[kind] = {"precision": precision, "recall": recall, **c}
        print(f"| {kind} | {c['tp'] + c['fn']} | {c['tp'] + c['fp']} | {precision:.3f} | {recall:.3f} |")
    for kind, items in wrong.items():
        if items:
            print(f"\nmisclassified, {kind} ({len(items)}):")
            for line in sorted(set(items))[:show]:
                print("  " + line)
    return table


def same_as_spacy(reviews) -> None:
    """The fast reading against the plain spaCy one (``textsignals.reference_read``) on every distinct sentence
    of the corpus: the same tokens, spans, candidates, context and verdicts."""
    distinct = list(dict.fromkeys(s for r in reviews for text in r.contacts.summary if text
                                  for _, s in textsignals.sentences(text)))
    different = [s for s in distinct if textsignals.read_sentence(s) != textsignals.reference_read(s)]
    print(f"fast reading vs spaCy's Matcher on the corpus's {len(distinct):,} distinct sentences: "
          f"{len(different)} different" + "".join(f"\n  {s!r}" for s in different[:20]))


def overhead(contacts: int, seed: int, repeat: int, backends: list[str], check: bool = False) -> None:
    from dhrgraph.graph.backends import open_store
    from dhrgraph.graph.model import review_batch
    from dhrgraph.loaders import read_reviews
    from dhrgraph.loaders.gcpause import gc_paused

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        synth.generate(corpus, reviews=max(1, contacts // 200), seed=seed, contacts=contacts, layout="combined")
        started = time.process_time()
        result = read_reviews([corpus])
        read = time.process_time() - started  # CPU: the machine may be shared
        print(f"\n{contacts:,} contacts in {len(result.reviews):,} reviews; reading and validating took {read:.2f} s of CPU")
        for backend in backends:
            times: dict[bool, list[float]] = {False: [], True: []}
            cpu: dict[bool, list[float]] = {False: [], True: []}
            for run in range(repeat):
                for signals in (False, True):
                    textsignals.clear_caches()  # every run reads every sentence afresh
                    settings = _settings(backend, Path(tmp) / f"ws-{backend}-{run}-{signals}")
                    with open_store(settings) as store:
                        if backend == "neo4j":
                            store.clear()  # a fresh database (the server is the benchmark's own)
                        textsignals.clear_caches()
                        started, started_cpu = time.perf_counter(), time.process_time()
                        with gc_paused():
                            store.write(review_batch(r, signals=signals) for r in result.reviews)
                        times[signals].append(time.perf_counter() - started)
                        cpu[signals].append(time.process_time() - started_cpu)
            info = textsignals._asserted_in.cache_info()
            for what, measured in (("wall", times), ("this process's CPU", cpu)):
                without, with_ = statistics.median(measured[False]), statistics.median(measured[True])
                print(f"{backend} ({what}): load without extraction {without:.2f} s, with {with_:.2f} s: "
                      f"+{with_ - without:.2f} s (+{100 * (with_ - without) / without:.0f}% of the write, "
                      f"+{100 * (with_ - without) / (without + read):.0f}% of validation and write); median of {repeat}")
            print(f"distinct summaries: {info.misses:,} ({info.hits:,} repeats served from the cache); distinct sentences "
                  f"read: {textsignals.read_sentence.cache_info().misses:,}; spaCy imported: {'spacy' in sys.modules}")
        if check:  # after the timings: it imports spaCy
            same_as_spacy(result.reviews)


def _settings(backend: str, workspace: Path):
    from dhrgraph.graph.backends import Settings

    if backend == "embedded":
        return Settings(workspace=str(workspace))
    return Settings(backend="neo4j", neo4j_uri=os.environ["NEO4J_URI"], neo4j_user=os.environ.get("NEO4J_USERNAME", "neo4j"),
                    neo4j_password=os.environ["NEO4J_PASSWORD"], neo4j_database=os.environ.get("NEO4J_DATABASE", "neo4j"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=2400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=15, help="misclassified sentences shown per kind")
    parser.add_argument("--contacts", type=int, default=100_000, help="corpus size for the load overhead (0: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backends", default="embedded")
    parser.add_argument("--check", action="store_true", help="also compare the fast reading with spaCy's on the corpus")
    args = parser.parse_args()
    accuracy(args.sentences, args.seed, args.show)
    if args.contacts:
        overhead(args.contacts, args.seed, args.repeat, args.backends.split(","), args.check)


if __name__ == "__main__":
    main()
