"""The query catalogue. Importing this package registers every query, in the order shown to users:
people across reviews, then information sharing, risk assessment, children, and continuity.

Each module holds its queries' Cypher and NetworkX implementations side by side.
"""

from dhrgraph.queries import core, paths, identity  # noqa: F401  (the everyday reads; person records for linkage)
from dhrgraph.queries import people  # noqa: F401  (serial-perpetrators, unidentified-people)
from dhrgraph.queries import sharing  # noqa: F401  (unshared-risk, fragmented-risk, victim-perpetrator-divide)
from dhrgraph.queries import risk  # noqa: F401  (missed-marac, escalation-without-reassessment)
from dhrgraph.queries import joined  # noqa: F401  (joined-up-risk)
from dhrgraph.queries import children  # noqa: F401  (children-not-referred)
from dhrgraph.queries import continuity  # noqa: F401  (no-follow-up, professional-churn)
from dhrgraph.queries import scope  # noqa: F401  (the loaded reviews, closest names)
from dhrgraph.queries import chronology  # noqa: F401  (a review's whole chronology)
from dhrgraph.queries import themes  # noqa: F401  (theme-contacts, theme-reviews: the facts the theme table reads)
from dhrgraph.queries import recommendations  # noqa: F401  (recommendations: the rows of recommendations.csv in the graph)
from dhrgraph.queries import signals  # noqa: F401  (contacts' coded and text-derived signals)
from dhrgraph.queries.base import Param, Query, bind_params, catalogue, get

__all__ = ["Param", "Query", "bind_params", "catalogue", "get"]
