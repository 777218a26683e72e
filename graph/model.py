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
from typing import Sequence

from loaders import vocab
from loaders.records import Review

__all__ = ["Batch", "Table", "review_batch", "LABELS", "REL_TYPES", "person_id", "agency_id", "review_id", "contact_ids", "order_keys"]

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


# What a contact's text says (loaders/textsignals.py), kept apart from the coded columns: one entry per
# signal in each list, in text order. ``text_signals`` holds each one's key ("risk_factor/strangulation",
# "dash/16", "referred_to/Northbrook MARAC"; its id is the contact id + "/" + key), ``text_coded``
# whether the coded columns already say the same.
TEXT_COLUMNS = ("text_signals", "text_phrases", "text_starts", "text_ends", "text_rules", "text_coded")

# The contact properties, in the (sorted) column order of the workspace files.
CONTACT_COLUMNS = tuple(sorted((
    "id", "review", "file", "line", "record", "date", "date_text", "date_precision", "uncertain", "order_key", "time", "sequence", "agency",
    "event", "summary", "professional", "risk_level", "dash_score", "risk_factors", "referred_to", "shared_with",
    "referral_outcome", "source", *TEXT_COLUMNS)))


def review_batch(review: Review, signals: bool = True) -> Batch:
    """The graph rows of one validated review.

    Contacts are built column by column from the loader's columns (list comprehensions and ``zip``,
    no Python object per contact): a review's contacts are nearly all of its rows. With ``signals``
    (the default) each contact's summary is read for risk, scores, levels, referrals and shares
    (``text_*`` properties, and a REFERRED_TO / SHARED_WITH relationship with ``source: 'text'`` for a
    flow the columns do not record); ``signals=False`` is only for measuring what reading costs.
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
    found = _read_text(review) if signals else None
    agencies = review.agencies
    if found:  # a declared agency the columns never name can still be named in a summary
        named = {s.value for contact in found for s in contact if s.kind in ("referred_to", "shared_with")}
        agencies = {**agencies, **{n: review.declared[n] for n in sorted(named) if n not in agencies}}
    aids = {name: agency_id(name) for name in agencies}
    batch.nodes["Agency"] = Table.of([{"id": aids[a.name], "name": a.name, "type": a.type} for a in agencies.values()])
    # spellings belong to the review that declared them, so they come and go with it
    in_review += [(aids[a.name], rid, _props(aliases=list(a.aliases) or None)) for a in agencies.values()]

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
        "uncertain": list(uncertain), **{k: [None] * n for k in TEXT_COLUMNS},
    }
    text_flows = _text_columns(review, cids, values, found) if found else {}
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
    for rel_type, coded in (("REFERRED_TO", c.referred_to), ("SHARED_WITH", c.shared_with)):
        rows = [(cid, aids[name]) for cid, names in zip(cids, coded) for name in names]
        extra = text_flows.get(rel_type)
        # a flow read from the text carries its signal's id; coded ones carry nothing (as before)
        batch.edges[rel_type] = Table(["signal", "source"], [(*r, None, None) for r in rows]
                                      + [(cid, aids[name], sid, "text") for cid, name, sid in extra]) if extra else Table([], rows)
    batch.edges["FLAGGED"] = Table([], [(cid, f"risk:{f}") for cid, factors in zip(cids, c.risk_factors) for f in factors])
    factors = sorted({f for fs in set(c.risk_factors) for f in fs})
    batch.nodes["RiskFactor"] = Table(["id", "name"] if factors else [], [(f"risk:{f}", f) for f in factors])
    return batch


def _read_text(review: Review) -> list:
    """Each contact's signals read from its summary (loaders/textsignals.py)."""
    from loaders.textsignals import review_signals

    return review_signals(review)


def _text_columns(review: Review, cids: list[str], values: dict[str, list], signals: list) -> dict[str, list[tuple[str, str, str]]]:
    """Fill ``values``' text columns from each contact's ``signals``; return the flows only the text records,
    by relationship type: (contact id, agency name, signal id)."""
    from loaders.textsignals import signal_id

    c = review.contacts
    columns: dict[str, list] = {k: [] for k in TEXT_COLUMNS}
    flows: dict[str, list[tuple[str, str, str]]] = {"REFERRED_TO": [], "SHARED_WITH": []}
    for i, found in enumerate(signals):
        if not found:
            for k in TEXT_COLUMNS:
                columns[k].append(None)
            continue
        flowed = set(c.referred_to[i]) | set(c.shared_with[i])
        coded = []
        for s in found:
            if s.kind == "risk_factor":
                said = s.value in c.risk_factors[i]
            elif s.kind == "dash":
                said = c.dash_score[i] is not None and str(c.dash_score[i]) == s.value
            elif s.kind == "risk_level":
                said = c.risk_level[i] == s.value
            else:
                said = s.value in flowed
                if not said:
                    flows["REFERRED_TO" if s.kind == "referred_to" else "SHARED_WITH"].append(
                        (cids[i], s.value, signal_id(cids[i], s.kind, s.value)))
            coded.append(said)
        columns["text_signals"].append([s.key for s in found])
        columns["text_phrases"].append([s.phrase for s in found])
        columns["text_starts"].append([s.start for s in found])
        columns["text_ends"].append([s.end for s in found])
        columns["text_rules"].append([s.rule for s in found])
        columns["text_coded"].append(coded)
    values.update(columns)
    return flows
