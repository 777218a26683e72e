"""dhrgraph: Domestic Homicide Review chronologies as a knowledge graph, and the missed connections
between agencies, each with the chronology rows it rests on.

The Python API, for notebooks and scripts (the CLI is a thin layer over the same calls)::

    import dhrgraph

    store = dhrgraph.open(workspace="ws")        # the embedded store; or backend="neo4j" (NEO4J_* from the environment)
    store.load(["examples/"])
    rows = store.query("missed-marac", review="dhr-northbrook-2021")
    rows.to_pandas()                             # pandas is an optional extra: pip install 'dhrgraph[pandas]'
    G = store.graph(review="dhr-northbrook-2021")  # a networkx MultiDiGraph in the documented model
    store.timeline("Jade", review="dhr-northbrook-2021")
    dhrgraph.viz.review_view(store, "dhr-northbrook-2021")  # shows inline in Jupyter, offline

Errors are the same ``DhrgraphError`` subclasses the CLI prints as one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dhrgraph.graph.errors import DhrgraphError

if TYPE_CHECKING:
    from dhrgraph.graph.store import Store

__all__ = ["open", "DhrgraphError", "__version__"]


def __getattr__(name: str) -> Any:
    """Subpackages on first use (``dhrgraph.viz``, ``dhrgraph.queries`` ...): the CLI's start stays fast."""
    if name in ("graph", "loaders", "queries", "viz", "synth"):
        import importlib

        return importlib.import_module(f"dhrgraph.{name}")
    if name == "__version__":
        from importlib.metadata import version

        return version("dhrgraph")
    raise AttributeError(f"module 'dhrgraph' has no attribute {name!r}")


def open(workspace: str | None = None, backend: str | None = None, **settings: Any) -> "Store":  # noqa: A001
    """Open a store: the embedded workspace folder ``workspace`` (default ``./.dhrgraph``) or, with
    ``backend="neo4j"``, the server in ``neo4j_uri``/``neo4j_user``/``neo4j_password``/``neo4j_database``
    (default: the ``NEO4J_*`` environment). Use it as a context manager, or call ``close()``.

    >>> import dhrgraph, tempfile
    >>> with dhrgraph.open(workspace=tempfile.mkdtemp()) as store:
    ...     store.query("stats")
    [{'reviews': 0, 'people': 0, 'agencies': 0, 'contacts': 0, 'relationships': 0}]
    """
    from dhrgraph.graph.backends import Settings, open_store

    return open_store(Settings.from_env(backend=backend, workspace=workspace, **settings))
