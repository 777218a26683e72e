"""queries/base.py and graph/nxgraph.py: a query's implementations keyed by what a store runs, the
catalogue found without a list of modules, and the NetworkX queries on any graph in the documented model."""

from __future__ import annotations

import dataclasses

import networkx as nx
import pytest

from dhrgraph import queries
from dhrgraph.graph.embedded import EmbeddedStore
from dhrgraph.graph.errors import DhrgraphError
from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.base import CYPHER, NETWORKX, Query
from dhrgraph.queries.core import by_label, in_edges, out_edges


class _Store:
    def __init__(self, backend: str, language: str):
        self.backend, self.language = backend, language


def _networkx(G, params):
    return [{"from": "networkx"}]


def test_a_store_runs_the_implementation_in_its_language_or_its_own():
    query = Query("q", "Q", "a query", cypher="RETURN 1 AS one", networkx=_networkx)
    assert query.implementations == {CYPHER: "RETURN 1 AS one", NETWORKX: _networkx}
    assert query.implementation(_Store("neo4j", CYPHER)) == "RETURN 1 AS one"
    assert query.implementation(_Store("another-cypher-server", CYPHER)) == "RETURN 1 AS one"
    assert query.implementation(_Store("embedded", NETWORKX)) is _networkx
    special = Query("q", "Q", "a query", cypher="RETURN 1 AS one", networkx=_networkx,
                    implementations={"another-cypher-server": "RETURN 1 AS one // its dialect"})
    assert special.implementation(_Store("another-cypher-server", CYPHER)) == "RETURN 1 AS one // its dialect"
    assert special.implementation(_Store("neo4j", CYPHER)) == "RETURN 1 AS one"
    assert special.cypher == "RETURN 1 AS one" and special.networkx is _networkx
    changed = dataclasses.replace(special, cypher="RETURN 2 AS two")
    assert changed.implementation(_Store("neo4j", CYPHER)) == "RETURN 2 AS two"
    assert changed.implementation(_Store("another-cypher-server", CYPHER)) == "RETURN 1 AS one // its dialect"


def test_a_query_a_store_cannot_run_is_a_clear_error():
    query = Query("cypher-only", "Q", "a query", cypher="RETURN 1 AS one")
    assert query.networkx is None
    with pytest.raises(DhrgraphError, match="'cypher-only' has no implementation that the embedded store runs"):
        query.implementation(_Store("embedded", NETWORKX))
    with pytest.raises(ValueError, match="no implementation"):
        Query("none", "Q", "a query")


def test_every_query_module_is_registered_and_the_catalogue_keeps_its_order():
    import pkgutil

    from dhrgraph.queries.base import _MODULES

    modules = {m.name for m in pkgutil.iter_modules(queries.__path__)}
    assert set(_MODULES.values()) <= modules
    order = [_MODULES[q.name] for q in queries.catalogue()]
    assert order[:2] == ["people", "people"] and order[-1] == "continuity"
    assert order == sorted(order, key=lambda m: queries.base.CATALOGUE_ORDER.index(m))


def test_model_graph_indexes_a_hand_built_graph():
    G = nx.MultiDiGraph()
    G.add_node("c1", label="Contact", review="r")
    G.add_node("p1", label="Person")
    G.add_node("p2", label="Person")
    G.add_edge("c1", "p1", type="ABOUT")
    G.add_edge("c1", "p2", type="MENTIONS")
    model = ModelGraph(G)
    assert model.by_label("Person") == ["p1", "p2"] and model.by_label("Agency") == []
    assert list(model.outgoing("c1", "ABOUT")) == [("p1", {"type": "ABOUT"})]
    assert list(model.incoming("p2", "MENTIONS")) == [("c1", {"type": "MENTIONS"})]
    assert model.props("c1")["review"] == "r" and model.nodes["c1"]["label"] == "Contact"  # the rest is networkx's
    # the helpers written against a bare graph take either
    assert by_label(G, "Person") == by_label(model, "Person") == ["p1", "p2"]
    assert list(out_edges(G, "c1", "ABOUT")) == list(out_edges(model, "c1", "ABOUT"))
    assert list(in_edges(G, "p1", "ABOUT")) == list(in_edges(model, "p1", "ABOUT")) == [("c1", {"type": "ABOUT"})]


class _GraphOnly(EmbeddedStore):
    """An embedded store whose graph is one handed to it (so not built by the store, with no index)."""

    def __init__(self, G: nx.MultiDiGraph, workspace):
        super().__init__(workspace)
        self._given = self._graph = G  # the whole graph is open: no query runs cluster by cluster either

    @property
    def opened(self) -> nx.MultiDiGraph:
        return self._given

    def _graph_for(self, query, params) -> nx.MultiDiGraph:  # every query on the given graph, none on a review's own
        return self._given


def test_a_graph_from_store_graph_without_the_index_gives_the_stores_rows(examples, tmp_path):
    G = examples.graph()
    del G.graph["by_label"]
    shuffled = nx.MultiDiGraph()  # another node order than the store's: the rows must not depend on it
    shuffled.add_nodes_from(reversed(list(G.nodes(data=True))))
    shuffled.add_edges_from(G.edges(data=True))
    on_graph = _GraphOnly(shuffled, tmp_path / "empty")
    for query in queries.catalogue():
        assert on_graph.query(query.name) == examples.query(query.name), query.name
    person = examples.run(queries.get("find-person"), {"name": "Jade"})[0]["id"]
    assert on_graph.run(queries.get("timeline"), {"person": person}) == examples.run(queries.get("timeline"), {"person": person})
