"""Intake as reviews really arrive: each agency's own file (CSV, Excel, Word) merged into one review,
a mapping.csv confirmed once, and the merged chronology out for the panel and back in. On both backends."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest

from helpers import EXAMPLES, PEOPLE, RELATIONSHIPS, ROOT, counts, write_csv, write_review
from dhrgraph import queries
from dhrgraph.loaders.textsignals import parse_signal_id
from dhrgraph.loaders.export import write_chronology
from dhrgraph.queries.core import DUMP

ROWANFORD = EXAMPLES / "dhr-rowanford-2022"
COMBINED = ROOT / "tests" / "data" / "dhr-rowanford-2022-combined.csv"
SIDE_FILES = ("people.csv", "relationships.csv", "agencies.csv")


def review_folder(root: Path, name: str, source: Path = ROWANFORD) -> Path:
    """A review folder holding ``source``'s people, relationships and agencies, and no chronology yet."""
    folder = root / name
    folder.mkdir(parents=True)
    for file in SIDE_FILES:
        shutil.copy(source / file, folder / file)
    for file in ("review.csv", "recommendations.csv"):  # optional: the review's details and recommendations
        if (source / file).is_file():
            shutil.copy(source / file, folder / file)
    return folder


def contact_props(dump: list[dict]) -> dict[str, dict]:
    return {row["start"]: row["props"] for row in dump if row["label"] == "Contact"}


def without_provenance(dump: list[dict]) -> list[tuple]:
    """The dump with each contact named by what it says rather than where its row is: its id, file,
    line, record and place among the review's files (the end of its order_key) dropped, and the
    Review's path (the folder it was loaded from)."""
    keys = {cid: json.dumps([p["date_text"], p.get("time"), p["agency"], p["summary"]]) for cid, p in contact_props(dump).items()}
    assert len(set(keys.values())) == len(keys), "two contacts say the same: the comparison could pair them wrongly"
    rows = []
    for row in dump:
        props = dict(row["props"])
        if "signal" in props:  # a flow read from the text names its contact's id in its signal's
            contact, kind, value = parse_signal_id(props["signal"])
            props["signal"] = [keys[contact], kind, value]
        if row["label"] == "Contact":
            for key in ("id", "file", "line", "record"):
                props.pop(key)
            props["order_key"] = props["order_key"].rsplit("|", 1)[0]
        if row["label"] == "Review":
            props.pop("path")
        rows.append((row["kind"], row["label"], keys.get(row["start"], row["start"]), keys.get(row["end"], row["end"]) or "",
                     json.dumps(props, sort_keys=True)))
    return sorted(rows)


def without_review_path(dump: list[dict]) -> list[dict]:
    return [dict(row, props={k: v for k, v in row["props"].items() if k != "path"}) if row["label"] == "Review" else row
            for row in dump]


def cells_of_record(path: Path, record: int) -> list[str]:
    """The cells of one record (header = 1) of an agency file, read with the plain libraries."""
    if path.suffix == ".csv":
        with open(path, encoding="utf-8", newline="") as fh:
            return list(csv.reader(fh))[record - 1]
    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path)["Chronology"]
        return [str(v) for v in next(sheet.iter_rows(min_row=record, max_row=record, values_only=True))]
    table = docx.Document(str(path)).tables[1]
    return [cell.text for cell in table.rows[record - 1].cells]


# --- the key test: per-agency files give the same graph as the hand-combined chronology ---------------

def test_per_agency_files_load_into_the_same_graph_as_the_hand_combined_chronology(store, tmp_path):
    report = store.load([ROWANFORD])
    per_agency = store.run(DUMP)
    assert report.contacts == 17 and report.replaced == []
    combined = review_folder(tmp_path, "dhr-rowanford-2022")
    shutil.copy(COMBINED, combined / "chronology.csv")
    report = store.load([combined])
    assert report.replaced == [("dhr-rowanford-2022", 17, 17)]
    hand_combined = store.run(DUMP)
    assert without_provenance(per_agency) == without_provenance(hand_combined)
    # and what the comparison left out is right: each contact names its own agency file and record
    contacts = contact_props(per_agency)
    assert {p["file"] for p in contacts.values()} == {f"dhr-rowanford-2022/chronologies/{name}" for name in
                                                      ("Rowanford Police.xlsx", "Brook Lane Surgery.docx", "Rowanford IDVA Service.csv")}
    for cid, p in contacts.items():
        source = ROWANFORD / "chronologies" / Path(p["file"]).name
        assert cid == f"contact:dhr-rowanford-2022#chronologies/{source.name}:{p['record']}"
        assert p["summary"] in cells_of_record(source, p["record"]), (cid, p["summary"])
    idva = [p for p in contacts.values() if p["file"].endswith(".csv")]
    assert any(p["line"] != p["record"] for p in idva)  # case notes over two lines: the line is not the record
    hand = contact_props(hand_combined)
    assert {p["file"] for p in hand.values()} == {"dhr-rowanford-2022/chronology.csv"}
    assert sorted(p["record"] for p in hand.values()) == list(range(2, 19))


def test_dates_values_and_times_from_the_agencies_own_words(store):
    store.load([ROWANFORD])
    rows = {(r["date"], r["agency"]): r for r in store.timeline("Ryan", "dhr-rowanford-2022")}
    charge = rows[("2021-09-20", "Rowanford Police")]  # an Excel serial number in the workbook
    assert charge["event"] == "charge" and charge["record"] == 6
    incident = rows[("2021-09-19", "Rowanford Police")]  # a date-time cell; "High risk", "16/27", "Strangulation/choking"
    assert (incident["time"], incident["risk_level"], incident["dash_score"]) == ("22:40", "high", 16)
    assert incident["risk_factors"] == ["threats_to_kill", "strangulation", "separation"]
    registration = rows[("?2021-01", "Brook Lane Surgery")]  # "?Jan 2021" in the Word table; "Registration" mapped to other
    assert registration["uncertain"] and registration["event"] == "other"
    sophie = {(r["date"], r["agency"]): r for r in store.timeline("Sophie", "dhr-rowanford-2022")}
    assert sophie[("2021-06-07", "Rowanford IDVA Service")]["time"] == "14:30"  # "07/06/2021 14:30"
    assert sophie[("2022-02", "Brook Lane Surgery")]["risk_factors"] == ["mental_health"]  # "Anxiety", mapped for every file


# --- the merged chronology out and back in ------------------------------------------------------------

@pytest.mark.parametrize("source, suffix, place", [
    (ROWANFORD, ".xlsx", "chronologies"), (ROWANFORD, ".docx", "chronologies"), (ROWANFORD, ".csv", "chronology.csv"),
    (EXAMPLES / "dhr-northbrook-2021", ".csv", "chronology.csv"), (EXAMPLES / "dhr-northbrook-2021", ".xlsx", "chronologies"),
])
def test_the_merged_chronology_loads_back_into_the_same_graph(store, tmp_path, source, suffix, place):
    store.load([source])
    before = store.run(DUMP)
    exported = tmp_path / f"merged{suffix}"
    assert write_chronology(store, source.name, exported) == len(contact_props(before))
    folder = review_folder(tmp_path / "again", source.name, source)
    if place == "chronology.csv":
        shutil.copy(exported, folder / "chronology.csv")
    else:
        (folder / "chronologies").mkdir()
        shutil.copy(exported, folder / "chronologies" / exported.name)
    store.load([folder])
    assert without_review_path(store.run(DUMP)) == without_review_path(before)


def test_merged_chronology_order_flags_and_redaction(store, cli, tmp_path):
    store.load([EXAMPLES])
    out = tmp_path / "merged.csv"
    result = cli("chronology", "dhr-rowanford-2022", "--output", str(out))
    assert result.exit_code == 0 and f"Wrote {out}: 17 contact(s) of dhr-rowanford-2022." in result.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["Number"] for r in rows] == [str(n) for n in range(1, 18)]
    assert [r["Date"].lstrip("?") for r in rows] == sorted(r["Date"].lstrip("?") for r in rows)
    flags = {(r["Source file"].rsplit("/", 1)[1], r["Record"]): r["Flags"] for r in rows if r["Flags"]}
    assert flags == {("Brook Lane Surgery.docx", "2"): "uncertain date; date to the month",
                     ("Brook Lane Surgery.docx", "6"): "dated before record 5 of its file",
                     ("Brook Lane Surgery.docx", "7"): "date to the month"}
    same_day = [(r["Agency"], r["Time"]) for r in rows if r["Date"] == "2021-06-02"]
    assert same_day == [("Rowanford Police", "01:45"), ("Rowanford Police", "09:30")]
    redacted = tmp_path / "redacted.docx"
    assert cli("chronology", "dhr-rowanford-2022", "--output", str(redacted), "--redact").exit_code == 0
    text = "\n".join(cell.text for table in docx.Document(str(redacted)).tables for row in table.rows for cell in row.cells)
    for name in ("Sophie", "Ryan", "Maureen", "PC 1", "GP 2", "IDVA 1", "sertraline"):
        assert name not in text, name
    assert "Victim" in text and "Perpetrator" in text and "Rowanford Police" in text


def test_chronology_of_an_unknown_review_or_format(store, cli, tmp_path):
    store.load([ROWANFORD])
    result = cli("chronology", "dhr-nowhere", "--output", str(tmp_path / "x.csv"))
    assert result.exit_code == 1 and "No review 'dhr-nowhere' in the graph. Reviews: dhr-rowanford-2022" in result.stderr
    result = cli("chronology", "dhr-rowanford-2022", "--output", str(tmp_path / "x.pdf"))
    assert result.exit_code == 1 and "give a file name ending in .xlsx, .csv, .docx" in result.stderr
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.pdf").exists()


# --- map, then load ---------------------------------------------------------------------------------------

def near_miss_review(root: Path) -> Path:
    """A review whose agency files use headers and values that are each an obvious near-miss of the allowed ones."""
    folder = write_review(root, "rev-map")
    (folder / "chronology.csv").unlink()
    write_csv(folder / "chronologies" / "Northbrook Police.csv", [
        {"Incident date/time": "04/03/2019 22:10", "Persons": "Jade (victim); Dean (suspect)", "Event type": "Domestic abuse incident",
         "Sumary": "Officers attended; Jade had a cut lip.", "Risk grade": "High risk", "DASH": "15/27",
         "Risk factor": "Threat to kill; Strangulation/choking"},
        {"Incident date/time": "2019-03-04T23:30", "Persons": "Dean (suspect)", "Event type": "Arrested",
         "Sumary": "Dean arrested for assault.", "Risk grade": "", "DASH": "", "Risk factor": ""},
    ])
    book = openpyxl.Workbook()
    book.active.append(["Consultation date", "Subject(s)", "Event type", "Sumary"])
    book.active.append(["May 2019", "Jade", "GP appointment", "Low mood; no routine enquiry recorded."])
    book.save(folder / "chronologies" / "Elm Tree Surgery.xlsx")
    return folder


def test_map_then_load_works_on_near_misses(cli, tmp_path):
    folder = near_miss_review(tmp_path)
    result = cli("load", str(folder))
    assert result.exit_code == 1 and "missing required column(s)" in result.stderr
    result = cli("map", str(folder))
    assert result.exit_code == 0, result.output
    assert "rev-map: wrote" in result.stdout and "0 without a guess" in result.stdout
    mapping = {(r["file"], r["field"], r["written"]): r["means"] for r in csv.DictReader((folder / "mapping.csv").open(encoding="utf-8"))}
    assert mapping[("Northbrook Police.csv", "column", "Incident date/time")] == "date"
    assert mapping[("Northbrook Police.csv", "column", "Sumary")] == "summary"
    assert mapping[("Northbrook Police.csv", "risk_level", "High risk")] == "high"
    assert mapping[("Northbrook Police.csv", "dash_score", "15/27")] == "15"
    assert mapping[("Elm Tree Surgery.xlsx", "event", "GP appointment")] == "appointment"
    result = cli("load", str(folder))
    assert result.exit_code == 0, result.output
    rows = json.loads(cli("timeline", "Jade", "--format", "json").stdout)
    assert [(r["date"], r["time"], r["agency"], r["event"], r["risk_level"], r["dash_score"], r["risk_factors"]) for r in rows] == [
        ("2019-03-04", "22:10", "Northbrook Police", "incident", "high", 15, ["threats_to_kill", "strangulation"]),
        ("2019-05", None, "Elm Tree Surgery", "appointment", None, None, []),
    ]
    again = cli("map", str(folder))
    assert "rev-map: nothing new to map" in again.stdout


def test_map_guesses_an_attendance_as_its_agency_means_it(cli, tmp_path):
    """`dhrgraph map` guesses "ED attendance" from "attendance" as the file's agency means it: an admission in a
    hospital's file, an incident in the police's (``vocab.EVENTS_BY_AGENCY_TYPE``), the agency's type from agencies.csv
    or, undeclared, from its name; the load then gives those events."""
    folder = tmp_path / "rev-att"
    write_csv(folder / "people.csv", PEOPLE)
    write_csv(folder / "relationships.csv", RELATIONSHIPS)
    write_csv(folder / "agencies.csv", [{"name": "Northbrook Police", "type": "police", "aliases": ""},
                                       {"name": "Riverside Trust", "type": "hospital", "aliases": ""}])
    row = {"date": "2019-03-04", "subject": "Jade", "summary": "Seen."}
    write_csv(folder / "chronologies" / "Northbrook Police.csv", [{**row, "event": "Police attendance"}])
    write_csv(folder / "chronologies" / "Riverside Trust.csv", [{**row, "date": "2019-04-04", "event": "ED attendance"}])
    write_csv(folder / "chronologies" / "Northbrook General Hospital.csv", [{**row, "date": "2019-05-04", "event": "ED attendance"}])
    assert cli("map", str(folder)).exit_code == 0
    mapping = {(r["file"], r["written"]): (r["means"], r["note"])
               for r in csv.DictReader((folder / "mapping.csv").open(encoding="utf-8")) if r["field"] == "event"}
    assert mapping[("Northbrook Police.csv", "Police attendance")][0] == "incident"
    assert mapping[("Riverside Trust.csv", "ED attendance")] == (
        "admission", "similar to attendance (95%), recorded by an agency of type hospital")
    assert mapping[("Northbrook General Hospital.csv", "ED attendance")][0] == "admission"  # typed from its name
    assert cli("load", str(folder)).exit_code == 0
    rows = json.loads(cli("timeline", "Jade", "--format", "json").stdout)
    assert [(r["agency"], r["event"]) for r in rows] == [
        ("Northbrook Police", "incident"), ("Riverside Trust", "admission"), ("Northbrook General Hospital", "admission")]


def test_mapping_applies_per_file_or_to_every_file(store, tmp_path):
    folder = near_miss_review(tmp_path)
    write_csv(folder / "mapping.csv", [
        {"file": "*", "field": "column", "written": "Sumary", "means": "summary"},
        {"file": "*", "field": "column", "written": "Incident date/time", "means": "date"},
        {"file": "Northbrook Police.csv", "field": "column", "written": "Persons", "means": "subject"},
        {"file": "Elm Tree Surgery.xlsx", "field": "column", "written": "Consultation date", "means": "date"},
        {"file": "Elm Tree Surgery.xlsx", "field": "column", "written": "Subject(s)", "means": "subject"},
        {"file": "*", "field": "event", "written": "Domestic abuse incident", "means": "incident"},
        {"file": "Elm Tree Surgery.xlsx", "field": "event", "written": "GP appointment", "means": "home visit"},
        {"file": "Northbrook Police.csv", "field": "subject", "written": "Jade (victim)", "means": "Jade"},
        {"file": "*", "field": "subject", "written": "Dean (suspect)", "means": "Dean"},
        {"file": "*", "field": "risk_level", "written": "High risk", "means": "high"},
        {"file": "*", "field": "dash_score", "written": "15/27", "means": "15"},
        {"file": "*", "field": "risk_factors", "written": "Strangulation/choking", "means": "-"},
        {"file": "*", "field": "column", "written": "Risk factor", "means": "risk_factors"},
    ])
    store.load([folder])
    rows = store.timeline("Jade")
    assert [(r["event"], r["risk_factors"]) for r in rows] == [("incident", ["threats_to_kill"]), ("home_visit", [])]


# --- bad input ---------------------------------------------------------------------------------------------

def test_unknown_value_names_the_three_closest(cli, tmp_path):
    folder = near_miss_review(tmp_path)
    write_csv(folder / "mapping.csv", [{"file": "*", "field": "column", "written": w, "means": m} for w, m in (
        ("Sumary", "summary"), ("Incident date/time", "date"), ("Persons", "subject"), ("Consultation date", "date"),
        ("Risk grade", "risk_level"))])
    result = cli("validate", str(folder))
    assert result.exit_code == 1
    police = folder / "chronologies" / "Northbrook Police.csv"
    line = next(line for line in result.stderr.splitlines() if line.startswith(f"{police}:2:3: column 'event': "))
    assert "unknown event 'Domestic abuse incident'; allowed: admission," in line
    assert "; closest: incident, " in line and line.endswith("or say what it means in mapping.csv (dhrgraph map)")
    assert f"{police}:2:5: column 'risk_level': unknown risk level 'High risk'; allowed: standard, medium, high; closest: high, " in result.stderr
    assert f"{police}:2:2: column 'subject': unknown person 'Jade (victim)'; people.csv has: Child A, Dean, Jade; closest: Jade, " in result.stderr
    assert "nothing was loaded" in result.stderr


def test_mapping_row_with_an_unknown_target_names_the_allowed_ones(cli, tmp_path):
    folder = near_miss_review(tmp_path)
    write_csv(folder / "mapping.csv", [
        {"file": "*", "field": "event", "written": "Domestic abuse incident", "means": "incidnet"},
        {"file": "*", "field": "column", "written": "Sumary", "means": "summery text"},
        {"file": "Fire Service.csv", "field": "column", "written": "Sumary", "means": "summary"},
        {"file": "*", "field": "colour", "written": "Sumary", "means": "summary"},
    ])
    result = cli("load", str(folder))
    assert result.exit_code == 1
    mapping = folder / "mapping.csv"
    assert (f"{mapping}:2:4: column 'means': unknown event 'incidnet' for 'Domestic abuse incident'; closest: incident, ") in result.stderr
    assert "allowed: admission, appointment, arrest," in result.stderr
    assert f"{mapping}:3:4: column 'means': unknown column 'summery text' for 'Sumary'; closest: summary, " in result.stderr
    assert (f"{mapping}:4:1: column 'file': no chronology file 'Fire Service.csv' in this review; give * (every file) or one of: "
            "Elm Tree Surgery.xlsx, Northbrook Police.csv") in result.stderr
    assert f"{mapping}:5:2: column 'field': unknown field 'colour'; allowed: column (a header), event, " in result.stderr
    assert counts(cli)["contacts"] == 0


def test_agency_files_without_a_date_or_summary_column_or_table_are_named(cli, tmp_path):
    folder = write_review(tmp_path, "rev-bad")
    (folder / "chronology.csv").unlink()
    write_csv(folder / "chronologies" / "Northbrook Police.csv",
              [{"When": "2019-03-04", "Subject": "Jade", "Event": "incident", "Notes": "Attended."}])
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Practice", "Elm Tree Surgery"
    document.save(str(folder / "chronologies" / "Elm Tree Surgery.docx"))
    result = cli("load", str(folder))
    assert result.exit_code == 1 and "Traceback" not in result.output
    police = folder / "chronologies" / "Northbrook Police.csv"
    assert (f"{police}:1: missing required column(s) date, summary; the chronology columns are: date, time," in result.stderr
            and "the file's headers are: 'When', 'Subject', 'Event', 'Notes'" in result.stderr)
    gp = folder / "chronologies" / "Elm Tree Surgery.docx"
    assert (f"{gp}:1: no table has a chronology header row (a header row with the columns date, subject, event, summary); "
            "the header rows are: table 1: Practice | Elm Tree Surgery") in result.stderr
    assert counts(cli)["contacts"] == 0


def test_problems_in_agency_files_name_the_record(cli, tmp_path):
    folder = write_review(tmp_path, "rev-records")
    (folder / "chronology.csv").unlink()
    write_csv(folder / "chronologies" / "Northbrook Police.csv", [
        {"date": "2019-03-04", "subject": "Jade", "event": "incident", "summary": "Attended.\nCut lip.\nDASH 15."},
        {"date": "31/02/2019", "subject": "Jade", "event": "incident", "summary": "Attended again."},
    ])
    document = docx.Document()
    table = document.add_table(rows=3, cols=4)
    for i, text in enumerate(["Date", "Subject", "Event", "Summary"]):
        table.cell(0, i).text = text
    for i, text in enumerate(["2019-05-01", "Jade", "appointment", "Seen."]):
        table.cell(1, i).text = text
    for i, text in enumerate(["2019-05-02", "Jade", "chat", "Seen again."]):
        table.cell(2, i).text = text
    document.save(str(folder / "chronologies" / "Elm Tree Surgery.docx"))
    result = cli("load", str(folder))
    assert result.exit_code == 1
    police = folder / "chronologies" / "Northbrook Police.csv"
    assert f"{police}:5:1: record 3, column 'date': no such date '31/02/2019': February 2019 has 28 days" in result.stderr
    assert f"{folder / 'chronologies' / 'Elm Tree Surgery.docx'}:3:3: column 'event': unknown event 'chat'" in result.stderr


def test_a_date_and_a_time_column_that_disagree(cli, tmp_path):
    rows = [dict(date="04/03/2019 22:10", time="22:15", agency="Northbrook Police", subject="Jade", event="incident", summary="Attended.")]
    folder = write_review(tmp_path, chronology=rows)
    result = cli("load", str(folder))
    assert result.exit_code == 1
    assert (f"{folder / 'chronology.csv'}:2:2: column 'time': the date gives the time 22:10 and the time column 22:15; "
            "give one time") in result.stderr


def test_loads_say_what_they_replaced_and_refuse_a_lone_agency_file(cli, tmp_path):
    folder = tmp_path / "dhr-rowanford-2022"
    shutil.copytree(ROWANFORD, folder)
    assert cli("load", str(folder)).exit_code == 0
    idva = folder / "chronologies" / "Rowanford IDVA Service.csv"
    lines = idva.read_text(encoding="utf-8").splitlines(keepends=True)
    idva.write_text("".join(lines[:-1]), encoding="utf-8")  # the IDVA service's last row withdrawn
    result = cli("load", str(folder))
    assert result.exit_code == 0 and "Replaced dhr-rowanford-2022: 17 -> 16 contacts" in result.stdout
    result = cli("load", str(idva))
    assert result.exit_code == 1
    assert (f"{idva}:1: this is one agency's chronology of review 'dhr-rowanford-2022': loading it alone would replace the review "
            f"with this file's rows; load the review folder: dhrgraph load {folder}") in result.stderr
    # a combined file naming the review, with only the IDVA service's rows
    rows = [dict(r, review="dhr-rowanford-2022") for r in csv.DictReader(COMBINED.open(encoding="utf-8"))
            if r["agency"] == "Rowanford IDVA Service"]
    lone = write_csv(tmp_path / "idva-only.csv", rows)
    result = cli("load", str(lone))
    assert result.exit_code == 1
    assert (f"{lone}:1: this file names review 'dhr-rowanford-2022', which the graph holds with 16 contacts (also from "
            f"Brook Lane Surgery, Rowanford Police); loading it alone would replace that review with this file's 5. Put it in the "
            f"review folder's chronologies/ and load the folder: dhrgraph load {folder}") in result.stderr
    assert counts(cli)["contacts"] == 16


def test_excel_serial_dates_in_a_review_workbook(store, tmp_path):
    book = openpyxl.Workbook()
    people = book.active
    people.title = "people"
    people.append(["person", "role"])
    people.append(["Jade", "victim"])
    chronology = book.create_sheet("chronology")
    chronology.append(["date", "agency", "subject", "event", "summary"])
    chronology.append([44564, "Northbrook Police", "Jade", "incident", "Attended."])  # a date cell formatted as a number
    chronology.append([44564.6076, "Northbrook Police", "Jade", "call", "Called back."])
    book.save(tmp_path / "rev-w.xlsx")
    store.load([tmp_path / "rev-w.xlsx"])
    assert [(r["date"], r["time"], r["event"]) for r in store.timeline("Jade")] == [("2022-01-03", None, "incident"),
                                                                                 ("2022-01-03", "14:35", "call")]


def test_a_merged_chronology_that_names_one_source_twice_is_refused(store, cli, tmp_path):
    store.load([ROWANFORD])
    exported = tmp_path / "merged.csv"
    write_chronology(store, "dhr-rowanford-2022", exported)
    rows = list(csv.DictReader(exported.open(encoding="utf-8")))
    rows[3] = dict(rows[3], **{"Source file": rows[2]["Source file"], "Record": rows[2]["Record"]})
    folder = review_folder(tmp_path, "dhr-rowanford-2022")
    write_csv(folder / "chronology.csv", rows)
    result = cli("load", str(folder))
    assert result.exit_code == 1
    # record 5 of the file is on line 6: the first row's summary runs over two lines
    assert (f"{folder / 'chronology.csv'}:6:18: record 5, column 'record': this row's source (dhr-rowanford-2022/chronologies/"
            f"{rows[2]['Source file'].rsplit('/', 1)[1]}, record {rows[2]['Record']}) is also the source of an earlier row") in result.stderr


def test_evidence_from_agency_files_says_when_the_text_carries_the_risk(store, tmp_path):
    """A review read from agency files names its contacts by file and record (not by line): evidence whose risk
    is read from the words is marked ``signal: text`` with the phrases, as in a one-file review."""
    folder = tmp_path / "dhr-rowanford-2022"
    shutil.copytree(ROWANFORD, folder)
    idva = folder / "chronologies" / "Rowanford IDVA Service.csv"
    with idva.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    uncoded = ("Risk level", "DASH score", "Risk factors", "Referred to", "Shared with")
    write_csv(idva, [{k: ("" if k in uncoded else v) for k, v in row.items()} for row in rows])
    store.load([folder])
    cited = [item for query in ("missed-marac", "unshared-risk")
             for row in store.run(queries.get(query), {"review": "dhr-rowanford-2022"})
             for item in row["evidence"] if item["agency"] == "Rowanford IDVA Service"]
    assert cited and all(item["signal"] == "text" and item["phrases"] for item in cited)
    assert all("contact_id" not in item for item in cited)  # the id the marking used is not kept in the row
    coded = store.run(queries.get("missed-marac"), {"review": "dhr-rowanford-2022", "signals": "coded"})
    assert all(item["signal"] == "coded" for row in coded for item in row["evidence"])
