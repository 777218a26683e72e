"""Children left out: abuse recorded about a parent with no referral to children's social care.

* ``children-not-referred``: a contact recording abuse about a parent of a child in the review, with
  no referral or share to children's social care or MASH and no children's social care contact with
  the family near it.

A child's date of birth (people.csv ``dob``, full or partial) says whether they were a child at a contact:
born by then (or no date of birth given), expected (born no more than ``CONSTANTS['pregnancy_days']`` after it: named
"then unborn", since a pre-birth referral was due), or not yet expected (left out). The date of birth is read,
never shown.
"""

from __future__ import annotations

import calendar
import datetime as dt
from bisect import bisect_left

from dhrgraph.graph.model import PII_PROPERTIES
from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.base import Param, Query, register
from dhrgraph.queries.common import (
    ABUSE_EVENTS, ABUSE_FACTORS, before_death_cypher, CHILDREN_TYPES, CONSTANTS, COMMON_PARAMS, evidence_cypher, factors_cypher,
    flow_cypher, FORUM_TYPES, not_abuser_cypher, records_abuse_cypher, abusers, and_join, before_death, contacts_by_person,
    PERSON_IDS, evidence, factors, flows_into, memberships, records_abuse, shift, sorted_rows,
    recorded_about_cypher,
)

__all__ = ["CHILDREN_NOT_REFERRED"]

CSC = "children_social_care"
DOB = PII_PROPERTIES["dob"]
BORN, UNBORN = "born", "unborn"


def _last_day(start: dt.date, precision: str) -> dt.date:
    """The last day of the period (day, month or year) that starts on ``start``."""
    if precision == "year":
        return start.replace(month=12, day=31)
    if precision == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start


def _last_day_cypher(start: str, precision: str) -> str:
    return (f"CASE {precision} WHEN 'year' THEN date({start}) + duration({{years: 1}}) - duration({{days: 1}}) "
            f"WHEN 'month' THEN date({start}) + duration({{months: 1}}) - duration({{days: 1}}) ELSE date({start}) END")


def birth_at(dob: str | None, date: str, precision: str, pregnancy_days: int) -> str | None:
    """Whether a child with date of birth ``dob`` (ISO text of its precision, or None) was ``BORN`` at a contact on
    ``date`` (ISO, the start of a period of ``precision``), ``UNBORN`` (born after the whole period, and in full no
    more than ``pregnancy_days`` after its first day) or neither (None: born later still). A date of birth that may
    fall in the contact's period, or none at all, counts as born."""
    if not dob:
        return BORN
    dob_precision = {4: "year", 7: "month"}.get(len(dob), "day")
    first_birthday = dt.date.fromisoformat({4: dob + "-01-01", 7: dob + "-01"}.get(len(dob), dob))
    contact = dt.date.fromisoformat(date)
    if _last_day(contact, precision) >= first_birthday:
        return BORN
    if (_last_day(first_birthday, dob_precision) - contact).days <= pregnancy_days:
        return UNBORN
    return None


def birth_at_cypher(dob: str, c: str) -> str:
    """Cypher: ``birth_at`` of the child whose date of birth is ``dob`` at contact ``c``."""
    dob_precision = f"CASE size({dob}) WHEN 4 THEN 'year' WHEN 7 THEN 'month' ELSE 'day' END"
    return (f"CASE WHEN {dob} IS NULL OR {dob} = '' THEN '{BORN}' "
            f"WHEN {_last_day_cypher(c + '.date', c + '.date_precision')} >= date({dob}) THEN '{BORN}' "
            f"WHEN {_last_day_cypher(dob, dob_precision)} <= date({c}.date) + duration({{days: $pregnancy_days}}) "
            f"THEN '{UNBORN}' END")


def _children_not_referred_cypher(one_review: bool) -> str:
    """children-not-referred's Cypher, over every review or (``one_review``) over ``$review``'s contacts. The contacts
    that could be reported are grouped by parent and review, so that the dates on which the parent and their children
    came to children's services' notice are read once for the group (as the NetworkX side's ``noticed``), not once per
    contact (at 1M contacts the check read 2.8 million contacts for 20,770 candidates)."""
    return f"""
{recorded_about_cypher("c", "a", "s", one_review)}
WHERE NOT a.type IN $children_types AND NOT a.type IN $forum_types AND {records_abuse_cypher("c")}
  AND {before_death_cypher("c")}
WITH s, c.review AS review, collect([c, a]) AS found
CALL (s, review) {{
  MATCH (s)-[r:RELATED]-(k:Person)-[m:IN_REVIEW]->(:Review {{name: review}})
  WHERE m.role = 'child' AND r.review = review
    AND ((r.kind = 'parent' AND startNode(r) = s) OR (r.kind = 'child' AND startNode(r) = k))
  RETURN collect(DISTINCT k) AS kids, collect(DISTINCT [k.id, m.name, m.{DOB}]) AS children
}}
WITH s, review, kids, children, [pair IN found | {{c: pair[0], a: pair[1],
     since: toString(date(pair[0].date) - duration({{days: $window_days}})),
     until: toString(date(pair[0].date) + duration({{days: $window_days}}))}}] AS found
WHERE size(kids) > 0
// the dates of the contacts about the parent or a child, within a window of the group's contacts, that brought them
// to children's services' notice
CALL (s, review, kids, found) {{
  UNWIND [s] + kids AS x
  MATCH (x)<-[:ABOUT]-(f:Contact {{review: review}})
  WHERE any(w IN found WHERE f.date >= w.since AND f.date <= w.until)
    AND (EXISTS {{ MATCH (f)-[fr:REFERRED_TO|SHARED_WITH]->(t:Agency) WHERE t.type IN $children_types AND {flow_cypher("fr")} }}
         OR EXISTS {{ (f)<-[:RECORDED]-(:Agency {{type: 'children_social_care'}}) }})
  RETURN collect(f.date) AS noticed
}}
UNWIND found AS one
WITH s, review, children, one.c AS c, one.a AS a
WHERE none(d IN noticed WHERE d >= one.since AND d <= one.until)
// each child's birth at the contact: born (or not known), then unborn, or not yet expected (left out)
WITH s, review, c, a, [k IN children | k + [{birth_at_cypher("k[2]", "c")}]] AS children
WITH s, review, c, a, [k IN children WHERE k[3] IS NOT NULL] AS children
WHERE size(children) > 0
MATCH (s)-[n:IN_REVIEW]->(:Review {{name: review}})
RETURN review, n.name AS subject, a.name AS agency, a.type AS agency_type, c.date_text AS date,
       c.order_key AS order_key, [k IN children | k[1]] AS children,
       [k IN children WHERE k[3] = '{UNBORN}' | k[1]] AS unborn, c.event AS event,
       {factors_cypher("c")} AS risk_factors, {not_abuser_cypher("s", "review")} = false AS abuser,
       {evidence_cypher("c", "a")} AS evidence, [s.id] + [k IN children | k[0]] AS {PERSON_IDS}
"""


CHILDREN_NOT_REFERRED_CYPHER = _children_not_referred_cypher(False)


def children_not_referred_networkx(G: ModelGraph, p: dict) -> list[dict]:
    contacts_of, names, abusive = contacts_by_person(G), memberships(G), abusers(G)
    # (parent id, review) -> {child id: (child's name in that review, their date of birth or None)}
    children_of: dict[tuple[str, str], dict[str, str]] = {}
    for person in G.by_label("Person"):
        for other, keyed in G._succ[person].items():
            for rel in keyed.values():
                parent, child = {"parent": (person, other), "child": (other, person)}.get(rel.get("kind"), (None, None))
                membership = names.get((child, rel.get("review")))
                if rel["type"] == "RELATED" and membership and membership.get("role") == "child":
                    children_of.setdefault((parent, rel["review"]), {})[child] = (membership["name"], membership.get(DOB))

    # dates of the contacts that brought each person to children's services' notice
    flowed = flows_into(G, CHILDREN_TYPES, ("REFERRED_TO", "SHARED_WITH"), p)
    noticed: dict[tuple[str, str], list[str]] = {}  # (person, review) -> those dates, sorted (for bisect)
    for x, contacts in contacts_of.items():
        for c, a in contacts:
            if a["type"] == CSC or c["id"] in flowed:
                noticed.setdefault((x, c["review"]), []).append(c["date"])
    for dates in noticed.values():
        dates.sort()
    rows = []
    for s, contacts in contacts_of.items():
        for c, a in contacts:
            kids = children_of.get((s, c["review"]))
            if not kids or a["type"] in CHILDREN_TYPES or a["type"] in FORUM_TYPES or not records_abuse(c, p) \
                    or not before_death(c):
                continue
            lo, hi = shift(c["date"], -p["window_days"]), shift(c["date"], p["window_days"])
            if any(_any_between(noticed.get((x, c["review"]), ()), lo, hi) for x in (s, *kids)):
                continue
            births = {k: birth_at(dob, c["date"], c["date_precision"], p["pregnancy_days"]) for k, (_, dob) in kids.items()}
            present = [k for k, birth in births.items() if birth]
            if not present:
                continue
            rows.append({"review": c["review"], "subject": names[s, c["review"]]["name"], "agency": a["name"],
                         "agency_type": a["type"], "date": c["date_text"], "order_key": c["order_key"],
                         "children": [kids[k][0] for k in present],
                         "unborn": [kids[k][0] for k in present if births[k] == UNBORN], "event": c["event"],
                         "risk_factors": factors(c, p), "abuser": (s, c["review"]) in abusive,
                         "evidence": evidence(c, a), PERSON_IDS: [s, *present]})
    return rows


def _any_between(dates: list[str], lo: str, hi: str) -> bool:
    """Whether any of the sorted ``dates`` is between ``lo`` and ``hi`` (inclusive)."""
    at = bisect_left(dates, lo)
    return at < len(dates) and dates[at] <= hi


def finish_children_not_referred(rows: list[dict], p: dict) -> list[dict]:
    by_contact: dict[tuple, list[dict]] = {}  # one finding per contact, listing its subjects
    for r in sorted(rows, key=lambda r: (r["order_key"], r["subject"])):
        by_contact.setdefault((r["evidence"]["review"], r["evidence"]["file"], r["evidence"]["line"]), []).append(r)
    out = []
    for group in by_contact.values():
        r = group[0]
        children = sorted({c for g in group for c in g["children"]})
        unborn = sorted({c for g in group for c in g["unborn"]})
        named = [f"{c} (then unborn)" if c in unborn else c for c in children]
        recorded = ([r["event"]] if r["event"] in ABUSE_EVENTS else []) + \
            [f.replace("_", " ") for f in r["risk_factors"] or () if f in ABUSE_FACTORS]
        # the recorded abuser is named as such, never as if abused
        of = [g["subject"] for g in group if not g["abuser"]]
        by = [g["subject"] for g in group if g["abuser"]]
        whom = (f" of {and_join(of)}" if of else "") + (f" by {and_join(by)}" if by else "")
        parents = of + by
        out.append({
            "review": r["review"], "subject": and_join(parents), "subjects": parents, "agency": r["agency"],
            "agency_type": r["agency_type"], "date": r["date"], "children": children, "unborn": unborn,
            "order_key": r["order_key"],
            "finding": f"{r['agency']} recorded abuse ({', '.join(recorded)}){whom} on {r['date']}, "
                       f"{'parents' if len(parents) > 1 else 'a parent'} of {and_join(named)}; no agency referred or "
                       f"shared it with children's social care or MASH, and children's social care had no contact with the "
                       f"family, within {p['window_days']} days either side.",
            "evidence": [r["evidence"]], PERSON_IDS: [x for g in group for x in g[PERSON_IDS]],
        })
    return sorted_rows(out, p)


CHILDREN_NOT_REFERRED = register(Query(
    name="children-not-referred",
    title="Abuse of a parent recorded, children not referred",
    description="A contact recording abuse (an incident or disclosure, or an abuse factor such as threats to kill or "
                "coercive control) about a parent of a child in the review (a person with role child there, linked by a "
                "parent or child relationship in that review, and born by the contact, or born at most "
                f"{CONSTANTS['pregnancy_days']} days after it: named then unborn, since a pre-birth referral was due; a "
                "child born later is left out; without a dob a child counts as born). One row per contact, listing the parents it was about "
                "(the recorded abuser named as such). It is reported when, within window_days days either "
                "side, no contact about the parent or any of their children was referred or shared to children's social "
                "care or a MASH, and children's social care recorded no contact about any of them. Contacts recorded by "
                "children's social care, MASH or MARAC themselves are not checked, nor contacts on or after the death "
                "that ends the chronology; only the review's own contacts count.",
    cypher=CHILDREN_NOT_REFERRED_CYPHER, review_cypher=_children_not_referred_cypher(True),
    networkx=children_not_referred_networkx, finish=finish_children_not_referred,
    constants=CONSTANTS, params=(*COMMON_PARAMS, Param("window_days", 30, "days either side in which a referral, share "
                                                       "or children's social care contact counts", int)),
))
