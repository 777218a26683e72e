"""Record linkage: which person records are probably the same person, and why.

The method is Fellegi-Sunter, run by splink (the UK Ministry of Justice's linkage library) on an
in-memory DuckDB. Every person record (one person in one review) is compared with the records that
share a block (forename and surname initials; or birth year and forename or surname initial; or
an identifier). Each comparison falls into one level per field, each level has a fixed, documented m
probability (how often two records of the same person fall in it) and u probability (how often two
records of different people do); the product of the m/u ratios, with the prior below, gives the
probability that the pair is one person. With a handful of records per review there is nothing to
train on, so m and u are fixed here (``COMPARISONS``); they were set from what agencies' records
look like (typos, nicknames, initials, day and month swapped) and checked on synth's answer key
(benchmarks/bench_linkage.py, figures in the README).

A record is compared with all of its names (the pseudonym and every alias): a forename or surname
agrees when any of one record's agrees with any of the other's. Never proposed: two records of one node (a shared global_id), two people
related to each other in the same review (they are different people), and people recorded as not
identified (their "name" describes them; see ``candidates_for_unidentified``).

>>> name_parts("Mr D Smyth"), name_parts("Deano"), name_parts("Mrs Smith"), NICKNAMES["deano"]
(('d', 'smyth'), ('deano', None), (None, 'smith'), 'dean')
"""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass
from typing import Any, Iterable

from dhrgraph.loaders.identity import name_key

__all__ = ["NICKNAMES", "COMPARISONS", "PRIOR", "Link", "name_parts", "link_records"]

# A small table of English nicknames and short forms -> the formal forename they stand for. A
# name maps to itself when absent. Extend it here (one entry per spelling).
NICKNAMES = {
    "dean": "dean", "deano": "dean", "dave": "david", "davey": "david", "davy": "david", "dai": "david",
    "mike": "michael", "mick": "michael", "mickey": "michael", "micky": "michael", "jim": "james", "jimmy": "james",
    "jamie": "james", "bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert", "bill": "william",
    "billy": "william", "will": "william", "liam": "william", "tom": "thomas", "tommy": "thomas", "dan": "daniel",
    "danny": "daniel", "chris": "christopher", "matt": "matthew", "andy": "andrew", "drew": "andrew", "tony": "anthony",
    "steve": "stephen", "stevie": "stephen", "steven": "stephen", "joe": "joseph", "joey": "joseph", "jon": "jonathan",
    "johnny": "john", "jack": "john", "nick": "nicholas", "nicky": "nicholas", "pete": "peter", "rich": "richard",
    "rick": "richard", "ricky": "richard", "dick": "richard", "ed": "edward", "eddie": "edward", "ted": "edward",
    "lee": "lee", "gaz": "gary", "gazza": "gary", "baz": "barry", "kev": "kevin", "wayne": "wayne", "al": "alan",
    "alex": "alexander", "sam": "samuel", "ben": "benjamin", "charlie": "charles", "chaz": "charles", "greg": "gregory",
    "josh": "joshua", "jake": "jacob", "paddy": "patrick", "pat": "patrick", "ron": "ronald", "ronnie": "ronald",
    "terry": "terence", "tel": "terence", "vince": "vincent", "wes": "wesley", "zac": "zachary", "zak": "zachary",
    "kate": "katherine", "katie": "katherine", "kath": "katherine", "cathy": "catherine", "liz": "elizabeth",
    "lizzie": "elizabeth", "beth": "elizabeth", "betty": "elizabeth", "jen": "jennifer", "jenny": "jennifer",
    "sue": "susan", "suzy": "susan", "sam": "samuel", "vicky": "victoria", "vikki": "victoria", "becky": "rebecca",
    "becca": "rebecca", "mandy": "amanda", "mags": "margaret", "maggie": "margaret", "peggy": "margaret",
    "jess": "jessica", "jo": "joanne", "nikki": "nicola", "nicki": "nicola", "steph": "stephanie", "debbie": "deborah",
    "deb": "deborah", "tina": "christina", "kim": "kimberley", "lou": "louise", "mel": "melanie", "sal": "sarah",
    "sally": "sarah", "trish": "patricia", "tricia": "patricia", "pam": "pamela", "gemma": "gemma", "em": "emma",
}
TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "master"}

# Prior: the chance that two records in one block are the same person, before any evidence.
PRIOR = 0.0001


@dataclass(frozen=True)
class Level:
    label: str  # what a person reads as the reason ("" for the null level, which says nothing)
    sql: str  # the splink condition (columns suffixed _l and _r)
    m: float  # P(level | same person)
    u: float  # P(level | different people)


def _levels(*levels: Level) -> list[Level]:
    return list(levels)


def _null(column: str) -> Level:
    return Level("", f"{column}_l IS NULL OR {column}_r IS NULL", 1.0, 1.0)


def _best(column: str, function: str = "jaro_winkler_similarity", best: str = "list_max") -> str:
    """SQL: the best value of ``function`` between any name of the left and any of the right."""
    return (f"{best}(list_transform({column}_l, lambda x: {best}(list_transform({column}_r, "
            f"lambda y: {function}(x, y)))))")


def _max_jw(column: str) -> str:
    return _best(column)


def _initial(part: str) -> str:
    """SQL: one side has only an initial for this part of the name, and it is the other side's initial."""
    return (f"(list_has_any({part}_initial_only_l, {part}_initials_r) OR list_has_any({part}_initial_only_r, {part}_initials_l))")


# field -> levels, first match wins; the last is ELSE. m/u pairs are the documented model. Names are
# lists (every name a record is known by); "same" means some name of one is some name of the other.
COMPARISONS: dict[str, list[Level]] = {
    "forename": _levels(
        Level("", "len(forename_initials_l) = 0 OR len(forename_initials_r) = 0", 1.0, 1.0),
        Level("forename same", "list_has_any(forenames_l, forenames_r)", 0.80, 0.02),
        Level("forename nickname", "list_has_any(canonicals_l, canonicals_r)", 0.08, 0.002),
        Level("forename Jaro-Winkler {forename_jw}", f"{_max_jw('canonicals')} >= 0.88", 0.05, 0.01),
        Level("forename initial", _initial("forename"), 0.05, 0.004),
        Level("forename different", "ELSE", 0.02, 0.91),
    ),
    "surname": _levels(
        Level("", "len(surname_initials_l) = 0 OR len(surname_initials_r) = 0", 1.0, 1.0),
        Level("surname same", "list_has_any(surnames_l, surnames_r)", 0.75, 0.008),
        Level("surname Jaro-Winkler {surname_jw}", f"{_max_jw('surnames')} >= 0.88", 0.10, 0.01),
        Level("surname one letter different", f"{_best('surnames', 'damerau_levenshtein', 'list_min')} <= 1", 0.08, 0.004),
        Level("surname Jaro-Winkler {surname_jw}", f"{_max_jw('surnames')} >= 0.8", 0.04, 0.02),
        Level("surname initial", _initial("surname"), 0.03, 0.003),
        Level("surname different (a surname can change)", "ELSE", 0.08, 0.915),
    ),
    "dob": _levels(
        _null("dob"),
        Level("dob same", "dob_l = dob_r AND length(dob_l) = 10", 0.85, 0.0002),
        Level("dob agrees to the month", "(length(dob_l) = 7 OR length(dob_r) = 7) AND left(dob_l, 7) = left(dob_r, 7)", 0.07, 0.0006),
        Level("dob agrees to the year", "(length(dob_l) = 4 OR length(dob_r) = 4) AND left(dob_l, 4) = left(dob_r, 4)", 0.03, 0.004),
        Level("dob day and month swapped", "length(dob_l) = 10 AND length(dob_r) = 10 AND left(dob_l, 4) = left(dob_r, 4) "
              "AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)", 0.04, 0.0002),
        Level("dob same year", "left(dob_l, 4) = left(dob_r, 4)", 0.02, 0.03),
        Level("dob within 10 years", "abs(CAST(left(dob_l, 4) AS INTEGER) - CAST(left(dob_r, 4) AS INTEGER)) < 10", 0.005, 0.3),
        Level("dob 10 or more years apart", "ELSE", 0.0005, 0.67),
    ),
    "sex": _levels(
        _null("sex"),
        Level("sex same", "sex_l = sex_r", 0.98, 0.5),
        Level("sex different", "ELSE", 0.02, 0.5),
    ),
    "postcode": _levels(
        _null("postcode"),
        Level("postcode same", "postcode_l = postcode_r AND contains(postcode_l, ' ')", 0.3, 0.002),
        Level("postcode same district", "district_l = district_r", 0.2, 0.01),
        Level("postcode different", "ELSE", 0.5, 0.988),
    ),
    "identifiers": _levels(
        Level("", "NOT list_has_any(schemes_l, schemes_r)", 1.0, 1.0),
        Level("identifier same", "list_has_any(identifiers_l, identifiers_r)", 0.97, 0.00001),
        Level("identifier different", "ELSE", 0.03, 0.99999),
    ),
    "relatives": _levels(
        Level("", "len(relatives_l) = 0 OR len(relatives_r) = 0", 1.0, 1.0),
        Level("shared relative", "list_has_any(relatives_l, relatives_r)", 0.1, 0.001),
        Level("no shared relative", "ELSE", 0.9, 0.999),
    ),
}

# Pairs are compared when they share one of these (list columns are exploded: any element).
# birth year with either initial: a nickname can change the forename's initial (William / Billy)
BLOCKS = (("forename_initials", "surname_initials"), ("dob_year", "forename_initials"), ("dob_year", "surname_initials"),
          ("identifiers",))


def name_parts(name: str) -> tuple[str | None, str | None]:
    """(forename, surname) of a name as agencies write it: lower case, titles dropped; a title with
    one word is a surname ("Mrs Smith") unless the word is an initial ("Mr D")."""
    words = name_key(name).replace("-", " ").split()
    titled = bool(words) and words[0] in TITLES
    words = [w for w in words if w not in TITLES]
    if not words:
        return None, None
    if len(words) == 1:
        if titled and len(words[0]) > 1:
            return None, words[0]
        return words[0], None
    return words[0], words[-1]


@dataclass(frozen=True)
class Link:
    left: str  # record key: review/person
    right: str
    left_id: str  # node ids
    right_id: str
    probability: float
    reasons: tuple[str, ...]


# Words that make a review's label, not a name ("Adult A", "Child C", "Unknown male").
PLACEHOLDERS = {"adult", "child", "victim", "perpetrator", "person", "unknown", "unnamed", "subject", "family", "friend"}


def compared_names(record: dict) -> list[str]:
    """The names a record is compared by: its aliases (the names agencies used) when it has any, else its
    pseudonym unless that is a label such as "Adult A" (a review's pseudonym is chosen by the review,
    so it says little when real names are known)."""
    if record.get("aliases"):
        return list(record["aliases"])
    words = name_key(record["person"]).split()
    return [] if not words or words[0] in PLACEHOLDERS else [record["person"]]


def record_key(record: dict) -> str:
    return f"{record['review']}/{record['person']}"


def relative_keys(record: dict) -> list[str]:
    """What identifies a relative across reviews: their global id, and their full names (two words or more)."""
    keys = set()
    for relative in record["relatives"]:
        if relative.get("global_id"):
            keys.add(f"global:{relative['global_id']}")
        for name in (relative["name"], *relative["aliases"]):
            forename, surname = name_parts(name)
            if forename and surname and len(forename) > 1 and len(surname) > 1:
                keys.add(f"{NICKNAMES.get(forename, forename)} {surname}")
    return sorted(keys)


def _rows(records: list[dict]) -> list[dict]:
    """One splink input row per record: every name it is known by, split into lists of parts."""
    rows = []
    for index, record in enumerate(records):
        dob = record.get("dob")
        postcode = record.get("postcode")
        identifiers = list(record.get("identifiers") or [])
        parts = [name_parts(name) for name in compared_names(record)]
        forenames = sorted({f for f, _ in parts if f})
        surnames = sorted({s for _, s in parts if s})
        rows.append({
            "unique_id": index, "record": index,
            "forenames": [f for f in forenames if len(f) > 1],
            "canonicals": sorted({NICKNAMES.get(f, f) for f in forenames if len(f) > 1}),
            "forename_initials": sorted({f[0] for f in forenames}),
            "forename_initial_only": [f for f in forenames if len(f) == 1],
            "surnames": [s for s in surnames if len(s) > 1],
            "surname_initials": sorted({s[0] for s in surnames}),
            "surname_initial_only": [s for s in surnames if len(s) == 1],
            "dob": dob, "dob_year": dob[:4] if dob else None,
            "sex": record.get("sex") if record.get("sex") in ("female", "male") else None,
            "postcode": postcode, "district": postcode.split()[0] if postcode else None,
            "identifiers": identifiers, "schemes": sorted({i.split(":", 1)[0] for i in identifiers}),
            "relatives": relative_keys(record),
        })
    return rows


def _any_block_shared(rows: list[dict]) -> bool:
    """Whether two rows share a block of ``BLOCKS`` (list columns count by any element)."""
    for columns in BLOCKS:
        seen: set[tuple] = set()
        for row in rows:
            values = [row[c] if isinstance(row[c], list) else [row[c]] for c in columns]
            keys = set(itertools.product(*values))
            keys = {k for k in keys if None not in k}
            if keys & seen:
                return True
            seen |= keys
    return False


def _settings(levels: dict[str, list[Level]]) -> dict[str, Any]:
    comparisons = []
    for field, field_levels in levels.items():
        comparison_levels = []
        for level in field_levels:
            entry = {"sql_condition": level.sql, "label_for_charts": level.label or f"{field} not recorded"}
            if level.m == level.u == 1.0:
                entry["is_null_level"] = True
            else:
                entry.update(m_probability=level.m, u_probability=level.u)
            comparison_levels.append(entry)
        comparisons.append({"output_column_name": field, "comparison_description": field,
                            "comparison_levels": comparison_levels})
    from splink import block_on

    lists = {"forename_initials", "surname_initials", "identifiers"}
    blocking = [block_on(*columns, arrays_to_explode=[c for c in columns if c in lists] or None) for columns in BLOCKS]
    return {"link_type": "dedupe_only", "probability_two_random_records_match": PRIOR, "comparisons": comparisons,
            "blocking_rules_to_generate_predictions": blocking, "retain_matching_columns": True,
            "additional_columns_to_retain": ["record"]}


def _gamma(field_levels: list[Level], gamma: int) -> Level:
    """The level a splink comparison vector value stands for (-1: null; else counted up from ELSE = 0)."""
    if gamma == -1:
        return field_levels[0]
    return field_levels[len(field_levels) - 1 - gamma]


def _scored_pairs(rows: list[dict], min_probability: float) -> list[dict]:
    """Every blocked pair of rows with splink's probability and comparison levels."""
    import duckdb
    import pyarrow as pa
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    con.register("people_arrow", pa.Table.from_pylist(rows))
    con.execute("CREATE TABLE people AS SELECT * FROM people_arrow")
    db_api = DuckDBAPI(con)
    linker = Linker(db_api.register("people"), _settings(COMPARISONS), log_level=logging.ERROR, validate_settings=False)
    predictions = linker.inference.predict(threshold_match_probability=min_probability, warning_mode="never")
    gammas = ", ".join(f"gamma_{field}" for field in COMPARISONS)
    table = predictions.physical_name
    result = con.execute(f"""
        SELECT record_l, record_r, match_probability, {gammas},
               round({_max_jw("canonicals")}, 2) AS forename_jw, round({_max_jw("surnames")}, 2) AS surname_jw
        FROM {table}""")
    names = [d[0] for d in result.description]
    out = [dict(zip(names, row)) for row in result.fetchall()]
    con.close()
    return out


def link_records(records: list[dict], min_probability: float = 0.5, exclude: Iterable[frozenset[str]] = ()) -> list[Link]:
    """Pairs of records (from ``PERSON_RECORDS``) that are probably one person, best first.

    ``exclude``: pairs of record keys never to propose (decided, or already one person).
    """
    usable = [r for r in records if r.get("identified", True) is not False]
    rows = _rows(usable)
    if not _any_block_shared(rows):
        return []  # nothing to compare: spare the cost of starting splink
    excluded = {frozenset(pair) for pair in exclude}
    related = {frozenset((record_key(r), f"{r['review']}/{x['name']}")) for r in usable for x in r["relatives"]}
    links = []
    for pair in _scored_pairs(rows, min_probability):
        left, right = usable[pair["record_l"]], usable[pair["record_r"]]
        keys = frozenset((record_key(left), record_key(right)))
        if left["id"] == right["id"] or keys in excluded or keys in related:
            continue
        left, right = sorted((usable[pair["record_l"]], usable[pair["record_r"]]), key=record_key)
        reasons = []
        for field, field_levels in COMPARISONS.items():
            label = _gamma(field_levels, pair[f"gamma_{field}"]).label
            if label:
                reasons.append(label.format(forename_jw=pair["forename_jw"], surname_jw=pair["surname_jw"]))
        probability = pair["match_probability"]
        links.append(Link(record_key(left), record_key(right), left["id"], right["id"],
                          math.floor(probability * 1000) / 1000, tuple(reasons)))
    return sorted(links, key=lambda link: (-link.probability, link.left, link.right))
