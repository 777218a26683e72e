"""A review's recommendations (optional ``recommendations.csv``): who must do what, by when, and how far it got.

Columns: ``id`` (unique in the review), ``agency`` (an agency of the review, by any spelling, or
``national`` / ``partnership``), ``text``, ``themes`` (``;`` list: theme ids such as
``agency_silent:gp`` or free tags such as ``training``), ``due`` (a chronology date), ``status``
(open | in_progress | done | not_accepted, default open) and ``evidence`` (free text: what shows
progress). Every problem is reported with file, line and column, like every other sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from dhrgraph.loaders import vocab
from dhrgraph.loaders.dates import PartialDate, parse_date
from dhrgraph.loaders.records import Agency, Review
from dhrgraph.loaders.tabular import Problems, Sheet

__all__ = ["Recommendation", "STATUSES", "ADDRESSEES", "CLOSED_STATUSES", "validate_recommendations"]

STATUSES = vocab._table(["open", "in_progress", "done", "not_accepted"],
                        {"in progress": "in_progress", "ongoing": "in_progress", "completed": "done", "complete": "done",
                         "implemented": "done", "not accepted": "not_accepted", "rejected": "not_accepted"})
CLOSED_STATUSES = ("done", "not_accepted")  # never overdue
ADDRESSEES = ("national", "partnership")    # recommendations addressed to no one agency of the review


@dataclass(frozen=True, slots=True)
class Recommendation:
    review: str
    ref: str                    # the review's own id of the recommendation
    addressee: str              # the agency's canonical name, or national / partnership
    agency: str | None          # the agency's canonical name (None for national / partnership)
    text: str
    themes: tuple[str, ...]
    due: PartialDate | None
    status: str
    evidence: str | None
    file: str
    line: int


def validate_recommendations(review: Review, sheet: Sheet, rows: list, resolve, problems: Problems) -> list[Agency]:
    """Check a review's recommendation rows into ``review.recommendations``; return the agencies they
    address (``resolve`` turns a name into the source's agency, creating an undeclared one)."""
    from dhrgraph.queries.themes import THEME_GROUPS, is_theme_id  # the theme ids are the theme table's

    col = sheet.column_number
    seen: dict[str, int] = {}
    addressed: list[Agency] = []
    for line, cells in rows:
        ok = True
        ref = sheet.cell(cells, "id")
        if not ref:
            problems.error(sheet.file, line, "id is empty; give the recommendation's number in the review (e.g. 3 or R3)", col("id"), "id")
            ok = False
        elif ref in seen:
            problems.error(sheet.file, line, f"duplicate id {ref!r} (first at line {seen[ref]}); ids must be unique in a review", col("id"), "id")
            ok = False
        else:
            seen[ref] = line
        name = " ".join(sheet.cell(cells, "agency").split())
        agency = None
        if not name:
            problems.error(sheet.file, line, f"agency is empty; give an agency of the review, or {' or '.join(ADDRESSEES)}",
                           col("agency"), "agency")
            ok = False
        elif name.lower() not in ADDRESSEES:
            agency = resolve(name)
            if not agency.declared and vocab.agency_key(agency.name) not in {vocab.agency_key(a) for a in review.agencies}:
                problems.warn(sheet.file, line, f"agency {name!r} is in neither agencies.csv nor the chronology; created with type "
                              f"{agency.type!r}", col("agency"), "agency")
        text = " ".join(sheet.cell(cells, "text").split())
        if not text:
            problems.error(sheet.file, line, "text is empty; say what is recommended", col("text"), "text")
            ok = False
        themes = []
        for tag in (t.strip() for t in sheet.cell(cells, "themes").split(";")):
            if not tag:
                continue
            if tag.split(":", 1)[0] in THEME_GROUPS and ":" in tag and not is_theme_id(tag):
                problems.error(sheet.file, line, f"unknown theme {tag!r}; a theme id as `dhrgraph themes --all` lists them "
                               "(e.g. agency_silent:gp), or a free tag without a theme group prefix", col("themes"), "themes")
                ok = False
            themes.append(tag)
        due_text = sheet.cell(cells, "due")
        due = None
        if due_text:
            try:
                due = parse_date(due_text)
            except ValueError as exc:
                problems.error(sheet.file, line, str(exc), col("due"), "due")
                ok = False
        status_text = sheet.cell(cells, "status")
        status = vocab.lookup(STATUSES, status_text) if status_text else "open"
        if status is None:
            problems.error(sheet.file, line, f"unknown status {status_text!r}; allowed: {vocab.allowed(STATUSES)}",
                           col("status"), "status")
            ok = False
        if ok:
            review.recommendations.append(Recommendation(
                review.id, ref, agency.name if agency else name.lower(), agency.name if agency else None, text,
                tuple(dict.fromkeys(themes)), due, status, sheet.cell(cells, "evidence") or None, sheet.name, line))
            if agency is not None:
                addressed.append(agency)
    return addressed
