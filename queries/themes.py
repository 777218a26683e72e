"""Learning across reviews: the theme-by-review table thematic analyses build by hand.

A **theme** is something that did or did not occur in a review (seed 003's West Midlands table: a
row per theme, a column per review, a mark where it occurred). Every theme is defined here, once,
and each occurrence cites the rows it rests on. The graph facts come from two small queries with a
Cypher and a NetworkX implementation side by side (``theme-contacts``: one row per contact with what
the themes read; ``theme-reviews``: each review's people, relationships and index date) and from the
catalogue queries' own rows; everything after that is shared Python, so both backends give the same
table.

Themes (id: occurs in a review when ...):

* ``query:<name>``, for every catalogue query: the query has at least one finding in the review
  that no triage decision dismissed (a decision of kind ``triage`` keyed by the finding's ``id``
  with status ``dismissed``). Picked up from the catalogue, so new queries appear by themselves.
* ``risk_factor:<factor>``: any contact of the review recorded the factor.
* ``dash:high``: any contact recorded a DASH score of ``DASH_HIGH`` (14) or more.
* ``agency_contact:<type>``: an agency of that type recorded a contact about the victim.
* ``agency_risk:<type>``: an agency of that type (not a forum) recorded a risk signal (the
  catalogue's definition) about anyone in the review.
* ``agency_silent:<type>``: an agency of that type recorded a risk signal and, from its first risk
  signal on, referred or shared nothing with any other agency in that review.
* ``perpetrator:earlier_victims``: the review's perpetrator abused someone else as well, in this or
  another review: a ``serial-perpetrators`` finding names them (the same identity rules: a shared
  global_id or a confirmed ``same`` decision; a link record linkage only proposes does not count).
* ``perpetrator:criminal_history``: a contact about the perpetrator recorded criminal_history or
  breach_of_order, or was an arrest, charge, court hearing or conviction.
* ``perpetrator:mental_health`` / ``perpetrator:substance_misuse``: a contact about the perpetrator
  recorded mental_health (or was recorded by a mental health service) / substance_misuse or
  alcohol_misuse (or was recorded by a substance misuse service).
* ``victim:pregnancy`` / ``victim:separation``: a contact about the victim recorded pregnancy /
  separation (separation also when the perpetrator is recorded as the victim's ex-partner).
* ``victim:children_in_household``: the review has a person with role child, or a contact recorded
  child_in_household.
* ``contact:police_before_death``: a police contact about the victim or the perpetrator.
* ``contact:gp_within_12_months``: a GP contact about the victim within 365 days before the index
  date.
* ``contact:agencies_at_least_<n>`` (n = 3, 5): that many different agencies (not forums) recorded
  contacts about the victim or the perpetrator.

Risk (factors, DASH, grading, referrals and shares) is read as the catalogue reads it: coded and
text-derived, or with ``signals="coded"`` the columns only (``common.factors``, ``dash_score``, ...).

Contacts count only **before the index date** (the death: nothing on or after it is a missed
chance). The index date is the review's ``index_date`` where one is given, else the date of its
first ``death`` event; without either, every contact counts and windows end at the last contact.
A review's **date** (for ``--from``/``--to``) is its index date, else its last contact. A review's
**type** (``--type``) is the relationship recorded between its perpetrator and victim: ``partner``
(partner, ex-partner, spouse), ``family`` (parent, child, sibling) or ``other``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    import networkx as nx

from dhrgraph.loaders import vocab
from dhrgraph.loaders.gcpause import gc_paused
from dhrgraph.loaders.vocab import DEATH_EVENT
from dhrgraph.queries.base import Query, catalogue, register
from dhrgraph.queries.common import (dash_cypher, DASH_HIGH, factors_cypher, flow_cypher, FLOW_TYPES, FORUM_TYPES,
                                     level_cypher, SIGNALS, dash_score, factors, is_flow, is_risk_signal, memberships,
                                     risk_level)
from dhrgraph.queries.core import by_label
from dhrgraph.queries.triage import DISMISSED, run_catalogue

__all__ = ["THEME_CONTACTS", "THEME_REVIEWS", "Theme", "theme_catalogue", "theme_table", "review_facts",
           "ReviewFacts", "THEME_GROUPS", "type_label", "select_reviews", "build_table", "run_themes", "ThemeTable",
           "REVIEW_DATES", "review_date", "index_date", "AGENCY_COUNTS", "REVIEW_TYPES", "is_theme_id"]

THEME_GROUPS = ("query", "risk_factor", "dash", "agency_contact", "agency_risk", "agency_silent", "perpetrator",
                "victim", "contact")
AGENCY_COUNTS = (3, 5)
GP_WINDOW_DAYS = 365
CRIMINAL_EVENTS = ("arrest", "charge", "court", "conviction")
CRIMINAL_FACTORS = ("criminal_history", "breach_of_order")
SUBSTANCE_FACTORS = ("substance_misuse", "alcohol_misuse")
REVIEW_TYPES = {"partner": "partner", "ex_partner": "partner", "spouse": "partner",
                "parent": "family", "child": "family", "sibling": "family"}


# --- graph facts: Cypher and NetworkX side by side ------------------------------------------------

THEME_CONTACTS_CYPHER = f"""
MATCH (a:Agency)-[:RECORDED]->(c:Contact)
CALL (c) {{
  MATCH (c)-[:ABOUT]->(:Person)-[m:IN_REVIEW]->(r:Review) WHERE r.name = c.review
  RETURN collect(m.role) AS roles
}}
CALL (c, a) {{
  MATCH (c)-[f:REFERRED_TO|SHARED_WITH]->(b:Agency) WHERE b <> a AND {flow_cypher("f")}
  RETURN collect(DISTINCT b.name) AS sent
}}
RETURN c.review AS review, c.file AS file, c.line AS line, coalesce(c.record, c.line) AS record, c.date AS day,
       c.date_text AS date, c.order_key AS order_key, a.name AS agency, a.type AS agency_type, c.event AS event,
       {factors_cypher("c")} AS risk_factors, {dash_cypher("c")} AS dash_score, {level_cypher("c")} AS risk_level,
       roles, sent
"""


def theme_contacts_networkx(G: nx.MultiDiGraph, p: dict) -> list[dict]:
    node, succ, pred = G._node, G._succ, G._pred
    member = memberships(G)
    rows = []
    for cid in by_label(G, "Contact"):
        c = node[cid]
        agency_id = next(iter(pred[cid]))
        agency = node[agency_id]
        roles, sent = [], set()
        for end, keyed in succ[cid].items():
            for d in keyed.values():
                if d["type"] == "ABOUT" and (end, c["review"]) in member:
                    roles.append(member[(end, c["review"])]["role"])
                elif d["type"] in FLOW_TYPES and end != agency_id and is_flow(d, p):
                    sent.add(node[end]["name"])
        rows.append({"review": c["review"], "file": c["file"], "line": c["line"], "record": c.get("record", c["line"]),
                     "day": c["date"], "date": c["date_text"], "order_key": c["order_key"], "agency": agency["name"],
                     "agency_type": agency["type"], "event": c["event"], "risk_factors": factors(c, p),
                     "dash_score": dash_score(c, p), "risk_level": risk_level(c, p), "roles": roles,
                     "sent": list(sent)})
    return rows


def finish_theme_contacts(rows: list[dict], p: dict) -> list[dict]:
    for row in rows:
        row["roles"], row["sent"] = sorted(row["roles"]), sorted(row["sent"])
    return sorted(rows, key=lambda r: (r["review"], r["order_key"]))


THEME_CONTACTS = register(Query(
    name="theme-contacts", title="Contacts as the themes read them",
    description="Every contact with its review, provenance, date, agency and type, event, risk (coded and, unless "
                "signals is 'coded', read from the text), the roles of the people it is about and the other agencies "
                "it referred or shared with.",
    cypher=THEME_CONTACTS_CYPHER, networkx=theme_contacts_networkx, finish=finish_theme_contacts, listed=False,
    params=(SIGNALS,),
))

THEME_REVIEWS_CYPHER = """
MATCH (r:Review)
CALL (r) {
  MATCH (p:Person)-[m:IN_REVIEW]->(r)
  RETURN collect({id: p.id, name: m.name, role: m.role, global_id: p.global_id, file: m.file, line: m.line}) AS people
}
CALL (r) {
  MATCH (p:Person)-[x:RELATED]->(q:Person) WHERE x.review = r.name
  RETURN collect({start: p.id, end: q.id, kind: x.kind, abusive: coalesce(x.abusive, false), file: x.file, line: x.line})
         AS relationships
}
RETURN r.name AS review, r.index_date AS index_date, r.area AS area, people, relationships
"""


def theme_reviews_networkx(G: nx.MultiDiGraph, p: dict) -> list[dict]:
    node, succ = G._node, G._succ
    reviews = {node[r]["name"]: {"review": node[r]["name"], "index_date": node[r].get("index_date"),
                                 "area": node[r].get("area"), "people": [], "relationships": []}
               for r in by_label(G, "Review")}
    for pid in by_label(G, "Person"):
        for end, keyed in succ[pid].items():
            for d in keyed.values():
                if d["type"] == "IN_REVIEW":
                    reviews[node[end]["name"]]["people"].append(
                        {"id": pid, "name": d["name"], "role": d["role"], "global_id": node[pid].get("global_id"),
                         "file": d.get("file"), "line": d.get("line")})
                elif d["type"] == "RELATED" and d["review"] in reviews:
                    reviews[d["review"]]["relationships"].append(
                        {"start": pid, "end": end, "kind": d["kind"], "abusive": bool(d.get("abusive")),
                         "file": d.get("file"), "line": d.get("line")})
    return list(reviews.values())


def finish_theme_reviews(rows: list[dict], p: dict) -> list[dict]:
    for row in rows:
        row["people"].sort(key=lambda x: (x["line"] or 0, x["id"]))
        row["relationships"].sort(key=lambda x: (x["line"] or 0, x["start"], x["end"]))
    return sorted(rows, key=lambda r: r["review"])


THEME_REVIEWS = register(Query(
    name="theme-reviews", title="Reviews as the themes read them",
    description="Every review with its index date and area (where given), its people with their roles, and its "
                "relationships.",
    cypher=THEME_REVIEWS_CYPHER, networkx=theme_reviews_networkx, finish=finish_theme_reviews, listed=False,
))


REVIEW_DATES_CYPHER = f"""
MATCH (r:Review)
CALL (r) {{
  MATCH (r)<-[:IN_REVIEW]-(c:Contact)
  RETURN max(c.date) AS last, min(CASE WHEN c.event = '{DEATH_EVENT}' THEN c.date END) AS death
}}
RETURN r.name AS review, r.index_date AS index_date, last, death
"""


def review_dates_networkx(G: nx.MultiDiGraph, p: dict) -> list[dict]:
    node = G._node
    rows = {node[r]["name"]: {"review": node[r]["name"], "index_date": node[r].get("index_date"), "last": None, "death": None}
            for r in by_label(G, "Review")}
    for cid in by_label(G, "Contact"):
        c = node[cid]
        row = rows[c["review"]]
        if row["last"] is None or c["date"] > row["last"]:
            row["last"] = c["date"]
        if c["event"] == DEATH_EVENT and (row["death"] is None or c["date"] < row["death"]):
            row["death"] = c["date"]
    return list(rows.values())


def finish_review_dates(rows: list[dict], p: dict) -> list[dict]:
    return sorted(({"review": r["review"], "date": review_date(r["index_date"], r["death"], r["last"])} for r in rows),
                  key=lambda r: r["review"])


REVIEW_DATES = register(Query(
    name="review-dates", title="The date of each review",
    description="Each review's date: its index date where given, else its first death event, else its last contact.",
    cypher=REVIEW_DATES_CYPHER, networkx=review_dates_networkx, finish=finish_review_dates, listed=False,
))


def index_date(given: Any, death: str | None) -> str | None:
    """The review's index date (the death): the one the review gives, else its first death event."""
    return str(given)[:10] if given else death


def review_date(given: Any, death: str | None, last: str | None) -> str | None:
    """A review's date, for filters and for the dates of recommendations: its index date, else its last contact."""
    return index_date(given, death) or last


# --- the themes -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    group: str


TYPE_LABELS = {"gp": "GP", "da_service": "Domestic abuse service", "marac": "MARAC", "mash": "MASH", "dwp": "DWP",
               "cafcass": "Cafcass", "children_social_care": "Children's social care"}


def _words(text: str) -> str:
    return text.replace("_", " ")


def type_label(agency_type: str) -> str:
    """'gp' -> 'GP', 'adult_social_care' -> 'Adult social care'."""
    return TYPE_LABELS.get(agency_type, _words(agency_type).capitalize())


def theme_catalogue() -> list[Theme]:
    """Every theme, in the order the table lists them."""
    themes = [Theme(f"query:{q.name}", q.title, "query") for q in catalogue()]
    factors = sorted(set(vocab.RISK_FACTORS.values()))
    themes += [Theme(f"risk_factor:{f}", f"Risk factor recorded: {_words(f)}", "risk_factor") for f in factors]
    themes.append(Theme("dash:high", f"A DASH of {DASH_HIGH.default} or more recorded", "dash"))
    types = sorted(set(vocab.AGENCY_TYPES.values()))
    themes += [Theme(f"agency_contact:{t}", f"{type_label(t)} had contact with the victim", "agency_contact")
               for t in types]
    themes += [Theme(f"agency_risk:{t}", f"{type_label(t)} recorded a risk signal", "agency_risk")
               for t in types if t not in FORUM_TYPES]
    themes += [Theme(f"agency_silent:{t}", f"{type_label(t)} recorded a risk signal and referred or shared it with no one",
                     "agency_silent") for t in types if t not in FORUM_TYPES]
    themes += [
        Theme("perpetrator:earlier_victims", "The perpetrator abused someone else (this or another review)", "perpetrator"),
        Theme("perpetrator:criminal_history", "The perpetrator had a recorded criminal history", "perpetrator"),
        Theme("perpetrator:mental_health", "The perpetrator had recorded mental health issues", "perpetrator"),
        Theme("perpetrator:substance_misuse", "The perpetrator had recorded substance or alcohol misuse", "perpetrator"),
        Theme("victim:pregnancy", "Pregnancy recorded for the victim", "victim"),
        Theme("victim:separation", "Separation recorded for the victim", "victim"),
        Theme("victim:children_in_household", "Children in the household", "victim"),
        Theme("contact:police_before_death", "Police had contact with the victim or perpetrator", "contact"),
        Theme("contact:gp_within_12_months", "A GP saw the victim in the 12 months before the death", "contact"),
    ]
    themes += [Theme(f"contact:agencies_at_least_{n}", f"{n} or more agencies had contact with the victim or perpetrator",
                     "contact") for n in AGENCY_COUNTS]
    return themes


def is_theme_id(text: str) -> bool:
    return any(t.id == text for t in theme_catalogue())


# --- one review's facts, from the query rows --------------------------------------------------------

@dataclass
class ReviewFacts:
    review: str
    area: str | None
    index_date: str | None      # the death: given, or the first death event
    date: str | None            # index date, else last contact
    type: str                   # partner | family | other
    contacts: list[dict] = field(default_factory=list)  # before the index date, in chronology order
    people: list[dict] = field(default_factory=list)
    relationships: list[dict] = field(default_factory=list)


def review_facts(review_rows: list[dict], contact_rows: list[dict]) -> dict[str, ReviewFacts]:
    by_review: dict[str, list[dict]] = defaultdict(list)
    for c in contact_rows:
        by_review[c["review"]].append(c)
    out = {}
    for r in review_rows:
        contacts = by_review.get(r["review"], [])
        deaths = [c["day"] for c in contacts if c["event"] == DEATH_EVENT]
        index = index_date(r.get("index_date"), min(deaths) if deaths else None)
        before = [c for c in contacts if index is None or c["day"] < index]
        date = review_date(index, None, max(c["day"] for c in contacts) if contacts else None)
        out[r["review"]] = ReviewFacts(r["review"], r.get("area"), index, date, _review_type(r), before,
                                       r["people"], r["relationships"])
    return out


def _review_type(r: dict) -> str:
    roles = {p["id"]: p["role"] for p in r["people"]}
    kinds = [x["kind"] for x in sorted(r["relationships"], key=lambda x: not x["abusive"])
             if {roles.get(x["start"]), roles.get(x["end"])} == {"victim", "perpetrator"}]
    return REVIEW_TYPES.get(kinds[0], "other") if kinds else "other"


def _cite(c: dict) -> dict:
    return {"review": c["review"], "file": c["file"], "line": c["line"], "record": c["record"], "date": c["date"],
            "agency": c["agency"]}


def _cite_person(review: str, x: dict) -> dict:
    return {"review": review, "file": x["file"], "line": x["line"], "record": x["line"], "date": None, "agency": None}


def _review_themes(f: ReviewFacts, serial: dict[str, list[dict]], dash_high: int) -> dict[str, list[dict]]:
    """theme id -> evidence, for the themes that occurred in one review (queries aside)."""
    found: dict[str, list[dict]] = defaultdict(list)

    def mark(theme: str, *items: dict) -> None:
        found[theme].extend(items)

    about_victim = [c for c in f.contacts if "victim" in c["roles"]]
    about_perpetrator = [c for c in f.contacts if "perpetrator" in c["roles"]]
    for c in f.contacts:
        for factor in c["risk_factors"]:
            mark(f"risk_factor:{factor}", _cite(c))
        if c["dash_score"] is not None and c["dash_score"] >= dash_high:
            mark("dash:high", _cite(c))
        if c["agency_type"] == "police" and ({"victim", "perpetrator"} & set(c["roles"])):
            mark("contact:police_before_death", _cite(c))
    for c in about_victim:
        mark(f"agency_contact:{c['agency_type']}", _cite(c))
        if "pregnancy" in c["risk_factors"]:
            mark("victim:pregnancy", _cite(c))
        if "separation" in c["risk_factors"]:
            mark("victim:separation", _cite(c))
    # risk held, and whether the agency passed anything on from its first risk signal
    signals: dict[str, list[dict]] = defaultdict(list)
    last_sent: dict[str, str] = {}
    for c in f.contacts:
        if c["sent"]:
            last_sent[c["agency"]] = max(last_sent.get(c["agency"], ""), c["order_key"])
        if c["agency_type"] not in FORUM_TYPES and is_risk_signal(c, dash_high):
            mark(f"agency_risk:{c['agency_type']}", _cite(c))
            signals[c["agency"]].append(c)
    by_type: dict[str, list[dict]] = defaultdict(list)
    for agency, held in signals.items():
        if last_sent.get(agency, "") < held[0]["order_key"]:
            by_type[held[0]["agency_type"]] += [_cite(c) for c in held]
    for agency_type, items in by_type.items():
        mark(f"agency_silent:{agency_type}", *items)
    for c in about_perpetrator:
        if c["event"] in CRIMINAL_EVENTS or set(CRIMINAL_FACTORS) & set(c["risk_factors"]):
            mark("perpetrator:criminal_history", _cite(c))
        if "mental_health" in c["risk_factors"] or c["agency_type"] == "mental_health":
            mark("perpetrator:mental_health", _cite(c))
        if set(SUBSTANCE_FACTORS) & set(c["risk_factors"]) or c["agency_type"] == "substance_misuse":
            mark("perpetrator:substance_misuse", _cite(c))
    roles = {p["id"]: p["role"] for p in f.people}
    for x in f.relationships:
        if x["kind"] == "ex_partner" and {roles.get(x["start"]), roles.get(x["end"])} == {"victim", "perpetrator"}:
            mark("victim:separation", _cite_person(f.review, x))
    children = [p for p in f.people if p["role"] == "child"]
    if children:
        mark("victim:children_in_household", *(_cite_person(f.review, p) for p in children))
    for c in f.contacts:
        if "child_in_household" in c["risk_factors"]:
            mark("victim:children_in_household", _cite(c))
    end = f.index_date or f.date
    if end:
        since = (dt.date.fromisoformat(end) - dt.timedelta(days=GP_WINDOW_DAYS)).isoformat()
        for c in about_victim:
            if c["agency_type"] == "gp" and c["day"] >= since:
                mark("contact:gp_within_12_months", _cite(c))
    agencies = {c["agency"] for c in about_victim + about_perpetrator if c["agency_type"] not in FORUM_TYPES}
    for n in AGENCY_COUNTS:
        if len(agencies) >= n:
            mark(f"contact:agencies_at_least_{n}", *(_cite(c) for c in about_victim + about_perpetrator
                                                     if c["agency_type"] not in FORUM_TYPES))
    perpetrators = {p["global_id"] or p["name"] for p in f.people if p["role"] == "perpetrator"}
    for row in serial.get(f.review, []):
        if row["perpetrator"] in perpetrators:
            mark("perpetrator:earlier_victims", *row["evidence"])
    return found


# --- the table ----------------------------------------------------------------------------------------

@dataclass
class ThemeTable:
    reviews: list[str]          # the reviews considered (the table's columns), in name order
    rows: list[dict]            # one per theme (see ``theme_table``)
    dates: dict[str, str | None] = field(default_factory=dict)  # review -> its date (index date or last contact)

    def matrix(self, limit: int = 12) -> list[dict]:
        """Rows for a text table in the form of seed 003's: a theme per row, a column per review with
        a mark where it occurred, then the count and the share (only ``theme``, count and share when
        there are more than ``limit`` reviews)."""
        total = len(self.reviews)
        out = []
        for row in self.rows:
            line = {"theme": row["theme"]}
            if total <= limit:
                line.update({r: "v" if r in row["evidence"] else "" for r in self.reviews})
            line.update({"reviews": f"{row['reviews']}/{total}", "share": f"{round(100 * row['share'])}%"})
            if total > limit:
                line["label"] = row["label"]
            out.append(line)
        return out


def run_themes(store: Any, reviews: Iterable[str] = (), area: str | None = None, date_from: str | None = None,
               date_to: str | None = None, types: Iterable[str] = (), groups: Iterable[str] = (),
               every: bool = False, signals: str = "all") -> ThemeTable:
    """The theme table of ``store`` over the reviews the filters keep (see ``theme_table``). ``signals``:
    ``all`` reads risk from the columns and the text, ``coded`` from the columns only (as the catalogue)."""
    signals = SIGNALS.parse(signals)
    with gc_paused():  # every object built here stays alive until the table is made (see Store.run)
        return _run_themes(store, reviews, area, date_from, date_to, types, groups, every, signals)


def _run_themes(store: Any, reviews: Iterable[str], area: str | None, date_from: str | None, date_to: str | None,
                types: Iterable[str], groups: Iterable[str], every: bool, signals: str) -> ThemeTable:
    facts = review_facts(store.run(THEME_REVIEWS), store.run(THEME_CONTACTS, {"signals": signals}))
    findings = {q.name: [r for r in rows if r["status"] != DISMISSED] for q, rows in run_catalogue(store, signals=signals)}
    considered = select_reviews(facts, reviews, area, date_from, date_to, types)
    rows = build_table(facts, findings, considered, groups=groups, every=every)
    return ThemeTable(considered, rows, {r: facts[r].date for r in considered})


def theme_table(store: Any, **filters: Any) -> list[dict]:
    """The theme-by-review table: one row per theme (``theme``, ``label``, ``group``, ``reviews``,
    ``share`` of the reviews considered, ``review_ids``, ``evidence``: review -> the rows it rests on),
    over the reviews the filters keep (``reviews``, ``area``, ``date_from``, ``date_to``, ``types``);
    ``groups`` keeps only themes of those groups. Themes that occur in none of the reviews are left
    out unless ``every``."""
    return run_themes(store, **filters).rows


def select_reviews(facts: dict[str, ReviewFacts], reviews: Iterable[str] = (), area: str | None = None,
                   date_from: str | None = None, date_to: str | None = None, types: Iterable[str] = ()) -> list[str]:
    """The reviews the filters keep, in name order."""
    wanted, kinds = set(reviews), set(types)
    unknown = sorted(wanted - set(facts))
    if unknown:
        from dhrgraph.graph.errors import UnknownName

        raise UnknownName(f"No review {', '.join(map(repr, unknown))}. Reviews: {', '.join(sorted(facts)) or 'none loaded'}")
    keep = []
    for name, f in sorted(facts.items()):
        if wanted and name not in wanted:
            continue
        if area is not None and (f.area or "").lower() != area.lower():
            continue
        if date_from and (f.date is None or f.date < date_from):
            continue
        if date_to and (f.date is None or f.date > date_to):
            continue
        if kinds and f.type not in kinds:
            continue
        keep.append(name)
    return keep


def build_table(facts: dict[str, ReviewFacts], findings: dict[str, list[dict]], considered: list[str], *,
                groups: Iterable[str] = (), every: bool = False) -> list[dict]:
    """The table over the ``considered`` reviews from their facts and the catalogue's findings (the
    shared step of ``theme_table``, the same for both backends)."""
    occurred: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for name, rows in findings.items():
        for row in rows:
            for review in {row["review"], *row.get("reviews", [])}:
                if review in facts:
                    occurred[f"query:{name}"][review].extend(e for e in row["evidence"] if e.get("review") == review)
    serial: dict[str, list[dict]] = defaultdict(list)
    for row in findings.get("serial-perpetrators", []):
        if row.get("linked_by") == "probable":  # a proposal of record linkage, not yet a fact (dhrgraph same)
            continue
        for review in row.get("reviews", [row["review"]]):
            serial[review].append(row)
    for name in considered:
        for theme, items in _review_themes(facts[name], serial, DASH_HIGH.default).items():
            occurred[theme][name].extend(items)
    chosen = set(groups)
    out = []
    for theme in theme_catalogue():
        if chosen and theme.group not in chosen:
            continue
        where = [r for r in considered if r in occurred.get(theme.id, {})]
        if not where and not every:
            continue
        evidence = {r: _unique(occurred[theme.id][r]) for r in where}
        out.append({"theme": theme.id, "label": theme.label, "group": theme.group, "reviews": len(where),
                    "share": round(len(where) / len(considered), 4) if considered else 0.0,
                    "review_ids": where, "evidence": evidence})
    return out


def _unique(items: list[dict]) -> list[dict]:
    seen = {(e["review"], e["file"], e["line"]): e for e in items if e.get("line") is not None}
    return [seen[k] for k in sorted(seen, key=lambda k: (k[0], k[1], k[2]))]
