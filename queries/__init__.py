"""The query catalogue. Importing this package registers every query.

Each module holds its queries' Cypher and NetworkX implementations side by side.
"""

from queries import core, paths, sharing  # noqa: F401  (importing registers the queries)
from queries.base import Param, Query, bind_params, catalogue, get

__all__ = ["Param", "Query", "bind_params", "catalogue", "get"]
