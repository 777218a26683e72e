"""Loaders: review chronologies (folders, workbooks, combined CSVs) in, validated records out.

The names below are imported when first used (PEP 562): a command that only reads the graph (a query,
``--help``) imports ``loaders.vocab`` through the graph model, not the readers and validators.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dhrgraph.loaders.records import Agency, Contacts, Person, Relationship, Review
    from dhrgraph.loaders.review import ReadResult, read_reviews
    from dhrgraph.loaders.tabular import LoadError, Problem

__all__ = ["read_reviews", "ReadResult", "LoadError", "Problem", "Review", "Person", "Relationship", "Agency", "Contacts"]

_HOME = {"Agency": "records", "Contacts": "records", "Person": "records", "Relationship": "records", "Review": "records",
         "ReadResult": "review", "read_reviews": "review", "LoadError": "tabular", "Problem": "tabular"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"dhrgraph.loaders.{_HOME[name]}"), name)
    globals()[name] = value
    return value
