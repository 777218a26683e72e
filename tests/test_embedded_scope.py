"""The embedded store opens only the reviews a command needs, and answers exactly as the whole graph does.

A query given ``review=`` runs on the graph of that review (and of the reviews sharing a person with
it); shared nodes (agencies, risk factors, people with a global_id) hold the properties the last loaded
review gave them, as in the whole graph. Every catalogue query is compared, review by review, with the
same query on the whole workspace; so are the views' data (``Overview``) and ``batches(reviews=...)``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dhrgraph import queries, synth
from dhrgraph.graph.embedded import EmbeddedStore
from dhrgraph.queries.core import by_label
from dhrgraph.viz.overview import Overview

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _review_queries():
    """The catalogue queries that take a review (those that follow people across reviews, with a ``prepare`` step
    reading the identity map, too: they run on the review's graph and the reviews the identity map joins to it)."""
    return [q for q in queries.catalogue() if any(p.name == "review" for p in q.params)]


@pytest.fixture(scope="module")
def synth_workspace(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("scope")
    synth.generate(base / "corpus", reviews=24, seed=3, layout="combined")
    workspace = base / "ws"
    EmbeddedStore(workspace).load([base / "corpus"])
    return workspace


def _whole(workspace: Path) -> EmbeddedStore:
    """A store whose queries all run on the whole graph, as before review-scoped opening."""
    store = EmbeddedStore(workspace)
    store._graph_for = lambda query, params: store.opened
    return store


def _compare_every_query(workspace: Path) -> int:
    whole = _whole(workspace)
    for query in _review_queries():  # the whole store computes (and keeps) the identity map first
        whole.run(query, {})
    compared = 0
    for review in whole.review_names():
        scoped = EmbeddedStore(workspace)
        for query in _review_queries():
            assert scoped.run(query, {"review": review}) == whole.run(query, {"review": review}), (query.name, review)
            compared += 1
        assert scoped._graph is None  # every one of them ran on the review's own graph
    return compared


def test_every_review_query_gives_the_whole_graphs_rows_on_a_synth_corpus(synth_workspace):
    assert len(_review_queries()) >= 5
    assert _compare_every_query(synth_workspace) == 24 * len(_review_queries())


def test_every_review_query_gives_the_whole_graphs_rows_on_the_examples(examples_workspace):
    reviews = [folder for folder in EXAMPLES.iterdir() if (folder / "people.csv").exists()]  # every example review
    assert _compare_every_query(examples_workspace) == len(reviews) * len(_review_queries())


def test_a_one_review_query_opens_only_that_review(synth_workspace):
    store = EmbeddedStore(synth_workspace)
    review = store.review_names()[0]
    store.run(queries.get("missed-marac"), {"review": review})
    assert store._graph is None
    [graph] = store._scoped.values()
    reviews = {graph.nodes[r]["name"] for r in by_label(graph, "Review")}
    assert review in reviews and len(reviews) < len(store.review_names())


def test_shared_nodes_hold_the_last_loaded_reviews_properties(tmp_path, synth_workspace):
    """An agency whose type two reviews give differently: a one-review graph shows the last review's, as the whole."""
    workspace = tmp_path / "ws"
    shutil.copytree(synth_workspace, workspace)
    manifest = json.loads((workspace / "manifest.json").read_text("utf-8"))
    holders = {}
    for entry in manifest["reviews"]:
        for agency in entry["index"].get("Agency", {}):
            holders.setdefault(agency, []).append(entry["id"])
    agency, reviews = next((a, r) for a, r in holders.items() if len(r) > 1)
    first, last = reviews[0], reviews[-1]
    # the first review's file says another type (and adds a property) for the shared agency
    entry = next(e for e in manifest["reviews"] if e["id"] == first)
    path = workspace / entry["file"]
    data = json.loads(path.read_text("utf-8"))
    table = data["nodes"]["Agency"]
    table["columns"].append("note")
    at, type_at = table["columns"].index("id"), table["columns"].index("type")
    table["rows"] = [[*row[:type_at], "changed" if row[at] == agency else row[type_at], *row[type_at + 1:],
                      "only here" if row[at] == agency else None] for row in table["rows"]]
    path.write_text(json.dumps(data), "utf-8")
    entry["index"]["Agency"][agency] = {**entry["index"]["Agency"][agency], "type": "changed", "note": "only here"}
    (workspace / "manifest.json").write_text(json.dumps(manifest), "utf-8")

    whole = EmbeddedStore(workspace).opened.nodes[agency]
    assert whole["type"] != "changed" and whole["note"] == "only here"
    scoped = EmbeddedStore(workspace)
    for review in (first, last):
        assert scoped.review_graph([review]).nodes[agency] == whole
        [batch] = scoped.batches([review])
        assert [d for d in batch.node_dicts("Agency") if d["id"] == agency] == [{k: v for k, v in whole.items() if k != "label"}]


def test_views_read_only_the_reviews_they_show(synth_workspace):
    store = EmbeddedStore(synth_workspace)
    whole = Overview.of_store(store)
    for review in store.review_names()[:10]:
        assert Overview.of_store(store, [review]).for_reviews([review]) == whole.for_reviews([review])


def test_a_workspace_written_before_the_index_still_answers_and_is_indexed_by_the_next_load(tmp_path, examples_workspace):
    workspace = tmp_path / "ws"
    shutil.copytree(examples_workspace, workspace)
    manifest = json.loads((workspace / "manifest.json").read_text("utf-8"))
    for entry in manifest["reviews"]:
        del entry["index"]
    (workspace / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    review = manifest["reviews"][0]["id"]
    query = queries.get("missed-marac")
    expected = _whole(examples_workspace).run(query, {"review": review})
    old = EmbeddedStore(workspace)
    assert old.run(query, {"review": review}) == expected
    assert old._graph is not None  # without the index only the whole graph is exact
    old.load([EXAMPLES / "dhr-northbrook-2021"])
    assert all("index" in e for e in json.loads((workspace / "manifest.json").read_text("utf-8"))["reviews"])


def test_a_damaged_index_is_one_clear_error(tmp_path, examples_workspace):
    from dhrgraph.graph.errors import StoreError

    workspace = tmp_path / "ws"
    shutil.copytree(examples_workspace, workspace)
    manifest = json.loads((workspace / "manifest.json").read_text("utf-8"))
    manifest["reviews"][0]["index"] = {"Agency": ["not", "a", "dict"]}
    (workspace / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(StoreError, match="index"):
        EmbeddedStore(workspace).review_names()


@pytest.mark.parametrize("corpus", ["synth_workspace", "examples_workspace"])
def test_a_query_that_says_what_it_reads_gives_the_whole_graphs_rows_without_the_contacts(corpus, request):
    """``Query.reads``: the person records (what the identity map is made from) are read from a graph of people,
    reviews and their IN_REVIEW and RELATED relationships only, with the whole graph's properties and order."""
    from dhrgraph.graph.nxgraph import ModelGraph
    from dhrgraph.queries.base import _REGISTRY

    workspace = request.getfixturevalue(corpus)
    declared = [q for q in _REGISTRY.values() if q.reads]
    assert declared
    for query in declared:
        shutil.rmtree(workspace / "derived", ignore_errors=True)  # rows kept by earlier tests: computed here
        store = EmbeddedStore(workspace)
        rows = store.run(query, {})
        assert rows and rows == _whole(workspace).run(query, {}), query.name
        assert store._graph is None
        [graph] = store._partial.values()
        labels = {name.split(".")[0] for name in query.reads}
        assert all(not ids for label, ids in graph.graph["by_label"].items() if label not in labels)
        for name in query.reads:  # "Label.property": that label's nodes hold their id and that property only
            label, _, prop = name.partition(".")
            assert not prop or all(set(graph._node[n]) <= {"id", "label", prop} for n in graph.graph["by_label"][label])
        assert all(data["type"] in query.reads for _, keyed in graph._succ.items() for ends in keyed.values() for data in ends.values())
        raw = query.networkx(ModelGraph(store._graph_of(query.reads)), {})
        assert raw == query.networkx(ModelGraph(EmbeddedStore(workspace).opened), {})  # before finish too: same order
