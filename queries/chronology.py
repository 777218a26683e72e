"""A review's whole chronology (every agency's contacts about anyone in it), and the terminal table
of a chronology that fits the terminal: date, agency, event, risk (level and DASH), referred to,
shared with, whom it was about, and as much of the summary as fits. The death that ends the
chronology is marked, and so is everything after it."""

from __future__ import annotations

from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.queries.outputs import terminal_safe
from dhrgraph.queries.base import Param, Query, register
from dhrgraph.queries.core import TIMELINE_KEYS, finish_timeline
from dhrgraph.queries.common import subject_name

__all__ = ["REVIEW_CHRONOLOGY", "terminal_table", "chronology"]

REVIEW_CHRONOLOGY_CYPHER = """
MATCH (:Review {name: $review})<-[:IN_REVIEW]-(c:Contact)<-[:RECORDED]-(a:Agency)
RETURN c.date_text AS date, c.uncertain AS uncertain, c.time AS time, c.sequence AS sequence,
       a.name AS agency, a.type AS agency_type, c.event AS event, c.summary AS summary,
       c.source AS source, c.professional AS professional, c.risk_level AS risk_level,
       c.dash_score AS dash_score, c.risk_factors AS risk_factors, c.referred_to AS referred_to,
       c.shared_with AS shared_with, c.review AS review, c.file AS file, c.line AS line,
       coalesce(c.record, c.line) AS record, coalesce(c.after_death, false) AS after_death, c.order_key AS order_key,
       [(c)-[:ABOUT]->(:Person)-[m:IN_REVIEW]->(r:Review) WHERE r.name = c.review | m.name] AS about
"""


def review_chronology_networkx(G: ModelGraph, params: dict) -> list[dict]:
    rows = []
    for rid in G.by_label("Review"):
        if G._node[rid]["name"] != params["review"]:
            continue
        for cid, _ in G.incoming(rid, "IN_REVIEW"):
            c = G._node[cid]
            if c["label"] != "Contact":
                continue
            agency = next(G._node[a] for a, _ in G.incoming(cid, "RECORDED"))
            rows.append({**{k: c.get(k) for k in TIMELINE_KEYS}, "date": c["date_text"], "record": c.get("record", c["line"]),
                         "after_death": bool(c.get("after_death")), "agency": agency["name"], "agency_type": agency["type"],
                         "about": [subject_name(G, p, c["review"]) for p, _ in G.outgoing(cid, "ABOUT")]})
    return rows


def finish_review_chronology(rows: list[dict], params: dict) -> list[dict]:
    for row in rows:
        row["about"] = sorted(row["about"])
    return finish_timeline(rows, params)


REVIEW_CHRONOLOGY = register(Query(
    name="review-chronology", title="A review's whole chronology",
    description="Every agency's contacts in one review, in chronology order, with whom each was about.",
    cypher=REVIEW_CHRONOLOGY_CYPHER, networkx=review_chronology_networkx, finish=finish_review_chronology, listed=False,
    params=(Param("review", None, "review id"),),
))


def _risk(row: dict) -> str:
    return " ".join(filter(None, [row.get("risk_level"), row.get("dash_score") is not None and f"DASH {row['dash_score']}"
                                  or None]))


def _cut(text: str, width: int) -> str:
    text = terminal_safe(" ".join(str(text).split()))  # no escape sequence from a cell reaches the terminal
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def terminal_table(rows: list[dict], width: int) -> str:
    """The chronology as lines no longer than ``width``: fixed columns cut to fit, then the summary."""
    if not rows:
        return "(no contacts)"
    columns = [("date", lambda r: r["date"], 11), ("agency", lambda r: r["agency"], 26),
               ("event", lambda r: ("death (end)" if r["event"] == "death" else
                                    r["event"].replace("_", " ") + (" (after death)" if r.get("after_death") else "")), 26),
               ("risk", _risk, 14), ("referred to", lambda r: "; ".join(r.get("referred_to") or []), 18),
               ("shared with", lambda r: "; ".join(r.get("shared_with") or []), 18)]
    if any("about" in r for r in rows):
        columns.insert(2, ("about", lambda r: "; ".join(r.get("about") or []), 16))
    cells = [[_cut(get(r), limit) for _, get, limit in columns] for r in rows]
    widths = [max(len(name), *(len(c[i]) for c in cells)) for i, (name, _, _) in enumerate(columns)]
    # narrow terminals: shrink the widest columns until the fixed part leaves room for a summary
    while sum(widths) + 2 * len(widths) + 20 > width and max(widths) > 6:
        widest = widths.index(max(widths))
        widths[widest] -= 1
    rest = max(width - sum(widths) - 2 * len(widths), 0)
    header = "  ".join(name[:w].ljust(w) for (name, _, _), w in zip(columns, widths)) + ("  summary" if rest >= 7 else "")
    lines = [header[:width].rstrip(), "  ".join("-" * w for w in widths)[:width]]
    for row, c in zip(rows, cells):
        line = "  ".join(_cut(text, w).ljust(w) for text, w in zip(c, widths))
        if rest >= 7 and row.get("summary"):
            line += "  " + _cut(row["summary"], rest)
        lines.append(line[:width].rstrip())
    return "\n".join(lines)


def chronology(store, person: str | None, review: str | None, *, redact: bool = False) -> list[dict]:
    """A person's timeline (``review`` only, when given), or without ``person`` the whole review."""
    from dhrgraph.queries.redact import Redactor
    from dhrgraph.queries.scope import check_review

    check_review(store, review)
    rows = store.timeline(person, review) if person is not None else store.run(REVIEW_CHRONOLOGY, {"review": review})
    return Redactor.of_store(store).rows(rows) if redact else rows
