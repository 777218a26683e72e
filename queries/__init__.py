"""The query catalogue. Importing this package registers every query, in the order shown to users:
people across reviews, then information sharing, risk assessment, children, and continuity.

Each module holds its queries' Cypher and NetworkX implementations side by side.
"""

from queries import core, paths, identity  # noqa: F401  (the everyday reads; person records for linkage)
from queries import people  # noqa: F401  (serial-perpetrators, unidentified-people)
from queries import sharing  # noqa: F401  (unshared-risk, fragmented-risk, victim-perpetrator-divide)
from queries import risk  # noqa: F401  (missed-marac, escalation-without-reassessment)
from queries import joined  # noqa: F401  (joined-up-risk)
from queries import children  # noqa: F401  (children-not-referred)
from queries import continuity  # noqa: F401  (no-follow-up, professional-churn)
from queries import scope  # noqa: F401  (the loaded reviews, closest names)
from queries import chronology  # noqa: F401  (a review's whole chronology)
from queries import themes  # noqa: F401  (theme-contacts, theme-reviews: the facts the theme table reads)
from queries import recommendations  # noqa: F401  (recommendations: the rows of recommendations.csv in the graph)
from queries import signals  # noqa: F401  (contacts' coded and text-derived signals)
from queries.base import Param, Query, bind_params, catalogue, get

__all__ = ["Param", "Query", "bind_params", "catalogue", "get"]
