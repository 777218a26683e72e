"""Queries over every review computed cluster by cluster (the embedded store), and the work shared with a forked process.

A query whose rows about a review depend only on the reviews sharing a person with it runs, over every review, on
each cluster of reviews joined by a person who is one node, the clusters split between the command's process and a
forked one; each cluster's rows are kept, so after a load only the clusters it changed are computed again. The rows
must be the whole graph's, in the same order, forked or not, cold or kept; whatever fails in the forked process is
done by the command's own.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from dhrgraph import queries, synth
from dhrgraph.graph import embedded, parallel
from dhrgraph.graph.embedded import EmbeddedStore
from dhrgraph.graph.store import local
from dhrgraph.queries.base import REVIEW_PARAM, Query
from helpers import IN_CI

LOCAL = [q for q in queries.catalogue() if local(q)]


@pytest.fixture(scope="module")
def synth_folders(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("by-cluster") / "corpus"
    synth.generate(folder, reviews=24, seed=3)  # one folder per review: one of them can be loaded again alone
    return folder


@pytest.fixture
def workspace(tmp_path, synth_folders) -> Path:
    workspace = tmp_path / "ws"
    EmbeddedStore(workspace).load([synth_folders])
    return workspace


def _whole(workspace: Path, query: Query, params: dict) -> list[dict]:
    """The query's rows on the whole graph, nothing kept (as before clusters)."""
    store = EmbeddedStore(workspace)
    store._graph_for = lambda query, params: store.opened
    return query.run_bound(store, query.bind(params))


def _manifest(workspace: Path) -> list[dict]:
    return json.loads((workspace / "manifest.json").read_text("utf-8"))["reviews"]


@pytest.fixture
def forking(monkeypatch, request):
    """Fork for any number of contacts (``True``) or never (``False``)."""
    monkeypatch.setattr(embedded, "PARALLEL_CONTACTS", 0 if request.param else 10**12)
    return request.param


@pytest.fixture
def builds(monkeypatch) -> list[list[str]]:
    """The reviews of every graph the store builds (never forking, so every build is counted here)."""
    monkeypatch.setattr(embedded, "PARALLEL_CONTACTS", 10**12)
    built: list[list[str]] = []
    original = embedded._plain_graph_from_json

    def counted(reviews, share=True):
        reviews = list(reviews)
        built.append([data["review"] for data in reviews])
        return original(reviews, share)
    monkeypatch.setattr(embedded, "_plain_graph_from_json", counted)
    return built


@pytest.mark.parametrize("forking", [False, True], indirect=True, ids=["one-process", "forked"])
@pytest.mark.parametrize("which", ["synth", "examples"])
def test_every_local_query_by_cluster_gives_the_whole_graphs_rows(which, forking, request):
    workspace = request.getfixturevalue("workspace" if which == "synth" else "examples_workspace")
    assert len(LOCAL) >= 11 and sum(bool(q.prepare) for q in LOCAL) == 2  # two follow people by the identity map
    compared = 0
    for query in LOCAL:
        for params in ({}, {"signals": "coded"}):
            shutil.rmtree(workspace / "derived", ignore_errors=True)
            store = EmbeddedStore(workspace)
            rows = store.run(query, params)
            assert store._graph is None  # never the whole graph
            assert rows == _whole(workspace, query, params), (query.name, params)
            assert EmbeddedStore(workspace).run(query, params) == rows  # kept: the same again
            compared += bool(rows)
    assert compared >= 10  # most of them found something to compare


def test_clusters_are_the_reviews_joined_by_a_shared_person(workspace):
    entries = _manifest(workspace)
    clusters = embedded._clusters(entries)
    ids = [[e["id"] for e in cluster] for cluster in clusters]
    assert sorted(r for cluster in ids for r in cluster) == sorted(e["id"] for e in entries)  # each review once
    assert 1 < len(clusters) < len(entries)  # synth's serial perpetrators join some reviews, not all
    for cluster in ids:
        for review in cluster:
            assert set(cluster) == embedded._with_shared_people(entries, {review})
        order = [e["id"] for e in entries if e["id"] in cluster]
        assert cluster == order  # manifest (load) order within a cluster


def test_a_load_computes_again_only_the_clusters_it_changed(workspace, synth_folders, tmp_path, builds):
    query = queries.get("unshared-risk")
    EmbeddedStore(workspace).run(query, {})
    clusters = embedded._clusters(_manifest(workspace))
    assert sorted(map(sorted, builds)) == sorted(sorted(e["id"] for e in c) for c in clusters)  # each cluster built once
    expected = _whole(workspace, query, {})
    builds.clear()
    assert EmbeddedStore(workspace).run(query, {}) == expected
    assert builds == []  # nothing changed: every cluster's rows kept

    # one review changed (a contact's summary) and loaded again: only its cluster is computed again
    review = next(e["id"] for c in clusters if len(c) == 1 for e in c)
    changed = tmp_path / "changed" / review
    shutil.copytree(synth_folders / review, changed)
    chronology = next(changed.rglob("chronology*.csv"))
    with chronology.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    table[1][table[0].index("summary")] += " Seen again."
    with chronology.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)
    EmbeddedStore(workspace).load([changed])
    expected = _whole(workspace, query, {})
    builds.clear()
    rows = EmbeddedStore(workspace).run(query, {})
    assert builds == [[review]]
    assert rows == expected


def test_prefetch_builds_each_cluster_once_for_every_query(workspace, builds):
    expected = {query.name: _whole(workspace, query, {}) for query in LOCAL}
    builds.clear()
    store = EmbeddedStore(workspace)
    store.prefetch([(q, {}) for q in queries.catalogue()])
    built = sorted(r for reviews in builds for r in reviews)
    assert built == sorted(e["id"] for e in _manifest(workspace))  # every review in one graph, built once
    # the clusters the identity maps join: each a union of clusters by shared people
    assert 1 < len(builds) <= len(embedded._clusters(_manifest(workspace)))
    builds.clear()
    for query in LOCAL:
        assert store.run(query, {}) == expected[query.name], query.name
    assert builds == []  # every one computed by the prefetch, the identity-map queries too
    assert store._prefetched == {}  # each handed out once


def test_a_query_alone_reads_what_a_prefetch_kept_and_the_other_way(workspace, builds):
    """A run among others (``prefetch``: a report, or a load's answers) and the same run alone keep their rows by the
    same clusters: whichever comes first, the other builds no graph (the identity maps join clusters for the runs that
    follow them only)."""
    expected = {query.name: _whole(workspace, query, {}) for query in LOCAL}
    builds.clear()
    EmbeddedStore(workspace).prefetch([(q, {}) for q in queries.catalogue()])
    assert len(embedded._clusters(_manifest(workspace))) > len(builds) > 1  # some graphs held several clusters
    builds.clear()
    for query in LOCAL:
        assert EmbeddedStore(workspace).run(query, {}) == expected[query.name], query.name
    assert builds == []
    for parts in (workspace / "derived").glob("parts-*.json"):
        parts.unlink()
    for query in LOCAL:
        assert EmbeddedStore(workspace).run(query, {}) == expected[query.name], query.name
    builds.clear()
    store = EmbeddedStore(workspace)
    store.prefetch([(q, {}) for q in queries.catalogue()])
    assert builds == []
    for query in LOCAL:
        assert store.run(query, {}) == expected[query.name], query.name


def test_a_damaged_or_foreign_parts_file_is_computed_again(workspace):
    query = queries.get("missed-marac")
    expected = _whole(workspace, query, {})
    EmbeddedStore(workspace).run(query, {})
    (parts,) = (workspace / "derived").glob("parts-missed-marac-*.json")
    for damage in (b"{not json", json.dumps({"format": "other", "parts": {}}).encode(),
                   json.dumps({"format": embedded.DERIVED_FORMAT, "parts": {"x": "not rows"}}).encode()):
        parts.write_bytes(damage)
        assert EmbeddedStore(workspace).run(query, {}) == expected
        assert json.loads(parts.read_bytes())["format"] == embedded.DERIVED_FORMAT  # written again, whole


def test_stale_parts_are_not_held_and_are_dropped_from_the_file(workspace, builds):
    """A parts file also holding clusters no key reads (dhrgraph's code or the reviews changed since): only the
    wanted clusters are held while the query runs, and the file is written again without the others."""
    query = queries.get("unshared-risk")
    expected = _whole(workspace, query, {})
    EmbeddedStore(workspace).run(query, {})
    (parts,) = (workspace / "derived").glob("parts-unshared-risk-*.json")
    kept = json.loads(parts.read_bytes())
    wanted = sorted(kept["parts"])
    stale = {f"stale-{key}": rows for key, rows in kept["parts"].items()}
    parts.write_bytes(json.dumps({**kept, "parts": {**kept["parts"], **stale}}).encode())
    held = EmbeddedStore(workspace)._kept_parts(parts.stem, wanted)
    assert sorted(held) == wanted and not held.exact
    builds.clear()
    assert EmbeddedStore(workspace).run(query, {}) == expected
    assert builds == []  # every wanted cluster read from the file
    assert sorted(json.loads(parts.read_bytes())["parts"]) == wanted  # the stale ones gone
    assert EmbeddedStore(workspace)._kept_parts(parts.stem, wanted).exact


def test_a_read_only_workspace_computes_the_clusters_each_time(workspace, monkeypatch):
    query = queries.get("joined-up-risk")
    expected = _whole(workspace, query, {})

    def refuse(path, data):
        raise PermissionError(13, "read-only", str(path))
    monkeypatch.setattr(embedded, "_write_atomic", refuse)
    assert EmbeddedStore(workspace).run(query, {}) == expected
    assert not (workspace / "derived").exists() or not list((workspace / "derived").glob("parts-*.json"))


def test_rows_about_several_reviews_are_computed_on_the_whole_graph(workspace):
    """A query that takes a review but whose rows name several: its clusters' rows cannot be put together, so it
    runs on the whole graph (each row names every review the whole graph holds)."""
    def every_review(G, p):
        names = sorted(G.nodes[n]["name"] for n in G.graph["by_label"]["Review"])
        return [{"review": name, "reviews": names} for name in names]
    query = Query(name="test-several-reviews", title="t", description="d", networkx=every_review, params=(REVIEW_PARAM,))
    assert local(query)
    rows = EmbeddedStore(workspace).run(query, {})
    names = sorted(e["id"] for e in _manifest(workspace))
    assert rows == [{"review": name, "reviews": names} for name in names]


# --- graph.parallel -------------------------------------------------------------------------------

def _pids(tasks: list[int]) -> dict[str, int]:
    return {str(task): os.getpid() for task in tasks}


def _needs_a_fork() -> None:
    """Fail under CI=true, else skip, where ``halves`` does not fork."""
    if not parallel.forks():
        message = "needs os.fork on Linux, two cores and DHRGRAPH_PROCESSES unset"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def test_halves_share_the_work_with_a_forked_process():
    _needs_a_fork()
    answer = parallel.halves(list(range(10)), lambda task: 1, lambda tasks: (time.sleep(0.05), _pids(tasks))[1])
    assert sorted(answer, key=int) == [str(i) for i in range(10)]
    assert set(answer.values()) - {os.getpid()}  # some answered by the child
    assert os.getpid() in answer.values()  # and some here


def test_a_failing_child_leaves_its_half_to_this_process():
    parent = os.getpid()

    def work(tasks):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return _pids(tasks)
    answer = parallel.halves(list(range(6)), lambda task: 1, work)
    assert answer == {str(i): parent for i in range(6)}


def test_answers_are_as_json_gives_them_back_forked_or_not():
    def work(tasks):
        return {str(t): (t, {"n": t}) for t in tasks}
    expected = {str(t): [t, {"n": t}] for t in [1, 2, 3, 4]}  # tuples as lists, here as from the child
    assert parallel.halves([1, 2, 3, 4], lambda task: 1, work) == expected
    assert parallel.halves([1, 2, 3, 4], lambda task: 1, work, fork=False) == expected
    with pytest.raises(TypeError):
        parallel.halves([1, 2, 3, 4], lambda task: 1, lambda tasks: {str(t): {t} for t in tasks})


def test_split_balances_the_weights_and_keeps_the_order():
    weights = {"a": 9, "b": 1, "c": 5, "d": 4, "e": 1}
    left, right = parallel.split(list(weights), weights.__getitem__)
    assert sorted(left + right) == sorted(weights)
    assert left == sorted(left) and right == sorted(right)
    assert abs(sum(map(weights.get, left)) - sum(map(weights.get, right))) <= 2


def test_a_killed_child_leaves_its_half_to_this_process():
    parent = os.getpid()

    def work(tasks):
        if os.getpid() != parent:  # the child dies on the first task it takes
            os.kill(os.getpid(), signal.SIGKILL)
        return {str(task): task * 2 for task in tasks}
    assert parallel.halves(list(range(8)), lambda task: 1, work) == {str(t): t * 2 for t in range(8)}


def test_the_identity_maps_joins_join_clusters(workspace):
    entries = _manifest(workspace)
    alone = [c[0]["id"] for c in embedded._clusters(entries) if len(c) == 1]
    left, right = alone[0], alone[-1]
    joined = embedded._clusters(entries, [(left, right)])
    assert len(joined) == len(embedded._clusters(entries)) - 1
    assert [left, right] in [[e["id"] for e in c] for c in joined]
    assert embedded._with_shared_people(entries, {right}, [(left, right)]) == {left, right}


def test_dhrgraph_processes_1_never_forks(monkeypatch):
    monkeypatch.setenv(parallel.PROCESSES, "1")
    assert not parallel.forks()
    answer = parallel.halves(list(range(6)), lambda task: 1, _pids)
    assert set(answer.values()) == {os.getpid()}


def test_a_killed_command_leaves_no_child_computing(tmp_path):
    """A command killed with SIGKILL while its forked child computes its half: the child ends with it (before, it
    computed on for nobody until its half was done)."""
    import subprocess
    import sys

    _needs_a_fork()
    pids = tmp_path / "child.pid"
    script = (
        "import os, sys, time\n"
        "from dhrgraph.graph import parallel\n"
        "parent = os.getpid()\n"
        "def work(tasks):\n"
        "    if os.getpid() != parent:\n"
        f"        open({str(pids)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(60)\n"
        "    return {}\n"
        "parallel.halves([1, 2], lambda t: 1, work)\n")
    command = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 30
        while not (pids.exists() and pids.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        child = int(pids.read_text())
        os.kill(child, 0)  # computing
        command.kill()
        command.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            # a zombie until init reaps it counts as ended
            if Path(f"/proc/{child}/stat").exists() and Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
                break
            time.sleep(0.05)
        else:
            os.kill(child, signal.SIGKILL)
            pytest.fail("the forked child outlived the killed command")
    finally:
        command.kill()
