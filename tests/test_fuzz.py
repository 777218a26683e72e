"""Property-based fuzzing (hypothesis) of the readers, the query parameters and the workspace.

For every generated input: either a clean load whose dump gives back every generated cell exactly,
or a LoadError/DhrgraphError whose problems name the file and the line (and the column, for a cell),
with the store unchanged. Any other exception (a traceback) fails the test.

Fixed seed (``derandomize``) and a bounded budget, so CI is repeatable and quick. For a longer run:
``DHRGRAPH_FUZZ_EXAMPLES=2000 .venv/bin/pytest tests/test_fuzz.py`` (examples per test; the
default is small). ``DHRGRAPH_FUZZ_RANDOM=1`` draws new inputs on each run instead of the fixed ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import EXAMPLES
from dhrgraph.graph.embedded import EmbeddedStore
from dhrgraph.graph.errors import DhrgraphError
from dhrgraph.loaders import LoadError
from dhrgraph.queries.core import DUMP

EXAMPLES_PER_TEST = int(os.environ.get("DHRGRAPH_FUZZ_EXAMPLES", "0") or 0)


def budget(default: int):
    return settings(max_examples=EXAMPLES_PER_TEST or default, derandomize=not os.environ.get("DHRGRAPH_FUZZ_RANDOM"),
                    deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# Text as reviewers and attackers write it: separators, quotes, line breaks of every kind, control
# characters, formula starts, digits that are not 0-9, combining marks, bidi controls.
NASTY = st.sampled_from([",", '"', "'", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\x1b[31m", "\x00", "\t",
                         "=", "+", "-", "@", "²", "①", ";", " ", "\xa0", "e\u0301", "\u202e", "%", "/", ":", "#", "ſ", "İ"])
TEXT = st.lists(st.one_of(NASTY, st.text(min_size=1, max_size=6)), max_size=8).map("".join)
HEADER = ["date", "agency", "subject", "event", "summary", "professional", "source"]


def _store_state(root: Path) -> dict[str, bytes]:
    """Every file of a workspace, for "the store is unchanged"."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


def _check_problems(error: LoadError, files: set[str]) -> None:
    assert error.problems
    for problem in error.problems:
        assert any(problem.file.startswith(f) for f in files), problem
        assert problem.line >= 1 and problem.message, problem
        if problem.column_name:
            assert problem.column, problem


def _load_or_refuse(root: Path, source: Path, files: set[str]):
    """Load ``source`` into a workspace that already holds one review; return the contacts' props on
    success, None on a clean refusal (after checking the refusal and the unchanged store)."""
    store = EmbeddedStore(root / "ws")
    before = _store_state(root / "ws")
    try:
        store.load([source])
    except LoadError as error:
        _check_problems(error, files)
        assert _store_state(root / "ws") == before
        return None
    return sorted((r["props"] for r in EmbeddedStore(root / "ws").run(DUMP) if r["label"] == "Contact" and r["props"]["review"] == source.name),
                  key=lambda p: p["line"])


def _base_workspace(root: Path) -> None:
    EmbeddedStore(root / "ws").load([EXAMPLES / "dhr-ashworth-2022"])


def _review(root: Path, text: str) -> Path:
    folder = root / "rev-fuzz"
    folder.mkdir(exist_ok=True)
    (folder / "people.csv").write_text("person,role\nAnn,victim\n", encoding="utf-8")
    (folder / "chronology.csv").write_text(text, encoding="utf-8", newline="")
    return folder


ROWS = st.lists(st.tuples(TEXT, TEXT, TEXT), min_size=1, max_size=5)


def _csv_text(rows: list[tuple[str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for summary, professional, source in rows:
        writer.writerow(["2020-01-05", "Police", "Ann", "incident", summary, professional, source])
    return out.getvalue()


@budget(60)
@given(rows=ROWS)
def test_valid_csv_round_trips_every_cell_or_is_refused_cleanly(rows):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _base_workspace(root)
        folder = _review(root, _csv_text(rows))
        contacts = _load_or_refuse(root, folder, {str(folder)})
        if contacts is None:
            # only what the rules refuse: an empty summary, or a NUL (csv refuses it)
            assert any(not s.strip() or "\x00" in "".join((s, p, o)) for s, p, o in rows)
            return
        assert [(c["summary"], c.get("professional", ""), c.get("source", "")) for c in contacts] == \
               [(s.strip(), p.strip(), o.strip()) for s, p, o in rows]


MUTATIONS = st.lists(st.tuples(st.sampled_from(["insert", "delete", "truncate"]), st.integers(0, 10_000),
                               st.sampled_from(['"', ",", "\n", "\r", '""', "\x00", "x"])), min_size=1, max_size=3)


@budget(80)
@given(rows=ROWS, mutations=MUTATIONS)
def test_damaged_csv_loads_what_strict_csv_reads_or_is_refused_cleanly(rows, mutations):
    """Stray quotes, lost commas, cut files: never a silent change. A clean load must hold exactly
    the cells a strict CSV parse of the same text gives, row for row."""
    text = _csv_text(rows)
    for op, at, piece in mutations:
        at = at % (len(text) + 1)
        text = text[:at] + piece + text[at:] if op == "insert" else text[:at] + text[at + 1:] if op == "delete" else text[:at]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _base_workspace(root)
        folder = _review(root, text)
        contacts = _load_or_refuse(root, folder, {str(folder)})
        if contacts is None:
            return
        parsed = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        header, body = parsed[0], [r for r in parsed[1:] if "".join(r).strip()]
        assert all(len(r) == len(header) for r in body)
        column = {name.strip().lower(): i for i, name in enumerate(header)}
        assert [c["summary"] for c in contacts] == [r[column["summary"]].strip() for r in body]


XML_SAFE_TEXT = TEXT.map(lambda t: "".join(c for c in t if c in "\t\n\r" or (ord(c) >= 0x20 and not 0xD800 <= ord(c) <= 0xDFFF
                                                                              and c not in "\ufffe\uffff")))
CELL = st.one_of(st.none(), XML_SAFE_TEXT, st.integers(-10, 40), st.floats(allow_nan=False, allow_infinity=False, width=32),
                 st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)), st.just("=10+5"))


@budget(25)
@given(summaries=st.lists(XML_SAFE_TEXT, min_size=1, max_size=4), dash=st.lists(CELL, min_size=1, max_size=4))
def test_workbooks_round_trip_or_are_refused_cleanly(summaries, dash):
    import openpyxl

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _base_workspace(root)
        book = openpyxl.Workbook()
        people = book.active
        people.title = "people"
        people.append(["person", "role"])
        people.append(["Ann", "victim"])
        sheet = book.create_sheet("chronology")
        sheet.append(["date", "agency", "subject", "event", "summary", "dash_score"])
        for i, summary in enumerate(summaries):
            sheet.append([dt.date(2020, 1, 5), "Police", "Ann", "incident", summary, dash[i % len(dash)]])
        path = root / "rev-book.xlsx"
        book.save(path)
        store = EmbeddedStore(root / "ws")
        before = _store_state(root / "ws")
        try:
            store.load([path])
        except LoadError as error:
            _check_problems(error, {str(path)})
            assert _store_state(root / "ws") == before
            return
        contacts = sorted((r["props"] for r in EmbeddedStore(root / "ws").run(DUMP)
                           if r["label"] == "Contact" and r["props"]["review"] == "rev-book"), key=lambda p: p["line"])
        assert [c["summary"] for c in contacts] == [s.strip() for s in summaries]
        for contact, i in zip(contacts, range(len(summaries))):
            value = dash[i % len(dash)]
            assert contact.get("dash_score") == (value if isinstance(value, int) else None) or value is None and "dash_score" not in contact


@pytest.fixture(scope="module")
def examples_workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-examples")
    EmbeddedStore(root).load([EXAMPLES])
    return root


PARAM_TEXT = st.one_of(st.integers(-10**30, 10**30).map(str), TEXT, st.sampled_from(["0", "-1", "1", "36500", "36501", "²", " 7 ", "1e3"]))


@budget(80)
@given(data=st.data())
def test_query_parameters_give_rows_or_one_clear_error(examples_workspace, data):
    from dhrgraph import queries

    query = data.draw(st.sampled_from(queries.catalogue()))
    names = [p.name for p in query.params if p.name != "review"]
    given_params = {name: data.draw(PARAM_TEXT) for name in data.draw(st.lists(st.sampled_from(names), unique=True, max_size=3))} if names else {}
    if data.draw(st.booleans()):
        given_params["review"] = data.draw(st.one_of(TEXT, st.just("dhr-northbrook-2021")))
    store = EmbeddedStore(examples_workspace)
    try:
        rows = store.run(query, given_params)
    except DhrgraphError as exc:
        assert str(exc).strip()
        return
    assert isinstance(rows, list)


JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)


@budget(60)
@given(target=st.sampled_from(["manifest", "review", "decisions"]), how=st.sampled_from(["truncate", "flip", "replace", "json"]),
       at=st.integers(0, 10**6), value=JSON_VALUE)
def test_a_damaged_workspace_is_reported_and_repaired_by_loading_again(target, how, at, value):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        review = EXAMPLES / "dhr-ashworth-2022"
        store = EmbeddedStore(root / "ws")
        store.load([review])
        store.record_decision("triage", "k1", status="reviewed")
        path = {"manifest": root / "ws" / "manifest.json", "decisions": root / "ws" / "decisions.json"}.get(target) \
            or next((root / "ws" / "reviews").glob("*.json"))
        data = path.read_bytes()
        at = at % max(len(data), 1)
        if how == "truncate":
            data = data[:at]
        elif how == "flip":
            data = data[:at] + bytes([data[at] ^ 0x55]) + data[at + 1:] if data else b"\x00"
        elif how == "replace":
            document = json.loads(data)
            if isinstance(document, dict) and document:
                key = sorted(document)[at % len(document)]
                document[key] = value
            data = json.dumps(document).encode()
        else:
            data = json.dumps(value).encode()
        path.write_bytes(data)
        for read in (lambda s: s.run(DUMP), lambda s: list(s.batches()), lambda s: s.decisions()):
            try:
                read(EmbeddedStore(root / "ws"))
            except DhrgraphError as exc:
                assert str(exc).strip()
        try:
            EmbeddedStore(root / "ws").load([review])
        except DhrgraphError as exc:  # a damaged manifest or decisions file is refused, never overwritten
            assert target in ("manifest", "decisions") and str(exc).strip()
            return
        if target == "review":  # loading again repairs the review file
            assert EmbeddedStore(root / "ws").run(DUMP) == EmbeddedStore(_fresh(root, review)).run(DUMP)


def _fresh(root: Path, review: Path) -> Path:
    fresh = root / "fresh"
    EmbeddedStore(fresh).load([review])
    return fresh


# JSON values as rows hold them: text of any character, numbers, booleans, null, lists and string-keyed objects
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 63), 2 ** 63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


def _has_float(value) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, list):
        return any(map(_has_float, value))
    return isinstance(value, dict) and any(map(_has_float, value.values()))


@budget(300)
@given(value=JSON_VALUES, indent=st.booleans(), sort_keys=st.booleans())
def test_json_text_is_the_standard_librarys_json(value, indent, sort_keys):
    """``outputs.json_text`` writes with orjson where it can: the same value as the standard library's text and, but
    for how a float is spelled (orjson: 0.00006103515625, Python: 6.103515625e-05), the same text byte for byte."""
    from dhrgraph.queries.outputs import json_text

    expected = json.dumps(value, ensure_ascii=False, sort_keys=sort_keys,
                          **({"indent": 2} if indent else {"separators": (",", ":")}))
    written = json_text(value, indent=indent, sort_keys=sort_keys)
    assert json.loads(written) == json.loads(expected)
    if not _has_float(value):
        assert written == expected


def test_json_text_writes_what_orjson_does_not_take():
    from dhrgraph.queries.outputs import json_text

    assert json_text({1: [2 ** 70]}) == '{"1":[1180591620717411303424]}'
