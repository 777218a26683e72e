"""The graph model, shared by both stores, and the one function that turns a review into it.

    (Agency)-[:RECORDED]->(Contact)-[:ABOUT]->(Person)-[:RELATED {kind, abusive}]->(Person)
    (Contact)-[:REFERRED_TO]->(Agency)      (Contact)-[:SHARED_WITH]->(Agency)
    (Contact)-[:REFERRED_BY]->(Agency)      a referral the contact's agency received from that one (from its words)
    (Contact)-[:FLAGGED]->(RiskFactor)      (Person|Contact|Agency)-[:IN_REVIEW]->(Review)
    (Recommendation)-[:IN_REVIEW]->(Review)  (Recommendation)-[:ADDRESSED_TO]->(Agency)

Every node has a unique string ``id`` with a prefix naming its kind. People with a ``global_id``
are one node across reviews (``person:global:<id>``); others are ``person:<review>/<pseudonym>``,
where ``%``, ``/`` and ``:`` in the review id and ``%`` and ``/`` in the pseudonym are written
``%25``, ``%2F`` and ``%3A`` (see ``escape``): review ``north`` person ``east/Jo`` and review
``north/east`` person ``Jo`` are two people, and no review id can pass for ``global:``. Ids of
names without those characters are unchanged from earlier versions, so old workspaces open as
they are (a review loaded again gets the new ids). Contacts are ``contact:<review>#<line>``
(unambiguous: a line is digits only), agencies ``agency:<normalised name>``, risk factors
``risk:<name>``, reviews ``review:<review>``.
Agencies are one node per normalised name across reviews. A person's role, pseudonym and age,
and an agency's other spellings (aliases), belong to a review, so they sit on the IN_REVIEW
relationship to it.

Properties that are not recorded are left out rather than stored as null (Neo4j cannot store
null), so both stores hold exactly the same properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, NamedTuple, Sequence

from dhrgraph.loaders import vocab
from dhrgraph.loaders.records import Agency, Contacts, Review

if TYPE_CHECKING:
    from dhrgraph.loaders.readahead import Readahead

__all__ = ["PII_PREFIX", "PII_PROPERTIES", "identifying_properties", "Batch", "Table", "review_batch", "LABELS", "REL_TYPES", "person_id",
           "agency_id", "review_id", "contact_ids", "contact_sources", "order_keys", "recommendation_id"]

LABELS = ("Review", "Person", "Agency", "Contact", "RiskFactor", "Recommendation")
REL_TYPES = ("RECORDED", "ABOUT", "REFERRED_TO", "SHARED_WITH", "FLAGGED", "RELATED", "IN_REVIEW", "ADDRESSED_TO",
             "REFERRED_BY")
# Nodes that several reviews can share: merged (the last review loaded sets their properties) and
# removed only when no review uses them.
SHARED_LABELS = ("Person", "Agency", "RiskFactor")
# The prefix of each label's node ids (``person:...``): a node id names its label.
PREFIX_LABEL = {"review": "Review", "person": "Person", "agency": "Agency", "contact": "Contact", "risk": "RiskFactor",
                "recommendation": "Recommendation"}


def chronology_end(index_date: str | None, events: Iterable[str], dates: Iterable[str]) -> str | None:
    """The ISO date the review's chronology ends: its index date, or the first ``death`` contact's date,
    whichever is earlier (None when neither is known). ``events`` and ``dates`` are the contacts' columns."""
    ends = [d for e, d in zip(events, dates) if e == vocab.DEATH_EVENT] + ([index_date] if index_date else [])
    return min(ends) if ends else None


def review_id(review: str) -> str:
    return f"review:{review}"


_ESCAPES = {"%": "%25", "/": "%2F", ":": "%3A"}


def escape(text: str, chars: str = "%/:") -> str:
    """``text`` with each of ``chars`` percent-encoded (``%`` first), so that it can sit between separators."""
    for char in "%/:":
        if char in chars and char in text:
            text = text.replace(char, _ESCAPES[char])
    return text


def person_id(review: str, name: str, global_id: str | None) -> str:
    """One person's node id: the same text for the same person and different for different people,
    whatever characters the review id and pseudonym contain (see the module docstring)."""
    return f"person:global:{global_id}" if global_id else f"person:{escape(review)}/{escape(name, '%/')}"


def agency_id(name: str) -> str:
    return f"agency:{vocab.agency_key(name)}"


def recommendation_id(review: str, ref: str) -> str:
    """A recommendation's node id, escaped like a person's (unambiguous whatever the review id holds)."""
    return f"recommendation:{escape(review)}/{escape(ref, '%/')}"


def contact_ids(review: str, keys: list) -> list[str]:
    prefix = f"contact:{review}#"
    return [f"{prefix}{key}" for key in keys]


def contact_sources(review: str, files: list[str], lines: list[int], records: list[int]) -> tuple[list, list[str]]:
    """Each contact's id key and its place in its review's file order, both from its source.

    A review read from one chronology file: the line (``contact:dhr-x#13``, placed by line). A review
    merged from several files (each agency's own): the file within the review folder and the record
    (``contact:dhr-x#chronologies/Northbrook Police.docx:7``), placed file by file in name order, then
    by record. So a contact's id depends only on where its row is, and a merged chronology written
    out with its sources and loaded again gives the same ids."""
    names = set(files)
    if len(names) <= 1:
        return lines, ['%08d' % line for line in lines]
    rank = {name: i for i, name in enumerate(sorted(names))}
    prefix = f"{review}/"
    short = {name: name[len(prefix):] if name.startswith(prefix) else name for name in names}
    return ([f"{short[f]}:{r}" for f, r in zip(files, records)],
            [f"{rank[f]:03d}.{r:08d}" for f, r in zip(files, records)])


def order_keys(sort_keys: list[str], sequences: list[int | None], times: list[str | None], review: str, places: list[str]) -> list[str]:
    """Strings that sort contacts in chronology order: date (partial dates first in their period),
    then sequence (rows without one after those with one), time, review, place in the review's files
    (see ``contact_sources``). Stored on each contact so that Cypher and NetworkX order by the same thing."""
    tail = f"|{review}|"
    return [f"{key}|{'100000' if seq is None else '0%05d' % seq}|{time or '--:--'}{tail}{place}"
            for key, seq, time, place in zip(sort_keys, sequences, times, places)]


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


def check_batch(batch: Batch) -> None:
    """Refuse a batch that is not a whole review: a node without a text id, or a relationship whose
    start or end is not one of its nodes. Both stores import through this, so neither accepts a
    review file the other would refuse (the embedded store cannot draw an edge to a missing node;
    Neo4j's MATCH would silently drop it)."""
    ids: set[str] = set()
    for label, table in batch.nodes.items():
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}")
        if not table.rows:
            continue
        at = table.columns.index("id")
        for row in table.rows:
            node = row[at]
            if not isinstance(node, str) or PREFIX_LABEL.get(node.split(":", 1)[0]) != label:
                raise ValueError(f"a {label} node whose id {node!r} is not a {label} id")
            ids.add(node)
    for rel_type, table in batch.edges.items():
        if rel_type not in REL_TYPES:
            raise ValueError(f"unknown relationship type {rel_type!r}")
        for row in table.rows:
            if row[0] not in ids or row[1] not in ids:
                missing = row[0] if row[0] not in ids else row[1]
                raise ValueError(f"a {rel_type} relationship to {missing!r}, which is not a node of the review")


# A person's identifying details (people.csv's aliases, dob, postcode, identifiers) sit on their
# IN_REVIEW relationship under these marked names. They are sensitive: record linkage reads them
# (queries/identity.py), and children-not-referred a child's dob to tell whether they were born at a
# contact (queries/children.py); no view, finding or redacted output may print a ``pii_`` property.
PII_PREFIX = "pii_"
PII_PROPERTIES = {column: PII_PREFIX + column for column in ("aliases", "dob", "postcode", "identifiers")}


def identifying_properties(person) -> dict:
    """The person's identifying details as IN_REVIEW properties (lists for the ; columns)."""
    values = {"aliases": list(person.aliases) or None, "dob": person.dob, "postcode": person.postcode,
              "identifiers": list(person.identifiers) or None}
    return {PII_PROPERTIES[k]: v for k, v in values.items() if v is not None}


def _props(**values: object) -> dict:
    return {k: v for k, v in values.items() if v is not None and v != ()}


# What a contact's text says (loaders/textsignals.py), kept apart from the coded columns: one entry per
# signal in each list, in text order. ``text_signals`` holds each one's key ("risk_factor/strangulation",
# "dash/16", "referred_to/Northbrook MARAC", "event/did_not_attend"; its id is the contact id + "/" + key), ``text_coded``
# whether the coded columns already say the same.
TEXT_COLUMNS = ("text_signals", "text_phrases", "text_starts", "text_ends", "text_rules", "text_coded")

# The contact properties, in the (sorted) column order of the workspace files.
CONTACT_COLUMNS = tuple(sorted((
    "id", "review", "file", "line", "record", "date", "date_text", "date_precision", "uncertain", "order_key", "time", "sequence", "agency",
    "event", "summary", "professional", "after_death", "risk_level", "dash_score", "risk_factors", "referred_to", "shared_with",
    "referral_outcome", "source", *TEXT_COLUMNS)))


def review_batch(review: Review, signals: bool = True, readings: "Readahead | None" = None) -> Batch:
    """The graph rows of one validated review.

    Contacts are built column by column from the loader's columns (list comprehensions and ``zip``,
    no Python object per contact): a review's contacts are nearly all of its rows. With ``signals``
    (the default) each contact's summary is read for risk, scores, levels, referrals and shares
    (``text_*`` properties, and a REFERRED_TO / SHARED_WITH relationship with ``source: 'text'`` for a
    flow the columns do not record, REFERRED_BY for a referral received); ``signals=False`` is only for measuring what reading costs.
    """
    batch = Batch(review.id)
    rid = review_id(review.id)
    c = review.contacts
    n = len(c)
    iso = [d.graph_values[0] for d in c.date]
    end = chronology_end(review.info.get("index_date"), c.event, iso)
    batch.nodes["Review"] = Table.of([_props(id=rid, name=review.id, path=review.path, **review.info, ends=end)])
    pids = {p.person: person_id(review.id, p.person, p.global_id) for p in review.people}
    batch.nodes["Person"] = Table.of([_props(id=pids[p.person], name=p.person, global_id=p.global_id, sex=p.sex)
                                      for p in review.people])
    in_review = [(pids[p.person], rid, _props(role=p.role, name=p.person, age=p.age, identified=p.identified, file=p.file, line=p.line,
                                              **identifying_properties(p)))
                 for p in review.people]
    batch.edges["RELATED"] = Table.of(
        [_props(kind=r.relationship, abusive=r.abusive, review=review.id, file=r.file, line=r.line) for r in review.relationships],
        [(pids[r.person], pids[r.other]) for r in review.relationships])
    # the text columns: from the readahead's second process when it read this review, else read here
    said = readings.take(review) if signals and readings is not None else None
    if signals and said is None:
        found = _read_text(review)
        said = text_columns(c, found) if found else None
    agencies = review.agencies
    if said:  # a declared agency the columns never name can still be named in a summary, and a forum no file declares
        agencies = {**agencies, **{n: review.declared.get(n) or Agency.undeclared(n) for n in said.named if n not in agencies}}
    aids = {name: agency_id(name) for name in agencies}
    batch.nodes["Agency"] = Table.of([{"id": aids[a.name], "name": a.name, "type": a.type} for a in agencies.values()])
    # spellings belong to the review that declared them, so they come and go with it
    in_review += [(aids[a.name], rid, _props(aliases=list(a.aliases) or None)) for a in agencies.values()]

    keys, places = contact_sources(review.id, c.file, c.line, c.record)
    cids = contact_ids(review.id, keys)
    iso, precision, text, uncertain, sort_keys = zip(*[d.graph_values for d in c.date]) if n else ((),) * 5
    values = {
        "agency": c.agency, "date": list(iso), "date_precision": list(precision), "date_text": list(text),
        "dash_score": c.dash_score, "event": c.event, "file": c.file, "id": cids, "line": c.line, "record": c.record,
        "order_key": order_keys(sort_keys, c.sequence, c.time, review.id, places),
        "professional": c.professional, "referral_outcome": c.referral_outcome,
        "referred_to": [names or None for names in c.referred_to], "review": [review.id] * n,
        "risk_factors": [factors or None for factors in c.risk_factors], "risk_level": c.risk_level, "sequence": c.sequence,
        "shared_with": [names or None for names in c.shared_with], "source": c.source, "summary": c.summary, "time": c.time,
        "uncertain": list(uncertain), **{k: [None] * n for k in TEXT_COLUMNS},
        # the death ends the chronology (chronology_end): what comes on or after it is marked
        "after_death": [True if end is not None and d >= end else None for d in iso],
    }
    text_flows: dict[str, list[tuple[str, str, str]]] = {}
    if said:
        from dhrgraph.loaders.textsignals import signal_id

        said.fill(values)
        for rel_type, kind in (("REFERRED_TO", "referred_to"), ("SHARED_WITH", "shared_with"), ("REFERRED_BY", "referred_by")):
            text_flows[rel_type] = [(cids[i], name, signal_id(cids[i], kind, name)) for i, k, name in said.flows if k == kind]
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
    # a referral the recording agency received, told in its words: from the agency named to the recorder (no column
    # records one)
    received = text_flows.get("REFERRED_BY")
    batch.edges["REFERRED_BY"] = Table(["signal", "source"], [(cid, aids[name], sid, "text") for cid, name, sid in received]) \
        if received else Table()
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


def _read_text(review: Review) -> list:
    """Each contact's signals read from its summary (loaders/textsignals.py)."""
    from dhrgraph.loaders.textsignals import review_signals

    return review_signals(review)


class TextColumns(NamedTuple):
    """What a review's ``text_*`` columns hold, compactly (``text_columns``): plain lists, ints and strings, so a
    second process (``loaders.readahead``) can build it and send it over a pipe cheaply. ``fill`` expands it."""

    read: list[tuple[list, list, list, list, list]]  # each distinct signals tuple's keys, phrases, starts, ends, rules
    coded: list[tuple[bool, ...]]  # each distinct ``text_coded`` value
    at: list[int]  # the contacts with signals, in contact order
    which: list[int]  # for each of them, its ``read`` entry
    how: list[int]  # and its ``coded`` entry
    flows: list[tuple[int, str, str]]  # flows only the text records: (contact index, kind, agency name), in contact order
    named: list[str]  # every agency a flow signal names, sorted

    def fill(self, values: dict[str, list]) -> None:
        """Set ``values``' text columns (lists of None, one per contact) at each contact with signals; each contact
        gets its own lists."""
        keys, phrases, starts, ends, rules, coded_column = (values[k] for k in TEXT_COLUMNS)
        read, coded = self.read, self.coded
        for i, k, j in zip(self.at, self.which, self.how):
            r = read[k]
            keys[i], phrases[i], starts[i], ends[i], rules[i] = r[0][:], r[1][:], r[2][:], r[3][:], r[4][:]
            coded_column[i] = list(coded[j])


def text_columns(c: "Contacts", signals: list) -> TextColumns | None:
    """What the ``text_*`` columns hold for contacts ``c`` given each contact's ``signals``
    (``textsignals.review_signals``), None when no contact has any (see ``TextColumns``)."""
    from dhrgraph.loaders.textsignals import FLOWS  # imported by whoever read the signals

    at = [i for i, found in enumerate(signals) if found]
    if not at:
        return None
    flows: list[tuple[int, str, str]] = []
    named: set[str] = set()
    # contacts with the same summary share their signals' tuple: its columns are read once (held by id while
    # ``signals`` keeps every tuple alive)
    read: list[tuple[list, list, list, list, list]] = []
    by_id: dict[int, tuple[int, bool]] = {}
    coded_values: dict[tuple[bool, ...], int] = {}
    which, how = [], []
    for i in at:
        found = signals[i]
        k = by_id.get(id(found))
        if k is None:
            flowing = any(s.kind in FLOWS for s in found)
            if flowing:
                named.update(s.value for s in found if s.kind in FLOWS)
            k = by_id[id(found)] = (len(read), flowing)
            read.append(([s.key for s in found], [s.phrase for s in found], [s.start for s in found],
                         [s.end for s in found], [s.rule for s in found]))
        flowed = set(c.referred_to[i]) | set(c.shared_with[i]) if k[1] else ()
        coded = []
        for s in found:
            if s.kind == "risk_factor":
                said = s.value in c.risk_factors[i]
            elif s.kind == "dash":
                said = c.dash_score[i] is not None and str(c.dash_score[i]) == s.value
            elif s.kind == "risk_level":
                said = c.risk_level[i] == s.value
            elif s.kind == "event":
                said = c.event[i] == s.value
            else:
                said = s.value in flowed
                if not said:
                    flows.append((i, s.kind, s.value))
            coded.append(said)
        which.append(k[0])
        how.append(coded_values.setdefault(tuple(coded), len(coded_values)))
    return TextColumns(read, list(coded_values), at, which, how, flows, sorted(named))
