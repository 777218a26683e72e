"""Risk only visible when joined up: the high-risk picture that no single agency held.

* ``joined-up-risk``: for each person at risk, the first date at which what all agencies together
  had recorded in the last ``window_days`` (about the person and about their recorded abuser) adds
  up to visible high risk on the DASH checklist, while no agency's own records did, and no MARAC
  referral or hearing about the person came near it.

The checklist, how each risk factor reads onto it, and the red-flag combinations are domain facts in
``loaders/dash.py``; both implementations read them as parameters. A *picture* of a list of
contacts is:

* ``questions``: the DASH questions its factors answer (``FACTOR_QUESTIONS``, the person-at-risk
  reading when the contact is about that person, else the abuser reading), plus question 10 (abuse
  happening more often) when it holds ``REPEAT_INCIDENTS`` incidents about the person;
* ``score``: the number of those questions, or the highest DASH score recorded about the person,
  whichever is more (a recorded DASH counts as at least its own total: its answers are not known
  one by one, so they cannot be added to the factors);
* ``flags``: the red-flag combinations (``RED_FLAGS``) all of whose questions it holds.

A picture is high when its score reaches ``dash_high`` or it holds a red flag; an agency's own
picture (its contacts only) is high also when it graded the person's risk high itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

if TYPE_CHECKING:
    import networkx as nx

from dhrgraph.loaders.dash import DASH_QUESTIONS, FACTOR_QUESTIONS, RED_FLAGS, REPEAT_INCIDENTS, REPEAT_QUESTION, dash_reference
from dhrgraph.queries.base import Param, Query, register
from dhrgraph.queries.common import (
    adult_cypher, before_death_cypher, CONSTANTS, MARAC_MIN_AGE, COMMON_PARAMS, dash_cypher, DASH_HIGH, evidence_cypher, factors_cypher,
    FORUM_TYPES, level_cypher, marac_days_cypher, MARAC_DAYS_CYPHER, before_death, contacts_about, dash_score, evidence, factors, finish_rows,
    PERSON_IDS, is_adult, marac_days, marac_near, memberships, recorder, risk_level, shift, derived, signal_setting,
)
from dhrgraph.queries.core import by_label
from dhrgraph.queries.signals import text_marks

__all__ = ["JOINED_UP_RISK", "UNRECOGNISED_HIGH_RISK", "picture", "first_reportable", "first_held"]

JOINED_CONSTANTS = {
    **CONSTANTS,
    "readings": {f: list(readings) for f, readings in FACTOR_QUESTIONS.items()},
    "red_flags": [dict(flag) for flag in RED_FLAGS],
    "repeat_incidents": REPEAT_INCIDENTS, "repeat_question": REPEAT_QUESTION,
}


# --- the picture of a list of contacts, in both languages ----------------------------------------

def _questions_cypher(items: str) -> str:
    """Cypher: the distinct questions answered by the item list ``items`` (question 10 first when repeated)."""
    return (f"reduce(acc = CASE WHEN size([i IN {items} WHERE i.incident]) >= $repeat_incidents "
            f"THEN [$repeat_question] ELSE [] END, i IN {items} | "
            f"reduce(qs = acc, q IN i.questions | CASE WHEN q IN qs THEN qs ELSE qs + q END))")


def _dash_cypher(items: str) -> str:
    return f"reduce(m = -1, i IN {items} | CASE WHEN i.dash > m THEN i.dash ELSE m END)"


def picture_cypher(items: str, extra: str = "") -> str:
    """Cypher map: the picture of ``items`` without its score ({questions, incidents, dash, high}), plus ``extra``
    entries."""
    return (f"{{questions: {_questions_cypher(items)}, incidents: size([i IN {items} WHERE i.incident]), "
            f"dash: {_dash_cypher(items)}, high: any(i IN {items} WHERE i.high){extra}}}")


def scored_cypher(pic: str) -> str:
    """Cypher map: picture ``pic`` with its ``score`` and ``flags``."""
    return (f"{pic} {{.*, score: CASE WHEN {pic}.dash > size({pic}.questions) THEN {pic}.dash ELSE size({pic}.questions) END, "
            f"flags: [f IN $red_flags WHERE all(q IN f.questions WHERE q IN {pic}.questions) "
            f"AND (NOT f.incident OR {pic}.incidents > 0) | f.name]}}")


class Window:
    """The picture of a window of items, kept up to date as items enter (``add``) and leave (``drop``)."""

    def __init__(self, items: Iterable[dict] = ()) -> None:
        self.questions: Counter[int] = Counter()
        self.dash: Counter[int] = Counter()
        self.incidents = self.high = self.about = 0
        for i in items:
            self.add(i)

    def add(self, i: dict, sign: int = 1) -> None:
        questions = self.questions
        for q in set(i["questions"]):
            questions[q] += sign
        if i["dash"] is not None:
            self.dash[i["dash"]] += sign
        self.incidents += sign * i["incident"]
        self.high += sign * i["high"]
        self.about += sign * i["about"]

    def drop(self, i: dict) -> None:
        self.add(i, -1)

    def high_unseen(self, dash_high: int) -> bool:
        """Whether the picture is high (score at ``dash_high`` or a red flag) though it holds no DASH of ``dash_high``
        and no high grading, and holds something about the person: ``picture`` read only as far as needed (most
        windows of a chronology are not)."""
        if self.high or not self.about or self._dash() >= dash_high:
            return False
        questions = self._questions()
        return len(questions) >= dash_high or any(self._raises(f, questions) for f in RED_FLAGS)

    def picture(self) -> dict:
        """{questions, incidents, dash, high, score, flags} (see the module docstring)."""
        questions, dash = self._questions(), self._dash()
        return {"questions": questions, "incidents": self.incidents, "dash": dash, "high": self.high > 0,
                "score": max(dash, len(questions)),
                "flags": [f["name"] for f in RED_FLAGS if self._raises(f, questions)]}

    def _questions(self) -> set[int]:
        """The distinct questions the window answers (the repeat question when it holds enough incidents)."""
        questions = {q for q, n in self.questions.items() if n > 0}
        if self.incidents >= REPEAT_INCIDENTS:
            questions.add(REPEAT_QUESTION)
        return questions

    def _dash(self) -> int:
        """The highest DASH score in the window, or -1."""
        return max((d for d, n in self.dash.items() if n > 0), default=-1)

    def _raises(self, flag: dict, questions: set[int]) -> bool:
        """Whether red flag ``flag`` is raised by ``questions`` (and an incident, when the flag needs one)."""
        return questions.issuperset(flag["questions"]) and (not flag["incident"] or self.incidents > 0)


def own_high(pic: dict, dash_high: int) -> bool:
    """Whether an agency's own picture is high when no DASH of ``dash_high`` or high grading is in the
    window (those make the joined picture's agency high already, and are ruled out first)."""
    return len(pic["questions"]) >= dash_high or bool(pic["flags"])


def picture(items: Iterable[dict]) -> dict:
    """The picture of a list of items (see the module docstring)."""
    return Window(items).picture()


def agency_pictures(items: list[dict]) -> list[dict]:
    """The picture of each agency's own items, with its ``agency`` and ``agency_type``."""
    held: dict[str, list[dict]] = {}
    for i in items:
        held.setdefault(i["agency"], []).append(i)
    return [{**picture(h), "agency": name, "agency_type": h[0]["agency_type"]} for name, h in held.items()]


# --- joined-up-risk ----------------------------------------------------------------------------

def reading_cypher(f: str) -> str:
    """Cypher: the question factor ``f`` answers, with ``about`` and ``both`` in scope (see ``reading``)."""
    return (f"(CASE WHEN both THEN coalesce($readings[{f}][0], $readings[{f}][1]) "
            f"WHEN about THEN $readings[{f}][0] ELSE $readings[{f}][1] END)")


def reading(readings: tuple[int | None, int | None], about: bool, both: bool) -> int | None:
    """The question a factor answers: the person-at-risk reading on a contact about them, the abuser reading on
    one only about the abuser; on a contact about both, the person-at-risk reading, else the abuser's."""
    victim, abuser = readings
    if both:
        return victim if victim is not None else abuser
    return victim if about else abuser


def _candidates_cypher(contact: str, cite: str, marac: bool = True) -> str:
    """Cypher: each candidate (a person at risk whose whole chronology in the review is high) with their items, and
    their MARAC days unless ``marac`` is False (then read for everyone at once: ``MARAC_DAYS_CYPHER``); ``contact`` is
    what each collected item keeps of its contact ``c`` and agency ``a``, ``cite`` what each returned item carries to
    cite it (from the item ``i``)."""
    return f"""
MATCH (ab:Person)-[rel:RELATED]->(s:Person)
WHERE rel.abusive AND ($review IS NULL OR rel.review = $review)  // one review: only its people, from the start
WITH s, rel.review AS review, collect(DISTINCT ab) AS abusers
WHERE NOT EXISTS {{ MATCH (s)-[r:RELATED]->() WHERE r.abusive AND r.review = review }}
  AND EXISTS {{ MATCH (s)-[n:IN_REVIEW]->(:Review {{name: review}}) WHERE {adult_cypher("n")} }}  // MARAC is for adults
CALL (s, review, abusers) {{
  UNWIND [s] + abusers AS x
  MATCH (x)<-[:ABOUT]-(c:Contact)
  WHERE c.review = review AND {before_death_cypher("c")}
    AND (size(coalesce(c.risk_factors, [])) > 0 OR c.text_signals IS NOT NULL OR c.event = 'incident'
         OR c.dash_score IS NOT NULL OR c.risk_level IS NOT NULL)
  WITH c, collect(x) AS who
  MATCH (a:Agency)-[:RECORDED]->(c)
  WITH c, a, s IN who AS about, s IN who AND size(who) > 1 AS both
  RETURN collect({{key: c.order_key, date: c.date, agency: a.name, agency_type: a.type, forum: a.type IN $forum_types,
      about: about,
      questions: [f IN {factors_cypher("c")} WHERE {reading_cypher("f")} IS NOT NULL | {reading_cypher("f")}],
      incident: about AND c.event = 'incident', dash: CASE WHEN about THEN {dash_cypher("c")} END,
      high: about AND coalesce({level_cypher("c")} = 'high', false), {contact}}}) AS contacts
}}
WITH s, review, [i IN contacts WHERE NOT i.forum
     AND (size(i.questions) > 0 OR i.incident OR i.dash IS NOT NULL OR i.high)] AS items
// no window can hold more than the whole chronology: skip people whose whole picture is not high
WITH s, review, items, {picture_cypher("items")} AS whole
WITH s, review, items, {scored_cypher("whole")} AS whole
WHERE size(whole.questions) >= $dash_high OR size(whole.flags) > 0
// the windows are slid in the shared step (``first_reportable``), over the person's items in date order
MATCH (s)-[n:IN_REVIEW]->(:Review {{name: review}})
RETURN review, n.name AS subject, {marac_days_cypher("s", "review") if marac else "[]"} AS marac,
       [i IN items | i {{.key, .date, .agency, .agency_type, .questions, .about, .incident, .dash, .high, {cite}}}] AS items,
       [s.id] AS {PERSON_IDS}
"""


# Any Cypher store: one statement, every item with its evidence.
JOINED_UP_RISK_CYPHER = _candidates_cypher("c: c, a: a", f"evidence: {evidence_cypher('i.c', 'i.a')}")
# Neo4j: the items carry their contact's id, and only the contacts of the reported windows are read again for their
# evidence (``EVIDENCE_OF_CYPHER``): most items are never cited (measured at 100k contacts: 20,642 items, 4,041 cited).
# The MARAC days are read once for everyone (``MARAC_DAYS_CYPHER``), not per candidate.
CANDIDATES_CYPHER = _candidates_cypher("id: c.id", "id: i.id", marac=False)
# each cited contact's evidence, and what its text says (``signals.text_marks``: the evidence is marked here, which
# spares ``mark_evidence`` reading these contacts again); one record: cheaper to decode than one a contact
EVIDENCE_OF_CYPHER = f"""
UNWIND $ids AS id
MATCH (a:Agency)-[:RECORDED]->(c:Contact {{id: id}})
RETURN collect([id, {evidence_cypher("c", "a")}, c {{.id, .text_signals, .text_phrases, .text_coded}}]) AS cited
"""


def joined_up_risk_neo4j(store, p: dict) -> list[dict]:
    """What ``first_reportable`` finds in the candidates of ``CANDIDATES_CYPHER`` (see ``found_in_candidates``)."""
    return found_in_candidates(store, p, lambda c: [r] if (r := first_reportable(c, p)) is not None else [])


def found_in_candidates(store, p: dict, find: Callable[[dict], list[dict]]) -> list[dict]:
    """What ``find`` finds in the candidates of ``CANDIDATES_CYPHER`` (each a dict with its ``window`` of items), each
    window's items with their evidence, read for those contacts only (``EVIDENCE_OF_CYPHER``); ``finish`` takes these
    as found. The candidates are streamed: each one's windows are found while the server computes the next."""
    marac: dict[tuple[str, str], list[str]] = defaultdict(list)
    for person, review, day in store.read(MARAC_DAYS_CYPHER, p, plain=True)[0]["days"]:
        marac[person, review].append(day)
    reported = [r for c in store.stream(CANDIDATES_CYPHER, p)
                for r in find({**c, "marac": marac.get((c[PERSON_IDS][0], c["review"]), [])})]
    ids = sorted({i["id"] for r in reported for i in r["window"]})
    skip = frozenset(p["rejected_signals"]) if p["signals"] == "all" else None
    cited = {cid: {**ev, **text_marks(text, skip)}
             for cid, ev, text in store.read(EVIDENCE_OF_CYPHER, {"ids": ids}, plain=True)[0]["cited"]}
    return [{**r, "window": [{**i, "evidence": cited[i["id"]]} for i in r["window"]]} for r in reported]


def _item(c: dict, agency: dict, about: bool, both: bool, p: dict) -> dict | None:
    """What a contact adds to a picture, or None when it adds nothing (the evidence is made when cited)."""
    found = factors(c, p)
    incident, dash = about and c["event"] == "incident", dash_score(c, p) if about else None
    high = about and risk_level(c, p) == "high"
    if not (found or incident or dash is not None or high):
        return None  # most contacts: decided before reading any factor
    questions = [q for f in found if (q := reading(FACTOR_QUESTIONS.get(f, (None, None)), about, both)) is not None]
    if not (questions or incident or dash is not None or high):
        return None
    return {"key": c["order_key"], "date": c["date"], "agency": agency["name"], "agency_type": agency["type"],
            "questions": questions, "about": about, "incident": incident, "dash": dash, "high": high,
            "evidence": (c, agency)}


def joined_up_risk_networkx(G: nx.MultiDiGraph, p: dict) -> list[dict]:
    """The candidates (people at risk whose whole chronology in a review is high) with their items and MARAC days:
    made once per opened graph for what decides them (which signals count, the rejected ones, dash_high), so that
    joined-up-risk and unrecognised-high-risk, run on one graph (a report), share them. Shared: read only."""
    return derived(G, ("joined-candidates", signal_setting(p), p["dash_high"]), lambda G: _candidates(G, p))


def _candidates(G: nx.MultiDiGraph, p: dict) -> list[dict]:
    node, names, marac = G._node, memberships(G), marac_days(G, p)
    abusers_of: dict[tuple[str, str], list[str]] = defaultdict(list)  # (person at risk, review) -> abusers
    for ab in by_label(G, "Person"):
        for s, keyed in G._succ[ab].items():
            for d in keyed.values():
                if d["type"] == "RELATED" and d.get("abusive") and ab not in abusers_of[s, d["review"]]:
                    abusers_of[s, d["review"]].append(ab)
    abusive = {(ab, review) for (_, review), ab_list in abusers_of.items() for ab in ab_list}
    by_review: dict[str, dict[str, list[str]]] = {}  # person -> review -> ids of the contacts about them there

    def about_in(x: str, review: str) -> list[str]:
        """``contacts_about(G, x)`` in ``review`` (same order): each person's contacts are walked once, not once per
        abusive relationship in each of their reviews."""
        groups = by_review.get(x)
        if groups is None:
            groups = by_review[x] = {}
            for cid in contacts_about(G, x):
                groups.setdefault(node[cid]["review"], []).append(cid)
        return groups.get(review, [])
    rows = []
    for (s, review), abusers in abusers_of.items():
        if (s, review) in abusive or not is_adult(names[s, review]):
            continue  # abusive towards someone in this review, or a child: not a person at risk for a MARAC here
        seen: dict[str, list] = {}  # contact id -> [contact, agency, about the person, about an abuser]
        for x in (s, *abusers):
            for cid in about_in(x, review):
                c = node[cid]
                if not before_death(c) or not (
                        c.get("risk_factors") or c.get("text_signals") or c["event"] == "incident"
                        or c.get("dash_score") is not None or c.get("risk_level") is not None):
                    continue  # adds nothing to a picture: most contacts
                entry = seen.setdefault(cid, [c, node[recorder(G, cid)], False, False])
                entry[2 if x == s else 3] = True
        items = [i for c, a, about, abused in seen.values()
                 if a["type"] not in FORUM_TYPES and (i := _item(c, a, about, about and abused, p)) is not None]
        whole = picture(items)  # no window can hold more than the whole chronology
        if not (len(whole["questions"]) >= p["dash_high"] or whole["flags"]):
            continue
        rows.append({"review": review, "subject": names[s, review]["name"],
                     "marac": [d for r, d in marac.get(s, ()) if r == review],
                     "items": [{**i, "evidence": evidence(*i["evidence"])} for i in items], PERSON_IDS: [s]})
    return rows


def _list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def slide(items: list[dict], window_days: int, windows_of: Callable[[dict], Iterable[Window]]) -> Iterator[tuple[str, int, int]]:
    """Slide a window along ``items`` (in date order) once: at each of their dates, every item up to it has entered
    the ``Window``s ``windows_of`` gives it and those dated more than ``window_days`` before it have left them; yields
    (date, lo, hi), ``items[lo:hi]`` being the window's items."""
    lo = hi = 0
    for day in sorted({i["date"] for i in items}):
        since = shift(day, -window_days)
        while hi < len(items) and items[hi]["date"] <= day:
            for w in windows_of(items[hi]):
                w.add(items[hi])
            hi += 1
        while items[lo]["date"] < since:
            for w in windows_of(items[lo]):
                w.drop(items[lo])
            lo += 1
        yield day, lo, hi


def first_reportable(candidate: dict, p: dict) -> dict | None:
    """The first date at which a person's joined-up picture is reportable, from their ``items`` (what each contact
    in the review adds, with its evidence) and their ``marac`` days (referrals and hearings in the review), or None.
    Both implementations hand their candidates (people whose whole chronology is high) to this one step, which
    slides the window along the chronology once: items enter on their date and leave ``window_days`` later."""
    items = sorted(candidate["items"], key=lambda i: (i["date"], i["key"]))  # the same order from either backend
    marac = [(candidate["review"], d) for d in candidate["marac"]]
    # only agencies whose own whole chronology is high can be high alone in a window
    held = {a["agency"]: Window() for a in agency_pictures(items) if own_high(a, p["dash_high"])}
    window = Window()  # the joined-up window and the suspect agencies' own, slid together
    for day, lo, hi in slide(items, p["window_days"],
                             lambda i: (window, held[i["agency"]]) if i["agency"] in held else (window,)):
        # a DASH of dash_high or a high grading in the window is an agency already high alone
        if not window.high_unseen(p["dash_high"]):
            continue
        joined = window.picture()
        if marac_near(marac, candidate["review"], day, p["within_days"]) \
                or any(own_high(w.picture(), p["dash_high"]) for w in held.values()):
            continue
        found = items[lo:hi]
        return {"review": candidate["review"], "subject": candidate["subject"], "date": day, "score": joined["score"],
                "questions": sorted(joined["questions"]), "red_flags": joined["flags"],
                "agencies": [{"agency": a["agency"], "agency_type": a["agency_type"], "score": a["score"]}
                             for a in agency_pictures(found)],
                "window": found, PERSON_IDS: candidate[PERSON_IDS]}
    return None


def finish_joined_up_risk(rows: list[dict], p: dict) -> list[dict]:
    """The rows of the candidates' reportable pictures. ``rows`` are candidates (``first_reportable`` finds their
    window), or what ``first_reportable`` found in them already (a ``window``: Neo4j's implementation finds it
    before it reads the evidence of the window's contacts)."""
    out = []
    for r in filter(None, (row if "window" in row else first_reportable(row, p) for row in rows)):
        window = sorted(r["window"], key=lambda i: i["key"])
        holders: dict[int, set[str]] = defaultdict(set)
        for i in window:
            for q in i["questions"]:
                holders[q].add(i["agency"])
        scores = {a["agency"]: a for a in r["agencies"]}
        pieces: dict[str, dict] = {}
        for i in window:  # agencies in the order they first recorded something in the window
            piece = pieces.setdefault(i["agency"], {"agency": i["agency"], "agency_type": i["agency_type"],
                                                    "score": scores[i["agency"]]["score"], "alone": [], "shared": []})
            for q in sorted(set(i["questions"])):
                if q in {a["question"] for a in piece["alone"]} or q in piece["shared"]:
                    continue
                if holders[q] == {i["agency"]}:
                    piece["alone"].append({"question": q, "text": DASH_QUESTIONS[q - 1], "date": i["date"]})
                else:
                    piece["shared"].append(q)
        for piece in pieces.values():
            piece["alone"].sort(key=lambda a: a["question"])
            piece["shared"].sort()
        best = min(r["agencies"], key=lambda a: (-a["score"], a["agency"]))
        agencies = list(pieces)
        flags = list(r["red_flags"])
        together = f"together their records reached a DASH-equivalent score of {r['score']}" + \
                   (f" and held {_list(flags)}" if flags else "")
        out.append({
            "review": r["review"], "subject": r["subject"], "date": r["date"], "score": r["score"],
            "best_single": {"agency": best["agency"], "score": best["score"]},
            "questions": sorted(set(r["questions"])), "red_flags": flags, "pieces": list(pieces.values()),
            "finding": f"In the {p['window_days']} days up to {r['date']}, {_list(agencies)} each recorded part of the "
                       f"risk to {r['subject']} and no one agency's records reached high risk (the most any one held: "
                       f"{best['agency']}, DASH-equivalent {best['score']}); {together}; no agency referred {r['subject']} to a MARAC "
                       f"and no MARAC heard the case within {p['within_days']} days.",
            "evidence": [i["evidence"] for i in window], PERSON_IDS: r[PERSON_IDS],
        })
    return finish_rows(out, p, ("review", "date", "subject"))


# the parameters of a picture in a window, and of a MARAC near it (joined-up-risk, unrecognised-high-risk)
PICTURE_PARAMS = (*COMMON_PARAMS, Param("window_days", 365, "days up to each date whose records make up the picture", int),
                  DASH_HIGH, Param("within_days", 28, "days before or after in which a MARAC referral or hearing counts", int))


JOINED_UP_RISK = register(Query(
    name="joined-up-risk",
    title="High risk visible only when the agencies' records are put together",
    description=f"For each person at risk (the person an abusive relationship in the review is towards, unless they "
                f"are recorded as abusive there too; MARAC is for adults, so not a person under {MARAC_MIN_AGE} in the "
                f"review, or with role child and no age), at each date of a contact that counts: the picture is everything "
                f"the agencies (not forums) recorded in the review in the window_days days up to that date, about the "
                f"person and about their recorded abuser. Risk factors, DASH scores and risk levels are the coded columns plus "
                f"what the contact's text says (signals=coded: the columns only; a rejected text signal never counts). "
                f"Risk factors are read as answers to the SafeLives Dash risk "
                f"checklist's 24 questions (the mapping is in reference.factor_questions; a factor about the person "
                f"reads one way, about the abuser another: the abuser's mental health, drug and alcohol use, suicide "
                f"threats and criminal history have their own questions); {REPEAT_INCIDENTS} or more incidents about "
                f"the person answer question {REPEAT_QUESTION} (abuse happening more often). The score is the number "
                f"of questions answered, one per question however many agencies knew it, or the highest DASH score "
                f"recorded about the person in the window if that is more (its answers are not known one by one). A "
                f"picture is high when the score reaches dash_high or it holds a red-flag combination "
                f"(reference.red_flags). Reported: the first date the joined-up picture was high while no agency's own "
                f"picture in that window was (nor had it graded the risk high), and no contact about the person "
                f"referred them to a MARAC or was a MARAC's (in the review) within within_days days before or after. "
                f"Nothing on or after the death that ends the chronology counts. One row per person and review; pieces lists for each agency the questions it "
                f"alone held and when. It cannot know what agencies knew and did not record, or DASH answers not "
                f"recorded as factors (a recorded score without its answers counts only as a floor); a factor on a "
                f"contact about both people is read as about the person at risk.",
    cypher=JOINED_UP_RISK_CYPHER, networkx=joined_up_risk_networkx, finish=finish_joined_up_risk,
    implementations={"neo4j": joined_up_risk_neo4j},
    constants=JOINED_CONSTANTS, reference=dash_reference(),
    params=PICTURE_PARAMS,
))


# --- unrecognised-high-risk ----------------------------------------------------------------------
# The other side of joined-up-risk: one agency's own records added up to high risk on the checklist (a red-flag
# combination, or dash_high questions), while it recorded no DASH of dash_high and no high grading in that window
# (missed-marac's visible high risk) and no MARAC referral or hearing came near. The same candidates and items.

def first_held(candidate: dict, p: dict) -> list[dict]:
    """For each agency of a candidate (see ``first_reportable``), the first date at which its own records in the last
    ``window_days`` add up to high risk that it did not record as high (``Window.high_unseen``) and no MARAC referral
    or hearing about the person came within ``within_days``: one found window per agency, in the order the agencies
    first recorded something."""
    items = sorted(candidate["items"], key=lambda i: (i["date"], i["key"]))  # the same order from either backend
    marac = [(candidate["review"], d) for d in candidate["marac"]]
    held: dict[str, list[dict]] = {}
    for i in items:
        held.setdefault(i["agency"], []).append(i)
    found = []
    for agency, own in held.items():
        if not own_high(picture(own), p["dash_high"]):
            continue  # no window of its records can be high: most agencies
        window = Window()
        for day, lo, hi in slide(own, p["window_days"], lambda i, w=window: (w,)):
            if not window.high_unseen(p["dash_high"]) or marac_near(marac, candidate["review"], day, p["within_days"]):
                continue
            pic = window.picture()
            found.append({"review": candidate["review"], "subject": candidate["subject"], "agency": agency,
                          "agency_type": own[0]["agency_type"], "date": day, "score": len(pic["questions"]),
                          "questions": sorted(pic["questions"]), "red_flags": pic["flags"],
                          "dash": pic["dash"] if pic["dash"] >= 0 else None, "window": own[lo:hi],
                          PERSON_IDS: candidate[PERSON_IDS]})
            break
    return found


def finish_unrecognised(rows: list[dict], p: dict) -> list[dict]:
    """The rows of what ``first_held`` finds in the candidates (or found already: Neo4j's implementation)."""
    out = []
    for r in (f for row in rows for f in ([row] if "window" in row else first_held(row, p))):
        window = sorted(r["window"], key=lambda i: i["key"])
        flags = r["red_flags"]
        held = (f"the red-flag combination{'s' if len(flags) > 1 else ''} {_list(flags)} and " if flags else "") + \
               f"answers to {r['score']} of its {len(DASH_QUESTIONS)} questions ({', '.join(map(str, r['questions']))})"
        assessed = (f"the highest DASH score it recorded was {r['dash']}" if r["dash"] is not None
                    else "it recorded no DASH risk assessment")
        out.append({
            "review": r["review"], "subject": r["subject"], "agency": r["agency"], "agency_type": r["agency_type"],
            "date": r["date"], "score": r["score"], "questions": r["questions"], "red_flags": flags, "dash": r["dash"],
            "finding": f"In the {p['window_days']} days up to {r['date']}, {r['agency']}'s own records about "
                       f"{r['subject']} held, on the SafeLives Dash risk checklist, {held}; {assessed}, it did not grade the "
                       f"risk high, and no agency referred {r['subject']} to a MARAC and no MARAC heard the case within "
                       f"{p['within_days']} days.",
            "evidence": [i["evidence"] for i in window], PERSON_IDS: r[PERSON_IDS],
        })
    return finish_rows(out, p, ("review", "date", "subject", "agency"))


def unrecognised_neo4j(store, p: dict) -> list[dict]:
    """What ``first_held`` finds in the candidates of ``CANDIDATES_CYPHER`` (see ``found_in_candidates``)."""
    return found_in_candidates(store, p, lambda c: first_held(c, p))


UNRECOGNISED_HIGH_RISK = register(Query(
    name="unrecognised-high-risk",
    title="High risk one agency's own records showed, not assessed as high and not taken to MARAC",
    description=f"For each person at risk, as in joined-up-risk (an adult an abusive relationship in the review is "
                f"towards), and each agency (not a forum): the first date at which what that agency alone recorded in the "
                f"review in the window_days days up to it, about the person and about their recorded abuser, adds up "
                f"to high risk on the SafeLives Dash risk checklist (read as in joined-up-risk: dash_high or more "
                f"questions answered, or a red-flag combination, reference.red_flags), while in those days the agency "
                f"recorded no DASH score of dash_high or more and did not grade the risk high (that is visible high "
                f"risk: missed-marac's finding), and no contact about the person referred them to a MARAC or was a "
                f"MARAC's within within_days days before or after. Risk factors, DASH scores and risk levels are the "
                f"coded columns plus what the contact's text says (signals=coded: the columns only; a rejected text "
                f"signal never counts). Nothing on or after the death that ends the chronology counts. One row per "
                f"person, review and agency. joined-up-risk is the other side: a picture no single agency held. It "
                f"cannot know what the agency knew and did not record, or an assessment it did not record.",
    cypher=JOINED_UP_RISK_CYPHER, networkx=joined_up_risk_networkx, finish=finish_unrecognised,
    implementations={"neo4j": unrecognised_neo4j},
    constants=JOINED_CONSTANTS, reference=dash_reference(),
    params=PICTURE_PARAMS,
))
