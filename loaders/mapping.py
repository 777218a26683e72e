"""A review's mapping.csv: what each agency's own headers and words mean, confirmed once by the analyst.

Agencies send chronologies in their own templates and words ("Occurrence date/time", "Domestic
abuse incident", "High risk", "16/27"). ``dhrgraph map`` writes every header and value the input
format does not already understand into the review's ``mapping.csv``, each with its best guess (the
synonym tables of ``loaders.vocab`` and ``loaders.tabular.COLUMNS``, then string similarity); the
analyst corrects the ``means`` column, and ``validate`` and ``load`` apply it.

mapping.csv columns:

* ``file``: the chronology file the row is for (``chronology.csv`` or a file name in
  ``chronologies/``), or ``*`` for every file of the review;
* ``field``: ``column`` for a header, else the column whose value it is: event, risk_level,
  risk_factors (one factor at a time), dash_score or subject;
* ``written``: the header or value as the agency wrote it;
* ``means``: what dhrgraph reads it as: a chronology column (empty: ignore the column), an allowed
  value, or ``-`` for no value (optional columns only). An empty ``means`` on a value maps nothing;
* ``note``: how the guess was made (for the analyst; not read).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from dhrgraph.loaders import vocab
from dhrgraph.loaders.tabular import COLUMNS, Problems, Sheet, _header_key

__all__ = ["MAPPING_FILE", "MAPPING_COLUMNS", "ALL_FILES", "Mapping", "read_mapping", "guess", "closest", "VALUE_FIELDS",
           "NO_VALUE", "understood"]

MAPPING_FILE = "mapping.csv"
MAPPING_COLUMNS = ("file", "field", "written", "means", "note")
ALL_FILES = "*"
HEADER = "column"  # the ``field`` of a row that maps a header
NO_VALUE = "-"
GUESS_CUTOFF = 80  # rapidfuzz WRatio (0-100) below which a similarity is no guess
# Value columns a mapping can translate, with their tables (subject: the review's people).
VALUE_FIELDS = {"event": vocab.EVENTS, "risk_level": vocab.RISK_LEVELS, "risk_factors": vocab.RISK_FACTORS,
                "dash_score": None, "subject": None}
OPTIONAL_FIELDS = ("risk_level", "risk_factors", "dash_score")
LIST_FIELDS = ("risk_factors", "subject")  # ';'-separated: each part is mapped on its own
_DASH_OUT_OF = re.compile(r"^\s*(\d{1,2})\s*(?:/|out of|of)\s*(?:24|27)\s*$", re.IGNORECASE)
# Chronology columns a header can mean (``review`` is for combined files only).
CHRONOLOGY_COLUMNS = tuple(c for c in COLUMNS["chronology"] if c != "review")


def _allowed(field_name: str, people: list[str]) -> list[str]:
    if field_name == HEADER:
        return list(CHRONOLOGY_COLUMNS)
    if field_name == "subject":
        return list(people)
    if field_name == "dash_score":
        return [str(n) for n in range(28)]
    return sorted(set(VALUE_FIELDS[field_name].values()))


def _spellings(field_name: str, people: list[str]) -> list[tuple[str, str]]:
    """(spelling, canonical) pairs a written text is compared with: every synonym of every allowed value."""
    if field_name == HEADER:
        return [(c.replace("_", " "), c) for c in CHRONOLOGY_COLUMNS] + \
               [(alias, c) for c in CHRONOLOGY_COLUMNS for alias in COLUMNS["chronology"][c]]
    if field_name == "subject":
        return [(p.lower(), p) for p in people]
    if field_name == "dash_score":
        return []
    return [(spelling.replace("_", " "), value) for spelling, value in VALUE_FIELDS[field_name].items()]


def _key(field_name: str, text: str) -> str:
    return _header_key(text) if field_name == HEADER else vocab.normalise_token(text).replace("_", " ")


def understood(field_name: str, text: str, people: list[str]) -> str | None:
    """The canonical meaning of ``text`` without any mapping (the built-in tables), or None."""
    if field_name == HEADER:
        key = _header_key(text)
        return next((c for c in CHRONOLOGY_COLUMNS if key in COLUMNS["chronology"][c]), None)
    if field_name == "subject":
        return text.strip() if text.strip() in people else None
    if field_name == "dash_score":
        text = text.strip()
        return text if text.isdigit() and int(text) <= 27 else None
    return vocab.lookup(VALUE_FIELDS[field_name], text)


def guess(field_name: str, text: str, people: list[str] = (), agency_type: str | None = None) -> tuple[str | None, str]:
    """The best guess for a header or value that is not understood: (meaning or None, how it was made). An event
    guessed from a word whose meaning depends on who recorded it ("ED attendance", like "attendance") is read as
    that word means to an agency of ``agency_type`` (``vocab.event_of``), when the file is one agency's.

    >>> guess("event", "Domestic abuse incident")
    ('incident', 'similar to domestic incident (95%)')
    >>> guess("dash_score", "16/27")
    ('16', 'a score out of 27')
    """
    if field_name == "dash_score":
        match = _DASH_OUT_OF.match(text)
        if match and int(match.group(1)) <= 27:
            return match.group(1), f"a score out of {text.split('/')[-1].strip() if '/' in text else 27}"
        return None, "no guess: give the number of 'yes' answers (0-27)"
    spellings = _spellings(field_name, list(people))
    if not spellings:
        return None, "no guess"
    found = process.extractOne(_key(field_name, text) if field_name != HEADER else text.lower(),
                               [s for s, _ in spellings], scorer=fuzz.WRatio, score_cutoff=GUESS_CUTOFF)
    if found is None:
        return None, f"no guess: closest {', '.join(closest(text, field_name, people))}"
    spelling, score, index = found
    value = spellings[index][1]
    typed = vocab.event_of(spelling, value, agency_type) if field_name == "event" and agency_type is not None else value
    if typed != value:
        return typed, f"similar to {spelling} ({round(score)}%), recorded by an agency of type {agency_type}"
    return value, f"similar to {spelling} ({round(score)}%)"


def closest(text: str, field_name: str, people: list[str] = (), limit: int = 3) -> list[str]:
    """The ``limit`` allowed values (or columns) closest to ``text``, closest first.

    >>> closest("apointment", "event")
    ['appointment', 'did_not_attend', 'incident']
    """
    spellings = _spellings(field_name, list(people)) or [(v, v) for v in _allowed(field_name, list(people))]
    ranked = process.extract(_key(field_name, text), [s for s, _ in spellings], scorer=fuzz.WRatio, limit=None)
    out: list[str] = []
    for _, _, index in ranked:
        value = spellings[index][1]
        if value not in out:
            out.append(value)
        if len(out) == limit:
            break
    return out


@dataclass
class Mapping:
    """A review's mapping.csv, validated: header aliases and value aliases, per file or for all files."""

    path: str = ""
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # file -> header key -> column ('' ignore)
    values: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (file, field) -> key -> value

    def header_aliases(self, file: str) -> dict[str, str]:
        """Header key -> canonical column for one file (its own rows win over ``*`` rows)."""
        return {**self.headers.get(ALL_FILES, {}), **self.headers.get(file, {})}

    def apply(self, sheet: Sheet, file: str) -> None:
        """Rewrite the mapped values of ``sheet`` (a chronology from ``file``) in place, before validation."""
        for field_name in VALUE_FIELDS:
            table = {**self.values.get((ALL_FILES, field_name), {}), **self.values.get((file, field_name), {})}
            index = sheet.columns.get(field_name)
            if not table or index is None:
                continue
            cache: dict[str, str] = {}
            for _, cells in sheet.rows:
                text = cells[index]
                if text not in cache:
                    cache[text] = self._mapped(field_name, text, table)
                cells[index] = cache[text]

    @staticmethod
    def _mapped(field_name: str, text: str, table: dict[str, str]) -> str:
        parts = [p.strip() for p in text.split(";")] if field_name in LIST_FIELDS else [text]
        out = []
        for part in parts:
            value = table.get(_key(field_name, part), part)
            if value != NO_VALUE and value.strip():
                out.append(value)
        return ";".join(out)


def read_mapping(folder: Path, files: list[str], people: list[str], problems: Problems) -> Mapping:
    """The review folder's mapping.csv (an empty mapping when there is none), every row checked.

    ``files`` are the review's chronology file names (what the ``file`` column may name)."""
    path = folder / MAPPING_FILE
    mapping = Mapping(str(path))
    if not path.is_file():
        return mapping
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"file", "field", "written", "means"} <= set(reader.fieldnames):
            problems.error(str(path), 1, f"a mapping needs the columns {', '.join(MAPPING_COLUMNS[:4])} (and optionally note); "
                                         "write one with: dhrgraph map FOLDER")
            return mapping
        number = {name: i + 1 for i, name in enumerate(reader.fieldnames)}
        for row in reader:
            line = reader.line_num
            file, field_name = (row.get("file") or "").strip(), (row.get("field") or "").strip()
            written, means = (row.get("written") or ""), (row.get("means") or "").strip()
            if not written.strip():
                continue
            if file != ALL_FILES and file not in files:
                problems.error(str(path), line, f"no chronology file {file!r} in this review; give * (every file) or one of: "
                                                f"{', '.join(files) or 'none'}", number["file"], "file")
                continue
            if field_name != HEADER and field_name not in VALUE_FIELDS:
                problems.error(str(path), line, f"unknown field {field_name!r}; allowed: {HEADER} (a header), "
                                                f"{', '.join(VALUE_FIELDS)}", number["field"], "field")
                continue
            target = _target(field_name, means, people)
            if target is None:
                what = "column" if field_name == HEADER else field_name.replace("_", " ")
                hint = f"; closest: {', '.join(closest(means, field_name, people))}" if means else ""
                allowed = _allowed(field_name, people)
                listing = ", ".join(allowed) if field_name != "dash_score" else "0-27"
                extra = (" or empty to ignore the column" if field_name == HEADER
                         else f" or {NO_VALUE} for no value" if field_name in OPTIONAL_FIELDS else "")
                problems.error(str(path), line, f"unknown {what} {means!r} for {written.strip()!r}{hint}; allowed: {listing}{extra}",
                               number["means"], "means")
                continue
            if field_name == HEADER:
                mapping.headers.setdefault(file, {})[_header_key(written)] = target
            elif target:  # an empty means maps nothing: the value stays unknown
                mapping.values.setdefault((file, field_name), {})[_key(field_name, written)] = target
    return mapping


def _target(field_name: str, means: str, people: list[str]) -> str | None:
    """What a ``means`` cell stands for ('' for nothing), or None when it is not allowed."""
    if not means:
        return ""
    if field_name == HEADER:
        key = _header_key(means)
        return next((c for c in CHRONOLOGY_COLUMNS if key == _header_key(c)), None)
    if means == NO_VALUE:
        return NO_VALUE if field_name in OPTIONAL_FIELDS else None
    if field_name in LIST_FIELDS:
        parts = [p.strip() for p in means.split(";") if p.strip()]
        values = [understood(field_name, p, people) for p in parts]
        return None if not values or None in values else ";".join(values)
    return understood(field_name, means, people)
