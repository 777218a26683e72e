"""Importing a library without the optional libraries it would import for features dhrgraph does not use."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

__all__ = ["without_modules"]


@contextmanager
def without_modules(*names: str) -> Iterator[None]:
    """Inside the block, ``import name`` (and ``import name.sub``) of each of ``names`` that is not imported yet fails
    with ImportError, as if it were not installed; after it, each imports as usual. A module imported before the block
    stays as it is."""
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # the import system's "not importable"
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
