"""missed-marac, escalation-without-reassessment and children-not-referred on both backends: the
examples' answer key, hand-made edge cases, and the synthetic corpus's planted findings."""

from __future__ import annotations

import json

import pytest

from dhrgraph import queries
from dhrgraph import synth
from helpers import AGENCIES, PEOPLE, RELATIONSHIPS, write_review

NORTHBROOK, CALDER_VALE = "dhr-northbrook-2021", "dhr-caldervale-2019"
ASHWORTH, KINGSMERE = "dhr-ashworth-2022", "dhr-kingsmere-2020"
MORE_AGENCIES = AGENCIES + [{"name": "Northbrook MASH", "type": "mash", "aliases": ""},
                            {"name": "Northbrook CSC", "type": "children_social_care", "aliases": ""}]


def run(store, name: str, **params) -> list[dict]:
    return store.run(queries.get(name), params)


def lines(row: dict) -> list[int]:
    return [e["line"] for e in row["evidence"]]


def contact(date: str, agency: str, subject: str, event: str, **fields: str) -> dict:
    """One chronology row; ``fields`` fill the optional columns."""
    row = {"date": date, "time": "", "sequence": "", "agency": agency, "subject": subject, "event": event,
           "summary": f"{event} recorded.", "dash_score": "", "risk_level": "", "risk_factors": "", "referred_to": "",
           "shared_with": ""}
    return {**row, **fields}


def load(store, tmp_path, *chronologies: list[dict], people=None, relationships=None) -> None:
    """One review per chronology (rev-a, rev-b, ...), loaded into ``store``."""
    for n, rows in enumerate(chronologies):
        write_review(tmp_path / "in", f"rev-{'abc'[n]}", chronology=rows, agencies=MORE_AGENCIES, people=people,
                     relationships=relationships)
    store.load([tmp_path / "in"])


# --- the examples -----------------------------------------------------------------------------

def test_missed_marac_on_the_examples(examples):
    rows = run(examples, "missed-marac", signals="coded")  # the answer key is the coded reading
    found = {(r["review"], r["subject"], r["date"]): r for r in rows}
    assert list(found) == [
        (CALDER_VALE, "Lauren", "2018-12-20"), (CALDER_VALE, "Lauren", "2019-02-17"),
        (NORTHBROOK, "Jade", "2020-03-11"), (NORTHBROOK, "Jade", "2020-12-23"), (NORTHBROOK, "Jade", "2021-03-06"),
        (NORTHBROOK, "Jade", "2021-04-17"), (NORTHBROOK, "Jade", "2021-05-22"),
        ("dhr-rowanford-2022", "Sophie", "2021-09-19"), ("dhr-rowanford-2022", "Sophie", "2021-09-21"),
    ]
    dash = found[NORTHBROOK, "Jade", "2020-03-11"]
    assert dash["reason"] == "DASH 15; risk level high" and lines(dash) == [13]
    assert (dash["agency"], dash["agency_type"]) == ("Northbrook Police", "police")
    # the incident criterion counts incidents within 365 days up to and including the contact
    assert [(r["reason"], lines(r)) for r in rows if r["review"] == NORTHBROOK][1:] == [
        ("3rd incident about Jade in 365 days", [13, 25, 27]),
        ("4th incident about Jade in 365 days", [13, 25, 27, 33]),
        ("4th incident about Jade in 365 days", [25, 27, 33, 37]),
        ("5th incident about Jade in 365 days", [25, 27, 33, 37, 39]),
    ]
    assert [lines(r) for r in rows if r["review"] == CALDER_VALE] == [[9, 11, 13], [9, 11, 13, 15]]
    assert all("MARAC" in r["finding"] and r["subject"] in r["finding"] for r in rows)


def test_escalation_without_reassessment_on_the_examples(examples):
    rows = run(examples, "escalation-without-reassessment")
    assert [{k: r[k] for k in ("review", "subject", "agency", "date", "incidents", "reason")} for r in rows] == [
        {"review": CALDER_VALE, "subject": "Lauren", "agency": "Calder Vale Police", "date": "2019-02-17", "incidents": 4,
         "reason": "assessed 4 times during the escalation, never above medium (DASH 12)"},
        {"review": NORTHBROOK, "subject": "Jade", "agency": "Northbrook Police", "date": "2021-05-22", "incidents": 5,
         "reason": "last risk assessment 437 days earlier (2020-03-11)"},
    ]
    assert lines(rows[0]) == [9, 11, 13, 15]
    assert lines(rows[1]) == [13, 25, 27, 33, 37, 39]  # the five incidents in 365 days and the assessment on line 13
    assert "more frequent" in rows[1]["finding"]


def test_children_not_referred_on_the_examples(examples):
    rows = run(examples, "children-not-referred", signals="coded")  # the answer key is the coded reading
    assert [(r["review"], r["subject"], r["date"], r["children"], lines(r)) for r in rows] == [
        # Fenwick's second incident is coded by its event alone; the share to children's services is only in its words
        ("dhr-fenwick-2022", "Nadia", "2021-09-11", ["Child E"], [10]),
        (NORTHBROOK, "Jade and Dean", "2020-09-27", ["Child A", "Child B"], [25]),
        (NORTHBROOK, "Jade", "2020-11-17", ["Child A", "Child B"], [26]),
        (NORTHBROOK, "Jade and Dean", "2021-04-17", ["Child A", "Child B"], [37]),
    ]
    assert rows[2]["agency"] == "Northbrook Midwifery Service" and "coercive control" in rows[2]["finding"]
    # one finding per contact, and the abuser is named as the abuser
    assert "recorded abuse (incident, threats to kill) of Jade by Dean on 2021-04-17, parents of Child A and Child B" \
        in rows[3]["finding"]
    # read from the text too: the GP noted bruising (line 18) and nobody coded it (examples/README.md)
    coded = {(r["review"], r["date"], tuple(lines(r))) for r in rows}
    read = [r for r in run(examples, "children-not-referred", review=NORTHBROOK) if (r["review"], r["date"], tuple(lines(r))) not in coded]
    assert [(r["review"], r["subject"], r["date"], lines(r)) for r in read] == [(NORTHBROOK, "Jade", "2020-04-28", [18])]
    assert read[0]["evidence"][0]["signal"] == "text" and "Bruising" in read[0]["evidence"][0]["phrases"]
    assert "injury" in read[0]["finding"]


@pytest.mark.parametrize("name", ["missed-marac", "escalation-without-reassessment", "children-not-referred"])
def test_the_review_filter_and_the_good_practice_review(examples, name):
    assert run(examples, name, review=KINGSMERE) == []
    assert run(examples, name, review=ASHWORTH) == []
    everything = run(examples, name)
    assert run(examples, name, review=NORTHBROOK) == [r for r in everything if r["review"] == NORTHBROOK] != []


# --- missed-marac -------------------------------------------------------------------------------

def test_a_marac_referral_or_hearing_within_the_window_covers_high_risk(store, tmp_path):
    load(store, tmp_path, [
        contact("2019-02-01", "Northbrook MARAC", "Jade", "meeting"),  # 31 days before the second incident
        contact("2019-03-04", "NP", "Jade;Dean", "incident", dash_score="15", risk_level="high"),
        contact("2019-06-01", "NP", "Jade;Dean", "incident", risk_level="high"),
        contact("2019-06-29", "Elm Tree Surgery", "Jade", "appointment", referred_to="Northbrook MARAC"),  # 28 days after
    ])
    rows = run(store, "missed-marac")
    # Dean is the abuser in this review: one row, for Jade; the hearing 31 days before also makes it a repeat MARAC
    # case (a new incident within 365 days of it), citing the hearing
    repeat = "a new incident about Jade within 365 days of the MARAC referral or hearing on 2019-02-01"
    assert [(r["subject"], r["date"], r["reason"], lines(r)) for r in rows] == [
        ("Jade", "2019-03-04", f"DASH 15; risk level high; {repeat}", [2, 3])]
    assert [r["date"] for r in run(store, "missed-marac", within_days=31)] == []
    assert [r["date"] for r in run(store, "missed-marac", within_days=27)] == ["2019-03-04", "2019-06-01"]
    assert [(r["date"], r["reason"]) for r in run(store, "missed-marac", dash_high=16)] == [("2019-03-04", f"risk level high; {repeat}")]
    assert [(r["date"], r["reason"]) for r in run(store, "missed-marac", repeat_days=30)] == [("2019-03-04", "DASH 15; risk level high")]


def test_a_new_incident_within_a_year_of_a_marac_is_a_repeat_marac_case(store, tmp_path):
    """DOMAIN: repeat MARAC, any new incident within 12 months of the last MARAC referral. An incident after a MARAC
    referral, with no new referral within within_days, is reported citing the last referral before it; one with a
    referral within within_days (2019-11-01, 2020-03-01) is not, nor one after repeat_days; no incident, no repeat."""
    load(store, tmp_path, [
        contact("2019-01-10", "NP", "Jade;Dean", "incident", dash_score="16", referred_to="Northbrook MARAC"),  # line 2
        contact("2019-09-10", "NP", "Jade;Dean", "incident"),
        contact("2019-10-10", "Elm Tree Surgery", "Jade", "appointment"),
        contact("2019-11-01", "NP", "Jade;Dean", "incident"),  # referred 14 days later: covered
        contact("2019-11-15", "Elm Tree Surgery", "Jade", "appointment", referred_to="Northbrook MARAC"),  # line 6
        contact("2020-02-10", "NP", "Jade;Dean", "incident"),  # the next referral 29 days later: not covered
        contact("2020-03-01", "NP", "Jade;Dean", "incident"),  # referred 9 days later: covered
        contact("2020-03-10", "Elm Tree Surgery", "Jade", "appointment", referred_to="Northbrook MARAC"),
    ])
    rows = run(store, "missed-marac")
    again = "a new incident about Jade within 365 days of the MARAC referral or hearing on"
    assert [(r["date"], r["reason"], sorted(lines(r))) for r in rows] == [
        ("2019-09-10", f"{again} 2019-01-10", [2, 3]),
        ("2020-02-10", f"3rd incident about Jade in 365 days; {again} 2019-11-15", [3, 5, 6, 7])]
    assert rows[0]["finding"].startswith("Northbrook Police's contact about Jade on 2019-09-10 met a MARAC referral criterion")
    # 2019-09-10 is 243 days after the first referral, 2020-02-10 87 days after the second
    assert [r["date"] for r in run(store, "missed-marac", repeat_days=200)] == ["2020-02-10"]
    assert [r["date"] for r in run(store, "missed-marac", repeat_days=80, incidents=4)] == []


def test_a_repeat_marac_case_after_a_hearing_cites_the_referral_that_led_there(store, tmp_path):
    """The last MARAC contact before the new incident is the hearing, which records no risk of its own: the finding
    cites the last referral before it too, so it is graded from the DASH that led to the MARAC (high), not low."""
    from dhrgraph.queries.triage import severity

    load(store, tmp_path, [
        contact("2019-01-10", "NP", "Jade;Dean", "incident", dash_score="16", risk_level="high",
                referred_to="Northbrook MARAC"),  # line 2
        contact("2019-01-24", "Northbrook MARAC", "Jade", "meeting"),  # line 3: the hearing
        contact("2019-09-10", "NP", "Jade;Dean", "incident"),  # line 4: a repeat MARAC case
        contact("2020-03-01", "Northbrook MARAC", "Jade", "meeting"),  # line 5: a hearing with no referral recorded
        contact("2020-06-01", "NP", "Jade;Dean", "incident"),  # line 6: the referral before it is still line 2
    ])
    rows = run(store, "missed-marac")
    assert [(r["date"], r["reason"], lines(r)) for r in rows] == [
        ("2019-09-10", "a new incident about Jade within 365 days of the MARAC hearing on 2019-01-24 (referred on "
                       "2019-01-10)", [2, 3, 4]),
        ("2020-06-01", "a new incident about Jade within 365 days of the MARAC hearing on 2020-03-01 (referred on "
                       "2019-01-10)", [2, 5, 6])]
    assert [severity(r) for r in rows] == ["high", "high"]
    # a referral is cited alone when it is the last MARAC contact (the test above); with no referral, the hearing alone
    load(store, tmp_path, [
        contact("2019-01-24", "Northbrook MARAC", "Jade", "meeting"),
        contact("2019-09-10", "NP", "Jade;Dean", "incident"),
    ])
    [row] = run(store, "missed-marac")
    assert (row["reason"], lines(row), severity(row)) == (
        "a new incident about Jade within 365 days of the MARAC referral or hearing on 2019-01-24", [2, 3], "low")


def test_a_referral_to_marac_in_words_counts_when_no_marac_is_declared(store, tmp_path):
    """'Referred to MARAC' in a summary of a review whose agencies.csv declares no MARAC: the referral is to the area's
    MARAC (``vocab.FORUM_NAMES``: an agency of type marac, the node a coded referral to "MARAC" makes), so
    missed-marac does not report the contact that records it; a denied one ("no MARAC referral") is still a miss."""
    from dhrgraph.queries.core import DUMP

    rows = [contact("2019-03-04", "NP", "Jade;Dean", "incident", dash_score="15", risk_level="high",
                    summary="Officers attended. DASH completed, high risk. Referred to MARAC."),
            contact("2019-09-04", "NP", "Jade;Dean", "incident", dash_score="16", risk_level="high",
                    summary="Officers attended. DASH completed, high risk. No MARAC referral made."),
            contact("2019-10-04", "Elm Tree Surgery", "Jade", "appointment", summary="Jade referred to MASH by the GP.")]
    write_review(tmp_path / "in", "rev-a", chronology=rows, agencies=[a for a in AGENCIES if a["type"] != "marac"])
    store.load([tmp_path / "in"])
    # the second incident: high risk, and a repeat MARAC case citing the referral in words
    assert [(r["date"], lines(r)) for r in run(store, "missed-marac")] == [("2019-09-04", [2, 3])]
    agencies = {r["props"]["name"]: r["props"]["type"] for r in store.run(DUMP) if r.get("label") == "Agency"}
    assert agencies == {"Northbrook Police": "police", "Elm Tree Surgery": "gp", "MARAC": "marac", "MASH": "mash"}
    # read from the words only: with the coded columns alone the referral is not there
    assert [r["date"] for r in run(store, "missed-marac", signals="coded")] == ["2019-03-04", "2019-09-04"]


def test_forum_contacts_and_lower_scores_are_not_triggers(store, tmp_path):
    load(store, tmp_path, [
        contact("2019-03-04", "Northbrook MASH", "Jade", "meeting", dash_score="16", risk_level="high"),
        contact("2019-05-04", "NP", "Jade", "incident", dash_score="12", risk_level="medium"),
        contact("2019-08-01", "Elm Tree Surgery", "Jade", "appointment", risk_level="high"),
    ])
    assert [(r["date"], r["reason"], lines(r)) for r in run(store, "missed-marac")] == [("2019-08-01", "risk level high", [4])]
    assert [(r["date"], r["reason"], r["agency"]) for r in run(store, "missed-marac", dash_high=12)] == [
        ("2019-05-04", "DASH 12", "Northbrook Police"), ("2019-08-01", "risk level high", "Elm Tree Surgery")]
    # only incidents count towards the repeat criterion
    assert [(r["date"], r["reason"]) for r in run(store, "missed-marac", incidents=1)] == [
        ("2019-05-04", "1st incident about Jade in 365 days"), ("2019-08-01", "risk level high")]


def test_repeat_incidents_counted_from_the_start_of_a_partial_date(store, tmp_path):
    load(store, tmp_path, [
        contact("?2019-03", "NP", "Jade", "incident"),  # starts 2019-03-01
        contact("2019-06-10", "NP", "Jade", "incident"),
        contact("2020-03-01", "NP", "Jade", "incident", dash_score="15"),  # 2019-03-01 is 366 days earlier (leap year)
        contact("2020-04-01", "NP", "Jade", "call"),  # not an incident
    ])
    [row] = run(store, "missed-marac")
    assert row["reason"] == "DASH 15" and lines(row) == [4]
    [row] = run(store, "missed-marac", incident_days=366)
    assert row["reason"] == "DASH 15; 3rd incident about Jade in 366 days" and lines(row) == [2, 3, 4]
    assert run(store, "missed-marac", incident_days=366, incidents=4, dash_high=16) == []


def test_same_day_incidents_count_in_sequence_order(store, tmp_path):
    load(store, tmp_path, [
        contact("2019-04-01", "NP", "Jade", "incident"),
        contact("2019-05-01", "Elm Tree Surgery", "Jade", "incident", sequence="2"),
        contact("2019-05-01", "NP", "Jade", "incident", sequence="1"),
    ])
    [row] = run(store, "missed-marac")
    # the GP's row comes second that day (sequence 2), so it is the third incident
    assert (row["agency"], row["reason"], lines(row)) == ("Elm Tree Surgery", "3rd incident about Jade in 365 days", [2, 3, 4])


def test_a_global_person_is_checked_within_each_review(store, tmp_path):
    """Per-review queries cite only the review's own rows: a person known in two reviews (global_id)
    does not bring the other review's incidents into the count."""
    people = [dict(p, global_id="G-7") if p["person"] == "Jade" else p for p in PEOPLE]
    load(store, tmp_path, [
        contact("2019-01-10", "NP", "Jade", "incident"),
        contact("2019-04-10", "NP", "Jade", "incident"),
    ], [
        contact("2019-09-10", "NP", "Jade", "incident"),
        contact("2019-10-10", "NP", "Jade", "incident"),
        contact("2019-11-10", "NP", "Jade", "incident"),
    ], people=people)
    [row] = run(store, "missed-marac")
    assert (row["review"], row["reason"]) == ("rev-b", "3rd incident about Jade in 365 days")
    assert {e["review"] for e in row["evidence"]} == {"rev-b"}
    assert run(store, "missed-marac", review="rev-a") == []


# --- escalation-without-reassessment -----------------------------------------------------------------

def test_escalating_incidents_with_no_assessment(store, tmp_path):
    load(store, tmp_path, [
        contact("2019-01-01", "NP", "Jade;Dean", "incident"),
        contact("2019-04-11", "NP", "Jade;Dean", "incident"),  # 100 days
        contact("2019-05-31", "NP", "Jade;Dean", "incident"),  # 50 days: more frequent
    ])
    [row] = run(store, "escalation-without-reassessment")
    assert (row["subject"], row["date"], row["incidents"], row["reason"]) == ("Jade", "2019-05-31", 3, "no risk assessment recorded")
    assert lines(row) == [2, 3, 4]


def test_slower_incidents_escalate_only_when_more_serious(store, tmp_path):
    rows = [contact("2019-01-01", "NP", "Jade", "incident", risk_factors="injury"),
            contact("2019-02-20", "NP", "Jade", "incident", risk_factors="coercive_control"),  # 50 days
            contact("2019-05-31", "NP", "Jade", "incident", risk_factors="injury")]  # 100 days, no more serious
    load(store, tmp_path, rows)
    assert run(store, "escalation-without-reassessment") == []
    rows[2]["risk_factors"] = "injury;threats_to_kill"
    load(store, tmp_path, rows)
    [row] = run(store, "escalation-without-reassessment")
    assert row["date"] == "2019-05-31" and "more serious" in row["finding"] and "more frequent" not in row["finding"]


def test_third_incident_more_than_a_year_after_the_first_is_no_escalation(store, tmp_path):
    load(store, tmp_path, [
        contact("2019-01-01", "NP", "Jade", "incident"),
        contact("2019-10-01", "NP", "Jade", "incident"),
        contact("2020-01-02", "NP", "Jade", "incident"),  # 366 days after the first
    ])
    assert run(store, "escalation-without-reassessment") == []


def test_an_old_or_unchanged_assessment_is_not_a_reassessment(store, tmp_path):
    rows = [contact("2019-01-01", "NP", "Jade", "incident", dash_score="5", risk_level="standard"),
            contact("2019-05-01", "NP", "Jade", "incident"),
            contact("2019-07-01", "NP", "Jade", "incident")]
    load(store, tmp_path, rows)
    [row] = run(store, "escalation-without-reassessment")
    assert row["reason"] == "last risk assessment 181 days earlier (2019-01-01)" and lines(row) == [2, 3, 4]
    [row] = run(store, "escalation-without-reassessment", days=180)
    assert row["reason"] == "last risk assessment 181 days earlier (2019-01-01)"
    [row] = run(store, "escalation-without-reassessment", days=181)
    assert row["reason"] == "assessed 1 time during the escalation, never above standard (DASH 5)"
    # a GP's medium risk level 16 days before the last incident: reassessed, and it rose
    load(store, tmp_path, rows + [contact("2019-06-15", "Elm Tree Surgery", "Jade", "appointment", risk_level="medium")])
    assert run(store, "escalation-without-reassessment") == []
    [row] = run(store, "escalation-without-reassessment", days=10)
    assert row["reason"] == "last risk assessment 16 days earlier (2019-06-15)" and lines(row) == [2, 3, 4, 5]


def test_an_assessment_that_never_rose(store, tmp_path):
    rows = [contact("2019-01-01", "NP", "Jade", "incident", dash_score="12", risk_level="medium"),
            contact("2019-05-01", "NP", "Jade", "incident", dash_score="11", risk_level="medium"),
            contact("2019-07-01", "NP", "Jade", "incident", dash_score="12", risk_level="medium")]
    load(store, tmp_path, rows)
    [row] = run(store, "escalation-without-reassessment")
    assert row["reason"] == "assessed 3 times during the escalation, never above medium (DASH 12)"
    rows[2]["dash_score"] = "13"
    load(store, tmp_path, rows)
    assert run(store, "escalation-without-reassessment") == []


# --- children-not-referred --------------------------------------------------------------------

def test_abuse_of_a_parent_with_no_child_referral(store, tmp_path):
    load(store, tmp_path, [
        contact("2019-03-04", "NP", "Jade;Dean", "incident"),
        contact("2019-04-02", "Northbrook CSC", "Child A", "home_visit"),  # 29 days later
        contact("2019-08-01", "Elm Tree Surgery", "Jade", "appointment", risk_factors="pregnancy"),  # not abuse
        contact("2019-09-01", "Elm Tree Surgery", "Jade", "appointment", risk_factors="coercive_control"),
        contact("2019-09-20", "Northbrook MARAC", "Jade", "meeting", risk_factors="threats_to_kill"),  # a forum's own record
        contact("2019-11-20", "Northbrook MASH", "Jade", "meeting", risk_factors="threats_to_kill"),
    ])
    rows = run(store, "children-not-referred")
    # Dean is no parent of Child A here (default relationships): no row for him
    assert [(r["subject"], r["date"], r["children"], r["agency"], lines(r)) for r in rows] == [
        ("Jade", "2019-09-01", ["Child A"], "Elm Tree Surgery", [5])]
    assert [r["date"] for r in run(store, "children-not-referred", window_days=28)] == ["2019-03-04", "2019-09-01"]


def test_a_share_with_mash_about_the_parent_covers_and_a_child_relationship_counts(store, tmp_path):
    relationships = RELATIONSHIPS[:1] + [{"person": "Child A", "other": "Dean", "relationship": "child", "abusive": "no"}]
    load(store, tmp_path, [
        contact("2019-03-04", "NP", "Jade;Dean", "incident", risk_factors="injury"),
        contact("2019-02-10", "Elm Tree Surgery", "Dean", "appointment", shared_with="Northbrook MASH"),  # 22 days before
    ], relationships=relationships)
    assert run(store, "children-not-referred") == []
    [row] = run(store, "children-not-referred", window_days=20)
    assert (row["subject"], row["children"]) == ("Dean", ["Child A"])
    assert "injury" in row["finding"] and "Northbrook Police" in row["finding"]


def test_a_child_relationship_to_an_adult_is_no_child_in_the_review(store, tmp_path):
    people = [dict(p, role="family") if p["person"] == "Child A" else p for p in PEOPLE]
    load(store, tmp_path, [contact("2019-03-04", "NP", "Jade", "incident")], people=people)
    assert run(store, "children-not-referred") == []


def test_a_child_born_after_the_contact_is_named_then_unborn_or_left_out(store, tmp_path):
    # Baby D is born on 2019-12-10: 281 days after 2019-03-04 (not yet expected), 253 after 2019-04-01 (then unborn)
    people = PEOPLE + [{"person": "Baby D", "role": "child", "sex": "male", "age": "0", "global_id": "",
                        "dob": "2019-12-10"}]
    relationships = RELATIONSHIPS + [{"person": "Jade", "other": "Baby D", "relationship": "parent", "abusive": "no"}]
    load(store, tmp_path, [
        contact("2019-03-04", "NP", "Jade", "incident"),
        contact("2019-04-01", "Elm Tree Surgery", "Jade", "appointment", risk_factors="coercive_control"),
        contact("2019-12", "Elm Tree Surgery", "Jade", "appointment", risk_factors="coercive_control"),  # may be after
        contact("2020-01-05", "NP", "Jade", "incident"),
    ], people=people, relationships=relationships)
    rows = run(store, "children-not-referred")
    assert [(r["date"], r["children"], r["unborn"], lines(r)) for r in rows] == [
        ("2019-03-04", ["Child A"], [], [2]),
        ("2019-04-01", ["Baby D", "Child A"], ["Baby D"], [3]),
        ("2019-12", ["Baby D", "Child A"], [], [4]),
        ("2020-01-05", ["Baby D", "Child A"], [], [5]),
    ]
    assert "a parent of Child A;" in rows[0]["finding"]
    assert "a parent of Baby D (then unborn) and Child A;" in rows[1]["finding"]
    assert "a parent of Baby D and Child A;" in rows[3]["finding"]
    assert not any("2019-12-10" in json.dumps(r) for r in rows)  # the date of birth is read, never shown


def test_a_contact_before_the_only_child_was_expected_is_no_finding(store, tmp_path):
    # a partial date of birth: born in December 2019 at the latest, so 2019-03-20 (286 days before its end) is too
    # early to be sure the child was expected, and 2019-04-01 (274 days) is not
    people = [p for p in PEOPLE if p["person"] != "Child A"] + [
        {"person": "Baby D", "role": "child", "sex": "male", "age": "", "global_id": "", "dob": "2019-12"}]
    relationships = RELATIONSHIPS[:1] + [{"person": "Dean", "other": "Baby D", "relationship": "parent", "abusive": "no"}]
    load(store, tmp_path, [
        contact("2019-03-20", "NP", "Jade;Dean", "incident"),
        contact("2019-04-01", "NP", "Jade;Dean", "incident"),
    ], people=people, relationships=relationships)
    [row] = run(store, "children-not-referred")
    assert (row["date"], row["subject"], row["children"], row["unborn"]) == ("2019-04-01", "Dean", ["Baby D"], ["Baby D"])
    assert "by Dean on 2019-04-01, a parent of Baby D (then unborn);" in row["finding"]


@pytest.mark.parametrize("dob, date, precision, expected", [
    (None, "2019-01-01", "day", "born"),
    ("2019-12-10", "2019-12-10", "day", "born"),  # the day of birth
    ("2019-12-10", "2019-12-09", "day", "unborn"),
    ("2019-12-10", "2019-03-05", "day", "unborn"),  # 280 days
    ("2019-12-10", "2019-03-04", "day", None),  # 281
    ("2019-12-10", "2019-12-01", "month", "born"),  # December 2019 may be after the birth
    ("2019-12-10", "2019-11-01", "month", "unborn"),
    ("2019-12", "2019-12-01", "day", "born"),  # the birth may be on the first
    ("2019-12", "2019-11-30", "day", "unborn"),
    ("2019-12", "2019-03-26", "day", "unborn"),  # 280 days before 31 December
    ("2019-12", "2019-03-25", "day", None),
    ("2019", "2019-06-01", "day", "born"),
    ("2019", "2018-12-31", "day", None),  # born by 31 December 2019: 365 days
    ("2019-05-01", "2019-01-01", "month", "unborn"),  # January 2019
    ("2020-02", "2019-01-01", "year", None),  # 2019 may mean January, 424 days before 29 February 2020
])
def test_birth_at(dob, date, precision, expected):
    from dhrgraph.queries.children import birth_at

    assert birth_at(dob, date, precision, 280) == expected


# --- the synthetic corpus ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth-risk")
    synth.generate(folder, reviews=60, seed=5)
    return folder, json.loads((folder / "answer_key.json").read_text(encoding="utf-8"))


def test_planted_findings_are_found_and_good_practice_is_left_alone(store, corpus):
    folder, key = corpus
    store.load([folder])
    good = set(key["good_practice_reviews"])
    assert good
    for name in ("missed-marac", "escalation-without-reassessment", "children-not-referred"):
        rows = run(store, name)
        assert [r for r in rows if r["review"] in good] == []
        planted = [p for p in key["planted"] if p["query"] == name]
        assert planted, name
        for plant in planted:
            matches = [r for r in rows if (r["review"], r["subject"]) == (plant["review"], plant["subject"])]
            if "line" in plant:
                matches = [r for r in matches if r["date"] == plant["date"] and r["agency"] == plant["agency"]
                           and plant["line"] in lines(r)]
            assert matches, (name, plant)
