"""Definitions the missed-connections queries share, in both languages.

A definition that a query applies in Cypher and in Python lives here twice, next to itself:
a Cypher fragment (``*_CYPHER``) and the Python function that means the same. The constants that
both read (which factors are serious, which agency types are forums) reach Cypher as parameters,
never as text.

Definitions (see README, "The missed-connections catalogue"):

* a **risk signal** is a contact with risk_level high, dash_score >= ``dash_high``, a serious
  factor, or pregnancy/separation recorded together with abuse (an incident or disclosure event,
  or another abuse factor);
* an **information flow** is a referral (``referred_to``) or a share (``shared_with``) from the
  recording agency to another; a **time-respecting path** is a chain of flows in chronology order;
* MARAC and MASH are forums: a flow into them counts, but they never hold risk on their own;
* **the death ends the chronology**: a review's end is its index date (review.csv ``index_date``)
  or its first contact with event ``death`` (homicide, killed, fatal incident, found deceased),
  whichever is earlier. Contacts on or after it are marked ``after_death`` when loaded; no query
  counts them as a missed opportunity, or as a later contact that should have been told;
* **MARAC is for adult victims** (16 and over): a person younger than ``MARAC_MIN_AGE`` in the
  review, or with role child and no age, is never a missed-MARAC subject; children in the household
  are part of the adult victim's case, and their safeguarding is what children-not-referred checks;
* a **MARAC referral or hearing about a person near a date**: a contact about the person in the same
  review, within ``within_days`` days before or after the date, that referred them to a MARAC (a flow
  that counts) or was recorded by a MARAC (its hearing) (``marac_near_cypher``, ``marac_near``);
* **one review at a time**: every query except the ones about crossing reviews (``cross_review``)
  compares a contact only with contacts of its own review, so a person known in several reviews
  (global_id) never brings another review's rows into a finding.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable, Iterable

if TYPE_CHECKING:
    import networkx as nx

from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.graph.model import agency_id, chronology_end  # noqa: F401  (chronology_end re-exported: the death rule's other half)
from dhrgraph.loaders.vocab import DASH_HIGH_RISK, DEATH_EVENT, FORUM_TYPES
from dhrgraph.queries.base import Param, REVIEW_PARAM
from dhrgraph.queries.core import by_label, out_edges

__all__ = [
    "CONSTANTS", "SERIOUS_FACTORS", "CONTEXT_FACTORS", "ABUSE_FACTORS", "ABUSE_EVENTS", "FORUM_TYPES",
    "DASH_HIGH", "risk_signal_cypher", "is_risk_signal", "risk_reasons", "records_abuse", "records_abuse_cypher",
    "evidence_cypher", "evidence", "finish_rows", "days_between", "recorder", "contact_agency", "contacts_about",
    "subjects_of", "subject_name", "flows_about", "components", "union_find_cypher", "contacts_by_person", "flows_into",
    "memberships", "abusers", "shift", "not_abuser_cypher", "sorted_rows", "holds_risk_cypher", "holds_risk",
    "events_cypher", "events", "flows_about_cypher", "RECEIVED_TYPE",
    "DEATH_EVENT", "chronology_end", "before_death_cypher", "before_death", "MARAC_MIN_AGE", "adult_cypher", "is_adult",
    "SUMMARY_CHARS", "RISK_TO_LIFE_FACTORS", "and_join",
    "derived", "signal_setting", "SIGNALS", "text_values_cypher",
    "factors_cypher", "dash_cypher", "level_cypher", "referrals_cypher", "flow_cypher", "text_values", "factors",
    "dash_score", "risk_level", "referrals", "is_flow", "marac_near_cypher", "marac_days_cypher", "MARAC_DAYS_CYPHER", "marac_days", "marac_near",
    "marac_contacts", "marac_contact_cypher",
]

SERIOUS_FACTORS = ("threats_to_kill", "strangulation", "weapon", "stalking", "sexual_violence", "escalation",
                   "breach_of_order", "child_contact_dispute", "honour_based_abuse", "suicidal_ideation")
CONTEXT_FACTORS = ("pregnancy", "separation")
# Factors that record abuse itself, as opposed to context (pregnancy, separation) or the
# perpetrator's or victim's needs (mental health, substance use, self-harm ...).
ABUSE_FACTORS = ("threats_to_kill", "strangulation", "weapon", "escalation", "stalking", "sexual_violence",
                 "child_contact_dispute", "coercive_control", "financial_abuse", "honour_based_abuse", "isolation",
                 "previous_partner_abuse", "breach_of_order", "animal_abuse", "injury")
ABUSE_EVENTS = ("incident", "disclosure")
# What makes a finding high severity (with a DASH of dash_high or more): the risk-to-life factors.
RISK_TO_LIFE_FACTORS = ("threats_to_kill", "strangulation", "weapon", "pregnancy", "separation", "stalking", "escalation")
CHILDREN_TYPES = ("children_social_care", "mash")

CONSTANTS = {
    "serious_factors": list(SERIOUS_FACTORS), "context_factors": list(CONTEXT_FACTORS),
    "abuse_factors": list(ABUSE_FACTORS), "abuse_events": list(ABUSE_EVENTS), "forum_types": list(FORUM_TYPES),
    "children_types": list(CHILDREN_TYPES), "marac_min_age": 16,
    # the longest a pregnancy lasts, in days (40 weeks): a child born no later than this after a contact was
    # expected at it (children-not-referred names them "then unborn")
    "pregnancy_days": 280,
}

MARAC_MIN_AGE = CONSTANTS["marac_min_age"]
SUMMARY_CHARS = 200  # of a contact's summary quoted in its evidence item

DASH_HIGH = Param("dash_high", DASH_HIGH_RISK, "DASH score at or above which risk is visibly high", int, high=27)
SIGNALS = Param("signals", "all", "all: coded and text-derived signals; coded: only the chronology's columns", str,
                choices=("all", "coded"))
COMMON_PARAMS = (REVIEW_PARAM, SIGNALS)


# --- effective facts: coded columns, plus what the text says (issue 17) ----------------------------
# A contact's risk factors, DASH score, risk level and flows are its coded columns plus what its text
# says (``text_*`` properties; flows read from the text are REFERRED_TO / SHARED_WITH relationships
# with a ``signal`` property). The text counts when ``$signals`` is 'all' (the default), except the
# signals the analyst rejected (``$rejected_signals``, the store adds it: ids of decisions of kind
# "signal"). A coded score or level wins over a written one.

def text_values_cypher(c: str, kind: str) -> str:
    """Cypher list: the values of contact ``c``'s text signals of ``kind`` that count."""
    # the comprehension's variables have names no query gives its own (a contact may be called i or f)
    return (f"[text_i IN range(0, size(coalesce({c}.text_signals, [])) - 1) WHERE $signals = 'all' "
            f"AND {c}.text_signals[text_i] STARTS WITH '{kind}/' "
            f"AND NOT {c}.id + '/' + {c}.text_signals[text_i] IN $rejected_signals "
            f"| substring({c}.text_signals[text_i], {len(kind) + 1})]")


def factors_cypher(c: str) -> str:
    """Cypher list: contact ``c``'s risk factors, coded then read."""
    return (f"(coalesce({c}.risk_factors, []) + [text_f IN {text_values_cypher(c, 'risk_factor')} "
            f"WHERE NOT text_f IN coalesce({c}.risk_factors, [])])")


def dash_cypher(c: str) -> str:
    return f"coalesce({c}.dash_score, toInteger(head({text_values_cypher(c, 'dash')})))"


def level_cypher(c: str) -> str:
    return f"coalesce({c}.risk_level, head({text_values_cypher(c, 'risk_level')}))"


def referrals_cypher(c: str) -> str:
    """Cypher list: the agencies contact ``c`` referred to, coded and read."""
    return f"(coalesce({c}.referred_to, []) + {text_values_cypher(c, 'referred_to')})"


def flow_cypher(r: str) -> str:
    """Cypher predicate: REFERRED_TO / SHARED_WITH relationship ``r`` counts (coded, or read and not rejected)."""
    return f"({r}.signal IS NULL OR ($signals = 'all' AND NOT {r}.signal IN $rejected_signals))"


def _rejected(p: dict | None) -> frozenset:
    if not p:
        return frozenset()
    rejected = p.get("_rejected")
    if rejected is None:
        rejected = p["_rejected"] = frozenset(p.get("rejected_signals") or ())
    return rejected


def events_cypher(c: str) -> str:
    """Cypher list: contact ``c``'s events, its ``event`` column and the events its text records (``events``)."""
    return f"[{c}.event] + {text_values_cypher(c, 'event')}"


def events(c: dict, p: dict | None = None) -> list[str]:
    """A contact's events: its ``event`` column, then the events its text records that count ("no answer. Case
    closed." on a call: did_not_attend, case_closed)."""
    return [c["event"], *text_values(c, "event", p)]


def text_values(c: dict, kind: str, p: dict | None = None) -> list[str]:
    """The values of contact ``c``'s text signals of ``kind`` that count (``p`` None: every one)."""
    keys = c.get("text_signals")
    if not keys or (p is not None and p.get("signals", "all") != "all"):
        return []
    prefix, rejected = kind + "/", _rejected(p)
    return [k[len(prefix):] for k in keys if k.startswith(prefix) and (not rejected or f"{c['id']}/{k}" not in rejected)]


def factors(c: dict, p: dict | None = None) -> list[str]:
    coded = list(c.get("risk_factors") or ())
    return coded + [f for f in text_values(c, "risk_factor", p) if f not in coded]


def dash_score(c: dict, p: dict | None = None) -> int | None:
    if c.get("dash_score") is not None:
        return c["dash_score"]
    read = text_values(c, "dash", p)
    return int(read[0]) if read else None


def risk_level(c: dict, p: dict | None = None) -> str | None:
    if c.get("risk_level") is not None:
        return c["risk_level"]
    read = text_values(c, "risk_level", p)
    return read[0] if read else None


def referrals(c: dict, p: dict | None = None) -> list[str]:
    return list(c.get("referred_to") or ()) + text_values(c, "referred_to", p)


def is_flow(d: dict, p: dict | None = None) -> bool:
    """A REFERRED_TO / SHARED_WITH / REFERRED_BY relationship's data ``d`` counts."""
    signal = d.get("signal")
    return signal is None or p is None or (p.get("signals", "all") == "all" and signal not in _rejected(p))


# --- risk signal ------------------------------------------------------------------------------

# Visibly high risk: a contact graded high, or with a DASH score of dash_high or more (the MARAC
# criterion of visible high risk, and part of a risk signal).

def visibly_high_cypher(c: str) -> str:
    """Cypher predicate: contact variable ``c`` shows visibly high risk (``$dash_high``)."""
    return f"({level_cypher(c)} = 'high' OR {dash_cypher(c)} >= $dash_high)"


def high_reasons(dash: int | None, level: str | None, dash_high: int) -> list[str]:
    """Why a contact's DASH score and risk level show visibly high risk, in words ("DASH 15", "risk level
    high"); empty when they do not."""
    return ([f"DASH {dash}"] if dash is not None and dash >= dash_high else []) + (["risk level high"] if level == "high" else [])


def visibly_high(dash: int | None, level: str | None, dash_high: int) -> bool:
    return bool(high_reasons(dash, level, dash_high))


def risk_signal_cypher(c: str) -> str:
    """Cypher predicate: contact variable ``c`` is a risk signal."""
    return f"""({visibly_high_cypher(c)}
      OR any(f IN {factors_cypher(c)} WHERE f IN $serious_factors)
      OR (any(f IN {factors_cypher(c)} WHERE f IN $context_factors) AND {records_abuse_cypher(c)}))"""


def records_abuse_cypher(c: str, found: str | None = None) -> str:
    """Cypher predicate: contact variable ``c`` records abuse (``found``: its ``factors_cypher``, when bound already)."""
    return f"({c}.event IN $abuse_events OR any(f IN {found or factors_cypher(c)} WHERE f IN $abuse_factors))"


def records_abuse(c: dict, p: dict | None = None, found: list[str] | None = None) -> bool:
    return c["event"] in ABUSE_EVENTS or any(f in ABUSE_FACTORS for f in (factors(c, p) if found is None else found))


def holds_risk_cypher(c: str, found: str) -> str:
    """Cypher predicate: contact ``c``, whose factors are ``found``, holds risk (``holds_risk``'s twin)."""
    return (f"(any(f IN {found} WHERE NOT f IN $context_factors) "
            f"OR (size({found}) > 0 AND {records_abuse_cypher(c, found)}))")


def holds_risk(c: dict, found: list[str], p: dict | None = None) -> bool:
    """Whether a contact whose risk factors are ``found`` holds risk: a factor other than context (pregnancy,
    separation), or context recorded with abuse, as a risk signal takes context. A midwife's booking or a birth
    (pregnancy alone) or a housing move (separation alone) holds none."""
    return any(f not in CONTEXT_FACTORS for f in found) or (bool(found) and records_abuse(c, p, found))


def is_risk_signal(c: dict, dash_high: int, p: dict | None = None) -> bool:
    if not c.get("text_signals"):  # coded values only (most contacts): the same tests without the text readers
        level, dash, found = c.get("risk_level"), c.get("dash_score"), c.get("risk_factors") or ()
        return (level == "high" or (dash is not None and dash >= dash_high) or any(f in SERIOUS_FACTORS for f in found)
                or (any(f in CONTEXT_FACTORS for f in found) and (c["event"] in ABUSE_EVENTS or any(f in ABUSE_FACTORS for f in found))))
    found = factors(c, p)
    return (visibly_high(dash_score(c, p), risk_level(c, p), dash_high)
            or any(f in SERIOUS_FACTORS for f in found)
            or (any(f in CONTEXT_FACTORS for f in found) and records_abuse(c, p)))


def risk_reasons(c: dict, dash_high: int, p: dict | None = None) -> list[str]:
    """Why a contact is a risk signal, in words ("DASH 15", "threats_to_kill", "pregnancy with abuse")."""
    reasons = high_reasons(dash_score(c, p), risk_level(c, p), dash_high)
    found = factors(c, p)
    reasons += [f for f in found if f in SERIOUS_FACTORS]
    if any(f in CONTEXT_FACTORS for f in found) and records_abuse(c, p):
        reasons += [f"{f} with abuse" for f in found if f in CONTEXT_FACTORS]
    return reasons


def recorded_about_cypher(c: str, a: str, s: str, one_review: bool = False) -> str:
    """Cypher: each contact ``c`` with the agency ``a`` that recorded it and each person ``s`` it is about; a WHERE
    may follow. Over every review, from the agencies. With ``one_review`` (a query's ``review_cypher``), only the
    contacts of review ``$review``, found from that review: the planner otherwise reads every contact and the review
    filter comes at the end (at 1M contacts on Neo4j, one review's unshared-risk took 27 s, 0.01 s from the review;
    the same form over every review was measured 10-100% slower than starting from the agencies)."""
    if not one_review:
        return f"MATCH ({a}:Agency)-[:RECORDED]->({c}:Contact)-[:ABOUT]->({s}:Person)"
    return (f"MATCH (scope:Review {{name: $review}})\n"
            f"CALL (scope) {{\n  MATCH (scope)<-[:IN_REVIEW]-({c}:Contact)<-[:RECORDED]-({a}:Agency)\n"
            f"  MATCH ({c})-[:ABOUT]->({s}:Person)\n  RETURN {c}, {a}, {s}\n}}\nWITH {a}, {c}, {s}")


def people_cypher(s: str, one_review: bool = False) -> str:
    """Cypher: each person ``s``; with ``one_review``, each person of review ``$review``. For a query that reads
    each person's contacts once (with ``in_review_cypher`` on them), person by person."""
    return f"MATCH (:Review {{name: $review}})<-[:IN_REVIEW]-({s}:Person)" if one_review else f"MATCH ({s}:Person)"


def in_review_cypher(c: str, one_review: bool = False) -> str:
    """Cypher: the condition that contact ``c`` is of review ``$review`` (``one_review``), as `` AND ...``; nothing
    over every review."""
    return f" AND {c}.review = $review" if one_review else ""


# --- the end of the chronology (the death) and who MARAC is for -------------------------------------

def before_death_cypher(c: str) -> str:
    """Cypher predicate: contact ``c`` comes before the death that ends its review's chronology."""
    return f"{c}.after_death IS NULL"


def before_death(c: dict) -> bool:
    return not c.get("after_death")


def adult_cypher(m: str) -> str:
    """Cypher predicate: the person whose IN_REVIEW relationship is ``m`` is an adult for MARAC (16+;
    without an age, any role but child)."""
    return f"(CASE WHEN {m}.age IS NULL THEN {m}.role <> 'child' ELSE {m}.age >= $marac_min_age END)"


def is_adult(membership: dict) -> bool:
    age = membership.get("age")
    return membership.get("role") != "child" if age is None else age >= MARAC_MIN_AGE


# --- a MARAC referral or hearing about a person near a date (missed-marac, joined-up-risk) --------

def marac_contact_cypher(m: str) -> str:
    """Cypher predicate: contact ``m`` referred its subjects to a MARAC or was a MARAC's (its hearing)."""
    return (f"(EXISTS {{ MATCH ({m})-[marac_r:REFERRED_TO]->(:Agency {{type: 'marac'}}) WHERE {flow_cypher('marac_r')} }} "
            f"OR EXISTS {{ ({m})<-[:RECORDED]-(:Agency {{type: 'marac'}}) }})")


def marac_near_cypher(s: str, review: str, date: str) -> str:
    """Cypher predicate: a contact about person ``s`` in review ``review``, dated within ``$within_days`` days of
    the ISO date ``date``, referred them to a MARAC or was a MARAC's (its hearing): ``marac_near``'s twin."""
    return f"""EXISTS {{
    MATCH ({s})<-[:ABOUT]-(marac_m:Contact {{review: {review}}})
    WHERE marac_m.date >= toString(date({date}) - duration({{days: $within_days}}))
      AND marac_m.date <= toString(date({date}) + duration({{days: $within_days}}))
      AND {marac_contact_cypher("marac_m")}
  }}"""


def marac_days_cypher(s: str, review: str) -> str:
    """Cypher list: the dates of the contacts about person ``s`` in review ``review`` that referred them to a MARAC
    or were a MARAC's (``marac_days``' twin, for one person and review)."""
    return f"""COLLECT {{
    MATCH ({s})<-[:ABOUT]-(marac_m:Contact {{review: {review}}}) WHERE {marac_contact_cypher("marac_m")}
    RETURN marac_m.date
  }}"""


# ``marac_days``' twin for every person at once, read from the MARAC agencies' side (a few contacts), as one record
# ``days``: [person id, review, ISO date] (cheaper than ``marac_days_cypher`` per person: that expands every contact
# about the person).
MARAC_DAYS_CYPHER = f"""
CALL () {{
  MATCH (:Agency {{type: 'marac'}})<-[marac_r:REFERRED_TO]-(marac_m:Contact) WHERE {flow_cypher("marac_r")}
  RETURN marac_m
  UNION
  MATCH (:Agency {{type: 'marac'}})-[:RECORDED]->(marac_m:Contact)
  RETURN marac_m
}}
MATCH (marac_m)-[:ABOUT]->(person:Person)
RETURN collect([person.id, marac_m.review, marac_m.date]) AS days
"""


def marac_contacts(G: nx.MultiDiGraph, p: dict | None = None) -> dict[str, list[str]]:
    """person id -> the ids of the contacts about them that referred them to a MARAC or were a MARAC's (its hearing):
    ``marac_contact_cypher``'s twin."""
    node = G._node
    contacts = flows_into(G, ("marac",), ("REFERRED_TO",), p) | {
        cid for a in by_label(G, "Agency") if node[a]["type"] == "marac" for cid in G._succ[a]
        if node[cid]["label"] == "Contact"}
    out: dict[str, list[str]] = {}
    for cid in sorted(contacts):
        for person in subjects_of(G, cid):
            out.setdefault(person, []).append(cid)
    return out


def marac_days(G: nx.MultiDiGraph, p: dict | None = None, contacts: dict[str, list[str]] | None = None
               ) -> dict[str, list[tuple[str, str]]]:
    """person id -> (review, ISO date) of every contact about them that referred them to a MARAC or was a MARAC's
    (of ``contacts``, when ``marac_contacts`` was read already)."""
    node = G._node
    contacts = marac_contacts(G, p) if contacts is None else contacts
    return {person: [(node[cid]["review"], node[cid]["date"]) for cid in cids] for person, cids in contacts.items()}


def marac_near(days: list[tuple[str, str]], review: str, date: str, within_days: int) -> bool:
    """Whether one of a person's ``marac_days`` is in ``review`` within ``within_days`` days of ISO ``date``."""
    lo, hi = shift(date, -within_days), shift(date, within_days)
    return any(r == review and lo <= d <= hi for r, d in days)


def and_join(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


# --- evidence and rows --------------------------------------------------------------------------

def evidence_cypher(c: str, a: str) -> str:
    """Cypher map of one evidence item: the contact ``c`` recorded by agency ``a`` (with the contact's node
    id, which ``finish_rows`` copies to the row's ``ids``, and what its text said, which ``mark_evidence`` reads:
    ``evidence``'s twin; the end of the run strips both, ``strip_row_ids``)."""
    return (f"{{review: {c}.review, file: {c}.file, line: {c}.line, record: coalesce({c}.record, {c}.line), "
            f"date: {c}.date_text, agency: {a}.name, event: {c}.event, summary: {c}.summary, "
            f"risk_level: {c}.risk_level, dash_score: {c}.dash_score, risk_factors: coalesce({c}.risk_factors, []), "
            f"{CONTACT_ID}: {c}.id, {CONTACT_TEXT}: CASE WHEN size(coalesce({c}.text_signals, [])) = 0 THEN null "
            f"ELSE [{c}.text_signals, {c}.text_phrases, {c}.text_coded] END}}")


def evidence(c: dict, agency: dict) -> dict:
    """One evidence item: where the row is (review, file, record as a spreadsheet shows it, physical
    line), what it says (date, agency, event, summary cut to SUMMARY_CHARS by ``finish_rows``) and the
    risk it recorded (for a finding's severity); and the contact's node id, which ``finish_rows`` copies
    to the row's ``ids`` and the end of the run strips (``strip_row_ids``)."""
    return {"review": c["review"], "file": c["file"], "line": c["line"], "record": c.get("record", c["line"]),
            "date": c["date_text"], "agency": agency["name"], "event": c["event"], "summary": c.get("summary"),
            "risk_level": c.get("risk_level"), "dash_score": c.get("dash_score"), "risk_factors": list(c.get("risk_factors") or []),
            CONTACT_ID: c["id"], CONTACT_TEXT: contact_text(c)}


def contact_text(c: dict) -> list | None:
    """What contact ``c``'s text said, as an evidence item carries it to ``mark_evidence`` (``CONTACT_TEXT``): its
    ``text_signals``, ``text_phrases`` and ``text_coded``; None when its text gave no signal."""
    return [c["text_signals"], c.get("text_phrases"), c.get("text_coded")] if c.get("text_signals") else None


# --- the node ids a finding names ---------------------------------------------------------------
# Every catalogue row ends with ``ids``: {"people": [...], "agencies": [...], "contacts": [...]}, the node
# ids of the people it names (``PERSON_IDS`` in a raw row, set by each query), the contacts it cites
# (from the evidence items' ``CONTACT_ID``, which no row keeps) and the agencies that recorded them (their
# names are one agency's each: ``model.agency_id``), so that views find a finding's nodes without reading
# its words.
IDS = "ids"
PERSON_IDS = "person_ids"
CONTACT_ID = "contact_id"
# An evidence item's contact's text signals (``contact_text``), from the query's own read of the contact: what
# ``signals.mark_evidence`` marks the item by, without reading the contact again (at 1M contacts on Neo4j,
# reading fragmented-risk's 270,000 cited contacts again by id was 8 of its 21 s). No row keeps it.
CONTACT_TEXT = "contact_text"


def strip_ids(item: dict) -> dict:
    """An evidence item without the node id and text it carries to ``finish_rows`` and ``mark_evidence``
    (queries that keep evidence but make no catalogue row, e.g. ``paths``)."""
    return {k: v for k, v in item.items() if k != CONTACT_ID and k != CONTACT_TEXT}


def strip_row_ids(rows: list[dict]) -> list[dict]:
    """The rows with every evidence item's node id removed: the last step of a run (``Query.run_bound``), after the
    steps that look an evidence item's contact up by its id (``signals.mark_evidence``)."""
    for row in rows:
        if isinstance(row.get("evidence"), list):
            row["evidence"] = [strip_ids(e) if isinstance(e, dict) else e for e in row["evidence"]]
    return rows


def _row_ids(people: Iterable[str], items: list[dict]) -> dict[str, list[str]]:
    cited = [e for e in items if e.get(CONTACT_ID)]  # a relationship row cites no contact
    return {"people": sorted(set(people)), "agencies": sorted({agency_id(e["agency"]) for e in cited}),
            "contacts": list(dict.fromkeys(e[CONTACT_ID] for e in cited))}


def _quote(summary: str | None) -> str | None:
    if summary is None or len(summary) <= SUMMARY_CHARS:
        return summary
    return summary[: SUMMARY_CHARS - 1] + "…"


def _evidence_key(item: dict) -> tuple:
    return (item["review"], item["file"], item["line"])


def finish_rows(rows: Iterable[dict], params: dict, sort_key: tuple[str, ...]) -> list[dict]:
    """Shared last step of every catalogue query: evidence deduplicated and in file order, summaries
    quoted up to SUMMARY_CHARS, the ``--review`` filter, and a stable row order. Both backends end
    here, so their rows match. A row about several reviews (``reviews``: a cross-review query) is kept
    for any of them, with ``other_reviews`` naming the ones that are not ``review``."""
    review = params.get("review")
    out = []
    for row in rows:
        if review is not None and row["review"] != review and review not in row.get("reviews", ()):
            continue
        if review is not None and "reviews" in row:
            row["other_reviews"] = [r for r in row["reviews"] if r != review]
        items = sorted({_evidence_key(e): {**e, "summary": _quote(e.get("summary"))}
                        for e in row["evidence"] if e.get("line") is not None}.values(), key=_evidence_key)
        row["evidence"] = items  # each keeps its contact's id until the run ends (``strip_row_ids``)
        row[IDS] = _row_ids(row.pop(PERSON_IDS, ()), items)
        out.append(row)
    return sorted(out, key=lambda r: tuple(_sortable(r.get(k)) for k in sort_key))


def _sortable(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return tuple(_sortable(v) for v in value)
    return value


# --- graph helpers (NetworkX side) ---------------------------------------------------------------

def days_between(earlier: str, later: str) -> int:
    return (dt.date.fromisoformat(later) - dt.date.fromisoformat(earlier)).days


def recorder(G: nx.MultiDiGraph, contact: str) -> str:
    """The id of the agency that recorded ``contact``."""
    return next(iter(G._pred[contact]))


def contact_agency(G: nx.MultiDiGraph, contact: str) -> dict:
    return G._node[recorder(G, contact)]


def contacts_about(G: nx.MultiDiGraph, person: str) -> list[str]:
    """Ids of the contacts about a person."""
    return [c for c in G._pred[person] if G._node[c]["label"] == "Contact"]


def subjects_of(G: nx.MultiDiGraph, contact: str) -> list[str]:
    """Ids of the people a contact is about."""
    return [p for p in G._succ[contact] if G._node[p]["label"] == "Person"]


def subject_name(G: nx.MultiDiGraph, person: str, review: str) -> str:
    """The person's pseudonym in ``review`` (a global person has one per review)."""
    for rid, m in out_edges(G, person, "IN_REVIEW"):
        if G.nodes[rid]["name"] == review:
            return m["name"]
    return G.nodes[person]["name"]


FLOW_TYPES = ("REFERRED_TO", "SHARED_WITH")
# a referral the contact's agency received, from the agency the relationship points to (read from its words): a flow
# from that agency to the recorder, at the contact
RECEIVED_TYPE = "REFERRED_BY"


def flows_about_cypher(s: str, review: str) -> str:
    """Cypher, the body of a ``CALL (...) {...}`` that imports person ``s`` and what ``review`` reads: each flow in a
    contact about ``s`` in that review, as rows ``f`` (the contact), ``x`` (the agency it is from) and ``y`` (to): the
    referrals and shares the contact's agency made, and the referrals it received (REFERRED_BY: from the agency named
    to the recorder). ``flows_in_review``'s twin."""
    return f"""
  MATCH ({s})<-[:ABOUT]-(f:Contact {{review: {review}}})-[fr:REFERRED_TO|SHARED_WITH]->(y:Agency)
  WHERE {flow_cypher("fr")}
  MATCH (x:Agency)-[:RECORDED]->(f)
  RETURN f, x, y
  UNION ALL
  MATCH ({s})<-[:ABOUT]-(f:Contact {{review: {review}}})-[fr:{RECEIVED_TYPE}]->(x:Agency)
  WHERE {flow_cypher("fr")}
  MATCH (y:Agency)-[:RECORDED]->(f)
  RETURN f, x, y"""


def flows_about(G: nx.MultiDiGraph, person: str, p: dict | None = None) -> list[tuple[str, str, str, str]]:
    """(order_key, from agency id, to agency id, contact id) of every flow in a contact about ``person``,
    in chronology order."""
    flows = []
    for cid in contacts_about(G, person):
        source = recorder(G, cid)
        key = G._node[cid]["order_key"]
        for end, keyed in G._succ[cid].items():
            if any(d["type"] in FLOW_TYPES and is_flow(d, p) for d in keyed.values()):
                flows.append((key, source, end, cid))
            if any(d["type"] == RECEIVED_TYPE and is_flow(d, p) for d in keyed.values()):
                flows.append((key, end, source, cid))
    flows.sort()
    return flows


def signal_setting(p: dict | None) -> Any:
    """What of ``p`` decides which text signals count (``is_flow``, ``text_values``): a key for values derived from
    a graph under it (``derived``)."""
    return None if p is None else (p.get("signals", "all"), _rejected(p))


def flows_in_review(G: "ModelGraph | nx.MultiDiGraph", person: str, review: str, p: dict | None = None) -> list[tuple[str, str, str, str]]:
    """``flows_about(G, person, p)``'s flows in contacts of ``review``, in the same (sorted) order. Every person's
    flows are found at once, once per ``ModelGraph`` (and which signals count), from the relationships into agencies
    (a flow ends at an agency), so a query that asks person by person, review by review or signal by signal does not
    walk each person's contacts again (shared: read only)."""
    return derived(G, ("flows_in_review", signal_setting(p)), lambda G: _flows_in_review(G, p)).get((person, review), [])  # type: ignore[arg-type]


def _flows_in_review(G: "ModelGraph | nx.MultiDiGraph", p: dict | None) -> dict[tuple[str, str], list[tuple[str, str, str, str]]]:
    node, succ, pred = G._node, G._succ, G._pred
    index: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
    for end in by_label(G, "Agency"):
        for cid, keyed in pred[end].items():
            c = node[cid]
            if c["label"] != "Contact":
                continue
            sent = any(d["type"] in FLOW_TYPES and is_flow(d, p) for d in keyed.values())
            received = any(d["type"] == RECEIVED_TYPE and is_flow(d, p) for d in keyed.values())
            if not (sent or received):
                continue
            by = next(iter(pred[cid]))  # the contact's recorder: its one incoming
            flows = ([(c["order_key"], by, end, cid)] if sent else []) + ([(c["order_key"], end, by, cid)] if received else [])
            for person in succ[cid]:
                if node[person]["label"] == "Person":
                    index.setdefault((person, c["review"]), []).extend(flows)
    for flows in index.values():
        flows.sort()
    return index


def contacts_in_review(G: "ModelGraph | nx.MultiDiGraph") -> dict[tuple[str, str], tuple[list[tuple[dict, dict]], list[str] | None]]:
    """(person id, review) -> ([(contact, recording agency)] in chronology order, as ``contacts_by_person``, and the
    contacts' ISO dates in that order, or None when they are not all 10-character ISO dates in ascending order: a
    reader may then not bisect them) (shared: read only)."""
    return derived(G, "contacts_in_review", _contacts_in_review)


def _contacts_in_review(G: "ModelGraph | nx.MultiDiGraph") -> dict:
    index: dict[tuple[str, str], tuple[list, list | None]] = {}
    for person, pairs in contacts_by_person(G).items():
        for pair in pairs:
            key = (person, pair[0]["review"])
            group = index.get(key)
            if group is None:
                group = index[key] = ([], [])
            group[0].append(pair)
    for key, (pairs, dates) in index.items():
        dates.extend(c["date"] for c, _ in pairs)
        if not dates_in_order(dates):
            index[key] = (pairs, None)
    return index


def dates_in_order(dates: list) -> bool:
    """Whether ``dates`` are 10-character ISO dates in ascending order (then their text order is their date order,
    and a reader may bisect them for a window of days)."""
    return all(isinstance(d, str) and len(d) == 10 for d in dates) and all(a <= b for a, b in zip(dates, dates[1:]))


def components(nodes: Iterable[str], links: Iterable[tuple[str, str]]) -> list[set[str]]:
    """Connected components of ``nodes`` joined by undirected ``links``, in the order of each one's first node
    (``nodes``, then the ends of ``links`` in turn), as ``networkx.connected_components`` gives them: a few
    dozen nodes, not worth importing NetworkX for."""
    neighbours: dict[str, set[str]] = {node: set() for node in nodes}
    for a, b in links:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    seen: set[str] = set()
    out = []
    for node in neighbours:
        if node in seen:
            continue
        group, todo = {node}, [node]
        while todo:
            for other in neighbours[todo.pop()]:
                if other not in group:
                    group.add(other)
                    todo.append(other)
        seen |= group
        out.append(group)
    return out


def union_find_cypher(nodes: str, links: str) -> str:
    """Cypher expression: the connected components (lists of ids, may repeat an id) of the id list
    ``nodes`` joined by ``links`` (a list of [id, id] pairs), by folding each link into the groups."""
    return f"""reduce(groups = [n IN {nodes} | [n]], l IN {links} |
        [g IN groups WHERE NOT (l[0] IN g OR l[1] IN g)]
        + [reduce(merged = [l[0], l[1]], g IN [g IN groups WHERE l[0] IN g OR l[1] IN g] | merged + g)])"""


# --- fast graph access (NetworkX side) -----------------------------------------------------------
# These read NetworkX's own adjacency dicts (read only): the public edge views cost several times
# more, which matters at a million contacts. They rely on the model: RECORDED is a contact's only
# incoming relationship, and ABOUT its only relationship to a person.

def derived(G: "ModelGraph | nx.MultiDiGraph", name: str | tuple, build: Callable[[Any], Any]) -> Any:
    """``build(G)``, made once per ``ModelGraph`` wrapper and kept in it (an index several queries read, e.g.
    when findings or themes run the whole catalogue on one opened graph); built afresh for a bare graph.
    The value is shared: read it only."""
    cache = G.derived if isinstance(G, ModelGraph) else {}
    if name not in cache:
        cache[name] = build(G)
    return cache[name]


def contacts_by_person(G: nx.MultiDiGraph) -> dict[str, list[tuple[dict, dict]]]:
    """person id -> [(contact, recording agency)] in chronology order (shared: read only)."""
    return derived(G, "contacts_by_person", _contacts_by_person)


def _contacts_by_person(G: nx.MultiDiGraph) -> dict[str, list[tuple[dict, dict]]]:
    succ, pred, node = G._succ, G._pred, G._node
    # an agency's only relationship to a contact is RECORDED, a contact's only one to a person is ABOUT
    recorder = {cid: node[a] for a in by_label(G, "Agency") for cid in succ[a] if node[cid]["label"] == "Contact"}
    index: dict[str, list[tuple[dict, dict]]] = {}
    for person in by_label(G, "Person"):
        about = [(node[cid], recorder[cid]) for cid in pred[person] if cid in recorder]
        about.sort(key=lambda ca: ca[0]["order_key"])
        index[person] = about
    return index


def flows_into(G: nx.MultiDiGraph, agency_types: tuple[str, ...], rel_types: tuple[str, ...], p: dict | None = None) -> set[str]:
    """Ids of the contacts with a relationship of ``rel_types`` to an agency of ``agency_types``."""
    node = G._node
    return {cid for a in by_label(G, "Agency") if node[a]["type"] in agency_types for cid, keyed in G._pred[a].items()
            if any(d["type"] in rel_types and is_flow(d, p) for d in keyed.values())}


def memberships(G: nx.MultiDiGraph) -> dict[tuple[str, str], dict]:
    """(person id, review) -> the person's IN_REVIEW properties there (name, role, ...; shared: read only)."""
    return derived(G, "memberships", _memberships)


def _memberships(G: nx.MultiDiGraph) -> dict[tuple[str, str], dict]:
    node = G._node
    return {(p, node[r]["name"]): d for p in by_label(G, "Person") for r, keyed in G._succ[p].items()
            if node[r]["label"] == "Review" for d in keyed.values()}


def abusers(G: nx.MultiDiGraph) -> set[tuple[str, str]]:
    """(person id, review) of every person recorded as abusive towards someone in that review (shared: read only)."""
    return derived(G, "abusers", _abusers)


def _abusers(G: nx.MultiDiGraph) -> set[tuple[str, str]]:
    return {(p, d["review"]) for p in by_label(G, "Person") for keyed in G._succ[p].values() for d in keyed.values()
            if d["type"] == "RELATED" and d.get("abusive")}


def not_abuser_cypher(s: str, review: str) -> str:
    """Cypher predicate: person ``s`` is not recorded as abusive towards anyone in review ``review``."""
    return f"NOT EXISTS {{ MATCH ({s})-[r:RELATED]->() WHERE r.abusive AND r.review = {review} }}"


def shift(date: str, days: int) -> str:
    """The ISO date ``days`` after ``date`` (before it when negative), as Cypher's
    ``toString(date(d) + duration({days: n}))`` gives it."""
    return (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()


def sorted_rows(rows: list[dict], p: dict) -> list[dict]:
    """finish_rows with rows per review in chronology order: each raw row carries its ``order_key``,
    which is dropped here (the stable sort keeps the order within a review)."""
    rows.sort(key=lambda r: (r["order_key"], r["subject"]))
    for r in rows:
        del r["order_key"]
    return finish_rows(rows, p, ("review",))
