"""Opening a store by name: the one place that knows which backends exist."""

from __future__ import annotations

from dataclasses import dataclass

from graph.store import Store

__all__ = ["BACKENDS", "Settings", "open_store"]

BACKENDS = ("embedded",)


@dataclass(frozen=True)
class Settings:
    backend: str = "embedded"
    workspace: str = ".dhrgraph"


def open_store(settings: Settings) -> Store:
    if settings.backend == "embedded":
        from graph.embedded import EmbeddedStore

        return EmbeddedStore(settings.workspace)
    raise ValueError(f"unknown backend {settings.backend!r}; choose from {', '.join(BACKENDS)}")
