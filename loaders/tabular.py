"""Reading sheets (CSV files or workbook sheets) into rows with their line numbers.

This module knows about bytes, encodings, headers and cells; what the cells must contain is
``loaders.review``'s business. Every problem is recorded with file, line and column so that the
user can go straight to the cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import DhrgraphError

__all__ = ["Problem", "Problems", "LoadError", "Sheet", "read_csv", "read_workbook", "COLUMNS"]

MAX_REPORTED = 50


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int | None
    column_name: str | None
    message: str
    record: int | None = None  # the row number a spreadsheet shows (header = 1), when it is not the line

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        record = f"record {self.record}, " if self.record is not None and self.record != self.line else ""
        what = f"column '{self.column_name}': " if self.column_name else ""
        return f"{where}: {record}{what}{self.message}"


class LoadError(DhrgraphError):
    """Input that cannot be loaded. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_REPORTED]]
        more = len(self.problems) - MAX_REPORTED
        if more > 0:
            shown.append(f"... and {more} more problem(s)")
        shown.append(f"{len(self.problems)} problem(s); nothing was loaded.")
        return "\n".join(shown)


@dataclass
class Problems:
    """Collects errors and warnings while validating, so all of them can be reported at once."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # file -> {physical line: record number} of the sheets read, so that every problem names its record
    records: dict[str, dict[int, int]] = field(default_factory=dict)

    def error(self, file: str, line: int, message: str, column: int | None = None, name: str | None = None) -> None:
        self.errors.append(Problem(file, line, column, name, message, self._record(file, line)))

    def warn(self, file: str, line: int, message: str, column: int | None = None, name: str | None = None) -> None:
        self.warnings.append(Problem(file, line, column, name, message, self._record(file, line)))

    def _record(self, file: str, line: int) -> int | None:
        records = self.records.get(file)
        return records.get(line) if records else None

    def know(self, sheet: "Sheet") -> None:
        """Name ``sheet``'s record numbers in its problems from now on (when they differ from its lines)."""
        if sheet.records is not None:
            self.records[sheet.file] = dict(zip((line for line, _ in sheet.rows), sheet.records))

    def raise_if_any(self) -> None:
        if self.errors:
            raise LoadError(_in_file_order(self.errors))

    def sorted_warnings(self) -> list[Problem]:
        return _in_file_order(self.warnings)


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Files in the order they were read, and within a file by line and column: validation goes
    column by column, but a user fixes a file from the top."""
    files = {file: i for i, file in enumerate(dict.fromkeys(p.file for p in problems))}
    return sorted(problems, key=lambda p: (files[p.file], p.line, p.column or 0))


# Canonical columns of each sheet and the header spellings reviewers use for them. Headers are
# compared with case, spaces, underscores and punctuation removed.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "people": {
        "review": ("review", "reviewid"),
        "person": ("person", "pseudonym", "name", "personid"),
        "role": ("role",),
        "sex": ("sex", "gender"),
        "age": ("age",),
        "global_id": ("globalid", "uid", "uniqueid"),
        "identified": ("identified",),
    },
    "relationships": {
        "review": ("review", "reviewid"),
        "person": ("person", "from"),
        "other": ("other", "to", "otherperson"),
        "relationship": ("relationship", "relation", "kind"),
        "abusive": ("abusive", "abuse"),
    },
    "chronology": {
        "review": ("review", "reviewid"),
        "date": ("date", "dateofcontact", "contactdate", "eventdate", "startdate"),
        "time": ("time", "timeofcontact"),
        "sequence": ("sequence", "seq", "order"),
        "agency": ("agency", "sourceofinformation", "recordingagency", "organisation", "organization"),
        "subject": ("subject", "subjects", "about", "persons"),
        "event": ("event", "eventtype", "contacttype", "typeofcontact"),
        "summary": ("summary", "details", "description", "summaryofcontact", "narrative", "detail"),
        "professional": ("professional", "practitioner", "worker", "staff"),
        "risk_level": ("risklevel", "riskgrading", "risk"),
        "dash_score": ("dashscore", "dash", "dashticks"),
        "risk_factors": ("riskfactors", "factors"),
        "referred_to": ("referredto", "referralto", "referral"),
        "referral_outcome": ("referraloutcome", "outcome"),
        "shared_with": ("sharedwith", "informationsharedwith"),
        "source": ("source", "document", "imr"),
    },
    "recommendations": {
        "review": ("review", "reviewid"),
        "id": ("id", "recommendation", "recommendationid", "number", "no", "ref"),
        "agency": ("agency", "to", "addressee", "owner", "agencyname"),
        "text": ("text", "recommendationtext", "description", "action"),
        "themes": ("themes", "theme", "tags"),
        "due": ("due", "duedate", "targetdate", "deadline"),
        "status": ("status", "progress"),
        "evidence": ("evidence", "evidenceofprogress", "notes"),
    },
    "agencies": {
        "name": ("name", "agency", "agencyname"),
        "type": ("type", "agencytype"),
        "aliases": ("aliases", "alias", "alsoknownas", "aka"),
    },
}


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass
class Sheet:
    """One table: its display name, where each canonical column is, and its rows."""

    file: str  # as the user named it, for messages
    kind: str
    columns: dict[str, int]  # canonical column -> 0-based index
    rows: list[tuple[int, list[str]]]  # (line number, cells), every row at least as wide as the header
    name: str = ""  # provenance kept in the graph: independent of the working directory
    # parallel to ``rows``: the record number a spreadsheet shows for each (header = 1; a cell that
    # runs over several lines is one record); None when every record is its line (workbooks, tables)
    records: list[int] | None = None

    def __post_init__(self) -> None:
        self.name = self.name or self.file

    def record_of(self, lines: list[int]) -> list[int]:
        """The record numbers of rows given by their lines."""
        if self.records is None:
            return list(lines)
        by_line = dict(zip((line for line, _ in self.rows), self.records))
        return [by_line[line] for line in lines]

    def has(self, column: str) -> bool:
        return column in self.columns

    def cell(self, cells: list[str], column: str) -> str:
        index = self.columns.get(column)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def column_number(self, column: str) -> int | None:
        index = self.columns.get(column)
        return None if index is None else index + 1


def _map_header(file: str, kind: str, header: list[str], required: tuple[str, ...], problems: Problems) -> dict[str, int] | None:
    spellings = {alias: canonical for canonical, aliases in COLUMNS[kind].items() for alias in aliases}
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        canonical = spellings.get(_header_key(title))
        if canonical is None:
            if title.strip():
                problems.warn(file, 1, f"unknown column {title.strip()!r} ignored", index + 1)
            continue
        if canonical in columns:
            problems.error(file, 1, f"column {title.strip()!r} repeats column {columns[canonical] + 1} ({canonical})", index + 1)
            continue
        columns[canonical] = index
    missing = [c for c in required if c not in columns]
    if missing:
        allowed = ", ".join(c for c in COLUMNS[kind] if c != "review")
        problems.error(file, 1, f"missing required column(s) {', '.join(missing)}; the {kind} columns are: {allowed}")
        return None
    return columns


def _decode(file: str, data: bytes, problems: Problems) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        problems.error(
            file, line,
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02X} here); re-save it as 'CSV UTF-8' "
            "(in Excel: Save As > CSV UTF-8 (Comma delimited))",
            column,
        )
        return None


# Line breaks that str.splitlines knows and a CSV file does not (inside a cell they are text).
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _lines(text: str):
    """The CSV's lines with their \n, \r\n or \r ends, as csv.reader wants them. ``splitlines`` when
    it splits the same way (measured: 2x faster than a StringIO on 1M rows, where that grew superlinearly)."""
    if any(c in text for c in _OTHER_BREAKS):  # eight substring scans: measured 20x faster than one regex
        return io.StringIO(text, newline="")
    return text.splitlines(keepends=True)


def read_csv(path: Path, kind: str, required: tuple[str, ...], problems: Problems, name: str) -> Sheet | None:
    """Read one CSV file; on any problem record it and return None. ``name`` is its provenance name."""
    file = str(path)
    data = path.read_bytes()
    if not data.strip():
        problems.error(file, 1, f"the file is empty; expected a header row with the columns: {', '.join(required)}")
        return None
    text = _decode(file, data, problems)
    if text is None:
        return None
    reader = csv.reader(_lines(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        problems.error(file, 1, f"unreadable CSV header: {exc}")
        return None
    columns = _map_header(file, kind, header, required, problems)
    if columns is None:
        return None
    rows: list[tuple[int, list[str]]] = []
    records: list[int] = []
    line = reader.line_num + 1
    width = len(header)
    try:
        for record, cells in enumerate(reader, start=2):
            if (cells and cells[0].strip()) or "".join(cells).strip():  # not a blank row
                if len(cells) < width:  # every row as wide as the header: columns can be taken whole
                    cells.extend([""] * (width - len(cells)))
                rows.append((line, cells))
                records.append(record)
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.error(file, line, f"unreadable CSV row: {exc}; check the quotes on this row")
        return None
    differ = any(row[0] != record for row, record in zip(rows, records))  # only when a cell ran over lines
    sheet = Sheet(file, kind, columns, rows, name, records if differ else None)
    problems.know(sheet)
    return sheet


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(path: Path, required: dict[str, tuple[str, ...]], problems: Problems) -> dict[str, Sheet]:
    """Read the sheets of a review workbook whose titles name a sheet kind (people, chronology, ...)."""
    import openpyxl  # imported here: only workbook loads pay for it
    from zipfile import BadZipFile

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        problems.error(str(path), 1, f"not a readable .xlsx workbook ({exc.__class__.__name__}); save it as Excel Workbook (.xlsx)")
        return {}
    sheets: dict[str, Sheet] = {}
    try:
        for ws in book.worksheets:
            kind = _header_key(ws.title)
            if kind not in COLUMNS:
                continue
            file = f"{path}[{ws.title}]"
            values = ws.iter_rows(values_only=True)
            header = next(values, None)
            if header is None or not any(v is not None for v in header):
                problems.error(file, 1, "the sheet is empty; expected a header row")
                continue
            columns = _map_header(file, kind, [_cell_text(v) for v in header], required.get(kind, ()), problems)
            if columns is None:
                continue
            rows = []
            width = len(header)
            for line, row in enumerate(values, start=2):
                cells = [_cell_text(v) for v in row]
                if any(c.strip() for c in cells):
                    if len(cells) < width:
                        cells.extend([""] * (width - len(cells)))
                    rows.append((line, cells))
            sheets[kind] = Sheet(file, kind, columns, rows, f"{path.name}[{ws.title}]")
    finally:
        book.close()
    return sheets
