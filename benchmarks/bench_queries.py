"""Every catalogue query on synthetic corpora of each size, on both backends, in one run.

    python benchmarks/bench_queries.py --sizes 100000,1000000 --backends embedded,neo4j

The Neo4j backend needs NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD (e.g. from
``tools/neo4j-local start``); its database is cleared and reloaded for each size. Each query runs
``--repeat`` times after one warm-up run, computing its rows every time (the embedded workspace's kept rows
are removed before each run), and the median is reported, with the row count (the two
backends must agree). Prints a Markdown table and writes JSON.
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

from dhrgraph import queries  # noqa: E402
from dhrgraph import synth  # noqa: E402
from dhrgraph.graph.backends import Settings, open_store  # noqa: E402


def corpus(size: int, cache: Path) -> Path:
    folder = cache / f"synth-{size}"
    if not (folder / "answer_key.json").exists():
        synth.generate(folder, reviews=max(1, size // 200), contacts=size, seed=1, layout="combined")
    return folder


def open_backend(backend: str, workspace: Path):
    return open_store(Settings.from_env(backend=backend, workspace=str(workspace)))


def clear(store) -> None:
    store.clear()


def forget_kept_rows(workspace: Path) -> None:
    """Remove the rows an embedded workspace keeps of runs over every review (``derived/rows-*.json``), so that
    the next run computes its rows (what the first run after a load costs) instead of reading them back."""
    for path in (workspace / "derived").glob("rows-*.json"):
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000", help="comma-separated contact counts")
    parser.add_argument("--backends", default="embedded,neo4j")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "dhrgraph-bench"))
    parser.add_argument("--out", default="benchmarks/queries.json")
    args = parser.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        folder = corpus(size, cache)
        for backend in args.backends.split(","):
            with tempfile.TemporaryDirectory(dir=cache) as workspace:
                store = open_backend(backend, Path(workspace) / "ws")
                clear(store)
                started = time.perf_counter()
                store.load([folder])
                load_seconds = time.perf_counter() - started
                if backend == "embedded":  # opening the workspace is paid once per command: measure it apart
                    store.close()
                    started = time.perf_counter()
                    store.opened  # noqa: B018
                    open_seconds = time.perf_counter() - started
                else:
                    open_seconds = 0.0
                for query in queries.catalogue():
                    forget_kept_rows(Path(workspace) / "ws")
                    rows = store.run(query)
                    times = []
                    for _ in range(args.repeat):
                        forget_kept_rows(Path(workspace) / "ws")
                        started = time.perf_counter()
                        store.run(query)
                        times.append(time.perf_counter() - started)
                    results.append({"size": size, "backend": backend, "query": query.name, "rows": len(rows),
                                    "seconds": statistics.median(times), "load_seconds": load_seconds,
                                    "open_seconds": open_seconds})
                    print(f"{size:>9} {backend:<8} {query.name:<32} {len(rows):>6} rows {statistics.median(times):7.3f} s",
                          flush=True)
                clear(store)
                store.close()
    Path(args.out).write_text(json.dumps(results, indent=1), encoding="utf-8")
    sizes = sorted({r["size"] for r in results})
    backends = list(dict.fromkeys(r["backend"] for r in results))
    header = [f"{b} {s:,}" for s in sizes for b in backends]
    print("\n| query | " + " | ".join(header) + " |")
    print("| --- |" + " --- |" * len(header))
    for query in dict.fromkeys(r["query"] for r in results):
        cells = []
        for s in sizes:
            for b in backends:
                match = [r for r in results if (r["query"], r["size"], r["backend"]) == (query, s, b)]
                cells.append(f"{match[0]['seconds']:.2f} s ({match[0]['rows']})" if match else "")
        print(f"| {query} | " + " | ".join(cells) + " |")
    for s in sizes:
        for b in backends:
            match = [r for r in results if (r["size"], r["backend"]) == (s, b)]
            if match:
                extra = f", open {match[0]['open_seconds']:.2f} s" if b == "embedded" else ""
                print(f"- {b} {s:,}: load {match[0]['load_seconds']:.1f} s{extra}")


if __name__ == "__main__":
    main()
