"""Who the agencies were dealing with: the same abuser across victims, and people never identified.

* ``serial-perpetrators``: one person (one node across reviews through ``global_id``) who abused two
  or more different people: the history Clare's Law disclosures and risk assessments need;
* ``unidentified-people``: people recorded as never identified, with how often and by whom they
  were mentioned.
"""

from __future__ import annotations

from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.base import Param, Query, register, yes_no
from dhrgraph.queries.common import (
    CONSTANTS, COMMON_PARAMS, evidence_cypher, PERSON_IDS, records_abuse_cypher, and_join, contact_agency, evidence,
    finish_rows, records_abuse,
)
from dhrgraph.queries.identity import DEFAULT_MIN_PROBABILITY

__all__ = ["SERIAL_PERPETRATORS", "UNIDENTIFIED_PEOPLE", "and_join"]

PRONOUNS = {"female": "she", "male": "he"}


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} different people"


# --- serial-perpetrators ----------------------------------------------------------------------
# One person is one node (a shared global_id), or several nodes joined by the identity map passed
# as the parameter ``identity`` (node id -> the id of the person it is one with): `same` decisions,
# and probable links between abusers' records (queries/identity.py). Both implementations group by
# ``coalesce($identity[id], id)``; the map is computed once from the store, so both backends group
# alike.

def _serial_perpetrators_cypher(one_review: bool = False) -> str:
    """Over every review; with ``one_review`` (its ``review_cypher``), only the perpetrators with a record in review
    ``$review``: every record the identity map joins to a person of the review (``$members``), and their abuse in
    every review (over every review and filtered after, one review took 1.65 s at 1M contacts on Neo4j)."""
    start = "MATCH (p:Person)-[rel:RELATED]->(v:Person)"
    if one_review:
        start = ("MATCH (:Review {name: $review})<-[:IN_REVIEW]-(q:Person)\n"
                 "WITH DISTINCT coalesce($identity[q.id], q.id) AS one\n"
                 "UNWIND coalesce($members[one], [one]) AS record\n"
                 "MATCH (p:Person {id: record})-[rel:RELATED]->(v:Person)")
    return f"""
{start}
WHERE rel.abusive = true
WITH coalesce($identity[p.id], p.id) AS who, coalesce($identity[v.id], v.id) AS whom, p, v, rel
WHERE who <> whom
WITH who, collect(DISTINCT whom) AS whoms, collect(DISTINCT p) AS members, collect(DISTINCT v) AS victims,
     collect(rel {{.review, .file, .line, record: rel.line, date: null, agency: null, event: null, summary: null}}) AS relationships
WHERE size(whoms) >= $min_victims
CALL (members) {{
  UNWIND members AS p
  MATCH (p)-[m:IN_REVIEW]->(r:Review)
  RETURN collect(m.name) AS names, collect(r.name) AS reviews, collect(DISTINCT p.global_id) AS global_ids,
         collect({{review: r.name, person: m.name}}) AS records
}}
CALL (members) {{
  UNWIND members AS p
  OPTIONAL MATCH (p)<-[:ABOUT]-(c:Contact)
  WITH c ORDER BY c.order_key DESC LIMIT 1
  RETURN c.review AS latest
}}
UNWIND victims AS v
CALL (v) {{
  MATCH (v)-[m:IN_REVIEW]->(r:Review)
  RETURN collect({{name: m.name, review: r.name}}) AS victim_records
}}
CALL (members, v) {{
  UNWIND members AS p
  MATCH (p)<-[:ABOUT]-(c:Contact)-[:ABOUT]->(v)
  WHERE {records_abuse_cypher("c")}
  MATCH (a:Agency)-[:RECORDED]->(c)
  RETURN collect({evidence_cypher("c", "a")}) AS abuse
}}
WITH who, global_ids, relationships, names, reviews, records, latest, [p IN members | p.id] AS members,
     collect({{person: coalesce($identity[v.id], v.id), id: v.id, records: victim_records, evidence: abuse}}) AS victims
RETURN who, global_ids, names, reviews, records, latest, victims, relationships, members
"""


SERIAL_PERPETRATORS_CYPHER = _serial_perpetrators_cypher()


def serial_perpetrators_networkx(G: ModelGraph, p: dict) -> list[dict]:
    identity = p["identity"]
    groups: dict[str, dict] = {}
    for pid in G.by_label("Person"):
        who = identity.get(pid, pid)
        for vid, rel in G.outgoing(pid, "RELATED"):
            if rel.get("abusive") and identity.get(vid, vid) != who:
                group = groups.setdefault(who, {"members": {}, "victims": {}, "relationships": []})
                group["members"][pid] = None
                group["victims"][vid] = None
                group["relationships"].append({"review": rel["review"], "file": rel["file"], "line": rel["line"], "record": rel["line"],
                                               "date": None, "agency": None, "event": None, "summary": None})
    rows = []
    for who, group in groups.items():
        members = list(group["members"])
        if len({identity.get(v, v) for v in group["victims"]}) < p["min_victims"]:
            continue
        records = [{"review": G.nodes[r]["name"], "person": m["name"]} for pid in members for r, m in G.outgoing(pid, "IN_REVIEW")]
        about = {c: None for pid in members for c, _ in G.incoming(pid, "ABOUT")}
        victims = []
        for vid in group["victims"]:
            abuse = [evidence(G.nodes[c], contact_agency(G, c)) for c in about
                     if G.has_edge(c, vid) and any(d["type"] == "ABOUT" for d in G[c][vid].values()) and records_abuse(G.nodes[c], p)]
            victims.append({"person": identity.get(vid, vid), "id": vid, "evidence": abuse,
                            "records": [{"name": m["name"], "review": G.nodes[r]["name"]} for r, m in G.outgoing(vid, "IN_REVIEW")]})
        rows.append({"who": who, "global_ids": list({G.nodes[m].get("global_id"): None for m in members if G.nodes[m].get("global_id")}),
                     "names": [r["person"] for r in records], "reviews": [r["review"] for r in records], "records": records,
                     "latest": max((G.nodes[c] for c in about), key=lambda c: c["order_key"])["review"] if about else None,
                     "victims": victims, "relationships": group["relationships"], "members": members})
    return rows


def _victims(victims: list[dict]) -> list[dict]:
    """One victim per person (records of one person merged): ``name`` and ``review`` of their first
    record, ``records`` every {name, review}, and the abuse evidence."""
    merged: dict[str, dict] = {}
    for v in victims:
        entry = merged.setdefault(v["person"], {"records": [], "evidence": []})
        entry["records"] += v["records"]
        entry["evidence"] += v["evidence"]
    out = []
    for entry in merged.values():
        records = sorted({(r["review"], r["name"]) for r in entry["records"]})
        out.append({"name": records[0][1], "review": records[0][0],
                    "records": [{"name": name, "review": review} for review, name in records], "evidence": entry["evidence"]})
    return sorted(out, key=lambda v: (v["name"], v["review"]))


def _victim_text(victim: dict) -> str:
    names = " / ".join(sorted({r["name"] for r in victim["records"]}))
    return f"{names} ({', '.join(sorted({r['review'] for r in victim['records']}))})"


def _linked_by(records: list[dict], links: list[dict]) -> tuple[str, dict | None]:
    """How the row's records were joined: global_id (one node), confirmed (a `same` decision) or
    probable (a proposed link; the weakest one is returned)."""
    keys = {(r["review"], r["person"]) for r in records}
    used = [link for link in links if {(x["review"], x["person"]) for x in (link["left"], link["right"])} <= keys]
    probable = sorted((link for link in used if link["kind"] == "probable"), key=lambda link: link["probability"])
    if probable:
        return "probable", probable[0]
    return ("confirmed", None) if used else ("global_id", None)


def finish_serial_perpetrators(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for r in rows:
        names, reviews = sorted(set(r["names"])), sorted(set(r["reviews"]))
        global_ids = sorted(r["global_ids"])
        records = sorted({(x["review"], x["person"]) for x in r["records"]})
        perpetrator = global_ids[0] if len(global_ids) == 1 else records[0][1] if len(records) == 1 or not global_ids \
            else " / ".join(global_ids)
        victims = _victims(r["victims"])
        texts = [_victim_text(v) for v in victims]
        who = perpetrator if names == [perpetrator] else f"{perpetrator} ({' / '.join(names)})"
        where = "in 1 review" if len(reviews) == 1 else f"across {len(reviews)} reviews"
        linked_by, link = _linked_by(r["records"], p["links"])
        review = r["latest"] or reviews[-1]
        caveat = ""
        if link is not None:
            caveat = (f" These records are probably one person (probability {link['probability']}: {link['left']['person']} in "
                      f"{link['left']['review']} and {link['right']['person']} in {link['right']['review']}); "
                      f"no agency or analyst has confirmed it.")
        out.append({
            "review": review, "reviews": reviews, "other_reviews": [x for x in reviews if x != review],
            "perpetrator": perpetrator, "names": names,
            "victims": [{k: v[k] for k in ("name", "review", "records")} for v in victims],
            "linked_by": linked_by, "probability": link["probability"] if link else None,
            "pair": {"left": link["left"], "right": link["right"]} if link else None,
            "finding": f"{who} abused {_people(len(victims))} {where}: {and_join(texts)}.{caveat}",
            "evidence": [e for v in victims for e in v["evidence"]] + r["relationships"],
            PERSON_IDS: [*r["members"], *(v["id"] for v in r["victims"])],
        })
    return finish_rows(out, p, ("review", "perpetrator"))


def _confirmed_identities(store, bound: dict) -> dict:
    from dhrgraph.queries.identity import identity_params

    return identity_params(store, None)


def _identity_map(store, bound: dict) -> dict:
    from dhrgraph.queries.identity import identity_params

    return identity_params(store, bound["min_probability"] if bound["probable"] else None)


SERIAL_PERPETRATORS = register(Query(
    name="serial-perpetrators",
    title="One person who abused several different people",
    description="A person recorded as abusive towards `min_victims` or more different people, in any reviews: the "
                "reviews are crossed on purpose, so each row lists every review the person appears in (`reviews`, and "
                "`other_reviews` besides the row's own; the review filter matches any of them). One person is one "
                "record, records sharing a global_id, records an analyst decided are the same (`dhrgraph same`), or, "
                "with `probable` on, records of abusers that record linkage finds probably one person (probability >= "
                "`min_probability`; `dhrgraph link`). Each row says how: `linked_by` global_id, confirmed or probable, "
                "and for a probable row the `probability` and the `pair` of records behind it. A victim who is one "
                "person across reviews counts once; `victims` are objects with `name`, `review` and every record. "
                "The row is in the review of the perpetrator's latest contact; it cites the relationship rows and the "
                "contacts about the perpetrator and a victim together that record abuse (an incident or disclosure, "
                "or an abuse factor).",
    cypher=SERIAL_PERPETRATORS_CYPHER, review_cypher=_serial_perpetrators_cypher(True),
    networkx=serial_perpetrators_networkx, finish=finish_serial_perpetrators,
    constants=CONSTANTS, prepare=_identity_map,
    params=(*COMMON_PARAMS, Param("min_victims", 2, "different people abused that make a finding", int),
            Param("probable", True, "also join records that record linkage finds probably one person", yes_no),
            Param("min_probability", DEFAULT_MIN_PROBABILITY, "lowest probability of a probable link", float)),
))


# --- unidentified-people ----------------------------------------------------------------------

# An unidentified person mentioned with someone (a "new girlfriend" in a contact about him) may be a
# known partner of that someone, in this review or, through a global_id or a `same` decision, in
# another: ``may_be`` lists them (same sex when the unidentified person's is recorded).
INTIMATE = ("partner", "ex_partner", "spouse")

UNIDENTIFIED_PEOPLE_CYPHER = f"""
MATCH (p:Person)-[m:IN_REVIEW]->(r:Review)
WHERE m.identified = false
MATCH (p)<-[:ABOUT]-(c:Contact)<-[:RECORDED]-(a:Agency)
WHERE c.review = r.name
WITH r, m, p, count(c) AS mentions, collect(DISTINCT a.name) AS agencies,
     collect({evidence_cypher("c", "a")}) AS evidence, collect(c) AS contacts
CALL (p, contacts) {{
  UNWIND contacts AS c
  MATCH (c)-[:ABOUT]->(s:Person)
  WHERE s <> p
  WITH DISTINCT p, s
  UNWIND coalesce($members[coalesce($identity[s.id], s.id)], [s.id]) AS sid
  MATCH (s2:Person {{id: sid}})-[rel:RELATED]-(k:Person)
  WHERE rel.kind IN $intimate AND k <> p AND (p.sex IS NULL OR k.sex = p.sex)
  MATCH (k)-[km:IN_REVIEW]->(kr:Review {{name: rel.review}}), (s2)-[sm:IN_REVIEW]->(:Review {{name: rel.review}})
  WHERE coalesce(km.identified, true)
  RETURN collect(DISTINCT {{name: km.name, review: kr.name, partner_of: {{name: sm.name, review: rel.review}}, id: k.id,
                           partner_id: s2.id}}) AS may_be
}}
RETURN r.name AS review, m.name AS person, p.sex AS sex, mentions, agencies, evidence, may_be, p.id AS id
"""


def _may_be(G: ModelGraph, pid: str, contacts: list[str], p: dict) -> list[dict]:
    sex = G.nodes[pid].get("sex")
    subjects = {s for c in contacts for s, d in G[c].items() if s != pid and any(e["type"] == "ABOUT" for e in d.values())}
    found = []
    for s in subjects:
        for s2 in p["members"].get(p["identity"].get(s, s), [s]):
            for k, rel in [*G.outgoing(s2, "RELATED"), *G.incoming(s2, "RELATED")]:
                if rel.get("kind") not in INTIMATE or k == pid or (sex is not None and G.nodes[k].get("sex") != sex):
                    continue
                km = next((m for r, m in G.outgoing(k, "IN_REVIEW") if G.nodes[r]["name"] == rel["review"]), None)
                sm = next((m for r, m in G.outgoing(s2, "IN_REVIEW") if G.nodes[r]["name"] == rel["review"]), None)
                if km is not None and sm is not None and km.get("identified", True):
                    found.append({"name": km["name"], "review": rel["review"],
                                  "partner_of": {"name": sm["name"], "review": rel["review"]}, "id": k, "partner_id": s2})
    return found


def unidentified_people_networkx(G: ModelGraph, p: dict) -> list[dict]:
    rows = []
    for pid in G.by_label("Person"):
        for rid, m in G.outgoing(pid, "IN_REVIEW"):
            if m.get("identified") is not False:
                continue
            review = G.nodes[rid]["name"]
            contacts = [c for c, _ in G.incoming(pid, "ABOUT") if G.nodes[c]["review"] == review]
            mentions = [(G.nodes[c], contact_agency(G, c)) for c in contacts]
            if mentions:
                rows.append({"review": review, "person": m["name"], "sex": G.nodes[pid].get("sex"),
                             "mentions": len(mentions), "agencies": list({a["name"] for _, a in mentions}),
                             "evidence": [evidence(c, a) for c, a in mentions], "may_be": _may_be(G, pid, contacts, p),
                             "id": pid})
    return rows


def finish_unidentified_people(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for r in rows:
        agencies = sorted(r["agencies"])
        times = "once" if r["mentions"] == 1 else f"{r['mentions']} times"
        pronoun = PRONOUNS.get(r["sex"])
        who = f"who {pronoun} was" if pronoun else "who this was"
        may_be = sorted({(x["name"], x["review"], x["partner_of"]["name"]): {k: v for k, v in x.items() if k not in ("id", "partner_id")}
                         for x in r["may_be"]}.values(), key=lambda x: (x["review"], x["name"], x["partner_of"]["name"]))
        out.append({"review": r["review"], "person": r["person"], "mentions": r["mentions"], "agencies": agencies,
                    "may_be": may_be,
                    "finding": f"'{r['person']}' was mentioned {times} by {and_join(agencies)} and never identified; "
                               f"no agency established {who}.",
                    "evidence": r["evidence"], PERSON_IDS: [r["id"], *(x[k] for x in r["may_be"] for k in ("id", "partner_id"))]})
    return finish_rows(out, p, ("review", "person"))


UNIDENTIFIED_PEOPLE = register(Query(
    name="unidentified-people",
    title="People mentioned but never identified",
    description="People the review records as not identified (identified = no in people.csv) who appear in at least "
                "one contact of that review: how many contacts mention them and which agencies recorded those "
                "contacts. One row per person per review. `may_be` suggests who they may be: the known partners "
                "(partner, ex_partner, spouse; of the same sex when it is recorded) of the people they were mentioned "
                "with, in any review where those people are one person by global_id or a `same` decision, each "
                "with `name`, `review` and `partner_of`.",
    cypher=UNIDENTIFIED_PEOPLE_CYPHER, networkx=unidentified_people_networkx, finish=finish_unidentified_people,
    constants={**CONSTANTS, "intimate": list(INTIMATE)}, params=COMMON_PARAMS, prepare=_confirmed_identities,
))
