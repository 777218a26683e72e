"""Opening a store by name: a registry of stores (name -> factory) and the one place that reads
dhrgraph's settings from the environment.

A third store is one module with a ``Store`` subclass plus one ``register_store`` call here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Mapping

from dhrgraph.graph.errors import ConnectionFailed, UnknownName

if TYPE_CHECKING:
    from dhrgraph.graph.store import Store

__all__ = ["BACKENDS", "Settings", "open_store", "register_store", "STORES"]


@dataclass(frozen=True)
class Settings:
    backend: str = "embedded"
    workspace: str = ".dhrgraph"
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = field(default=None, repr=False)
    neo4j_database: str = "neo4j"

    # environment variable -> field: the only place dhrgraph reads its environment
    ENVIRONMENT = {"DHRGRAPH_BACKEND": "backend", "DHRGRAPH_WORKSPACE": "workspace", "NEO4J_URI": "neo4j_uri",
                   "NEO4J_USERNAME": "neo4j_user", "NEO4J_PASSWORD": "neo4j_password", "NEO4J_DATABASE": "neo4j_database"}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Settings from ``DHRGRAPH_*`` and ``NEO4J_*`` (``os.environ`` by default), then ``overrides``
        (those that are not None)."""
        environ = os.environ if environ is None else environ
        values = {name: environ[var] for var, name in cls.ENVIRONMENT.items() if environ.get(var)}
        return replace(cls(**values), **{k: v for k, v in overrides.items() if v is not None})


def _embedded(settings: Settings) -> Store:
    from dhrgraph.graph.embedded import EmbeddedStore

    return EmbeddedStore(settings.workspace)


def _neo4j(settings: Settings) -> Store:
    from dhrgraph.graph.neo4j_store import Neo4jSettings, Neo4jStore

    if not settings.neo4j_uri:
        raise ConnectionFailed("The neo4j backend needs NEO4J_URI (e.g. bolt://localhost:7687), NEO4J_USERNAME and NEO4J_PASSWORD.")
    if settings.neo4j_password is None:
        raise ConnectionFailed(f"NEO4J_PASSWORD is not set for {settings.neo4j_uri}.")
    return Neo4jStore(Neo4jSettings(settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database))


STORES: dict[str, Callable[[Settings], Store]] = {}


def register_store(name: str, factory: Callable[[Settings], Store]) -> None:
    """Make a store available as ``--backend NAME`` (and ``dhrgraph.open(backend=NAME)``)."""
    if name in STORES:
        raise ValueError(f"a store named {name!r} is already registered; give the new one another name")
    STORES[name] = factory


register_store("embedded", _embedded)
register_store("neo4j", _neo4j)
BACKENDS = tuple(STORES)


def open_store(settings: Settings) -> Store:
    factory = STORES.get(settings.backend)
    if factory is None:
        raise UnknownName(f"Unknown backend {settings.backend!r}; choose from {', '.join(STORES)}")
    return factory(settings)
