"""The graph model, shared by both stores, and the one function that turns a review into it.

    (Agency)-[:RECORDED]->(Contact)-[:ABOUT]->(Person)-[:RELATED {kind, abusive}]->(Person)
    (Contact)-[:REFERRED_TO]->(Agency)      (Contact)-[:SHARED_WITH]->(Agency)
    (Contact)-[:FLAGGED]->(RiskFactor)      (Person|Contact|Agency)-[:IN_REVIEW]->(Review)

Every node has a unique string ``id`` with a prefix naming its kind. People with a ``global_id``
are one node across reviews (``person:global:<id>``); others are ``person:<review>/<pseudonym>``.
Agencies are one node per normalised name across reviews. A person's role, pseudonym and age,
and an agency's other spellings (aliases), belong to a review, so they sit on the IN_REVIEW
relationship to it.

Properties that are not recorded are left out rather than stored as null (Neo4j cannot store
null), so both stores hold exactly the same properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loaders import vocab
from loaders.records import Review

__all__ = ["Batch", "review_batch", "LABELS", "REL_TYPES", "person_id", "agency_id", "review_id", "contact_id", "order_key"]

LABELS = ("Review", "Person", "Agency", "Contact", "RiskFactor")
REL_TYPES = ("RECORDED", "ABOUT", "REFERRED_TO", "SHARED_WITH", "FLAGGED", "RELATED", "IN_REVIEW")
# Nodes that several reviews can share: merged (the last review loaded sets their properties) and
# removed only when no review uses them.
SHARED_LABELS = ("Person", "Agency", "RiskFactor")


def review_id(review: str) -> str:
    return f"review:{review}"


def person_id(review: str, name: str, global_id: str | None) -> str:
    return f"person:global:{global_id}" if global_id else f"person:{review}/{name}"


def agency_id(name: str) -> str:
    return f"agency:{vocab.agency_key(name)}"


def contact_id(review: str, line: int) -> str:
    return f"contact:{review}#{line}"


def order_key(sort_key: str, sequence: int | None, time: str | None, review: str, line: int) -> str:
    """One string that sorts contacts in chronology order: date (partial dates first in their period),
    then sequence (rows without one after those with one), time, review, line. Stored on each
    contact so that Cypher and NetworkX order by the same thing."""
    has_sequence = "0" if sequence is not None else "1"
    return f"{sort_key}|{has_sequence}{sequence or 0:05d}|{time or '--:--'}|{review}|{line:08d}"


def _props(**values: object) -> dict:
    return {k: v for k, v in values.items() if v is not None and v != ()}


@dataclass
class Batch:
    """One review as graph rows: nodes by label and relationships by type (start id, end id, props)."""

    review: str
    nodes: dict[str, list[dict]] = field(default_factory=lambda: {label: [] for label in LABELS})
    edges: dict[str, list[tuple[str, str, dict]]] = field(default_factory=lambda: {t: [] for t in REL_TYPES})

    @property
    def contact_count(self) -> int:
        return len(self.nodes["Contact"])


def review_batch(review: Review) -> Batch:
    """The graph rows of one validated review."""
    batch = Batch(review.id)
    rid = review_id(review.id)
    batch.nodes["Review"].append({"id": rid, "name": review.id, "path": review.path})
    pids: dict[str, str] = {}
    for p in review.people:
        pid = pids[p.person] = person_id(review.id, p.person, p.global_id)
        batch.nodes["Person"].append(_props(id=pid, name=p.person, global_id=p.global_id, sex=p.sex))
        batch.edges["IN_REVIEW"].append((pid, rid, _props(role=p.role, name=p.person, age=p.age, identified=p.identified,
                                                          file=p.file, line=p.line)))
    for r in review.relationships:
        batch.edges["RELATED"].append((pids[r.person], pids[r.other], _props(
            kind=r.relationship, abusive=r.abusive, review=review.id, file=r.file, line=r.line)))
    for agency in review.agencies.values():
        batch.nodes["Agency"].append({"id": agency_id(agency.name), "name": agency.name, "type": agency.type})
        # spellings belong to the review that declared them, so they come and go with it
        batch.edges["IN_REVIEW"].append((agency_id(agency.name), rid, _props(aliases=list(agency.aliases) or None)))
    factors: set[str] = set()
    for c in review.contacts:
        cid = contact_id(review.id, c.line)
        batch.nodes["Contact"].append(_props(
            id=cid, review=review.id, file=c.file, line=c.line, date=c.date.start.isoformat(), date_text=c.date.text,
            date_precision=c.date.precision, uncertain=c.date.uncertain,
            order_key=order_key(c.date.sort_key, c.sequence, c.time, review.id, c.line), time=c.time,
            sequence=c.sequence, agency=c.agency, event=c.event, summary=c.summary, professional=c.professional,
            risk_level=c.risk_level, dash_score=c.dash_score, risk_factors=list(c.risk_factors) or None,
            referred_to=list(c.referred_to) or None, shared_with=list(c.shared_with) or None,
            referral_outcome=c.referral_outcome, source=c.source,
        ))
        batch.edges["RECORDED"].append((agency_id(c.agency), cid, {}))
        batch.edges["IN_REVIEW"].append((cid, rid, {}))
        for name in c.subjects:
            batch.edges["ABOUT"].append((cid, pids[name], {}))
        for name in c.referred_to:
            batch.edges["REFERRED_TO"].append((cid, agency_id(name), {}))
        for name in c.shared_with:
            batch.edges["SHARED_WITH"].append((cid, agency_id(name), {}))
        for factor in c.risk_factors:
            batch.edges["FLAGGED"].append((cid, f"risk:{factor}", {}))
            factors.add(factor)
    batch.nodes["RiskFactor"] = [{"id": f"risk:{f}", "name": f} for f in sorted(factors)]
    return batch
