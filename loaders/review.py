"""Review chronologies in, validated records out.

Accepted inputs (``read_reviews``):

* a review folder: ``people.csv``, ``chronology.csv``, optional ``relationships.csv`` and
  ``agencies.csv``; the folder name is the review id. Instead of (or as well as) ``chronology.csv``
  it may hold ``chronologies/`` with each agency's own file (``loaders.agency_files``), merged into
  the review's one chronology, and a ``mapping.csv`` saying what their headers and values mean
  (``loaders.mapping``);
* a folder of review folders (and ``.xlsx`` workbooks), e.g. ``examples/``;
* a review workbook ``<review-id>.xlsx`` with sheets named people, relationships, chronology, agencies;
* combined files: a folder whose ``chronology.csv`` has a ``review`` column (``people.csv`` and
  ``relationships.csv`` then have one too), or a single combined chronology CSV with a ``review`` column
  (people are then taken from its subjects, with role ``other``).

Nothing is written here. Every row is checked and every problem collected, so that a load either
succeeds whole or reports all its problems and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from dhrgraph.loaders import identity, vocab
from dhrgraph.loaders.agency_files import AGENCY_FOLDER, agency_files, read_agency_file
from dhrgraph.loaders.dates import PartialDate, parse_date
from dhrgraph.loaders.gcpause import gc_paused
from dhrgraph.loaders.mapping import Mapping, closest, read_mapping
from dhrgraph.loaders.recommendations import validate_recommendations
from dhrgraph.loaders.records import Agency, Contacts, Person, Relationship, Review
from dhrgraph.loaders.tabular import LoadError, Problem, Problems, Sheet, read_csv, read_workbook

if TYPE_CHECKING:
    from dhrgraph.loaders.readahead import Readahead

__all__ = ["read_reviews", "ReadResult", "LoadError", "read_agencies"]

REQUIRED = {
    "people": ("person", "role"),
    "relationships": ("person", "other", "relationship"),
    "chronology": ("date", "agency", "subject", "event", "summary"),
    "agencies": ("name",),
    "review": ("id",),  # optional review.csv: id, title, area, type, index_date (the death)
    "recommendations": ("id", "agency", "text"),  # optional: see loaders.recommendations
}
SHEET_FILES = {kind: f"{kind}.csv" for kind in REQUIRED}


@dataclass
class ReadResult:
    reviews: list[Review]
    warnings: list[Problem]
    # the summaries read in a second process while validating (``read_ahead``); the load takes and closes it
    readings: Readahead | None = None


def read_reviews(paths: list[str | Path], read_ahead: bool | Readahead = False) -> ReadResult:
    """Read and validate every review under ``paths``; raise LoadError listing all problems.

    ``read_ahead`` (a load's: True, or a ``loaders.readahead.Readahead``): each review, once validated, is also read
    for its signals in a second process while the rest are validated (a large load only); the result's ``readings``
    hold them for ``review_batch``, and the load closes it."""
    readings = None
    if read_ahead:
        from dhrgraph.loaders.readahead import Readahead

        readings = read_ahead if isinstance(read_ahead, Readahead) else Readahead()
    try:
        if readings:
            readings.begin(paths)
        with gc_paused():
            result = _read_reviews(paths, readings.submit if readings else None)
    except BaseException:
        if readings:
            readings.close()  # nothing of a failed load is kept
        raise
    if readings:
        readings.finish()
        result.readings = readings
    return result


def _read_reviews(paths: list[str | Path], validated: Callable[[Review], None] | None = None) -> ReadResult:
    problems = Problems()
    reviews: list[Review] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            problems.error(str(path), 1, "no such file or folder")
            continue
        for source in _sources(path, problems):
            reviews.extend(_read_source(source, problems, validated))
    seen: dict[str, str] = {}
    for review in reviews:
        if review.id in seen:
            problems.error(review.path, 1, f"review id {review.id!r} is also given by {seen[review.id]}; review ids must be unique in one load")
        seen.setdefault(review.id, review.path)
    if not reviews and not problems.errors:
        problems.error(", ".join(str(p) for p in paths), 1,
                       "no review found: give review folders (with people.csv and chronology.csv), .xlsx workbooks or combined CSVs")
    problems.raise_if_any()
    return ReadResult(reviews, problems.sorted_warnings())


def _is_review_folder(path: Path) -> bool:
    return ((path / SHEET_FILES["chronology"]).is_file() or (path / SHEET_FILES["people"]).is_file()
            or (path / AGENCY_FOLDER).is_dir())


def _sources(path: Path, problems: Problems) -> list[Path]:
    if not path.is_file() and not path.is_dir():
        problems.error(str(path), 1, "not a regular file or folder (a device or a pipe); give a review folder, an .xlsx workbook or a combined .csv")
        return []
    if path.is_file():
        if path.parent.name == AGENCY_FOLDER and (path.parent.parent / SHEET_FILES["people"]).is_file():
            review = path.parent.parent
            problems.error(str(path), 1, f"this is one agency's chronology of review {review.name!r}: loading it alone would replace "
                                         f"the review with this file's rows; load the review folder: dhrgraph load {review}")
            return []
        if path.suffix.lower() not in (".xlsx", ".csv"):
            problems.error(str(path), 1, "unsupported file type: give a review folder, an .xlsx workbook or a combined .csv")
            return []
        return [path]
    if _is_review_folder(path):
        return [path]
    try:
        found = sorted(p for p in path.iterdir() if (p.is_dir() and _is_review_folder(p)) or (p.suffix.lower() == ".xlsx" and p.is_file()))
    except OSError as exc:
        problems.error(str(path), 1, f"cannot read this folder: {exc.strerror or exc.__class__.__name__}")
        return []
    if not found:
        problems.error(str(path), 1, "no review here: a review folder holds people.csv and chronology.csv")
    return found


def _own_name(path: Path) -> str:
    """The name of the file or folder ``path`` points to: ``load .`` is named after the current folder,
    ``load ..`` after its parent, never ``""`` or ``..`` (an id from the path as typed would differ
    between two folders' ``load .``, and replace one review with another)."""
    return path.resolve().name


def _read_source(path: Path, problems: Problems, validated: Callable[[Review], None] | None = None) -> list[Review]:
    if path.suffix.lower() == ".xlsx":
        sheets = read_workbook(path, REQUIRED, problems)
        if "chronology" not in sheets and not any(p.file.startswith(str(path)) for p in problems.errors):
            problems.error(str(path), 1, "the workbook has no 'chronology' sheet; sheets must be named people, relationships, chronology, agencies")
        return _build(path, Path(_own_name(path)).stem, sheets, problems, validated=validated)
    if path.is_file():  # a single combined chronology CSV
        sheet = read_csv(path, "chronology", REQUIRED["chronology"], problems, path.name)
        if sheet is None:
            return []
        if not sheet.has("review"):
            problems.error(str(path), 1, "a single CSV must be a combined chronology with a 'review' column; to load one review, give its folder")
            return []
        problems.warn(str(path), 1, "no people.csv with a combined chronology: people are taken from the subjects, with role 'other'")
        return _build(path, None, {"chronology": sheet}, problems, validated=validated)
    folder = _own_name(path)
    if not folder:
        problems.error(str(path), 1, "a review folder needs a name (the review id); the file system root has none")
        return []
    sheets: dict[str, Sheet] = {}
    agency_paths = agency_files(path)
    chronology_names = [p.name for p in agency_paths]  # what mapping.csv's file column may name
    if (path / SHEET_FILES["chronology"]).is_file():
        chronology_names.insert(0, SHEET_FILES["chronology"])
    mapping = Mapping()
    for kind, name in SHEET_FILES.items():
        file = path / name
        if kind == "chronology":
            people = sheets["people"] if "people" in sheets else None
            names = [people.cell(cells, "person") for _, cells in people.rows] if people else []
            mapping = read_mapping(path, chronology_names, names, problems)
        if file.is_file():
            aliases = mapping.header_aliases(name) if kind == "chronology" else None
            sheet = read_csv(file, kind, REQUIRED[kind], problems, f"{folder}/{name}", aliases)
            if sheet is not None:
                sheets[kind] = sheet
        elif file.exists():
            problems.error(str(file), 1, "not a regular file (a folder, a device or a pipe); give the CSV file itself")
        elif kind == "people" or (kind == "chronology" and not agency_paths):
            problems.error(str(file), 1, f"missing {name}: a review folder needs people.csv and chronology.csv "
                                         f"(or one file per agency in {AGENCY_FOLDER}/)")
    chronologies = [sheets.pop("chronology")] if "chronology" in sheets else []
    for file in agency_paths:
        sheet = read_agency_file(file, f"{folder}/{AGENCY_FOLDER}/{file.name}", problems, mapping.header_aliases(file.name))
        if sheet is not None:
            chronologies.append(sheet)
    for sheet in chronologies:
        mapping.apply(sheet, Path(sheet.name).name)
    if agency_paths and chronologies and chronologies[0].has("review"):
        problems.error(chronologies[0].file, 1, f"a combined chronology (with a 'review' column) cannot be merged with {AGENCY_FOLDER}/; "
                                                "give one review per folder")
        return []
    if chronologies:
        sheets["chronology"] = chronologies[0]
    return _build(path, folder, sheets, problems, chronologies[1:], validated)


def _build(path: Path, review_id: str | None, sheets: dict[str, Sheet], problems: Problems,
           more: list[Sheet] = (), validated: Callable[[Review], None] | None = None) -> list[Review]:
    """Split sheets into reviews (by their ``review`` column when combined) and validate each.
    ``more`` are further chronology sheets of the one review (its agencies' own files); ``validated`` is
    given each review validated while no error is known (``read_reviews``' ``read_ahead``)."""
    chronology = sheets.get("chronology")
    if chronology is None:
        return []
    combined = chronology.has("review")
    agencies = read_agencies(sheets.get("agencies"), problems)
    grouped: dict[str, dict[str, list[tuple[int, list[str]]]]] = defaultdict(lambda: defaultdict(list))
    for kind in ("people", "relationships", "chronology", "recommendations"):
        sheet = sheets.get(kind)
        if sheet is None:
            continue
        if combined and not sheet.has("review"):
            problems.error(sheet.file, 1, "the chronology is combined (it has a 'review' column), so this sheet needs a 'review' column too")
            continue
        if not combined:
            if sheet.rows:
                grouped[review_id][kind] = sheet.rows
            continue
        index = sheet.columns["review"]
        for row in sheet.rows:
            rid = row[1][index].strip()
            if not rid:
                problems.error(sheet.file, row[0], "empty review id", index + 1, "review")
                continue
            grouped[rid][kind].append(row)
    converters = _chronology_columns(agencies)
    reviews = []
    for rid, rows in grouped.items():
        if "chronology" not in rows:
            problems.error(sheets["people"].file if "people" in sheets else str(path), 1,
                           f"review {rid!r} has people but no chronology rows")
            continue
        review = _validate(rid, str(path), sheets, rows, agencies, converters, problems, infer_people="people" not in sheets,
                           more=more)
        reviews.append(review)
        if validated is not None and not problems.errors:
            validated(review)
    if "review" in sheets:
        _read_review_info(sheets["review"], reviews, problems)
    return reviews


def _read_review_info(sheet: Sheet, reviews: list[Review], problems: Problems) -> None:
    """review.csv: one row per review (id, title, area, type, index_date) onto each review's ``info``."""
    by_id = {r.id: r for r in reviews}
    for line, cells in sheet.rows:
        rid = sheet.cell(cells, "id").strip()
        if rid not in by_id:
            known = ", ".join(sorted(by_id)) or "none"
            problems.error(sheet.file, line, f"review {rid!r} is not a review of this source; reviews here: {known}",
                           sheet.column_number("id"), "id")
            continue
        info = {k: sheet.cell(cells, k).strip() or None for k in ("title", "area")}
        kind = sheet.cell(cells, "type").strip()
        if kind:
            info["type"] = vocab.lookup(vocab.REVIEW_TYPES, kind)
            if info["type"] is None:
                problems.error(sheet.file, line, f"unknown review type {kind!r}; allowed: {vocab.allowed(vocab.REVIEW_TYPES, ordered=True)}",
                               sheet.column_number("type"), "type")
        index_date = sheet.cell(cells, "index_date").strip()
        if index_date:
            try:
                info["index_date"] = parse_date(index_date).graph_values[0]
            except ValueError as exc:
                problems.error(sheet.file, line, f"index_date: {exc}", sheet.column_number("index_date"), "index_date")
        by_id[rid].info = {k: v for k, v in info.items() if v is not None}


@dataclass
class _AgencyIndex:
    """The declared agencies of one source and every spelling that names them."""

    by_key: dict[str, Agency]
    declared: bool
    _declared: dict[str, Agency] | None = None

    def declared_agencies(self) -> dict[str, Agency]:
        """The agencies agencies.csv declares, by name: one dict shared by the reviews of a source."""
        if self._declared is None:
            self._declared = {a.name: a for a in self.by_key.values() if a.declared}
        return self._declared

    def resolve(self, name: str) -> Agency:
        key = vocab.agency_key(name)
        agency = self.by_key.get(key)
        if agency is None:
            agency = Agency.undeclared(name)
            self.by_key[key] = agency
        return agency


def read_agencies(sheet: Sheet | None, problems: Problems) -> _AgencyIndex:
    """A review's agencies.csv as an index (``resolve``: a name or alias to its agency, an undeclared one typed from
    its name); what is wrong with it goes to ``problems``."""
    index = _AgencyIndex({}, declared=sheet is not None)
    if sheet is None:
        return index
    first_line: dict[str, int] = {}
    for line, cells in sheet.rows:
        name = " ".join(sheet.cell(cells, "name").split())
        if not vocab.agency_key(name):
            problems.error(sheet.file, line, f"agency name {name!r} is empty or has no letter or digit" if name else "agency name is empty",
                           sheet.column_number("name"), "name")
            continue
        type_text = sheet.cell(cells, "type")
        if type_text:
            kind = vocab.lookup(vocab.AGENCY_TYPES, type_text)
            if kind is None:
                problems.error(sheet.file, line, f"unknown agency type {type_text!r}; allowed: {vocab.allowed(vocab.AGENCY_TYPES)}",
                               sheet.column_number("type"), "type")
                continue
        else:
            kind = vocab.infer_agency_type(name)
        aliases = tuple(a.strip() for a in sheet.cell(cells, "aliases").split(";") if a.strip())
        nameless = [a for a in aliases if not vocab.agency_key(a)]
        if nameless:
            problems.error(sheet.file, line, f"alias {nameless[0]!r} has no letter or digit", sheet.column_number("aliases"), "aliases")
            continue
        agency = Agency(name=name, type=kind, aliases=aliases)
        for spelling in (name, *aliases):
            key = vocab.agency_key(spelling)
            if key in first_line:
                problems.error(sheet.file, line, f"agency {spelling!r} is already named at line {first_line[key]}",
                               sheet.column_number("name"), "name")
                continue
            first_line[key] = line
            index.by_key[key] = agency
    return index


def _bool(text: str, default: bool) -> bool | None:
    if not text:
        return default
    return vocab.BOOLEANS.get(text.strip().lower())


def _split(text: str) -> list[str]:
    if not text:  # most list cells are empty
        return []
    return [part.strip() for part in text.split(";") if part.strip()]


def _validate(rid: str, path: str, sheets: dict[str, Sheet], rows: dict[str, list], agencies: _AgencyIndex,
              converters: dict[str, "_Column"], problems: Problems, infer_people: bool, more: list[Sheet] = ()) -> Review:
    review = Review(id=rid, path=path)
    people = _validate_people(review, sheets.get("people"), rows.get("people", []), problems)
    if "relationships" in sheets:
        _validate_relationships(review, sheets["relationships"], rows.get("relationships", []), people, problems)
    parts = [(sheets["chronology"], rows["chronology"]), *((sheet, sheet.rows) for sheet in more)]
    # agencies that record contacts in any of the review's chronology files (referrals to them are no surprise)
    recording = {vocab.agency_key(agencies.resolve(text).name) for sheet, part in parts if sheet.has("agency")
                 for text in {cells[sheet.columns["agency"]].strip() for _, cells in part} if text} if more else set()
    merged: list[tuple[Contacts, dict[str, Agency]]] = []
    for sheet, part in parts:
        result = _validate_chronology(review, sheet, part, people, agencies, converters, problems, infer_people, recording)
        if result is not None:
            merged.append(result)
    if merged and not problems.errors:
        review.contacts = _concat([c for c, _ in merged])
        review.agencies = {name: agency for _, used in merged for name, agency in used.items()}
        review.declared = agencies.declared_agencies()
        if any(sheet.has("file") for sheet, _ in parts):  # else every row is where it is: lines and records are unique
            _check_provenance(review, parts, problems)
    if "recommendations" in sheets:
        for agency in validate_recommendations(review, sheets["recommendations"], rows.get("recommendations", []),
                                               agencies.resolve, problems):
            review.agencies.setdefault(agency.name, agency)
    return review


def _concat(parts: list[Contacts]) -> Contacts:
    """One review's contacts from several chronology files, file after file."""
    if len(parts) == 1:
        return parts[0]
    return Contacts(**{f.name: [v for part in parts for v in getattr(part, f.name)] for f in fields(Contacts)})


def _check_provenance(review: Review, parts: list[tuple[Sheet, list]], problems: Problems) -> None:
    """Each contact's source (file and record, or line in a single file) names one row only: a merged
    chronology written out and loaded again says where each row came from, and must not say it twice."""
    c = review.contacts
    single = len(set(c.file)) <= 1
    keys = list(zip(c.file, c.line)) if single else list(zip(c.file, c.record))
    if len(set(keys)) == len(keys):
        return
    where = [(sheet, line) for sheet, part in parts for line, _ in part]
    first: dict[tuple, int] = {}
    for i, key in enumerate(keys):
        if key in first:
            sheet, line = where[i]
            what = f"line {key[1]}" if single else f"record {key[1]}"
            problems.error(sheet.file, line, f"this row's source ({key[0]}, {what}) is also the source of an earlier row; "
                                             "each row of a merged chronology keeps its own source file and record",
                           sheet.column_number("record") or sheet.column_number("file"), "record")
        first.setdefault(key, i)


def _validate_people(review: Review, sheet: Sheet | None, rows: list, problems: Problems) -> dict[str, Person]:
    people: dict[str, Person] = {}
    if sheet is None:
        return people
    col = sheet.column_number
    for line, cells in rows:
        ok = True
        name = sheet.cell(cells, "person")
        if not name:
            problems.error(sheet.file, line, "person is empty; give the pseudonym used in the review", col("person"), "person")
            continue
        if name in people:
            problems.error(sheet.file, line, f"duplicate person {name!r} (first at line {people[name].line}); person ids must be unique in a review",
                           col("person"), "person")
            continue
        role_text = sheet.cell(cells, "role")
        role = vocab.lookup(vocab.ROLES, role_text)
        if role is None:
            problems.error(sheet.file, line, f"unknown role {role_text!r}; allowed: {vocab.allowed(vocab.ROLES)}", col("role"), "role")
            ok = False
        sex_text = sheet.cell(cells, "sex")
        sex = vocab.lookup(vocab.SEXES, sex_text) if sex_text else None
        if sex_text and sex is None:
            problems.error(sheet.file, line, f"unknown sex {sex_text!r}; allowed: {vocab.allowed(vocab.SEXES, ordered=True)}", col("sex"), "sex")
            ok = False
        age_text = sheet.cell(cells, "age")
        age = None
        if age_text:
            if _whole(age_text) and int(age_text) <= 120:
                age = int(age_text)
            else:
                problems.error(sheet.file, line, f"age must be a whole number from 0 to 120, got {age_text!r}", col("age"), "age")
                ok = False
        identified = _bool(sheet.cell(cells, "identified"), True)
        if identified is None:
            problems.error(sheet.file, line, f"identified must be yes or no, got {sheet.cell(cells, 'identified')!r}", col("identified"), "identified")
            ok = False
        details = {}
        for column, parse in _IDENTIFYING.items():
            text = sheet.cell(cells, column)
            if text:
                try:
                    details[column] = parse(text)
                except ValueError as exc:  # the message never repeats the (sensitive) text
                    problems.error(sheet.file, line, str(exc), col(column), column)
                    ok = False
        person = Person(review.id, name, role or "other", sex, age, sheet.cell(cells, "global_id") or None,
                        bool(identified), sheet.name, line, **details)
        people[name] = person
        if ok:
            review.people.append(person)
    _check_aliases(sheet, people, problems)
    return people


_IDENTIFYING = {"aliases": identity.parse_aliases, "dob": identity.parse_dob, "postcode": identity.parse_postcode,
                "identifiers": identity.parse_identifiers}


def _check_aliases(sheet: Sheet, people: dict[str, Person], problems: Problems) -> None:
    """An alias names one person only: not another person's pseudonym, not two people's alias."""
    owners = {identity.name_key(name): name for name in people}
    for person in people.values():
        for alias in person.aliases:
            key = identity.name_key(alias)
            if owners.setdefault(key, person.person) != person.person:
                problems.error(sheet.file, person.line, f"an alias of {person.person!r} also names {owners[key]!r}; an alias must "
                               f"name one person in the review {identity.SENSITIVE_HINT}", sheet.column_number("aliases"), "aliases")


def _alias_subjects(people: dict[str, Person], subjects: list) -> list:
    """Chronology subjects with each alias replaced by the pseudonym it names."""
    pseudonyms = {identity.name_key(alias): p.person for p in people.values() for alias in p.aliases}
    if not pseudonyms:
        return subjects
    mapped: dict = {}
    for names in set(subjects):
        if type(names) is tuple:
            mapped[names] = tuple(dict.fromkeys(name if name in people else pseudonyms.get(identity.name_key(name), name)
                                                for name in names))
    return [mapped.get(names, names) if type(names) is tuple else names for names in subjects]


def _unknown_person(name: str, people: dict[str, Person]) -> str:
    known = ", ".join(sorted(people)[:12]) + (", ..." if len(people) > 12 else "")
    return f"unknown person {name!r}; people.csv has: {known or 'nobody'}" + (_closest(name, "subject", list(people)) if people else "")


def _closest(text: str, field_name: str, people: list[str] = ()) -> str:
    """The end of an unknown-value message: the three closest allowed values, and how to say it once."""
    return f"; closest: {', '.join(closest(text, field_name, people))}; or say what it means in mapping.csv (dhrgraph map)"


def _validate_relationships(review: Review, sheet: Sheet, rows: list, people: dict[str, Person], problems: Problems) -> None:
    col = sheet.column_number
    for line, cells in rows:
        ok = True
        ends = {}
        for column in ("person", "other"):
            name = sheet.cell(cells, column)
            if name not in people:
                problems.error(sheet.file, line, _unknown_person(name, people), col(column), column)
                ok = False
            ends[column] = name
        if ok and ends["person"] == ends["other"]:
            problems.error(sheet.file, line, "a relationship needs two different people", col("other"), "other")
            ok = False
        kind_text = sheet.cell(cells, "relationship")
        kind = vocab.lookup(vocab.RELATIONSHIPS, kind_text)
        if kind is None:
            problems.error(sheet.file, line, f"unknown relationship {kind_text!r}; allowed: {vocab.allowed(vocab.RELATIONSHIPS)}",
                           col("relationship"), "relationship")
            ok = False
        abusive = _bool(sheet.cell(cells, "abusive"), False)
        if abusive is None:
            problems.error(sheet.file, line, f"abusive must be yes or no, got {sheet.cell(cells, 'abusive')!r}", col("abusive"), "abusive")
            ok = False
        if ok:
            review.relationships.append(Relationship(review.id, ends["person"], ends["other"], kind, bool(abusive), sheet.name, line))


class _Invalid(Exception):
    """A cell that cannot be loaded, with what is wrong (one message per wrong part of it)."""

    def __init__(self, *messages: str):
        super().__init__(*messages)
        self.messages = messages


class _Column:
    """Converts a column's cells through a table of their distinct texts.

    A chronology repeats the same dates, agencies, events and people on many rows, so each distinct
    text is checked once per source and every cell is then one dictionary look-up, done in C
    (``map``) rather than by a Python call per cell. ``convert`` raises ``_Invalid`` for a bad text.
    """

    __slots__ = ("convert", "values", "invalid")

    def __init__(self, convert):
        self.convert = convert
        self.values: dict[str, object] = {}
        self.invalid: set[str] = set()

    def __call__(self, cells: list[str]) -> tuple[list, set[str]]:
        """The converted cells, and which of their texts are invalid (their values are ``_Invalid``)."""
        distinct = set(cells)
        values = self.values
        # not ``distinct - values.keys()``: that walks every text seen so far (quadratic on big sources)
        for text in [t for t in distinct if t not in values]:
            try:
                values[text] = self.convert(text)
            except _Invalid as exc:
                values[text] = exc
                self.invalid.add(text)
        return list(map(values.__getitem__, cells)), (distinct & self.invalid if self.invalid else set())


@dataclass(frozen=True, slots=True)
class _Flow:
    """A referred_to or shared_with cell: the canonical agency names, and each name as written."""

    names: tuple[str, ...]
    parts: tuple[tuple[str, Agency], ...]


_NO_FLOW = _Flow((), ())


def _date(text: str):
    text = text.strip()
    if not text:
        raise _Invalid("date is empty; give the date of the contact")
    try:
        return parse_date(text)
    except ValueError as exc:
        raise _Invalid(str(exc)) from None


def _agency(agencies: _AgencyIndex, text: str) -> Agency:
    text = text.strip()
    if not text:
        raise _Invalid("agency is empty; give the recording agency")
    if not vocab.agency_key(text):
        raise _Invalid(f"agency {text!r} has no letter or digit; give the agency's name")
    return agencies.resolve(text)


def _subjects(text: str) -> tuple[str, ...]:
    names = _split(text)
    if not names:
        raise _Invalid("subject is empty; give one or more persons, ';'-separated")
    return tuple(dict.fromkeys(names))


def _event(text: str) -> str:
    value = vocab.lookup(vocab.EVENTS, text)
    if value is None:
        raise _Invalid(f"unknown event {text.strip()!r}; allowed: {vocab.allowed(vocab.EVENTS)} "
                       f"(DNA, call-out, home visit ... are accepted too){_closest(text, 'event')}")
    return value


def _time(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if not _valid_time(text):
        raise _Invalid(f"invalid time {text!r}; use HH:MM or HH:MM:SS (24-hour)")
    hours, minutes = text.split(":")[:2]
    return f"{int(hours):02d}:{minutes}"


def _number(column: str, low: int, high: int, hint: str = ""):
    def convert(text: str) -> int | None:
        text = text.strip()
        if not text:
            return None
        if _whole(text) and low <= int(text) <= high:
            return int(text)
        raise _Invalid(f"{column} must be a whole number from {low} to {high}, got {text!r}" + (f"; {hint}" if hint else ""))
    return convert


def _risk_level(text: str) -> str | None:
    if not text.strip():
        return None
    value = vocab.lookup(vocab.RISK_LEVELS, text)
    if value is None:
        raise _Invalid(f"unknown risk level {text.strip()!r}; allowed: {vocab.allowed(vocab.RISK_LEVELS, ordered=True)}{_closest(text, 'risk_level')}")
    return value


def _risk_factors(text: str) -> tuple[str, ...]:
    factors, unknown = [], []
    for part in _split(text):
        factor = vocab.lookup(vocab.RISK_FACTORS, part)
        if factor is None:
            unknown.append(f"unknown risk factor {part!r}; allowed: {vocab.allowed(vocab.RISK_FACTORS)}"
                           f"{_closest(part, 'risk_factors')}")
        else:
            factors.append(factor)
    if unknown:
        raise _Invalid(*unknown)
    return tuple(dict.fromkeys(factors))


def _flow(agencies: _AgencyIndex, text: str) -> _Flow:
    nameless = [name for name in _split(text) if not vocab.agency_key(name)]
    if nameless:
        raise _Invalid(*(f"agency {name!r} has no letter or digit; give the agency's name" for name in nameless))
    parts = tuple((name, agencies.resolve(name)) for name in _split(text))
    return _Flow(tuple(dict.fromkeys(agency.name for _, agency in parts)), parts) if parts else _NO_FLOW


def _optional(text: str) -> str | None:
    return text.strip() or None


def _chronology_columns(agencies: _AgencyIndex) -> dict[str, _Column]:
    """One converter per chronology column, shared by every review of a source."""
    agency, flow = partial(_agency, agencies), partial(_flow, agencies)
    return {
        "date": _Column(_date), "agency": _Column(agency), "subject": _Column(_subjects), "event": _Column(_event),
        "time": _Column(_time), "sequence": _Column(_number("sequence", 0, 10_000)),
        "dash_score": _Column(_number("dash_score", 0, 27, "the DASH checklist has 27 questions (SafeLives 24); give the number of 'yes' answers")),
        "risk_level": _Column(_risk_level), "risk_factors": _Column(_risk_factors),
        "referred_to": _Column(flow), "shared_with": _Column(flow),
        "professional": _Column(_optional), "referral_outcome": _Column(_optional), "source": _Column(_optional),
    }


def _validate_chronology(review: Review, sheet: Sheet, rows: list, people: dict[str, Person], agencies: _AgencyIndex,
                         converters: dict[str, _Column], problems: Problems, infer_people: bool,
                         recording: set[str] | None = None) -> tuple[Contacts, dict[str, Agency]] | None:
    """Check one chronology sheet of a review column by column (each distinct text once, see ``_Column``);
    its contacts and the agencies they use, or None when anything is wrong. ``recording``: the agency
    keys that record contacts in the review's other chronology files."""
    col = sheet.column_number
    lines = [line for line, _ in rows]
    by_column = list(zip(*(c for _, c in rows)))  # rows are as wide as the header (read_csv pads them)

    def raw(column: str) -> list[str] | tuple[str, ...]:
        index = sheet.columns.get(column)
        return by_column[index] if index is not None and by_column else [""] * len(lines)

    def convert(column: str) -> list:
        texts = raw(column)
        values, invalid = converters[column](texts)
        if invalid:
            for line, text, value in zip(lines, texts, values):
                if text in invalid:
                    for message in value.messages:
                        problems.error(sheet.file, line, message, col(column), column)
        return values

    dates = convert("date")
    recorded = convert("agency")
    subjects = _alias_subjects(people, convert("subject"))
    events = convert("event")
    if not problems.errors:  # a word whose meaning depends on the recording agency ("attendance")
        events = [vocab.event_of(text, event, agency.type) for text, event, agency in zip(raw("event"), events, recorded)]
    summaries = list(map(str.strip, raw("summary")))
    if "" in summaries:
        for line, summary in zip(lines, summaries):
            if not summary:
                problems.error(sheet.file, line, "summary is empty; say what the agency recorded", col("summary"), "summary")
    times, sequences, dash = convert("time"), convert("sequence"), convert("dash_score")
    if any(type(d) is PartialDate and d.time for d in set(dates)):  # "03/01/2022 14:35": the time fills `time`
        times = _times_from_dates(sheet, lines, dates, times, problems)
    levels, factors = convert("risk_level"), convert("risk_factors")
    referred, shared = convert("referred_to"), convert("shared_with")
    professionals, outcomes, sources = convert("professional"), convert("referral_outcome"), convert("source")

    _check_subjects(review, sheet, lines, subjects, people, problems, infer_people)
    provenance = _provenance(sheet, lines, problems)
    if problems.errors:
        return None  # nothing will be loaded: no need to assemble the review

    names = list(map(attrgetter("name"), recorded))
    used = _agencies_used(sheet, lines, recorded, names, referred, shared, agencies, problems, recording)
    files, records, graph_lines = provenance
    return Contacts(
        file=files, line=graph_lines, record=records, date=dates, agency=names, subjects=subjects, event=events, summary=summaries,
        time=times, sequence=sequences, professional=professionals, risk_level=levels, dash_score=dash,
        risk_factors=factors, referred_to=[f.names for f in referred], referral_outcome=outcomes,
        shared_with=[f.names for f in shared], source=sources,
    ), used


def _check_subjects(review: Review, sheet: Sheet, lines: list[int], subjects: list, people: dict[str, Person],
                    problems: Problems, infer_people: bool) -> None:
    """Every subject named on a row is a person of the review; ``infer_people`` (a combined chronology
    without people.csv): its subjects are its people, added to ``people`` and the review."""
    if not any(name not in people for names in set(subjects) if type(names) is tuple for name in names):
        return
    for line, names in zip(lines, subjects):
        if type(names) is not tuple:
            continue
        for name in names:
            if name in people:
                continue
            if infer_people:
                people[name] = Person(review.id, name, "other", None, None, None, True, sheet.name, line)
                review.people.append(people[name])
            else:
                problems.error(sheet.file, line, _unknown_person(name, people), sheet.column_number("subject"), "subject")


def _agencies_used(sheet: Sheet, lines: list[int], recorded: list[Agency], names: list[str], referred: list[_Flow],
                   shared: list[_Flow], agencies: _AgencyIndex, problems: Problems,
                   recording: set[str] | None) -> dict[str, Agency]:
    """The agencies a chronology sheet uses, in order of first use; warns of each agency a flow names
    that no agency file declares and no chronology of the review records (``recording``: the other files')."""
    flows = [i for i, (r, s) in enumerate(zip(referred, shared)) if r.parts or s.parts]
    if not flows:
        return {agency.name: agency for agency in recorded}
    used: dict[str, Agency] = {}
    for agency, r, s in zip(recorded, referred, shared):
        for _, other in r.parts + s.parts:
            used.setdefault(other.name, other)
        used.setdefault(agency.name, agency)
    in_agency_column = {vocab.agency_key(name) for name in set(names)} | (recording or set())
    for i in flows:
        for column, flow in (("referred_to", referred[i]), ("shared_with", shared[i])):
            for written, agency in flow.parts:
                if not agency.declared and vocab.agency_key(agency.name) not in in_agency_column:
                    where = "agencies.csv" if agencies.declared else "the chronology's agency column"
                    problems.warn(sheet.file, lines[i], f"agency {written!r} is not in {where}; created with type {agency.type!r}",
                                  sheet.column_number(column), column)
    return used


def _provenance(sheet: Sheet, lines: list[int], problems: Problems) -> tuple[list[str], list[int], list[int]]:
    """Each row's source file, record and line: where it is, or, for a merged chronology written by
    ``dhrgraph chronology`` and loaded again, where its own columns say it came from."""
    records = sheet.record_of(lines)
    if not sheet.has("file"):
        return [sheet.name] * len(lines), records, lines
    index = {c: sheet.columns.get(c) for c in ("file", "record", "line")}
    cells = {line: cells for line, cells in sheet.rows}
    files, kept_records, kept_lines = [], [], []
    for line, record in zip(lines, records):
        row = cells[line]
        file = row[index["file"]].strip()
        numbers = {}
        for column in ("record", "line"):
            text = row[index[column]].strip() if index[column] is not None else ""
            if text and not text.isdigit():
                problems.error(sheet.file, line, f"{column} must be a whole number (the row of the source file), got {text!r}",
                               sheet.column_number(column), column)
            numbers[column] = int(text) if text.isdigit() else None
        if file and numbers["record"] is None:
            problems.error(sheet.file, line, "a row with a source file needs its record number", sheet.column_number("record"), "record")
        files.append(file or sheet.name)
        kept_records.append(numbers["record"] or record if file else record)
        kept_lines.append((numbers["line"] or numbers["record"] or line) if file else line)
    return files, kept_records, kept_lines


def _times_from_dates(sheet: Sheet, lines: list[int], dates: list, times: list, problems: Problems) -> list:
    """The contacts' times, taken from their dates where the date was written with one."""
    merged = list(times)
    for i, (date, time) in enumerate(zip(dates, times)):
        if type(date) is not PartialDate or date.time is None:
            continue
        if time is None:
            merged[i] = date.time
        elif type(time) is str and time != date.time:
            problems.error(sheet.file, lines[i], f"the date gives the time {date.time} and the time column {time}; give one time",
                           sheet.column_number("time"), "time")
    return merged


def _valid_time(text: str) -> bool:
    parts = text.split(":")
    return (len(parts) in (2, 3) and all(_whole(p) and len(p) <= 2 for p in parts)
            and all(len(p) == 2 and int(p) < 60 for p in parts[1:]) and int(parts[0]) < 24)


def _whole(text: str) -> bool:
    """Digits 0-9 only: ``str.isdigit`` is also true for '²' and '①', which ``int`` refuses."""
    return text.isascii() and text.isdigit()
