"""unrecognised-high-risk: high risk one agency's own records showed, never assessed as high nor taken to a MARAC,
on both backends; and how it stands beside missed-marac and joined-up-risk, which each have the other cases."""

from __future__ import annotations

import pytest

from dhrgraph import queries
from helpers import write_review
from test_catalogue import VICTIM_BLAMING

QUERY = "unrecognised-high-risk"
AGENCIES = [
    {"name": "Northbrook Police", "type": "police", "aliases": ""},
    {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""},
    {"name": "Northbrook MARAC", "type": "marac", "aliases": ""},
]
BLANK = {"time": "", "sequence": "", "dash_score": "", "risk_level": "", "risk_factors": "", "referred_to": "", "shared_with": ""}


def contact(date, agency, subject, event, factors="", summary="Recorded.", **extra):
    return dict(BLANK, date=date, agency=agency, subject=subject, event=event, summary=summary, risk_factors=factors, **extra)


# The GP alone holds the red flag of strangulation, threats to kill and a weapon (questions 13, 14 and 15), in two visits.
FIRST = contact("2020-01-10", "Elm Tree Surgery", "Jade", "disclosure", "strangulation;threats_to_kill")
SECOND = contact("2020-02-20", "Elm Tree Surgery", "Jade", "appointment", "weapon")


def run(store, tmp_path, rows, query=QUERY, **params):
    store.load([write_review(tmp_path, chronology=rows, agencies=AGENCIES)])
    return store.run(queries.get(query), params)


def test_one_agencys_red_flag_with_no_assessment_and_no_marac(store, tmp_path):
    [row] = run(store, tmp_path, [FIRST, SECOND])
    assert (row["review"], row["subject"], row["agency"], row["agency_type"], row["date"]) == (
        "rev-a", "Jade", "Elm Tree Surgery", "gp", "2020-02-20")
    assert (row["questions"], row["score"], row["dash"]) == ([13, 14, 15], 3, None)
    assert row["red_flags"] == ["strangulation, threats to kill and a weapon"]
    assert [e["line"] for e in row["evidence"]] == [2, 3]
    assert row["finding"].startswith("In the 365 days up to 2020-02-20, Elm Tree Surgery's own records about Jade held, "
                                     "on the SafeLives Dash risk checklist, the red-flag combination strangulation, "
                                     "threats to kill and a weapon and answers to 3 of its 24 questions (13, 14, 15); ")
    assert "it recorded no DASH risk assessment, it did not grade the risk high" in row["finding"]
    assert not VICTIM_BLAMING.search(row["finding"])
    # the picture is of that agency alone: the police's contact holds none of it and is not cited
    police = contact("2020-02-01", "Northbrook Police", "Jade", "call", "coercive_control")
    [row] = run(store, tmp_path, [FIRST, police, SECOND])
    assert [e["agency"] for e in row["evidence"]] == ["Elm Tree Surgery", "Elm Tree Surgery"]


def test_a_score_below_the_threshold_is_named_and_visible_high_risk_is_missed_maracs(store, tmp_path):
    [row] = run(store, tmp_path, [dict(FIRST, dash_score="9", risk_level="medium"), SECOND])
    assert row["dash"] == 9 and "the highest DASH score it recorded was 9" in row["finding"]
    # a DASH of 14 or a high grading in the window is visible high risk: missed-marac's finding, not this one
    for assessed in (dict(FIRST, dash_score="14"), dict(FIRST, risk_level="high")):
        assert run(store, tmp_path, [assessed, SECOND]) == []
        assert [r["agency"] for r in store.run(queries.get("missed-marac"))] == ["Elm Tree Surgery"]


def test_the_window_the_threshold_and_a_marac_decide(store, tmp_path):
    assert run(store, tmp_path, [FIRST, SECOND], window_days=30) == []  # 41 days apart
    assert [r["date"] for r in run(store, tmp_path, [FIRST, SECOND], window_days=41)] == ["2020-02-20"]
    referral = contact("2020-03-05", "Northbrook Police", "Jade", "referral", referred_to="Northbrook MARAC")
    assert run(store, tmp_path, [FIRST, SECOND, referral]) == []  # 14 days later
    assert len(run(store, tmp_path, [FIRST, SECOND, referral], within_days=7)) == 1
    heard = contact("2020-02-01", "Northbrook MARAC", "Jade", "meeting")
    assert run(store, tmp_path, [FIRST, heard, SECOND]) == []  # heard 19 days before
    # dash_high questions without a red flag: eight of them at dash_high=8, not at 14
    many = [contact("2020-01-10", "Elm Tree Surgery", "Jade", "disclosure",
                    "injury;isolation;mental_health;coercive_control;financial_abuse;sexual_violence;separation"),
            contact("2020-01-20", "Elm Tree Surgery", "Jade", "appointment", "escalation")]
    assert run(store, tmp_path, many) == []
    [row] = run(store, tmp_path, many, dash_high=8)
    assert (row["date"], row["score"], row["red_flags"]) == ("2020-01-20", 8, [])


def test_a_red_flag_split_between_agencies_is_joined_up_risks_not_this(store, tmp_path):
    split = [contact("2020-01-10", "Elm Tree Surgery", "Jade", "disclosure", "separation"),
             contact("2020-02-10", "Northbrook Police", "Jade", "call", "stalking")]
    assert run(store, tmp_path, split) == []
    assert [r["date"] for r in store.run(queries.get("joined-up-risk"))] == ["2020-02-10"]
    # one agency holding both: this query's, and joined-up-risk's no longer (an agency alone held it)
    alone = [split[0], dict(split[1], agency="Elm Tree Surgery")]
    assert [(r["agency"], r["date"]) for r in run(store, tmp_path, alone)] == [("Elm Tree Surgery", "2020-02-10")]
    assert store.run(queries.get("joined-up-risk")) == []


def test_each_agency_is_its_own_finding_at_its_own_first_date(store, tmp_path):
    police = [contact("2020-03-01", "Northbrook Police", "Jade", "incident", "separation"),
              contact("2020-03-15", "Northbrook Police", "Jade", "call", "stalking"),
              contact("2020-04-15", "Northbrook Police", "Jade", "call", "stalking")]
    rows = run(store, tmp_path, [FIRST, SECOND, *police])
    assert [(r["agency"], r["date"]) for r in rows] == [("Elm Tree Surgery", "2020-02-20"), ("Northbrook Police", "2020-03-15")]


def test_a_child_the_abuser_and_what_follows_the_death_are_not_counted(store, tmp_path):
    people = [{"person": "Jade", "role": "victim", "sex": "female", "age": "15", "global_id": ""},
              {"person": "Dean", "role": "perpetrator", "sex": "male", "age": "17", "global_id": ""}]
    relationships = [{"person": "Dean", "other": "Jade", "relationship": "partner", "abusive": "yes"}]
    store.load([write_review(tmp_path, people=people, relationships=relationships, chronology=[FIRST, SECOND],
                             agencies=AGENCIES)])
    assert store.run(queries.get(QUERY)) == []  # MARAC is for adults
    only_dean = [dict(FIRST, subject="Dean"), dict(SECOND, subject="Dean")]
    assert run(store, tmp_path, only_dean) == []  # a picture of the abuser alone is no one's risk
    death = contact("2020-02-01", "Northbrook Police", "Jade; Dean", "death")
    assert run(store, tmp_path, [FIRST, death, SECOND]) == []


# The same two visits as the GP wrote them, with no coded column
TEXT_ONLY = [contact("2020-01-10", "Elm Tree Surgery", "Jade", "disclosure",
                     summary="Jade said Dean had put his hands round her neck and threatened to kill her."),
             contact("2020-02-20", "Elm Tree Surgery", "Jade", "appointment",
                     summary="Jade said Dean keeps a knife in the car and has threatened her with it.")]


def test_the_free_text_twin_gives_the_same_finding_unless_coded_only_or_rejected(store, tmp_path):
    from dhrgraph.queries import triage
    from dhrgraph.queries.signals import reject_signal

    [coded] = run(store, tmp_path, [FIRST, SECOND])
    [text] = run(store, tmp_path, TEXT_ONLY)
    same = ("subject", "agency", "date", "questions", "red_flags", "dash")
    assert {k: text[k] for k in same} == {k: coded[k] for k in same}
    assert [e["signal"] for e in text["evidence"]] == ["text", "text"]
    assert {"hands round her neck", "threatened to kill"} <= set(text["evidence"][0]["phrases"])
    [annotated] = triage.run_query(store, queries.get(QUERY))
    assert annotated["severity"] == "high"  # what the words say counts in the severity too
    assert store.run(queries.get(QUERY), {"signals": "coded"}) == []
    reject_signal(store, "contact:rev-a#3/risk_factor/weapon", note="a knife for his work")
    assert store.run(queries.get(QUERY)) == []


def test_the_examples_answer_key(examples):
    # examples/README.md: in the coded reading the police of Calder Vale and of Northbrook; the summaries add the
    # GPs and the midwives who recorded an injury in pregnancy
    coded = [(r["review"], r["agency"], r["date"], r["red_flags"]) for r in examples.run(queries.get(QUERY), {"signals": "coded"})]
    assert coded == [("dhr-caldervale-2019", "Calder Vale Police", "2019-04-11", ["separation and stalking"]),
                     ("dhr-northbrook-2021", "Northbrook Police", "2021-04-17", ["pregnancy and an incident"])]
    rows = examples.run(queries.get(QUERY))
    assert [(r["review"], r["agency"], r["date"]) for r in rows] == [
        ("dhr-caldervale-2019", "Calder Vale Police", "2019-04-11"),
        ("dhr-caldervale-2019", "Calder Vale General Hospital", "2019-05-20"),
        ("dhr-caldervale-2019", "Millgate Medical Centre", "2019-05-28"),
        ("dhr-fenwick-2022", "Ashgrove Surgery", "2021-06-14"),
        ("dhr-northbrook-2021", "Hollins Road Surgery", "2020-06-23"),
        ("dhr-northbrook-2021", "Northbrook Midwifery Service", "2020-11-17"),
        ("dhr-northbrook-2021", "Northbrook Police", "2021-04-17")]
    [calder] = [r for r in rows if r["agency"] == "Calder Vale Police"]
    assert calder["dash"] == 12 and [e["line"] for e in calder["evidence"]] == [9, 11, 13, 15, 20]


def test_planted_cases_are_found(store, corpus):
    folder, key = corpus
    store.load([folder])
    rows = store.run(queries.get(QUERY))
    found = {(r["review"], r["subject"], r["agency"]): r for r in rows}
    planted = [p for p in key["planted"] if p["query"] == QUERY]
    assert planted
    for plant in planted:
        row = found.get((plant["review"], plant["subject"], plant["agency"]))
        assert row and row["date"] == plant["date"] and row["red_flags"], plant
    # joined-up-risk's cases and near misses hold no agency's own high picture it did not grade high
    joined = {(p["review"], p["subject"]) for p in key["planted"] + key["near_misses"] if p["query"] == "joined-up-risk"}
    assert not [r for r in rows if (r["review"], r["subject"]) in joined]
    assert not [r for r in rows if r["review"] in key["good_practice_reviews"]]


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
def test_both_queries_share_their_candidates_on_one_graph(store, corpus, monkeypatch, tmp_path):
    """On one opened graph (a report runs the catalogue on one) the candidates are made once for both queries,
    per setting of the signals; the rows are those of each query run in a store of its own."""
    from dhrgraph.graph.backends import Settings, open_store
    from dhrgraph.queries import joined

    folder, _ = corpus
    store.load([folder])
    alone = {}
    for name in ("joined-up-risk", QUERY):
        with open_store(Settings(workspace=str(tmp_path / name))) as own:
            own.load([folder])
            alone[name] = own.run(queries.get(name))
    made = []
    build = joined._candidates
    monkeypatch.setattr(joined, "_candidates", lambda G, p: made.append(p["signals"]) or build(G, p))
    store.opened  # noqa: B018  (the whole graph, as a report opens it)
    for name in ("joined-up-risk", QUERY):
        query = queries.get(name)
        assert query.run_bound(store, query.bind({})) == alone[name] and alone[name]
    assert made == ["all"]
    query = queries.get(QUERY)
    query.run_bound(store, query.bind({"signals": "coded"}))
    assert made == ["all", "coded"]
