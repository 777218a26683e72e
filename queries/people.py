"""Who the agencies were dealing with: the same abuser across victims, and people never identified.

* ``serial-perpetrators``: one person (one node across reviews through ``global_id``) who abused two
  or more different people: the history Clare's Law disclosures and risk assessments need;
* ``unidentified-people``: people recorded as never identified, with how often and by whom they
  were mentioned.
"""

from __future__ import annotations

import networkx as nx

from queries.base import Param, Query, register
from queries.common import (
    CONSTANTS, COMMON_PARAMS, EVIDENCE_CYPHER, RECORDS_ABUSE_CYPHER, contact_agency, evidence, finish_rows, records_abuse,
)
from queries.core import by_label, in_edges, out_edges

__all__ = ["SERIAL_PERPETRATORS", "UNIDENTIFIED_PEOPLE", "and_join"]

PRONOUNS = {"female": "she", "male": "he"}


def and_join(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} different people"


def _memberships(G: nx.MultiDiGraph, person: str) -> tuple[list[str], list[str]]:
    """The person's pseudonyms and review names, one pair per review."""
    pairs = [(m["name"], G.nodes[r]["name"]) for r, m in out_edges(G, person, "IN_REVIEW")]
    return [name for name, _ in pairs], [review for _, review in pairs]


# --- serial-perpetrators ----------------------------------------------------------------------

SERIAL_PERPETRATORS_CYPHER = f"""
MATCH (p:Person)-[rel:RELATED]->(v:Person)
WHERE rel.abusive = true AND v <> p
WITH p, collect(DISTINCT v) AS victims, collect(rel {{.review, .file, .line, record: rel.line, date: null, agency: null}}) AS relationships
WHERE size(victims) >= $min_victims
CALL (p) {{
  MATCH (p)-[m:IN_REVIEW]->(r:Review)
  RETURN collect(m.name) AS names, collect(r.name) AS reviews
}}
CALL (p) {{
  OPTIONAL MATCH (p)<-[:ABOUT]-(c:Contact)
  WITH c ORDER BY c.order_key DESC LIMIT 1
  RETURN c.review AS latest
}}
UNWIND victims AS v
CALL (v) {{
  MATCH (v)-[m:IN_REVIEW]->(r:Review)
  RETURN collect(m.name) AS victim_names, collect(r.name) AS victim_reviews
}}
CALL (p, v) {{
  MATCH (p)<-[:ABOUT]-(c:Contact)-[:ABOUT]->(v)
  WHERE {RECORDS_ABUSE_CYPHER("c")}
  MATCH (a:Agency)-[:RECORDED]->(c)
  RETURN collect({EVIDENCE_CYPHER("c", "a")}) AS abuse
}}
WITH p, relationships, names, reviews, latest,
     collect({{names: victim_names, reviews: victim_reviews, evidence: abuse}}) AS victims
RETURN p.global_id AS global_id, p.name AS name, names, reviews, latest, victims, relationships
"""


def serial_perpetrators_networkx(G: nx.MultiDiGraph, p: dict) -> list[dict]:
    rows = []
    for pid in by_label(G, "Person"):
        abused = [(v, rel) for v, rel in out_edges(G, pid, "RELATED") if rel.get("abusive") and v != pid]
        victim_ids = list(dict.fromkeys(v for v, _ in abused))
        if len(victim_ids) < p["min_victims"]:
            continue
        about = [c for c, _ in in_edges(G, pid, "ABOUT")]
        names, reviews = _memberships(G, pid)
        victims = []
        for vid in victim_ids:
            victim_names, victim_reviews = _memberships(G, vid)
            abuse = [evidence(G.nodes[c], contact_agency(G, c)) for c in about
                     if G.has_edge(c, vid) and any(d["type"] == "ABOUT" for d in G[c][vid].values())
                     and records_abuse(G.nodes[c], p)]
            victims.append({"names": victim_names, "reviews": victim_reviews, "evidence": abuse})
        person = G.nodes[pid]
        rows.append({"global_id": person.get("global_id"), "name": person["name"], "names": names, "reviews": reviews,
                     "latest": max((G.nodes[c] for c in about), key=lambda c: c["order_key"])["review"] if about else None,
                     "victims": victims,
                     "relationships": [{"review": rel["review"], "file": rel["file"], "line": rel["line"], "record": rel["line"], "date": None,
                                        "agency": None} for _, rel in abused]})
    return rows


def finish_serial_perpetrators(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for r in rows:
        names, reviews = sorted(set(r["names"])), sorted(set(r["reviews"]))
        perpetrator = r["global_id"] or r["name"]
        victims = sorted(f"{' / '.join(sorted(set(v['names'])))} ({', '.join(sorted(set(v['reviews'])))})"
                         for v in r["victims"])
        who = perpetrator if names == [perpetrator] else f"{perpetrator} ({' / '.join(names)})"
        where = "in 1 review" if len(reviews) == 1 else f"across {len(reviews)} reviews"
        out.append({
            "review": r["latest"] or reviews[-1], "reviews": reviews, "perpetrator": perpetrator, "names": names,
            "victims": victims,
            "finding": f"{who} abused {_people(len(victims))} {where}: {and_join(victims)}.",
            "evidence": [e for v in r["victims"] for e in v["evidence"]] + r["relationships"],
        })
    return finish_rows(out, p, ("review", "perpetrator"))


SERIAL_PERPETRATORS = register(Query(
    name="serial-perpetrators",
    title="One person who abused several different people",
    description="A person (one person across reviews when they share a global_id) recorded as abusive towards "
                "`min_victims` or more different people, in any reviews. A victim who is one person across reviews "
                "counts once. The row is in the review of the perpetrator's latest contact and lists every review "
                "they appear in (the review filter matches any of them); it cites the relationship rows and the "
                "contacts about the perpetrator and a victim together that record abuse (an incident or disclosure, "
                "or an abuse factor).",
    cypher=SERIAL_PERPETRATORS_CYPHER, networkx=serial_perpetrators_networkx, finish=finish_serial_perpetrators,
    constants=CONSTANTS,
    params=(*COMMON_PARAMS, Param("min_victims", 2, "different people abused that make a finding", int)),
))


# --- unidentified-people ----------------------------------------------------------------------

UNIDENTIFIED_PEOPLE_CYPHER = f"""
MATCH (p:Person)-[m:IN_REVIEW]->(r:Review)
WHERE m.identified = false
MATCH (p)<-[:ABOUT]-(c:Contact)<-[:RECORDED]-(a:Agency)
WHERE c.review = r.name
RETURN r.name AS review, m.name AS person, p.sex AS sex, count(c) AS mentions, collect(DISTINCT a.name) AS agencies,
       collect({EVIDENCE_CYPHER("c", "a")}) AS evidence
"""


def unidentified_people_networkx(G: nx.MultiDiGraph, p: dict) -> list[dict]:
    rows = []
    for pid in by_label(G, "Person"):
        for rid, m in out_edges(G, pid, "IN_REVIEW"):
            if m.get("identified") is not False:
                continue
            review = G.nodes[rid]["name"]
            mentions = [(G.nodes[c], contact_agency(G, c)) for c, _ in in_edges(G, pid, "ABOUT")
                        if G.nodes[c]["review"] == review]
            if mentions:
                rows.append({"review": review, "person": m["name"], "sex": G.nodes[pid].get("sex"),
                             "mentions": len(mentions), "agencies": list({a["name"] for _, a in mentions}),
                             "evidence": [evidence(c, a) for c, a in mentions]})
    return rows


def finish_unidentified_people(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for r in rows:
        agencies = sorted(r["agencies"])
        times = "once" if r["mentions"] == 1 else f"{r['mentions']} times"
        pronoun = PRONOUNS.get(r["sex"])
        who = f"who {pronoun} was" if pronoun else "who this was"
        out.append({"review": r["review"], "person": r["person"], "mentions": r["mentions"], "agencies": agencies,
                    "finding": f"'{r['person']}' was mentioned {times} by {and_join(agencies)} and never identified; "
                               f"no agency established {who}.",
                    "evidence": r["evidence"]})
    return finish_rows(out, p, ("review", "person"))


UNIDENTIFIED_PEOPLE = register(Query(
    name="unidentified-people",
    title="People mentioned but never identified",
    description="People the review records as not identified (identified = no in people.csv) who appear in at least "
                "one contact of that review: how many contacts mention them and which agencies recorded those "
                "contacts. One row per person per review.",
    cypher=UNIDENTIFIED_PEOPLE_CYPHER, networkx=unidentified_people_networkx, finish=finish_unidentified_people,
    constants=CONSTANTS, params=COMMON_PARAMS,
))
