"""The merged chronology for the panel: one review's contacts from every agency, in order, as
``.xlsx``, ``.csv`` or ``.docx`` (``dhrgraph chronology REVIEW --output FILE``).

The rows come in the graph's chronology order (the order of ``dhrgraph timeline`` and of the
queries): date (a partial date at the start of its period), then sequence (rows without one after
those with one), then time, then file by file (in name order) and by record within a file. Each row
keeps its source file and record (and line). The flags column marks uncertain dates, dates known only
to the month or year, and rows dated before an earlier row of their own source file.

An export that is not redacted is itself a chronology in the input format: put it in a review
folder (as chronology.csv, or in chronologies/) beside people.csv, relationships.csv and agencies.csv
and loading it gives the same graph, because each row's source file, record and line columns are
read back as its provenance.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from dhrgraph.graph.errors import DhrgraphError
from dhrgraph.graph.store import Store

__all__ = ["EXPORT_COLUMNS", "FORMATS", "chronology_rows", "write_chronology"]

# (title, what it holds); every title reads back as a chronology column (loaders.tabular.COLUMNS)
EXPORT_COLUMNS = ("Number", "Date", "Time", "Sequence", "Agency", "Subjects", "Event", "Summary", "Professional", "Risk level",
                  "DASH", "Risk factors", "Referred to", "Referral outcome", "Shared with", "Source", "Source file", "Record",
                  "Source line", "Flags")
FORMATS = (".xlsx", ".csv", ".docx")
UNCERTAIN, TO_THE = "uncertain date", "date to the {}"
OUT_OF_ORDER = "dated before record {} of its file"


def chronology_rows(store: Store, review: str, redact: bool = False) -> list[dict]:
    """The review's contacts as export rows (``EXPORT_COLUMNS``), in chronology order.

    Redacted: people are their role labels (Victim 1, Perpetrator 1 ... as in every redacted view),
    summaries and professionals are dropped and names in the text that stays are replaced."""
    from dhrgraph.viz.overview import Overview  # the graph as the panel reads it, from either backend
    from dhrgraph.viz.redact import Names

    whole = Overview.of_store(store)
    if review not in whole.reviews:
        known = ", ".join(whole.reviews[:20]) or "none (load one first)"
        raise DhrgraphError(f"No review {review!r} in the graph. Reviews: {known}")
    names = Names(whole, redact)
    view = whole.for_reviews([review])
    flags = _flags(view.contacts)
    rows = []
    for number, c in enumerate(view.contacts, start=1):
        p = c.props
        subjects = [names.person(view.people[s]) if redact else view.people[s].memberships[review]["name"] for s in c.subjects]
        rows.append(dict(zip(EXPORT_COLUMNS, (
            number, p["date_text"], p.get("time", ""), p.get("sequence", ""), view.agencies[c.agency].name, "; ".join(subjects),
            p["event"], names.summary(p.get("summary")), names.professional(p.get("professional")), p.get("risk_level", ""),
            p.get("dash_score", ""), "; ".join(p.get("risk_factors", [])), "; ".join(p.get("referred_to", [])),
            names.text(p.get("referral_outcome")), "; ".join(p.get("shared_with", [])), names.text(p.get("source")),
            p["file"], p.get("record", p["line"]), p["line"], "; ".join(flags.get(c.id, [])),
        ))))
    return rows


def _flags(contacts: list) -> dict[str, list[str]]:
    """What the panel should know about a row's date: uncertain, partial, or out of order in its own file."""
    flags: dict[str, list[str]] = {}
    for c in contacts:
        p = c.props
        if p.get("uncertain"):
            flags.setdefault(c.id, []).append(UNCERTAIN)
        if p["date_precision"] != "day":
            flags.setdefault(c.id, []).append(TO_THE.format(p["date_precision"]))
    by_file: dict[str, list] = {}
    for c in contacts:
        by_file.setdefault(c.props["file"], []).append(c)
    for rows in by_file.values():
        latest = None  # the latest-dated row so far in the file's own order
        for c in sorted(rows, key=lambda c: c.props.get("record", c.props["line"])):
            if latest is not None and c.props["date"] < latest.props["date"]:
                flags.setdefault(c.id, []).append(OUT_OF_ORDER.format(latest.props.get("record", latest.props["line"])))
            if latest is None or c.props["date"] >= latest.props["date"]:
                latest = c
    return flags


def write_chronology(store: Store, review: str, output: str | os.PathLike, redact: bool = False) -> int:
    """Write the review's merged chronology to ``output`` (.xlsx, .csv or .docx); return the number of rows."""
    path = Path(output)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DhrgraphError(f"Cannot write {path.name!r}: give a file name ending in {', '.join(FORMATS)}")
    rows = chronology_rows(store, review, redact)
    {".csv": _write_csv, ".xlsx": _write_xlsx, ".docx": _write_docx}[suffix](path, review, rows, redact)
    return len(rows)


def _write_csv(path: Path, review: str, rows: list[dict], redact: bool) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _write_xlsx(path: Path, review: str, rows: list[dict], redact: bool) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Chronology"
    sheet.append(EXPORT_COLUMNS)
    for row in rows:
        sheet.append([row[c] for c in EXPORT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = {"Summary": 70, "Subjects": 18, "Agency": 26, "Source file": 34, "Flags": 30, "Risk factors": 28}
    for index, title in enumerate(EXPORT_COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(title, 12)
        if title in ("Summary", "Flags", "Risk factors"):
            for cell in sheet[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.save(path)


def _write_docx(path: Path, review: str, rows: list[dict], redact: bool) -> None:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(f"Merged chronology: {review}" + (" (redacted)" if redact else ""), 1)
    document.add_paragraph("In date order (then sequence, time, and each source file's own order). Flags mark uncertain "
                           "or partial dates and rows dated before an earlier row of their own source file.")
    table = document.add_table(rows=1, cols=len(EXPORT_COLUMNS))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, EXPORT_COLUMNS):
        cell.text = title
    for row in rows:
        for cell, title in zip(table.add_row().cells, EXPORT_COLUMNS):
            cell.text = str(row[title])
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(7)
    document.save(str(path))
