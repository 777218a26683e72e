"""Care that stopped or kept changing hands: the agency's next step not taken.

* ``no-follow-up``: a missed appointment, or a referral not taken up, after which the agency closed
  the case, discharged, or simply had no further contact, and escalated nothing;
* ``professional-churn``: one person seen by many different professionals of one agency within a
  few years, so no one held the whole history.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict

from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.base import Param, Query, register
from dhrgraph.queries.common import (
    before_death_cypher, CONSTANTS, COMMON_PARAMS, evidence_cypher, events, events_cypher, FORUM_TYPES, referrals_cypher,
    before_death, contacts_about,
    PERSON_IDS, dates_in_order, days_between, evidence, finish_rows, recorder, referrals, shift, subject_name, subjects_of,
    recorded_about_cypher,
)

__all__ = ["NO_FOLLOW_UP", "PROFESSIONAL_CHURN", "NOT_TAKEN_UP", "CLOSING_EVENTS", "NOT_FOLLOW_UP_EVENTS"]

# A referral_outcome containing any of these (case-insensitive) records a referral that was not taken up.
NOT_TAKEN_UP = ("not taken up", "declined", "no response", "not engaged", "did not engage", "unable to contact",
                "not accepted", "no contact")
CLOSING_EVENTS = ("case_closed", "discharge")
# Later contacts with these events are not a follow-up (unless they refer the person on).
NOT_FOLLOW_UP_EVENTS = (*CLOSING_EVENTS, "did_not_attend")
THEN_WORDS = {"case_closed": "case closed", "discharge": "discharged"}

CONTINUITY_CONSTANTS = {**CONSTANTS, "not_taken_up": list(NOT_TAKEN_UP), "closing_events": list(CLOSING_EVENTS),
                        "not_follow_up_events": list(NOT_FOLLOW_UP_EVENTS)}


# --- no-follow-up -----------------------------------------------------------------------------

def _no_follow_up_cypher(one_review: bool) -> str:
    """no-follow-up's Cypher, over every review or (``one_review``) over ``$review``'s contacts."""
    return f"""
{recorded_about_cypher("t", "a", "s", one_review)}
WHERE ('did_not_attend' IN {events_cypher("t")}
   OR (t.referral_outcome IS NOT NULL AND any(phrase IN $not_taken_up WHERE toLower(t.referral_outcome) CONTAINS phrase)))
  AND {before_death_cypher("t")}
CALL (a, t, s) {{
  OPTIONAL MATCH (s)<-[:ABOUT]-(f:Contact {{review: t.review}})<-[:RECORDED]-(a)
  WHERE f.order_key > t.order_key AND date(f.date) <= date(t.date) + duration({{days: $days}})
  WITH f ORDER BY f.order_key
  RETURN collect(CASE WHEN f IS NOT NULL THEN [f, {events_cypher("f")}] END) AS later
}}
// a follow-up: any later contact none of whose events is a closure, discharge or missed appointment, or any that
// refers on
WITH a, t, s, later, {events_cypher("t")} AS t_events
WHERE none(x IN later WHERE none(e IN x[1] WHERE e IN $not_follow_up_events) OR size({referrals_cypher("x[0]")}) > 0)
// the closure: the contact itself ("no answer. Case closed."), else the first later one
WITH a, t, s, t_events, [x IN [[t, t_events]] + later WHERE any(e IN x[1] WHERE e IN $closing_events)][0] AS closed
MATCH (s)-[m:IN_REVIEW]->(:Review {{name: t.review}})
RETURN t.review AS review, m.name AS subject, a.name AS agency, a.type AS agency_type, t.date_text AS date,
       t.order_key AS order_key, t.event = 'did_not_attend' AS missed,
       t.referral_outcome IS NOT NULL AND any(phrase IN $not_taken_up WHERE toLower(t.referral_outcome) CONTAINS phrase)
         AS not_taken_up,
       [e IN closed[1] WHERE e IN $closing_events][0] AS closed_event, closed[0].date_text AS closed_date,
       t.id AS trigger_id, closed[0].id AS closed_id,
       [e IN [t, closed[0]] WHERE e IS NOT NULL | {evidence_cypher("e", "a")}] AS evidence, [s.id] AS {PERSON_IDS}
"""


NO_FOLLOW_UP_CYPHER = _no_follow_up_cypher(False)


def _not_taken_up(c: dict) -> bool:
    outcome = c.get("referral_outcome")
    return outcome is not None and any(phrase in outcome.lower() for phrase in NOT_TAKEN_UP)


def _is_follow_up(f: dict, p: dict) -> bool:
    return not any(e in NOT_FOLLOW_UP_EVENTS for e in events(f, p)) or bool(referrals(f, p))


def no_follow_up_networkx(G: ModelGraph, p: dict) -> list[dict]:
    rows = []
    for tid in G.by_label("Contact"):
        t = G.nodes[tid]
        t_events = events(t, p)
        if not ("did_not_attend" in t_events or _not_taken_up(t)) or not before_death(t):
            continue
        a_id = recorder(G, tid)
        a = G.nodes[a_id]
        for s in subjects_of(G, tid):
            later = sorted((G.nodes[f] for f in contacts_about(G, s)
                            if G.nodes[f]["order_key"] > t["order_key"] and recorder(G, f) == a_id
                            and G.nodes[f]["review"] == t["review"]
                            and days_between(t["date"], G.nodes[f]["date"]) <= p["days"]),
                           key=lambda f: f["order_key"])
            if any(_is_follow_up(f, p) for f in later):
                continue
            # the closure: the contact itself ("no answer. Case closed."), else the first later one
            closed, closed_event = next(((f, e) for f in (t, *later) for e in events(f, p) if e in CLOSING_EVENTS),
                                        (None, None))
            rows.append({"review": t["review"], "subject": subject_name(G, s, t["review"]), "agency": a["name"],
                         "agency_type": a["type"], "date": t["date_text"], "order_key": t["order_key"],
                         "missed": t["event"] == "did_not_attend", "not_taken_up": _not_taken_up(t),
                         "closed_event": closed_event, "closed_date": closed and closed["date_text"],
                         "trigger_id": tid, "closed_id": closed and closed["id"],
                         "evidence": [evidence(e, a) for e in (t, closed) if e is not None], PERSON_IDS: [s]})
    return rows


def finish_no_follow_up(rows: list[dict], p: dict) -> list[dict]:
    # a closure whose own words say why ("Case closed as she did not attend") is its own trigger; when an earlier
    # trigger about the person already ends at it, that finding tells it
    closing = {(r[PERSON_IDS][0], r["closed_id"]) for r in rows if r["closed_id"] not in (None, r["trigger_id"])}
    out = []
    for r in sorted(rows, key=lambda r: r["order_key"]):
        if r["closed_id"] == r["trigger_id"] and (r[PERSON_IDS][0], r["closed_id"]) in closing:
            continue
        what = ("missed appointment" if r["missed"] else "referral not taken up" if r["not_taken_up"]
                else "missed appointment or contact")
        if r["closed_event"]:
            then = f"{THEN_WORDS[r['closed_event']]} on {r['closed_date']}"
            finding = f"{r['agency']}: {what} on {r['date']}, then {then}, with no follow-up contact and nothing escalated."
        else:
            then = f"no further contact within {p['days']} days"
            finding = f"{r['agency']}: {what} on {r['date']}, then {then} and nothing escalated."
        out.append({"review": r["review"], "subject": r["subject"], "agency": r["agency"],
                    "agency_type": r["agency_type"], "date": r["date"], "what": what, "then": then,
                    "finding": finding, "evidence": r["evidence"], PERSON_IDS: r[PERSON_IDS]})
    # sorted() is stable: within a review and subject the rows stay in chronology order
    return finish_rows(out, p, ("review", "subject"))


NO_FOLLOW_UP = register(Query(
    name="no-follow-up",
    title="Missed appointments and referrals not taken up, with no follow-up",
    description="A contact recording a missed appointment (event did_not_attend, or its text saying so: \"did not "
                "attend\", \"DNA\", \"no answer\", \"unable to contact\" ...), or a referral whose outcome says it "
                "was not taken up (the outcome contains, in any case, one of: " + "; ".join(NOT_TAKEN_UP) + "). "
                "The recording agency is responsible for the next step. For each person the contact is about, it is a "
                "finding when, within `days` days after it, that agency recorded no follow-up about the person: no later "
                "contact other than a case closure, a discharge or another missed appointment (its event or its text), "
                "and no referral onward "
                "(a closure or discharge that only informs someone, such as a letter to the referrer, is not a follow-up). "
                "The row says whether the agency then closed the case, discharged, or had no further contact. Only the "
                "review's own contacts count, and nothing on or after the death that ends the chronology is a trigger.",
    cypher=NO_FOLLOW_UP_CYPHER, review_cypher=_no_follow_up_cypher(True),
    networkx=no_follow_up_networkx, finish=finish_no_follow_up,
    constants=CONTINUITY_CONSTANTS,
    params=(*COMMON_PARAMS, Param("days", 30, "days after the missed appointment or referral in which a follow-up counts", int)),
))


# --- professional-churn -----------------------------------------------------------------------

def _professional_churn_cypher(one_review: bool) -> str:
    """professional-churn's Cypher, over every review or (``one_review``) over ``$review``'s contacts."""
    return f"""
{recorded_about_cypher("c", "a", "s", one_review)}
WHERE NOT a.type IN $forum_types AND c.professional IS NOT NULL AND {before_death_cypher("c")}
WITH a, s, c.review AS review, count(DISTINCT c.professional) AS everyone
WHERE everyone >= $min_professionals
CALL (a, s, review) {{
  MATCH (s)<-[:ABOUT]-(c:Contact {{review: review}})<-[:RECORDED]-(a)
  WHERE c.professional IS NOT NULL AND {before_death_cypher("c")}
  WITH c ORDER BY c.order_key
  RETURN collect(c) AS contacts
}}
// every start date opens a window of `years` years; the first contact of each professional in it
UNWIND contacts AS start
WITH DISTINCT a, s, contacts, start.date AS opens
WITH a, s, opens, toString(date(opens) + duration({{days: $years * 365}})) AS closes, contacts
WITH a, s, opens, [c IN contacts WHERE c.date >= opens AND c.date <= closes] AS seen
WITH a, s, opens, seen, reduce(firsts = [], c IN seen |
     CASE WHEN any(f IN firsts WHERE f.professional = c.professional) THEN firsts ELSE firsts + c END) AS firsts
ORDER BY size(firsts) DESC, opens
WITH a, s, collect({{seen: seen, firsts: firsts}})[0] AS best
WHERE size(best.firsts) >= $min_professionals
WITH a, s, best.seen AS seen, best.firsts AS firsts, best.seen[-1] AS last
MATCH (s)-[m:IN_REVIEW]->(:Review {{name: last.review}})
RETURN last.review AS review, m.name AS subject, a.name AS agency, a.type AS agency_type,
       [f IN firsts | f.professional] AS names, seen[0].date_text AS first_date, last.date_text AS last_date,
       [f IN firsts | {evidence_cypher("f", "a")}] AS evidence, [s.id] AS {PERSON_IDS}
"""


PROFESSIONAL_CHURN_CYPHER = _professional_churn_cypher(False)


def professional_churn_networkx(G: ModelGraph, p: dict) -> list[dict]:
    seen_by: dict[tuple[str, str, str], list[dict]] = defaultdict(list)  # (person, agency, review) -> contacts
    for s in G.by_label("Person"):
        for cid in contacts_about(G, s):
            c = G.nodes[cid]
            if c.get("professional") is not None and before_death(c):
                seen_by[s, recorder(G, cid), c["review"]].append(c)
    rows = []
    for (s, a, _), contacts in seen_by.items():
        if len({c["professional"] for c in contacts}) < p["min_professionals"] or G.nodes[a]["type"] in FORUM_TYPES:
            continue
        contacts.sort(key=lambda c: c["order_key"])
        dates = [c["date"] for c in contacts]
        # with the dates in chronology order (10-character ISO dates), a window's contacts are the ones between two
        # places in the list (every test below still applies); else the whole list is tested
        ordered = dates_in_order(dates)
        span = p["years"] * 365
        best: tuple[list, list] = ([], [])
        for opens in sorted(set(dates)):
            near = contacts[bisect_left(dates, opens):bisect_right(dates, shift(opens, span))] if ordered else contacts
            seen = [c for c in near if 0 <= days_between(opens, c["date"]) <= span]
            first_of: dict[str, dict] = {}
            for c in seen:
                first_of.setdefault(c["professional"], c)
            firsts = list(first_of.values())
            if len(firsts) > len(best[1]):  # the earliest window wins a tie
                best = (seen, firsts)
        seen, firsts = best
        if len(firsts) < p["min_professionals"]:
            continue
        last, agency = seen[-1], G.nodes[a]
        rows.append({"review": last["review"], "subject": subject_name(G, s, last["review"]), "agency": agency["name"],
                     "agency_type": agency["type"], "names": [f["professional"] for f in firsts],
                     "first_date": seen[0]["date_text"], "last_date": last["date_text"],
                     "evidence": [evidence(f, agency) for f in firsts], PERSON_IDS: [s]})
    return rows


def _natural(text: str) -> list:
    """'GP 2' before 'GP 10'."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def finish_professional_churn(rows: list[dict], p: dict) -> list[dict]:
    out = [{"review": r["review"], "subject": r["subject"], "agency": r["agency"], "agency_type": r["agency_type"],
            "professionals": len(r["names"]), "names": sorted(r["names"], key=_natural),
            "from": r["first_date"], "to": r["last_date"],
            "finding": f"{r['subject']} was seen by {len(r['names'])} different professionals at {r['agency']} between "
                       f"{r['first_date']} and {r['last_date']}; no continuity of care.",
            "evidence": r["evidence"], PERSON_IDS: r[PERSON_IDS]} for r in rows]
    return finish_rows(out, p, ("review", "subject", "agency"))


PROFESSIONAL_CHURN = register(Query(
    name="professional-churn",
    title="One person seen by many different professionals of one agency",
    description="For each person, agency (not MARAC or MASH) and review: the agency's contacts about the person that "
                "name a professional, before the death that ends the chronology. Each contact's date opens a window of `years` years (365 days each); the window with "
                "the most different professionals (the earliest on a tie) is a finding when it has `min_professionals` "
                "or more. The row gives the count, the names, the dates of the window's first and last contacts, and "
                "cites the first contact of each professional in the window.",
    cypher=PROFESSIONAL_CHURN_CYPHER, review_cypher=_professional_churn_cypher(True),
    networkx=professional_churn_networkx, finish=finish_professional_churn,
    constants=CONSTANTS,
    params=(*COMMON_PARAMS,
            Param("min_professionals", 5, "different professionals of one agency that make a finding", int),
            Param("years", 3, "length of the window, in years of 365 days", int, high=100)),
))
