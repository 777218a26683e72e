"""Each catalogue query over every review of an embedded workspace, in one process: the whole graph is built once
(``store.opened``), then each query computes its rows (nothing kept is read: ``Store._run_bound``, with the cyclic
collector paused as ``store.run`` pauses it). Prints CPU seconds, the row count and a hash of the rows per query,
so that two copies of the code can be compared on one workspace (rows identical, time before and after):

    python benchmarks/bench_catalogue.py WORKSPACE                       # this code
    PYTHONPATH=/tmp/before python benchmarks/bench_catalogue.py WORKSPACE # another copy (git archive START)
    python benchmarks/bench_catalogue.py WORKSPACE unshared-risk --profile

A query's CPU here depends on the queries before it in the same run (they share indexes, e.g. each person's contacts):
name one query to measure it alone, as a fresh command would run it.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import resource
import time


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workspace")
    parser.add_argument("queries", nargs="*", help="only these catalogue queries (default: every one, in catalogue order)")
    parser.add_argument("--profile", action="store_true", help="print each query's cProfile (internal time)")
    parser.add_argument("--out", help="write {query: {cpu_seconds, rows, hash}} as JSON here")
    args = parser.parse_args()

    from dhrgraph import queries
    from dhrgraph.graph.backends import Settings, open_store
    from dhrgraph.graph.store import Store
    from dhrgraph.loaders.gcpause import gc_paused

    store = open_store(Settings.from_env(backend="embedded", workspace=args.workspace))
    start, wall = _cpu(), time.perf_counter()
    store.opened
    print(f"{'build the whole graph':40s} {_cpu() - start:7.2f} s CPU {time.perf_counter() - wall:7.2f} s wall  "
          f"peak {_peak_mb()} MB", flush=True)
    chosen = [q for q in queries.catalogue() if q.listed and (not args.queries or q.name in args.queries)]
    results = {}
    for query in chosen:
        profile = cProfile.Profile() if args.profile else None
        start = _cpu()
        with gc_paused():
            if profile:
                profile.enable()
            rows = Store._run_bound(store, query, query.bind({}))
            if profile:
                profile.disable()
        cpu = _cpu() - start
        digest = hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()[:12]
        results[query.name] = {"cpu_seconds": round(cpu, 3), "rows": len(rows), "hash": digest}
        print(f"{query.name:40s} {cpu:7.2f} s CPU {len(rows):7d} rows  {digest}", flush=True)
        if profile:
            text = io.StringIO()
            pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(15)
            print(text.getvalue())
    print(f"peak {_peak_mb()} MB")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
