#!/usr/bin/env python3
"""Load benchmark: the embedded store, the batched Neo4j store and the naive one-MERGE-per-row approach.

For each size a synthetic corpus is generated once (``synth.generate(..., layout="combined")``,
cached under ``--cache-dir``); then, side by side in one run, each backend loads it in a fresh
subprocess, which reports its own wall times and peak RSS (``ru_maxrss``):

* ``embedded``: ``read_reviews`` (validation) + ``EmbeddedStore.load_reviews`` into an empty workspace;
* ``neo4j``: the same read + ``Neo4jStore.load_reviews`` (batched ``UNWIND``, managed transactions)
  into an emptied database;
* ``naive``: the same read + ``review_batch`` + one auto-commit ``session.run`` per row (one ``MERGE``
  query per contact with its relationships, one per person, agency and relationship row), with the
  same uniqueness constraints (so every MERGE is an index look-up: the comparison measures batching,
  not missing indexes). Slow: only run up to ``--naive-max`` contacts.
* ``admin``: neo4j-admin's offline import of an empty database, from the embedded workspace the ``embedded``
  backend loaded (loaded first, not timed, when ``embedded`` is not asked for): ``dhrgraph export --neo4j-import``,
  ``tools/neo4j-local import`` into a fresh data dir of a server of its own, its start, and ``dhrgraph --backend
  neo4j import DIR --no-answers`` (the check and the constraints), each a process timed from outside; write_s is
  their sum, read_s the embedded load's (validation and the workspace: the path from the corpus).

The Neo4j server is the one in NEO4J_URI, or a throwaway one started with ``tools/neo4j-local``
(its own state dir) and stopped at the end. Also timed: a fresh ``dhrgraph stats`` process on the
embedded workspace of 100k contacts (or the largest size below that). ``--profile SIZE`` instead
profiles the embedded load (cProfile, top 15 by cumulative time).

    .venv/bin/python benchmarks/bench_load.py --sizes 10000,100000,1000000 --naive-max 10000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BACKENDS = ("embedded", "neo4j", "naive", "ceiling", "admin")
STATS_SIZE = 100_000
ALL_NEO4J = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")


# --- workers: one measurement each, in its own process -------------------------------------------

NAIVE_REVIEW = "MERGE (r:Review {id: $id}) SET r += $props"
NAIVE_PERSON = """
MERGE (p:Person {id: $id}) SET p += $props
MERGE (r:Review {id: $review})
MERGE (p)-[x:IN_REVIEW]->(r) SET x = $rel
"""
NAIVE_AGENCY = """
MERGE (a:Agency {id: $id}) SET a += $props
MERGE (r:Review {id: $review})
MERGE (a)-[x:IN_REVIEW]->(r) SET x = $rel
"""
NAIVE_RELATED = """
MERGE (a:Person {id: $start}) MERGE (b:Person {id: $end})
MERGE (a)-[x:RELATED {review: $review, line: $line}]->(b) SET x = $props
"""
NAIVE_CONTACT = """
MERGE (c:Contact {id: $id}) SET c += $props
MERGE (a:Agency {id: $agency})
MERGE (a)-[:RECORDED]->(c)
MERGE (r:Review {id: $review})
MERGE (c)-[:IN_REVIEW]->(r)
FOREACH (pid IN $about | MERGE (p:Person {id: pid}) MERGE (c)-[:ABOUT]->(p))
FOREACH (aid IN $referred_to | MERGE (x:Agency {id: aid}) MERGE (c)-[:REFERRED_TO]->(x))
FOREACH (aid IN $shared_with | MERGE (x:Agency {id: aid}) MERGE (c)-[:SHARED_WITH]->(x))
FOREACH (f IN $factors | MERGE (k:RiskFactor {id: f.id}) SET k += f MERGE (c)-[:FLAGGED]->(k))
"""


def naive_write(batches, session) -> int:
    """The obvious unbatched loader: one auto-commit query per row, values as parameters. Returns queries run."""
    queries = 0

    def run(cypher: str, **params) -> None:
        nonlocal queries
        session.run(cypher, params).consume()
        queries += 1

    for batch in batches:
        rid = f"review:{batch.review}"
        for node in batch.node_dicts("Review"):
            run(NAIVE_REVIEW, id=node["id"], props=node)
        in_review = {start: props for start, end, props in batch.edge_triples("IN_REVIEW") if not start.startswith("contact:")}
        for node in batch.node_dicts("Person"):
            run(NAIVE_PERSON, id=node["id"], props=node, review=rid, rel=in_review[node["id"]])
        for node in batch.node_dicts("Agency"):
            run(NAIVE_AGENCY, id=node["id"], props=node, review=rid, rel=in_review[node["id"]])
        for start, end, props in batch.edge_triples("RELATED"):
            run(NAIVE_RELATED, start=start, end=end, review=props["review"], line=props["line"], props=props)
        recorded = {end: start for start, end, _ in batch.edge_triples("RECORDED")}
        out: dict[str, dict[str, list]] = {}
        for rel_type in ("ABOUT", "REFERRED_TO", "SHARED_WITH", "FLAGGED"):
            for start, end, _ in batch.edge_triples(rel_type):
                out.setdefault(start, {}).setdefault(rel_type, []).append(end)
        for node in batch.node_dicts("Contact"):
            cid = node["id"]
            edges = out.get(cid, {})
            run(NAIVE_CONTACT, id=cid, props=node, agency=recorded[cid], review=rid, about=edges.get("ABOUT", []),
                referred_to=edges.get("REFERRED_TO", []), shared_with=edges.get("SHARED_WITH", []),
                factors=[{"id": f, "name": f.split(":", 1)[1]} for f in edges.get("FLAGGED", [])])
    return queries


# The ceiling: the simplest Cypher that writes the same nodes, relationships and properties, with the same
# constraints, transactions of the same reviews (``Neo4jStore._transaction_groups``), into an empty database (no
# delete phase), every statement's parameters built before the clock starts: one plain UNWIND per label (MERGE
# for the labels reviews share, CREATE for the rest) and one per (type, start label, end label) of relationships,
# each end sought through its unique index. What the server alone needs to write the graph this way. The statements
# are the loader's own generic ones (CREATE_NODES, MERGE_NODES, CREATE_EDGES), applied to contacts too.
def ceiling_transactions(batches) -> list[list[tuple[str, dict]]]:
    """The ceiling's transactions: each a list of (statement, parameters)."""
    from dhrgraph.graph.model import LABELS, REL_TYPES, SHARED_LABELS
    from dhrgraph.graph.neo4j_store import CREATE_EDGES, CREATE_NODES, MERGE_NODES, WRITE_CHUNK, Neo4jStore, label_of

    transactions = []
    for group in Neo4jStore._transaction_groups(batches):
        statements = []
        for label in LABELS:
            rows = [row for batch in group for row in batch.node_dicts(label)]
            cypher = (MERGE_NODES if label in SHARED_LABELS else CREATE_NODES).format(label=label)
            statements += [(cypher, {"rows": rows[i:i + WRITE_CHUNK]}) for i in range(0, len(rows), WRITE_CHUNK)]
        for rel_type in REL_TYPES:
            ends: dict[tuple[str, str], list] = {}
            for batch in group:
                for start, end, props in batch.edge_triples(rel_type):
                    ends.setdefault((label_of(start), label_of(end)), []).append([start, end, props])
            for (start, end), rows in ends.items():
                cypher = CREATE_EDGES.format(type=rel_type, start=start, end=end)
                statements += [(cypher, {"rows": rows[i:i + WRITE_CHUNK]}) for i in range(0, len(rows), WRITE_CHUNK)]
        transactions.append(statements)
    return transactions


def ceiling_write(transactions, driver, database: str) -> None:
    def write(tx, statements) -> None:
        for cypher, params in statements:
            tx.run(cypher, params).consume()

    with driver.session(database=database) as session:
        for statements in transactions:
            session.execute_write(write, statements)


def neo4j_settings():
    from dhrgraph.graph.backends import Settings

    return Settings.from_env(backend="neo4j")


def worker(backend: str, corpus: str, workspace: str | None) -> dict:
    from dhrgraph.graph.backends import Settings, open_store
    from dhrgraph.loaders import read_reviews

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    result = read_reviews([corpus])
    t1 = time.perf_counter()
    contacts = sum(len(r.contacts) for r in result.reviews)
    extra: dict = {}
    if backend == "embedded":
        with open_store(Settings(workspace=workspace)) as store:
            store.load_reviews(result)
    elif backend == "neo4j":
        with open_store(neo4j_settings()) as store:
            store.load_reviews(result)
    elif backend == "naive":
        from dhrgraph.graph.model import LABELS, review_batch
        from dhrgraph.graph.neo4j_store import CONSTRAINT
        from neo4j import GraphDatabase

        s = neo4j_settings()
        with GraphDatabase.driver(s.neo4j_uri, auth=(s.neo4j_user, s.neo4j_password)) as driver:
            for label in LABELS:  # the same indexes the batched store has (outside the timing: they exist already)
                driver.execute_query(CONSTRAINT.format(label=label), database_=s.neo4j_database)
            t1 = time.perf_counter()
            with driver.session(database=s.neo4j_database) as session:
                extra["queries"] = naive_write([review_batch(r) for r in result.reviews], session)
    elif backend == "ceiling":
        from dhrgraph.graph.model import LABELS, review_batch
        from dhrgraph.graph.neo4j_store import CONSTRAINT
        from neo4j import GraphDatabase

        s = neo4j_settings()
        with GraphDatabase.driver(s.neo4j_uri, auth=(s.neo4j_user, s.neo4j_password)) as driver:
            for label in LABELS:
                driver.execute_query(CONSTRAINT.format(label=label), database_=s.neo4j_database)
            t_build = time.perf_counter()
            transactions = ceiling_transactions([review_batch(r) for r in result.reviews])
            t1 = time.perf_counter()  # the statements are ready: only the server's writing is timed
            extra["prepare_s"] = t1 - t_build  # in total_s, not in read_s (validation) nor write_s
            ceiling_write(transactions, driver, s.neo4j_database)
    else:
        raise SystemExit(f"unknown backend {backend}")
    t2 = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    extra["client_cpu_s"] = usage.ru_utime + usage.ru_stime - cpu0  # validation, building and sending (a thread's too)
    return {"backend": backend, "contacts": contacts, "reviews": len(result.reviews), "read_s": t1 - t0 - extra.get("prepare_s", 0),
            "write_s": t2 - t1, "total_s": t2 - t0, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "baseline_rss_mb": rss0 / 1024, **extra}


def profile(corpus: str, workspace: str, top: int = 15) -> None:
    import cProfile
    import pstats

    from dhrgraph.graph.backends import Settings, open_store

    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    with open_store(Settings(workspace=workspace)) as store:
        report = store.load([corpus])
    profiler.disable()
    print(f"# embedded load of {report.contacts} contacts under cProfile: {time.perf_counter() - t0:.1f} s", flush=True)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# --- the driver: corpora, server, runs, report -------------------------------------------------------

def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def corpus_for(cache: Path, size: int) -> Path:
    from dhrgraph import synth

    path = cache / f"combined-{size}-seed1"
    key = path / "answer_key.json"
    if key.exists() and json.loads(key.read_text())["contacts"] == size:
        return path
    shutil.rmtree(path, ignore_errors=True)
    log(f"generating a corpus of {size} contacts in {path}")
    t = time.perf_counter()
    synth.generate(path, reviews=max(1, size // 200), contacts=size, seed=1, layout="combined")
    log(f"  generated in {time.perf_counter() - t:.1f} s")
    return path


def run_worker(backend: str, corpus: Path, workspace: Path | None, env: dict) -> dict:
    cmd = [sys.executable, __file__, "--worker", backend, "--corpus", str(corpus)]
    if workspace:
        cmd += ["--workspace", str(workspace)]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(f"{backend} worker failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = wall  # includes interpreter start-up and imports
    return result


class Server:
    """NEO4J_* of the server in the environment, or of a throwaway one from tools/neo4j-local."""

    def __init__(self, state: Path):
        self.state = state
        self.started = False
        self.env: dict[str, str] = {}

    def __enter__(self) -> "Server":
        if os.environ.get("NEO4J_URI"):
            self.env = {k: os.environ[k] for k in ALL_NEO4J if k in os.environ}
            return self
        log("starting a throwaway Neo4j with tools/neo4j-local")
        env = {**os.environ, "DHRGRAPH_NEO4J_STATE": str(self.state)}
        done = subprocess.run([str(ROOT / "tools" / "neo4j-local"), "start"], capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"tools/neo4j-local start failed:\n{done.stderr[-3000:]}")
        self.started = True
        for line in done.stdout.splitlines():
            if line.startswith("export ") and "=" in line:
                key, value = line[len("export "):].split("=", 1)
                self.env[key] = value
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            env = {**os.environ, "DHRGRAPH_NEO4J_STATE": str(self.state)}
            subprocess.run([str(ROOT / "tools" / "neo4j-local"), "stop"], capture_output=True, text=True, env=env)

    def driver(self):
        from neo4j import GraphDatabase

        return GraphDatabase.driver(self.env["NEO4J_URI"], auth=(self.env.get("NEO4J_USERNAME", "neo4j"), self.env["NEO4J_PASSWORD"]))

    @property
    def database(self) -> str:
        return self.env.get("NEO4J_DATABASE", "neo4j")

    def clear(self) -> None:
        from dhrgraph.graph.backends import Settings, open_store

        with open_store(Settings.from_env(self.env, backend="neo4j")) as store:
            store.clear()

    def counts(self) -> dict[str, int]:
        with self.driver() as driver:
            nodes, _, _ = driver.execute_query("MATCH (n) RETURN labels(n)[0] AS k, count(*) AS n", database_=self.database)
            rels, _, _ = driver.execute_query("MATCH ()-[x]->() RETURN type(x) AS k, count(*) AS n", database_=self.database)
        return {r["k"]: r["n"] for r in [*nodes, *rels]}

    def cpu(self) -> float | None:
        """User+sys seconds the server process has used so far: the one this script started, or the one whose state
        dir is $DHRGRAPH_NEO4J_STATE (``tools/neo4j-local`` writes its pid there); None when unknown."""
        state = self.state if self.started else Path(os.environ["DHRGRAPH_NEO4J_STATE"]) if os.environ.get("DHRGRAPH_NEO4J_STATE") else None
        try:
            pid = (state / "pid").read_text().strip() if state else ""
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def server_rss_mb(self) -> float | None:
        pid_file = self.state / "pid"
        if not self.started or not pid_file.exists():
            return None
        try:
            for line in Path(f"/proc/{pid_file.read_text().strip()}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None


def admin_import(corpus: Path, workspace: Path, cache: Path, embedded: dict | None, verify: bool) -> dict:
    """The ``admin`` backend (the module's docstring): each step a process, timed from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "DHRGRAPH_"))}
    cli = [sys.executable, "-m", "dhrgraph.cli"]
    if embedded is None:
        embedded = run_worker("embedded", corpus, workspace, env)
    root = Path(tempfile.mkdtemp(prefix="admin-", dir=cache))
    server_env = {**env, "DHRGRAPH_NEO4J_STATE": str(root / "state"), "NEO4J_LOCAL_DATA": str(root / "data")}
    steps: dict[str, float] = {}

    def step(name: str, command: list[str], environment: dict) -> str:
        t = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=environment)
        steps[name] = time.perf_counter() - t
        if done.returncode != 0:
            raise RuntimeError(f"admin: {name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done.stdout

    try:
        step("export_s", [*cli, "--workspace", str(workspace), "export", "--neo4j-import", str(root / "files")], env)
        step("import_s", [str(ROOT / "tools" / "neo4j-local"), "import", str(root / "files")], server_env)
        started = step("start_s", [str(ROOT / "tools" / "neo4j-local"), "start"], server_env)
        neo4j_env = {**env, **dict(line[len("export "):].split("=", 1) for line in started.splitlines() if line.startswith("export "))}
        step("finish_s", [*cli, "--backend", "neo4j", "import", str(root / "files"), "--no-answers"], neo4j_env)
        server = Server(root / "state")
        server.env = {k: v for k, v in neo4j_env.items() if k in ALL_NEO4J}
        result = {"backend": "admin", "contacts": embedded["contacts"], "reviews": embedded["reviews"],
                  "read_s": embedded["total_s"], "write_s": sum(steps.values()), **steps,
                  "total_s": embedded["total_s"] + sum(steps.values()), "maxrss_mb": embedded["maxrss_mb"],
                  "graph_counts": server.counts()}
        if verify:
            result["dump"] = dump(_neo4j_settings(server.env))
        return result
    finally:
        subprocess.run([str(ROOT / "tools" / "neo4j-local"), "stop"], capture_output=True, text=True, env=server_env)
        shutil.rmtree(root, ignore_errors=True)


def dump(settings) -> list:
    from dhrgraph.graph.backends import open_store
    from dhrgraph.queries.core import DUMP

    with open_store(settings) as store:
        return store.run(DUMP)


def time_stats(workspace: Path, runs: int = 3) -> list[float]:
    times = []
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "DHRGRAPH_"))}
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--workspace", str(workspace), "stats", "--format", "json"],
                              capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t)
        if done.returncode != 0:
            raise RuntimeError(f"stats failed: {done.stderr[-2000:]}")
    return times


def fmt_rate(r: dict | None) -> str:
    return f"{r['contacts'] / r['write_s']:,.0f}" if r else "-"


def markdown(results: list[dict], sizes: list[int], backends: list[str], naive_max: int) -> str:
    by = {(r["size"], r["backend"]): r for r in results}
    lines = [
        "| contacts | backend | validate s | write s | total s | contacts/s (write) | contacts/s (total) | µs/contact (total) | peak RSS MB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        for backend in backends:
            r = by.get((size, backend))
            if r is None:
                if backend == "naive" and size > naive_max:
                    lines.append(f"| {size:,} | naive | - | - | - | not run (> --naive-max {naive_max:,}) | | | |")
                continue
            lines.append(f"| {size:,} | {backend} | {r['read_s']:.1f} | {r['write_s']:.1f} | {r['total_s']:.1f} | "
                         f"{r['contacts'] / r['write_s']:,.0f} | {r['contacts'] / r['total_s']:,.0f} | "
                         f"{1e6 * r['total_s'] / r['contacts']:.1f} | {r['maxrss_mb']:,.0f} |")
    ratios = []
    for size in sizes:
        b, n = by.get((size, "neo4j")), by.get((size, "naive"))
        if b and n:
            ratios.append(f"- {size:,} contacts: batched Neo4j writes {n['write_s'] / b['write_s']:.1f}x as fast as naive "
                          f"({fmt_rate(b)} vs {fmt_rate(n)} contacts/s; {n.get('queries', 0):,} naive queries)")
    if ratios:
        lines += ["", "Batched / naive (write phase, same records, same constraints):", *ratios]
    ceiling = []
    for size in sizes:
        b, c = by.get((size, "neo4j")), by.get((size, "ceiling"))
        if b and c:
            cpu = lambda r: f"{r['server_cpu_s']:.1f} s" if r.get("server_cpu_s") is not None else "n/a"
            ceiling.append(f"- {size:,} contacts: the loader {fmt_rate(b)} contacts/s, the ceiling {fmt_rate(c)} contacts/s: "
                           f"{c['write_s'] / b['write_s']:.2f} of the ceiling (server CPU: loader {cpu(b)}, ceiling {cpu(c)}; "
                           f"the loader's client CPU {b.get('client_cpu_s', 0):.1f} s with validation)")
    if ceiling:
        lines += ["", "Loader / ceiling (write phase; the ceiling: the simplest Cypher writing the same graph, its "
                      "statements built before timing, into an empty database):", *ceiling]
    admin = []
    for size in sizes:
        b, a = by.get((size, "neo4j")), by.get((size, "admin"))
        if a:
            against = (f"; the loader {fmt_rate(b)} contacts/s ({b['write_s']:.1f} s), the import "
                       f"{b['write_s'] / a['write_s']:.2f}x as fast") if b else ""
            admin.append(f"- {size:,} contacts: export {a['export_s']:.1f} s, neo4j-admin import {a['import_s']:.1f} s, "
                         f"server start {a['start_s']:.1f} s, finish {a['finish_s']:.1f} s: {fmt_rate(a)} contacts/s"
                         f"{against} (from the corpus, with the embedded load: {a['total_s']:.1f} s)")
    if admin:
        lines += ["", "neo4j-admin's offline import into an empty database (each step a process):", *admin]
    growth = []
    for backend in backends:
        runs = [by[(s, backend)] for s in sizes if (s, backend) in by]
        if len(runs) > 1:
            base = runs[0]["total_s"] / runs[0]["contacts"]
            steps = ", ".join(f"{r['contacts']:,}: {(r['total_s'] / r['contacts']) / base:.2f}" for r in runs)
            wbase = runs[0]["write_s"] / runs[0]["contacts"]
            wsteps = ", ".join(f"{r['contacts']:,}: {(r['write_s'] / r['contacts']) / wbase:.2f}" for r in runs)
            growth.append(f"- {backend}: time per contact relative to the smallest size: total {steps}; write {wsteps}")
    if growth:
        lines += ["", "Linearity (1.00 = time grows exactly in proportion to size):", *growth]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="contacts per corpus, comma-separated")
    parser.add_argument("--backends", default="embedded,neo4j,naive", help="any of embedded,neo4j,naive")
    parser.add_argument("--naive-max", type=int, default=10_000,
                        help="largest size the naive loader runs at (it is slow: ~0.3-1 ms a row on a 2-core box)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"), help="JSON results")
    parser.add_argument("--cache-dir", default=str(Path(tempfile.gettempdir()) / "dhrgraph-bench-load"),
                        help="where corpora (kept between runs) and workspaces go")
    parser.add_argument("--verify-max", type=int, default=10_000,
                        help="up to this size, check that all backends hold the identical graph (full dump)")
    parser.add_argument("--warmup", type=int, default=10_000, help="contacts loaded once into Neo4j by each Neo4j loader before timing (0: none)")
    parser.add_argument("--stats-runs", type=int, default=3, help="fresh `dhrgraph stats` processes to time")
    parser.add_argument("--profile", type=int, metavar="SIZE", help="only profile the embedded load of SIZE contacts")
    parser.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--workspace", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.corpus, args.workspace)))
        return
    cache = Path(args.cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    if args.profile:
        corpus = corpus_for(cache, args.profile)
        workspace = Path(tempfile.mkdtemp(prefix="ws-profile-", dir=cache))
        try:
            profile(str(corpus), str(workspace))
        finally:
            shutil.rmtree(workspace, ignore_errors=True)
        return

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    backends = [b for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends {sorted(unknown)}; choose from {', '.join(BACKENDS)}")
    started = time.perf_counter()
    load_at_start = os.getloadavg()
    results: list[dict] = []
    checks: list[str] = []
    stats_size = max([s for s in sizes if s <= STATS_SIZE] or [min(sizes)])
    stats_times: list[float] = []
    need_server = bool({"neo4j", "naive", "ceiling"} & set(backends))
    state = Path(tempfile.mkdtemp(prefix="neo4j-state-", dir=cache))
    with Server(state) if need_server else _nothing() as server:
        worker_env = {**os.environ, **(server.env if server else {})}
        if server and args.warmup:
            # a fresh server plans each statement once and JIT-compiles its hot paths: not part of a load's cost
            corpus = corpus_for(cache, args.warmup)
            for backend in [b for b in backends if b not in ("embedded", "admin")]:
                server.clear()
                t = time.perf_counter()
                run_worker(backend, corpus, None, worker_env)
                log(f"warm-up: {backend} loaded {args.warmup:,} contacts in {time.perf_counter() - t:.1f} s (not counted)")
        for size in sizes:
            corpus = corpus_for(cache, size)
            workspace = cache / f"workspace-{size}"
            for backend in backends:
                if backend == "admin":
                    log(f"admin: exporting and importing {size:,} contacts with neo4j-admin ...")
                    embedded = next((r for r in results if r["size"] == size and r["backend"] == "embedded"), None)
                    result = admin_import(corpus, workspace, cache, embedded, size <= args.verify_max)
                    result["size"] = size
                    log("  " + ", ".join(f"{k[:-2]} {result[k]:.1f} s" for k in ("export_s", "import_s", "start_s", "finish_s"))
                        + f": {result['contacts'] / result['write_s']:,.0f} contacts/s")
                    results.append(result)
                    continue
                if backend == "naive" and size > args.naive_max:
                    log(f"naive: skipping {size} contacts (> --naive-max {args.naive_max})")
                    continue
                if backend == "embedded":
                    shutil.rmtree(workspace, ignore_errors=True)
                else:
                    t = time.perf_counter()
                    server.clear()
                    log(f"cleared the database in {time.perf_counter() - t:.1f} s")
                log(f"{backend}: loading {size:,} contacts ...")
                cpu0 = server.cpu() if server and backend != "embedded" else None
                result = run_worker(backend, corpus, workspace if backend == "embedded" else None, worker_env)
                cpu1 = server.cpu() if cpu0 is not None else None
                result["server_cpu_s"] = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
                result["size"] = size
                if backend != "embedded":
                    result["graph_counts"] = server.counts()
                    result["server_peak_rss_mb"] = server.server_rss_mb()
                    if size <= args.verify_max:
                        result["dump"] = dump(_neo4j_settings(server.env))
                log(f"  {result['contacts']:,} contacts: validate {result['read_s']:.1f} s, write {result['write_s']:.1f} s, "
                    f"{result['contacts'] / result['write_s']:,.0f} contacts/s written, peak RSS {result['maxrss_mb']:,.0f} MB")
                results.append(result)
            here = {r["backend"]: r for r in results if r["size"] == size}
            if "neo4j" in here and "naive" in here:
                same = here["neo4j"]["graph_counts"] == here["naive"]["graph_counts"]
                checks.append(f"{size:,}: naive and batched Neo4j node/relationship counts {'identical' if same else 'DIFFER'}")
            if size <= args.verify_max and "embedded" in here:
                from dhrgraph.graph.backends import Settings

                reference = dump(Settings(workspace=str(workspace)))
                for other in ("neo4j", "naive", "ceiling", "admin"):
                    if other in here:
                        same = here[other]["dump"] == reference
                        checks.append(f"{size:,}: {other} graph {'identical to' if same else 'DIFFERS from'} the embedded one (full dump, {len(reference):,} rows)")
            for r in here.values():
                r.pop("dump", None)
            if size == stats_size and "embedded" in here and args.stats_runs:
                stats_times = time_stats(workspace, args.stats_runs)
                log(f"`dhrgraph stats` on {size:,} contacts: {', '.join(f'{t:.2f}' for t in stats_times)} s")
            if workspace.exists():
                shutil.rmtree(workspace, ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)

    table = markdown(results, sizes, backends, args.naive_max)
    print(table)
    if checks:
        print("\nSame graph:\n" + "\n".join(f"- {c}" for c in checks))
    if stats_times:
        print(f"\nStart-up: a fresh `dhrgraph stats` process on the embedded workspace of {stats_size:,} contacts took "
              f"{statistics.median(stats_times):.2f} s (median of {len(stats_times)}: {', '.join(f'{t:.2f}' for t in stats_times)} s)")
    total = time.perf_counter() - started
    print(f"\nWhole run: {total / 60:.1f} min")
    out = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "loadavg_at_start": load_at_start, "loadavg_at_end": os.getloadavg()},
        "naive_max": args.naive_max, "results": results, "checks": checks,
        "stats_startup": {"size": stats_size, "seconds": stats_times}, "run_minutes": total / 60, "table": table,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1))
    log(f"wrote {args.out}")


def _neo4j_settings(env: dict):
    from dhrgraph.graph.backends import Settings

    return Settings(backend="neo4j", neo4j_uri=env["NEO4J_URI"], neo4j_user=env.get("NEO4J_USERNAME", "neo4j"),
                    neo4j_password=env["NEO4J_PASSWORD"], neo4j_database=env.get("NEO4J_DATABASE", "neo4j"))


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc: object) -> None:
        return None


if __name__ == "__main__":
    main()
