"""Moving a graph between stores, and out to Gephi.

The exchange format is the embedded store's workspace folder (a manifest and one JSON file per
review), so an export from Neo4j can be opened directly with ``--workspace DIR`` and imported
into any store. Nothing is lost: every node, relationship and property travels.
"""

from __future__ import annotations

import os
from pathlib import Path

import networkx as nx

from dhrgraph.graph.embedded import EmbeddedStore, build_graph
from dhrgraph.graph.errors import StoreError
from dhrgraph.graph.store import Store
from dhrgraph.queries.outputs import OutputError, describe_os_error, xml_safe

__all__ = ["export_workspace", "import_workspace", "write_graphml"]


def export_workspace(store: Store, folder: str | os.PathLike) -> int:
    """Write every review of ``store`` to a workspace folder; return the number of reviews."""
    target = Path(folder)
    if target.exists() and any(target.iterdir()) and not (target / "manifest.json").exists():
        raise StoreError(f"{target} is not empty and not a dhrgraph workspace; choose an empty folder")
    batches = list(store.batches())
    exported = EmbeddedStore(target)
    exported.write(batches)
    exported.put_decisions(store.decisions())
    return len(batches)


def import_workspace(store: Store, folder: str | os.PathLike) -> int:
    """Load every review of a workspace folder into ``store`` (replacing reviews of the same id)."""
    source = Path(folder)
    if not (source / "manifest.json").exists():
        raise StoreError(f"{source} is not a dhrgraph workspace (no manifest.json); export one with `dhrgraph export --to DIR`")
    workspace = EmbeddedStore(source)
    batches = list(workspace.batches())  # each checked whole (check_batch): a dangling edge is refused by every store
    store.write(batches)
    store.put_decisions(workspace.decisions())
    return len(batches)


def write_graphml(store: Store, path: str | os.PathLike) -> tuple[int, int]:
    """GraphML for Gephi and yEd. GraphML has no list type, so lists become '; '-joined text."""
    graph = build_graph(store.batches())
    flat = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(xml_safe(node), **_flat(data))
    for start, end, data in graph.edges(data=True):
        flat.add_edge(xml_safe(start), xml_safe(end), **_flat(data))
    try:
        nx.write_graphml(flat, path, encoding="utf-8")
    except OSError as exc:
        raise OutputError(describe_os_error(path, exc)) from None
    return flat.number_of_nodes(), flat.number_of_edges()


def _flat(props: dict) -> dict:
    """GraphML values: lists joined, and text XML 1.0 can hold (control characters become U+FFFD)."""
    return {k: xml_safe("; ".join(map(str, v)) if isinstance(v, list) else v) for k, v in props.items() if v is not None}
