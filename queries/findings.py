"""The findings report: every catalogue query, grouped and counted, each finding with its id, severity,
triage status and quoted evidence; the contacts several findings rest on; orphaned decisions.

Markdown for reading and sharing as text (every value from the input escaped, so no HTML or
Markdown from a name reaches the reader); HTML as one self-contained page built on the views'
page template (same Content-Security-Policy: no request of any kind).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from dhrgraph.loaders.gcpause import gc_paused
from dhrgraph.loaders.vocab import DASH_HIGH_RISK
from dhrgraph.queries.base import Query
from dhrgraph.queries.redact import Redactor
from dhrgraph.queries.render import CHUNK_ROWS
from dhrgraph.queries.scope import check_review
from dhrgraph.queries.triage import Orphan, SEVERITIES, orphaned, run_catalogue, with_status

__all__ = ["Section", "Report", "build_report", "to_markdown", "to_html", "finding_rows", "cite", "by_contact",
           "REPORT_FORMATS"]

REPORT_FORMATS = ("report", "table", "json", "csv")


@dataclass
class Section:
    query: Query
    rows: list[dict[str, Any]]


@dataclass
class Report:
    sections: list[Section]
    review: str | None = None  # as shown (a label when redacted)
    statuses: tuple[str, ...] = ()
    orphans: list[Orphan] = field(default_factory=list)
    redacted: bool = False
    raw: list[Section] = field(default_factory=list)  # the sections before redaction (to draw the views from)

    @property
    def total(self) -> int:
        return sum(len(s.rows) for s in self.sections)


# A report's rows, their ids and its HTML are objects that all live until the report is written: the cyclic
# collector would scan them again and again in vain. Each function pauses it; a caller that keeps the report
# (the findings command) pauses it around them all, else the first collection after each scans what it made.
@gc_paused()
def build_report(store: Any, review: str | None = None, statuses: Iterable[str] = (), redact: bool = False,
                 signals: str = "all") -> Report:
    """Run every query (only ``review``'s findings when given; ``signals`` 'coded': only coded facts),
    annotate, find orphaned decisions, keep the findings of ``statuses`` (all when empty), and redact when asked."""
    check_review(store, review)
    ran = run_catalogue(store, review, signals)
    orphans = orphaned(store, ran, review)
    sections = raw = [Section(q, with_status(rows, statuses)) for q, rows in ran]
    shown = review
    if redact:
        redactor = Redactor.of_store(store)
        sections = [Section(s.query, redactor.rows(s.rows)) for s in sections]
        orphans = [Orphan(o.id, o.status, None, o.query, o.review and redactor.review(o.review), redactor.text(o.finding))
                   for o in orphans]
        shown = review and redactor.review(review)
    return Report(sections, shown, tuple(statuses), orphans, redact, raw)


def finding_rows(report: Report) -> list[dict]:
    """Every finding row (each with ``query``), for JSON, CSV and tables."""
    return [row for s in report.sections for row in s.rows]


def cite(item: dict, short: bool = False, *, always_file: bool = False) -> str:
    """How every output cites a chronology row (an evidence item).

    Full (reports): 'dhr-northbrook-2021/chronology.csv record 13 (line 13), 2020-03-11, Northbrook Police,
    incident', plus the phrases of a text signal. ``short`` (pages): 'line 13 (2020-03-11, Northbrook
    Police)', naming the file only when it is not the review's chronology, or always with ``always_file``
    ('dhr-northbrook-2021/chronology.csv:13 (2020-03-11, Northbrook Police)')."""
    if short:
        own = not always_file and item["file"] == f"{item['review']}/chronology.csv"
        where = f"line {item['line']}" if own else f"{item['file']}:{item['line']}"
        when = ", ".join(filter(None, [item.get("date"), item.get("agency")]))
        return f"{where} ({when})" if when else where
    where = f"{item['file']} record {item.get('record', item['line'])}"
    if item.get("record") is not None and item["record"] != item["line"]:
        where += f" (line {item['line']})"
    if not item["file"].startswith(f"{item['review']}/"):  # combined files and workbooks: name the review too
        where = f"{item['review']}: {where}"
    cite = ", ".join(filter(None, [where, item.get("date"), item.get("agency"), item.get("event")]))
    if item.get("signal") == "text":  # what the text says and the columns do not, quoted
        cite += " [text: " + "; ".join(f"\"{phrase}\"" for phrase in item["phrases"]) + "]"
    return cite


def by_contact(report: Report) -> list[tuple[dict, list[dict]]]:
    """The contacts cited by two or more findings, each with those findings, in file order."""
    cited: dict[tuple, tuple[dict, list[dict]]] = {}
    for row in finding_rows(report):
        for item in row["evidence"]:
            key = (item["review"], item["file"], item["line"])
            cited.setdefault(key, (item, []))[1].append(row)
    return [cited[k] for k in sorted(cited) if len(cited[k][1]) > 1]


def _title(report: Report) -> str:
    scope = f"review {report.review}" if report.review else "all reviews"
    status = f", status {' or '.join(report.statuses)}" if report.statuses else ""
    return f"dhrgraph findings: {scope}{status} ({report.total} finding{'s' if report.total != 1 else ''})"


INTRO = ("Each finding describes what agencies recorded and did, and quotes the chronology rows it rests on "
         "(record: the row number a spreadsheet shows, header = 1). Severity is high when a quoted row records a "
         "risk-to-life factor (threats to kill, strangulation, weapon, pregnancy, separation, stalking, escalation) or "
         f"a DASH of {DASH_HIGH_RISK} or more. Record a decision with `dhrgraph triage ID --status confirmed|dismissed|needs-info`.")

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|#!~])")


def md(text: Any) -> str:
    """Text from the input made inert in Markdown: no HTML, no emphasis, links or tables, one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).replace("&", "&amp;").split()))


def _severity_counts(rows: list[dict]) -> str:
    return ", ".join(f"{sum(1 for r in rows if r['severity'] == s)} {s}" for s in SEVERITIES)


@gc_paused()
def to_markdown(report: Report) -> str:
    return "".join(markdown_chunks(report))


def markdown_chunks(report: Report) -> Iterator[str]:
    """``to_markdown``'s text in pieces (a section's findings at a time): a command writes each as it comes."""
    lines = [f"# {md(_title(report))}", "", INTRO, ""]
    lines += ["| query | findings | severity |", "| --- | --- | --- |"]
    lines += [f"| {s.query.name} | {len(s.rows)} | {_severity_counts(s.rows)} |" for s in report.sections] + [""]
    for section in report.sections:
        lines += [f"## {md(section.query.title)} (`{section.query.name}`): {len(section.rows)}", "",
                  md(section.query.description), ""]
        if not section.rows:
            lines += ["No findings.", ""]
        for at, row in enumerate(section.rows):
            if at % CHUNK_ROWS == 0:
                yield "\n".join(lines) + "\n"
                lines = []
            status = row["status"] + (f": {md(row['note'])}" if row.get("note") else "")
            marks = f" (other reviews: {', '.join(md(r) for r in row['other_reviews'])})" if row.get("other_reviews") else ""
            lines.append(f"- **{row['severity']}** `{row['id']}` [{status}] **{md(row['review'])}**{marks}: {md(row['finding'])}")
            for item in row["evidence"]:
                quote = f": \"{md(item['summary'])}\"" if item.get("summary") else ""
                lines.append(f"  - {md(cite(item))}{quote}")
        lines.append("")
    shared = by_contact(report)
    if shared:
        lines += ["## Contacts that several findings rest on", ""]
        for item, rows in shared:
            lines.append(f"- {md(cite(item))}: " + ", ".join(f"`{r['id']}` ({r['query']})" for r in rows))
        lines.append("")
    if report.orphans:
        lines += ["## Orphaned decisions", "",
                  "Decisions whose finding is no longer produced (the facts or the rules changed); kept in the store.", ""]
        lines += [f"- `{o.id}` [{md(o.status)}] {md(o.query or '')} {md(o.review or '')}: {md(o.finding or '')}" for o in report.orphans]
        lines.append("")
    yield "\n".join(lines)


CSS = """
body{display:block;height:auto;font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:0 1rem 2rem;background:#fff}
header{border:0;padding:1rem 0}
main.report{display:block}
h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;text-align:left}
.finding{margin:.7rem 0}.review{font-weight:600}.evidence{color:#333;font-size:.9em;margin:.2rem 0 0 1.2rem}
.evidence q{color:#555}.muted{color:#555}a{color:#0b57d0}code{font-size:.9em}
.sev{display:inline-block;padding:0 .35rem;border-radius:3px;font-size:.8em;font-weight:600;color:#fff;background:#777}
.sev.high{background:#b3261e}.sev.medium{background:#b26a00}.status{font-size:.85em;color:#333}
"""


_SPECIAL = re.compile("[&<>\"']")


def _esc(text: str) -> str:
    """``html.escape``, without its five passes over the many values that need none (a report quotes 100,000 rows)."""
    return html.escape(text) if _SPECIAL.search(text) else text


@gc_paused()
def to_html(report: Report, links: dict[str, str] | None = None) -> str:
    """``links`` maps a query name to a view (an HTML file next to the report) to link from its section."""
    return "".join(html_chunks(report, links))


def html_chunks(report: Report, links: dict[str, str] | None = None) -> Iterator[str]:
    """``to_html``'s text in pieces (a section's findings at a time): a command writes each as it comes (at 1M
    contacts the report is 170 MB)."""
    from dhrgraph.viz.page import page

    marker = "\0body\0"  # where the findings go in the page (no text of a page holds a NUL)
    start, end = page(_title(report), "Findings with their evidence, severity and triage status.", marker,
                      head=f"<style>{CSS}</style>").split(marker)
    yield start
    esc = _esc
    parts = [f"<main class='report'><p class='muted'>{esc(INTRO)}</p>",
             "<table><tr><th>query</th><th>findings</th><th>severity</th></tr>"]
    parts += [f"<tr><td><a href='#{esc(s.query.name)}'>{esc(s.query.name)}</a></td><td>{len(s.rows)}</td>"
              f"<td>{esc(_severity_counts(s.rows))}</td></tr>" for s in report.sections]
    parts.append("</table>")
    for section in report.sections:
        q = section.query
        parts.append(f"<h2 id='{esc(q.name)}'>{esc(q.title)} <code>{esc(q.name)}</code>: {len(section.rows)}</h2>")
        parts.append(f"<p class='muted'>{esc(q.description)}</p>")
        if links and q.name in links:
            parts.append(f"<p><a href='{esc(links[q.name])}'>Open the picture of these findings</a></p>")
        if not section.rows:
            parts.append("<p>No findings.</p>")
        for at, row in enumerate(section.rows):
            if at % CHUNK_ROWS == 0:
                yield "\n".join(parts) + "\n"
                parts = []
            cites = "".join(f"<li>{esc(cite(item))}" + (f": <q>{esc(item['summary'])}</q>" if item.get("summary") else "")
                            + "</li>" for item in row["evidence"])
            status = esc(row["status"]) + (f": {esc(row['note'])}" if row.get("note") else "")
            others = (f" <span class='muted'>(other reviews: {esc(', '.join(row['other_reviews']))})</span>"
                      if row.get("other_reviews") else "")
            parts.append(f"<div class='finding' id='{esc(row['id'])}'><span class='sev {esc(row['severity'])}'>{esc(row['severity'])}</span> "
                         f"<code>{esc(row['id'])}</code> <span class='status'>[{status}]</span> "
                         f"<span class='review'>{esc(row['review'])}</span>{others}: {esc(row['finding'])}"
                         f"<ul class='evidence'>{cites}</ul></div>")
    shared = by_contact(report)
    if shared:
        parts.append("<h2 id='by-contact'>Contacts that several findings rest on</h2><ul>")
        parts += [f"<li>{esc(cite(item))}: " + ", ".join(f"<a href='#{esc(r['id'])}'>{esc(r['id'])}</a> ({esc(r['query'])})"
                                                        for r in rows) + "</li>" for item, rows in shared]
        parts.append("</ul>")
    if report.orphans:
        parts.append("<h2 id='orphaned'>Orphaned decisions</h2><ul>")
        parts += [f"<li><code>{esc(o.id)}</code> [{esc(o.status)}] {esc(o.query or '')} {esc(o.review or '')}: "
                  f"{esc(o.finding or '')}</li>" for o in report.orphans]
        parts.append("</ul>")
    parts.append("</main>")
    yield "\n".join(parts)
    yield end
