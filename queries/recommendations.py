"""Recommendations across reviews: the lessons not learned, and the actions past their date.

* ``recommendation_rows``: every recommendation with its review, the review's date (as the theme
  table dates it: index date, else last contact), addressee and agency type;
* ``repeated``: a theme (or free tag) and an agency type that received recommendations in two or
  more reviews: the same lesson given again, with the reviews and their dates;
* ``overdue``: recommendations past their due date (the end of the period a partial date names) and
  neither done nor not accepted, as of a day.

The graph facts come from one query with its Cypher and NetworkX side by side; the rest is shared.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    import networkx as nx

from dhrgraph.loaders.recommendations import CLOSED_STATUSES
from dhrgraph.loaders.vocab import agency_key
from dhrgraph.queries.base import Query, register
from dhrgraph.queries.core import by_label
from dhrgraph.queries.themes import REVIEW_DATES

__all__ = ["RECOMMENDATIONS", "recommendation_rows", "repeated", "overdue", "due_end"]

RECOMMENDATIONS_CYPHER = """
MATCH (n:Recommendation)-[:IN_REVIEW]->(r:Review)
CALL (n) {
  OPTIONAL MATCH (n)-[:ADDRESSED_TO]->(a:Agency)
  RETURN a.name AS agency, a.type AS agency_type
}
RETURN r.name AS review, n.ref AS id, n.addressee AS addressee, agency, agency_type, n.text AS text,
       coalesce(n.themes, []) AS themes, n.due AS due, n.due_text AS due_text, n.due_precision AS due_precision,
       n.status AS status, n.evidence AS evidence, n.file AS file, n.line AS line
"""


def recommendations_networkx(G: nx.MultiDiGraph, p: dict) -> list[dict]:
    node, succ = G._node, G._succ
    rows = []
    for nid in by_label(G, "Recommendation"):
        n = node[nid]
        review = agency = None
        for end, keyed in succ[nid].items():
            for d in keyed.values():
                if d["type"] == "IN_REVIEW":
                    review = node[end]["name"]
                elif d["type"] == "ADDRESSED_TO":
                    agency = node[end]
        rows.append({"review": review, "id": n["ref"], "addressee": n["addressee"],
                     "agency": agency["name"] if agency else None, "agency_type": agency["type"] if agency else None,
                     "text": n["text"], "themes": list(n.get("themes", [])), "due": n.get("due"), "due_text": n.get("due_text"),
                     "due_precision": n.get("due_precision"), "status": n["status"], "evidence": n.get("evidence"),
                     "file": n["file"], "line": n["line"]})
    return rows


def finish_recommendations(rows: list[dict], p: dict) -> list[dict]:
    for row in rows:
        # national and partnership recommendations have no agency: their addressee is their type
        row["agency"] = row["agency"] or row["addressee"]
        row["agency_type"] = row["agency_type"] or row["addressee"]
        # the due date as written ("2024-06"), and the last day of the period it names
        start, precision = row.pop("due"), row.pop("due_precision")
        row["due"], row["due_by"] = row.pop("due_text"), due_end(start, precision) if start else None
        del row["addressee"]
    return sorted(rows, key=lambda r: (r["review"], r["line"]))


RECOMMENDATIONS = register(Query(
    name="recommendations", title="Recommendations",
    description="Every recommendation of every review: its agency (or national / partnership) and the agency's type, "
                "text, themes, due date, status, evidence and the row it was read from.",
    cypher=RECOMMENDATIONS_CYPHER, networkx=recommendations_networkx, finish=finish_recommendations, listed=False,
))


def due_end(due: str, precision: str | None) -> str:
    """The last day of the period a due date names: '2024-06-01' to the month gives '2024-06-30'."""
    day = dt.date.fromisoformat(due)
    if precision == "year":
        return f"{day.year}-12-31"
    if precision == "month":
        return day.replace(day=calendar.monthrange(day.year, day.month)[1]).isoformat()
    return due


def _matches(row: dict, agency: str | None) -> bool:
    if agency is None:
        return True
    key = agency_key(agency)
    return key in (agency_key(row["agency"]), agency_key(row["agency_type"]))


def recommendation_rows(store: Any, agency: str | None = None) -> list[dict]:
    """Every recommendation (of ``agency``: its name, or an agency type, national or partnership), each
    with ``review_date``; in review and file order."""
    dates = {r["review"]: r["date"] for r in store.run(REVIEW_DATES)}
    rows = [r for r in store.run(RECOMMENDATIONS) if _matches(r, agency)]
    for row in rows:
        row["review_date"] = dates.get(row["review"])
    return rows


def overdue(rows: Iterable[dict], as_of: str) -> list[dict]:
    """The recommendations past their due date on ``as_of`` (ISO day) and not closed, with ``days_overdue``."""
    out = []
    for row in rows:
        end = row["due_by"]
        if end is None or row["status"] in CLOSED_STATUSES:
            continue
        if end < as_of:
            out.append({**row, "days_overdue": (dt.date.fromisoformat(as_of) - dt.date.fromisoformat(end)).days})
    return out


def repeated(rows: Iterable[dict], min_reviews: int = 2) -> list[dict]:
    """Themes (or tags) and agency types that received recommendations in ``min_reviews`` or more
    reviews: ``theme``, ``agency_type``, ``reviews`` (count), ``review_ids``, ``dates`` (each review's
    date, in the same order), ``recommendations`` ("review/id"), ``statuses``; most reviews first."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        for theme in row["themes"]:
            groups[(theme, row["agency_type"])].append(row)
    out = []
    for (theme, agency_type), recs in groups.items():
        reviews = sorted({r["review"] for r in recs}, key=lambda name: (next(r["review_date"] for r in recs
                                                                              if r["review"] == name) or "", name))
        if len(reviews) < min_reviews:
            continue
        dates = {r["review"]: r["review_date"] for r in recs}
        out.append({"theme": theme, "agency_type": agency_type, "reviews": len(reviews), "review_ids": reviews,
                    "dates": [dates[r] for r in reviews],
                    "recommendations": [f"{r['review']}/{r['id']}" for r in sorted(recs, key=lambda r: (r["review"], r["line"]))],
                    "statuses": sorted({r["status"] for r in recs})})
    return sorted(out, key=lambda r: (-r["reviews"], r["theme"], r["agency_type"]))
