"""Who is who (issue 14): identifying details, `dhrgraph link`, `same` / `different` / `identities`,
and serial-perpetrators following people across reviews. On both backends through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dhrgraph import synth
from helpers import CHRONOLOGY, EXAMPLES, RELATIONSHIPS, cli_args, write_review
from dhrgraph.graph.backends import Settings, open_store
from dhrgraph.graph.transfer import export_workspace, import_workspace

# Review A: Dean, with the details the police recorded.
DEAN = {"person": "Dean", "role": "perpetrator", "sex": "male", "age": "33", "global_id": "",
        "aliases": "Dean Smith; Deano", "dob": "1984-07-02", "postcode": "b12 9qt", "identifiers": "PNC: 84/123456A"}
PEOPLE_A = [{"person": "Jade", "role": "victim", "sex": "female", "age": "29", "global_id": "", "aliases": "Jade Brown",
             "dob": "1991-03-05", "postcode": "", "identifiers": ""},
            DEAN,
            {"person": "Child A", "role": "child", "sex": "female", "age": "4", "global_id": "", "aliases": "",
             "dob": "", "postcode": "", "identifiers": ""}]
# Review B, years later in another area: probation's "Mr D Smyth", dob with day and month swapped.
PEOPLE_B = [{"person": "Lauren", "role": "victim", "sex": "female", "age": "31", "global_id": "", "aliases": "Lauren Hill",
             "dob": "1990", "postcode": "", "identifiers": ""},
            {"person": "Mr K", "role": "perpetrator", "sex": "male", "age": "38", "global_id": "", "aliases": "Mr D Smyth",
             "dob": "07/02/1984", "postcode": "LS1", "identifiers": ""}]
# Review C: a man with Dean's name at Dean's address, born a generation earlier: his father.
PEOPLE_C = [{"person": "Ms P", "role": "victim", "sex": "female", "age": "60", "global_id": "", "aliases": "",
             "dob": "", "postcode": "", "identifiers": ""},
            {"person": "Mr Q", "role": "perpetrator", "sex": "male", "age": "63", "global_id": "", "aliases": "Dean Smith",
             "dob": "1959-03-01", "postcode": "B12 9QT", "identifiers": ""}]
DEAN_A, DEAN_B, FATHER = "rev-a/Dean", "rev-b/Mr K", "rev-c/Mr Q"
SENSITIVE = ("Dean Smith", "Deano", "Smyth", "1984", "B12", "9QT", "84/123456A", "Jade Brown", "LS1", "Lauren Hill")


def _renamed(rows: list[dict], names: dict[str, str]) -> list[dict]:
    out = []
    for row in rows:
        row = dict(row)
        for key in ("subject", "person", "other", "summary"):
            if key in row:
                for old, new in names.items():
                    row[key] = row[key].replace(old, new)
        out.append(row)
    return out


def write_reviews(root: Path) -> list[Path]:
    b = {"Jade": "Lauren", "Dean": "Mr K"}
    c = {"Jade": "Ms P", "Dean": "Mr Q"}
    return [write_review(root, "rev-a", people=PEOPLE_A),
            write_review(root, "rev-b", people=PEOPLE_B, relationships=_renamed(RELATIONSHIPS[:1], b),
                         chronology=_renamed(CHRONOLOGY, b)),
            write_review(root, "rev-c", people=PEOPLE_C, relationships=_renamed(RELATIONSHIPS[:1], c),
                         chronology=_renamed(CHRONOLOGY, c))]


@pytest.fixture
def three(tmp_path, cli):
    """The CLI with reviews A, B and C loaded."""
    result = cli("load", *map(str, write_reviews(tmp_path / "in")))
    assert result.exit_code == 0, result.output
    return cli


def _json(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _pairs(rows: list[dict]) -> set[frozenset]:
    return {frozenset(f"{r[s]['review']}/{r[s]['person']}" for s in ("left", "right")) for r in rows}


# --- identifying details in people.csv ----------------------------------------------------------

@pytest.mark.parametrize("column, text, allowed", [
    ("dob", "2nd July 84", "YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY"),
    ("postcode", "Flat 2, 9 Hill St", "UK postcode, full (B12 9QT) or its district (B12)"),
    ("identifiers", "84/123456A", "scheme:value"),
])
def test_a_bad_identifying_detail_names_file_line_and_column_but_never_its_value(tmp_path, cli, column, text, allowed):
    people = [dict(p) for p in PEOPLE_A]
    people[1][column] = text
    folder = write_review(tmp_path, people=people)
    result = cli("load", str(folder))
    assert result.exit_code == 1
    number = list(people[1]).index(column) + 1
    [line] = [x for x in result.stderr.splitlines() if x.startswith(f"{folder / 'people.csv'}:3:{number}: column '{column}': ")]
    assert allowed in line
    assert text not in result.output and text.split()[0] not in line.split(":", 3)[3]
    assert "nothing was loaded" in result.stderr


def test_an_alias_naming_two_people_is_refused_without_repeating_it(tmp_path, cli):
    people = [dict(p) for p in PEOPLE_A]
    people[0]["aliases"] = "Dean Smith"
    result = cli("load", str(write_review(tmp_path, people=people)))
    assert result.exit_code == 1
    assert "people.csv:3:6: column 'aliases': an alias of 'Dean' also names 'Jade'" in result.stderr
    assert "Dean Smith" not in result.output


def test_a_chronology_subject_may_be_any_alias(tmp_path, store):
    rows = [dict(r) for r in CHRONOLOGY]
    rows[1]["subject"] = "deano"  # any case and spacing
    rows[3]["subject"] = "Jade Brown; Dean Smith"
    store.load([write_review(tmp_path, people=PEOPLE_A, chronology=rows)])
    dean = store.timeline("Dean", "rev-a")
    assert [(r["date"], r["event"]) for r in dean] == [("2019", "appointment"), ("2019-03-04", "incident"), ("2019-03-04", "arrest")]
    assert len(store.timeline("Jade", "rev-a")) == 3


def test_identifying_details_are_kept_in_canonical_form(tmp_path, store):
    from dhrgraph.queries.identity import person_records

    store.load(write_reviews(tmp_path))
    records = {f"{r['review']}/{r['person']}": r for r in person_records(store)}
    dean, mr_k = records[DEAN_A], records[DEAN_B]
    assert (dean["aliases"], dean["dob"], dean["postcode"], dean["identifiers"]) == \
        (["Dean Smith", "Deano"], "1984-07-02", "B12 9QT", ["pnc:84/123456A"])
    assert (mr_k["dob"], mr_k["postcode"], mr_k["abuser"]) == ("1984-02-07", "LS1", True)
    assert [x["name"] for x in dean["relatives"]] == ["Jade"]
    assert sorted(x["name"] for x in records["rev-a/Jade"]["relatives"]) == ["Child A", "Dean"]


def test_identifying_details_never_reach_redacted_output(tmp_path, three):
    out = tmp_path / "out"
    for command in (["viz", "--review", "rev-a", "--redact", "--output", str(out / "review.html")],
                    ["viz", "--person", "Dean", "--review", "rev-a", "--redact", "--output", str(out / "person.html")],
                    ["timeline", "Dean", "--review", "rev-a", "--redact", "--output", str(out / "timeline.html")],
                    ["link", "--min-probability", "0", "--redact", "--output", str(out / "pairs.html")]):
        result = three(*command)
        assert result.exit_code == 0, result.output
    for page in out.iterdir():
        text = page.read_text(encoding="utf-8")
        assert [s for s in SENSITIVE if s in text] == [], page.name
    # and not in findings or query rows either, redacted or not: they are no property a finding reads
    for command in (["findings"], ["query", "serial-perpetrators", "--format", "json"]):
        result = three(*command)
        assert [s for s in SENSITIVE if s in result.output] == [], command


# --- link ------------------------------------------------------------------------------------------

def test_link_proposes_the_same_man_and_not_his_father(three):
    rows = _json(three("link", "--format", "json"))
    assert _pairs(rows) == {frozenset((DEAN_A, DEAN_B))}
    [row] = rows
    assert set(row) == {"left", "right", "probability", "reasons"}
    assert row["left"] == {"review": "rev-a", "person": "Dean"} and row["right"] == {"review": "rev-b", "person": "Mr K"}
    assert 0.5 <= row["probability"] < 1
    assert row["reasons"][:3] == ["forename initial", row["reasons"][1], "dob day and month swapped"]
    assert row["reasons"][1].startswith("surname Jaro-Winkler 0.")
    assert "postcode different" in row["reasons"]
    # the father is compared (same name, same address) and scores low: his dob is 25 years apart
    everything = _json(three("link", "--format", "json", "--min-probability", "0"))
    father = [r for r in everything if _pairs([r]) == {frozenset((DEAN_A, FATHER))}]
    assert father and father[0]["probability"] < 0.5 and "dob 10 or more years apart" in father[0]["reasons"]
    assert "postcode same" in father[0]["reasons"]


def test_link_filters_by_review_and_threshold_and_renders_every_format(three):
    assert _json(three("link", "--review", "rev-c", "--format", "json")) == []
    assert _pairs(_json(three("link", "--review", "rev-b", "--format", "json"))) == {frozenset((DEAN_A, DEAN_B))}
    assert _json(three("link", "--min-probability", "0.9999", "--format", "json")) == []
    csv = three("link", "--format", "csv")
    assert csv.stdout.splitlines()[0] == "left_review,left_person,right_review,right_person,probability,reasons"
    assert csv.stdout.splitlines()[1].startswith("rev-a,Dean,rev-b,Mr K,0.")
    table = three("link")
    assert "forename initial; surname Jaro-Winkler" in table.stdout
    unknown = three("link", "--review", "rev-bb")
    assert unknown.exit_code == 1 and "No review 'rev-bb'. Closest: rev-b" in unknown.output


# --- decisions -------------------------------------------------------------------------------------

def test_same_different_and_identities(three):
    recorded = three("same", DEAN_A, DEAN_B, "--note", "PNC check by probation")
    assert recorded.exit_code == 0, recorded.output
    assert recorded.stdout == "Recorded: rev-a/Dean and rev-b/Mr K are the same person.\n"
    assert _json(three("link", "--format", "json", "--min-probability", "0")) != [] and \
        frozenset((DEAN_A, DEAN_B)) not in _pairs(_json(three("link", "--format", "json", "--min-probability", "0")))
    listed = _json(three("identities", "--format", "json"))
    assert [(d["decision"], d["left"], d["right"], d["note"], d["loaded"]) for d in listed] == \
        [("same", DEAN_A, DEAN_B, "PNC check by probation", True)]
    # the opposite decision for the same pair is refused, naming the earlier one
    refused = three("different", DEAN_B, DEAN_A)
    assert refused.exit_code == 1
    assert "already decided: same rev-a/Dean rev-b/Mr K on " in refused.output and "(PNC check by probation)" in refused.output
    # and so is one that contradicts it through another decision
    assert three("same", DEAN_B, FATHER).exit_code == 0
    chained = three("different", DEAN_A, FATHER)
    assert chained.exit_code == 1 and "already one person through earlier decisions" in chained.output


def test_a_pair_decided_different_is_never_proposed_again(three):
    assert three("different", DEAN_A, DEAN_B, "--note", "different PNC").exit_code == 0
    everything = _pairs(_json(three("link", "--format", "json", "--min-probability", "0")))
    assert frozenset((DEAN_A, FATHER)) in everything and frozenset((DEAN_A, DEAN_B)) not in everything
    refused = three("same", DEAN_A, DEAN_B)
    assert refused.exit_code == 1 and "already decided: different rev-a/Dean rev-b/Mr K" in refused.output


def test_an_unknown_person_names_the_closest(three):
    result = three("same", "rev-a/Deen", DEAN_B)
    assert result.exit_code == 1
    assert "No person 'rev-a/Deen' in the loaded reviews. Closest: rev-a/Dean" in result.output
    bare = three("same", "Dean", DEAN_B)
    assert bare.exit_code == 1 and "REVIEW/PERSON" in bare.output
    assert three("same", DEAN_A, "REV-A/dean").exit_code == 1  # one record twice


# --- serial-perpetrators follows identities ---------------------------------------------------------

def _serial(cli) -> list[dict]:
    return _json(cli("query", "serial-perpetrators", "--format", "json"))


def test_serial_perpetrator_probable_then_confirmed_then_gone_and_kept_across_reload_and_transfer(tmp_path, settings, three):
    [row] = _serial(three)
    assert row["linked_by"] == "probable"
    assert row["pair"] == {"left": {"review": "rev-a", "person": "Dean"}, "right": {"review": "rev-b", "person": "Mr K"}}
    assert 0.5 <= row["probability"] < 1
    assert row["reviews"] == ["rev-a", "rev-b"] and row["other_reviews"] == [x for x in row["reviews"] if x != row["review"]]
    assert [(v["name"], v["review"]) for v in row["victims"]] == [("Jade", "rev-a"), ("Lauren", "rev-b")]
    assert "probably one person (probability" in row["finding"]
    assert _json(three("query", "serial-perpetrators", "--param", "probable=no", "--format", "json")) == []

    assert three("same", DEAN_A, DEAN_B).exit_code == 0
    [row] = _serial(three)
    assert (row["linked_by"], row["probability"], row["pair"]) == ("confirmed", None, None)
    assert row["finding"].startswith("Dean (Dean / Mr K) abused 2 different people across 2 reviews: Jade (rev-a) and Lauren (rev-b).")

    # kept when the reviews are loaded again, and carried by export and import
    assert three("load", *map(str, write_reviews(tmp_path / "again"))).exit_code == 0
    assert [r["linked_by"] for r in _serial(three)] == ["confirmed"]
    with open_store(settings) as store:
        export_workspace(store, tmp_path / "exported")
    fresh = Settings(workspace=str(tmp_path / "fresh"))
    with open_store(fresh) as other:
        import_workspace(other, tmp_path / "exported")
        from dhrgraph.queries import get
        assert [r["linked_by"] for r in other.run(get("serial-perpetrators"))] == ["confirmed"]
        assert [d["decision"] for d in other.decisions("identity")] == ["same"]


def test_serial_perpetrator_gone_after_different(three):
    assert three("different", DEAN_A, DEAN_B, "--note", "two men").exit_code == 0
    assert _serial(three) == []


def test_serial_perpetrators_on_the_examples_keeps_global_ids(examples):
    from dhrgraph.queries import get

    [row] = examples.run(get("serial-perpetrators"))
    assert (row["perpetrator"], row["linked_by"], row["probability"], row["pair"]) == ("P-0417", "global_id", None, None)
    assert row["victims"] == [
        {"name": "Jade", "review": "dhr-northbrook-2021", "records": [{"name": "Jade", "review": "dhr-northbrook-2021"}]},
        {"name": "Lauren", "review": "dhr-caldervale-2019", "records": [{"name": "Lauren", "review": "dhr-caldervale-2019"},
                                                                       {"name": "Ms L", "review": "dhr-northbrook-2021"}]}]
    assert row["other_reviews"] == ["dhr-caldervale-2019"]


# --- both backends give the same proposals ------------------------------------------------------------

@pytest.mark.neo4j
def test_both_backends_propose_the_same_pairs_and_group_alike(tmp_path, neo4j_env):
    from helpers import clear_neo4j
    from dhrgraph.queries import get
    from dhrgraph.queries.identity import link

    synth.generate(tmp_path / "corpus", reviews=40, seed=11)
    clear_neo4j(neo4j_env)
    neo4j = Settings(backend="neo4j", neo4j_uri=neo4j_env["NEO4J_URI"], neo4j_user=neo4j_env["NEO4J_USERNAME"],
                     neo4j_password=neo4j_env["NEO4J_PASSWORD"], neo4j_database=neo4j_env.get("NEO4J_DATABASE", "neo4j"))
    results = []
    for settings in (Settings(workspace=str(tmp_path / "ws")), neo4j):
        with open_store(settings) as store:
            store.load([tmp_path / "corpus"])
            results.append((link(store, 0.01), store.run(get("serial-perpetrators"))))
    assert results[0][0] and results[0] == results[1]


# --- synth plants the hard cases ----------------------------------------------------------------------

def test_synth_plants_hard_cases_that_link_finds_and_look_alikes_it_leaves(tmp_path, store):
    from dhrgraph.queries.identity import link

    synth.generate(tmp_path / "corpus", reviews=120, seed=4)
    key = json.loads((tmp_path / "corpus" / "answer_key.json").read_text(encoding="utf-8"))["identities"]
    kinds = " ".join(c["kind"] for c in key["same"])
    assert "serial perpetrator without a global_id" in kinds and "duplicate record in one review" in kinds
    assert {c["kind"] for c in key["different"]} == {"same name, another dob", "father and son"}
    store.load([tmp_path / "corpus"])
    found = _pairs(link(store))
    same = _pairs(key["same"])
    assert len(found & same) >= 0.9 * len(same)
    assert found & _pairs(key["different"]) == set()
    # the planted serial perpetrators without a global_id are reported, as probable
    from dhrgraph.queries import get
    rows = store.run(get("serial-perpetrators"))
    for planted in key["serial"]:
        assert any(set(planted["reviews"]) <= set(r["reviews"]) and r["linked_by"] == "probable" for r in rows), planted


# --- unidentified-people suggests who they may be -------------------------------------------------------

def test_an_unidentified_girlfriend_may_be_a_known_partner_of_the_man_she_was_mentioned_with(examples):
    from dhrgraph.queries import get

    [row] = examples.run(get("unidentified-people"))
    assert row["person"] == "Unnamed girlfriend"
    # mentioned with Mr K (P-0417): his ex-partner Lauren there, and Dean's partners in Northbrook (one node)
    assert [(x["name"], x["review"], x["partner_of"]["name"]) for x in row["may_be"]] == [
        ("Lauren", "dhr-caldervale-2019", "Mr K"), ("Jade", "dhr-northbrook-2021", "Dean"), ("Ms L", "dhr-northbrook-2021", "Dean")]


def test_a_same_decision_widens_the_suggestions_to_the_other_review(tmp_path, store):
    from dhrgraph.queries import get
    from dhrgraph.queries.identity import decide

    people_b = PEOPLE_B + [{"person": "Unnamed girlfriend", "role": "other", "sex": "female", "age": "", "global_id": "",
                            "identified": "no", "aliases": "", "dob": "", "postcode": "", "identifiers": ""}]
    rows = _renamed(CHRONOLOGY, {"Jade": "Lauren", "Dean": "Mr K"})
    rows[1]["subject"] = "Mr K; Unnamed girlfriend"
    folders = write_reviews(tmp_path / "in")
    store.load([folders[0], write_review(tmp_path / "b", "rev-b", people=people_b,
                                         relationships=_renamed(RELATIONSHIPS[:1], {"Jade": "Lauren", "Dean": "Mr K"}),
                                         chronology=rows)])
    suggested = lambda: [(x["name"], x["review"]) for x in store.run(get("unidentified-people"))[0]["may_be"]]  # noqa: E731
    assert suggested() == [("Lauren", "rev-b")]
    decide(store, DEAN_A, DEAN_B, "same")
    assert suggested() == [("Jade", "rev-a"), ("Lauren", "rev-b")]
