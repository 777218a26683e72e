"""The query catalogue. Importing this package registers every query: each module of the package is
imported, so a query added in one new file is picked up without editing this one.

The order shown to users (people across reviews, then information sharing, risk assessment, children,
and continuity) is ``base.CATALOGUE_ORDER``. Each module holds its queries' Cypher and NetworkX
implementations side by side.
"""

import importlib
import pkgutil

from dhrgraph.queries.base import Param, Query, bind_params, catalogue, get

__all__ = ["Param", "Query", "bind_params", "catalogue", "get"]

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
