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

``PlainGraph`` is what the embedded store builds for its queries: the dictionaries of a networkx
``MultiDiGraph`` in networkx's own layout, without importing networkx (its import is a third of a
one-review command). What the queries read (``nodes[n]``, ``_node``, ``_succ``, ``_pred``, ``graph``,
``has_edge``, ``G[n]``) is answered from the dictionaries; anything else networkx offers is answered by
a ``networkx.MultiDiGraph`` sharing those dictionaries (``to_networkx``), made on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["ModelGraph", "PlainGraph", "label_index"]


class _NodeView:
    """``G.nodes`` of a ``PlainGraph``, as networkx's NodeView answers it: ``nodes[n]`` (the node's own property
    dict), ``n in nodes``, iteration and length in node order, ``nodes(data=True | "name", default=None)``."""

    __slots__ = ("_node",)

    def __init__(self, node: dict[str, dict[str, Any]]):
        self._node = node

    def __getitem__(self, node: str) -> dict[str, Any]:
        return self._node[node]

    def __contains__(self, node: object) -> bool:
        try:
            return node in self._node
        except TypeError:  # an unhashable value is no node (as networkx says)
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def __call__(self, data: bool | str = False, default: Any = None) -> Any:
        if data is False:
            return self
        if data is True:
            return list(self._node.items())
        return [(n, d.get(data, default)) for n, d in self._node.items()]


class PlainGraph:
    """A networkx ``MultiDiGraph``'s dictionaries (``_node``, ``_succ``, ``_pred``, ``graph``) in its layout, filled
    by the embedded store without importing networkx (see the module docstring). Read only."""

    def __init__(self) -> None:
        self.graph: dict[str, Any] = {}
        self._node: dict[str, dict[str, Any]] = {}
        self._succ: dict[str, dict[str, dict[int, dict[str, Any]]]] = {}
        self._pred: dict[str, dict[str, dict[int, dict[str, Any]]]] = {}
        self._networkx: "nx.MultiDiGraph | None" = None

    @property
    def nodes(self) -> _NodeView:
        return _NodeView(self._node)

    @property
    def _adj(self) -> dict:
        return self._succ

    def is_directed(self) -> bool:
        return True

    def is_multigraph(self) -> bool:
        return True

    def has_edge(self, u: str, v: str, key: Any = None) -> bool:
        try:
            return v in self._succ[u] if key is None else key in self._succ[u][v]
        except (KeyError, TypeError):
            return False

    def __getitem__(self, node: str) -> dict:
        return self._succ[node]

    def __contains__(self, node: object) -> bool:
        return node in self.nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def to_networkx(self) -> "nx.MultiDiGraph":
        """A networkx MultiDiGraph over these same dictionaries (made once; nothing is copied)."""
        if self._networkx is None:
            import networkx as nx

            G = nx.MultiDiGraph()
            G.graph, G._node, G._succ, G._adj, G._pred = self.graph, self._node, self._succ, self._succ, self._pred
            self._networkx = G
        return self._networkx

    def __getattr__(self, name: str) -> Any:
        # the rest of networkx's interface (edges, out_edges, degree, subgraph ...), from a MultiDiGraph over these dicts
        if name.startswith("__") or name == "_networkx":
            raise AttributeError(name)
        return getattr(self.to_networkx(), name)

# where a graph keeps its label index (the embedded store sets it while building the graph)
INDEX_KEY = "by_label"


def label_index(G: "nx.MultiDiGraph | PlainGraph") -> dict[str, list[str]]:
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

    def __init__(self, G: "nx.MultiDiGraph | PlainGraph"):
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
    def of(cls, G: "ModelGraph | nx.MultiDiGraph | PlainGraph") -> "ModelGraph":
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
        """The end nodes of ``node``'s outgoing relationships of one type, with their properties (in the order
        networkx's ``out_edges(node, data=True)`` gives them: by end node, then key)."""
        for end, keyed in self._succ.get(node, {}).items():
            for data in keyed.values():
                if data["type"] == rel_type:
                    yield end, data

    def incoming(self, node: str, rel_type: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The start nodes of ``node``'s incoming relationships of one type, with their properties."""
        for start, keyed in self._pred.get(node, {}).items():
            for data in keyed.values():
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
