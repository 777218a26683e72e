"""One root exception for everything a user can get wrong or a backend can refuse.

The CLI turns any ``DhrgraphError`` into one clear line and exit code 1; anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["DhrgraphError", "StoreError", "ConnectionFailed", "UnknownName"]


class DhrgraphError(Exception):
    """Base of every error dhrgraph reports to its user."""


class StoreError(DhrgraphError):
    """A store could not do what was asked (bad Cypher, a refused write, a damaged workspace)."""


class ConnectionFailed(StoreError):
    """The Neo4j server could not be reached or refused the credentials."""


class UnknownName(DhrgraphError):
    """A query, parameter, person or agency name that does not exist; the message lists what does."""
