"""Each agency's own chronology, as reviews really arrive: ``chronologies/`` in a review folder.

A review folder may hold, besides (or instead of) ``chronology.csv``, a folder ``chronologies/``
with one file per agency, in the agency's own template:

* ``.csv`` (UTF-8, a header row);
* ``.xlsx``: the sheet named chronology, else the first sheet; cells formatted as dates are read as
  dates, and date cells holding Excel serial numbers (``44564``) too;
* ``.docx``: the first table whose header row has the chronology's required columns (read with
  python-docx; a cell over several paragraphs is one value).

The recording agency is the file's ``agency`` column when it has one, else the file's name
(``chronologies/Northbrook Police.docx`` -> "Northbrook Police"). Each row keeps its record number:
the row number a spreadsheet shows, or the row of the Word table, the header being 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from dhrgraph.loaders.tabular import Problems, Sheet, _cell_text, _header_key, _map_header, open_workbook, read_csv, read_sheet

__all__ = ["AGENCY_FOLDER", "AGENCY_SUFFIXES", "REQUIRED", "agency_files", "read_agency_file", "read_header", "agency_of"]

AGENCY_FOLDER = "chronologies"
AGENCY_SUFFIXES = (".csv", ".xlsx", ".docx")
# What an agency file must have: the recording agency may come from the file's name.
REQUIRED = ("date", "subject", "event", "summary")


def agency_files(folder: Path) -> list[Path]:
    """The agency chronology files of a review folder, by name (Office lock files and hidden files skipped)."""
    sub = folder / AGENCY_FOLDER
    if not sub.is_dir():
        return []
    return sorted((p for p in sub.iterdir() if p.is_file() and p.suffix.lower() in AGENCY_SUFFIXES
                   and not p.name.startswith(("~$", "."))), key=lambda p: p.name)


def agency_of(path: Path) -> str:
    """The agency a file's name gives: "Northbrook Police.docx" -> "Northbrook Police"."""
    return " ".join(path.stem.replace("_", " ").split())


def read_agency_file(path: Path, name: str, problems: Problems, aliases: dict[str, str] | None = None,
                     required: tuple[str, ...] = REQUIRED) -> Sheet | None:
    """One agency's chronology as a chronology sheet (None, with the problem recorded, when unreadable).

    ``name`` is the provenance kept in the graph; ``aliases`` are the mapping's header spellings."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        sheet = read_csv(path, "chronology", required, problems, name, aliases)
    elif suffix == ".xlsx":
        sheet = _read_workbook(path, name, problems, aliases, required)
    else:
        sheet = _read_docx(path, name, problems, aliases, required)
    if sheet is not None and "agency" not in sheet.columns:
        agency = agency_of(path)
        sheet.columns["agency"] = width = max(len(cells) for _, cells in sheet.rows) if sheet.rows else 0
        for _, cells in sheet.rows:
            cells.extend([""] * (width - len(cells)))
            cells.append(agency)
    return sheet


def read_header(path: Path, has_columns: Callable[[list[str]], bool] | None = None) -> list[str]:
    """The header row of an agency file as written (for ``dhrgraph map``), [] when there is none. In
    a Word document, of the first table whose header ``has_columns`` accepts."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import csv

        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                return next(csv.reader(fh), [])
        except (UnicodeDecodeError, csv.Error):
            return []
    if suffix == ".xlsx":
        book, ws = _open_sheet(path, Problems())
        if ws is None:
            return []
        try:
            return [_cell_text(v) for v in next(ws.iter_rows(values_only=True), ())]
        finally:
            book.close()
    table = _chronology_table(path, Problems(), has_columns or (lambda header: True), "a header row")
    return table[0] if table else []


# --- workbooks ------------------------------------------------------------------------------------

def _open_sheet(path: Path, problems: Problems):
    """The workbook and its chronology sheet: the one named chronology, else the first."""
    book = open_workbook(path, problems)
    if book is None:
        return None, None
    if not book.worksheets:
        book.close()
        problems.error(str(path), 1, "the workbook has no sheets")
        return None, None
    named = [ws for ws in book.worksheets if _header_key(ws.title) == "chronology"]
    return book, (named or book.worksheets)[0]


def _read_workbook(path: Path, name: str, problems: Problems, aliases: dict[str, str] | None,
                   required: tuple[str, ...]) -> Sheet | None:
    book, ws = _open_sheet(path, problems)
    if ws is None:
        return None
    try:  # read like a review workbook's sheet: merged cells, unsaved formulas, cell size, serial dates
        return read_sheet(path, book, ws, "chronology", f"{path}[{ws.title}]", required, problems, aliases, name)
    finally:
        book.close()


# --- Word tables ----------------------------------------------------------------------------------

def _chronology_table(path: Path, problems: Problems, matches: Callable[[list[str]], bool],
                      wanted: str) -> list[list[str]] | None:
    """The rows (header first) of the first table whose header row ``matches`` (``wanted`` says what it needs)."""
    import docx  # python-docx; imported here: only Word loads pay for it
    from docx.opc.exceptions import PackageNotFoundError
    from zipfile import BadZipFile

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, BadZipFile, KeyError, ValueError, OSError) as exc:
        problems.error(str(path), 1, f"not a readable .docx document ({exc.__class__.__name__}); save it as Word Document (.docx)")
        return None
    seen = []
    for table in document.tables:
        rows = [[cell.text.strip() for cell in row.cells] for row in table.rows]
        if not rows:
            continue
        if matches(rows[0]):
            return rows
        seen.append(" | ".join(t for t in rows[0] if t) or "(empty)")
    if not seen:
        problems.error(str(path), 1, f"the document has no table; an agency chronology in Word is a table with {wanted}")
    else:
        listing = "; ".join(f"table {i}: {h}" for i, h in enumerate(seen[:5], start=1))
        problems.error(str(path), 1, f"no table has a chronology header row ({wanted}); the header rows are: {listing}; "
                                     "map other headers in mapping.csv (dhrgraph map)")
    return None


def _read_docx(path: Path, name: str, problems: Problems, aliases: dict[str, str] | None,
               required: tuple[str, ...]) -> Sheet | None:
    def matches(header: list[str]) -> bool:
        return _map_header(str(path), "chronology", header, required, Problems(), aliases) is not None

    table = _chronology_table(path, problems, matches, f"a header row with the columns {', '.join(required)}")
    if table is None:
        return None
    file = str(path)
    columns = _map_header(file, "chronology", table[0], required, problems, aliases)
    width = len(table[0])
    # the table's row number is the record (header = 1); a Word table has no other line
    rows = [(number, cells + [""] * (width - len(cells))) for number, cells in enumerate(table[1:], start=2)
            if any(c.strip() for c in cells)]
    return Sheet(file, columns, rows, name)
