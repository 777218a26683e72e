"""The graph as a review panel reads it, gathered once for every view.

An :class:`Overview` holds, for a set of reviews, the people with their role in each review, the
agencies, every contact with the agency that recorded it, the people it was about and the
referrals and shares it carried, and the relationships between people. Views select from it (a
review, a person's neighbourhood, a query's context) and aggregate it (contacts per agency-person
pair, flows per agency pair). It is read from ``Store.batches()``, so it is the same for every
backend.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Collection, Iterable

from dhrgraph.graph.embedded import plain_graph, plain_graph_of_json
from dhrgraph.graph.store import Store, gc_paused
from dhrgraph.loaders.vocab import FLOW_KINDS
from dhrgraph.queries.common import DASH_HIGH, RECEIVED_TYPE, is_flow, is_risk_signal
from dhrgraph.queries.signals import signal_params
from dhrgraph.queries.core import by_label, out_edges

if TYPE_CHECKING:
    import networkx as nx

    from dhrgraph.graph.nxgraph import PlainGraph

__all__ = ["Overview", "Person", "Agency", "Contact", "Relation", "ROLE_ORDER", "FLOW_KINDS", "shown_risk"]

# The most telling role first: a person who is a victim in one review and a previous partner in
# another is drawn as a victim.
ROLE_ORDER = ("victim", "perpetrator", "child", "previous_partner", "family", "friend", "other")


@dataclass
class Person:
    id: str
    sex: str | None
    global_id: str | None
    memberships: dict[str, dict]  # review -> IN_REVIEW properties: role, name (pseudonym), age, identified, line

    @property
    def role(self) -> str:
        roles = {m["role"] for m in self.memberships.values()}
        return min(roles, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else len(ROLE_ORDER))

    @property
    def names(self) -> list[str]:
        """The person's pseudonyms, one per review in review order, without repeats."""
        return list(dict.fromkeys(self.memberships[r]["name"] for r in sorted(self.memberships)))

    @property
    def identified(self) -> bool:
        return all(m.get("identified", True) for m in self.memberships.values())

    @property
    def first_seen(self) -> tuple[str, int]:
        """(review, line in people.csv) of the person's first appearance: a stable order for numbering."""
        return min((review, m.get("line", 0)) for review, m in self.memberships.items())


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    type: str


@dataclass(frozen=True)
class Contact:
    id: str
    props: dict          # the Contact node's properties (date_text, event, summary, risk_level, file, line ...)
    agency: str          # id of the recording agency
    subjects: tuple[str, ...]
    flows: tuple[tuple[str, str], ...]  # (kind: referral | share, receiving agency id)
    risk: str | None = None  # the risk it shows (``shown_risk``)
    received: tuple[str, ...] = ()  # ids of the agencies it records a referral from (REFERRED_BY, read from its words)

    @property
    def review(self) -> str:
        return self.props["review"]

    @property
    def order_key(self) -> str:
        return self.props["order_key"]



def shown_risk(props: dict, p: dict | None) -> str | None:
    """The risk a contact shows: "high" for any risk signal (the catalogue's definition: risk level high,
    DASH 14 or more, a serious factor ...; of the text signals, those the queries count with the signal
    parameters ``p``, see ``signal_params``; None: every one), else the risk level recorded, if any."""
    if is_risk_signal(props, DASH_HIGH.default, p):
        return "high"
    return props.get("risk_level")


@dataclass(frozen=True)
class Relation:
    start: str
    end: str
    kind: str
    abusive: bool
    review: str
    file: str | None = None
    line: int | None = None


@dataclass
class Overview:
    people: dict[str, Person] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    contacts: list[Contact] = field(default_factory=list)  # in chronology order
    relations: list[Relation] = field(default_factory=list)

    @classmethod
    def of_store(cls, store: Store, reviews: Iterable[str] | None = None, signals: str = "all", *,
                 contacts: Collection[str] | None = None, whole: Collection[str] = ()) -> "Overview":
        """The graph of a store, of either backend: every review, or only ``reviews`` (what a view shows:
        a one-review view reads that review, not the workspace); text signals count as in the queries
        (``signals`` all or coded, never one the analyst rejected). With ``contacts`` (ids), of the reviews
        not in ``whole`` only those contacts are read (with every person, agency and relationship): what a page
        over many reviews draws (``viz.views.FULL_REVIEWS``)."""
        p = signal_params(store, signals)
        with gc_paused():  # hundreds of thousands of objects that live as long as the view
            if reviews is None or contacts is None:
                return cls.of_graph(plain_graph(store.batches(None if reviews is None else list(reviews))), p)
            return cls.of_graph(plain_graph_of_json(store.review_json(list(reviews), contacts=set(contacts), whole=set(whole))), p)

    @classmethod
    def of_graph(cls, G: "nx.MultiDiGraph | PlainGraph", p: dict | None = None) -> "Overview":
        """The overview of a graph in the model; ``p``: which text signals count (``signal_params``; None: all)."""
        reviews = {rid: G.nodes[rid]["name"] for rid in by_label(G, "Review")}
        ov = cls()
        for pid in by_label(G, "Person"):
            node = G.nodes[pid]
            ov.people[pid] = Person(pid, node.get("sex"), node.get("global_id"),
                                    {reviews[rid]: m for rid, m in out_edges(G, pid, "IN_REVIEW")})
            ov.relations += [Relation(pid, other, r["kind"], bool(r.get("abusive")), r["review"], r.get("file"), r.get("line"))
                             for other, r in out_edges(G, pid, "RELATED")]
        for aid in by_label(G, "Agency"):
            ov.agencies[aid] = Agency(aid, G.nodes[aid]["name"], G.nodes[aid].get("type", "other"))
        succ, pred, nodes = G._succ, G._pred, G.nodes  # NetworkX's own dictionaries, in both kinds of graph
        for cid in by_label(G, "Contact"):  # one pass over each contact's relationships (120k contacts in a report)
            subjects, flows, received = [], [], []
            for end, keyed in succ[cid].items():
                for d in keyed.values():
                    if d["type"] == "ABOUT":
                        subjects.append(end)
                    elif d["type"] in FLOW_KINDS and is_flow(d, p):
                        flows.append((FLOW_KINDS[d["type"]], end))
                    elif d["type"] == RECEIVED_TYPE and is_flow(d, p):
                        received.append(end)
            agency = next(a for a, keyed in pred[cid].items() for d in keyed.values() if d["type"] == "RECORDED")
            props = nodes[cid]
            ov.contacts.append(Contact(cid, props, agency, tuple(subjects), tuple(flows), shown_risk(props, p), tuple(received)))
        ov.contacts.sort(key=lambda c: c.order_key)
        ov.relations.sort(key=lambda r: (r.review, r.line or 0, r.start, r.end))
        return ov

    # --- selections ----------------------------------------------------------------------------

    @cached_property
    def _rank_by_review(self) -> dict[str, list[int]]:
        """Review -> the places of its contacts in ``contacts`` (chronology order). Made on first use: an
        overview's contacts are not changed once it is built."""
        out: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(self.contacts):
            out[c.props["review"]].append(i)
        return dict(out)

    @property
    def reviews(self) -> list[str]:
        return sorted({r for p in self.people.values() for r in p.memberships} | self._rank_by_review.keys())

    def for_reviews(self, reviews: Iterable[str]) -> "Overview":
        """Only what belongs to these reviews; people keep only their memberships of them."""
        wanted = set(reviews)
        people = {pid: Person(p.id, p.sex, p.global_id, {r: m for r, m in p.memberships.items() if r in wanted})
                  for pid, p in self.people.items() if wanted & set(p.memberships)}
        rank = self._rank_by_review  # a report selects the reviews of each query's findings from ~120k contacts
        contacts = [self.contacts[i] for i in sorted(i for r in wanted for i in rank.get(r, ()))]
        used = {c.agency for c in contacts} | {a for c in contacts for _, a in c.flows} | {a for c in contacts for a in c.received}
        return Overview(people, {a: self.agencies[a] for a in sorted(used)}, contacts,
                        [r for r in self.relations if r.review in wanted])

    def restrict(self, keep: set[str]) -> "Overview":
        """Only the people and agencies in ``keep``, and what connects them."""
        contacts = []
        for c in self.contacts:
            if c.agency not in keep:
                continue
            subjects = tuple(s for s in c.subjects if s in keep)
            flows = tuple(f for f in c.flows if f[1] in keep)
            received = tuple(a for a in c.received if a in keep)
            if subjects == c.subjects and flows == c.flows and received == c.received:
                contacts.append(c)  # all of it kept (most, in a page over many reviews)
            elif subjects or flows or received:
                contacts.append(Contact(c.id, c.props, c.agency, subjects, flows, c.risk, received))
        return Overview({p: v for p, v in self.people.items() if p in keep},
                        {a: v for a, v in self.agencies.items() if a in keep}, contacts,
                        [r for r in self.relations if r.start in keep and r.end in keep])

    # --- aggregates ----------------------------------------------------------------------------

    def pairs(self) -> dict[tuple[str, str], list[Contact]]:
        """(agency id, person id) -> the agency's contacts about that person, in chronology order."""
        out: dict[tuple[str, str], list[Contact]] = defaultdict(list)
        for c in self.contacts:
            for s in c.subjects:
                out[(c.agency, s)].append(c)
        return dict(out)

    def flows(self) -> dict[tuple[str, str, str], list[Contact]]:
        """(from agency id, to agency id, kind) -> the contacts that carried a referral or share. A referral its
        receiver records comes from the agency named to the recorder; it is counted only when the sender's own records
        hold no flow to the recorder in that review before it (else it is that flow, received: counted once)."""
        out: dict[tuple[str, str, str], list[Contact]] = defaultdict(list)
        sent: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (review, from, to) -> the flows' order keys
        for c in self.contacts:
            for kind, target in c.flows:
                if target != c.agency:
                    out[(c.agency, target, kind)].append(c)
                    sent[(c.review, c.agency, target)].append(c.order_key)
        for c in self.contacts:
            for sender in c.received:
                if sender != c.agency and not any(k <= c.order_key for k in sent.get((c.review, sender, c.agency), ())):
                    out[(sender, c.agency, "referral")].append(c)
        return dict(out)

    def adjacency(self) -> "nx.Graph":
        """People and agencies joined by contacts, relationships and flows: the graph a neighbourhood walks."""
        import networkx as nx  # only a person's neighbourhood walks it: other views never import NetworkX

        graph = nx.Graph()
        graph.add_nodes_from([*self.people, *self.agencies])
        graph.add_edges_from(self.pairs())
        graph.add_edges_from((r.start, r.end) for r in self.relations)
        graph.add_edges_from((a, b) for a, b, _ in self.flows())
        return graph

    def professionals(self) -> set[str]:
        return {c.props["professional"] for c in self.contacts if c.props.get("professional")}
