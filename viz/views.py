"""The link-chart views: a review, a person's neighbourhood, a query's findings, the agencies'
information flows; and the query views written next to a findings report.

Each view reads the whole graph once (``Overview.of_store``), selects what it shows, draws it on a
:class:`Chart` and returns a :class:`View` (title and self-contained HTML).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import quote

from dhrgraph import queries
from dhrgraph.graph.errors import UnknownName
from dhrgraph.graph.parallel import halves
from dhrgraph.graph.store import Store, gc_paused
from dhrgraph.graph.model import agency_id
from dhrgraph.queries.base import Query
from dhrgraph.queries.common import IDS
from dhrgraph.queries.findings import cite
from dhrgraph.queries.scope import check_review, closest
from dhrgraph.viz.chart import Chart, Focus
from dhrgraph.viz.overview import Contact, Overview, Person, Relation
from dhrgraph.viz.page import View, count, esc, write_page
from dhrgraph.viz.redact import ROLE_LABELS, Names
from dhrgraph.viz.style import (
    GAP, JOINED_PART, JOINED_PICTURE, NOT_REACHED, agency_style, contact_style, flow_style, person_style,
    relation_style, risk_colour, risk_rank,
)

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["review_view", "person_view", "query_view", "flows_view", "write_report_views", "ReportViews", "load", "MAX_NODES",
           "MAX_FINDINGS", "FULL_REVIEWS"]

MAX_NODES = 2500      # a neighbourhood larger than this keeps its nearest nodes
MAX_FINDINGS = 200    # findings listed beside a query's chart (all that are drawn are highlighted)
# findings drawn on one query's page, the first in the rows' order (a report's: highest severity first): at 1M
# contacts unshared-risk has 30,768, and drawing every one made a 59 MB page no browser lays out and took the
# report's peak memory to 4.3 GB; every finding stays in the report and in `dhrgraph query`
MAX_DRAWN = 2000
MAX_TIP_CONTACTS = 12  # contacts listed in one tooltip
GAPS = "gaps"         # the toggle set of links where information did not pass
# A query's page over more reviews than this draws what its findings name (their people and agencies, the
# contacts they cite, the relationships between those people), not every contact of every review: hundreds of
# reviews' contacts are no picture an analyst reads, and take minutes to draw (issue 16)
FULL_REVIEWS = 50
# a report's pages are drawn by two processes when they show this many findings or more (below it, one is quicker)
PARALLEL_ROWS = 1000


def load(store: Store, redact: bool = False, reviews: Iterable[str] | None = None, signals: str = "all", *,
         contacts: Iterable[str] | None = None, whole: Iterable[str] = ()) -> tuple[Overview, Names]:
    """The graph of ``store`` and how to name its people: only ``reviews`` when given (a view reads what it
    shows), but the whole graph when redacting (the text of a view is scrubbed of every name the workspace holds).
    Text signals count as in the queries: ``signals`` all or coded, never one the analyst rejected. With
    ``contacts``, of the reviews not in ``whole`` only these contacts are read (the pages over many reviews)."""
    everything = redact or reviews is None
    ov = Overview.of_store(store, None if everything else reviews, signals,
                           contacts=None if everything or contacts is None else set(contacts), whole=whole)
    return ov, Names(ov, redact)


def _drawn_in_full(reviews: list[str]) -> bool:
    """Whether a query's page over these reviews draws every contact of them (else what its findings name)."""
    return len(reviews) <= FULL_REVIEWS


def _cited(rows: Iterable[dict]) -> set[str]:
    """The ids of the contacts these findings cite."""
    return {c for row in rows for c in row.get(IDS, {}).get("contacts", ())}


def _reviews_of(rows: list[dict], review: str | None) -> list[str]:
    """The reviews a query's rows are in (a row crossing reviews names them all), else the review asked about."""
    return sorted({r["review"] for r in rows} | {x for r in rows for x in r.get("reviews", [])}) or ([review] if review else [])


# --- tooltips -------------------------------------------------------------------------------------

def _contact_line(c: Contact, names: Names) -> str:
    p = c.props
    risk = ", ".join(filter(None, [p.get("risk_level") and f"{p['risk_level']} risk",
                                   p.get("dash_score") is not None and f"DASH {p['dash_score']}"]))
    summary = names.summary(p.get("summary"))
    text = f"{p['date_text']}  {p['event'].replace('_', ' ')}" + (f" ({risk})" if risk else "")
    text += f": {summary[:110]}{'…' if len(summary) > 110 else ''}" if summary else ""
    return f"{text}  [{names.text(p['file'])}:{p['line']}]"


def _contacts_tip(contacts: list[Contact], names: Names, head: str, memo: dict | None = None) -> str:
    """A tooltip for several contacts: dates, highest risk, factors, each contact in a line, sources.
    ``memo`` (one dict for every page of a report) keeps each tip and each contact's line once written: the
    query pages beside a report show the same contacts again and again."""
    if memo is None:
        return _write_contacts_tip(contacts, names, head, {})
    key = (head, tuple(c.id for c in contacts))
    tip = memo.get(key)
    if tip is None:
        tip = memo[key] = _write_contacts_tip(contacts, names, head, memo)
    return tip


def _write_contacts_tip(contacts: list[Contact], names: Names, head: str, lines_memo: dict) -> str:
    levels = [c.props.get("risk_level") for c in contacts]
    dash = [c.props["dash_score"] for c in contacts if c.props.get("dash_score") is not None]
    factors = sorted({f for c in contacts for f in c.props.get("risk_factors", [])})
    first, last = contacts[0].props["date_text"], contacts[-1].props["date_text"]
    lines = [f"{head}: {count(len(contacts), 'contact')}" + (f", {first} to {last}" if first != last else f", {first}")]
    highest = max(levels, key=risk_rank)
    if highest or dash:
        lines.append("Highest risk recorded: " + ", ".join(filter(None, [highest, dash and f"DASH up to {max(dash)}"])))
    if factors:
        lines.append("Risk factors: " + ", ".join(f.replace("_", " ") for f in factors))
    for c in contacts[:MAX_TIP_CONTACTS]:
        line = lines_memo.get(c.id)
        if line is None:
            line = lines_memo[c.id] = _contact_line(c, names)
        lines.append(line)
    if len(contacts) > MAX_TIP_CONTACTS:
        lines.append(f"… and {len(contacts) - MAX_TIP_CONTACTS} more")
    sources = sorted({names.summary(c.props["source"]) for c in contacts if c.props.get("source") and not names.redact})
    if sources:
        lines.append("Source: " + "; ".join(sources))
    return "\n".join(lines)


def _person_tip(person: Person, names: Names, contacts: int, label: str | None = None) -> str:
    lines = [names.person(person) if label is None else label]
    for review, m in sorted(person.memberships.items()):
        age = "" if names.redact or m.get("age") is None else f", age {m['age']}"
        lines.append(f"{ROLE_LABELS.get(m['role'], m['role'])} in {names.review(review)}{age}")
    if not names.redact and person.sex:
        lines.append(f"Sex: {person.sex}")
    if not names.redact and person.global_id:
        lines.append(f"Global id: {person.global_id} (one person across reviews)")
    if not person.identified:
        lines.append("Never identified by the agencies")
    lines.append(f"{count(contacts, 'contact')} shown")
    return "\n".join(lines)


def _relation_tip(r: Relation, ov: Overview, names: Names) -> str:
    start, end = names.person(ov.people[r.start]), names.person(ov.people[r.end])
    text = f"{start} is {end}'s {r.kind.replace('_', ' ')} ({names.review(r.review)})"
    if r.abusive:
        text += f"\nAbusive: {start} abused {end}"
    return text + (f"\nSource: {names.text(r.file)}:{r.line}" if r.file else "")


# --- drawing an overview -------------------------------------------------------------------------

def _person_label(person: Person, names: Names, label: str | None = None) -> str:
    label = names.person(person) if label is None else label
    if names.redact:
        return label
    return f"{label}\n{ROLE_LABELS.get(person.role, person.role).lower()}"


def draw(chart: Chart, ov: Overview, names: Names, *, focus_person: str | None = None, memo: dict | None = None) -> None:
    """People, agencies, each agency's contacts with each person (one line per pair), relationships
    and referral/share flows between agencies. ``memo``: tooltips already written (``_contacts_tip``)."""
    pairs, flows = ov.pairs(), ov.flows()
    per_node: dict[str, int] = defaultdict(int)
    for (agency, person), contacts in pairs.items():
        per_node[agency] += len(contacts)
        per_node[person] += len(contacts)
    for agency in sorted(ov.agencies.values(), key=lambda a: a.name.lower()):
        sent = sum(len(cs) for (a, _, _), cs in flows.items() if a == agency.id)
        received = sum(len(cs) for (_, b, _), cs in flows.items() if b == agency.id)
        tip = (f"{agency.name}\nType: {agency.type.replace('_', ' ')}\n{count(per_node[agency.id], 'contact')} with the people shown\n"
               f"Referrals and shares: {sent} sent, {received} received")
        chart.node(agency.id, agency.name, agency_style(agency.type), tip)
    labels = {pid: names.person(person) for pid, person in ov.people.items()}  # once a person: a report draws thousands
    for person in sorted(ov.people.values(), key=lambda p: (p.first_seen, p.id)):
        style = person_style(person.role, person.identified)
        chart.node(person.id, _person_label(person, names, labels[person.id]), style,
                   _person_tip(person, names, per_node[person.id], labels[person.id]),
                   size=style.size * 1.6 if person.id == focus_person else None)
    for (agency, person), contacts in sorted(pairs.items()):
        highest = max((c.risk for c in contacts), key=risk_rank)
        head = f"{ov.agencies[agency].name} with {labels[person]}"
        chart.edge(("contacts", agency, person), agency, person, contact_style(highest),
                   _contacts_tip(contacts, names, head, memo), label=str(len(contacts)), weight=len(contacts))
    for r in ov.relations:
        label = f"abuse ({r.kind.replace('_', ' ')})" if r.abusive else r.kind.replace("_", " ")
        chart.edge(("related", r.start, r.end, r.review), r.start, r.end, relation_style(r.abusive),
                   _relation_tip(r, ov, names), label=label)
    _draw_flows(chart, ov, names, flows, memo)


def _draw_flows(chart: Chart, ov: Overview, names: Names, flows: dict[tuple[str, str, str], list[Contact]],
                memo: dict | None = None) -> None:
    """One arrow per agency pair and kind of flow, as thick as the flows are many."""
    for (a, b, kind), contacts in sorted(flows.items()):
        head = f"{count(len(contacts), kind)} from {ov.agencies[a].name} to {ov.agencies[b].name}"
        chart.edge(("flow", a, b, kind), a, b, flow_style(kind), _contacts_tip(contacts, names, head, memo),
                   label=str(len(contacts)) if len(contacts) > 1 else "", weight=len(contacts))


def _check_review(whole: Overview, review: str | None) -> None:
    if review is not None and review not in whole.reviews:
        close = closest(review, whole.reviews)
        listing = f"Closest: {', '.join(close)}." if close else f"Reviews: {', '.join(whole.reviews) or 'none loaded'}"
        raise UnknownName(f"No review {review!r}. {listing}")


def _scope(reviews: list[str], names: Names | None = None) -> str:
    if len(reviews) <= 3:
        return ", ".join(names.review(r) if names else r for r in reviews) or "no review"
    return f"{len(reviews)} reviews"


# --- the views -------------------------------------------------------------------------------------

def review_view(store: Store, review: str, *, redact: bool = False, signals: str = "all") -> View:
    """A review's people and agencies, their contacts (per agency-person pair), relationships and flows."""
    check_review(store, review)
    whole, names = load(store, redact, [review], signals)
    _check_review(whole, review)
    ov = whole.for_reviews([review])
    chart = Chart()
    draw(chart, ov, names)
    subtitle = (f"{count(len(ov.people), 'person', 'people')}, {count(len(ov.agencies), 'agency', 'agencies')}, "
                f"{count(len(ov.contacts), 'contact')}. A line from an agency to a person stands for its contacts with "
                "them (the number on it; red when any shows high risk). Arrows between agencies are referrals and "
                "shares. Hover for dates, summaries and sources.")
    return chart.view(f"Review {names.review(review)}: who was in contact with whom", subtitle)


def _nearest(graph: "nx.Graph", start: str, depth: int, limit: int) -> tuple[set[str], int]:
    """The nodes within ``depth`` of ``start``, nearest first, at most ``limit``; and how many there were."""
    import networkx as nx  # a person's neighbourhood only
    reach = nx.single_source_shortest_path_length(graph, start, cutoff=depth)
    ordered = sorted(reach, key=lambda n: (reach[n], n))
    return set(ordered[:limit]), len(ordered)


def person_view(store: Store, person: str, depth: int = 2, *, review: str | None = None, redact: bool = False,
                signals: str = "all") -> View:
    """A person's neighbourhood across reviews: people and agencies within ``depth`` links (contacts,
    relationships, flows). A person with a global_id is one node in every review."""
    whole, names = load(store, redact, signals=signals)
    pid = store.resolve_person(person, review)
    keep, reached = _nearest(whole.adjacency(), pid, depth, MAX_NODES)
    ov = whole.restrict(keep)
    chart = Chart()
    draw(chart, ov, names, focus_person=pid)
    label = names.person(whole.people[pid])
    note = f"Showing the {len(keep)} nearest of {reached} people and agencies." if reached > len(keep) else ""
    subtitle = (f"Everyone and every agency within {count(depth, 'link')} of {label} (the large circle), in "
                f"{_scope(ov.reviews, names)}. Lines from agencies to people are contacts (the number on the line; red when any "
                "shows high risk); arrows between agencies are referrals and shares.")
    return chart.view(f"{label}: the neighbourhood across reviews", subtitle, note=note)


def flows_view(store: Store, review: str | None = None, *, redact: bool = False, signals: str = "all") -> View:
    """Agencies and the information that passed between them, with the pairs that never exchanged any."""
    check_review(store, review)
    whole, names = load(store, redact, None if review is None else [review], signals)
    _check_review(whole, review)
    ov = whole.for_reviews([review]) if review else whole
    chart = Chart()
    recorded: dict[str, list[Contact]] = defaultdict(list)
    for c in ov.contacts:
        recorded[c.agency].append(c)
    for agency in sorted(ov.agencies.values(), key=lambda a: a.name.lower()):
        people = {s for c in recorded[agency.id] for s in c.subjects}
        tip = (f"{agency.name}\nType: {agency.type.replace('_', ' ')}\n{count(len(recorded[agency.id]), 'contact')} "
               f"about {count(len(people), 'person', 'people')}")
        seen = count(len(recorded[agency.id]), "contact") if recorded[agency.id] else "told only"
        chart.node(agency.id, f"{agency.name}\n{seen}", agency_style(agency.type), tip)
    _draw_flows(chart, ov, names, ov.flows())
    gaps = _gaps(ov)
    for (a, b), families in sorted(gaps.items()):
        tip = (f"{ov.agencies[a].name} and {ov.agencies[b].name} both had contacts about the same family, and no "
               f"referral or share passed between them either way.\nReviews: {', '.join(map(names.review, families))}")
        chart.edge(("gap", a, b), a, b, GAP, tip, label=str(len(families)) if len(families) > 1 else "", toggle=GAPS)
    subtitle = (f"{count(len(ov.agencies), 'agency', 'agencies')} in {_scope(ov.reviews, names)}. Arrows: "
                "referrals and shares (thicker = more; the number says how many). Dashed red: two agencies worked with the "
                "same family and no referral or share passed between them, either way.")
    return chart.view("Information flows between agencies", subtitle,
                      toggles={GAPS: f"Agencies that never exchanged information ({len(gaps)})"})


def _gaps(ov: Overview) -> dict[tuple[str, str], list[str]]:
    """(agency, agency) -> the reviews in which both had contacts about the family's people and no
    referral or share passed between them, either way, in that review."""
    working: dict[str, set[str]] = defaultdict(set)
    exchanged: dict[str, set[frozenset]] = defaultdict(set)
    for c in ov.contacts:
        if c.subjects:
            working[c.review].add(c.agency)
        exchanged[c.review].update(frozenset((c.agency, target)) for _, target in c.flows)
        exchanged[c.review].update(frozenset((sender, c.agency)) for sender in c.received)
    gaps: dict[tuple[str, str], list[str]] = defaultdict(list)
    for review, agencies in sorted(working.items()):
        for a, b in combinations(sorted(agencies), 2):
            if frozenset((a, b)) not in exchanged[review]:
                gaps[(a, b)].append(review)
    return dict(gaps)


# --- query views ---------------------------------------------------------------------------------------

def query_view(store: Store, name: str, params: dict[str, Any] | None = None, *, redact: bool = False) -> View:
    """A catalogue query's findings drawn over their reviews, each finding's people, agencies,
    contacts and links highlighted (click one in the list to focus it). The query's ``signals`` parameter
    (all or coded) also decides what the drawing counts as risk and as a flow."""
    query = queries.get(name)
    params = dict(params or {})
    rows = store.run(query, params)
    check_review(store, params.get("review"))
    drawn = rows[:MAX_DRAWN]
    reviews = _reviews_of(drawn, params.get("review"))
    whole, names = load(store, redact, reviews, params.get("signals", "all"),
                        contacts=None if _drawn_in_full(reviews) else _cited(drawn))
    return _query_page(whole, names, query, drawn, params.get("review"), total=len(rows), order="in the order the query gives them")


class ReportViews:
    """The query views beside a findings report (``report-views/<query>.html`` beside ``report.html``), planned from
    the report's sections: which pages there are (``links``, what the report links to) and the findings each draws
    (its section's first ``MAX_DRAWN``), holding only those. The findings command writes the report's page first
    and then lets its rows go before drawing (``write``): at 1M contacts the 72,850 findings and the reviews the
    pages read took the report to 1.9 GB held together."""

    def __init__(self, report_path: str | os.PathLike, sections: Iterable[Any], review: str | None = None):
        report = self.report = Path(report_path)
        self.folder = report.with_name(f"{report.stem}-views")
        self.review = review
        # each page: its query, the findings it draws, how many its section has, the reviews they are in
        self.pages = [(s.query, s.rows[:MAX_DRAWN], len(s.rows), _reviews_of(s.rows[:MAX_DRAWN], review))
                      for s in sections if s.rows]

    def write_page(self, chunks: Iterable[str]) -> None:
        """Write the report's page from its pieces, creating its folder as a view's page does."""
        write_page(self.report, chunks)

    @property
    def links(self) -> dict[str, str]:
        """{query name: its page, relative to the report} for ``to_html``."""
        return {query.name: f"{quote(self.folder.name)}/{quote(query.name)}.html" for query, _, _, _ in self.pages}

    def write(self, store: Store, *, redact: bool = False, signals: str = "all") -> dict[str, str]:
        """Draw and write every page; return ``links``."""
        pages = self.pages
        full = {r for _, _, _, reviews in pages if _drawn_in_full(reviews) for r in reviews}
        # one reading for every page: each review a page draws in full whole, of the others the contacts findings cite
        with gc_paused():
            whole, names = load(store, redact, sorted({r for _, _, _, reviews in pages for r in reviews}), signals,
                                contacts=_cited(row for _, drawn, _, reviews in pages if not _drawn_in_full(reviews) for row in drawn),
                                whole=full)

            def work(some: list[tuple[Query, list[dict], int, list[str]]]) -> dict[str, str]:
                memo: dict = {}
                for query, drawn, total, _ in some:
                    _query_page(whole, names, query, drawn, self.review, memo, total=total).write(
                        self.folder / f"{query.name}.html")
                return {query.name: "" for query, _, _, _ in some}
            # the pages drawn by this process and a forked one, each writing its own (a page the child did not
            # finish is drawn again here): the same files
            halves(pages, lambda page: len(page[1]) + 1, work, fork=sum(len(drawn) for _, drawn, _, _ in pages) >= PARALLEL_ROWS)
        return self.links


def write_report_views(store: Store, report_path: str | os.PathLike, sections: Iterable[Any],
                       review: str | None = None, *, redact: bool = False, signals: str = "all") -> dict[str, str]:
    """Write the view of every query with findings next to a findings report (``report-views/<query>.html``
    beside ``report.html``); return {query name: link relative to the report} for ``to_html``."""
    return ReportViews(report_path, sections, review).write(store, redact=redact, signals=signals)


def _query_page(whole: Overview, names: Names, query: Query, rows: list[dict], review: str | None,
                memo: dict | None = None, total: int | None = None, order: str = "highest severity first") -> View:
    """The page of ``query``'s findings ``rows``: the first of ``total`` in ``order`` when there are more
    (``MAX_DRAWN``)."""
    loaded = set(whole.reviews)
    asked = _reviews_of(rows, review)
    reviews = [r for r in asked if r in loaded]
    ov = whole.for_reviews(reviews)
    full = _drawn_in_full(asked)
    if not full:  # what the findings name: their cited contacts, people and agencies (the focus sets are the same)
        cited = _cited(rows)
        ov = Overview(ov.people, ov.agencies, [c for c in ov.contacts if c.id in cited], ov.relations)
    finder = _Finder(ov)
    focus = [finder.focus(row) for row in rows]
    if not full:
        ov = ov.restrict(_named(query, rows, focus))
    chart = Chart()
    draw(chart, ov, names, memo=memo)
    _draw_gaps(chart, ov, query, rows, focus, names)
    _draw_convergence(chart, ov, finder, rows, focus, names)
    for f in focus:
        chart.highlight(f)
    has_links = any(k[0] == GAPS for f in focus for k in f.edges)
    subtitle = " ".join(filter(None, [
        f"Drawn: the first {len(rows):,} of {total:,} findings ({order}), in {_scope(reviews, names)}; every finding "
        f"is listed by `dhrgraph findings` and `dhrgraph query {query.name}`." if total is not None and total > len(rows)
        else f"{count(len(rows), 'finding')} in {_scope(reviews, names)}." if rows else f"No findings in {_scope(reviews, names)}.",
        rows and "Highlighted: the people, agencies, contacts and links the findings name.",
        has_links and "Dashed red arrows: risk that did not reach an agency.",
        any(f.groups for f in focus) and "Shaded: groups of agencies that exchanged nothing (of the finding in focus).",
        any("pieces" in r for r in rows) and "Red diamonds: the joined-up picture on the date it became high, with "
                                              "arrows from each agency that held a part of it.",
        rows and "Click a finding to focus it; hover for dates and sources."]))
    note = "" if full else (
        f"{len(reviews)} reviews (more than {FULL_REVIEWS}): drawn is what the findings name, their people and agencies, "
        f"the {count(len(ov.contacts), 'contact')} they cite (the number on a line counts those) and the relationships "
        "between those people. Every review in full: dhrgraph viz --review REVIEW (the reviews are listed right).")
    sidebar = _findings_list(rows, names) + ("" if full else _reviews_list(rows, reviews, names))
    return chart.view(f"{query.title} ({query.name})", subtitle, sidebar=sidebar, focus=focus, note=note,
                      toggles={GAPS: "Risk that did not reach an agency"} if has_links else None)


def _named(query: Query, rows: list[dict], focus: list[Focus]) -> set[str]:
    """The people and agencies a page over many reviews draws: each finding's focus set, and the agencies its
    gaps, groups and joined-up pictures name (drawn by ``_draw_gaps`` and ``_draw_convergence``)."""
    keep = {n for f in focus for n in f.nodes if isinstance(n, str)}
    for row in rows:
        links, groups = query.gaps(row) if query.gaps else ([], [])
        keep.update(agency_id(a) for link in links for a in link)
        keep.update(agency_id(a) for _, agencies in groups for a in agencies)
        keep.update(agency_id(piece["agency"]) for piece in row.get("pieces", ()))
    return keep


def _reviews_list(rows: list[dict], reviews: list[str], names: Names) -> str:
    """The reviews of a page over many reviews, with their findings, for drawing one of them in full."""
    per: dict[str, int] = defaultdict(int)
    for row in rows:
        per[row["review"]] += 1
    items = "".join(f"<li>{esc(names.review(r))}: {count(per[r], 'finding')}</li>" for r in reviews)
    return (f"<section><h2>Reviews ({len(reviews)})</h2><p>Each in full: <code>dhrgraph viz --review REVIEW</code>.</p>"
            f"<ul class='review-list'>{items}</ul></section>")


class _Finder:
    """What a finding names, by the node ids its row carries (``ids``, see ``queries.common``): its people and
    agencies, the contacts its evidence cites, the relationships its evidence cites (by their row) and those
    between the people it names. Nodes outside the view's reviews are left out."""

    def __init__(self, ov: Overview):
        self.ov = ov
        self.contacts = {c.id: c for c in ov.contacts}
        self.relations = {(r.review, r.file, r.line): r for r in ov.relations}
        self.by_review: dict[str, list[Relation]] = defaultdict(list)  # a finding's relationships, without a scan of all
        for r in ov.relations:
            self.by_review[r.review].append(r)

    def people(self, row: dict) -> list[str]:
        """The ids of the people ``row`` names that the view holds."""
        return [p for p in row.get(IDS, {}).get("people", ()) if p in self.ov.people]

    def focus(self, row: dict) -> Focus:
        reviews = {row["review"], *row.get("reviews", [])}
        ids = row.get(IDS, {})
        named = set(self.people(row))
        focus = Focus(nodes={*named, *(a for a in ids.get("agencies", ()) if a in self.ov.agencies)})
        for cid in ids.get("contacts", ()):
            c = self.contacts.get(cid)
            if c is None:
                continue
            subjects = [s for s in c.subjects if s in named] or list(c.subjects)
            focus.nodes.update([c.agency, *subjects])
            focus.edges.update(("contacts", c.agency, s) for s in subjects)
            focus.edges.update(("flow", c.agency, target, kind) for kind, target in c.flows if target in focus.nodes)
            focus.edges.update(("flow", sender, c.agency, "referral") for sender in c.received if sender in focus.nodes)
        for item in row.get("evidence", []):
            r = self.relations.get((item["review"], item["file"], item["line"]))
            if r is not None:
                focus.nodes.update([r.start, r.end])
                focus.edges.add(("related", r.start, r.end, r.review))
        focus.edges.update(("related", r.start, r.end, r.review) for review in sorted(reviews)
                           for r in self.by_review.get(review, ()) if r.start in named and r.end in named)
        return focus


def _draw_gaps(chart: Chart, ov: Overview, query: Query, rows: list[dict], focus: list[Focus], names: Names) -> None:
    """Dashed red arrows where a finding says risk did not reach an agency (with the findings that say
    so), and each finding's groups of agencies that exchanged nothing."""
    tips: dict[tuple, list[str]] = defaultdict(list)
    for row, f in zip(rows, focus):
        links, groups = query.gaps(row) if query.gaps else ([], [])  # the query says what did not pass, by agency
        for a, b in ((agency_id(a), agency_id(b)) for a, b in links):
            if a in ov.agencies and b in ov.agencies:
                key = (GAPS, a, b)
                tips[key].append(names.text(row["finding"]))
                f.edges.add(key)
        f.groups = [(label, [a for a in map(agency_id, agencies) if a in ov.agencies]) for label, agencies in groups]
    for key, findings in tips.items():
        _, a, b = key
        lines = [f"{ov.agencies[a].name} → {ov.agencies[b].name}: a risk signal did not reach it", *findings[:MAX_TIP_CONTACTS]]
        if len(findings) > MAX_TIP_CONTACTS:
            lines.append(f"… and {len(findings) - MAX_TIP_CONTACTS} more")
        chart.edge(key, a, b, NOT_REACHED, "\n".join(lines), toggle=GAPS)


def _draw_convergence(chart: Chart, ov: Overview, finder: "_Finder", rows: list[dict], focus: list[Focus],
                      names: Names) -> None:
    """For joined-up-risk: a diamond per finding (the picture on the date it became high), an arrow into it
    from each agency with what that agency alone held, and a line from it to the person at risk."""
    for row, f in zip(rows, focus):
        if "pieces" not in row:
            continue
        subject = names.text(row["subject"])
        key = ("joined", row["review"], row["subject"], row["date"])
        chart.node(key, f"{row['date']}: {row['score']}", JOINED_PICTURE,
                   f"Joined-up picture of the risk to {subject} on {row['date']}: DASH-equivalent {row['score']}"
                   + (f", {', '.join(row['red_flags'])}" if row["red_flags"] else "")
                   + f"\nThe most any one agency held: {row['best_single']['agency']}, {row['best_single']['score']}")
        f.nodes.add(key)
        for piece in row["pieces"]:
            agency = agency_id(piece["agency"])
            if agency not in ov.agencies:
                continue
            alone = piece["alone"]
            lines = [f"{piece['agency']}: its own records scored {piece['score']}"]
            lines += [f"alone held Q{a['question']} {a['text']} ({a['date']})" for a in alone]
            if piece["shared"]:
                lines.append("also known elsewhere: " + ", ".join(f"Q{q}" for q in piece["shared"]))
            edge = ("joined-part", agency, key)
            chart.edge(edge, agency, key, JOINED_PART, "\n".join(lines),
                       label=", ".join(f"Q{a['question']}" for a in alone))
            f.edges.add(edge)
        for person in finder.people(row):  # the person at risk
            edge = ("joined-about", key, person)
            chart.edge(edge, key, person, JOINED_PART, f"The picture of the risk to {subject}")
            f.edges.add(edge)


def _convergence_svg(row: dict) -> str:
    """Lanes per agency along the window, each part an agency alone held a dot on its date, every line
    converging on the date the picture became high (right)."""
    parts = [(p["agency"], a) for p in row["pieces"] for a in p["alone"]]
    if not parts:
        return ""
    days = [dt.date.fromisoformat(a["date"]) for _, a in parts]
    end = dt.date.fromisoformat(row["date"])
    start = min(days)
    lanes = list(dict.fromkeys(name for name, _ in parts))
    left, right, lane_h = 115, 255, 22
    height = lane_h * len(lanes) + 20
    meet = (right, height / 2)

    def x(day: dt.date) -> float:
        return left + (right - 20 - left) * ((day - start).days / max(1, (end - start).days))

    out = [f"<svg class='converge' width='{right + 10}' height='{height}' role='img' "
           f"aria-label='Parts held by each agency converging on {esc(row['date'])}'>"]
    for n, lane in enumerate(lanes):
        y = 14 + n * lane_h
        out.append(f"<text x='0' y='{y + 4}' font-size='10'>{esc(lane[:22])}</text>"
                   f"<line x1='{left}' y1='{y}' x2='{right - 20}' y2='{y}' stroke='#cfd8dc'/>")
    for (name, a), day in zip(parts, days):
        y = 14 + lanes.index(name) * lane_h
        out.append(f"<line x1='{x(day):.1f}' y1='{y}' x2='{meet[0]}' y2='{meet[1]:.1f}' stroke='{JOINED_PART.colour}' "
                   f"stroke-opacity='.45'/><circle cx='{x(day):.1f}' cy='{y}' r='4' fill='{risk_colour('medium')}'>"
                   f"<title>{esc(name)}: Q{a['question']} {esc(a['text'])} ({esc(a['date'])})</title></circle>")
    out.append(f"<polygon points='{meet[0]},{meet[1] - 7:.1f} {meet[0] + 7},{meet[1]:.1f} {meet[0]},{meet[1] + 7:.1f} "
               f"{meet[0] - 7},{meet[1]:.1f}' fill='{JOINED_PICTURE.colour}'><title>{esc(row['date'])}: "
               f"DASH-equivalent {row['score']}</title></polygon></svg>")
    return "".join(out)


def _findings_list(rows: list[dict], names: Names) -> str:
    items = []
    for i, row in enumerate(rows[:MAX_FINDINGS]):
        cites = "".join(f"<li>{esc(names.text(cite(e, short=True)))}</li>" for e in row.get("evidence", []))
        picture = _convergence_svg(row) if row.get("pieces") else ""
        items.append(f"<li><b>{esc(names.review(row['review']))}</b>: {esc(names.text(row['finding']))}{picture}<ul class='cites'>{cites}</ul>"
                     f"<button type='button' data-focus='{i}'>Show on the chart</button></li>")
    more = f"<p>… and {len(rows) - MAX_FINDINGS} more (all are highlighted).</p>" if len(rows) > MAX_FINDINGS else ""
    return f"<section><h2>Findings ({len(rows)})</h2><ol class='findings'>{''.join(items)}</ol>{more}</section>"
