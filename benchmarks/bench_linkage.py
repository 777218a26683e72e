"""`dhrgraph link` against synth's answer key: precision, recall and time, at the default threshold.

    python benchmarks/bench_linkage.py --reviews 500 --seeds 1,2,3

For each seed: a synthetic corpus of ``--reviews`` reviews (people with aliases, dob, postcode,
identifiers, and the planted hard cases of ``synth.plant_identities``) is loaded into a fresh
embedded workspace; then, in a new process as a user would run it, ``dhrgraph link --format json``
is timed whole (start-up, opening the workspace, reading the person records, splink; wall clock and
the CPU time of the process, which is what it takes on a quiet machine) and its pairs
are scored against ``answer_key.json``: a proposed pair is right when the key lists it under
``same``; recall is over every ``same`` pair. Planted look-alikes (``different``) that are proposed
are listed. Prints a Markdown table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dhrgraph import synth  # noqa: E402
from dhrgraph.graph.backends import Settings, open_store  # noqa: E402


def pairs(rows: list[dict]) -> set[frozenset]:
    return {frozenset(f"{r[side]['review']}/{r[side]['person']}" for side in ("left", "right")) for r in rows}


def run(reviews: int, seed: int, folder: Path) -> dict:
    corpus, workspace = folder / f"corpus-{seed}", folder / f"workspace-{seed}"
    synth.generate(corpus, reviews=reviews, seed=seed)
    with open_store(Settings(workspace=str(workspace))) as store:
        store.load([corpus])
    dhrgraph = Path(sys.executable).with_name("dhrgraph")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([str(dhrgraph), "--workspace", str(workspace), "link", "--format", "json"],
                            capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    found = pairs(json.loads(result.stdout))
    key = json.loads((corpus / "answer_key.json").read_text(encoding="utf-8"))["identities"]
    same, different = pairs(key["same"]), pairs(key["different"])
    right = found & same
    return {"reviews": reviews, "seed": seed, "proposed": len(found), "planted": len(same), "right": len(right),
            "precision": round(len(right) / len(found), 3) if found else 1.0, "recall": round(len(right) / len(same), 3),
            "look_alikes_proposed": sorted(sorted(p) for p in found & different),
            "missed": sorted(sorted(p) for p in same - found), "wrong": sorted(sorted(p) for p in found - same),
            "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "load_average": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results-linkage.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dhrgraph-linkage-") as tmp:
        results = [run(args.reviews, int(seed), Path(tmp)) for seed in args.seeds.split(",")]
    print("| reviews | seed | planted pairs | proposed | precision | recall | `dhrgraph link` wall (s) | CPU (s) | load average |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['reviews']} | {r['seed']} | {r['planted']} | {r['proposed']} | {r['precision']} | {r['recall']} | "
              f"{r['seconds']} | {r['cpu_seconds']} | {r['load_average']:.1f} |")
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
