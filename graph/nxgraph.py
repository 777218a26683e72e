"""A small typed wrapper over a networkx graph in the documented model, for the NetworkX queries.

The graph model (README, Graph model): a ``networkx.MultiDiGraph`` whose nodes carry a ``label``
attribute (``Review``, ``Person``, ``Contact``, ...) and their properties, and whose edges carry a
``type`` attribute (``ABOUT``, ``RECORDED``, ...) and theirs. ``ModelGraph`` adds what the queries
need on top: the node ids of one label (the index the embedded store builds while it reads a
workspace; built here from the ``label`` attributes when a graph has none, e.g. one a user built in
a notebook or got from ``store.graph()``), a node's properties (``props``), and the ends of a node's
relationships of one type (``outgoing``, ``incoming``). Anything else (``nodes``, ``out_edges``,
``has_edge``, the adjacency ``_succ``/``_pred`` the hot loops read) is the wrapped graph's own, so a
NetworkX implementation written against a bare graph runs unchanged on the wrapper.
"""

from __future__ import annotations

from typing import Any, Iterator

import networkx as nx

__all__ = ["ModelGraph", "label_index"]

# where a graph keeps its label index (the embedded store sets it while building the graph)
INDEX_KEY = "by_label"


def label_index(G: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Label -> node ids of that label, in node order: the graph's own index if it has one, else built
    from the nodes' ``label`` attributes."""
    index = G.graph.get(INDEX_KEY)
    if index is not None:
        return index
    built: dict[str, list[str]] = {}
    for node, label in G.nodes(data="label"):
        built.setdefault(label, []).append(node)
    return built


class ModelGraph:
    """A networkx MultiDiGraph in the documented model, with the label index and adjacency helpers."""

    def __init__(self, G: nx.MultiDiGraph):
        if isinstance(G, ModelGraph):
            G = G.nx
        self.nx = G
        self._index: dict[str, list[str]] | None = None
        # indexes several queries read, made once per wrapper (``queries.common.derived``): a store keeps
        # one wrapper per opened graph, which never changes; a new wrapper over a changed graph starts empty
        self.derived: dict[str, Any] = {}
        # what the hot loops read, as plain attributes (no lookup through __getattr__)
        self.nodes, self._node, self._succ, self._pred = G.nodes, G._node, G._succ, G._pred

    @classmethod
    def of(cls, G: "ModelGraph | nx.MultiDiGraph") -> "ModelGraph":
        """``G`` itself if it is one, else a wrapper over it."""
        return G if isinstance(G, ModelGraph) else cls(G)

    def by_label(self, label: str) -> list[str]:
        """Node ids of one label (``Person``, ``Contact``, ...)."""
        if self._index is None:
            self._index = label_index(self.nx)
        return self._index.get(label, [])

    def props(self, node: str) -> dict[str, Any]:
        """The properties of one node (with its ``label``)."""
        return self.nx.nodes[node]

    def outgoing(self, node: str, rel_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The end nodes of ``node``'s outgoing relationships of one type, with their properties."""
        for _, end, data in self.nx.out_edges(node, data=True):
            if data["type"] == rel_type:
                yield end, data

    def incoming(self, node: str, rel_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The start nodes of ``node``'s incoming relationships of one type, with their properties."""
        for start, _, data in self.nx.in_edges(node, data=True):
            if data["type"] == rel_type:
                yield start, data

    def __getattr__(self, name: str) -> Any:
        # the rest of the networkx graph's interface (nodes, edges, has_edge, _node, _succ, _pred, ...)
        if name == "nx":  # not yet set (e.g. while unpickling)
            raise AttributeError(name)
        return getattr(self.nx, name)

    def __getitem__(self, node: str) -> Any:
        return self.nx[node]

    def __contains__(self, node: object) -> bool:
        return node in self.nx

    def __len__(self) -> int:
        return len(self.nx)
