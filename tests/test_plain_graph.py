"""graph/nxgraph.py's PlainGraph (the embedded store's graph, filled without importing networkx) answers what
the queries ask as a networkx MultiDiGraph with the same contents does; queries.common.components as
networkx.connected_components; and a one-review command does not import networkx."""

from __future__ import annotations

import os
import subprocess
import sys

import networkx as nx
from hypothesis import given, settings, strategies as st

from dhrgraph.graph.embedded import EmbeddedStore, _plain_graph_from_json, build_graph, build_graph_from_json
from dhrgraph.graph.nxgraph import ModelGraph, PlainGraph
from dhrgraph.queries.common import components
from dhrgraph.queries.core import DUMP
from dhrgraph.synth import generate

node_ids = st.sampled_from([f"n{i}" for i in range(8)])


@settings(max_examples=300, deadline=None)
@given(st.lists(node_ids, max_size=10), st.lists(st.tuples(node_ids, node_ids), max_size=12))
def test_components_are_networkx_connected_components_in_its_order(nodes, links):
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(links)
    assert components(nodes, links) == [set(c) for c in nx.connected_components(graph)]


@settings(max_examples=200, deadline=None)
@given(st.lists(node_ids, min_size=1, max_size=8, unique=True),
       st.lists(st.tuples(node_ids, node_ids, st.sampled_from(["ABOUT", "RECORDED", "RELATED"])), max_size=15))
def test_a_plain_graph_answers_as_a_multidigraph_with_the_same_edges(nodes, edges):
    G, plain = nx.MultiDiGraph(), PlainGraph()
    for node in nodes:
        G.add_node(node, label="Person", id=node)
        plain._node[node] = {"label": "Person", "id": node}
        plain._succ[node], plain._pred[node] = {}, {}
    for start, end, rel_type in edges:
        if start in plain._node and end in plain._node:
            G.add_edge(start, end, type=rel_type)
            keys = plain._succ[start].get(end)
            if keys is None:
                keys = plain._succ[start][end] = plain._pred[end][start] = {}
            keys[len(keys)] = {"type": rel_type}
    model, reference = ModelGraph(plain), ModelGraph(G)
    assert list(model.nodes) == list(G.nodes) and len(model) == len(G) and list(plain) == list(G)
    assert model.nodes(data=True) == list(G.nodes(data=True))
    assert model.nodes(data="label") == list(G.nodes(data="label"))
    assert model.nodes(data="missing", default=0) == list(G.nodes(data="missing", default=0))
    assert ("n0" in model) == ("n0" in G) and (["unhashable"] in plain) is False
    for node in nodes:
        assert model.nodes[node] == G.nodes[node]
        for rel_type in ("ABOUT", "RECORDED", "RELATED"):
            assert list(model.outgoing(node, rel_type)) == list(reference.outgoing(node, rel_type))
            assert list(model.incoming(node, rel_type)) == list(reference.incoming(node, rel_type))
        for other in nodes:
            assert plain.has_edge(node, other) == G.has_edge(node, other)
            assert plain.has_edge(node, other, 1) == G.has_edge(node, other, 1)
            if G.has_edge(node, other):
                assert dict(plain[node][other]) == dict(G[node][other])
    # what the queries do not read comes from networkx over the same dictionaries
    assert sorted(plain.edges(data="type")) == sorted(G.edges(data="type"))
    assert list(plain.out_edges(nodes[0], data=True)) == list(G.out_edges(nodes[0], data=True))
    assert plain.to_networkx()._node is plain._node


def test_the_stores_plain_graph_dumps_as_the_public_networkx_graph(tmp_path):
    generate(tmp_path / "c", reviews=3, seed=2)
    store = EmbeddedStore(tmp_path / "ws")
    store.load([tmp_path / "c"])
    batches = list(store.batches())
    plain = _plain_graph_from_json(b.to_json() for b in batches)
    public = build_graph(batches)
    assert isinstance(public, nx.MultiDiGraph) and public.graph["by_label"] == plain.graph["by_label"]
    assert DUMP.networkx(ModelGraph(plain), {}) == DUMP.networkx(ModelGraph(public), {})


def test_a_one_review_command_does_not_import_networkx(tmp_path):
    """NetworkX's import is a third of a one-review command: the embedded store's queries and the views of a review
    never need it."""
    generate(tmp_path / "c", reviews=2, seed=3)
    env = {**os.environ, "DHRGRAPH_BACKEND": "embedded", "DHRGRAPH_WORKSPACE": str(tmp_path / "ws")}
    env.pop("NEO4J_URI", None)
    subprocess.run([sys.executable, "-m", "dhrgraph.cli", "load", str(tmp_path / "c")], env=env, check=True, capture_output=True)
    review = sorted(p.name for p in (tmp_path / "c").iterdir() if p.is_dir())[0]
    probe = ("import runpy, sys\n"
             "sys.argv = ['dhrgraph', *sys.argv[1:]]\n"
             "try:\n    runpy.run_module('dhrgraph.cli', run_name='__main__')\n"
             "except SystemExit as stop:\n    assert not stop.code, stop.code\n"
             "print('networkx' in sys.modules, file=sys.stderr)\n")
    for argv in (["query", "missed-marac", "--review", review], ["timeline", "Adult A", "--review", review],
                 ["findings", "--review", review], ["viz", "--review", review, "--output", str(tmp_path / "v.html")]):
        done = subprocess.run([sys.executable, "-c", probe, *argv], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert done.stderr.strip().splitlines()[-1] == "False", argv


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(node_ids, node_ids, st.sampled_from(["ABOUT", "RECORDED", "RELATED"]), st.integers(0, 2)),
                         max_size=12), min_size=1, max_size=3))
def test_the_stores_graph_shares_key_dicts_and_holds_every_relationship(reviews):
    """The store's graph shares one key dict per type between nodes one plain relationship joins; two relationships
    between the same nodes (in one review or two) each keep theirs, as networkx's add_edge gives them."""
    data, reference = [], nx.MultiDiGraph()
    for number, edges in enumerate(reviews):
        ids = [f"n{i}" for i in range(8)]
        reference.add_nodes_from((i, {"id": i, "label": "Person"}) for i in ids)
        tables = {"RELATED": {"columns": ["weight"], "rows": []}, "ABOUT": {"columns": [], "rows": []},
                  "RECORDED": {"columns": [], "rows": []}}
        for start, end, rel_type, weight in edges:
            tables[rel_type]["rows"].append([start, end, weight] if rel_type == "RELATED" else [start, end])
        for rel_type, table in tables.items():  # the store reads a review's relationships type by type
            for row in table["rows"]:
                reference.add_edge(row[0], row[1], type=rel_type, **({"weight": row[2]} if rel_type == "RELATED" else {}))
        data.append({"review": f"r{number}", "nodes": {"Person": {"columns": ["id"], "rows": [[i] for i in ids]}}, "edges": tables})
    shared = _plain_graph_from_json(data)
    for graph in (shared, _plain_graph_from_json(data, share=False), build_graph_from_json(data)):
        assert graph._succ == reference._succ and graph._pred == reference._pred
        for u, ends in graph._succ.items():
            for v, keys in ends.items():
                assert graph._pred[v][u] is keys
    assert isinstance(build_graph_from_json(data), nx.MultiDiGraph)
