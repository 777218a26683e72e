"""Opening a store by name: the one place that knows which backends exist."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.errors import ConnectionFailed
from graph.store import Store

__all__ = ["BACKENDS", "Settings", "open_store"]

BACKENDS = ("embedded", "neo4j")


@dataclass(frozen=True)
class Settings:
    backend: str = "embedded"
    workspace: str = ".dhrgraph"
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = field(default=None, repr=False)
    neo4j_database: str = "neo4j"


def open_store(settings: Settings) -> Store:
    if settings.backend == "embedded":
        from graph.embedded import EmbeddedStore

        return EmbeddedStore(settings.workspace)
    if settings.backend == "neo4j":
        from graph.neo4j_store import Neo4jSettings, Neo4jStore

        if not settings.neo4j_uri:
            raise ConnectionFailed("The neo4j backend needs NEO4J_URI (e.g. bolt://localhost:7687), NEO4J_USERNAME and NEO4J_PASSWORD.")
        if settings.neo4j_password is None:
            raise ConnectionFailed(f"NEO4J_PASSWORD is not set for {settings.neo4j_uri}.")
        return Neo4jStore(Neo4jSettings(settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database))
    raise ValueError(f"unknown backend {settings.backend!r}; choose from {', '.join(BACKENDS)}")
