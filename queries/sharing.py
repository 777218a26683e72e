"""Information that did not travel: risk one agency held and others never received.

* ``unshared-risk``: a risk signal that never reached the other agencies who then saw the person;
* ``fragmented-risk``: the agencies holding risk about one person, split into groups that never
  exchanged anything, so no one saw the whole picture;
* ``victim-perpetrator-divide``: the agencies around the victim and those around the perpetrator,
  with no flow between the two sides.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from itertools import islice

from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.base import Gaps, Param, Query, register
from dhrgraph.queries.common import (
    before_death_cypher, CONSTANTS, COMMON_PARAMS, dash_cypher, DASH_HIGH, evidence_cypher, factors_cypher,
    flows_about_cypher,
    FORUM_TYPES, level_cypher, risk_signal_cypher, union_find_cypher, before_death, components, contacts_by_person,
    contacts_in_review, dash_score,
    days_between, evidence, factors, finish_rows, flows_in_review, holds_risk, holds_risk_cypher, is_risk_signal, recorder,
    risk_level, risk_reasons,
    shift, subject_name,
    PERSON_IDS,
    in_review_cypher, people_cypher, recorded_about_cypher,
)

__all__ = ["UNSHARED_RISK", "FRAGMENTED_RISK", "VICTIM_PERPETRATOR_DIVIDE"]


# --- unshared-risk ----------------------------------------------------------------------------

def _unshared_risk_cypher(one_review: bool) -> str:
    """unshared-risk's Cypher, over every review or (``one_review``) over ``$review``'s contacts. Person by person:
    each person's contacts are read once, in chronology order, with their agency and whether each is a risk signal
    (the properties then sit in lists, read once); each signal is then checked against that list. Checking each
    signal by matching the person's contacts again read them once per signal (at 1M contacts, 23 s against 12 s)."""
    return f"""
{people_cypher("s", one_review)}
CALL (s) {{
  MATCH (s)<-[:ABOUT]-(e:Contact)<-[:RECORDED]-(b:Agency)
  WHERE NOT b.type IN $forum_types AND {before_death_cypher("e")}{in_review_cypher("e", one_review)}
  WITH e, b, {risk_signal_cypher("e")} AS signal ORDER BY e.order_key
  RETURN e.review AS review, collect({{key: e.order_key, date: e.date, agency: b.id, signal: signal, c: e, a: b}}) AS seen
}}
WITH s, review, seen, [x IN seen WHERE x.signal] AS signals
WHERE size(signals) > 0
CALL (s, review) {{
  CALL (s, review) {{{flows_about_cypher("s", "review")}
  }}
  WITH f, x, y ORDER BY f.order_key
  RETURN collect([f.order_key, x.id, y.id]) AS flows
}}
UNWIND signals AS signal
// time-respecting reach: walk the flows in chronology order from the signalling agency
WITH s, review, seen, signal, toString(date(signal.date) + duration({{days: $window_days}})) AS until,
     reduce(reached = [[signal.agency, signal.key]], f IN [f IN flows WHERE f[0] >= signal.key] |
     CASE WHEN any(r IN reached WHERE r[0] = f[1]) AND none(r IN reached WHERE r[0] = f[2])
          THEN reached + [[f[2], f[0]]] ELSE reached END) AS reached
// each other agency's first contact with the person after the signal, within the window
WITH s, review, signal, reached,
     reduce(firsts = [], x IN [x IN seen WHERE x.agency <> signal.agency AND x.date > signal.date AND x.date <= until] |
     CASE WHEN any(y IN firsts WHERE y.agency = x.agency) THEN firsts ELSE firsts + [x] END) AS firsts
WITH s, review, signal.c AS sig, signal.a AS a, [x IN firsts WHERE none(r IN reached WHERE r[0] = x.agency AND r[1] <= x.key)] AS missed
WHERE size(missed) > 0
MATCH (s)-[m:IN_REVIEW]->(:Review {{name: review}})
RETURN review, m.name AS subject, a.name AS agency, a.type AS agency_type, sig.date_text AS date,
       {{risk_level: {level_cypher("sig")}, dash_score: {dash_cypher("sig")}, risk_factors: {factors_cypher("sig")},
        event: sig.event}} AS signal, [x IN missed | {{name: x.a.name, evidence: {evidence_cypher("x.c", "x.a")}}}] AS missed,
       {evidence_cypher("sig", "a")} AS signal_evidence, [s.id] AS {PERSON_IDS}
"""


UNSHARED_RISK_CYPHER = _unshared_risk_cypher(False)


def unshared_risk_networkx(G: ModelGraph, p: dict) -> list[dict]:
    G = ModelGraph.of(G)  # a bare graph too: the indexes below are then made once for this run
    in_review = contacts_in_review(G)
    window = p["window_days"]
    node = G._node
    rows = []
    for cid in G.by_label("Contact"):
        sig = node[cid]
        if not is_risk_signal(sig, p["dash_high"], p) or not before_death(sig):
            continue
        a_id = recorder(G, cid)
        a = node[a_id]
        if a["type"] in FORUM_TYPES:
            continue
        review, key, date = sig["review"], sig["order_key"], sig["date"]
        for s, _ in G.outgoing(cid, "ABOUT"):
            reached = {a_id: key}
            flows = flows_in_review(G, s, review, p)  # in chronology order: those from the signal on
            for key_f, x, y, _ in islice(flows, bisect_left(flows, (key,)), None):
                if x in reached and y not in reached:
                    reached[y] = key_f
            pairs, dates = in_review[(s, review)]  # the person's contacts in the review, in chronology order
            # only contacts dated after the signal and within the window count: with the dates in order, the ones
            # between those two dates (every test below still applies)
            later = pairs if dates is None else \
                islice(pairs, bisect_right(dates, date), bisect_right(dates, shift(date, window)))
            first: dict[str, tuple[dict, dict]] = {}  # agency id -> its first contact in the window
            for e, b in later:
                if b["id"] == a_id or b["type"] in FORUM_TYPES or b["id"] in first or not e["date"] > date \
                        or not before_death(e) or days_between(date, e["date"]) > window:
                    continue
                first[b["id"]] = (e, b)
            missed = [{"name": b["name"], "evidence": evidence(e, b)} for b_id, (e, b) in first.items()
                      if not (b_id in reached and reached[b_id] <= e["order_key"])]
            if missed:
                rows.append({"review": review, "subject": subject_name(G, s, review), "agency": a["name"],
                             "agency_type": a["type"], "date": sig["date_text"],
                             "signal": {"risk_level": risk_level(sig, p), "dash_score": dash_score(sig, p),
                                        "risk_factors": factors(sig, p), "event": sig["event"]},
                             "missed": missed, "signal_evidence": evidence(sig, a), PERSON_IDS: [s]})
    return rows


def finish_unshared_risk(rows: list[dict], p: dict) -> list[dict]:
    out = []
    # the signals' file order first: rows alike in review, date, subject and agency then keep it, on any backend
    for r in sorted(rows, key=lambda r: (r["signal_evidence"]["file"], r["signal_evidence"]["line"])):
        missed = sorted(r["missed"], key=lambda m: m["name"])
        out.append({
            "review": r["review"], "subject": r["subject"], "agency": r["agency"], "agency_type": r["agency_type"],
            "date": r["date"], "risk": risk_reasons({**r["signal"], "risk_factors": r["signal"]["risk_factors"] or []}, p["dash_high"]),
            "not_shared_with": [m["name"] for m in missed],
            "finding": f"{r['agency']} recorded a risk signal about {r['subject']} on {r['date']}; it did not reach "
                       f"{', '.join(m['name'] for m in missed)} before their next contact with {r['subject']}.",
            "evidence": [r["signal_evidence"], *(m["evidence"] for m in missed)], PERSON_IDS: r[PERSON_IDS],
        })
    return finish_rows(out, p, ("review", "date", "subject", "agency"))


def unshared_risk_gaps(row: dict) -> Gaps:
    return [(row.get("agency"), other) for other in row.get("not_shared_with", [])], []


UNSHARED_RISK = register(Query(
    name="unshared-risk",
    title="Risk held by one agency, not shared with the others who saw the person",
    description="Agency A recorded a risk signal about a person; within window_days other agencies had contact with "
                "that person in the same review, and no time-respecting chain of referrals or shares from A reached them "
                "before that contact. Nothing on or after the death that ends the chronology counts, as a signal or as "
                "a later contact.",
    cypher=UNSHARED_RISK_CYPHER, review_cypher=_unshared_risk_cypher(True),
    networkx=unshared_risk_networkx, finish=finish_unshared_risk, constants=CONSTANTS,
    gaps=unshared_risk_gaps,
    params=(*COMMON_PARAMS, Param("window_days", 180, "days after the signal in which other agencies' contacts count", int),
            DASH_HIGH),
))


# --- fragmented-risk --------------------------------------------------------------------------

def _fragmented_risk_cypher(one_review: bool) -> str:
    """fragmented-risk's Cypher, over every review or (``one_review``) over ``$review``'s contacts."""
    return f"""
{recorded_about_cypher("c", "a", "s", one_review)}
WHERE NOT a.type IN $forum_types AND {before_death_cypher("c")}
WITH s, c, a, {factors_cypher("c")} AS found
WHERE {holds_risk_cypher("c", "found")}
WITH s, c.review AS review, a, collect([c, found]) AS contacts
WITH s, review, collect({{id: a.id, name: a.name, contacts: [x IN contacts | {{factors: x[1],
     evidence: {evidence_cypher("x[0]", "a")}}}]}}) AS holders
WHERE size(holders) >= 2
CALL (s, review) {{
  CALL (s, review) {{{flows_about_cypher("s", "review")}
  }}
  RETURN collect(DISTINCT [x.id, y.id]) AS links
}}
WITH s, review, holders, {union_find_cypher("[h IN holders | h.id]", "[l IN links WHERE l[0] IS NOT NULL]")} AS groups
WITH s, review, holders, [g IN groups WHERE any(h IN holders WHERE h.id IN g)] AS groups
WHERE size(groups) >= 2
MATCH (s)-[m:IN_REVIEW]->(:Review {{name: review}})
RETURN s.id AS person, [m.name] AS names, [review] AS reviews, holders, groups
"""


FRAGMENTED_RISK_CYPHER = _fragmented_risk_cypher(False)


def fragmented_risk_networkx(G: ModelGraph, p: dict) -> list[dict]:
    G = ModelGraph.of(G)  # a bare graph too: the indexes below are then made once for this run
    rows = []
    for s, contacts in contacts_by_person(G).items():
        held: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # review -> agency -> contacts
        for c, a in contacts:
            found = factors(c, p)
            if found and a["type"] not in FORUM_TYPES and before_death(c) and holds_risk(c, found, p):
                held[c["review"]][a["id"]].append((found, c, a))
        for review, holders in held.items():  # one review at a time
            if len(holders) < 2:
                continue
            links = {(x, y) for _, x, y, _ in flows_in_review(G, s, review, p)}
            groups = [g for g in components(holders, links) if any(h in g for h in holders)]
            if len(groups) < 2:
                continue
            # the evidence only of what is reported (most people's risk is not split)
            rows.append({"person": s, "names": [subject_name(G, s, review)], "reviews": [review],
                         "holders": [{"id": a, "name": G.nodes[a]["name"],
                                      "contacts": [{"factors": found, "evidence": evidence(c, agency)} for found, c, agency in cs]}
                                     for a, cs in holders.items()],
                         "groups": [list(g) for g in groups]})
    return rows


def finish_fragmented_risk(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for r in rows:
        holders = {h["id"]: h for h in r["holders"]}
        groups = []
        for group in r["groups"]:
            members = [holders[i] for i in sorted(set(group)) if i in holders]
            groups.append({"agencies": sorted(h["name"] for h in members),
                           "factors": sorted({f for h in members for c in h["contacts"] for f in c["factors"]})})
        groups.sort(key=lambda g: g["agencies"])
        names = sorted(set(r["names"]))
        reviews = sorted(set(r["reviews"]))
        out.append({
            "review": reviews[-1], "subject": " / ".join(names), "groups": groups,
            "finding": f"Risk about {' / '.join(names)} was held in {len(groups)} groups of agencies with no referral or "
                       f"share between them: " + "; ".join(", ".join(g["agencies"]) for g in groups) + ".",
            "evidence": [c["evidence"] for h in r["holders"] for c in h["contacts"]], PERSON_IDS: [r["person"]],
        })
    return finish_rows(out, p, ("review", "subject"))


def fragmented_risk_gaps(row: dict) -> Gaps:
    return [], [(f"Group {i}: " + ", ".join(f.replace("_", " ") for f in g.get("factors", [])[:3]), g.get("agencies", []))
                 for i, g in enumerate(row.get("groups", []), 1)]


FRAGMENTED_RISK = register(Query(
    name="fragmented-risk",
    title="Risk about one person split between agencies that never exchanged information",
    description="Within one review, the agencies that recorded risk factors about one person (before the death that "
                "ends the chronology; pregnancy or separation only with abuse recorded in the same contact, as a risk "
                "signal takes them: a birth or a housing move alone holds no risk) fall into two or more groups with no referral or share (about that person, in that "
                "review) between the groups: no one saw the whole picture. A person known in several reviews (global_id) "
                "is checked in each.",
    cypher=FRAGMENTED_RISK_CYPHER, review_cypher=_fragmented_risk_cypher(True),
    networkx=fragmented_risk_networkx, finish=finish_fragmented_risk, constants=CONSTANTS,
    gaps=fragmented_risk_gaps,
    params=COMMON_PARAMS,
))


# --- victim-perpetrator-divide ------------------------------------------------------------------

VICTIM_PERPETRATOR_DIVIDE_CYPHER = f"""
MATCH (p:Person)-[rel:RELATED {{abusive: true}}]->(v:Person)
WHERE $review IS NULL OR rel.review = $review  // one review: only its pairs, from the start
CALL (p, v, rel) {{
  UNWIND [p, v] AS x  // expand from the two people, not from every contact
  MATCH (x)<-[:ABOUT]-(c:Contact)<-[:RECORDED]-(a:Agency)
  WHERE c.review = rel.review AND NOT a.type IN $forum_types AND {before_death_cypher("c")}
  WITH a, c, x ORDER BY c.order_key
  // each agency's first contact is the one cited: only its evidence is read (at 1M contacts, every contact's was
  // 9.8M of the query's 22M property reads)
  WITH a, collect(DISTINCT x.id) AS seen, head(collect([c, x.id])) AS first
  RETURN collect({{id: a.id, name: a.name, seen: seen, first: [first[1], {evidence_cypher("first[0]", "a")}]}}) AS agencies
}}
WITH p, v, rel, [a IN agencies WHERE a.seen = [v.id]] AS victim_side, [a IN agencies WHERE a.seen = [p.id]] AS perpetrator_side
WHERE size(victim_side) > 0 AND size(perpetrator_side) > 0
CALL (p, v, rel) {{
  UNWIND [p, v] AS person
  CALL (person, rel) {{{flows_about_cypher("person", "rel.review")}
  }}
  RETURN collect(DISTINCT [x.id, y.id, x.type IN $forum_types, y.type IN $forum_types]) AS links
}}
WITH p, v, rel, victim_side, perpetrator_side, [a IN victim_side + perpetrator_side | a.id] AS sides, links
// only flows between the two sides count, directly or through a forum (MARAC, MASH)
WITH p, v, rel, victim_side, perpetrator_side,
     {union_find_cypher("sides", "[l IN links WHERE l[0] IS NOT NULL AND (l[2] OR l[0] IN sides) AND (l[3] OR l[1] IN sides)]")} AS groups
WHERE none(g IN groups WHERE any(a IN victim_side WHERE a.id IN g) AND any(a IN perpetrator_side WHERE a.id IN g))
MATCH (p)-[pm:IN_REVIEW]->(:Review {{name: rel.review}}), (v)-[vm:IN_REVIEW]->(:Review {{name: rel.review}})
RETURN rel.review AS review, pm.name AS perpetrator, vm.name AS victim, victim_side, perpetrator_side, [p.id, v.id] AS {PERSON_IDS}
"""


def victim_perpetrator_divide_networkx(G: ModelGraph, p: dict) -> list[dict]:
    G = ModelGraph.of(G)  # a bare graph too: the indexes below are then made once for this run
    in_review = contacts_in_review(G)
    rows = []
    for pid in G.by_label("Person"):
        for vid, rel in G.outgoing(pid, "RELATED"):
            if not rel.get("abusive"):
                continue
            agencies: dict[str, dict] = {}
            for x in (pid, vid):
                for c, a in in_review.get((x, rel["review"]), ((),))[0]:  # in chronology order
                    if a["type"] in FORUM_TYPES or not before_death(c):
                        continue
                    entry = agencies.get(a["id"])
                    if entry is None:  # its first contact, the one cited
                        entry = agencies[a["id"]] = {"id": a["id"], "name": a["name"], "seen": [], "first": [x, evidence(c, a)]}
                    if x not in entry["seen"]:
                        entry["seen"].append(x)
            victim_side = [a for a in agencies.values() if a["seen"] == [vid]]
            perpetrator_side = [a for a in agencies.values() if a["seen"] == [pid]]
            if not victim_side or not perpetrator_side:
                continue
            sides = {a["id"] for a in victim_side + perpetrator_side}
            # only flows between the two sides count, directly or through a forum (MARAC, MASH)
            links = {(x, y) for person in (pid, vid) for _, x, y, _ in flows_in_review(G, person, rel["review"], p)
                     if (x in sides or G.nodes[x]["type"] in FORUM_TYPES) and (y in sides or G.nodes[y]["type"] in FORUM_TYPES)}
            groups = components(sides, links)
            if any(any(a["id"] in g for a in victim_side) and any(a["id"] in g for a in perpetrator_side) for g in groups):
                continue
            rows.append({"review": rel["review"], "perpetrator": subject_name(G, pid, rel["review"]),
                         "victim": subject_name(G, vid, rel["review"]), "victim_side": victim_side,
                         "perpetrator_side": perpetrator_side, PERSON_IDS: [pid, vid]})
    return rows


def finish_victim_perpetrator_divide(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for r in rows:
        victim_agencies = sorted(a["name"] for a in r["victim_side"])
        perpetrator_agencies = sorted(a["name"] for a in r["perpetrator_side"])
        out.append({
            "review": r["review"], "perpetrator": r["perpetrator"], "victim": r["victim"],
            "victim_agencies": victim_agencies, "perpetrator_agencies": perpetrator_agencies,
            "finding": f"Agencies that saw only {r['victim']} ({', '.join(victim_agencies)}) and agencies that saw only "
                       f"{r['perpetrator']} ({', '.join(perpetrator_agencies)}) exchanged no referral or share.",
            # the first contact of each agency with its side's person
            "evidence": [a["first"][1] for a in r["victim_side"] + r["perpetrator_side"]], PERSON_IDS: r[PERSON_IDS],
        })
    return finish_rows(out, p, ("review", "perpetrator", "victim"))


def victim_perpetrator_divide_gaps(row: dict) -> Gaps:
    return [], [("Saw only the victim", row.get("victim_agencies", [])),
                ("Saw only the perpetrator", row.get("perpetrator_agencies", []))]


VICTIM_PERPETRATOR_DIVIDE = register(Query(
    name="victim-perpetrator-divide",
    title="Victim-side and perpetrator-side agencies that never talked",
    description="For each abusive relationship, within its review: the agencies that saw only the victim and those that "
                "saw only the perpetrator, when no referral or share about either of them went from one side to the other, "
                "directly or through a forum (MARAC, MASH). Contacts on or after the death that ends the chronology "
                "do not count.",
    cypher=VICTIM_PERPETRATOR_DIVIDE_CYPHER, networkx=victim_perpetrator_divide_networkx,
    finish=finish_victim_perpetrator_divide, constants=CONSTANTS, params=COMMON_PARAMS, gaps=victim_perpetrator_divide_gaps,
))
