"""Findings an analyst can trust and work through (issue 10), on both backends: scope, the domain
rules (the death ends the chronology, MARAC for adults, one finding per contact, wording), quoted
evidence, triage, and outputs that match their names."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from dhrgraph import queries
from helpers import AGENCIES, EXAMPLES, PEOPLE, RELATIONSHIPS, write_csv, write_review

NORTHBROOK, CALDER_VALE = "dhr-northbrook-2021", "dhr-caldervale-2019"
ALL = [q.name for q in queries.catalogue()]
MORE_AGENCIES = AGENCIES + [{"name": "Northbrook CSC", "type": "children_social_care", "aliases": ""}]


def contact(date: str, agency: str, subject: str, event: str, **fields: str) -> dict:
    row = {"date": date, "time": "", "sequence": "", "agency": agency, "subject": subject, "event": event,
           "summary": f"{event} recorded.", "dash_score": "", "risk_level": "", "risk_factors": "", "referred_to": "",
           "shared_with": ""}
    return {**row, **fields}


# a year of escalating abuse that ends in the homicide: the last row is the death
ESCALATING = [
    contact("2020-01-10", "NP", "Jade;Dean", "incident", dash_score="12", risk_level="medium"),
    contact("2020-03-10", "Elm Tree Surgery", "Jade", "appointment", risk_factors="coercive_control"),
    contact("2020-04-10", "NP", "Jade;Dean", "incident", dash_score="12", risk_level="medium", risk_factors="injury"),
    contact("2020-06-10", "NP", "Jade;Dean", "999 call", summary="999 call; Jade found with fatal injuries.",
            dash_score="20", risk_level="high", risk_factors="strangulation;weapon"),
    contact("2020-06-11", "Elm Tree Surgery", "Jade", "appointment", summary="Practice told of the death."),
]


def evidence_dates(rows: list[dict]) -> set[str]:
    return {e["date"] for r in rows for e in r["evidence"] if e.get("date")}


# --- the death ends the chronology ----------------------------------------------------------------

def test_without_a_death_the_fatal_incident_counts(store, tmp_path):
    """The control: with nothing saying the 999 call was the death, it is the 3rd incident."""
    store.load([write_review(tmp_path, chronology=ESCALATING, agencies=MORE_AGENCIES)])
    assert "2020-06-10" in {r["date"] for r in store.run(queries.get("missed-marac"))}


@pytest.mark.parametrize("how", ["event", "review.csv"])
def test_nothing_on_or_after_the_death_is_a_missed_opportunity(store, tmp_path, how):
    rows = [dict(r) for r in ESCALATING]
    folder = tmp_path / "in"
    if how == "event":
        rows[3]["event"] = "fatal incident"  # a synonym of death
        review = write_review(folder, chronology=rows, agencies=MORE_AGENCIES)
    else:
        review = write_review(folder, chronology=rows, agencies=MORE_AGENCIES)
        write_csv(review / "review.csv", [{"id": "rev-a", "title": "Review into the death of Jade", "area": "Northbrook",
                                           "type": "DHR", "index_date": "2020-06-10"}])
    store.load([review])
    for name in ALL:
        if name in ("serial-perpetrators", "unidentified-people"):  # who people are, not missed opportunities
            continue
        found = store.run(queries.get(name))
        assert not {d for d in evidence_dates(found) if d >= "2020-06-10"}, (name, found)
    # the earlier findings stand: the 2nd incident still has no MARAC... and the timeline marks the end
    timeline = store.timeline("Jade")
    assert [r["after_death"] for r in timeline] == [False, False, False, True, True]


def test_review_csv_is_checked(tmp_path, cli):
    review = write_review(tmp_path)
    write_csv(review / "review.csv", [{"id": "rev-a", "title": "t", "area": "a", "type": "inquest", "index_date": "2020-13-01"}])
    result = cli("load", str(review))
    assert result.exit_code == 1
    assert "review.csv:2:4: column 'type': unknown review type 'inquest'; allowed: DHR, DARDR, SAR, CSPR" in result.stderr
    assert "column 'index_date'" in result.stderr


# --- MARAC for adults, one finding per contact --------------------------------------------------------

def test_a_child_is_never_a_missed_marac_subject(store, tmp_path):
    people = PEOPLE + [{"person": "Mary", "role": "family", "sex": "female", "age": "52", "global_id": ""}]
    relationships = RELATIONSHIPS + [{"person": "Mary", "other": "Jade", "relationship": "household", "abusive": "no"}]
    rows = [
        # the mother was referred to MARAC the same day; the child on the same contact is part of her case
        contact("2020-01-10", "NP", "Jade;Child A;Dean", "incident", dash_score="16", risk_level="high",
                referred_to="Northbrook MARAC"),
        # high risk about the child alone and about two adults at once
        contact("2020-05-10", "NP", "Child A", "incident", risk_level="high"),
        contact("2020-09-10", "NP", "Jade;Mary;Child A;Dean", "incident", dash_score="15"),
    ]
    store.load([write_review(tmp_path, people=people, relationships=relationships, chronology=rows, agencies=MORE_AGENCIES)])
    found = store.run(queries.get("missed-marac"))
    assert [(r["date"], r["subjects"]) for r in found] == [("2020-09-10", ["Jade", "Mary"])]
    assert found[0]["finding"].startswith("Northbrook Police's contact about Jade and Mary on 2020-09-10")
    assert not any("Child A" in r["finding"] for r in found)


# --- wording --------------------------------------------------------------------------------------

ASSESSED = re.compile(r"assessed \d+ times?")


def test_findings_never_describe_the_abuser_as_abused_nor_contradict_themselves(examples):
    abusers = {("dhr-northbrook-2021", "Dean"), ("dhr-caldervale-2019", "Mr K"), ("dhr-ashworth-2022", "Carl"),
               ("dhr-kingsmere-2020", "Mr B")}
    for name in ALL:
        for row in examples.run(queries.get(name)):
            text = row["finding"]
            for review, abuser in abusers:
                if review == row["review"]:
                    assert not re.search(rf"abuse \([^)]*\)(?: of [^;]*?)? (?:of|about) {abuser}\b", text), text
                    assert f"abused {abuser}" not in text, text
            assert not ("no agency reassessed" in text and ASSESSED.search(text)), text


# --- scope ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["findings", "--review", "dhr-northbrok-2021"],
    ["query", "missed-marac", "--review", "dhr-northbrok-2021"],
    ["timeline", "--review", "dhr-northbrok-2021"],
    ["timeline", "Jade", "--review", "dhr-northbrok-2021"],
    ["path", "NP", "Northbrook CSC", "--review", "dhr-northbrok-2021"],
    ["viz", "--review", "dhr-northbrok-2021", "--output", "/tmp/never-written.html"],
    ["viz", "--query", "missed-marac", "--review", "dhr-northbrok-2021", "--output", "/tmp/never-written.html"],
])
def test_an_unknown_review_is_refused_with_the_closest(cli, command):
    cli("load", str(EXAMPLES))
    result = cli(*command)
    assert result.exit_code == 1, result.output
    assert "No review 'dhr-northbrok-2021'. Closest: dhr-northbrook-2021" in result.stderr


def test_unknown_people_queries_and_agencies_name_the_closest(cli):
    cli("load", str(EXAMPLES))
    assert "No person 'Jaed'. Closest: Jade." in cli("timeline", "Jaed").stderr
    assert "Unknown query 'missed-marc'. Closest: missed-marac." in cli("query", "missed-marc").stderr
    result = cli("path", "Northbrook Polise", "Northbrook CSC")
    assert result.exit_code == 1 and "Similar names: Northbrook Police" in result.stderr


def test_a_review_report_cites_only_that_review(cli):
    cli("load", str(EXAMPLES))
    rows = json.loads(cli("findings", "--review", CALDER_VALE, "--format", "json").stdout)
    assert rows
    for row in rows:
        if row["query"] == "serial-perpetrators":  # about crossing reviews: says so, and marks the other one
            assert row["other_reviews"] == [NORTHBROOK]
            continue
        assert row["review"] == CALDER_VALE and {e["review"] for e in row["evidence"]} == {CALDER_VALE}, row
        assert "Northbrook" not in row["finding"] and "Elm Tree" not in row["finding"], row["finding"]


# --- evidence quoted --------------------------------------------------------------------------------

def test_evidence_quotes_the_row_and_counts_records_as_a_spreadsheet_does(store, tmp_path):
    long = "Officers attended.\nJade said Dean threatened to kill her. " + "x" * 300
    rows = [contact("2020-01-10", "Elm Tree Surgery", "Jade", "appointment", summary=long),
            contact("2020-02-10", "NP", "Jade;Dean", "incident", dash_score="16", risk_level="high",
                    summary="Second incident.")]
    store.load([write_review(tmp_path, chronology=rows, agencies=MORE_AGENCIES)])
    [row] = store.run(queries.get("missed-marac"))
    [item] = row["evidence"]
    # the first summary spans two physical lines: the incident is record 3 but line 4
    assert (item["record"], item["line"]) == (3, 4)
    assert {k: item[k] for k in ("review", "file", "date", "agency", "event", "summary")} == {
        "review": "rev-a", "file": "rev-a/chronology.csv", "date": "2020-02-10", "agency": "Northbrook Police",
        "event": "incident", "summary": "Second incident."}


def test_long_summaries_are_cut_to_200_characters(store, tmp_path):
    rows = [contact("2020-01-10", "NP", "Jade;Dean", "incident", dash_score="16", summary="y" * 500)]
    store.load([write_review(tmp_path, chronology=rows, agencies=MORE_AGENCIES)])
    [row] = store.run(queries.get("missed-marac"))
    assert len(row["evidence"][0]["summary"]) == 200 and row["evidence"][0]["summary"].endswith("…")


# --- triage ------------------------------------------------------------------------------------------

def _ids(cli, *options) -> dict[str, dict]:
    return {r["id"]: r for r in json.loads(cli("findings", "--format", "json", *options).stdout)}


def test_ids_survive_a_reload_and_a_row_inserted_above(tmp_path, cli):
    rows = [dict(r) for r in ESCALATING[:3]]
    folder = write_review(tmp_path / "a", chronology=rows, agencies=MORE_AGENCIES)
    cli("load", str(folder))
    first = _ids(cli)
    assert first and all(re.fullmatch(r"f-[0-9a-f]{12}", i) for i in first)
    cli("load", str(folder))
    assert _ids(cli).keys() == first.keys()
    inserted = [contact("2019-01-01", "Northbrook CSC", "Child A", "assessment"), *rows]
    cli("load", str(write_review(tmp_path / "a", chronology=inserted, agencies=MORE_AGENCIES)))
    after = _ids(cli)
    assert first.keys() <= after.keys()
    moved = [fid for fid in first if [e["line"] for e in after[fid]["evidence"]] != [e["line"] for e in first[fid]["evidence"]]]
    assert moved  # the lines did change, the ids did not


def test_triage_status_note_filter_severity_and_orphans(tmp_path, cli):
    folder = write_review(tmp_path / "a", chronology=ESCALATING[:3], agencies=MORE_AGENCIES)
    cli("load", str(folder))
    rows = json.loads(cli("findings", "--format", "json").stdout)
    assert {r["status"] for r in rows} == {"new"} and all(r["note"] is None for r in rows)
    target = rows[0]["id"]
    result = cli("triage", target, "--status", "dismissed", "--note", "the referral was made by phone")
    assert result.exit_code == 0 and target in result.stdout
    assert cli("triage", target[:-1] + "x", "--status", "confirmed").exit_code == 1
    assert cli("triage", target, "--status", "maybe").exit_code == 2
    decided = _ids(cli)[target]
    assert (decided["status"], decided["note"]) == ("dismissed", "the referral was made by phone")
    assert set(_ids(cli, "--status", "dismissed")) == {target}
    assert target not in _ids(cli, "--status", "new")
    query_rows = json.loads(cli("query", rows[0]["query"], "--format", "json").stdout)
    assert {r["id"]: r["status"] for r in query_rows}[target] == "dismissed"
    # severity: high findings first within each query
    order = ["high", "medium", "low"]
    for name in ALL:
        severities = [r["severity"] for r in rows if r["query"] == name]
        assert severities == sorted(severities, key=order.index)
    # the facts change and the finding disappears: its decision is reported, not dropped
    cli("load", str(write_review(tmp_path / "a", chronology=[ESCALATING[1]], agencies=MORE_AGENCIES)))
    report = cli("findings").stdout
    assert "## Orphaned decisions" in report and target in report
    result = cli("findings", "--format", "json")
    assert f"triage decision {target} (dismissed) is orphaned" in result.stderr


# --- outputs that match their names ---------------------------------------------------------------------

def test_findings_outputs_by_extension(tmp_path, cli):
    cli("load", str(EXAMPLES / CALDER_VALE))
    as_json = json.loads(cli("findings", "--format", "json").stdout)
    assert cli("findings", "--output", str(tmp_path / "f.json")).exit_code == 0
    assert json.loads((tmp_path / "f.json").read_text(encoding="utf-8")) == as_json
    assert all({"query", "id", "severity", "status", "note", "review", "finding", "evidence"} <= set(r) for r in as_json)
    assert cli("findings", "--output", str(tmp_path / "f.csv")).exit_code == 0
    table = list(csv.DictReader(io.StringIO((tmp_path / "f.csv").read_text(encoding="utf-8"))))
    assert len(table) == sum(len(r["evidence"]) for r in as_json)  # one row per evidence item
    assert {"evidence_file", "evidence_record", "evidence_line", "evidence_date", "evidence_agency", "evidence_event",
            "evidence_summary"} <= set(table[0])
    assert cli("findings", "--output", str(tmp_path / "f.md")).exit_code == 0
    assert (tmp_path / "f.md").read_text(encoding="utf-8").startswith("# dhrgraph findings")
    result = cli("findings", "--output", str(tmp_path / "f.txt"))
    assert result.exit_code == 1 and "use one of .csv, .html, .json, .md" in result.stderr and not (tmp_path / "f.txt").exists()
    assert cli("findings", "--format", "json", "--output", str(tmp_path / "g.csv")).exit_code == 1
    assert cli("viz", "--review", CALDER_VALE, "--output", str(tmp_path / "v.png")).exit_code == 1
    rows = list(csv.DictReader(io.StringIO(cli("query", "missed-marac", "--format", "csv").stdout)))
    assert rows and rows[0]["evidence_event"] == "incident" and "evidence" not in rows[0]


def test_path_with_no_route_says_so_and_hops_say_whom_they_were_about(cli):
    cli("load", str(EXAMPLES))
    result = cli("path", "Northbrook Homes", "Northbrook Police")
    assert result.exit_code == 0 and result.stdout.startswith("No route: no chain of referrals or shares")
    assert json.loads(cli("path", "Northbrook Homes", "Northbrook Police", "--format", "json").stdout) == []
    [first, *_] = json.loads(cli("path", "NP", "Northbrook CSC", "--format", "json").stdout)
    assert all(hop["about"] for hop in first["hops"]) and "about Dean and Jade" in first["route"]


def test_terminal_timeline_fits_and_shows_risk_and_flows(cli):
    from dhrgraph.queries.chronology import terminal_table

    cli("load", str(EXAMPLES))
    rows = json.loads(cli("timeline", "Jade", "--review", NORTHBROOK, "--format", "json").stdout)
    for width in (80, 120, 200):
        text = terminal_table(rows, width)
        assert max(map(len, text.splitlines())) <= width
    wide = terminal_table(rows, 200)
    assert "DASH 15" in wide and "referred to" in wide and "shared with" in wide
    assert "Northbrook Child" in wide  # the share on line 13 to children's services (who was told)
    whole = json.loads(cli("timeline", "--review", NORTHBROOK, "--format", "json").stdout)
    assert len(whole) == 44 and whole[-2]["event"] == "death" and whole[-1]["after_death"] is True
    assert "death (end)" in cli("timeline", "--review", NORTHBROOK).stdout


def test_markdown_and_html_reports_are_inert_and_the_page_has_a_csp(tmp_path, cli):
    nasty = "<img src=x onerror=alert(1)> *Jo* [x](http://evil.example)"
    people = [dict(PEOPLE[0], person=nasty), *PEOPLE[1:]]
    rows = [dict(r, subject=r["subject"].replace("Jade", nasty)) for r in ESCALATING[:3]]
    relationships = [{"person": "Dean", "other": nasty, "relationship": "partner", "abusive": "yes"},
                     {"person": nasty, "other": "Child A", "relationship": "parent", "abusive": "no"}]
    cli("load", str(write_review(tmp_path, people=people, chronology=rows, relationships=relationships, agencies=MORE_AGENCIES)))
    markdown = cli("findings").stdout
    # every < and every link bracket from the name is escaped: nothing renders as HTML or a link
    assert "\\<img" in markdown and not re.search(r"(?<!\\)<", markdown) and not re.search(r"(?<!\\)\]\(", markdown)
    cli("findings", "--output", str(tmp_path / "r.html"))
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "http-equiv='Content-Security-Policy'" in page and "default-src 'none'" in page and "<img" not in page
