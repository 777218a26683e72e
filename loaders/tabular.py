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

from dhrgraph.graph.errors import DhrgraphError
from dhrgraph.loaders.dates import excel_serial_text

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
        "aliases": ("aliases", "alias", "aka", "akas", "othernames", "knownas"),
        "dob": ("dob", "dateofbirth", "birthdate", "born"),
        "postcode": ("postcode", "postalcode"),
        "identifiers": ("identifiers", "identifier", "ids"),
    },
    "relationships": {
        "review": ("review", "reviewid"),
        "person": ("person", "from"),
        "other": ("other", "to", "otherperson"),
        "relationship": ("relationship", "relation", "kind"),
        "abusive": ("abusive", "abuse"),
    },
    "review": {
        "id": ("id", "review", "reviewid"),
        "title": ("title", "name"),
        "area": ("area", "csp", "communitysafetypartnership"),
        "type": ("type", "reviewtype"),
        "index_date": ("indexdate", "dateofdeath", "deathdate", "indexevent"),
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
        # written by `dhrgraph chronology`: a merged chronology loaded again keeps each row's own source
        "file": ("sourcefile",),
        "record": ("record", "sourcerecord"),
        "line": ("sourceline",),
        "number": ("number",),  # the export's row number: not loaded
        "flags": ("flags",),  # the export's notes on dates: not loaded
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


def _map_header(file: str, kind: str, header: list[str], required: tuple[str, ...], problems: Problems,
                aliases: dict[str, str] | None = None) -> dict[str, int] | None:
    """Where each canonical column is. ``aliases`` (header key -> canonical column, '' to ignore the
    column) are a review's own spellings from its mapping.csv, tried before the built-in ones."""
    spellings = {alias: canonical for canonical, aliases in COLUMNS[kind].items() for alias in aliases}
    if aliases:
        spellings.update(aliases)
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        canonical = spellings.get(_header_key(title))
        if canonical == "":
            continue
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
        has = ", ".join(repr(t.strip()) for t in header if t.strip()) or "none"
        problems.error(file, 1, f"missing required column(s) {', '.join(missing)}; the {kind} columns are: {allowed}; "
                                f"the file's headers are: {has}")
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


def read_csv(path: Path, kind: str, required: tuple[str, ...], problems: Problems, name: str,
             aliases: dict[str, str] | None = None) -> Sheet | None:
    """Read one CSV file; on any problem record it and return None. ``name`` is its provenance name;
    ``aliases`` are extra header spellings (see ``_map_header``)."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.error(file, 1, f"cannot read the file: {exc.strerror or exc.__class__.__name__}")
        return None
    if not data.strip():
        problems.error(file, 1, f"the file is empty; expected a header row with the columns: {', '.join(required)}")
        return None
    text = _decode(file, data, problems)
    if text is None:
        return None
    reader = csv.reader(_lines(text), strict=True)  # strict: a quote that does not close is an error, never a swallowed row
    try:
        header = next(reader)
    except csv.Error as exc:
        problems.error(file, 1, f"unreadable CSV header: {exc}; {_QUOTES}", _quote_column(text, 1))
        return None
    columns = _map_header(file, kind, header, required, problems, aliases)
    if columns is None:
        return None
    rows: list[tuple[int, list[str]]] = []
    records: list[int] = []
    line = reader.line_num + 1
    width = len(header)
    record = 1
    bad = 0
    try:
        for record, cells in enumerate(reader, start=2):
            if (cells and cells[0].strip()) or "".join(cells).strip():  # not a blank row
                if len(cells) != width and bad < MAX_REPORTED:  # never padded or cut silently: a cell would move or vanish
                    bad += 1
                    _width_problem(problems, file, line, record, cells, header)
                rows.append((line, cells))
                records.append(record)
            line = reader.line_num + 1
    except csv.Error as exc:
        where = "a quoted cell is not closed before the end of the file" if "end of data" in str(exc) else str(exc)
        problems.errors.append(Problem(file, line, _quote_column(text, line), None,
                                       f"unreadable CSV record: {where}; {_QUOTES}", record + 1))
        return None
    if bad:
        return None
    differ = any(row[0] != record for row, record in zip(rows, records))  # only when a cell ran over lines
    sheet = Sheet(file, columns, rows, name, records if differ else None)
    problems.know(sheet)
    return sheet


_QUOTES = ('a cell that starts with a double quote must end with one, and a double quote inside a quoted cell is '
           'written twice ("")')


def _width_problem(problems: Problems, file: str, line: int, record: int, cells: list[str], header: list[str]) -> None:
    """A record with more or fewer cells than the header: name the first column that moved."""
    if len(cells) > len(header):
        message = (f"this record has {len(cells)} cells but the header has {len(header)}: a comma inside a cell must be "
                   f"quoted (\"like, this\"); the extra cell starts {cells[len(header)][:40]!r}")
        column = len(header) + 1
        name = None
    else:
        missing = header[len(cells)].strip() or f"column {len(cells) + 1}"
        message = (f"this record has {len(cells)} cells but the header has {len(header)} (no cell for {missing!r}); "
                   "give every column a cell, empty ones as nothing between two commas")
        column = len(cells) + 1
        name = header[len(cells)].strip() or None
    problems.errors.append(Problem(file, line, column, name, message, record))


def _quote_column(text: str, line: int) -> int | None:
    """The 1-based column of the first cell on ``line`` whose quotes do not follow the CSV rules."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return None
    row = lines[line - 1]
    column, i, n = 1, 0, len(row)
    while i < n:
        if row[i] == '"':  # a quoted cell: it must close, then be followed by a comma or the end
            j = i + 1
            while True:
                j = row.find('"', j)
                if j == -1:
                    return column
                if j + 1 < n and row[j + 1] == '"':
                    j += 2
                    continue
                break
            if j + 1 < n and row[j + 1] != ",":
                return column
            i = j + 2
        else:
            k = row.find(",", i)
            if k == -1:
                return None
            i = k + 1
        column += 1
    return None


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


# Limits that keep a hostile file from taking the machine: a cell as long as the csv module allows
# (128 KB), and a workbook that unpacks to at most this much (a 2 MB file can unpack to gigabytes).
MAX_CELL = csv.field_size_limit()
MAX_WORKBOOK_BYTES = 256 * 1024 * 1024


def _sheet_xml_facts(archive, member: str) -> tuple[list[tuple[int, int, int, int]], dict[tuple[int, int], str]]:
    """What openpyxl's read-only mode does not give: the merged ranges (min_row, min_col, max_row,
    max_col) and the formula cells that have no saved value ((row, column) -> formula)."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

    merges: list[tuple[int, int, int, int]] = []
    formulas: dict[tuple[int, int], str] = {}
    with archive.open(member) as fh:
        head = fh.read(1 << 20)
    with archive.open(member) as fh:
        if b"<f" not in head and b"mergeCell" not in head and archive.getinfo(member).file_size <= len(head):
            return merges, formulas
        for _, element in iterparse(fh):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "c":
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                f, v = children.get("f"), children.get("v")
                if f is not None and (v is None or not (v.text or "")) and element.get("r"):
                    formulas[coordinate_to_tuple(element.get("r"))] = f.text or "(shared formula)"
                element.clear()
            elif tag == "mergeCell" and element.get("ref"):
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                merges.append((min_row, min_col, max_row, max_col))
            elif tag == "row":
                element.clear()
    return merges, formulas


def open_workbook(path: Path, problems: Problems):
    """An openpyxl workbook (read only, saved values), or None with the problem recorded: not a
    workbook, or one that unpacks to more than ``MAX_WORKBOOK_BYTES``."""
    import zipfile

    import openpyxl  # imported here: only workbook loads pay for it

    file = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        problems.error(file, 1, f"not a readable .xlsx workbook ({exc.__class__.__name__}); save it as Excel Workbook (.xlsx)")
        return None
    if unpacked > MAX_WORKBOOK_BYTES:
        problems.error(file, 1, f"the workbook unpacks to {unpacked // (1024 * 1024)} MB, more than the {MAX_WORKBOOK_BYTES // (1024 * 1024)} MB "
                       "allowed; split it, or save its sheets as CSV files")
        return None
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, AttributeError, SyntaxError) as exc:
        problems.error(file, 1, f"not a readable .xlsx workbook ({exc.__class__.__name__}); save it as Excel Workbook (.xlsx)")
        return None


def read_workbook(path: Path, required: dict[str, tuple[str, ...]], problems: Problems) -> dict[str, Sheet]:
    """Read the sheets of a review workbook whose titles name a sheet kind (people, chronology, ...).

    Two sheets of one kind (hidden ones count: a hidden ``Chronology_`` is a chronology) are an
    error, not one silently replacing the other. A merged cell's value fills every cell of its range;
    a formula without a saved value is an error (openpyxl reads it as empty)."""
    import zipfile

    book = open_workbook(path, problems)
    if book is None:
        return {}
    sheets: dict[str, Sheet] = {}
    titles: dict[str, str] = {}
    try:
        for ws in book.worksheets:
            kind = _header_key(ws.title)
            if kind not in COLUMNS:
                continue
            file = f"{path}[{ws.title}]"
            if kind in titles:
                problems.error(file, 1, f"a second {kind} sheet (the first is {titles[kind]!r}, hidden ones count); "
                               "rename or delete one of them")
                continue
            titles[kind] = ws.title
            if getattr(ws, "sheet_state", "visible") != "visible":
                problems.warn(file, 1, f"the {kind} sheet is hidden; it is read like a visible one")
            sheet = read_sheet(path, book, ws, kind, file, required.get(kind, ()), problems)
            if sheet is not None:
                sheets[kind] = sheet
    except (OSError, KeyError, ValueError, TypeError, AttributeError, SyntaxError, zipfile.BadZipFile) as exc:
        problems.error(str(path), 1, f"not a readable .xlsx workbook ({exc.__class__.__name__}); save it as Excel Workbook (.xlsx)")
        return {}
    finally:
        book.close()
    return sheets


def read_sheet(path: Path, book, ws, kind: str, file: str, required: tuple[str, ...], problems: Problems,
               aliases: dict[str, str] | None = None, name: str | None = None) -> Sheet | None:
    """One worksheet as a Sheet (``name``: its provenance name, by default ``book.xlsx[title]``)."""
    merges, formulas = _sheet_xml_facts(book._archive, ws._worksheet_path)
    values = ws.iter_rows(values_only=True)
    header = next(values, None)
    if header is None or not any(v is not None for v in header):
        problems.error(file, 1, "the sheet is empty; expected a header row")
        return None
    header_cells = [_cell_text(v) for v in header]
    columns = _map_header(file, kind, header_cells, required, problems, aliases)
    if columns is None:
        return None
    names = {index + 1: title.strip() or None for index, title in enumerate(header_cells)}
    date = columns.get("date", -1) if kind == "chronology" else -1
    ok = True
    for (row, column), formula in sorted(formulas.items()):
        ok = False
        problems.error(file, row, f"the formula ={formula[:60]} has no saved value (dhrgraph does not calculate formulas); "
                       "open the workbook in Excel or LibreOffice and save it, or type the value", column, names.get(column))
    # a merged range's value sits in its top-left cell only: fill the rest of the range with it
    filling = [m for m in merges if m[2] > 1 or m[0] > 1]
    tops: dict[tuple[int, int], object] = {}
    rows = []
    width = max((i + 1 for i, title in enumerate(header_cells) if title.strip()), default=0)  # empty header cells on the right are no columns
    for line, row in enumerate(values, start=2):
        cells = [_cell_text(v) for v in row]
        if 0 <= date < len(row) and type(row[date]) in (int, float):  # a date cell not formatted as a date
            cells[date] = excel_serial_text(row[date])
        if filling:
            for min_row, min_col, max_row, max_col in filling:
                if min_row <= line <= max_row:
                    if line == min_row:
                        tops[(min_row, min_col)] = cells[min_col - 1] if min_col <= len(cells) else ""
                    value = tops.get((min_row, min_col), "")
                    if len(cells) < max_col:
                        cells.extend([""] * (max_col - len(cells)))
                    for column in range(min_col, max_col + 1):
                        cells[column - 1] = value
        if any(c.strip() for c in cells):
            for column, cell in enumerate(cells, start=1):
                if len(cell) > MAX_CELL:
                    ok = False
                    problems.error(file, line, f"the cell has {len(cell)} characters, more than the {MAX_CELL} allowed", column, names.get(column))
            beyond = [i for i in range(width, len(cells)) if cells[i].strip()]
            if beyond:  # never dropped silently
                ok = False
                problems.error(file, line, f"a cell right of the last column with a header ({cells[beyond[0]][:40]!r}); "
                               "give the column a header or move the cell", beyond[0] + 1)
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            rows.append((line, cells))
    if not ok:
        return None
    return Sheet(file, columns, rows, name or f"{path.name}[{ws.title}]")
