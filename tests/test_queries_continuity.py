"""no-follow-up, professional-churn, serial-perpetrators and unidentified-people, on both backends:
the examples' answer key, hand-made edge cases, and the synthetic corpus's planted answer key."""

from __future__ import annotations

import json

import pytest

from dhrgraph import queries
from dhrgraph import synth
from helpers import write_review

NAMES = ("no-follow-up", "professional-churn", "serial-perpetrators", "unidentified-people")
AGENCIES = [
    {"name": "Northbrook Police", "type": "police", "aliases": "NP"},
    {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""},
    {"name": "Horizon Recovery", "type": "substance_misuse", "aliases": ""},
    {"name": "Northbrook Mental Health Trust", "type": "mental_health", "aliases": "NMHT"},
    {"name": "Northbrook MARAC", "type": "marac", "aliases": ""},
]
PEOPLE = [
    {"person": "Jade", "role": "victim", "sex": "female", "age": "29", "global_id": "", "identified": "yes"},
    {"person": "Dean", "role": "perpetrator", "sex": "male", "age": "33", "global_id": "", "identified": "yes"},
]
RELATIONSHIPS = [{"person": "Dean", "other": "Jade", "relationship": "partner", "abusive": "yes"}]


def contact(date: str, agency: str, subject: str, event: str, **extra: str) -> dict:
    return {"date": date, "agency": agency, "subject": subject, "event": event, "summary": extra.pop("summary", "Contact."),
            **{k: "" for k in ("time", "sequence", "professional", "risk_factors", "referred_to", "referral_outcome",
                               "shared_with")}, **extra}


def review(root, name: str, chronology: list[dict], people=None, relationships=None):
    return write_review(root / "reviews", name, people=people or PEOPLE, agencies=AGENCIES, chronology=chronology,
                        relationships=RELATIONSHIPS if relationships is None else relationships)


def run(store, name: str, **params) -> list[dict]:
    return store.run(queries.get(name), params)


def lines(row: dict) -> list[int]:
    return [e["line"] for e in row["evidence"]]


# --- the examples (examples/README.md) ----------------------------------------------------------

def test_no_follow_up_on_the_examples(examples):
    rows = run(examples, "no-follow-up")
    assert [(r["review"], r["subject"], r["agency"], r["date"], r["what"], r["then"], lines(r)) for r in rows] == [
        ("dhr-ashworth-2022", "Carl", "Ashworth Mental Health NHS Trust", "2020-02-25", "referral not taken up",
         "no further contact within 30 days", [10]),
        ("dhr-ashworth-2022", "Carl", "Ashworth Drug and Alcohol Service", "2020-03-16", "missed appointment",
         "case closed on 2020-03-30", [12, 14]),
        # line 13 (sequence 1) comes before the closure the same day (sequence 2)
        ("dhr-ashworth-2022", "Carl", "Ashworth Drug and Alcohol Service", "2020-03-30", "missed appointment",
         "case closed on 2020-03-30", [13, 14]),
        ("dhr-ashworth-2022", "Carl", "Ashworth Mental Health NHS Trust", "2021-01-12", "missed appointment",
         "no further contact within 30 days", [25]),
        # the discharge letter to the GP (line 27) only informs the referrer: not a follow-up
        ("dhr-ashworth-2022", "Carl", "Ashworth Mental Health NHS Trust", "2021-02-09", "missed appointment",
         "discharged on 2021-02-23", [26, 27]),
        ("dhr-northbrook-2021", "Dean", "Horizon Recovery Northbrook", "2020-05-06", "missed appointment",
         "case closed on 2020-05-27", [19, 21]),
        ("dhr-northbrook-2021", "Dean", "Horizon Recovery Northbrook", "2020-05-20", "missed appointment",
         "case closed on 2020-05-27", [20, 21]),
        # record 5 of the surgery's Word table; its next contact with Sophie is in February 2022
        ("dhr-rowanford-2022", "Sophie", "Brook Lane Surgery", "2021-12-06", "missed appointment",
         "no further contact within 30 days", [5]),
    ]
    assert {r["agency_type"] for r in rows} == {"mental_health", "substance_misuse", "gp"}
    assert rows[1]["finding"] == ("Ashworth Drug and Alcohol Service: missed appointment on 2020-03-16, then case closed "
                                  "on 2020-03-30, with no follow-up contact and nothing escalated.")
    assert rows[0]["finding"] == ("Ashworth Mental Health NHS Trust: referral not taken up on 2020-02-25, then no further "
                                  "contact within 30 days and nothing escalated.")


def test_professional_churn_on_the_examples(examples):
    rows = run(examples, "professional-churn")
    assert [(r["review"], r["subject"], r["agency"], r["agency_type"], r["professionals"], r["from"], r["to"], lines(r))
            for r in rows] == [
        ("dhr-ashworth-2022", "Carl", "Ashworth Mental Health NHS Trust", "mental_health", 8, "2019-07-02", "2021-09-14",
         [3, 15, 17, 20, 21, 22, 25, 31]),
        ("dhr-northbrook-2021", "Dean", "Elm Tree Surgery", "gp", 7, "2019-05-14", "2021-05-04", [3, 4, 7, 9, 10, 17, 38]),
    ]
    assert rows[0]["names"] == ["CPN 1", "CPN 2", "CPN 3", "HTT Nurse 1", "HTT Nurse 2", "HTT Nurse 3", "Psychiatrist 1",
                                "Team Manager 1"]
    assert rows[1]["names"] == [f"GP {n}" for n in range(1, 8)]
    assert rows[0]["finding"] == ("Carl was seen by 8 different professionals at Ashworth Mental Health NHS Trust between "
                                  "2019-07-02 and 2021-09-14; no continuity of care.")
    # Calder Vale Police saw Lauren and Mr K with 4 officers each: one more needed
    assert [r["review"] for r in run(examples, "professional-churn", min_professionals=4)].count("dhr-caldervale-2019") >= 2


def test_serial_perpetrators_on_the_examples(examples):
    [row] = run(examples, "serial-perpetrators", signals="coded")  # the answer key is the coded reading
    assert row["review"] == "dhr-northbrook-2021"  # Dean's latest contact (line 44, 2021-06-19)
    assert row["reviews"] == ["dhr-caldervale-2019", "dhr-northbrook-2021"]
    assert (row["perpetrator"], row["names"]) == ("P-0417", ["Dean", "Mr K"])
    # Ms L (Northbrook) and Lauren (Calder Vale) share P-0388: one victim, not two
    assert [(v["name"], v["review"], [(r["name"], r["review"]) for r in v["records"]]) for v in row["victims"]] == [
        ("Jade", "dhr-northbrook-2021", [("Jade", "dhr-northbrook-2021")]),
        ("Lauren", "dhr-caldervale-2019", [("Lauren", "dhr-caldervale-2019"), ("Ms L", "dhr-northbrook-2021")])]
    assert row["finding"] == ("P-0417 (Dean / Mr K) abused 2 different people across 2 reviews: Jade (dhr-northbrook-2021) "
                              "and Lauren / Ms L (dhr-caldervale-2019, dhr-northbrook-2021).")
    cited = {(e["review"], e["file"].rsplit("/", 1)[-1], e["line"]) for e in row["evidence"]}
    assert cited == {("dhr-caldervale-2019", "chronology.csv", n) for n in (9, 11, 13, 15, 20, 27)} \
        | {("dhr-northbrook-2021", "chronology.csv", n) for n in (13, 25, 27, 33, 37, 39)} \
        | {("dhr-caldervale-2019", "relationships.csv", 2), ("dhr-northbrook-2021", "relationships.csv", 2),
           ("dhr-northbrook-2021", "relationships.csv", 7)}
    assert all(e["date"] is None and e["agency"] is None for e in row["evidence"] if e["file"].endswith("relationships.csv"))
    # the review filter keeps the row in either review it spans, and nowhere else
    assert run(examples, "serial-perpetrators", review="dhr-caldervale-2019", signals="coded") == [{**row, "other_reviews": ["dhr-northbrook-2021"]}]
    assert run(examples, "serial-perpetrators", review="dhr-ashworth-2022") == []
    assert run(examples, "serial-perpetrators", min_victims=3) == []


def test_unidentified_people_on_the_examples(examples):
    [row] = run(examples, "unidentified-people")
    assert (row["review"], row["person"], row["mentions"], row["agencies"], lines(row)) == (
        "dhr-caldervale-2019", "Unnamed girlfriend", 3, ["Calder Vale Police", "Millgate Medical Centre"], [5, 6, 8])
    assert row["finding"] == ("'Unnamed girlfriend' was mentioned 3 times by Calder Vale Police and Millgate Medical Centre "
                              "and never identified; no agency established who she was.")


@pytest.mark.parametrize("name", NAMES)
def test_nothing_in_the_good_practice_example(examples, name):
    assert run(examples, name, review="dhr-kingsmere-2020") == []
    assert all(r["review"] != "dhr-kingsmere-2020" for r in run(examples, name))


@pytest.mark.parametrize("name, expected", [("no-follow-up", set()), ("professional-churn", set()),
                                            ("unidentified-people", {"dhr-caldervale-2019"})])
def test_review_filter_on_the_examples(examples, name, expected):
    assert {r["review"] for r in run(examples, name, review="dhr-caldervale-2019")} == expected
    assert {r["review"] for r in run(examples, name, review="dhr-ashworth-2022")} == (
        set() if name == "unidentified-people" else {"dhr-ashworth-2022"})


# --- no-follow-up edge cases --------------------------------------------------------------------

def test_same_day_order_decides_what_comes_after_a_missed_appointment(tmp_path, store):
    rows = [contact("2020-01-10", "Horizon Recovery", "Dean", "appointment", sequence="1", summary="Seen earlier that day."),
            contact("2020-01-10", "Horizon Recovery", "Dean", "did_not_attend", sequence="2")]
    store.load([review(tmp_path, "rev-a", rows)])
    [row] = run(store, "no-follow-up")
    assert (row["subject"], row["date"], lines(row)) == ("Dean", "2020-01-10", [3])
    rows[0]["sequence"] = "3"  # the same contact, now after the missed appointment: a follow-up
    store.load([review(tmp_path, "rev-a", rows)])
    assert run(store, "no-follow-up") == []


def test_a_closure_that_only_informs_is_not_a_follow_up_but_an_escalation_is(tmp_path, store):
    rows = [contact("2020-01-10", "Horizon Recovery", "Dean", "did_not_attend"),
            contact("2020-01-20", "Horizon Recovery", "Dean", "case_closed", shared_with="Elm Tree Surgery")]
    store.load([review(tmp_path, "rev-a", rows)])
    [row] = run(store, "no-follow-up")
    assert (row["then"], lines(row)) == ("case closed on 2020-01-20", [2, 3])
    rows[1]["referred_to"] = "Northbrook Mental Health Trust"
    store.load([review(tmp_path, "rev-a", rows)])
    assert run(store, "no-follow-up") == []


def test_follow_up_window_and_other_agencies(tmp_path, store):
    rows = [contact("2020-01-10", "Horizon Recovery", "Dean", "did_not_attend"),
            contact("2020-01-12", "Elm Tree Surgery", "Dean", "appointment"),  # another agency: not a follow-up
            contact("2020-02-19", "Horizon Recovery", "Dean", "home_visit")]   # 40 days later
    store.load([review(tmp_path, "rev-a", rows)])
    [row] = run(store, "no-follow-up")
    assert (row["agency"], row["then"], lines(row)) == ("Horizon Recovery", "no further contact within 30 days", [2])
    assert row["finding"].endswith("then no further contact within 30 days and nothing escalated.")
    assert run(store, "no-follow-up", days=40) == []
    assert run(store, "no-follow-up", days=39)[0]["then"] == "no further contact within 39 days"


def test_a_referral_not_taken_up_is_the_referrers_to_follow_up(tmp_path, store):
    rows = [contact("2020-01-10", "NMHT", "Dean", "referral", referred_to="Horizon Recovery",
                    referral_outcome="Declined by the service"),
            contact("2020-01-11", "Elm Tree Surgery", "Dean", "referral", referred_to="Horizon Recovery",
                    referral_outcome="accepted"),
            contact("2020-01-15", "Horizon Recovery", "Dean", "case_closed")]
    store.load([review(tmp_path, "rev-a", rows)])
    [row] = run(store, "no-follow-up")
    assert (row["agency"], row["agency_type"], row["what"], row["then"], lines(row)) == (
        "Northbrook Mental Health Trust", "mental_health", "referral not taken up", "no further contact within 30 days", [2])


def test_partial_and_uncertain_dates_in_the_follow_up_window(tmp_path, store):
    # "2020-01" sorts at the start of January, so it is not after a missed appointment on 2020-01-20;
    # "?2020-02" starts on 1 February, 12 days later: a follow-up
    rows = [contact("2020-01-20", "Horizon Recovery", "Dean", "did_not_attend"),
            contact("2020-01", "Horizon Recovery", "Dean", "call")]
    store.load([review(tmp_path, "rev-a", rows)])
    assert [lines(r) for r in run(store, "no-follow-up")] == [[2]]
    rows.append(contact("?2020-02", "Horizon Recovery", "Dean", "call"))
    store.load([review(tmp_path, "rev-a", rows)])
    assert run(store, "no-follow-up") == []


def test_one_row_per_subject_without_a_follow_up(tmp_path, store):
    rows = [contact("2020-01-10", "Horizon Recovery", "Jade; Dean", "did_not_attend"),
            contact("2020-01-15", "Horizon Recovery", "Jade", "call")]
    store.load([review(tmp_path, "rev-a", rows)])
    assert [r["subject"] for r in run(store, "no-follow-up")] == ["Dean"]


def test_a_contact_not_made_and_a_closure_in_the_words_count(tmp_path, store):
    """A call whose words say no one was reached and the case was closed ("no answer. Case closed."): the agency's
    next step not taken, from the text alone; not under --signals coded, nor once the analyst rejects the reading."""
    rows = [contact("2020-01-10", "Horizon Recovery", "Dean", "call",
                    summary="Three attempts to contact Dean by phone, no answer. Case closed.")]
    store.load([review(tmp_path, "rev-a", rows)])
    [row] = run(store, "no-follow-up")
    assert (row["what"], row["then"], lines(row)) == ("missed appointment or contact", "case closed on 2020-01-10", [2])
    assert row["finding"] == ("Horizon Recovery: missed appointment or contact on 2020-01-10, then case closed on "
                              "2020-01-10, with no follow-up contact and nothing escalated.")
    assert [e["signal"] for e in row["evidence"]] == ["text"]
    assert run(store, "no-follow-up", signals="coded") == []
    # a call that reached him is a follow-up; one that did not is not
    rows[0]["summary"] = "Three attempts to contact Dean by phone, no answer."
    rows.append(contact("2020-01-20", "Horizon Recovery", "Dean", "call", summary="Called again, no answer."))
    store.load([review(tmp_path, "rev-a", rows)])
    assert [(r["date"], r["then"]) for r in run(store, "no-follow-up")] == [
        ("2020-01-10", "no further contact within 30 days"), ("2020-01-20", "no further contact within 30 days")]
    rows[1]["summary"] = "Called again and spoke to Dean; appointment booked."
    store.load([review(tmp_path, "rev-a", rows)])
    assert run(store, "no-follow-up") == []


def test_a_closure_that_says_why_is_told_by_the_missed_appointment_before_it(tmp_path, store):
    """"Case closed as he did not attend" after the missed appointment it refers to: one finding, the appointment's,
    ending at the closure; alone, the closure is its own."""
    rows = [contact("2020-01-10", "Horizon Recovery", "Dean", "did_not_attend"),
            contact("2020-01-20", "Horizon Recovery", "Dean", "case_closed", summary="Case closed as he did not attend.")]
    store.load([review(tmp_path, "rev-a", rows)])
    [row] = run(store, "no-follow-up")
    assert (row["date"], row["what"], row["then"], lines(row)) == (
        "2020-01-10", "missed appointment", "case closed on 2020-01-20", [2, 3])
    store.load([review(tmp_path, "rev-a", rows[1:])])
    [row] = run(store, "no-follow-up")
    assert (row["date"], row["what"], row["then"], lines(row)) == (
        "2020-01-20", "missed appointment or contact", "case closed on 2020-01-20", [2])


# --- professional-churn edge cases ----------------------------------------------------------------
# --- professional-churn edge cases ----------------------------------------------------------------

def _seen_by(dates_and_professionals, agency="Elm Tree Surgery", subject="Dean"):
    return [contact(d, agency, subject, "appointment", professional=p) for d, p in dates_and_professionals]


def test_churn_takes_the_busiest_window(tmp_path, store):
    # GP 1 alone in 2015; five GPs between 2019 and 2021; GP 6 in 2023, more than 3 years after 2019-03-01
    rows = _seen_by([("2015-05-01", "GP 1"), ("2019-03-01", "GP 2"), ("2019-06-01", "GP 3"), ("2020-01-01", "GP 2"),
                     ("2020-06-01", "GP 4"), ("2021-01-01", "GP 10"), ("2021-06-01", "GP 5"), ("2023-01-01", "GP 6")])
    store.load([review(tmp_path, "rev-a", rows)])
    [row] = run(store, "professional-churn")
    assert (row["professionals"], row["names"], row["from"], row["to"]) == (
        5, ["GP 2", "GP 3", "GP 4", "GP 5", "GP 10"], "2019-03-01", "2021-06-01")
    assert lines(row) == [3, 4, 6, 7, 8]  # the first contact of each, not GP 2's second
    assert row["finding"] == ("Dean was seen by 5 different professionals at Elm Tree Surgery between 2019-03-01 and "
                              "2021-06-01; no continuity of care.")
    assert run(store, "professional-churn", min_professionals=6) == []
    [wider] = run(store, "professional-churn", years=8, min_professionals=6)
    assert (wider["professionals"], wider["from"], wider["to"]) == (7, "2015-05-01", "2023-01-01")
    assert run(store, "professional-churn", years=1) == []


def test_churn_skips_forums_and_contacts_without_a_professional(tmp_path, store):
    marac = _seen_by([(f"2020-0{n}-01", f"Chair {n}") for n in range(1, 7)], agency="Northbrook MARAC", subject="Jade")
    unnamed = _seen_by([(f"2020-0{n}-01", "") for n in range(1, 7)])
    store.load([review(tmp_path, "rev-a", marac + unnamed + _seen_by([("2020-01-01", "GP 1")]))])
    assert run(store, "professional-churn", min_professionals=2) == []


def test_churn_counts_within_each_review(tmp_path, store):
    """A person known in two reviews (global_id) is counted in each review on its own: per-review
    findings cite only that review's rows."""
    people = [dict(PEOPLE[0]), dict(PEOPLE[1], global_id="P-1")]
    renamed = [dict(PEOPLE[0]), dict(PEOPLE[1], person="Mr K", global_id="P-1")]
    first = _seen_by([("2019-01-01", "GP 1"), ("2019-02-01", "GP 2"), ("2019-03-01", "GP 3")])
    second = _seen_by([("2019-04-01", "GP 4"), ("2019-05-01", "GP 5"), ("2019-06-01", "GP 6"), ("2019-07-01", "GP 7"),
                       ("2019-08-01", "GP 8")], subject="Mr K")
    store.load([review(tmp_path, "rev-a", first, people=people),
                review(tmp_path, "rev-b", second, people=renamed,
                       relationships=[{"person": "Mr K", "other": "Jade", "relationship": "partner", "abusive": "yes"}])])
    [row] = run(store, "professional-churn")
    assert (row["review"], row["subject"], row["professionals"]) == ("rev-b", "Mr K", 5)
    assert {e["review"] for e in row["evidence"]} == {"rev-b"}
    assert run(store, "professional-churn", review="rev-a") == []
    assert run(store, "professional-churn", review="rev-b") == [row]


# --- serial-perpetrators edge cases -------------------------------------------------------------

def test_serial_perpetrator_within_one_review(tmp_path, store):
    people = PEOPLE + [{"person": "Ms L", "role": "previous_partner", "sex": "female", "age": "30", "global_id": "",
                        "identified": "yes"},
                       {"person": "Mrs H", "role": "family", "sex": "female", "age": "56", "global_id": "", "identified": "yes"}]
    relationships = RELATIONSHIPS + [{"person": "Dean", "other": "Ms L", "relationship": "ex_partner", "abusive": "yes"},
                                     {"person": "Dean", "other": "Mrs H", "relationship": "other", "abusive": "no"}]
    rows = [contact("2020-01-10", "NP", "Jade; Dean", "incident"),
            contact("2020-02-10", "NP", "Jade; Dean", "call"),                       # records no abuse
            contact("2020-03-10", "NP", "Ms L; Dean", "call", risk_factors="stalking"),
            contact("2020-04-10", "NP", "Dean", "arrest")]                         # not about a victim
    store.load([review(tmp_path, "rev-a", rows, people=people, relationships=relationships)])
    [row] = run(store, "serial-perpetrators")
    assert (row["review"], row["reviews"], row["perpetrator"], row["names"]) == ("rev-a", ["rev-a"], "Dean", ["Dean"])
    assert [(v["name"], v["review"]) for v in row["victims"]] == [("Jade", "rev-a"), ("Ms L", "rev-a")]  # Mrs H: not abusive
    assert (row["linked_by"], row["other_reviews"]) == ("global_id", [])
    assert row["finding"] == "Dean abused 2 different people in 1 review: Jade (rev-a) and Ms L (rev-a)."
    assert [(e["file"].rsplit("/", 1)[-1], e["line"]) for e in row["evidence"]] == [
        ("chronology.csv", 2), ("chronology.csv", 4), ("relationships.csv", 2), ("relationships.csv", 3)]
    assert run(store, "serial-perpetrators", min_victims=3) == []


def test_a_victim_who_is_one_person_across_reviews_counts_once(tmp_path, store):
    victim = dict(PEOPLE[0], global_id="V-1")
    rev_a = [victim, dict(PEOPLE[1], global_id="P-1")]
    rev_b = [dict(victim, person="Ms J"), dict(PEOPLE[1], person="Mr D", global_id="P-1")]
    abuse_b = [{"person": "Mr D", "other": "Ms J", "relationship": "ex_partner", "abusive": "yes"}]
    store.load([review(tmp_path, "rev-a", [contact("2018-01-01", "NP", "Jade; Dean", "incident")], people=rev_a),
                review(tmp_path, "rev-b", [contact("2019-01-01", "NP", "Ms J", "call")], people=rev_b,
                       relationships=abuse_b)])
    assert run(store, "serial-perpetrators") == []
    [row] = run(store, "serial-perpetrators", min_victims=1)
    assert row["victims"] == [{"name": "Jade", "review": "rev-a", "records": [{"name": "Jade", "review": "rev-a"},
                                                                              {"name": "Ms J", "review": "rev-b"}]}]
    assert row["finding"] == "P-1 (Dean / Mr D) abused 1 person across 2 reviews: Jade / Ms J (rev-a, rev-b)."
    # the perpetrator's latest contact is in rev-a (no contact about him in rev-b)
    assert (row["review"], row["reviews"], row["names"]) == ("rev-a", ["rev-a", "rev-b"], ["Dean", "Mr D"])


def test_serial_perpetrator_without_contacts_is_in_the_last_review(tmp_path, store):
    people = PEOPLE + [{"person": "Ms L", "role": "previous_partner", "sex": "female", "age": "30", "global_id": "",
                        "identified": "yes"}]
    for name in ("rev-b", "rev-a"):
        ids = [dict(p, global_id="P-9") if p["person"] == "Dean" else p for p in people]
        relationships = RELATIONSHIPS + [{"person": "Dean", "other": "Ms L", "relationship": "ex_partner", "abusive": "yes"}]
        store.load([review(tmp_path, name, [contact("2020-01-01", "NP", "Jade", "call")], people=ids,
                           relationships=relationships)])
    [row] = run(store, "serial-perpetrators")
    assert (row["review"], row["reviews"], len(row["victims"])) == ("rev-b", ["rev-a", "rev-b"], 4)
    assert row["finding"].startswith("P-9 (Dean) abused 4 different people across 2 reviews: Jade (rev-a), Jade (rev-b), ")
    assert lines(row) == [2, 3, 2, 3]  # the relationship rows of both reviews


# --- unidentified-people edge cases -------------------------------------------------------------

def test_unidentified_people_wording_and_who_counts(tmp_path, store):
    people = PEOPLE + [
        {"person": "Unknown male", "role": "other", "sex": "male", "age": "", "global_id": "", "identified": "no"},
        {"person": "Caller", "role": "other", "sex": "unknown", "age": "", "global_id": "", "identified": "no"},
        {"person": "Never mentioned", "role": "other", "sex": "female", "age": "", "global_id": "", "identified": "no"},
        {"person": "Friend", "role": "friend", "sex": "female", "age": "", "global_id": "", "identified": "yes"}]
    rows = [contact("2020-01-10", "NP", "Jade; Unknown male", "call"),
            contact("2020-01-12", "Elm Tree Surgery", "Jade; Unknown male", "appointment"),
            contact("2020-01-13", "Horizon Recovery", "Dean; Unknown male", "appointment"),
            contact("2020-01-14", "NP", "Caller", "call"),
            contact("2020-01-15", "NP", "Friend", "call")]
    store.load([review(tmp_path, "rev-a", rows, people=people)])
    found = run(store, "unidentified-people")
    assert [(r["person"], r["mentions"], r["agencies"], lines(r)) for r in found] == [
        ("Caller", 1, ["Northbrook Police"], [5]),
        ("Unknown male", 3, ["Elm Tree Surgery", "Horizon Recovery", "Northbrook Police"], [2, 3, 4])]
    assert found[0]["finding"] == ("'Caller' was mentioned once by Northbrook Police and never identified; "
                                   "no agency established who this was.")
    assert found[1]["finding"] == ("'Unknown male' was mentioned 3 times by Elm Tree Surgery, Horizon Recovery and "
                                   "Northbrook Police and never identified; no agency established who he was.")
    assert run(store, "unidentified-people", review="rev-b") == []


# --- the synthetic corpus -----------------------------------------------------------------------

def _found(plant: dict, rows: list[dict]) -> bool:
    name = plant["query"]
    if name == "no-follow-up":
        return any((r["review"], r["subject"], r["agency"], r["date"]) == (plant["review"], plant["subject"], plant["agency"],
                   plant["date"]) and plant["line"] in lines(r) for r in rows)
    if name == "professional-churn":
        return any((r["review"], r["subject"], r["agency"]) == (plant["review"], plant["subject"], plant["agency"])
                   for r in rows)
    if name == "unidentified-people":
        return any((r["review"], r["person"]) == (plant["review"], plant["person"]) for r in rows)
    perpetrator = plant.get("perpetrator_global_id") or plant["perpetrator"]
    return any(r["perpetrator"] == perpetrator and set(plant["reviews"]) <= set(r["reviews"])
               and len(r["victims"]) >= plant["victims"] for r in rows)


def test_planted_answer_key_of_the_synthetic_corpus(tmp_path, store):
    synth.generate(tmp_path / "corpus", reviews=60, seed=5)
    key = json.loads((tmp_path / "corpus" / "answer_key.json").read_text(encoding="utf-8"))
    good = set(key["good_practice_reviews"])
    assert good
    store.load([tmp_path / "corpus"])
    shapes = set()
    for name in NAMES:
        rows = run(store, name)
        planted = [p for p in key["planted"] if p["query"] == name]
        assert planted, name
        assert [p for p in planted if not _found(p, rows)] == []
        assert [r for r in rows if good & {r["review"], *r.get("reviews", ())}] == []
        shapes |= {"perpetrator_global_id" in p for p in planted if name == "serial-perpetrators"}
    assert shapes == {True, False}  # both the cross-review and the within-review serial perpetrators were checked
