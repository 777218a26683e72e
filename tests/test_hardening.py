"""Issue 11's repros, one test each: no row lost, no traceback, outputs that cannot attack their reader.

Every bad input must give one clear message (file, line or record, column), exit code 1, no
traceback and an unchanged store. Run through the real CLI on both backends where a store is involved.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhrgraph.cli import main
from helpers import CHRONOLOGY, EXAMPLES, PEOPLE, counts, write_csv, write_review
from dhrgraph.graph.backends import Settings, open_store
from dhrgraph.queries.core import DUMP

HEADER = "date,agency,subject,event,summary,risk_level,dash_score\n"


def clean_failure(result, *expected: str) -> str:
    """Exit 1, one clear message (with each of ``expected``), no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.strip(), result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


def review_with_chronology(tmp_path: Path, text: str, name: str = "rev-a") -> Path:
    folder = write_review(tmp_path, name, people=[{"person": "Ann", "role": "victim"}], relationships=[],
                          agencies=[{"name": "Police", "type": "police", "aliases": ""}, {"name": "GP", "type": "gp", "aliases": ""}])
    (folder / "relationships.csv").unlink()
    (folder / "chronology.csv").write_text(text, encoding="utf-8")
    return folder


# --- 1. the CSV reader's quoting rules ---------------------------------------------------------

def test_a_stray_quote_is_an_error_not_a_swallowed_row(tmp_path, cli):
    folder = review_with_chronology(
        tmp_path, HEADER + '2020-01-05,Police,Ann,incident,"Assault,high,20\n2020-02-05,GP,Ann,appointment,Routine,,\n')
    message = clean_failure(cli("load", str(folder)), f"{folder / 'chronology.csv'}:2:5: ", "not closed")
    assert "nothing was loaded" in message
    assert counts(cli)["contacts"] == 0


def test_a_quote_then_text_is_an_error(tmp_path, cli):
    folder = review_with_chronology(tmp_path, HEADER + '2020-01-05,Police,Ann,incident,"Assault" at home,high,20\n')
    clean_failure(cli("load", str(folder)), f"{folder / 'chronology.csv'}:2:5: ")


def test_an_unquoted_comma_in_the_last_column_is_an_error(tmp_path, cli):
    folder = review_with_chronology(tmp_path, HEADER + "2020-01-05,Police,Ann,incident,Assault,high,20, then 21\n")
    clean_failure(cli("load", str(folder)), f"{folder / 'chronology.csv'}:2:8: ", "8 cells but the header has 7", "' then 21'")
    assert counts(cli)["contacts"] == 0


def test_a_short_row_is_an_error_naming_the_missing_column(tmp_path, cli):
    folder = review_with_chronology(tmp_path, HEADER + "2020-01-05,Police,Ann,incident,Assault\n")
    clean_failure(cli("load", str(folder)), f"{folder / 'chronology.csv'}:2:6: column 'risk_level': ", "5 cells but the header has 7")


def test_a_record_over_several_lines_names_its_record(tmp_path, cli):
    folder = review_with_chronology(
        tmp_path, HEADER + '2020-01-05,Police,Ann,incident,"two\nlines",high,20\n2020-01-06,Police,Ann,incident,Assault,high\n')
    clean_failure(cli("load", str(folder)), f"{folder / 'chronology.csv'}:4:7: record 3, column 'dash_score': ")


def test_quoted_commas_quotes_and_line_breaks_still_load_exactly(tmp_path, cli, settings):
    summary = 'He said "leave", then, later,\nleft'
    folder = review_with_chronology(tmp_path, HEADER + '2020-01-05,Police,Ann,incident,"He said ""leave"", then, later,\nleft",high,20\n')
    assert cli("load", str(folder)).exit_code == 0
    with open_store(settings) as store:
        [contact] = [r for r in store.run(DUMP) if r["label"] == "Contact"]
    assert contact["props"]["summary"] == summary and contact["props"]["dash_score"] == 20


# --- 2 and 6: workbooks -----------------------------------------------------------------------

def _workbook(path: Path, chronology: list[list], extra=None) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    people = book.active
    people.title = "people"
    people.append(["person", "role"])
    people.append(["Ann", "victim"])
    sheet = book.create_sheet("chronology")
    for row in chronology:
        sheet.append(row)
    if extra:
        extra(book, sheet)
    book.save(path)
    return path


CHRONO_HEAD = ["date", "agency", "subject", "event", "summary", "dash_score"]


def test_a_hidden_sheet_of_the_same_kind_is_an_error_not_a_replacement(tmp_path, cli):
    def hidden(book, sheet):
        other = book.create_sheet("Chronology_")
        other.append(CHRONO_HEAD)
        other.append(["2020-01-01", "GP", "Ann", "appointment", "Hidden row", ""])
        other.sheet_state = "hidden"
    path = _workbook(tmp_path / "rev-x.xlsx", [CHRONO_HEAD, ["2020-01-05", "Police", "Ann", "incident", "Visible row", "10"]], hidden)
    clean_failure(cli("load", str(path)), "[Chronology_]", "a second chronology sheet (the first is 'chronology'")
    assert counts(cli)["contacts"] == 0


def test_a_formula_without_a_saved_value_is_an_error(tmp_path, cli):
    # openpyxl saves formulas without computing them: exactly a workbook with no cached values
    path = _workbook(tmp_path / "rev-f.xlsx", [CHRONO_HEAD, ["2020-01-05", "Police", "Ann", "incident", "Assault", "=10+5"]])
    clean_failure(cli("load", str(path)), f"{path}[chronology]:2:6: column 'dash_score': the formula =10+5 has no saved value")


def test_merged_cells_fill_their_range(tmp_path, cli, settings):
    def merge(book, sheet):
        sheet.merge_cells("B2:B3")
    rows = [CHRONO_HEAD, ["2020-01-05", "Police", "Ann", "incident", "First", ""], ["2020-01-06", None, "Ann", "incident", "Second", ""]]
    path = _workbook(tmp_path / "rev-m.xlsx", rows, merge)
    result = cli("load", str(path))
    assert result.exit_code == 0, result.output
    with open_store(settings) as store:
        agencies = sorted(r["props"]["agency"] for r in store.run(DUMP) if r["label"] == "Contact")
    assert agencies == ["Police", "Police"]


def _rewrite(path: Path, old: bytes, new: bytes) -> Path:
    """The workbook with ``old`` replaced in its XML (openpyxl itself never writes a cell over 32,767 characters)."""
    import zipfile

    members = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            members[info] = archive.read(info.filename).replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members.items():
            archive.writestr(info, data)
    return path


def test_workbook_cells_are_capped_like_csv_cells(tmp_path, cli):
    from dhrgraph.loaders.tabular import MAX_CELL

    path = _workbook(tmp_path / "rev-big.xlsx", [CHRONO_HEAD, ["2020-01-05", "Police", "Ann", "incident", "PLACEHOLDER", ""]])
    _rewrite(path, b"PLACEHOLDER", b"x" * (MAX_CELL + 1))
    clean_failure(cli("load", str(path)), f"{path}[chronology]:2:5: ", f"more than the {MAX_CELL} allowed")


def test_workbook_decompression_is_capped(tmp_path, cli, monkeypatch):
    from dhrgraph.loaders import tabular

    path = _workbook(tmp_path / "rev-z.xlsx", [CHRONO_HEAD, ["2020-01-05", "Police", "Ann", "incident", "y" * 50_000, ""]])
    monkeypatch.setattr(tabular, "MAX_WORKBOOK_BYTES", 40_000)
    clean_failure(cli("load", str(path)), f"{path}:1: the workbook unpacks to")


def test_a_cell_right_of_the_header_is_an_error(tmp_path, cli):
    path = _workbook(tmp_path / "rev-w.xlsx", [CHRONO_HEAD, ["2020-01-05", "Police", "Ann", "incident", "Assault", "", "stray"]])
    clean_failure(cli("load", str(path)), f"{path}[chronology]:2:7: a cell right of the last column with a header ('stray')")


# --- 3. review ids from the resolved path ----------------------------------------------------

def test_load_dot_names_the_review_after_the_folder(tmp_path, cli, monkeypatch):
    first, second = write_review(tmp_path, "rev-one"), write_review(tmp_path, "rev-two")
    for folder in (first, second):
        monkeypatch.chdir(folder)
        assert cli("load", ".").exit_code == 0
    assert counts(cli)["reviews"] == 2
    assert cli("timeline", "Jade", "--review", "rev-one").exit_code == 0


def test_load_dotdot_is_named_after_the_parent(tmp_path, cli, monkeypatch):
    folder = write_review(tmp_path, "rev-up")
    (folder / "sub").mkdir()
    monkeypatch.chdir(folder / "sub")
    assert cli("load", "..").exit_code == 0
    assert cli("timeline", "Jade", "--review", "rev-up").exit_code == 0


# --- 4. ids unambiguous by construction ------------------------------------------------------

def test_people_of_different_reviews_never_merge_whatever_their_names(tmp_path, cli, settings):
    rows = [
        {"review": "north", "date": "2020-01-05", "agency": "Police", "subject": "east/Jo", "event": "incident", "summary": "A"},
        {"review": "north/east", "date": "2020-01-06", "agency": "Police", "subject": "Jo", "event": "incident", "summary": "B"},
        {"review": "global:P-1", "date": "2020-01-07", "agency": "Police", "subject": "X", "event": "incident", "summary": "C"},
        {"review": "g", "date": "2020-01-08", "agency": "Police", "subject": "50%2F", "event": "incident", "summary": "D"},
        {"review": "g", "date": "2020-01-09", "agency": "Police", "subject": "50/", "event": "incident", "summary": "E"},
    ]
    path = write_csv(tmp_path / "combined.csv", rows)
    people = [{"review": "other", "person": "Y", "role": "victim", "global_id": "P-1/X"}]
    folder = tmp_path / "with-global"
    write_csv(folder / "people.csv", people)
    write_csv(folder / "chronology.csv", [{"review": "other", "date": "2020-01-01", "agency": "GP", "subject": "Y",
                                           "event": "appointment", "summary": "F"}])
    assert cli("load", str(path)).exit_code == 0
    assert cli("load", str(folder)).exit_code == 0
    assert counts(cli)["people"] == 6
    with open_store(settings) as store:
        ids = sorted(r["start"] for r in store.run(DUMP) if r["label"] == "Person")
    assert len(set(ids)) == 6
    from dhrgraph.graph.model import person_id

    assert person_id("north", "east/Jo", None) != person_id("north/east", "Jo", None)
    assert person_id("global:P-1", "X", None) != person_id("r", "X", "P-1/X")
    assert person_id("dhr-a", "Child A", None) == "person:dhr-a/Child A"  # ids of ordinary names are as before


# --- 5. an alias two reviews give to different agencies --------------------------------------

def test_an_alias_of_two_agencies_is_refused_not_resolved_to_the_first(tmp_path, cli):
    write_review(tmp_path / "in", "rev-a", agencies=[{"name": "Northbrook Police", "type": "police", "aliases": "NP"},
                                                     {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""},
                                                     {"name": "Northbrook MARAC", "type": "marac", "aliases": ""}])
    chronology = [dict(r, agency=r["agency"].replace("Northbrook Police", "Newtown Police")) for r in CHRONOLOGY]
    write_review(tmp_path / "in", "rev-b", chronology=chronology,
                 agencies=[{"name": "Newtown Police", "type": "police", "aliases": "NP"},
                           {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""},
                           {"name": "Northbrook MARAC", "type": "marac", "aliases": ""}])
    assert cli("load", str(tmp_path / "in")).exit_code == 0
    clean_failure(cli("path", "NP", "Northbrook MARAC"), "'NP' is an alias of 2 agencies", "Newtown Police, Northbrook Police")
    assert cli("path", "Newtown Police", "Northbrook MARAC").exit_code == 0


# --- 8 and 9: outputs ----------------------------------------------------------------------------

ATTACK = '=HYPERLINK("http://evil.example","click")'


def test_csv_output_neutralises_formula_cells(tmp_path, cli):
    rows = [dict(CHRONOLOGY[0], summary=ATTACK), dict(CHRONOLOGY[1], summary="+1 then -2 @home"), dict(CHRONOLOGY[2], summary="-5")]
    cli("load", str(write_review(tmp_path, chronology=rows + CHRONOLOGY[3:])))
    result = cli("timeline", "Jade", "--format", "csv")
    assert result.exit_code == 0
    import csv
    import io

    summaries = [row["summary"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert "'" + ATTACK in summaries and "'-5" in summaries
    assert not any(s.startswith(("=", "+", "-", "@")) for s in summaries)
    # JSON keeps the data as it is
    assert ATTACK in [r["summary"] for r in json.loads(cli("timeline", "Jade", "--format", "json").stdout)]


def test_terminal_escapes_never_reach_the_terminal(tmp_path, cli):
    evil = "\x1b[2J\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\ \x9b31m \u202egnp.exe"
    rows = [dict(CHRONOLOGY[0], summary=evil, agency="Northbrook Police"), *CHRONOLOGY[1:]]
    assert cli("load", str(write_review(tmp_path, chronology=rows))).exit_code == 0
    for fmt in ("table", "json"):
        out = cli("timeline", "Jade", "--format", fmt).stdout
        assert not any(c in out for c in "\x1b\x9b\u202e"), repr(out)
    assert "\\x1b[2J" in cli("timeline", "Jade").stdout
    assert json.loads(cli("timeline", "Jade", "--format", "json").stdout)[0]["summary"] == evil


def test_graphml_stays_valid_xml_with_control_characters(tmp_path, cli):
    rows = [dict(CHRONOLOGY[0], summary="bell\x07 and\x01 form\x0c feed"), *CHRONOLOGY[1:]]
    assert cli("load", str(write_review(tmp_path, chronology=rows))).exit_code == 0
    result = cli("export", "--graphml", str(tmp_path / "g.graphml"))
    assert result.exit_code == 0, result.output
    ET.parse(tmp_path / "g.graphml")  # raises on invalid XML


# --- 10. read-only cypher ---------------------------------------------------------------------

@pytest.mark.neo4j
@pytest.mark.parametrize("statement, refused", [
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "LOAD CSV"),
    ("load  csv from 'file:///etc/passwd' as l return l", "LOAD CSV"),
    ("CALL db.clearQueryCaches()", "db.clearquerycaches"),
    ("CALL `db`.`clearQueryCaches`()", "db.clearquerycaches"),
    ("SHOW TRANSACTIONS", "SHOW"),
    ("USE system SHOW USERS", "USE"),
])
def test_read_only_cypher_refuses_file_reads_and_admin(neo4j_env, statement, refused):
    result = CliRunner().invoke(main, ["--backend", "neo4j", "cypher", statement], env=neo4j_env)
    clean_failure(result, "read-only cypher refuses", refused)
    assert "root:" not in result.output


@pytest.mark.neo4j
def test_the_local_server_reads_files_only_from_its_import_folder(neo4j_env):
    result = CliRunner().invoke(main, ["--backend", "neo4j", "cypher", "--write",
                                       "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line"], env=neo4j_env)
    clean_failure(result)
    assert "root:" not in result.output


@pytest.mark.neo4j
def test_cypher_keeps_reads_and_subqueries(neo4j_env):
    result = CliRunner().invoke(main, ["--backend", "neo4j", "cypher", "--format", "json",
                                       "CALL db.labels() YIELD label RETURN count(label) >= 0 AS ok // LOAD CSV in a comment"], env=neo4j_env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"ok": True}]


@pytest.mark.neo4j
def test_a_parameter_beyond_64_bits_is_one_clear_message(neo4j_env):
    result = CliRunner().invoke(main, ["--backend", "neo4j", "cypher", "RETURN $x AS x", "--param", "x=999999999999999999999999999"],
                                env=neo4j_env)
    clean_failure(result, "integers must fit in 64 bits")


# --- 12 and 13: repair and import ----------------------------------------------------------------

def test_a_damaged_review_file_is_repaired_by_loading_again_and_stale_tmp_files_go(tmp_path):
    workspace = tmp_path / "ws"
    runner = CliRunner()
    folder = write_review(tmp_path, "rev-a")
    assert runner.invoke(main, ["--workspace", str(workspace), "load", str(folder)]).exit_code == 0
    [review_file] = (workspace / "reviews").glob("*.json")
    review_file.write_bytes(review_file.read_bytes()[:100])
    stale = [workspace / ".manifest.json.999.tmp", workspace / "reviews" / ".x.json.999.tmp"]
    for path in stale:
        path.write_text("left by kill -9")
    result = runner.invoke(main, ["--workspace", str(workspace), "stats"])
    clean_failure(result, "is damaged", "load that review again")
    assert runner.invoke(main, ["--workspace", str(workspace), "load", str(folder)]).exit_code == 0
    assert runner.invoke(main, ["--workspace", str(workspace), "stats", "--format", "json"]).exit_code == 0
    assert not any(path.exists() for path in stale)


def test_import_refuses_dangling_edges_on_every_backend(tmp_path, cli):
    exported = tmp_path / "exported"
    with open_store(Settings(workspace=str(exported))) as source:
        source.load([write_review(tmp_path, "rev-a")])
    [review_file] = (exported / "reviews").glob("*.json")
    data = json.loads(review_file.read_text())
    data["edges"]["ABOUT"]["rows"].append(["contact:rev-a#2", "person:rev-a/Nobody"])
    review_file.write_text(json.dumps(data))
    clean_failure(cli("import", str(exported)), "person:rev-a/Nobody", "is damaged")
    assert counts(cli)["contacts"] == 0


# --- tracebacks that must be one clear message -------------------------------------------------

@pytest.mark.parametrize("column, value", [("age", "²"), ("age", "①")])
def test_unicode_digits_in_age(tmp_path, cli, column, value):
    people = [dict(p) for p in PEOPLE]
    people[0][column] = value
    folder = write_review(tmp_path, people=people)
    clean_failure(cli("load", str(folder)), f"{folder / 'people.csv'}:2:4: column 'age': age must be a whole number")


@pytest.mark.parametrize("column, value, message", [
    ("dash_score", "1²", "dash_score must be a whole number"), ("sequence", "①", "sequence must be a whole number"),
    ("time", "1²:00", "invalid time"), ("time", "00:00:60", "invalid time"), ("agency", "?", "has no letter or digit"),
    ("agency", "-", "has no letter or digit"), ("referred_to", "-", "has no letter or digit"),
])
def test_bad_numbers_times_and_nameless_agencies(tmp_path, cli, column, value, message):
    rows = [dict(r) for r in CHRONOLOGY]
    rows[2][column] = value
    folder = write_review(tmp_path, chronology=rows)
    clean_failure(cli("load", str(folder)), f"{folder / 'chronology.csv'}:4:", f"column '{column}': ", message)
    assert counts(cli)["contacts"] == 0


def test_a_time_with_seconds_still_loads(tmp_path, cli):
    rows = [dict(r) for r in CHRONOLOGY]
    rows[0]["time"] = "22:10:59"
    assert cli("load", str(write_review(tmp_path, chronology=rows))).exit_code == 0


@pytest.mark.parametrize("args, message", [
    (("query", "serial-perpetrators", "--param", "min_victims=0"), "'min_victims' must be a whole number from 1 to"),
    (("query", "missed-marac", "--param", "within_days=100000000"), "'within_days' must be a whole number from 1 to 36500"),
    (("query", "unshared-risk", "--param", "window_days=99999999999999999999"), "'window_days' must be a whole number"),
    (("query", "unshared-risk", "--param", "window_days=-5"), "'window_days' must be a whole number"),
    (("query", "unshared-risk", "--param", "window_days=0"), "'window_days' must be a whole number"),
    (("query", "unshared-risk", "--param", "dash_high=28"), "'dash_high' must be a whole number from 1 to 27"),
    (("query", "unshared-risk", "--param", "window_days=²"), "'window_days' must be int"),
    (("path", "Elm Tree Surgery", "Northbrook MARAC", "--limit", "99999999999"), "'limit' must be a whole number from 0"),
])
def test_parameters_out_of_range_are_refused(tmp_path, cli, args, message):
    cli("load", str(write_review(tmp_path)))
    clean_failure(cli(*args), message)


def test_zero_limit_still_means_all(tmp_path, cli):
    cli("load", str(write_review(tmp_path)))
    assert cli("path", "Elm Tree Surgery", "Northbrook MARAC", "--limit", "0").exit_code == 0


@pytest.mark.parametrize("target", ["/proc/x.html", "/dev/full", "", "{tmp}/missing/folder/x.md"])
def test_unwritable_output_files(tmp_path, cli, target):
    cli("load", str(write_review(tmp_path)))
    target = target.format(tmp=tmp_path)
    clean_failure(cli("findings", "--output", target))
    if target.endswith(".md"):
        return
    if target:  # timeline --output "" is no --output: the rows are printed
        clean_failure(cli("timeline", "Jade", "--output", target))
    clean_failure(cli("viz", "--flows", "--output", target))


def test_unwritable_export_workspace_and_synth(tmp_path, cli):
    cli("load", str(write_review(tmp_path)))
    clean_failure(cli("export", "--graphml", "/proc/x"), "/proc/x")
    runner = CliRunner()
    clean_failure(runner.invoke(main, ["--workspace", "/proc/ws", "load", str(tmp_path / "rev-a")]), "cannot write the workspace /proc/ws")
    clean_failure(runner.invoke(main, ["synth", "--reviews", "1", "--out", "/proc/s"]), "/proc/s")


def test_devices_and_pipes_are_not_review_files(tmp_path, cli):
    clean_failure(cli("load", "/dev/null"), "/dev/null:1: not a regular file or folder")
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    clean_failure(cli("load", str(fifo)), "not a regular file or folder")
    folder = write_review(tmp_path, "rev-p")
    (folder / "chronology.csv").unlink()
    os.mkfifo(folder / "chronology.csv")
    clean_failure(cli("load", str(folder)), "chronology.csv:1: not a regular file")


@pytest.mark.parametrize("manifest", [b"[]", b"null", b'{"format": "dhrgraph-workspace", "version": 1, "reviews": "x"}',
                                      b'{"format": "dhrgraph-workspace", "version": 1, "reviews": [{"id": "a"}]}',
                                      b'{"format": "dhrgraph-workspace", "version": 1, "reviews": [{"id": "a", "file": "../../etc/passwd"}]}',
                                      b"\xff\xfe", b"{"])
def test_damaged_manifests(tmp_path, manifest):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "manifest.json").write_bytes(manifest)
    for command in (["stats"], ["load", str(write_review(tmp_path))]):
        clean_failure(CliRunner().invoke(main, ["--workspace", str(workspace), *command]), str(workspace))


@pytest.mark.parametrize("damage", ["no nodes", "null id", "not an object", "wrong review"])
def test_damaged_review_files(tmp_path, damage):
    workspace = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(main, ["--workspace", str(workspace), "load", str(write_review(tmp_path))]).exit_code == 0
    [review_file] = (workspace / "reviews").glob("*.json")
    data = json.loads(review_file.read_text())
    if damage == "no nodes":
        del data["nodes"]
    elif damage == "null id":
        table = data["nodes"]["Person"]
        table["rows"][0][table["columns"].index("id")] = None
    elif damage == "not an object":
        data = [data]
    else:
        data["review"] = "other"
    review_file.write_text(json.dumps(data))
    for command in (["stats"], ["export", "--to", str(tmp_path / "out")]):
        clean_failure(runner.invoke(main, ["--workspace", str(workspace), *command]), "damaged")


def test_lock_as_a_folder(tmp_path):
    workspace = tmp_path / "ws"
    (workspace / ".lock").mkdir(parents=True)
    clean_failure(CliRunner().invoke(main, ["--workspace", str(workspace), "load", str(write_review(tmp_path))]),
                  "cannot write the workspace")


def test_a_workspace_that_does_not_exist_says_so(tmp_path):
    result = CliRunner().invoke(main, ["--workspace", str(tmp_path / "nowhere"), "stats"])
    clean_failure(result, f"no workspace at {tmp_path / 'nowhere'}")
    assert not (tmp_path / "nowhere").exists()


def test_examples_still_load_on_every_backend(cli):
    assert cli("load", str(EXAMPLES)).exit_code == 0
    assert counts(cli)["reviews"] == sum(1 for p in EXAMPLES.iterdir() if p.is_dir())
