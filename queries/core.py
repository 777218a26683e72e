"""The everyday reads that every command stands on: counts, person look-up, a person's timeline.

Not part of the missed-connections catalogue (``listed=False``), but built the same way: Cypher and
NetworkX side by side, one shared ``finish``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.base import REVIEW_PARAM, Param, Query, register

__all__ = ["STATS", "FIND_PERSON", "TIMELINE", "AGENCIES", "DUMP", "by_label", "out_edges", "in_edges"]


# The helpers NetworkX implementations have used since before ``ModelGraph``: they take the wrapper
# or a bare graph in the documented model.

def by_label(G: ModelGraph | nx.MultiDiGraph, label: str) -> list[str]:
    """Node ids of one label (see ``ModelGraph.by_label``)."""
    return ModelGraph.of(G).by_label(label)


def out_edges(G: ModelGraph | nx.MultiDiGraph, node: str, rel_type: str):
    """The end nodes of ``node``'s outgoing relationships of one type, with their properties."""
    return ModelGraph.of(G).outgoing(node, rel_type)


def in_edges(G: ModelGraph | nx.MultiDiGraph, node: str, rel_type: str):
    """The start nodes of ``node``'s incoming relationships of one type, with their properties."""
    return ModelGraph.of(G).incoming(node, rel_type)


# --- stats ------------------------------------------------------------------------------------

STATS_CYPHER = """
CALL () { MATCH (r:Review) RETURN count(r) AS reviews }
CALL () { MATCH (p:Person) RETURN count(p) AS people }
CALL () { MATCH (a:Agency) RETURN count(a) AS agencies }
CALL () { MATCH (c:Contact) RETURN count(c) AS contacts }
CALL () { MATCH ()-[r:RELATED]->() RETURN count(r) AS relationships }
RETURN reviews, people, agencies, contacts, relationships
"""


def stats_networkx(G: ModelGraph, params: dict) -> list[dict]:
    related = sum(1 for c in G.by_label("Person") for _ in G.outgoing(c, "RELATED"))
    return [{"reviews": len(G.by_label("Review")), "people": len(G.by_label("Person")),
             "agencies": len(G.by_label("Agency")), "contacts": len(G.by_label("Contact")),
             "relationships": related}]


STATS = register(Query(
    name="stats", title="Counts", description="How many reviews, people, agencies, contacts and relationships the graph holds.",
    cypher=STATS_CYPHER, networkx=stats_networkx, listed=False, reads=("Review", "Person", "Agency", "Contact.id", "RELATED"),
))

# --- find a person ----------------------------------------------------------------------------

FIND_PERSON_CYPHER = """
MATCH (p:Person)-[m:IN_REVIEW]->(r:Review)
WHERE (toLower(m.name) = toLower($name) OR toLower(p.global_id) = toLower($name) OR p.id = $name)
  AND ($review IS NULL OR r.name = $review)
RETURN p.id AS id, m.name AS name, r.name AS review, m.role AS role
"""


def find_person_networkx(G: ModelGraph, params: dict) -> list[dict]:
    wanted = params["name"].lower()
    rows = []
    for pid in G.by_label("Person"):
        node = G.nodes[pid]
        for rid, m in G.outgoing(pid, "IN_REVIEW"):
            review = G.nodes[rid]["name"]
            if (m["name"].lower() == wanted or str(node.get("global_id", "")).lower() == wanted or pid == params["name"]) \
                    and params["review"] in (None, review):
                rows.append({"id": pid, "name": m["name"], "review": review, "role": m["role"]})
    return rows


FIND_PERSON = register(Query(
    name="find-person", title="Find a person", description="People whose pseudonym, global id or node id is NAME.",
    cypher=FIND_PERSON_CYPHER, networkx=find_person_networkx, listed=False,
    params=(Param("name", None, "pseudonym, global id or node id"), REVIEW_PARAM),
    finish=lambda rows, params: sorted(rows, key=lambda r: (r["review"], r["id"])),
))

# --- timeline ---------------------------------------------------------------------------------

TIMELINE_CYPHER = """
MATCH (p:Person {id: $person})<-[:ABOUT]-(c:Contact)<-[:RECORDED]-(a:Agency)
WHERE $review IS NULL OR c.review = $review
RETURN c.date_text AS date, c.uncertain AS uncertain, c.time AS time, c.sequence AS sequence,
       a.name AS agency, a.type AS agency_type, c.event AS event, c.summary AS summary,
       c.source AS source, c.professional AS professional, c.risk_level AS risk_level,
       c.dash_score AS dash_score, c.risk_factors AS risk_factors, c.referred_to AS referred_to,
       c.shared_with AS shared_with, c.review AS review, c.file AS file, c.line AS line,
       coalesce(c.record, c.line) AS record, coalesce(c.after_death, false) AS after_death,
       c.order_key AS order_key
"""

TIMELINE_KEYS = ("date", "uncertain", "time", "sequence", "agency", "agency_type", "event", "summary", "source",
                 "professional", "risk_level", "dash_score", "risk_factors", "referred_to", "shared_with",
                 "review", "file", "line", "record", "after_death", "order_key")


def timeline_networkx(G: ModelGraph, params: dict) -> list[dict]:
    rows = []
    for cid, _ in G.incoming(params["person"], "ABOUT"):
        c = G.nodes[cid]
        if params["review"] not in (None, c["review"]):
            continue
        agency = next(G.nodes[a] for a, _ in G.incoming(cid, "RECORDED"))
        rows.append({**{k: c.get(k) for k in TIMELINE_KEYS}, "date": c["date_text"], "record": c.get("record", c["line"]),
                     "after_death": bool(c.get("after_death")),
                     "agency": agency["name"],
                     "agency_type": agency["type"]})
    return rows


def finish_timeline(rows: list[dict], params: dict) -> list[dict]:
    rows.sort(key=lambda row: row["order_key"])
    for row in rows:
        row["uncertain"] = bool(row["uncertain"])
        for key in ("risk_factors", "referred_to", "shared_with"):
            row[key] = list(row[key] or [])
        del row["order_key"]
    return rows


TIMELINE = register(Query(
    name="timeline", title="Merged chronology of one person",
    description="Every agency's contacts about one person, in date order.",
    cypher=TIMELINE_CYPHER, networkx=timeline_networkx, finish=finish_timeline, listed=False,
    params=(Param("person", None, "person node id (see find-person)"), REVIEW_PARAM),
))

# --- agencies ---------------------------------------------------------------------------------

AGENCIES_CYPHER = """
MATCH (a:Agency)
CALL (a) { OPTIONAL MATCH (a)-[:RECORDED]->(c:Contact) RETURN count(c) AS contacts }
CALL (a) { OPTIONAL MATCH (a)-[m:IN_REVIEW]->(:Review) UNWIND coalesce(m.aliases, []) AS alias
           RETURN collect(DISTINCT alias) AS aliases }
RETURN a.id AS id, a.name AS name, a.type AS type, aliases, contacts
"""


def agencies_networkx(G: ModelGraph, params: dict) -> list[dict]:
    return [{"id": a, "name": G.nodes[a]["name"], "type": G.nodes[a]["type"],
             "aliases": list({alias: None for _, m in G.outgoing(a, "IN_REVIEW") for alias in m.get("aliases", [])}),
             "contacts": sum(1 for _ in G.outgoing(a, "RECORDED"))} for a in G.by_label("Agency")]


AGENCIES = register(Query(
    name="agencies", title="Agencies", description="Every agency with its type and number of recorded contacts.",
    cypher=AGENCIES_CYPHER, networkx=agencies_networkx, listed=False,
    finish=lambda rows, params: sorted(({**r, "aliases": sorted(r["aliases"])} for r in rows), key=lambda r: r["name"].lower()),
))

# --- dump: the whole graph, for exports and for proving both stores hold the same graph ----------

DUMP_CYPHER = """
MATCH (n) WHERE NOT n:Decision AND NOT n:DhrgraphAnswer AND NOT n:DhrgraphState  // decisions and kept answers are not part of the graph
RETURN 'node' AS kind, labels(n)[0] AS label, n.id AS start, null AS end, properties(n) AS props
UNION ALL
MATCH (s)-[x]->(e)
RETURN 'edge' AS kind, type(x) AS label, s.id AS start, e.id AS end, properties(x) AS props
"""


def dump_networkx(G: ModelGraph, params: dict) -> list[dict]:
    rows = [{"kind": "node", "label": data["label"], "start": node, "end": None,
             "props": {k: v for k, v in data.items() if k != "label"}} for node, data in G.nodes(data=True)]
    rows += [{"kind": "edge", "label": data["type"], "start": s, "end": e,
              "props": {k: v for k, v in data.items() if k != "type"}} for s, e, data in G.edges(data=True)]
    return rows


def finish_dump(rows: list[dict], params: dict) -> list[dict]:
    import json

    return sorted(rows, key=lambda r: (r["kind"] != "node", r["label"], r["start"], r["end"] or "",
                                       json.dumps(r["props"], sort_keys=True)))


DUMP = register(Query(
    name="dump", title="Whole graph", description="Every node and relationship with its properties, in a stable order.",
    cypher=DUMP_CYPHER, networkx=dump_networkx, finish=finish_dump, listed=False,
))
