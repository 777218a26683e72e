"""What a command may be asked about: the loaded reviews, and the closest names to a wrong one.

Every command that takes ``--review`` (or a person, agency or query name) refuses a name it does
not know, with the closest matches, rather than printing an empty result that reads as "no
findings".
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable

from dhrgraph.graph.errors import UnknownName
from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.base import Query, register

__all__ = ["REVIEWS", "PEOPLE", "PROFESSIONALS", "closest", "check_review", "reviews", "person_names"]

REVIEWS_CYPHER = """
MATCH (r:Review)
RETURN r.name AS name, r.title AS title, r.area AS area, r.type AS type, r.index_date AS index_date, r.ends AS ends
"""
REVIEW_KEYS = ("name", "title", "area", "type", "index_date", "ends")


def reviews_networkx(G: ModelGraph, params: dict) -> list[dict]:
    return [{k: G._node[r].get(k) for k in REVIEW_KEYS} for r in G.by_label("Review")]


REVIEWS = register(Query(
    name="reviews", title="Reviews",
    description="Every loaded review with its review.csv details (title, area, type, index_date) and the date its "
                "chronology ends (the death).",
    cypher=REVIEWS_CYPHER, networkx=reviews_networkx, listed=False,
    finish=lambda rows, params: sorted(rows, key=lambda r: r["name"]),
))


def closest(name: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """The candidates most like ``name`` (case-insensitive), best first."""
    by_lower: dict[str, str] = {}
    for c in candidates:
        by_lower.setdefault(c.lower(), c)
    return [by_lower[c] for c in difflib.get_close_matches(name.lower(), list(by_lower), n=n, cutoff=0.5)]


def reviews(store: Any) -> list[dict]:
    return store.run(REVIEWS)


def check_review(store: Any, review: str | None) -> None:
    """Refuse a review id that is not loaded, naming the closest ones (UnknownName)."""
    if review is None:
        return
    names = [r["name"] for r in reviews(store)]
    if review in names:
        return
    close = closest(review, names)
    listing = f"Closest: {', '.join(close)}." if close else f"Reviews: {', '.join(names[:20]) or 'none loaded'}."
    raise UnknownName(f"No review {review!r}. {listing}")


PEOPLE_CYPHER = """
MATCH (p:Person)-[m:IN_REVIEW]->(r:Review)
RETURN p.id AS id, m.name AS name, p.global_id AS global_id, r.name AS review, m.role AS role, m.line AS line,
       coalesce(m.identified, true) AS identified
"""


def people_networkx(G: ModelGraph, params: dict) -> list[dict]:
    node = G._node
    return [{"id": p, "name": d["name"], "global_id": node[p].get("global_id"), "review": node[r]["name"],
             "role": d.get("role"), "line": d.get("line"), "identified": d.get("identified", True)}
            for p in G.by_label("Person") for r, keyed in G._succ[p].items() if node[r]["label"] == "Review"
            for d in keyed.values()]


PEOPLE = register(Query(
    name="people", title="People", description="Every person's pseudonym (and global id) in each review.",
    cypher=PEOPLE_CYPHER, networkx=people_networkx, listed=False,
    finish=lambda rows, params: sorted(rows, key=lambda r: (r["review"], r["line"] or 0, r["name"])),
))

PROFESSIONALS_CYPHER = """
MATCH (c:Contact) WHERE c.professional IS NOT NULL
RETURN DISTINCT c.professional AS name
"""


def professionals_networkx(G: ModelGraph, params: dict) -> list[dict]:
    node = G._node
    return [{"name": n} for n in {node[c]["professional"] for c in G.by_label("Contact") if node[c].get("professional")}]


PROFESSIONALS = register(Query(
    name="professionals", title="Professionals", description="Every professional named in a contact.",
    cypher=PROFESSIONALS_CYPHER, networkx=professionals_networkx, listed=False,
    finish=lambda rows, params: sorted(rows, key=lambda r: r["name"]),
))


def person_names(store: Any, review: str | None = None) -> list[str]:
    """Every pseudonym and global id (of ``review`` only, when given)."""
    rows = [r for r in store.run(PEOPLE) if review is None or r["review"] == review]
    return list(dict.fromkeys([r["name"] for r in rows] + [r["global_id"] for r in rows if r["global_id"]]))
