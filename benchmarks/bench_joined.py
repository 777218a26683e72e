"""joined-up-risk at 100k contacts on both backends (target: under 2 s), next to missed-marac as a reference.

    export DHRGRAPH_NEO4J_STATE=/tmp/neo4j-bench; eval "$(tools/neo4j-local start)"
    python benchmarks/bench_joined.py --contacts 100000 --backends embedded,neo4j
    python benchmarks/bench_joined.py --contacts 100000 --backends embedded --profile   # cProfile of the NetworkX side

The corpus is ``bench_queries.py``'s (``synth.generate(reviews=contacts // 200, contacts=..., seed=1,
layout="combined")``, cached in the same folder). A query with its own Neo4j implementation (joined-up-risk: it reads the evidence of the reported windows
only) also runs, on Neo4j, as its one-statement Cypher (what any Cypher store runs), for comparison in the same
run. Each query runs once to warm up, then ``--repeat`` times, computing its rows every time (the rows the embedded
workspace keeps of a run over every review are removed before each run);
the median wall time is reported with the CPU time the work took: this process's user+sys for the
embedded backend, the Neo4j server's user+sys (read from /proc for the pid in ``$DHRGRAPH_NEO4J_STATE/pid``,
which ``tools/neo4j-local`` writes) for Neo4j. On a machine shared with other work the wall times are upper
bounds; the CPU times are what the query itself cost. The rows of the two backends must be identical.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dhrgraph import queries  # noqa: E402
from bench_queries import corpus, forget_kept_rows, open_backend  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
TARGET_QUERY, TARGET_S = "joined-up-risk", 2.0  # issue 18: under 2 s at 100k contacts


def server_cpu() -> float | None:
    """User+sys seconds of the Neo4j server so far, or None when its pid is not known."""
    state = os.environ.get("DHRGRAPH_NEO4J_STATE")
    try:
        pid = Path(state, "pid").read_text().strip() if state else ""
        if not pid.isdigit():
            return None
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def cpu(backend: str) -> float | None:
    if backend == "embedded":
        return time.process_time()
    return server_cpu()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100000)
    parser.add_argument("--backends", default="embedded,neo4j")
    parser.add_argument("--queries", default="joined-up-risk,missed-marac")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions of one run per query")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "dhrgraph-bench"))
    args = parser.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    folder = corpus(args.contacts, cache)
    rows_of: dict[str, dict[str, str]] = {}
    medians: dict[tuple[str, str], float] = {}
    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min); wall times taken while other work runs are upper bounds")
    print(f"| query | backend | rows | wall (median of {args.repeat}) | CPU (median) |")
    print("| --- | --- | --- | --- | --- |")
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(dir=cache) as workspace:
            store = open_backend(backend, Path(workspace) / "ws")
            store.clear()
            store.load([folder])
            runs = [(name, backend, queries.get(name)) for name in args.queries.split(",")]
            if backend == "neo4j":  # a query with its own Neo4j implementation, next to its one-statement Cypher
                runs += [(name, "neo4j, one statement", dataclasses.replace(query, implementations={}))
                         for name, _, query in list(runs) if "neo4j" in query.implementations]
            for name, label, query in runs:
                forget_kept_rows(Path(workspace) / "ws")
                rows = store.run(query)  # warm-up
                rows_of.setdefault(name, {})[label] = json.dumps(rows, sort_keys=True, default=str)
                walls, cpus, clients = [], [], []
                for _ in range(args.repeat):
                    forget_kept_rows(Path(workspace) / "ws")
                    c0, w0, p0 = cpu(backend), time.perf_counter(), time.process_time()
                    store.run(query)
                    walls.append(time.perf_counter() - w0)
                    c1, p1 = cpu(backend), time.process_time()
                    clients.append(p1 - p0)
                    if c0 is not None and c1 is not None:
                        cpus.append(c1 - c0)
                used = f"{statistics.median(cpus):.2f} s" if cpus else "n/a"
                if backend != "embedded":  # the Python side of a Neo4j query: decoding, shared steps, finish
                    used += f" (+ client {statistics.median(clients):.2f} s)"
                medians[name, label] = statistics.median(walls)
                print(f"| {name} | {label} | {len(rows)} | {statistics.median(walls):.2f} s | {used} |", flush=True)
                if args.profile:
                    forget_kept_rows(Path(workspace) / "ws")
                    profile = cProfile.Profile()
                    profile.runcall(store.run, query)
                    out = io.StringIO()
                    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
                    print(out.getvalue(), file=sys.stderr)
            store.clear()
            store.close()
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")
    for (name, label), wall in medians.items():
        if name == TARGET_QUERY:
            print(f"{name} on {label}: {wall:.2f} s median wall, target {TARGET_S:.0f} s: {'met' if wall < TARGET_S else 'NOT met'}")
    for name, by_backend in rows_of.items():
        if len(set(by_backend.values())) > 1:
            print(f"ROWS DIFFER between backends for {name}", file=sys.stderr)
            sys.exit(1)
    if any(len(by_backend) > 1 for by_backend in rows_of.values()):
        print("rows identical on every backend and implementation: " + "; ".join(
            f"{name}: {', '.join(by_backend)}" for name, by_backend in rows_of.items()))


if __name__ == "__main__":
    main()
