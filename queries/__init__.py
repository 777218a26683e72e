"""The query catalogue. Every module of this package registers its queries when imported, and the
registry (``catalogue()``, ``get(name)``) imports them all on first use, so a query added in one new
file is picked up without editing this one. Importing the package (or one of its modules, e.g.
``queries.render`` for the command line's output formats) does not import them all: a command's
start-up pays only for what it uses.

The order shown to users (people across reviews, then information sharing, risk assessment, children,
and continuity) is ``base.CATALOGUE_ORDER``. Each module holds its queries' Cypher and NetworkX
implementations side by side.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Param", "Query", "bind_params", "catalogue", "get"]


def __getattr__(name: str) -> Any:
    """``Param``, ``Query``, ``bind_params``, ``catalogue``, ``get`` from ``queries.base`` on first use (PEP 562)."""
    if name in __all__:
        from dhrgraph.queries import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
