"""Bad input: one clear message naming file, line and column and what is allowed; exit 1; no
traceback; nothing of a failed load kept. Run through the real CLI on both backends."""

from __future__ import annotations

import json
import re

import pytest

from helpers import CHRONOLOGY, PEOPLE, counts, write_csv, write_review


def _chronology_with(**changes) -> list[dict]:
    rows = [dict(r) for r in CHRONOLOGY]
    rows[2].update(changes)  # the row on line 4
    return rows


BAD_CHRONOLOGY = [
    # (change to the row on line 4, column number, text the message must contain)
    ({"date": "31/02/2019"}, 1, "no such date '31/02/2019'"),
    ({"date": "Marchember 2019"}, 1, "invalid date 'Marchember 2019': use YYYY-MM-DD, YYYY-MM, YYYY, DD/MM/YYYY"),
    ({"subject": "Jade;Kyle"}, 5, "unknown person 'Kyle'; people.csv has: Child A, Dean, Jade"),
    ({"event": "chat"}, 6, "unknown event 'chat'; allowed:"),
    ({"dash_score": "31"}, 8, "dash_score must be a whole number from 0 to 27, got '31'"),
    ({"dash_score": "-1"}, 8, "dash_score must be a whole number from 0 to 27"),
    ({"risk_level": "severe"}, 9, "unknown risk level 'severe'; allowed: standard, medium, high"),
    ({"risk_factors": "threats_to_kill;bad_vibes"}, 10, "unknown risk factor 'bad_vibes'"),
    ({"time": "25:00"}, 2, "invalid time '25:00'; use HH:MM"),
    ({"summary": ""}, 7, "summary is empty"),
]


@pytest.mark.parametrize("change, column, message", BAD_CHRONOLOGY, ids=[str(c) for c, _, _ in BAD_CHRONOLOGY])
def test_bad_chronology_cell_is_reported_with_file_line_column(tmp_path, cli, change, column, message):
    folder = write_review(tmp_path, chronology=_chronology_with(**change))
    result = cli("load", str(folder))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    expected = f"{folder / 'chronology.csv'}:4:{column}: column '{next(iter(change))}': "
    lines = [line for line in result.stderr.splitlines() if line.startswith(expected)]
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "nothing was loaded" in result.stderr
    assert counts(cli)["contacts"] == 0


def test_every_error_is_reported_not_just_the_first(tmp_path, cli):
    rows = [dict(r) for r in CHRONOLOGY]
    rows[0]["date"] = "yesterday"
    rows[1]["event"] = "nonsense"
    rows[3]["dash_score"] = "99"
    folder = write_review(tmp_path, chronology=rows)
    result = cli("validate", str(folder))
    assert result.exit_code == 1
    chron = folder / "chronology.csv"
    assert [line.split(": ")[0] for line in result.stderr.splitlines()[:3]] == [f"{chron}:2:1", f"{chron}:3:6", f"{chron}:5:8"]
    assert "3 problem(s); nothing was loaded." in result.stderr


def test_missing_required_column(tmp_path, cli):
    rows = [{k: v for k, v in r.items() if k != "event"} for r in CHRONOLOGY]
    folder = write_review(tmp_path, chronology=rows)
    result = cli("load", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'chronology.csv'}:1: missing required column(s) event; the chronology columns are: date," in result.stderr


def test_empty_file(tmp_path, cli):
    folder = write_review(tmp_path, people=[])
    result = cli("load", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'people.csv'}:1: the file is empty; expected a header row with the columns: person, role" in result.stderr


def test_not_utf8_names_the_byte_and_suggests_resaving(tmp_path, cli):
    folder = write_review(tmp_path)
    people = folder / "people.csv"
    people.write_bytes(people.read_bytes().replace(b"Jade,victim", b"Jos\xe9,victim"))
    result = cli("load", str(folder))
    assert result.exit_code == 1
    line = next(line for line in result.stderr.splitlines() if line.startswith(str(people)))
    assert line.startswith(f"{people}:2:4: the file is not UTF-8 (byte 0xE9 here); re-save it as 'CSV UTF-8'")


def test_duplicate_person(tmp_path, cli):
    folder = write_review(tmp_path, people=[*PEOPLE, dict(PEOPLE[1])])
    result = cli("load", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'people.csv'}:5:1: column 'person': duplicate person 'Dean' (first at line 3)" in result.stderr


def test_unknown_person_in_relationships(tmp_path, cli):
    folder = write_review(tmp_path, relationships=[{"person": "Dean", "other": "Jayde", "relationship": "partner", "abusive": "yes"}])
    result = cli("load", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'relationships.csv'}:2:2: column 'other': unknown person 'Jayde'" in result.stderr


def test_unknown_referral_agency_warns_and_is_created(tmp_path, cli):
    rows = _chronology_with(referred_to="Northbrook Recovery Service")
    folder = write_review(tmp_path, chronology=rows)
    result = cli("load", str(folder))
    assert result.exit_code == 0, result.output
    assert (f"warning: {folder / 'chronology.csv'}:4:11: column 'referred_to': agency 'Northbrook Recovery Service' "
            "is not in agencies.csv; created with type 'substance_misuse'") in result.stderr
    assert counts(cli)["agencies"] == 4


def test_a_bad_review_keeps_the_good_ones_out_too(tmp_path, cli):
    good = write_review(tmp_path, "good")
    bad = write_review(tmp_path, "bad", chronology=_chronology_with(date="2019-13-01"))
    result = cli("load", str(good), str(bad))
    assert result.exit_code == 1
    assert counts(cli) == {"reviews": 0, "people": 0, "agencies": 0, "contacts": 0, "relationships": 0}


def test_a_failed_reload_keeps_the_previous_version(tmp_path, cli):
    folder = write_review(tmp_path)
    assert cli("load", str(folder)).exit_code == 0
    before = counts(cli)
    write_review(tmp_path, chronology=_chronology_with(event="gossip"))
    assert cli("load", str(folder)).exit_code == 1
    assert counts(cli) == before


def test_the_error_list_is_capped(tmp_path, cli):
    rows = [dict(CHRONOLOGY[0], date="never") for _ in range(80)]
    folder = write_review(tmp_path, chronology=rows)
    result = cli("validate", str(folder))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if re.match(r".*chronology\.csv:\d+:1: ", line)]
    assert len(errors) == 50
    assert "... and 30 more problem(s)" in result.stderr
    assert "80 problem(s); nothing was loaded." in result.stderr


def test_a_path_that_is_not_a_review(tmp_path, cli):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    result = cli("load", str(tmp_path / "notes.txt"))
    assert result.exit_code == 1
    assert "unsupported file type" in result.stderr
    result = cli("load", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'nowhere'}:1: no such file or folder" in result.stderr


def test_single_csv_without_review_column_is_refused(tmp_path, cli):
    path = write_csv(tmp_path / "chronology.csv", CHRONOLOGY)
    result = cli("load", str(path))
    assert result.exit_code == 1
    assert "a single CSV must be a combined chronology with a 'review' column" in result.stderr


def test_headers_are_matched_loosely(tmp_path, cli):
    renamed = {"date": "Date of contact", "agency": "Source of information", "dash_score": "DASH Score",
               "risk_factors": "Risk_Factors", "referred_to": "Referred-to", "subject": "Subject(s)"}
    rows = [{renamed.get(k, k): v for k, v in r.items()} for r in CHRONOLOGY]
    folder = write_review(tmp_path, chronology=rows)
    result = cli("load", str(folder))
    assert result.exit_code == 0, result.output
    assert counts(cli)["contacts"] == len(CHRONOLOGY)
    timeline = json.loads(cli("timeline", "Jade", "--format", "json").stdout)
    assert timeline[0]["dash_score"] == 15 and timeline[0]["risk_factors"] == ["threats_to_kill", "strangulation"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("odd", ["\u2028", "\x0c", "\x85", ""])
def test_line_ends_and_other_breaks_in_cells(tmp_path, cli, newline, odd):
    """Files saved with any line end load the same; characters other tools treat as line breaks
    (Word's line separator, form feeds) are text inside a cell, quoted or not."""
    rows = [dict(r) for r in CHRONOLOGY]
    rows[1]["summary"] = f"Dean arrested{odd} for assault."
    rows[2]["summary"] = f"Jade seen,{odd} follow-up\nbooked."  # quoted (a comma and a line break)
    folder = write_review(tmp_path, chronology=rows)
    path = folder / "chronology.csv"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", newline.encode()))
    result = cli("load", str(folder))
    assert result.exit_code == 0, result.output
    summaries = [row["summary"] for row in json.loads(cli("timeline", "Dean", "--format", "json").stdout)]
    assert rows[1]["summary"] in summaries
    summaries = [row["summary"] for row in json.loads(cli("timeline", "Jade", "--format", "json").stdout)]
    assert rows[2]["summary"].replace("\n", newline) in summaries
    assert counts(cli)["contacts"] == len(CHRONOLOGY)


def test_synonyms_are_accepted_and_normalised(tmp_path, cli):
    rows = [dict(CHRONOLOGY[2], event="DNA"), dict(CHRONOLOGY[0], event="Call-out", risk_level="Low", risk_factors="TTK; choking",
                                                   time="9:05")]
    folder = write_review(tmp_path, chronology=rows)
    assert cli("load", str(folder)).exit_code == 0
    timeline = json.loads(cli("timeline", "Jade", "--format", "json").stdout)
    assert [(r["event"], r["risk_level"], r["risk_factors"], r["time"]) for r in timeline] == [
        ("incident", "standard", ["threats_to_kill", "strangulation"], "09:05"), ("did_not_attend", None, [], None)]


def test_attendance_means_what_the_recording_agency_attends(tmp_path, cli):
    """"attendance" is an incident to the police (and to an agency of unknown type), an admission to a hospital (an
    A&E attendance), a meeting to a MARAC and an appointment to any other agency (``vocab.EVENTS_BY_AGENCY_TYPE``);
    any other event word is read the same whoever recorded it. So a hospital's or a housing officer's attendance is
    no domestic abuse incident for missed-marac's count."""
    agencies = [{"name": "Northbrook Police", "type": "police", "aliases": "NP"}, {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""},
                {"name": "Northbrook General", "type": "hospital", "aliases": ""}, {"name": "Northbrook Homes", "type": "housing", "aliases": ""},
                {"name": "Northbrook MARAC", "type": "marac", "aliases": ""}, {"name": "Friends of Jade", "type": "other", "aliases": ""}]
    base = dict(CHRONOLOGY[0], subject="Jade", risk_level="", dash_score="", risk_factors="", summary="Seen.", time="", sequence="")
    rows = [dict(base, date="2018-01-05", agency="NP", event="Attendance"),
            dict(base, date="2018-02-05", agency="Northbrook General", event="attendance"),
            dict(base, date="2018-03-05", agency="Elm Tree Surgery", event="ATTENDANCE"),
            dict(base, date="2018-04-05", agency="Northbrook Homes", event="attendance"),
            dict(base, date="2018-05-05", agency="Northbrook MARAC", event="attendance"),
            dict(base, date="2018-06-05", agency="Friends of Jade", event="attendance"),
            dict(base, date="2018-07-05", agency="Northbrook General", event="call-out"),
            dict(base, date="2018-08-05", agency="Northbrook General", event="A&E attendance")]
    folder = write_review(tmp_path, chronology=rows, agencies=agencies)
    assert cli("load", str(folder)).exit_code == 0
    timeline = json.loads(cli("timeline", "Jade", "--format", "json").stdout)
    assert [r["event"] for r in timeline] == ["incident", "admission", "appointment", "appointment", "meeting", "incident",
                                              "incident", "admission"]
    # three incidents in 365 days (police, the agency of unknown type, the hospital's call-out); the two after the
    # MARAC's meeting (31 and 61 days after it) are also repeat MARAC cases
    rows = json.loads(cli("query", "missed-marac", "--format", "json").stdout)
    repeat = "a new incident about Jade within 365 days of the MARAC referral or hearing on 2018-05-05"
    assert [(r["date"], r["reason"]) for r in rows] == [
        ("2018-06-05", repeat), ("2018-07-05", f"3rd incident about Jade in 365 days; {repeat}")]


def test_workbook_errors_name_the_sheet_row_and_column(tmp_path, cli):
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (("People", PEOPLE), ("Chronology", _chronology_with(dash_score="40"))):
        sheet = book.create_sheet(title)
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append(list(row.values()))
    path = tmp_path / "rev-x.xlsx"
    book.save(path)
    result = cli("load", str(path))
    assert result.exit_code == 1
    assert f"{path}[Chronology]:4:8: column 'dash_score': dash_score must be a whole number from 0 to 27, got '40'" in result.stderr
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    result = cli("load", str(tmp_path / "broken.xlsx"))
    assert result.exit_code == 1 and "not a readable .xlsx workbook" in result.stderr


def test_combined_csv_errors_name_the_combined_file(tmp_path, cli):
    rows = [{"review": "rev-a", **r} for r in CHRONOLOGY] + [{"review": "", **CHRONOLOGY[0]}]
    path = write_csv(tmp_path / "all.csv", rows)
    result = cli("load", str(path))
    assert result.exit_code == 1
    assert f"{path}:6:1: column 'review': empty review id" in result.stderr


def test_a_combined_chronology_alone_takes_people_from_its_subjects(tmp_path, cli):
    rows = [{"review": "rev-a", **r} for r in CHRONOLOGY] + [{"review": "rev-b", **CHRONOLOGY[0]}]
    path = write_csv(tmp_path / "all.csv", rows)
    result = cli("load", str(path))
    assert result.exit_code == 0, result.output
    assert "people are taken from the subjects, with role 'other'" in result.stderr
    # without agencies.csv nothing says that "NP" is Northbrook Police: two agencies
    assert counts(cli) == {"reviews": 2, "people": 4, "agencies": 4, "contacts": len(CHRONOLOGY) + 1, "relationships": 0}


def test_a_cell_over_several_lines_shifts_lines_but_not_records(tmp_path, cli):
    """The record is the row number a spreadsheet shows; the line is the physical line. Problems name
    both once they differ, and every contact and every citation keeps its record."""
    rows = [dict(r) for r in CHRONOLOGY]
    rows[0]["summary"] = "Officers attended.\nJade had a cut lip.\nDASH 15, high risk."  # record 2, lines 2-4
    rows[2]["event"] = "chat"  # record 4, on line 6
    folder = write_review(tmp_path, chronology=rows)
    result = cli("load", str(folder))
    assert result.exit_code == 1
    assert f"{folder / 'chronology.csv'}:6:6: record 4, column 'event': unknown event 'chat'" in result.stderr
    rows[2]["event"] = "appointment"
    write_review(tmp_path, chronology=rows)
    assert cli("load", str(folder)).exit_code == 0
    timeline = json.loads(cli("timeline", "Jade", "--format", "json").stdout)
    assert [(r["line"], r["record"]) for r in timeline] == [(2, 2), (6, 4)]
    found = json.loads(cli("query", "missed-marac", "--format", "json").stdout)
    assert [(e["line"], e["record"]) for e in found[0]["evidence"]] == [(2, 2)]
