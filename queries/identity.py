"""The person records that record linkage compares, one per person per review, on both backends.

Not part of the catalogue (``listed=False``). Each record carries the person's identifying details
(the ``pii_`` properties of their IN_REVIEW relationship, see graph/model.py) and their relatives in
that review; nothing here is ever printed by a finding or a view.
"""

from __future__ import annotations

import datetime as dt
import difflib

from dhrgraph.graph.errors import DhrgraphError, UnknownName
from dhrgraph.graph.model import PII_PROPERTIES
from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.base import Query, register
from dhrgraph.queries.common import derived

__all__ = ["PERSON_RECORDS", "RECORD_KEYS", "IDENTITY_KIND", "DEFAULT_MIN_PROBABILITY", "person_records", "resolve_record",
           "decide", "identities", "link", "link_table_rows", "identity_params"]

RECORD_KEYS = ("review", "person", "abuser", "id", "global_id", "sex", "role", "identified", "aliases", "dob", "postcode", "identifiers",
               "relatives")

PERSON_RECORDS_CYPHER = f"""
MATCH (p:Person)-[m:IN_REVIEW]->(r:Review)
CALL (p, r) {{
  OPTIONAL MATCH (p)-[rel:RELATED]-(o:Person)-[om:IN_REVIEW]->(r)
  WHERE rel.review = r.name
  RETURN collect(DISTINCT {{id: o.id, global_id: o.global_id, name: om.name,
                            aliases: coalesce(om.{PII_PROPERTIES["aliases"]}, [])}}) AS relatives
}}
CALL (p, r) {{
  OPTIONAL MATCH (p)-[abuse:RELATED {{abusive: true}}]->(:Person)
  WHERE abuse.review = r.name
  RETURN count(abuse) > 0 AS abuser
}}
RETURN r.name AS review, m.name AS person, abuser, p.id AS id, p.global_id AS global_id, p.sex AS sex, m.role AS role,
       m.identified AS identified, coalesce(m.{PII_PROPERTIES["aliases"]}, []) AS aliases, m.{PII_PROPERTIES["dob"]} AS dob,
       m.{PII_PROPERTIES["postcode"]} AS postcode, coalesce(m.{PII_PROPERTIES["identifiers"]}, []) AS identifiers,
       [x IN relatives WHERE x.id IS NOT NULL] AS relatives
"""


def person_records_networkx(G: ModelGraph, params: dict) -> list[dict]:
    # made once per opened graph: serial-perpetrators and unidentified-people both read the records
    # (finish_person_records copies every row, so the kept ones are never changed)
    return derived(G, "person_records", _person_records)


def _person_records(G: ModelGraph) -> list[dict]:
    rows = []
    for pid in G.by_label("Person"):
        node = G.nodes[pid]
        for rid, m in G.outgoing(pid, "IN_REVIEW"):
            review = G.nodes[rid]["name"]
            relatives = {}
            for other, rel in [*G.outgoing(pid, "RELATED"), *G.incoming(pid, "RELATED")]:
                if rel["review"] != review:
                    continue
                om = next((om for r, om in G.outgoing(other, "IN_REVIEW") if r == rid), None)
                if om is not None:
                    relatives[other] = {"id": other, "global_id": G.nodes[other].get("global_id"), "name": om["name"],
                                        "aliases": om.get(PII_PROPERTIES["aliases"], [])}
            abuser = any(rel.get("abusive") and rel["review"] == review for _, rel in G.outgoing(pid, "RELATED"))
            rows.append({"review": review, "person": m["name"], "abuser": abuser, "id": pid, "global_id": node.get("global_id"),
                         "sex": node.get("sex"), "role": m.get("role"), "identified": m.get("identified"),
                         "aliases": m.get(PII_PROPERTIES["aliases"], []), "dob": m.get(PII_PROPERTIES["dob"]),
                         "postcode": m.get(PII_PROPERTIES["postcode"]), "identifiers": m.get(PII_PROPERTIES["identifiers"], []),
                         "relatives": list(relatives.values())})
    return rows


def finish_person_records(rows: list[dict], params: dict) -> list[dict]:
    out = []
    for r in rows:
        relatives = sorted(({**x, "aliases": sorted(x["aliases"])} for x in r["relatives"]), key=lambda x: x["id"])
        out.append({**r, "aliases": list(r["aliases"]), "identifiers": sorted(r["identifiers"]), "relatives": relatives})
    return sorted(out, key=lambda r: (r["review"], r["person"]))


PERSON_RECORDS = register(Query(
    name="person-records", title="Person records for linkage",
    description="Every person in every review with their identifying details and relatives there (sensitive: for linkage only).",
    cypher=PERSON_RECORDS_CYPHER, networkx=person_records_networkx, finish=finish_person_records, listed=False,
    reads=("Person", "Review", "IN_REVIEW", "RELATED"),
))


# --- who is who: decisions, the identity map, proposals ------------------------------------------
# An analyst's decision about two person records is a store decision of kind "identity", keyed by
# the pair ("REVIEW/PERSON|REVIEW/PERSON", sorted), with ``decision`` (same | different), ``left``,
# ``right``, ``note`` and ``decided`` (UTC time). Records are named by review and pseudonym, not
# node id, so a decision survives a reload and a change of global_id.

IDENTITY_KIND = "identity"
DECISIONS = ("same", "different")
DEFAULT_MIN_PROBABILITY = 0.5


def person_records(store) -> list[dict]:
    return store.run(PERSON_RECORDS)


def _key(record: dict) -> str:
    return f"{record['review']}/{record['person']}"


def pair_key(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def resolve_record(records: list[dict], text: str) -> dict:
    """The record named ``REVIEW/PERSON`` (UnknownName naming the closest ones)."""
    by_key = {_key(r): r for r in records}
    if text in by_key:
        return by_key[text]
    review, sep, person = text.partition("/")
    if not sep:
        raise UnknownName(f"Give a person as REVIEW/PERSON (e.g. dhr-northbrook-2021/Dean), got {text!r}.")
    matches = [k for k in by_key if k.lower() == text.lower()]
    if len(matches) == 1:
        return by_key[matches[0]]
    close = difflib.get_close_matches(text, list(by_key), n=5, cutoff=0.5) or \
        [k for k in by_key if k.split("/", 1)[1].lower() == person.lower()][:5]
    hint = f" Closest: {', '.join(close)}." if close else ""
    raise UnknownName(f"No person {text!r} in the loaded reviews.{hint}")


def check_review(records: list[dict], review: str | None) -> None:
    reviews = sorted({r["review"] for r in records})
    if review is not None and review not in reviews:
        close = difflib.get_close_matches(review, reviews, n=5, cutoff=0.5)
        raise UnknownName(f"No review {review!r}." + (f" Closest: {', '.join(close)}." if close else ""))


class _Groups:
    """Union-find over node ids, remembering which decision or link joined what."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _describe(decision: dict) -> str:
    note = f" ({decision['note']})" if decision.get("note") else ""
    when = f" on {decision['decided']}" if decision.get("decided") else ""
    return f"{decision['decision']} {decision['left']} {decision['right']}{when}{note}"


def _confirmed(records: list[dict], decisions: list[dict]) -> tuple[_Groups, dict[str, str]]:
    """Node ids joined by `same` decisions (a shared global_id is already one node), and record key -> node id."""
    ids = {_key(r): r["id"] for r in records}
    groups = _Groups()
    for d in decisions:
        if d.get("decision") == "same" and d["left"] in ids and d["right"] in ids:
            groups.union(ids[d["left"]], ids[d["right"]])
    return groups, ids


def decide(store, a: str, b: str, decision: str, note: str | None = None) -> dict:
    """Record that records ``a`` and ``b`` (REVIEW/PERSON) are the same person or different people.

    Refused (DhrgraphError) when it contradicts an earlier decision, directly or through others."""
    if decision not in DECISIONS:
        raise DhrgraphError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
    records = person_records(store)
    left, right = sorted((_key(resolve_record(records, a)), _key(resolve_record(records, b))))
    if left == right:
        raise DhrgraphError(f"{a!r} and {b!r} name the same record; give two different people.")
    decisions = store.decisions(IDENTITY_KIND)
    key = pair_key(left, right)
    earlier = next((d for d in decisions if d["key"] == key), None)
    if earlier is not None and earlier["decision"] != decision:
        raise DhrgraphError(f"Refused: {left} and {right} were already decided: {_describe(earlier)}. "
                            "Both cannot hold; the earlier decision stands.")
    others = [d for d in decisions if d["key"] != key]
    groups, ids = _confirmed(records, others)
    if decision == "different" and groups.find(ids[left]) == groups.find(ids[right]):
        if ids[left] == ids[right]:
            raise DhrgraphError(f"Refused: {left} and {right} share a global_id, so they are one person; "
                                "change the global_id in people.csv if that is wrong.")
        chain = [_describe(d) for d in others if d["decision"] == "same" and d["left"] in ids and d["right"] in ids
                 and groups.find(ids[d["left"]]) == groups.find(ids[left])]
        raise DhrgraphError(f"Refused: {left} and {right} are already one person through earlier decisions: {'; '.join(chain)}.")
    if decision == "same":
        joined = {groups.find(ids[left]), groups.find(ids[right])}
        for d in others:
            if d["decision"] == "different" and d["left"] in ids and d["right"] in ids \
                    and {groups.find(ids[d["left"]]), groups.find(ids[d["right"]])} == joined and len(joined) == 2:
                raise DhrgraphError(f"Refused: that would make one person of two records decided different: {_describe(d)}.")
    decided = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return store.record_decision(IDENTITY_KIND, key, decision=decision, left=left, right=right, note=note or None, decided=decided)


def identities(store) -> list[dict]:
    """Every identity decision, with whether both records are still loaded."""
    keys = {_key(r) for r in person_records(store)}
    return [{"decision": d["decision"], "left": d["left"], "right": d["right"], "note": d.get("note"),
             "decided": d.get("decided"), "loaded": d["left"] in keys and d["right"] in keys}
            for d in store.decisions(IDENTITY_KIND)]


def _ref(key: str) -> dict:
    review, _, person = key.partition("/")
    return {"review": review, "person": person}


def _proposals(records: list[dict], decisions: list[dict], min_probability: float) -> list:
    """Links between records not already one person and not decided either way."""
    from dhrgraph.queries.linkage import link_records

    groups, ids = _confirmed(records, decisions)
    decided = [frozenset((d["left"], d["right"])) for d in decisions]
    different = {frozenset((groups.find(ids[d["left"]]), groups.find(ids[d["right"]]))) for d in decisions
                 if d["decision"] == "different" and d["left"] in ids and d["right"] in ids}
    return [link for link in link_records(records, min_probability, exclude=decided)
            if groups.find(link.left_id) != groups.find(link.right_id)
            and frozenset((groups.find(link.left_id), groups.find(link.right_id))) not in different]


def link(store, min_probability: float = DEFAULT_MIN_PROBABILITY, review: str | None = None) -> list[dict]:
    """Pairs of person records that are probably one person (not yet decided), best first."""
    if not 0 <= min_probability <= 1:
        raise DhrgraphError(f"min-probability must be from 0 to 1, got {min_probability}")
    records = person_records(store)
    check_review(records, review)
    rows = []
    for link_ in _proposals(records, store.decisions(IDENTITY_KIND), min_probability):
        left, right = _ref(link_.left), _ref(link_.right)
        if review is None or review in (left["review"], right["review"]):
            rows.append({"left": left, "right": right, "probability": link_.probability, "reasons": list(link_.reasons)})
    return rows


def link_table_rows(rows: list[dict]) -> list[dict]:
    """Pairs flattened for a table or CSV: one column per side's review and person."""
    return [{"left_review": r["left"]["review"], "left_person": r["left"]["person"], "right_review": r["right"]["review"],
             "right_person": r["right"]["person"], "probability": r["probability"], "reasons": "; ".join(r["reasons"])}
            for r in rows]


def identity_params(store, min_probability: float | None) -> dict:
    """The identity map of queries that follow an abuser across reviews: ``identity`` (node id -> the
    id of the person it is one with, for every node joined to another by a `same` decision or, when
    ``min_probability`` is given, a probable link between two abusers' records), ``members`` (that id
    -> every node id it stands for) and ``links`` (each join: kind confirmed | probable, the pair, the
    probability).

    It reads every review (and runs record linkage): a store that keeps derived values (the embedded
    store's workspace) keeps it until a load or an identity decision changes what it was made from."""
    decisions = store.decisions(IDENTITY_KIND)
    name = "identity-map" if min_probability is None else f"identity-map-{min_probability!r}"
    return store.remembered(name, {"min_probability": min_probability, "decisions": decisions},
                            lambda: _identity_params(store, decisions, min_probability), valid=_is_identity_map)


def _is_identity_map(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get("identity"), dict) and isinstance(value.get("members"), dict) \
        and isinstance(value.get("links"), list) and all(isinstance(link, dict) for link in value["links"])


def _identity_params(store, decisions: list[dict], min_probability: float | None) -> dict:
    records = person_records(store)
    groups, ids = _confirmed(records, decisions)
    links = [{"kind": "confirmed", "left": _ref(d["left"]), "right": _ref(d["right"]), "ids": [ids[d["left"]], ids[d["right"]]],
              "probability": None}
             for d in decisions if d["decision"] == "same" and d["left"] in ids and d["right"] in ids]
    if min_probability is not None:
        abusers = [r for r in records if r["abuser"]]
        for link_ in _proposals(abusers, decisions, min_probability):
            groups.union(link_.left_id, link_.right_id)
            links.append({"kind": "probable", "left": _ref(link_.left), "right": _ref(link_.right),
                          "ids": [link_.left_id, link_.right_id], "probability": link_.probability})
    members: dict[str, list[str]] = {}
    for node in sorted({r["id"] for r in records}):
        members.setdefault(groups.find(node), []).append(node)
    joined = {root: nodes for root, nodes in members.items() if len(nodes) > 1}
    identity = {node: root for root, nodes in joined.items() for node in nodes}
    return {"identity": identity, "members": joined, "links": links}
