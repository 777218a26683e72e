"""``dhrgraph map``: write each review's mapping.csv with a best guess for every header and value
its chronology files use that the input format does not already understand (see ``loaders.mapping``).

Rows already in a mapping.csv are kept as the analyst left them; only what no row covers is added.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from dhrgraph.loaders.agency_files import AGENCY_FOLDER, agency_files, read_agency_file, read_header
from dhrgraph.loaders.mapping import (ALL_FILES, HEADER, LIST_FIELDS, MAPPING_COLUMNS, MAPPING_FILE, VALUE_FIELDS, guess,
                             read_mapping, understood, _key)
from dhrgraph.loaders.tabular import LoadError, Problem, Problems, _header_key, read_csv

__all__ = ["MapResult", "write_mappings"]


@dataclass
class MapResult:
    review: str
    path: str  # the mapping.csv written
    guessed: list[dict] = field(default_factory=list)  # new rows with a guess
    unguessed: list[dict] = field(default_factory=list)  # new rows the analyst must fill in
    kept: int = 0  # rows that were already there


def _review_folders(path: Path) -> list[Path]:
    def is_review(p: Path) -> bool:
        return (p / "chronology.csv").is_file() or (p / AGENCY_FOLDER).is_dir()

    if not path.is_dir():
        raise LoadError([Problem(str(path), 1, None, None, "give a review folder or a folder of review folders")])
    if is_review(path):
        return [path]
    found = sorted(p for p in path.iterdir() if p.is_dir() and is_review(p))
    if not found:
        raise LoadError([Problem(str(path), 1, None, None, "no review here: a review folder holds chronology.csv or chronologies/")])
    return found


def write_mappings(path: str | Path) -> list[MapResult]:
    """Write (or extend) mapping.csv in every review folder under ``path``; what was guessed and what not."""
    return [_map_review(folder) for folder in _review_folders(Path(path))]


def _people(folder: Path) -> list[str]:
    sheet = read_csv(folder / "people.csv", "people", ("person",), Problems(), "people.csv") if (folder / "people.csv").is_file() else None
    return [sheet.cell(cells, "person") for _, cells in sheet.rows] if sheet else []


def _agencies(folder: Path):
    """The review's agencies (``review.read_agencies``: its agencies.csv, read leniently; an agency it does not
    declare is typed from its name)."""
    from dhrgraph.loaders.review import read_agencies

    path = folder / "agencies.csv"
    return read_agencies(read_csv(path, "agencies", ("name",), Problems(), "agencies.csv") if path.is_file() else None, Problems())


def _map_review(folder: Path) -> MapResult:
    people = _people(folder)
    files = ([folder / "chronology.csv"] if (folder / "chronology.csv").is_file() else []) + agency_files(folder)
    names = [f.name for f in files]
    problems = Problems()
    existing = read_mapping(folder, names, people, problems)
    problems.raise_if_any()  # a mapping.csv that does not read is the analyst's to fix first
    kept = _existing_rows(folder / MAPPING_FILE)
    covered = {(r["file"], r["field"], _key(r["field"], r["written"]) if r["field"] in (HEADER, *VALUE_FIELDS) else r["written"])
               for r in kept}

    def is_covered(file: str, field_name: str, text: str) -> bool:
        key = _key(field_name, text)
        return (file, field_name, key) in covered or (ALL_FILES, field_name, key) in covered

    result = MapResult(folder.name, str(folder / MAPPING_FILE), kept=len(kept))

    agencies = _agencies(folder)

    def add(file: str, field_name: str, text: str, agency_type: str | None = None) -> None:
        means, note = guess(field_name, text, people, agency_type)
        row = {"file": file, "field": field_name, "written": text, "means": means or "", "note": note}
        covered.add((file, field_name, _key(field_name, text)))
        (result.guessed if means else result.unguessed).append(row)

    for path in files:
        aliases = existing.header_aliases(path.name)

        def meaning(title: str) -> str | None:
            return aliases.get(_header_key(title)) or understood(HEADER, title, people) or guess(HEADER, title, people)[0]

        header = read_header(path, lambda h: "date" in map(meaning, h))
        for title in header:
            if title.strip() and _header_key(title) not in aliases and understood(HEADER, title, people) is None \
                    and not is_covered(path.name, HEADER, title):
                add(path.name, HEADER, title.strip())
        guessed = {_header_key(r["written"]): r["means"] for r in result.guessed if r["file"] == path.name and r["field"] == HEADER}
        sheet = read_agency_file(path, path.name, Problems(), {**guessed, **aliases}, required=("date",))
        if sheet is None:
            continue
        existing.apply(sheet, path.name)
        # a file of one agency's contacts (its name, or its one agency column value): a value may mean what it
        # means to that agency's type ("attendance")
        at = sheet.columns.get("agency")
        named = {" ".join(cells[at].split()) for _, cells in sheet.rows if at is not None and at < len(cells)} - {""}
        agency = next(iter(named)) if len(named) == 1 else None
        agency_type = None if agency is None else agencies.resolve(agency).type
        for field_name in VALUE_FIELDS:
            index = sheet.columns.get(field_name)
            if index is None:
                continue
            texts = {cells[index] for _, cells in sheet.rows}
            parts = {p.strip() for t in texts for p in (t.split(";") if field_name in LIST_FIELDS else [t])}
            for text in sorted(p for p in parts if p):
                if understood(field_name, text, people) is None and not is_covered(path.name, field_name, text):
                    add(path.name, field_name, text, agency_type)
    rows = kept + result.guessed + result.unguessed
    if result.guessed or result.unguessed:  # an unchanged mapping.csv is left as the analyst saved it
        with open(folder / MAPPING_FILE, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=MAPPING_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    return result


def _existing_rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() if k != "written" else (v or "") for k, v in row.items() if k} for row in csv.DictReader(fh)]
