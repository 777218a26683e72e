"""How information travelled from one agency to another: time-respecting paths of referrals and shares.

A path is a chain of flows (a contact recorded by one agency that referred to, or shared with,
the next) in chronology order: each hop's contact comes at or after the previous hop's. No agency
appears twice in a path. Used by ``dhrgraph path`` to check whether, when and how one agency's
knowledge could have reached another.
"""

from __future__ import annotations

from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.base import Param, Query, register
from dhrgraph.queries.common import (evidence_cypher, flow_cypher, SIGNALS, and_join, evidence, is_flow, strip_ids,
                                     subject_name, subjects_of)

__all__ = ["PATHS", "MAX_HOPS"]

MAX_HOPS = 4  # Cypher needs the bound as a literal; deeper chains are not credible as one piece of information

PATHS_CYPHER = f"""
MATCH (x:Agency {{id: $from}}), (y:Agency {{id: $to}})
MATCH (x)((a1:Agency)-[:RECORDED]->(f:Contact)-[r:REFERRED_TO|SHARED_WITH]->(a2:Agency)
          WHERE ($subject IS NULL OR EXISTS {{ (f)-[:ABOUT]->(:Person {{id: $subject}}) }})
            AND ($after IS NULL OR f.date >= $after) AND ($before IS NULL OR f.date <= $before)
            AND ($review IS NULL OR f.review = $review) AND {flow_cypher("r")}){{1,{MAX_HOPS}}}(y)
WHERE size(f) <= $max_hops
  AND all(i IN range(0, size(f) - 2) WHERE f[i].order_key <= f[i + 1].order_key)
  AND all(i IN range(0, size(a2) - 1) WHERE a2[i] <> x AND NOT a2[i] IN a2[i + 1..])
WITH f, a1, a2, r, [c IN f | [(c)-[:ABOUT]->(:Person)-[m:IN_REVIEW]->(rv:Review) WHERE rv.name = c.review | m.name]] AS about
RETURN [i IN range(0, size(f) - 1) | {{from: a1[i].name, to: a2[i].name, date: f[i].date_text,
        kind: CASE type(r[i]) WHEN 'REFERRED_TO' THEN 'referral' ELSE 'share' END,
        signal: CASE WHEN r[i].signal IS NULL THEN 'coded' ELSE 'text' END,
        order_key: f[i].order_key, evidence: {evidence_cypher("f[i]", "a1[i]")},
        about: about[i]}}] AS hops
"""


def _flows_from(G: ModelGraph, agency: str, p: dict) -> list[tuple[dict, str, str, str, str]]:
    """(contact, kind, next agency, contact id, signal) for every flow recorded by ``agency`` that passes the filters
    and counts (a flow read from the text only with ``signals`` 'all', and not rejected)."""
    flows = []
    for cid, _ in G.outgoing(agency, "RECORDED"):
        c = G.nodes[cid]
        if (p["after"] is not None and c["date"] < p["after"]) or (p["before"] is not None and c["date"] > p["before"]) \
                or (p["review"] is not None and c["review"] != p["review"]):
            continue
        if p["subject"] is not None and not any(person == p["subject"] for person, _ in G.outgoing(cid, "ABOUT")):
            continue
        for _, end, data in G.out_edges(cid, data=True):
            if data["type"] in ("REFERRED_TO", "SHARED_WITH") and is_flow(data, p):
                flows.append((c, "referral" if data["type"] == "REFERRED_TO" else "share", end, cid,
                              "coded" if data.get("signal") is None else "text"))
    return flows


def paths_networkx(G: ModelGraph, p: dict) -> list[dict]:
    rows: list[dict] = []
    cache: dict[str, list] = {}

    def walk(agency: str, since: str, visited: list[str], hops: list[dict]) -> None:
        if agency not in cache:
            cache[agency] = _flows_from(G, agency, p)
        for c, kind, end, cid, signal in cache[agency]:
            if c["order_key"] < since or end in visited:
                continue
            hop = {"from": G.nodes[agency]["name"], "to": G.nodes[end]["name"], "date": c["date_text"], "kind": kind,
                   "signal": signal, "order_key": c["order_key"], "evidence": evidence(c, G.nodes[agency]),
                   "about": [subject_name(G, s, c["review"]) for s in subjects_of(G, cid)]}
            if end == p["to"]:
                rows.append({"hops": [*hops, hop]})
            elif len(hops) + 1 < p["max_hops"]:
                walk(end, c["order_key"], [*visited, end], [*hops, hop])

    if p["from"] in G and p["to"] in G:
        walk(p["from"], "", [p["from"]], [])
    return rows


def finish_paths(rows: list[dict], p: dict) -> list[dict]:
    out = []
    for row in rows:
        arrives = row["hops"][-1]["order_key"]
        hops = [{**{k: v for k, v in hop.items() if k != "order_key"}, "evidence": strip_ids(hop["evidence"]),
                 "about": sorted(hop["about"])} for hop in row["hops"]]
        route = " -> ".join([hops[0]["from"], *(f"{h['to']} ({h['kind']} {h['date']} about {and_join(h['about'])})"
                                               for h in hops)])
        out.append(({"hops": hops, "length": len(hops), "arrives": hops[-1]["date"], "route": route}, (len(hops), arrives, route)))
    out.sort(key=lambda pair: pair[1])
    rows = [row for row, _ in out]
    return rows[: p["limit"]] if p["limit"] else rows


PATHS = register(Query(
    name="paths", title="Information paths between two agencies",
    description="Chains of referrals and shares, in chronology order, by which information from one agency reached "
                "another; each hop says whom the information was about (the contact's subjects) and whether the flow is "
                "coded or read from the text (signal).",
    cypher=PATHS_CYPHER, networkx=paths_networkx, finish=finish_paths, listed=False,
    params=(Param("from", None, "agency node id"), Param("to", None, "agency node id"),
            Param("subject", None, "only flows in contacts about this person (node id)"),
            Param("after", None, "only flows on or after this date (YYYY-MM-DD)"),
            Param("before", None, "only flows on or before this date (YYYY-MM-DD)"),
            Param("review", None, "only flows recorded in this review"),
            Param("max_hops", MAX_HOPS, f"longest chain, at most {MAX_HOPS}", int, high=MAX_HOPS),
            Param("limit", 50, "at most this many paths, shortest and earliest first (0: all)", int, low=0), SIGNALS),
))
