"""Review chronologies in, validated records out.

Accepted inputs (``read_reviews``):

* a review folder: ``people.csv``, ``chronology.csv``, optional ``relationships.csv`` and
  ``agencies.csv``; the folder name is the review id;
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
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from loaders import vocab
from loaders.dates import parse_date
from loaders.gcpause import gc_paused
from loaders.records import Agency, Contacts, Person, Relationship, Review
from loaders.tabular import LoadError, Problem, Problems, Sheet, read_csv, read_workbook

__all__ = ["read_reviews", "ReadResult", "LoadError"]

REQUIRED = {
    "people": ("person", "role"),
    "relationships": ("person", "other", "relationship"),
    "chronology": ("date", "agency", "subject", "event", "summary"),
    "agencies": ("name",),
}
SHEET_FILES = {kind: f"{kind}.csv" for kind in REQUIRED}


@dataclass
class ReadResult:
    reviews: list[Review]
    warnings: list[Problem]


def read_reviews(paths: list[str | Path]) -> ReadResult:
    """Read and validate every review under ``paths``; raise LoadError listing all problems."""
    with gc_paused():
        return _read_reviews(paths)


def _read_reviews(paths: list[str | Path]) -> ReadResult:
    problems = Problems()
    reviews: list[Review] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            problems.error(str(path), 1, "no such file or folder")
            continue
        for source in _sources(path, problems):
            reviews.extend(_read_source(source, problems))
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
    return (path / SHEET_FILES["chronology"]).is_file() or (path / SHEET_FILES["people"]).is_file()


def _sources(path: Path, problems: Problems) -> list[Path]:
    if path.is_file():
        if path.suffix.lower() not in (".xlsx", ".csv"):
            problems.error(str(path), 1, "unsupported file type: give a review folder, an .xlsx workbook or a combined .csv")
            return []
        return [path]
    if _is_review_folder(path):
        return [path]
    found = sorted(p for p in path.iterdir() if (p.is_dir() and _is_review_folder(p)) or p.suffix.lower() == ".xlsx")
    if not found:
        problems.error(str(path), 1, "no review here: a review folder holds people.csv and chronology.csv")
    return found


def _read_source(path: Path, problems: Problems) -> list[Review]:
    if path.suffix.lower() == ".xlsx":
        sheets = read_workbook(path, REQUIRED, problems)
        if "chronology" not in sheets and not any(p.file.startswith(str(path)) for p in problems.errors):
            problems.error(str(path), 1, "the workbook has no 'chronology' sheet; sheets must be named people, relationships, chronology, agencies")
        return _build(path, path.stem, sheets, problems)
    if path.is_file():  # a single combined chronology CSV
        sheet = read_csv(path, "chronology", REQUIRED["chronology"], problems, path.name)
        if sheet is None:
            return []
        if not sheet.has("review"):
            problems.error(str(path), 1, "a single CSV must be a combined chronology with a 'review' column; to load one review, give its folder")
            return []
        problems.warn(str(path), 1, "no people.csv with a combined chronology: people are taken from the subjects, with role 'other'")
        return _build(path, None, {"chronology": sheet}, problems)
    sheets: dict[str, Sheet] = {}
    for kind, name in SHEET_FILES.items():
        file = path / name
        if file.is_file():
            sheet = read_csv(file, kind, REQUIRED[kind], problems, f"{path.name}/{name}")
            if sheet is not None:
                sheets[kind] = sheet
        elif kind in ("people", "chronology"):
            problems.error(str(file), 1, f"missing {name}: a review folder needs people.csv and chronology.csv")
    return _build(path, path.name, sheets, problems)


def _build(path: Path, review_id: str | None, sheets: dict[str, Sheet], problems: Problems) -> list[Review]:
    """Split sheets into reviews (by their ``review`` column when combined) and validate each."""
    chronology = sheets.get("chronology")
    if chronology is None:
        return []
    combined = chronology.has("review")
    agencies = _read_agencies(sheets.get("agencies"), problems)
    grouped: dict[str, dict[str, list[tuple[int, list[str]]]]] = defaultdict(lambda: defaultdict(list))
    for kind in ("people", "relationships", "chronology"):
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
        reviews.append(_validate(rid, str(path), sheets, rows, agencies, converters, problems, infer_people="people" not in sheets))
    return reviews


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
            agency = Agency(name=" ".join(name.split()), type=vocab.infer_agency_type(name), declared=False)
            self.by_key[key] = agency
        return agency


def _read_agencies(sheet: Sheet | None, problems: Problems) -> _AgencyIndex:
    index = _AgencyIndex({}, declared=sheet is not None)
    if sheet is None:
        return index
    first_line: dict[str, int] = {}
    for line, cells in sheet.rows:
        name = " ".join(sheet.cell(cells, "name").split())
        if not name:
            problems.error(sheet.file, line, "agency name is empty", sheet.column_number("name"), "name")
            continue
        type_text = sheet.cell(cells, "type")
        if type_text:
            kind = vocab.lookup(vocab.AGENCY_TYPES, type_text)
            if kind is None:
                problems.error(sheet.file, line, f"unknown agency type {type_text!r}; allowed: {', '.join(sorted(set(vocab.AGENCY_TYPES.values())))}",
                               sheet.column_number("type"), "type")
                continue
        else:
            kind = vocab.infer_agency_type(name)
        aliases = tuple(a.strip() for a in sheet.cell(cells, "aliases").split(";") if a.strip())
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
              converters: dict[str, "_Column"], problems: Problems, infer_people: bool) -> Review:
    review = Review(id=rid, path=path)
    people = _validate_people(review, sheets.get("people"), rows.get("people", []), problems)
    if "relationships" in sheets:
        _validate_relationships(review, sheets["relationships"], rows.get("relationships", []), people, problems)
    _validate_chronology(review, sheets["chronology"], rows["chronology"], people, agencies, converters, problems, infer_people)
    return review


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
            problems.error(sheet.file, line, f"unknown role {role_text!r}; allowed: {', '.join(sorted(set(vocab.ROLES.values())))}", col("role"), "role")
            ok = False
        sex_text = sheet.cell(cells, "sex")
        sex = vocab.lookup(vocab.SEXES, sex_text) if sex_text else None
        if sex_text and sex is None:
            problems.error(sheet.file, line, f"unknown sex {sex_text!r}; allowed: female, male, other, unknown", col("sex"), "sex")
            ok = False
        age_text = sheet.cell(cells, "age")
        age = None
        if age_text:
            if age_text.isdigit() and int(age_text) <= 120:
                age = int(age_text)
            else:
                problems.error(sheet.file, line, f"age must be a whole number from 0 to 120, got {age_text!r}", col("age"), "age")
                ok = False
        identified = _bool(sheet.cell(cells, "identified"), True)
        if identified is None:
            problems.error(sheet.file, line, f"identified must be yes or no, got {sheet.cell(cells, 'identified')!r}", col("identified"), "identified")
            ok = False
        person = Person(review.id, name, role or "other", sex, age, sheet.cell(cells, "global_id") or None,
                        bool(identified), sheet.name, line)
        people[name] = person
        if ok:
            review.people.append(person)
    return people


def _unknown_person(name: str, people: dict[str, Person]) -> str:
    known = ", ".join(sorted(people)[:12]) + (", ..." if len(people) > 12 else "")
    return f"unknown person {name!r}; people.csv has: {known or 'nobody'}"


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
            problems.error(sheet.file, line, f"unknown relationship {kind_text!r}; allowed: {', '.join(sorted(set(vocab.RELATIONSHIPS.values())))}",
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


def _chronology_columns(agencies: _AgencyIndex) -> dict[str, _Column]:
    """One converter per chronology column, shared by every review of a source."""

    def date(text: str):
        text = text.strip()
        if not text:
            raise _Invalid("date is empty; give the date of the contact")
        try:
            return parse_date(text)
        except ValueError as exc:
            raise _Invalid(str(exc)) from None

    def agency(text: str) -> Agency:
        text = text.strip()
        if not text:
            raise _Invalid("agency is empty; give the recording agency")
        return agencies.resolve(text)

    def subjects(text: str) -> tuple[str, ...]:
        names = _split(text)
        if not names:
            raise _Invalid("subject is empty; give one or more persons, ';'-separated")
        return tuple(dict.fromkeys(names))

    def event(text: str) -> str:
        value = vocab.lookup(vocab.EVENTS, text)
        if value is None:
            raise _Invalid(f"unknown event {text.strip()!r}; allowed: {', '.join(sorted(set(vocab.EVENTS.values())))} "
                           "(DNA, call-out, home visit ... are accepted too)")
        return value

    def time(text: str) -> str | None:
        text = text.strip()
        if not text:
            return None
        if not _valid_time(text):
            raise _Invalid(f"invalid time {text!r}; use HH:MM (24-hour)")
        hours, minutes = text.split(":")[:2]
        return f"{int(hours):02d}:{minutes}"

    def number(column: str, low: int, high: int, hint: str = ""):
        def convert(text: str) -> int | None:
            text = text.strip()
            if not text:
                return None
            if text.isdigit() and low <= int(text) <= high:
                return int(text)
            raise _Invalid(f"{column} must be a whole number from {low} to {high}, got {text!r}" + (f"; {hint}" if hint else ""))
        return convert

    def risk_level(text: str) -> str | None:
        if not text.strip():
            return None
        value = vocab.lookup(vocab.RISK_LEVELS, text)
        if value is None:
            raise _Invalid(f"unknown risk level {text.strip()!r}; allowed: standard, medium, high")
        return value

    def risk_factors(text: str) -> tuple[str, ...]:
        factors, unknown = [], []
        for part in _split(text):
            factor = vocab.lookup(vocab.RISK_FACTORS, part)
            if factor is None:
                unknown.append(f"unknown risk factor {part!r}; allowed: {', '.join(sorted(set(vocab.RISK_FACTORS.values())))}")
            else:
                factors.append(factor)
        if unknown:
            raise _Invalid(*unknown)
        return tuple(dict.fromkeys(factors))

    def flow(text: str) -> _Flow:
        parts = tuple((name, agencies.resolve(name)) for name in _split(text))
        return _Flow(tuple(dict.fromkeys(agency.name for _, agency in parts)), parts) if parts else _NO_FLOW

    def optional(text: str) -> str | None:
        return text.strip() or None

    return {
        "date": _Column(date), "agency": _Column(agency), "subject": _Column(subjects), "event": _Column(event),
        "time": _Column(time), "sequence": _Column(number("sequence", 0, 10_000)),
        "dash_score": _Column(number("dash_score", 0, 27, "the DASH checklist has 27 questions (SafeLives 24); give the number of 'yes' answers")),
        "risk_level": _Column(risk_level), "risk_factors": _Column(risk_factors),
        "referred_to": _Column(flow), "shared_with": _Column(flow),
        "professional": _Column(optional), "referral_outcome": _Column(optional), "source": _Column(optional),
    }


def _validate_chronology(review: Review, sheet: Sheet, rows: list, people: dict[str, Person], agencies: _AgencyIndex,
                         converters: dict[str, _Column], problems: Problems, infer_people: bool) -> None:
    """Check a review's chronology rows column by column (each distinct text once, see ``_Column``)."""
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
    subjects = convert("subject")
    events = convert("event")
    summaries = list(map(str.strip, raw("summary")))
    if "" in summaries:
        for line, summary in zip(lines, summaries):
            if not summary:
                problems.error(sheet.file, line, "summary is empty; say what the agency recorded", col("summary"), "summary")
    times, sequences, dash = convert("time"), convert("sequence"), convert("dash_score")
    levels, factors = convert("risk_level"), convert("risk_factors")
    referred, shared = convert("referred_to"), convert("shared_with")
    professionals, outcomes, sources = convert("professional"), convert("referral_outcome"), convert("source")

    if any(name not in people for names in set(subjects) if type(names) is tuple for name in names):
        for line, names in zip(lines, subjects):
            if type(names) is not tuple:
                continue
            for name in names:
                if name in people:
                    continue
                if infer_people:  # a combined chronology without people.csv: its subjects are its people
                    people[name] = Person(review.id, name, "other", None, None, None, True, sheet.name, line)
                    review.people.append(people[name])
                else:
                    problems.error(sheet.file, line, _unknown_person(name, people), col("subject"), "subject")
    if problems.errors:
        return  # nothing will be loaded: no need to assemble the review

    # the agencies this review uses, in order of first use, and which of them record contacts here
    flows = [i for i, (r, s) in enumerate(zip(referred, shared)) if r.parts or s.parts]
    used: dict[str, Agency] = {}
    if not flows:
        used = {agency.name: agency for agency in recorded}
    else:
        for agency, r, s in zip(recorded, referred, shared):
            for _, other in r.parts + s.parts:
                used.setdefault(other.name, other)
            used.setdefault(agency.name, agency)
    names = list(map(attrgetter("name"), recorded))
    in_agency_column = {vocab.agency_key(name) for name in set(names)}
    for i in flows:
        for column, flow in (("referred_to", referred[i]), ("shared_with", shared[i])):
            for written, agency in flow.parts:
                if not agency.declared and vocab.agency_key(agency.name) not in in_agency_column:
                    where = "agencies.csv" if agencies.declared else "the chronology's agency column"
                    problems.warn(sheet.file, lines[i], f"agency {written!r} is not in {where}; created with type {agency.type!r}",
                                  col(column), column)
    review.agencies = used
    review.declared = agencies.declared_agencies()
    review.contacts = Contacts(
        file=sheet.name, line=lines, record=sheet.record_of(lines), date=dates, agency=names, subjects=subjects, event=events, summary=summaries,
        time=times, sequence=sequences, professional=professionals, risk_level=levels, dash_score=dash,
        risk_factors=factors, referred_to=[f.names for f in referred], referral_outcome=outcomes,
        shared_with=[f.names for f in shared], source=sources,
    )


def _valid_time(text: str) -> bool:
    parts = text.split(":")
    return (len(parts) in (2, 3) and all(p.isdigit() and len(p) <= 2 for p in parts)
            and len(parts[1]) == 2 and int(parts[0]) < 24 and int(parts[1]) < 60)
