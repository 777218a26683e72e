"""joined-up-risk: high risk that only the agencies' records put together show, on both backends."""

from __future__ import annotations

import json

import pytest

from dhrgraph import queries
from helpers import write_review
from dhrgraph.loaders.dash import DASH_QUESTIONS, FACTOR_QUESTIONS
from dhrgraph.loaders.vocab import RISK_FACTORS

QUERY = "joined-up-risk"
AGENCIES = [
    {"name": "Northbrook Police", "type": "police", "aliases": ""},
    {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""},
    {"name": "Northbrook Probation", "type": "probation", "aliases": ""},
    {"name": "Northbrook MARAC", "type": "marac", "aliases": ""},
]
BLANK = {"time": "", "sequence": "", "dash_score": "", "risk_level": "", "risk_factors": "", "referred_to": "", "shared_with": ""}


def contact(date, agency, subject, event, factors="", summary="Recorded.", **extra):
    return dict(BLANK, date=date, agency=agency, subject=subject, event=event, summary=summary, risk_factors=factors, **extra)


# Three parts, each below high risk: the police know 4 questions (DASH 8), the GP 5, probation 6 (about Dean).
POLICE = contact("2020-01-10", "Northbrook Police", "Jade", "incident", "injury;coercive_control;escalation;sexual_violence",
                 dash_score="8", risk_level="medium")
GP = contact("2020-02-01", "Elm Tree Surgery", "Jade", "disclosure",
             "separation;threats_to_kill;financial_abuse;isolation;mental_health")
PROBATION = contact("2020-03-01", "Northbrook Probation", "Dean", "appointment",
                    "criminal_history;previous_partner_abuse;breach_of_order;substance_misuse;suicidal_ideation;animal_abuse")


def joined_up_review(root):
    """A review with one joined-up finding: the police, the GP and probation each held part of the risk to Jade."""
    return write_review(root, chronology=[POLICE, GP, PROBATION], agencies=AGENCIES)


def run(store, tmp_path, rows, **params):
    store.load([write_review(tmp_path, chronology=rows, agencies=AGENCIES)])
    return store.run(queries.get(QUERY), params)


def test_three_parts_below_high_risk_add_up_to_high_risk(store, tmp_path):
    [row] = run(store, tmp_path, [POLICE, GP, PROBATION])
    assert (row["review"], row["subject"], row["date"], row["score"]) == ("rev-a", "Jade", "2020-03-01", 15)
    assert row["best_single"] == {"agency": "Northbrook Police", "score": 8}  # its DASH, more than its 4 questions
    assert row["red_flags"] == []
    assert [(p["agency"], [a["question"] for a in p["alone"]], {a["date"] for a in p["alone"]}) for p in row["pieces"]] == [
        ("Northbrook Police", [1, 11, 12, 16], {"2020-01-10"}),
        ("Elm Tree Surgery", [4, 5, 6, 14, 20], {"2020-02-01"}),
        # about the abuser: his drug use and suicide threats are the abuser's questions (21, 22), not Jade's (5)
        ("Northbrook Probation", [18, 19, 21, 22, 23, 24], {"2020-03-01"}),
    ]
    assert row["pieces"][0]["alone"][0]["text"] == DASH_QUESTIONS[0]
    assert [e["line"] for e in row["evidence"]] == [2, 3, 4]
    assert "Northbrook Police, Elm Tree Surgery and Northbrook Probation" in row["finding"]
    assert "DASH-equivalent score of 15" in row["finding"]


def test_the_window_the_threshold_and_a_marac_decide(store, tmp_path):
    parts = [POLICE, GP, PROBATION]
    assert run(store, tmp_path, parts, window_days=30) == []  # 51 days from the police to probation
    assert run(store, tmp_path, parts, dash_high=16) == []
    marac = contact("2020-03-20", "Northbrook Police", "Jade", "referral", referred_to="Northbrook MARAC")
    assert run(store, tmp_path, [*parts, marac]) == []  # referred 19 days later
    assert [r["date"] for r in run(store, tmp_path, [*parts, marac], within_days=7)] == ["2020-03-01"]


def test_an_agency_already_at_high_risk_alone_is_not_joined_up(store, tmp_path):
    assert run(store, tmp_path, [dict(POLICE, dash_score="14"), GP, PROBATION]) == []
    assert run(store, tmp_path, [dict(POLICE, risk_level="high"), GP, PROBATION]) == []
    # the same red flag held by one agency alone
    alone = [contact("2020-01-10", "Elm Tree Surgery", "Jade", "disclosure", "separation"),
             contact("2020-02-10", "Elm Tree Surgery", "Jade", "disclosure", "stalking")]
    assert run(store, tmp_path, alone) == []


def test_a_red_flag_split_between_agencies(store, tmp_path):
    rows = [contact("2020-01-10", "Elm Tree Surgery", "Jade", "disclosure", "separation"),
            contact("2020-02-10", "Northbrook Police", "Jade; Dean", "call", "stalking;alcohol_misuse")]
    [row] = run(store, tmp_path, rows)
    assert (row["date"], row["red_flags"]) == ("2020-02-10", ["separation and stalking"])
    # on a contact about both, the drinking has no reading about Jade, so it is Dean's (question 21)
    assert row["questions"] == [6, 8, 21] and row["score"] == 3
    assert row["best_single"] == {"agency": "Northbrook Police", "score": 2}


def test_the_abuser_and_a_person_with_no_contact_of_their_own_get_no_row(store, tmp_path):
    # only Dean's records: a picture of the abuser alone is not a picture of risk to anyone in particular
    only_dean = [dict(PROBATION, date="2020-01-01"),
                 contact("2020-01-05", "Northbrook Police", "Dean", "arrest", "threats_to_kill;strangulation;weapon")]
    assert run(store, tmp_path, only_dean) == []


def test_a_person_at_risk_under_16_or_a_child_is_never_a_subject(store, tmp_path):
    people = [{"person": "Jade", "role": "victim", "sex": "female", "age": "15", "global_id": ""},
              {"person": "Dean", "role": "perpetrator", "sex": "male", "age": "17", "global_id": ""}]
    relationships = [{"person": "Dean", "other": "Jade", "relationship": "partner", "abusive": "yes"}]

    def rows(age, role="victim"):
        people[0].update(age=age, role=role)
        store.load([write_review(tmp_path, people=people, relationships=relationships, chronology=[POLICE, GP, PROBATION],
                                 agencies=AGENCIES)])
        return store.run(queries.get(QUERY))

    assert rows("15") == []
    assert rows("", "child") == []
    assert [r["subject"] for r in rows("16")] == ["Jade"]
    assert [r["subject"] for r in rows("")] == ["Jade"]  # no age, not a child


def test_nothing_on_or_after_the_death_counts(store, tmp_path):
    death = contact("2020-02-20", "Northbrook Police", "Jade; Dean", "death")
    assert run(store, tmp_path, [POLICE, GP, death, PROBATION]) == []
    assert len(run(store, tmp_path, [POLICE, GP, PROBATION, dict(death, date="2020-03-02")])) == 1


def test_a_marac_referral_or_hearing_counts_in_the_review_only(store, tmp_path):
    heard = contact("2020-03-10", "Northbrook MARAC", "Jade", "meeting")
    assert run(store, tmp_path, [POLICE, GP, PROBATION, heard]) == []
    assert len(run(store, tmp_path, [POLICE, GP, PROBATION, dict(heard, date="2020-04-10")])) == 1  # 40 days later


# Free text only: the GP's words say she left him, the police's that he is stalking her (a red flag together).
TEXT_ONLY = [
    contact("2020-01-10", "Elm Tree Surgery", "Jade", "appointment", summary="Jade said she had separated from Dean in December."),
    contact("2020-02-10", "Northbrook Police", "Jade", "call", summary="Jade reported that Dean has been stalking her."),
]


def test_text_derived_signals_count_unless_coded_only_or_rejected(store, tmp_path):
    from dhrgraph.queries.signals import reject_signal

    [row] = run(store, tmp_path, TEXT_ONLY)
    assert (row["date"], row["red_flags"], row["questions"]) == ("2020-02-10", ["separation and stalking"], [6, 8])
    assert [(e["line"], e["signal"]) for e in row["evidence"]] == [(2, "text"), (3, "text")]
    assert store.run(queries.get(QUERY), {"signals": "coded"}) == []
    reject_signal(store, "contact:rev-a#3/risk_factor/stalking")
    assert store.run(queries.get(QUERY)) == []
    # the same facts coded in the columns count with signals=coded too
    coded = [dict(TEXT_ONLY[0], risk_factors="separation"), dict(TEXT_ONLY[1], risk_factors="stalking")]
    assert [r["date"] for r in run(store, tmp_path, coded, signals="coded")] == ["2020-02-10"]


def test_the_examples_answer_key(examples):
    # examples/README.md: only dhr-lindmoor-2021 has a joined-up case, the same in both readings
    for signals in ("coded", "all"):
        rows = examples.run(queries.get(QUERY), {"signals": signals})
        assert [(r["review"], r["subject"], r["date"], r["score"], r["best_single"]) for r in rows] == [
            ("dhr-lindmoor-2021", "Priya", "2021-04-20", 14, {"agency": "Lindmoor Police", "score": 7})], signals
        [row] = rows
        assert [(p["agency"], [a["question"] for a in p["alone"]]) for p in row["pieces"]] == [
            ("Lindmoor Police", [1, 11, 12, 16]), ("Fairhill Surgery", [4, 5, 6, 14, 20]),
            ("Lindmoor Probation", [18, 21, 22, 23, 24])]
        assert [e["line"] for e in row["evidence"]] == [3, 4, 5] and row["red_flags"] == []


def test_it_is_in_the_findings_and_the_themes(examples):
    from dhrgraph.queries.findings import build_report
    from dhrgraph.queries.themes import run_themes

    [section] = [s for s in build_report(examples, review="dhr-lindmoor-2021").sections if s.query.name == QUERY]
    assert [(r["subject"], r["date"]) for r in section.rows] == [("Priya", "2021-04-20")]
    [theme] = [t for t in run_themes(examples).rows if t["theme"] == f"query:{QUERY}"]
    assert theme["review_ids"] == ["dhr-lindmoor-2021"]
    assert [e["line"] for e in theme["evidence"]["dhr-lindmoor-2021"]] == [3, 4, 5]


def test_planted_cases_are_found_and_near_misses_are_not(store, corpus):
    folder, key = corpus
    store.load([folder])
    rows = store.run(queries.get(QUERY))
    found = {(r["review"], r["subject"]): r for r in rows}
    planted = [p for p in key["planted"] if p["query"] == QUERY]
    assert planted and {m["near_miss"] for m in key["near_misses"]} == {"below", "single-agency"}
    for plant in planted:
        row = found.get((plant["review"], plant["subject"]))
        assert row and row["date"] <= plant["date"], plant
        if row["date"] == plant["date"]:  # found where the three parts met, not earlier through another red flag
            assert row["score"] >= 14 > row["best_single"]["score"]
            assert set(plant["agencies"]) <= {p["agency"] for p in row["pieces"]}
    for miss in key["near_misses"]:
        assert (miss["review"], miss["subject"]) not in found, miss
    assert not [r for r in rows if r["review"] in key["good_practice_reviews"]]


def test_the_mapping_and_red_flags_are_listed(tmp_path, cli):
    cli("load", str(write_review(tmp_path)))
    [listed] = [q for q in json.loads(cli("queries", "--format", "json").stdout) if q["name"] == QUERY]
    reference = listed["reference"]
    assert len(reference["dash_questions"]) == 24
    assert set(reference["factor_questions"]) == set(RISK_FACTORS.values()) == set(FACTOR_QUESTIONS)
    assert {"name": "separation and stalking", "questions": [6, 8], "incident": False} in reference["red_flags"]
    assert "cannot know" in listed["description"]


def test_the_view_draws_the_parts_converging_on_the_picture(store, tmp_path):
    from dhrgraph import viz
    from test_viz import data_of, labels

    store.load([joined_up_review(tmp_path)])
    page = viz.query_view(store, QUERY).html
    data = data_of(page)
    names = labels(data)
    [picture] = [n for n, label in names.items() if label == "2020-03-01: 15"]
    into = {names[e["from"]]: e["label"] for e in data["edges"] if e["to"] == picture}
    assert into == {"Northbrook Police": "Q1, Q11, Q12, Q16", "Elm Tree Surgery": "Q4, Q5, Q6, Q14, Q20",
                    "Northbrook Probation": "Q18, Q19, Q21, Q22, Q23, Q24"}
    assert [names[e["to"]] for e in data["edges"] if e["from"] == picture] == ["Jade"]
    assert page.count("<svg class='converge'") == 1 and page.count("<circle cx=") >= 15  # one dot per question held alone


# unrecognised-high-risk reads the same candidates the same way (``found_in_candidates``), each agency's own picture
SAME_CANDIDATES = [QUERY, "unrecognised-high-risk"]


@pytest.mark.neo4j
@pytest.mark.parametrize("settings", ["neo4j"], indirect=True)
@pytest.mark.parametrize("name", SAME_CANDIDATES)
def test_neo4j_reads_only_the_cited_evidence_and_gives_the_one_statement_rows(store, corpus, name):
    """Neo4j's own implementation reads the evidence of the reported windows' contacts after it found them; the
    one-statement Cypher that any Cypher store runs cites every item inline. Same rows, on the planted corpus."""
    import dataclasses

    folder, _ = corpus
    store.load([folder])
    query = queries.get(name)
    assert callable(query.implementation(store)) and isinstance(query.cypher, str)
    two_reads = store.run(query)
    one_statement = store.run(dataclasses.replace(query, implementations={}))
    assert two_reads and [r["evidence"] for r in two_reads] == [r["evidence"] for r in one_statement]
    assert json.dumps(two_reads, sort_keys=True) == json.dumps(one_statement, sort_keys=True)


@pytest.mark.neo4j
@pytest.mark.parametrize("settings", ["neo4j"], indirect=True)
@pytest.mark.parametrize("name", SAME_CANDIDATES)
def test_neo4j_marks_its_evidence_as_mark_evidence_does(store, corpus, name):
    """Neo4j's own implementation marks each cited item (text or coded, with the phrases that count) from its own read
    of the contacts; the one-statement Cypher leaves that to ``mark_evidence``. Same marks with signals=coded, and
    after the analyst rejects a text signal of a cited contact (that phrase is no longer given)."""
    import dataclasses

    from dhrgraph.queries.signals import list_signals, reject_signal, restore_signal

    folder, _ = corpus
    store.load([folder])
    query = queries.get(name)
    one = dataclasses.replace(query, implementations={})
    coded = store.run(query, {"signals": "coded"})
    assert coded and json.dumps(coded, sort_keys=True) == json.dumps(store.run(one, {"signals": "coded"}), sort_keys=True)
    assert {e["signal"] for r in coded for e in r["evidence"]} == {"coded"}
    texts = [(r["review"], e) for r in store.run(query) for e in r["evidence"] if e["signal"] == "text"]
    assert texts
    still_cited = 0
    for review, item in texts:  # reject one text signal of a cited contact; some findings no longer stand without it
        [signal, *_] = [s for s in list_signals(store, review=review, uncoded=True)
                        if s["record"] == item["record"] and s["phrase"] in item["phrases"]]
        reject_signal(store, signal["id"])
        rows = store.run(query)
        assert json.dumps(rows, sort_keys=True) == json.dumps(store.run(one), sort_keys=True)
        still = [e for r in rows if r["review"] == review for e in r["evidence"] if e["record"] == item["record"]]
        assert all(signal["phrase"] not in e.get("phrases", ()) for e in still)
        still_cited += bool(still)
        restore_signal(store, signal["id"])
    assert still_cited  # a contact still cited once its text signal is rejected (its other records keep it)
