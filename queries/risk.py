"""Risk identified and not acted on: no MARAC, no reassessment as incidents escalate.

* ``missed-marac``: visible high risk (a high DASH or risk level) or repeat incidents about a person,
  with no MARAC referral or hearing about that person near it;
* ``escalation-without-reassessment``: incidents about one person coming faster or getting more
  serious while the latest risk assessment is old, missing, or never rose.

Both ask about the person at risk: a person recorded as abusive in the contact's review is left out
(a police incident about victim and perpetrator gives one row, for the victim). Incidents and
assessments are counted per person, so a person who is one identity across reviews (``global_id``)
brings their history from every review; each row belongs to the review of the contact it is about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

from dhrgraph.loaders.vocab import RISK_ORDER
from dhrgraph.queries.base import Param, Query, register
from dhrgraph.queries.common import (
    ABUSE_FACTORS, adult_cypher, before_death_cypher, CONSTANTS, COMMON_PARAMS, dash_cypher, DASH_HIGH, evidence_cypher,
    factors_cypher, flow_cypher, FORUM_TYPES, level_cypher, marac_near_cypher, not_abuser_cypher, PERSON_IDS, abusers, and_join, before_death,
    visibly_high_cypher, contacts_by_person, contact_agency, dash_score, days_between, evidence, factors, high_reasons, is_adult,
    marac_contact_cypher, marac_contacts, marac_days,
    marac_near, memberships, risk_level, shift, sorted_rows, visibly_high,
    recorded_about_cypher, people_cypher, in_review_cypher,
)

__all__ = ["MISSED_MARAC", "ESCALATION_WITHOUT_REASSESSMENT"]

# Incidents about one person within this many days of each other make up one escalation.
ESCALATION_WINDOW_DAYS = 365
LEVEL_RANK = {level: rank for rank, level in enumerate(RISK_ORDER)}
RISK_CONSTANTS = {**CONSTANTS, "escalation_window_days": ESCALATION_WINDOW_DAYS}


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# --- missed-marac ------------------------------------------------------------------------------

def _missed_marac_cypher(one_review: bool) -> str:
    """missed-marac's Cypher, over every review or (``one_review``) over ``$review``'s contacts: the contacts with
    visible high risk or a repeat incident, then (``UNION ALL``) the repeat MARAC cases found from the MARAC contacts'
    side (a few; asking each incident for its person's MARAC contacts doubled the query's time at 1M contacts). A
    contact and person in both parts has two rows: ``finish_missed_marac`` joins them."""
    # a contact c about person s that missed-marac may report (s's membership n)
    reported = f"""
MATCH (s)-[n:IN_REVIEW]->(:Review {{name: c.review}})
WHERE NOT a.type IN $forum_types AND {before_death_cypher("c")} AND {adult_cypher("n")} AND {not_abuser_cypher("s", "c.review")}"""
    maracs = (f"""MATCH (:Review {{name: $review}})<-[:IN_REVIEW]-(repeat_m:Contact) WHERE {marac_contact_cypher("repeat_m")}"""
              if one_review else f"""CALL () {{
  MATCH (:Agency {{type: 'marac'}})<-[repeat_r:REFERRED_TO]-(repeat_m:Contact) WHERE {flow_cypher("repeat_r")}
  RETURN repeat_m
  UNION
  MATCH (:Agency {{type: 'marac'}})-[:RECORDED]->(repeat_m:Contact)
  RETURN repeat_m
}}""")
    return f"""
{recorded_about_cypher("c", "a", "s", one_review)}{reported}
  AND ({visibly_high_cypher("c")} OR c.event = 'incident')
WITH a, c, s, n, toString(date(c.date) - duration({{days: $incident_days}})) AS since
CALL (s, c, since) {{
  MATCH (s)<-[:ABOUT]-(i:Contact {{event: 'incident', review: c.review}})<-[:RECORDED]-(ia:Agency)
  WHERE c.event = 'incident' AND i.order_key <= c.order_key AND i.date >= since
  RETURN collect([i, ia]) AS incidents
}}
WITH a, c, s, n, incidents
WHERE ({visibly_high_cypher("c")} OR size(incidents) >= $incidents)
  AND NOT {marac_near_cypher("s", "c.review", "c.date")}
// the incidents' evidence only for the contacts reported
RETURN c.review AS review, n.name AS subject, a.name AS agency, a.type AS agency_type, c.date_text AS date,
       c.order_key AS order_key, {dash_cypher("c")} AS dash_score, {level_cypher("c")} AS risk_level,
       [x IN incidents | {evidence_cypher("x[0]", "x[1]")}] AS incidents, null AS repeat_of, null AS referral_of,
       {evidence_cypher("c", "a")} AS trigger, s.id AS person
UNION ALL
// a repeat MARAC case: an incident within repeat_days after a MARAC referral or hearing about the person (the last;
// not named marac_m: marac_near_cypher's own variable, which a bound one would stand in for)
{maracs}
MATCH (repeat_m)-[:ABOUT]->(s:Person)<-[:ABOUT]-(c:Contact {{event: 'incident', review: repeat_m.review}})<-[:RECORDED]-(a:Agency)
WHERE c.order_key > repeat_m.order_key AND c.date <= toString(date(repeat_m.date) + duration({{days: $repeat_days}}))
WITH a, c, s, repeat_m ORDER BY repeat_m.order_key DESC
WITH a, c, s, head(collect(repeat_m)) AS repeat_m{reported}
  AND NOT {marac_near_cypher("s", "c.review", "c.date")}
MATCH (repeat_m)<-[:RECORDED]-(repeat_a:Agency)
// when the last is a MARAC's hearing, the last referral before the incident too: it records the risk that led there
WITH a, c, s, n, repeat_m, repeat_a, CASE WHEN repeat_a.type = 'marac' THEN COLLECT {{
  MATCH (s)<-[:ABOUT]-(ref_m:Contact {{review: c.review}})-[ref_r:REFERRED_TO]->(:Agency {{type: 'marac'}})
  WHERE ref_m.order_key < c.order_key AND {flow_cypher("ref_r")}
  MATCH (ref_m)<-[:RECORDED]-(ref_a:Agency) WHERE ref_a.type <> 'marac'
  WITH ref_m, ref_a ORDER BY ref_m.order_key DESC LIMIT 1
  RETURN {evidence_cypher("ref_m", "ref_a")}
}} ELSE [] END AS referrals
RETURN c.review AS review, n.name AS subject, a.name AS agency, a.type AS agency_type, c.date_text AS date,
       c.order_key AS order_key, {dash_cypher("c")} AS dash_score, {level_cypher("c")} AS risk_level,
       [] AS incidents, {evidence_cypher("repeat_m", "repeat_a")} AS repeat_of, head(referrals) AS referral_of,
       {evidence_cypher("c", "a")} AS trigger, s.id AS person
"""


MISSED_MARAC_CYPHER = _missed_marac_cypher(False)


def missed_marac_networkx(G: nx.MultiDiGraph, p: dict) -> list[dict]:
    contacts_of, abusive, names = contacts_by_person(G), abusers(G), memberships(G)
    maracs, node = marac_contacts(G, p), G._node
    marac = marac_days(G, p, maracs)
    rows = []
    for s, contacts in contacts_of.items():
        incidents_in: dict[str, list[tuple[dict, dict]]] = {}  # review -> the incidents about s there, in order
        for i, ia in contacts:
            if i["event"] == "incident":
                incidents_in.setdefault(i["review"], []).append((i, ia))
        for c, a in contacts:
            dash, level = dash_score(c, p), risk_level(c, p)
            high = visibly_high(dash, level, p["dash_high"])
            if a["type"] in FORUM_TYPES or not (high or c["event"] == "incident") or (s, c["review"]) in abusive \
                    or not before_death(c) or not is_adult(names[s, c["review"]]):
                continue
            incidents, repeat_of, referral_of = [], None, None
            if c["event"] == "incident":
                since = shift(c["date"], -p["incident_days"])
                incidents = [evidence(i, ia) for i, ia in incidents_in[c["review"]]
                             if i["order_key"] <= c["order_key"] and i["date"] >= since]
                since = shift(c["date"], -p["repeat_days"])  # a repeat MARAC case: the last MARAC contact before it
                earlier = [node[m] for m in maracs.get(s, ()) if node[m]["review"] == c["review"]
                           and node[m]["order_key"] < c["order_key"] and node[m]["date"] >= since]
                if earlier:
                    last = max(earlier, key=lambda m: m["order_key"])
                    last_agency = contact_agency(G, last["id"])
                    repeat_of = evidence(last, last_agency)
                    # a MARAC's hearing: the last referral before the incident too (it records the risk that led there)
                    referred = [node[m] for m in maracs.get(s, ()) if node[m]["review"] == c["review"]
                                and node[m]["order_key"] < c["order_key"] and contact_agency(G, m)["type"] != "marac"] \
                        if last_agency["type"] == "marac" else []
                    if referred:
                        first = max(referred, key=lambda m: m["order_key"])
                        referral_of = evidence(first, contact_agency(G, first["id"]))
            if not (high or len(incidents) >= p["incidents"] or repeat_of):
                continue
            if marac_near(marac.get(s, ()), c["review"], c["date"], p["within_days"]):
                continue
            rows.append({"review": c["review"], "subject": names[s, c["review"]]["name"], "agency": a["name"],
                         "agency_type": a["type"], "date": c["date_text"], "order_key": c["order_key"],
                         "dash_score": dash, "risk_level": level, "incidents": incidents, "repeat_of": repeat_of,
                         "referral_of": referral_of, "trigger": evidence(c, a), "person": s})
    return rows


def finish_missed_marac(rows: list[dict], p: dict) -> list[dict]:
    joined: dict[tuple, dict] = {}  # the Cypher's two rows of one contact and person (its two parts), as one
    for r in rows:
        key = (r["trigger"]["review"], r["trigger"]["file"], r["trigger"]["line"], r["person"])
        if key in joined:
            first = joined[key]
            joined[key] = {**first, "incidents": first["incidents"] or r["incidents"], "repeat_of": first["repeat_of"] or r["repeat_of"],
                           "referral_of": first["referral_of"] or r["referral_of"]}
        else:
            joined[key] = r
    by_contact: dict[tuple, list[dict]] = {}  # one finding per contact, listing its subjects
    for r in sorted(joined.values(), key=lambda r: (r["order_key"], r["subject"])):
        by_contact.setdefault((r["trigger"]["review"], r["trigger"]["file"], r["trigger"]["line"]), []).append(r)
    out = []
    for group in by_contact.values():
        r = group[0]
        subjects = [g["subject"] for g in group]
        reasons = high_reasons(r["dash_score"], r["risk_level"], p["dash_high"])
        repeats = [g for g in group if len(g["incidents"]) >= p["incidents"]]
        for g in repeats:  # each incident counted once for each person it was about
            reasons.append(f"{ordinal(len(g['incidents']))} incident about {g['subject']} in {p['incident_days']} days")
        again = [g for g in group if g.get("repeat_of")]
        for g in again:  # a repeat MARAC case
            referral = g["referral_of"]
            reasons.append(f"a new incident about {g['subject']} within {p['repeat_days']} days of the MARAC hearing on "
                           f"{g['repeat_of']['date']} (referred on {referral['date']})" if referral else
                           f"a new incident about {g['subject']} within {p['repeat_days']} days of the MARAC referral or "
                           f"hearing on {g['repeat_of']['date']}")
        reason = "; ".join(reasons)
        who = and_join(subjects)
        out.append({
            "review": r["review"], "subject": who, "subjects": subjects, "agency": r["agency"],
            "agency_type": r["agency_type"], "date": r["date"], "reason": reason, "order_key": r["order_key"],
            "finding": f"{r['agency']}'s contact about {who} on {r['date']} met a MARAC referral criterion "
                       f"({reason}); no agency referred {who} to a MARAC and no MARAC heard the case within "
                       f"{p['within_days']} days before or after.",
            "evidence": [r["trigger"], *(i for g in repeats for i in g["incidents"]),
                         *(e for g in again for e in (g["repeat_of"], g["referral_of"]) if e)],
            PERSON_IDS: [g["person"] for g in group],
        })
    return sorted_rows(out, p)


MISSED_MARAC = register(Query(
    name="missed-marac",
    title="Visible high risk, repeat incidents or a repeat MARAC case with no MARAC",
    description="A contact about a person at risk (not someone recorded as the abuser in that review) that met a MARAC "
                "referral criterion: a DASH score of dash_high or more or a risk level of high, or an incident that was at "
                "least the incidents-th incident about that person within incident_days days (counting incidents in "
                "chronology order up to and including it), or an incident within repeat_days days after a MARAC referral "
                "or hearing about that person (a repeat MARAC case; the last such contact is cited, and when it is a MARAC's hearing, the last referral before the incident too, which records the risk that led there). It is reported when no contact about the person referred "
                "them to a MARAC and no MARAC heard their case within within_days days before or after. Contacts "
                "recorded by forums (MARAC, MASH) do not count. MARAC is for adult victims: only people aged 16 or over "
                "in the review (or, with no age recorded, any role but child) are checked; children in the household "
                "are part of the adult victim's case and are checked by children-not-referred. The death ends the "
                "chronology: no contact on or after it (an event death, or the review's index_date) is reported. One "
                "row per contact, listing its subjects; reason lists every criterion met, separated by '; ', and "
                "counts each incident once. Incidents, referrals and hearings count within the contact's review.",
    cypher=MISSED_MARAC_CYPHER, review_cypher=_missed_marac_cypher(True),
    networkx=missed_marac_networkx, finish=finish_missed_marac, constants=CONSTANTS,
    params=(*COMMON_PARAMS, DASH_HIGH,
            Param("within_days", 28, "days before or after in which a MARAC referral or hearing counts", int),
            Param("incidents", 3, "number of incidents within incident_days that meets the repeat criterion", int),
            Param("incident_days", 365, "days over which incidents are counted", int),
            Param("repeat_days", 365, "days after a MARAC referral or hearing in which a new incident is a repeat MARAC case", int)),
))


# --- escalation-without-reassessment -------------------------------------------------------------

def score_cypher(x: str) -> str:
    """Cypher: one number ordering assessments by risk level, then DASH (see ``score``)."""
    ranks = " ".join(f"WHEN '{level}' THEN {rank}" for level, rank in LEVEL_RANK.items())  # the model's own constants
    return (f"100 * CASE {level_cypher(x)} {ranks} ELSE -1 END"
            f" + coalesce({dash_cypher(x)}, -1)")


def score(x: dict, p: dict | None = None) -> int:
    """Risk level first (none < standard < medium < high), then DASH score (none = -1)."""
    dash = dash_score(x, p)
    return 100 * LEVEL_RANK.get(risk_level(x, p), -1) + (dash if dash is not None else -1)


def severity_cypher(x: str) -> str:
    return f"size([f IN {factors_cypher(x)} WHERE f IN $abuse_factors])"


def severity(x: dict, p: dict | None = None) -> int:
    return sum(1 for f in factors(x, p) if f in ABUSE_FACTORS)


def _item_cypher(x: str, a: str, extra: str) -> str:
    return (f"{{key: {x}.order_key, date: {x}.date, date_text: {x}.date_text, review: {x}.review, "
            f"agency: {a}.name, agency_type: {a}.type, evidence: {evidence_cypher(x, a)}, {extra}}}")


def _escalation_cypher(one_review: bool = False) -> str:
    """Over every review; with ``one_review`` (its ``review_cypher``), from the people of review ``$review`` and their
    incidents in it (over every review and filtered after, one review took 1.4 s at 1M contacts on Neo4j)."""
    return f"""
{people_cypher("s", one_review)}
MATCH (s)<-[:ABOUT]-(i:Contact {{event: 'incident'}})<-[:RECORDED]-(ia:Agency)
WHERE {before_death_cypher("i")}{in_review_cypher("i", one_review)}
WITH s, i, ia ORDER BY i.order_key
WITH s, i.review AS review, collect({_item_cypher("i", "ia", "severity: " + severity_cypher("i"))}) AS incidents
WHERE size(incidents) >= 3
CALL (s, review) {{
  MATCH (s)<-[:ABOUT]-(x:Contact {{review: review}})<-[:RECORDED]-(xa:Agency)
  WHERE {dash_cypher("x")} IS NOT NULL OR {level_cypher("x")} IS NOT NULL
  WITH x, xa ORDER BY x.order_key
  RETURN collect({_item_cypher("x", "xa", f"level: {level_cypher('x')}, dash: {dash_cypher('x')}, score: " + score_cypher("x"))}) AS assessments
}}
UNWIND range(2, size(incidents) - 1) AS k
WITH s, incidents, assessments, incidents[k] AS l, incidents[k - 1] AS l1, incidents[k - 2] AS l2
WHERE l2.date >= toString(date(l.date) - duration({{days: $escalation_window_days}}))
  AND {not_abuser_cypher("s", "l.review")}
WITH s, incidents, assessments, l, l1, l2,
     duration.inDays(date(l1.date), date(l.date)).days < duration.inDays(date(l2.date), date(l1.date)).days AS frequent,
     l.severity > l1.severity AND l.severity > l2.severity AS serious
WHERE frequent OR serious
WITH s, incidents, assessments, l, l2, frequent, serious,
     [x IN assessments WHERE x.key <= l.key] AS upto, [x IN assessments WHERE x.key <= l2.key] AS before,
     [i IN incidents WHERE i.key <= l.key AND i.date >= toString(date(l.date) - duration({{days: $escalation_window_days}}))] AS counted
WITH s, assessments, l, l2, frequent, serious, counted, upto[-1] AS latest, before[-1] AS base
WITH s, l, frequent, serious, counted, latest, base,
     CASE WHEN latest IS NULL THEN 'none'
          WHEN duration.inDays(date(latest.date), date(l.date)).days > $days THEN 'old'
          WHEN base IS NOT NULL AND all(x IN assessments WHERE x.key < l2.key OR x.key > l.key OR x.score <= base.score)
          THEN 'never rose' END AS why,
     size([x IN assessments WHERE x.key >= counted[0].key AND x.key <= l.key]) AS during
WHERE why IS NOT NULL
WITH s, l, frequent, serious, counted, latest, base, why, during ORDER BY l.key DESC
WITH s, l.review AS review, collect({{l: l, frequent: frequent, serious: serious, counted: counted, latest: latest,
     base: base, why: why, during: during}})[0] AS found
MATCH (s)-[n:IN_REVIEW]->(:Review {{name: review}})
WITH review, s, n, found, found.l AS l, found.latest AS latest, found.base AS base
RETURN review, s.id AS person, n.name AS subject, l.agency AS agency, l.agency_type AS agency_type, l.date_text AS date,
       l.date AS iso_date, l.key AS order_key, found.frequent AS frequent, found.serious AS serious,
       [i IN found.counted | i.evidence] AS incidents, found.why AS why, found.during AS assessed,
       latest {{.date, .date_text, .evidence}} AS latest, base {{.level, .dash, .evidence}} AS base
"""


ESCALATION_CYPHER = _escalation_cypher()


def _item(x: dict, agency: dict, p: dict) -> dict:
    return {"key": x["order_key"], "date": x["date"], "date_text": x["date_text"], "review": x["review"],
            "agency": agency["name"], "agency_type": agency["type"], "evidence": evidence(x, agency),
            "severity": severity(x, p), "level": risk_level(x, p), "dash": dash_score(x, p), "score": score(x, p)}


def escalation_networkx(G: nx.MultiDiGraph, p: dict) -> list[dict]:
    abusive, names = abusers(G), memberships(G)
    window = ESCALATION_WINDOW_DAYS
    rows = []
    for s, every in contacts_by_person(G).items():
        for review in dict.fromkeys(c["review"] for c, _ in every):  # one review at a time
            contacts = [(c, a) for c, a in every if c["review"] == review]
            incidents = [_item(c, a, p) for c, a in contacts if c["event"] == "incident" and before_death(c)]
            assessments = [_item(c, a, p) for c, a in contacts if dash_score(c, p) is not None or risk_level(c, p) is not None]
            found: dict[str, dict] = {}  # review -> the latest escalating incident not reassessed
            for k in range(2, len(incidents)):
                l, l1, l2 = incidents[k], incidents[k - 1], incidents[k - 2]
                since = shift(l["date"], -window)
                if l2["date"] < since or (s, l["review"]) in abusive:
                    continue
                frequent = days_between(l1["date"], l["date"]) < days_between(l2["date"], l1["date"])
                serious = l["severity"] > l1["severity"] and l["severity"] > l2["severity"]
                if not (frequent or serious):
                    continue
                upto = [x for x in assessments if x["key"] <= l["key"]]
                before = [x for x in assessments if x["key"] <= l2["key"]]
                latest, base = (upto or [None])[-1], (before or [None])[-1]
                if latest is None:
                    why = "none"
                elif days_between(latest["date"], l["date"]) > p["days"]:
                    why = "old"
                elif base is not None and all(x["score"] <= base["score"] for x in assessments if l2["key"] <= x["key"] <= l["key"]):
                    why = "never rose"
                else:
                    continue
                counted = [i for i in incidents if i["key"] <= l["key"] and i["date"] >= since]
                found[l["review"]] = {
                    "review": l["review"], "subject": names[s, l["review"]]["name"], "agency": l["agency"],
                    "agency_type": l["agency_type"], "date": l["date_text"], "iso_date": l["date"], "order_key": l["key"],
                    "frequent": frequent, "serious": serious, "incidents": [i["evidence"] for i in counted], "why": why,
                    "assessed": sum(1 for x in assessments if counted[0]["key"] <= x["key"] <= l["key"]),
                    "latest": latest and {k: latest[k] for k in ("date", "date_text", "evidence")},
                    "base": base and {k: base[k] for k in ("level", "dash", "evidence")}, "person": s,
                }
            rows.extend(found.values())
    return rows


def _level_text(level: str | None, dash: int | None) -> str:
    parts = ([level] if level else []) + ([f"(DASH {dash})" if level else f"DASH {dash}"] if dash is not None else [])
    return " ".join(parts)


def finish_escalation(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for r in rows:
        latest, base = r["latest"], r["base"]
        if r["why"] == "none":
            reason, cited = "no risk assessment recorded", []
        elif r["why"] == "old":
            reason = f"last risk assessment {days_between(latest['date'], r['iso_date'])} days earlier ({latest['date_text']})"
            cited = [latest["evidence"]]
        else:
            level = _level_text(base["level"], base["dash"])
            reason = (f"assessed {r['assessed']} time{'s' if r['assessed'] != 1 else ''} during the escalation, never above {level}"
                      if r["assessed"] else f"not reassessed during the escalation; last assessed {level}")
            cited = [latest["evidence"], base["evidence"]]
        # an assessment that happened but never rose is not "no reassessment": say which it was
        verdict = "the assessed risk never rose" if r["why"] == "never rose" and r["assessed"] else "no agency reassessed the risk"
        growing = " and ".join(w for w, on in (("more frequent", r["frequent"]), ("more serious", r["serious"])) if on)
        n = len(r["incidents"])
        out.append({
            "review": r["review"], "subject": r["subject"], "agency": r["agency"], "agency_type": r["agency_type"],
            "date": r["date"], "incidents": n, "reason": reason, "order_key": r["order_key"],
            "finding": f"{r['agency']} recorded the {ordinal(n)} incident about {r['subject']} in {ESCALATION_WINDOW_DAYS} "
                       f"days on {r['date']}, as incidents became {growing}; {verdict}: {reason}.",
            "evidence": [*r["incidents"], *cited], PERSON_IDS: [r["person"]],
        })
    return sorted_rows(out, p)


ESCALATION_WITHOUT_REASSESSMENT = register(Query(
    name="escalation-without-reassessment",
    title="Incidents escalating while the risk assessment stood still",
    description=f"Incidents about one person (the person at risk, not someone recorded as the abuser in that review), "
                f"in chronology order. An incident escalates when the two incidents before it fall within "
                f"{ESCALATION_WINDOW_DAYS} days of it and either it follows the previous one sooner than that one followed "
                f"the one before (more frequent) or it records more abuse factors than each of them (more serious). It is "
                f"reported when the latest risk assessment about the person (any contact with a DASH score or a risk level, "
                f"up to the incident) is missing, is more than `days` days older than the incident, or never rose: there "
                f"was an assessment at or before the incident two back, and no assessment from that incident up to this "
                f"one scored higher (risk level, then DASH) than the latest of them. One row per person and review: the "
                f"latest such incident, with the number of incidents in the {ESCALATION_WINDOW_DAYS} days up to it. "
                f"Incidents and assessments count within one review (a person known in several reviews by a global_id "
                f"is checked in each), and only up to the death that ends the chronology.",
    cypher=ESCALATION_CYPHER, review_cypher=_escalation_cypher(True), networkx=escalation_networkx, finish=finish_escalation, constants=RISK_CONSTANTS,
    params=(*COMMON_PARAMS, Param("days", 90, "age in days beyond which the latest risk assessment is out of date", int)),
))
