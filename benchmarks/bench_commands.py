#!/usr/bin/env python3
"""What an analyst waits for: each command of issue 16's table as a fresh ``dhrgraph`` process, on both backends.

    .venv/bin/python benchmarks/bench_commands.py --contacts 120000 --backends embedded,neo4j

A synthetic corpus (``synth.generate(..., reviews=contacts // 200, layout="combined")``, cached under
``--cache``) is loaded once into an embedded workspace and (when NEO4J_URI is set) into the Neo4j
database, which is cleared first. Then every command runs ``--repeat`` times as its own process
(``.venv/bin/dhrgraph``, so start-up and imports count); the median wall time and the median CPU time
(user + sys of the child, from ``wait4``: the honest figure on a loaded machine) and its peak resident memory are printed with
the ratio to the same command on the other backend and the previous run's figures.

Every run is appended to ``--out`` (JSON, the last ``KEEP`` runs): the next run prints the previous
one beside it, so a change is measured against the code before it on the same corpus size.

Both stores keep values derived from the whole graph (the identity map and the rows of catalogue queries over
every review: the embedded workspace in ``derived/``, Neo4j as ``DhrgraphAnswer`` nodes) until a load or a
decision changes their inputs. So each command is measured three times: ``cold``, with them dropped before every
run (nothing kept: a load with ``--no-answers``, or kept values lost); ``ahead``, with them as `dhrgraph load`
leaves them (it computes the catalogue's answers ahead: ``answer_ahead``, timed once and printed), reported with
`` [after load]``; and ``warm`` (the same command again), `` [warm]``.
Children run with compiled bytecode as an installed dhrgraph has (``PYTHONDONTWRITEBYTECODE`` is
dropped from their environment and each command is run once before it is timed: compiling
dhrgraph's modules costs about 0.3 s a start).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEEP = 10  # runs kept in the results file
DHRGRAPH = Path(sys.executable).with_name("dhrgraph")
REVIEW = "syn-0001"
PERSON = "Adult A"  # synth's victim of every review


def commands(out: Path, catalogue: bool = False) -> list[tuple[str, list[str]]]:
    """(label, arguments) of issue 16's table, in order; with ``catalogue``, then every catalogue query over every
    review."""
    from dhrgraph import queries

    every = [(f"query {q.name}", ["query", q.name]) for q in queries.catalogue() if q.name != "unshared-risk"] if catalogue else []
    return [
        ("--help", ["--help"]),
        ("stats", ["stats"]),
        (f"query missed-marac --review {REVIEW}", ["query", "missed-marac", "--review", REVIEW]),
        (f"timeline '{PERSON}' --review {REVIEW}", ["timeline", PERSON, "--review", REVIEW]),
        (f"findings --review {REVIEW}", ["findings", "--review", REVIEW]),
        (f"viz --review {REVIEW}", ["viz", "--review", REVIEW, "--output", str(out / "review.html")]),
        ("query unshared-risk", ["query", "unshared-risk"]),
        ("viz --query unshared-risk", ["viz", "--query", "unshared-risk", "--output", str(out / "unshared.html")]),
        ("findings --output report.html", ["findings", "--output", str(out / "report.html")]),
        *every,
    ]


def corpus(contacts: int, cache: Path) -> Path:
    from dhrgraph import synth

    folder = cache / f"synth-{contacts}"
    if not (folder / "answer_key.json").exists():
        synth.generate(folder, reviews=max(1, contacts // 200), contacts=contacts, seed=1, layout="combined")
    return folder


def load(backend: str, folder: Path, workspace: Path) -> float:
    """Load the corpus into an emptied store of ``backend``; return the seconds it took."""
    from dhrgraph.graph.backends import Settings, open_store

    with open_store(Settings.from_env(backend=backend, workspace=str(workspace))) as store:
        store.clear()
        started = time.perf_counter()
        store.load([folder])
        return time.perf_counter() - started


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak resident megabytes) of one fresh process. The peak is GNU time's (a child
    forked from this process, which holds the loaded corpus, would count this process's memory in its own peak)."""
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile() as peak, tempfile.TemporaryFile() as err:
        measured = ["/usr/bin/time", "-f", "%M", "-o", peak.name, *argv] if os.path.exists("/usr/bin/time") else argv
        child = subprocess.Popen(measured, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)  # this child's usage with its children's (RUSAGE_CHILDREN: of all so far)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if child.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}):\n{err.read().decode(errors='replace')[-2000:]}")
        kilobytes = peak.read().split()[-1:] if measured is not argv else []
    return wall, usage.ru_utime + usage.ru_stime, int(kilobytes[0]) / 1024 if kilobytes else float("nan")


def previous_runs(path: Path) -> list[dict]:
    try:
        runs = json.loads(path.read_text("utf-8"))
        return runs if isinstance(runs, list) else []
    except (OSError, ValueError):
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=120_000, help="corpus size (contacts; reviews = contacts // 200)")
    parser.add_argument("--backends", default="embedded,neo4j", help="comma-separated; neo4j needs NEO4J_URI and NEO4J_PASSWORD")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (the median is reported)")
    parser.add_argument("--only", help="run only the commands whose label contains this text")
    parser.add_argument("--skip", help="skip the commands whose label contains this text")
    parser.add_argument("--code", help="run the commands with dhrgraph's code from this folder (it holds a dhrgraph/ folder: "
                                           "e.g. `git archive START | tar -x -C DIR/dhrgraph`), to measure the code before a "
                                           "change in the same run, on the same workspace; cold runs only")
    parser.add_argument("--catalogue", action="store_true", help="also time every catalogue query over every review")
    parser.add_argument("--label", default="", help="a word for this run in the results file (e.g. before, after)")
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "dhrgraph-bench-commands"))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results-commands.json"))
    args = parser.parse_args()
    backends = args.backends.split(",")
    if "neo4j" in backends and not os.environ.get("NEO4J_URI"):
        raise SystemExit("the neo4j backend needs NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD (tools/neo4j-local start)")
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    folder = corpus(args.contacts, cache)
    out_path = Path(args.out)
    runs = previous_runs(out_path)
    previous = next((r for r in reversed(runs) if r.get("contacts") == args.contacts), None)
    results: list[dict] = []
    loads: dict[str, float] = {}
    run = {"label": args.label, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "contacts": args.contacts,
           "reviews": max(1, args.contacts // 200), "repeat": args.repeat, "load_seconds": loads,
           "load_average": os.getloadavg()[0], "python": platform.python_version(), "commit": _commit(),
           "code": args.code or "", "results": results}
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        scratch_path = Path(scratch)
        workspace = scratch_path / "ws"
        for backend in backends:
            loads[backend] = load(backend, folder, workspace)
            print(f"loaded {args.contacts:,} contacts into {backend} in {loads[backend]:.1f} s", flush=True)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env.update({"DHRGRAPH_BACKEND": backend, "DHRGRAPH_WORKSPACE": str(workspace)})
            if args.code:
                env["PYTHONPATH"] = str(Path(args.code).resolve())
            timed([str(DHRGRAPH), "--help"], env, scratch_path)  # compiles dhrgraph's modules once
            if backend == "embedded" and not args.only:
                run["floors"] = floors(workspace, env, scratch_path)
                print(f"floors: {run['floors']}", flush=True)
            kept = Kept(backend, workspace, scratch_path / "derived-ahead")
            if not args.code:
                run.setdefault("answer_ahead_seconds", {})[backend] = kept.answer_ahead()
                print(f"answered the catalogue ahead on {backend} in {run['answer_ahead_seconds'][backend]:.1f} s", flush=True)
            for label, argv in commands(scratch_path, args.catalogue):
                if (args.only and args.only not in label) or (args.skip and args.skip in label):
                    continue
                states = ["cold", "ahead", "warm"] if argv != ["--help"] and not args.code else ["cold"]
                for state in states:
                    walls, cpus, peaks = [], [], []
                    for _ in range(args.repeat):
                        if state == "cold":
                            kept.forget()
                        if state == "ahead":
                            kept.restore()
                        wall, cpu, peak = timed([str(DHRGRAPH), *argv], env, scratch_path)
                        walls.append(wall)
                        cpus.append(cpu)
                        peaks.append(peak)
                    name = {"cold": label, "ahead": f"{label} [after load]", "warm": f"{label} [warm]"}[state]
                    results.append({"backend": backend, "command": name, "seconds": statistics.median(walls),
                                    "cpu_seconds": statistics.median(cpus), "peak_mb": round(max(peaks))})
                    print(f"{backend:<9} {name:<49} {statistics.median(walls):7.2f} s  cpu {statistics.median(cpus):6.2f} s  "
                          f"peak {max(peaks):6.0f} MB", flush=True)
                    # written after every command, so that a run cut short keeps what it measured
                    run["load_average"] = max(run["load_average"], os.getloadavg()[0])
                    out_path.write_text(json.dumps([*runs, run][-KEEP:], indent=1) + "\n", encoding="utf-8")
    print_table(run, previous)


class Kept:
    """The values a store keeps (``Store.remembered``): the workspace's ``derived/``, the database's
    ``DhrgraphAnswer`` nodes. ``answer_ahead`` computes them as `dhrgraph load` does and takes a copy;
    ``forget`` drops them (cold); ``restore`` puts the copy back (after load)."""

    def __init__(self, backend: str, workspace: Path, copy: Path):
        self.backend, self.workspace, self.copy, self.nodes = backend, workspace, copy, []

    def _store(self):
        from dhrgraph.graph.backends import Settings, open_store

        return open_store(Settings.from_env(backend=self.backend, workspace=str(self.workspace)))

    def answer_ahead(self) -> float:
        """What `dhrgraph load` does after writing the reviews of a big store (``triage.answer_ahead``), timed."""
        from dhrgraph.queries.triage import answer_ahead

        self.forget()
        with self._store() as store:
            started = time.perf_counter()
            answer_ahead(store, True)
            seconds = time.perf_counter() - started
        if self.backend == "embedded":
            shutil.copytree(self.workspace / "derived", self.copy)
        else:
            with self._store() as store:
                self.nodes = store.read("MATCH (a:DhrgraphAnswer) RETURN properties(a) AS a")
        return seconds

    def forget(self) -> None:
        if self.backend == "embedded":
            shutil.rmtree(self.workspace / "derived", ignore_errors=True)
        else:
            with self._store() as store:
                store.driver.execute_query("MATCH (a:DhrgraphAnswer) DELETE a", database_=store.database)

    def restore(self) -> None:
        self.forget()
        if self.backend == "embedded":
            if self.copy.exists():
                shutil.copytree(self.copy, self.workspace / "derived")
        elif self.nodes:
            with self._store() as store:
                store.driver.execute_query("UNWIND $rows AS row CREATE (a:DhrgraphAnswer) SET a = row.a",
                                           rows=self.nodes, database_=store.database)


def floors(workspace: Path, env: dict[str, str], cwd: Path) -> dict[str, float]:
    """What no embedded command can go under, in CPU seconds: starting Python with click and NetworkX (a fresh
    process), and reading every review file's bytes and parsing their JSON (in this process, the collector paused
    as the store pauses it)."""
    import gc

    import orjson

    _, start, _ = timed([sys.executable, "-c", "import click, networkx"], env, cwd)
    manifest = json.loads((workspace / "manifest.json").read_bytes())
    gc.disable()
    try:
        started = time.process_time()
        raw = [(workspace / entry["file"]).read_bytes() for entry in manifest["reviews"]]
        read = time.process_time() - started
        parsed = [orjson.loads(data) for data in raw]
        parse = time.process_time() - started - read
        del parsed
    finally:
        gc.enable()
    return {"start_python_click_networkx": round(start, 3), "read_review_files": round(read, 3),
            "parse_review_json": round(parse, 3), "megabytes": round(sum(map(len, raw)) / 1e6, 1)}


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def print_table(run: dict, previous: dict | None) -> None:
    def find(r: dict | None, backend: str, command: str) -> dict | None:
        return next((x for x in (r or {}).get("results", []) if (x["backend"], x["command"]) == (backend, command)), None)

    backends = list(dict.fromkeys(x["backend"] for x in run["results"]))
    before = f"previous run ({previous['date']}, {previous.get('label') or previous.get('commit', '')})" if previous else "no previous run"
    print(f"\n{run['contacts']:,} contacts, {run['reviews']} reviews; highest 1-min load average {run['load_average']:.1f}; "
          f"times are the median of {run['repeat']} fresh processes: wall s / CPU s; before = {before}\n")
    header = ["command"]
    for b in backends:
        header += [f"{b} before", f"{b} now"] + ([f"{b} / {[o for o in backends if o != b][0]}"] if len(backends) > 1 else [])
    print("| " + " | ".join(header) + " |")
    print("| --- |" + " ---: |" * (len(header) - 1))
    for command in dict.fromkeys(x["command"] for x in run["results"]):
        cells = [f"`{command}`"]
        for b in backends:
            now, old = find(run, b, command), find(previous, b, command)
            cells.append(f"{old['seconds']:.2f} / {old['cpu_seconds']:.2f}" if old else "")
            cells.append(f"{now['seconds']:.2f} / {now['cpu_seconds']:.2f}" if now else "")
            if len(backends) > 1:
                other = find(run, [o for o in backends if o != b][0], command)
                cells.append(f"{now['seconds'] / other['seconds']:.2f}" if now and other and other["seconds"] else "")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
