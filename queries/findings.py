"""The findings report: every catalogue query, grouped and counted, each finding with its evidence.

Markdown for reading and sharing as text; HTML as one self-contained file (no external resource,
everything escaped) that opens offline.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from queries.base import Query, catalogue

__all__ = ["Section", "run_findings", "to_markdown", "to_html"]


@dataclass
class Section:
    query: Query
    rows: list[dict[str, Any]]


def run_findings(store: Any, review: str | None = None, signals: str = "all") -> list[Section]:
    """Every catalogue query's rows; ``signals`` 'coded' leaves out what was only read from the text."""
    params = {**({"review": review} if review else {}), **({"signals": signals} if signals != "all" else {})}
    return [Section(q, store.run(q, params)) for q in catalogue()]


def _cite(item: dict) -> str:
    where = f"{item['file']}:{item['line']}"
    if not item["file"].startswith(f"{item['review']}/"):  # combined files and workbooks: name the review too
        where = f"{item['review']}: {where}"
    cite = f"{where} ({item['date']}, {item['agency']})" if item.get("agency") else where
    if item.get("signal") == "text":  # what the text says and the columns do not, quoted
        cite += " [text: " + "; ".join(f"\"{phrase}\"" for phrase in item["phrases"]) + "]"
    return cite


def _title(sections: list[Section], review: str | None) -> str:
    scope = f"review {review}" if review else "all reviews"
    total = sum(len(s.rows) for s in sections)
    return f"dhrgraph findings: {scope} ({total} finding{'s' if total != 1 else ''})"


def to_markdown(sections: list[Section], review: str | None = None) -> str:
    lines = [f"# {_title(sections, review)}", "",
             "Each finding describes what agencies recorded and did, and cites the chronology rows it rests on.", ""]
    lines += ["| query | findings |", "| --- | --- |"] + [f"| {s.query.name} | {len(s.rows)} |" for s in sections] + [""]
    for section in sections:
        lines += [f"## {section.query.title} (`{section.query.name}`): {len(section.rows)}", "", section.query.description, ""]
        if not section.rows:
            lines += ["No findings.", ""]
        for row in section.rows:
            lines.append(f"- **{row['review']}**: {row['finding']}")
            lines += [f"  - {_cite(item)}" for item in row["evidence"]]
        lines.append("")
    return "\n".join(lines)


CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}
.finding{margin:.6rem 0}.review{font-weight:600}.evidence{color:#444;font-size:.9em;margin:.2rem 0 0 1.2rem}
.muted{color:#666}a{color:#0b57d0}
"""


def to_html(sections: list[Section], review: str | None = None, links: dict[str, str] | None = None) -> str:
    """``links`` maps a query name to a view (an HTML file next to the report) to link from its section."""
    esc = html.escape
    title = _title(sections, review)
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>",
             f"<style>{CSS}</style></head><body><h1>{esc(title)}</h1>",
             "<p class='muted'>Each finding describes what agencies recorded and did, and cites the chronology rows it rests on.</p>",
             "<table><tr><th>query</th><th>findings</th></tr>"]
    parts += [f"<tr><td><a href='#{esc(s.query.name)}'>{esc(s.query.name)}</a></td><td>{len(s.rows)}</td></tr>" for s in sections]
    parts.append("</table>")
    for section in sections:
        q = section.query
        parts.append(f"<h2 id='{esc(q.name)}'>{esc(q.title)} <code>{esc(q.name)}</code>: {len(section.rows)}</h2>")
        parts.append(f"<p class='muted'>{esc(q.description)}</p>")
        if links and q.name in links:
            parts.append(f"<p><a href='{esc(links[q.name])}'>Open the picture of these findings</a></p>")
        if not section.rows:
            parts.append("<p>No findings.</p>")
        for row in section.rows:
            cites = "".join(f"<li>{esc(_cite(item))}</li>" for item in row["evidence"])
            parts.append(f"<div class='finding'><span class='review'>{esc(row['review'])}</span>: {esc(row['finding'])}"
                         f"<ul class='evidence'>{cites}</ul></div>")
    parts.append("</body></html>")
    return "\n".join(parts)
