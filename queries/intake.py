"""What the graph already holds of each review, for loads that replace one: how many contacts it had,
where it was loaded from and which agencies recorded them. Not part of the catalogue (``listed=False``)."""

from __future__ import annotations

from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.base import Param, Query, register

__all__ = ["REVIEW_SIZES"]

REVIEW_SIZES_CYPHER = """
UNWIND $names AS name
MATCH (r:Review {id: 'review:' + name})
CALL (r) { OPTIONAL MATCH (r)<-[:IN_REVIEW]-(c:Contact)<-[:RECORDED]-(a:Agency)
           RETURN count(c) AS contacts, collect(DISTINCT a.name) AS agencies }
RETURN r.name AS review, r.path AS path, contacts, agencies
"""


def review_sizes_networkx(G: ModelGraph, params: dict) -> list[dict]:
    wanted = set(params["names"])
    rows = []
    for rid in G.by_label("Review"):
        review = G.nodes[rid]
        if review["name"] not in wanted:
            continue
        contacts = [c for c, _ in G.incoming(rid, "IN_REVIEW") if G.nodes[c]["label"] == "Contact"]
        agencies = {G.nodes[a]["name"] for c in contacts for a, _ in G.incoming(c, "RECORDED")}
        rows.append({"review": review["name"], "path": review.get("path"), "contacts": len(contacts), "agencies": list(agencies)})
    return rows


REVIEW_SIZES = register(Query(
    name="review-sizes", title="Reviews already loaded",
    description="For each named review in the graph: where it was loaded from, its contacts and the agencies that recorded them.",
    cypher=REVIEW_SIZES_CYPHER, networkx=review_sizes_networkx, listed=False,
    params=(Param("names", None, "review ids"),),
    finish=lambda rows, params: sorted(({**r, "agencies": sorted(r["agencies"])} for r in rows), key=lambda r: r["review"]),
))
