"""The graph model, shared by both stores, and the one function that turns a review into it.

    (Agency)-[:RECORDED]->(Contact)-[:ABOUT]->(Person)-[:RELATED {kind, abusive}]->(Person)
    (Contact)-[:REFERRED_TO]->(Agency)      (Contact)-[:SHARED_WITH]->(Agency)
    (Contact)-[:FLAGGED]->(RiskFactor)      (Person|Contact|Agency)-[:IN_REVIEW]->(Review)
    (Recommendation)-[:IN_REVIEW]->(Review)  (Recommendation)-[:ADDRESSED_TO]->(Agency)

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
from typing import Sequence

from loaders import vocab
from loaders.records import Review

__all__ = ["Batch", "Table", "review_batch", "LABELS", "REL_TYPES", "person_id", "agency_id", "review_id", "contact_ids", "order_keys",
           "recommendation_id"]

LABELS = ("Review", "Person", "Agency", "Contact", "RiskFactor", "Recommendation")
REL_TYPES = ("RECORDED", "ABOUT", "REFERRED_TO", "SHARED_WITH", "FLAGGED", "RELATED", "IN_REVIEW", "ADDRESSED_TO")
# Nodes that several reviews can share: merged (the last review loaded sets their properties) and
# removed only when no review uses them.
SHARED_LABELS = ("Person", "Agency", "RiskFactor")


def review_id(review: str) -> str:
    return f"review:{review}"


def person_id(review: str, name: str, global_id: str | None) -> str:
    return f"person:global:{global_id}" if global_id else f"person:{review}/{name}"


def agency_id(name: str) -> str:
    return f"agency:{vocab.agency_key(name)}"


def recommendation_id(review: str, ref: str) -> str:
    return f"recommendation:{review}/{ref}"


def contact_ids(review: str, lines: list[int]) -> list[str]:
    prefix = f"contact:{review}#"
    return [f"{prefix}{line}" for line in lines]


def order_keys(sort_keys: list[str], sequences: list[int | None], times: list[str | None], review: str, lines: list[int]) -> list[str]:
    """Strings that sort contacts in chronology order: date (partial dates first in their period),
    then sequence (rows without one after those with one), time, review, line. Stored on each
    contact so that Cypher and NetworkX order by the same thing."""
    tail = f"|{review}|"
    return [f"{key}|{'100000' if seq is None else '0%05d' % seq}|{time or '--:--'}{tail}{'%08d' % line}"
            for key, seq, time, line in zip(sort_keys, sequences, times, lines)]


@dataclass(slots=True)
class Table:
    """The rows of one label or relationship type, column by column names: each row is a sequence of
    values in ``columns`` order (a relationship row starts with its start and end ids), None where
    a property is absent. This is also how the workspace stores them (one key list, not one per row)."""

    columns: list[str] = field(default_factory=list)
    rows: list[Sequence] = field(default_factory=list)

    @classmethod
    def of(cls, dicts: list[dict], heads: list[Sequence] | None = None) -> "Table":
        """A table of property dicts (after ``heads``, e.g. the start and end of each relationship)."""
        columns = sorted({k for d in dicts for k in d})
        heads = heads if heads is not None else [()] * len(dicts)
        return cls(columns, [(*head, *map(d.get, columns)) for head, d in zip(heads, dicts)])

    def dicts(self, skip: int = 0) -> list[dict]:
        """Each row's properties (after its first ``skip`` values), without the absent ones."""
        columns = self.columns
        return [{k: v for k, v in zip(columns, row[skip:]) if v is not None} for row in self.rows]


@dataclass
class Batch:
    """One review as graph rows: a table per node label and per relationship type."""

    review: str
    nodes: dict[str, Table] = field(default_factory=lambda: {label: Table() for label in LABELS})
    edges: dict[str, Table] = field(default_factory=lambda: {t: Table() for t in REL_TYPES})

    @property
    def contact_count(self) -> int:
        return len(self.nodes["Contact"].rows)

    def node_dicts(self, label: str) -> list[dict]:
        return self.nodes[label].dicts()

    def edge_triples(self, rel_type: str) -> list[tuple[str, str, dict]]:
        table = self.edges[rel_type]
        return [(row[0], row[1], props) for row, props in zip(table.rows, table.dicts(skip=2))]

    @classmethod
    def from_dicts(cls, review: str, nodes: dict[str, list[dict]], edges: dict[str, list[tuple[str, str, dict]]]) -> "Batch":
        batch = cls(review)
        for label, rows in nodes.items():
            batch.nodes[label] = Table.of(rows)
        for rel_type, rows in edges.items():
            batch.edges[rel_type] = Table.of([p for _, _, p in rows], [(s, e) for s, e, _ in rows])
        return batch

    def to_json(self) -> dict:
        """The workspace's JSON of this review (tuples become JSON arrays)."""
        return {"review": self.review,
                "nodes": {label: {"columns": t.columns, "rows": t.rows} for label, t in self.nodes.items()},
                "edges": {rel_type: {"columns": t.columns, "rows": t.rows} for rel_type, t in self.edges.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Batch":
        batch = cls(data["review"])
        for label, table in data["nodes"].items():
            batch.nodes[label] = Table(table["columns"], table["rows"])
        for rel_type, table in data["edges"].items():
            batch.edges[rel_type] = Table(table["columns"], table["rows"])
        return batch


def _props(**values: object) -> dict:
    return {k: v for k, v in values.items() if v is not None and v != ()}


# The contact properties, in the (sorted) column order of the workspace files.
CONTACT_COLUMNS = tuple(sorted((
    "id", "review", "file", "line", "record", "date", "date_text", "date_precision", "uncertain", "order_key", "time", "sequence", "agency",
    "event", "summary", "professional", "risk_level", "dash_score", "risk_factors", "referred_to", "shared_with",
    "referral_outcome", "source")))


def review_batch(review: Review) -> Batch:
    """The graph rows of one validated review.

    Contacts are built column by column from the loader's columns (list comprehensions and ``zip``,
    no Python object per contact): a review's contacts are nearly all of its rows.
    """
    batch = Batch(review.id)
    rid = review_id(review.id)
    batch.nodes["Review"] = Table.of([{"id": rid, "name": review.id, "path": review.path}])
    pids = {p.person: person_id(review.id, p.person, p.global_id) for p in review.people}
    batch.nodes["Person"] = Table.of([_props(id=pids[p.person], name=p.person, global_id=p.global_id, sex=p.sex)
                                      for p in review.people])
    in_review = [(pids[p.person], rid, _props(role=p.role, name=p.person, age=p.age, identified=p.identified, file=p.file, line=p.line))
                 for p in review.people]
    batch.edges["RELATED"] = Table.of(
        [_props(kind=r.relationship, abusive=r.abusive, review=review.id, file=r.file, line=r.line) for r in review.relationships],
        [(pids[r.person], pids[r.other]) for r in review.relationships])
    aids = {name: agency_id(name) for name in review.agencies}
    batch.nodes["Agency"] = Table.of([{"id": aids[a.name], "name": a.name, "type": a.type} for a in review.agencies.values()])
    # spellings belong to the review that declared them, so they come and go with it
    in_review += [(aids[a.name], rid, _props(aliases=list(a.aliases) or None)) for a in review.agencies.values()]

    c = review.contacts
    n = len(c)
    cids = contact_ids(review.id, c.line)
    iso, precision, text, uncertain, sort_keys = zip(*[d.graph_values for d in c.date]) if n else ((),) * 5
    values = {
        "agency": c.agency, "date": list(iso), "date_precision": list(precision), "date_text": list(text),
        "dash_score": c.dash_score, "event": c.event, "file": [c.file] * n, "id": cids, "line": c.line, "record": c.record,
        "order_key": order_keys(sort_keys, c.sequence, c.time, review.id, c.line),
        "professional": c.professional, "referral_outcome": c.referral_outcome,
        "referred_to": [names or None for names in c.referred_to], "review": [review.id] * n,
        "risk_factors": [factors or None for factors in c.risk_factors], "risk_level": c.risk_level, "sequence": c.sequence,
        "shared_with": [names or None for names in c.shared_with], "source": c.source, "summary": c.summary, "time": c.time,
        "uncertain": list(uncertain),
    }
    # a property no contact of the review has is no column, as in ``Table.of``
    columns = [k for k in CONTACT_COLUMNS if values[k].count(None) != n]
    batch.nodes["Contact"] = Table(columns, list(zip(*(values[k] for k in columns))) if n else [])

    contact_agency = [aids[name] for name in c.agency]
    batch.edges["RECORDED"] = Table([], list(zip(contact_agency, cids)))
    table = Table.of([p for _, _, p in in_review], [(s, e) for s, e, _ in in_review])
    tail = (rid,) + (None,) * len(table.columns)
    table.rows += [(cid,) + tail for cid in cids]
    batch.edges["IN_REVIEW"] = table
    batch.edges["ABOUT"] = Table([], [(cid, pids[name]) for cid, names in zip(cids, c.subjects) for name in names])
    batch.edges["REFERRED_TO"] = Table([], [(cid, aids[name]) for cid, names in zip(cids, c.referred_to) for name in names])
    batch.edges["SHARED_WITH"] = Table([], [(cid, aids[name]) for cid, names in zip(cids, c.shared_with) for name in names])
    batch.edges["FLAGGED"] = Table([], [(cid, f"risk:{f}") for cid, factors in zip(cids, c.risk_factors) for f in factors])
    factors = sorted({f for fs in set(c.risk_factors) for f in fs})
    batch.nodes["RiskFactor"] = Table(["id", "name"] if factors else [], [(f"risk:{f}", f) for f in factors])
    _recommendations(batch, review, rid, aids)
    return batch


def _recommendations(batch: Batch, review: Review, rid: str, aids: dict[str, str]) -> None:
    """A review's recommendations: nodes in the review, each addressed to its agency (if any)."""
    recs = review.recommendations
    ids = [recommendation_id(review.id, r.ref) for r in recs]
    batch.nodes["Recommendation"] = Table.of([_props(
        id=i, review=review.id, ref=r.ref, addressee=r.addressee, text=r.text, themes=list(r.themes) or None,
        due=r.due.iso if r.due else None, due_text=r.due.text if r.due else None,
        due_precision=r.due.precision if r.due else None, status=r.status, evidence=r.evidence, file=r.file, line=r.line)
        for i, r in zip(ids, recs)])
    batch.edges["IN_REVIEW"].rows += [(i, rid) + (None,) * len(batch.edges["IN_REVIEW"].columns) for i in ids]
    batch.edges["ADDRESSED_TO"] = Table([], [(i, aids[r.agency]) for i, r in zip(ids, recs) if r.agency])
