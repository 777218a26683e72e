"""`dhrgraph themes` and `dhrgraph recommendations --repeated` on a synthetic corpus, embedded store.

    python benchmarks/bench_themes.py --reviews 500

The target (issue 15): both under 5 s on a 500-review corpus. Each is timed two ways, median of
``--repeat`` runs: **fresh** (a new store: opening the workspace and building the graph, as a command
pays it) and **warm** (the graph already open, as a second call in one process). The counts are
checked against synth's answer key on every run (themes: the coded reading, which is what the key holds). The CPU time of the process is reported too: on
a machine shared with other work the wall time says more about the neighbours. Prints a Markdown
table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dhrgraph import synth  # noqa: E402
from dhrgraph.graph.backends import Settings, open_store  # noqa: E402
from dhrgraph.queries import recommendations as recs  # noqa: E402
from dhrgraph.queries.themes import run_themes  # noqa: E402


def themes(store, key: dict) -> int:
    """The command as analysts run it: risk read from the columns and the text."""
    return len(run_themes(store, every=True).rows)


def check_themes(store, key: dict) -> None:
    """synth's key is the coded columns' reading: the coded table must equal it (checked once, not timed)."""
    got = {r["theme"]: r["review_ids"] for r in run_themes(store, every=True, signals="coded").rows}
    assert all(got[t] == reviews for t, reviews in key["themes"].items()), "themes differ from the answer key"


def repeated(store, key: dict) -> int:
    rows = recs.repeated(recs.recommendation_rows(store))
    found = sorted(({"theme": r["theme"], "agency_type": r["agency_type"], "reviews": sorted(r["review_ids"])} for r in rows),
                   key=lambda r: (r["theme"], r["agency_type"]))
    assert found == key["recommendations"]["repeated"], "repeated recommendations differ from the answer key"
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "dhrgraph-bench-themes"))
    parser.add_argument("--out", default="benchmarks/results-themes.json")
    args = parser.parse_args()
    folder = Path(args.cache) / f"synth-{args.reviews}-{args.seed}"
    if not (folder / "answer_key.json").exists():
        synth.generate(folder, reviews=args.reviews, seed=args.seed)
    key = json.loads((folder / "answer_key.json").read_text(encoding="utf-8"))
    workspace = Path(args.cache) / f"ws-{args.reviews}-{args.seed}"
    settings = Settings(workspace=str(workspace))
    with open_store(settings) as store:
        store.load([folder])
        check_themes(store, key)
    results = {"reviews": args.reviews, "contacts": key["contacts"], "runs": {}}
    for name, task in (("themes", themes), ("recommendations --repeated", repeated)):
        fresh, warm, cpu = [], [], []
        for _ in range(args.repeat):
            with open_store(settings) as store:
                start, start_cpu = time.perf_counter(), time.process_time()
                rows = task(store, key)
                fresh.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
                start = time.perf_counter()
                task(store, key)
                warm.append(time.perf_counter() - start)
        results["runs"][name] = {"rows": rows, "fresh_s": round(statistics.median(fresh), 3),
                                 "fresh_cpu_s": round(statistics.median(cpu), 3), "warm_s": round(statistics.median(warm), 3)}
    results["load_average"] = os.getloadavg()[0]
    print(f"| command ({args.reviews} reviews, {key['contacts']:,} contacts, embedded) | rows | fresh | fresh, CPU | warm |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, run in results["runs"].items():
        print(f"| {name} | {run['rows']} | {run['fresh_s']:.2f} s | {run['fresh_cpu_s']:.2f} s | {run['warm_s']:.2f} s |")
    print(f"(load average {results['load_average']:.1f} on {os.cpu_count()} cores)")
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
