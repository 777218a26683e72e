"""The catalogue as a whole: both backends give identical rows for every query, every row cites its
evidence and is worded about agencies, planted patterns are found and good practice is left alone."""

from __future__ import annotations

import json
import re

import pytest

from dhrgraph import queries
from helpers import AGENCIES, EXAMPLES, PEOPLE, clear_neo4j, write_review
from dhrgraph.graph.backends import Settings, open_store
from dhrgraph.queries.core import DUMP

ALL = [q.name for q in queries.catalogue()]
# Phrases that put the onus on the victim; findings describe what agencies did.
VICTIM_BLAMING = re.compile(r"declined to engage|refused (help|support|to engage)|failed to (attend|engage|disclose)|"
                            r"non-complian|chose not to|did not engage|would not engage", re.IGNORECASE)


@pytest.fixture(scope="module")
def both(request, tmp_path_factory, corpus):
    """The examples and the synthetic corpus, loaded into an embedded store and into Neo4j."""
    env = request.getfixturevalue("neo4j_env")
    clear_neo4j(env)
    embedded = open_store(Settings(workspace=str(tmp_path_factory.mktemp("ws"))))
    neo4j = open_store(Settings(backend="neo4j", neo4j_uri=env["NEO4J_URI"], neo4j_user=env["NEO4J_USERNAME"],
                                neo4j_password=env["NEO4J_PASSWORD"], neo4j_database=env.get("NEO4J_DATABASE", "neo4j")))
    for store in (embedded, neo4j):
        store.load([EXAMPLES, corpus[0]])
    yield embedded, neo4j
    embedded.close()
    neo4j.close()


@pytest.fixture(scope="module")
def examples_store(tmp_path_factory, corpus):
    store = open_store(Settings(workspace=str(tmp_path_factory.mktemp("ws-examples"))))
    store.load([EXAMPLES, corpus[0]])
    yield store
    store.close()


@pytest.mark.neo4j
@pytest.mark.parametrize("name", ALL)
def test_both_backends_give_identical_rows(both, name):
    embedded, neo4j = both
    rows = embedded.run(queries.get(name))
    assert rows, f"{name} finds nothing in the examples and the synthetic corpus: the comparison would prove nothing"
    assert neo4j.run(queries.get(name)) == rows


@pytest.mark.neo4j
@pytest.mark.parametrize("name", [q.name for q in queries.catalogue() if not q.prepare])
def test_one_review_gives_that_reviews_rows_of_every_review(both, name):
    """A run about one review gives that review's rows of the run over every review, on both backends: Neo4j starts
    from the review when it can (a ``review_cypher``, or the review's relationships first), not from everything."""
    query = queries.get(name)
    assert query.review_cypher is None or (query.review_cypher != query.cypher and "$review" in query.review_cypher)
    compared = 0
    for store in both:
        every = store.run(query, {})
        for review in store.review_names():
            assert store.run(query, {"review": review}) == [row for row in every if row["review"] == review], (review, store.backend)
        compared += len(every)
    assert compared  # the corpus gives each of these queries rows to compare


@pytest.mark.neo4j
def test_both_backends_hold_the_same_graph(both):
    embedded, neo4j = both
    assert neo4j.run(DUMP) == embedded.run(DUMP)


@pytest.mark.neo4j
@pytest.mark.parametrize("source, target, subject", [
    ("Kingsmere Police", "Kingsmere MARAC", None),
    ("Kingsmere Police", "Kingsmere Children's Services", "Ms A"),
    ("NP", "Northbrook CSC", None),
])
def test_paths_agree_and_respect_time(both, source, target, subject):
    embedded, neo4j = both
    review = "dhr-kingsmere-2020" if subject else None
    rows = embedded.paths(source, target, subject=subject, review=review, limit=0)
    assert rows and neo4j.paths(source, target, subject=subject, review=review, limit=0) == rows
    for row in rows:
        hops = row["hops"]
        assert [h["evidence"]["date"] for h in hops] == [h["date"] for h in hops]
        dates = [h["date"].lstrip("?") for h in hops]
        assert dates == sorted(dates), row["route"]
        assert [h["from"] for h in hops[1:]] == [h["to"] for h in hops[:-1]]
        agencies = [hops[0]["from"], *(h["to"] for h in hops)]
        assert len(set(agencies)) == len(agencies)


@pytest.mark.parametrize("name", ALL)
def test_every_row_cites_evidence_and_describes_agencies(examples_store, name):
    rows = examples_store.run(queries.get(name))
    for row in rows:
        assert {"review", "finding", "evidence"} <= set(row)
        assert row["evidence"], row
        for item in row["evidence"]:
            assert {"review", "file", "line", "record", "date", "agency", "event", "summary", "signal"} <= set(item)
            assert item["summary"] is None or len(item["summary"]) <= 200
            assert item["signal"] in ("coded", "text") and (item["signal"] == "text") == bool(item.get("phrases"))
            assert isinstance(item["line"], int) and item["file"]
        assert not VICTIM_BLAMING.search(row["finding"]), row["finding"]


def chronology_row(date: str, agency: str, subject: str, event: str, summary: str, **fields: str) -> dict:
    """One chronology row, its optional columns empty but for ``fields``."""
    return {"date": date, "agency": agency, "subject": subject, "event": event, "summary": summary,
            **dict.fromkeys(("time", "sequence", "dash_score", "risk_level", "risk_factors", "referred_to", "shared_with"), ""),
            **fields}


@pytest.mark.parametrize("name", ALL)
def test_every_row_carries_the_node_ids_it_names(examples_store, name):
    """``ids``: the people the row names, the contacts it cites and their agencies, as node ids (views
    find a finding's nodes by them, never by reading its words); both backends give the same (above)."""
    graph = examples_store.graph()
    rows = examples_store.run(queries.get(name))
    assert rows
    for row in rows:
        ids = row["ids"]
        assert set(ids) == {"people", "agencies", "contacts"} and list(row)[-1] == "ids"
        cited = [graph.nodes[c] for c in ids["contacts"]]
        assert all(c["label"] == "Contact" for c in cited)
        assert [(c["review"], c["file"], c["line"]) for c in cited] == \
            [(e["review"], e["file"], e["line"]) for e in row["evidence"] if e["agency"] is not None]  # not relationship rows
        recorders = {a for c in ids["contacts"] for a, _, d in graph.in_edges(c, data=True) if d["type"] == "RECORDED"}
        assert ids["agencies"] == sorted(recorders)
        assert ids["people"], row["finding"]
        words = json.dumps({k: v for k, v in row.items() if k not in ("ids", "evidence")}, ensure_ascii=False)
        for person in ids["people"]:
            assert graph.nodes[person]["label"] == "Person"
            names = {d["name"] for _, _, d in graph.out_edges(person, data=True) if d["type"] == "IN_REVIEW"}
            assert any(n in words for n in names | {graph.nodes[person].get("global_id")} - {None}), (person, row["finding"])


@pytest.mark.parametrize("name", ALL)
def test_nothing_is_found_in_good_practice_reviews(examples_store, corpus, name):
    good = {"dhr-kingsmere-2020", *corpus[1]["good_practice_reviews"]}
    found = [row for row in examples_store.run(queries.get(name)) if row["review"] in good]
    assert found == []


@pytest.mark.parametrize("name", ["unshared-risk", "fragmented-risk", "victim-perpetrator-divide"])
def test_planted_sharing_failures_are_found(examples_store, corpus, name):
    rows = examples_store.run(queries.get(name))
    planted = [p for p in corpus[1]["planted"] if p["query"] == name]
    assert planted
    for plant in planted:
        matches = [r for r in rows if r["review"] == plant["review"]]
        if name == "unshared-risk":
            matches = [r for r in matches if r["subject"] == plant["subject"] and r["agency"] == plant["agency"]
                       and r["date"] == plant["date"] and set(plant["not_shared_with"]) <= set(r["not_shared_with"])]
        elif name == "fragmented-risk":
            matches = [r for r in matches if plant["subject"] in r["subject"].split(" / ")]
        else:
            matches = [r for r in matches if (r["victim"], r["perpetrator"]) == (plant["victim"], plant["perpetrator"])]
        assert matches, plant


def test_pregnancy_or_separation_alone_holds_no_fragmented_risk(tmp_path, store):
    """A birth recorded by the hospital and the health visitor (pregnancy alone) is no risk held about the baby or the
    mother; pregnancy with an injury is, and so is any other factor alone (mental health)."""
    people = [*PEOPLE, {"person": "Baby B", "role": "child", "sex": "male", "age": "0", "global_id": ""}]
    rows = [
        chronology_row("2020-01-01", "Northbrook Police", "Jade;Dean", "incident",
             "Threats to kill.", risk_factors="threats_to_kill"),
        chronology_row("2020-03-01", "Calder Hospital", "Jade;Baby B", "admission",
             "Gave birth.", risk_factors="pregnancy"),
        chronology_row("2020-03-20", "Northbrook Health Visiting", "Jade;Baby B", "home_visit",
             "New birth visit.", risk_factors="pregnancy"),
    ]
    agencies = [*AGENCIES, {"name": "Calder Hospital", "type": "hospital", "aliases": ""},
                {"name": "Northbrook Health Visiting", "type": "health_visiting", "aliases": ""}]
    write_review(tmp_path / "in", "rev-a", people=people, chronology=rows, agencies=agencies)
    store.load([tmp_path / "in"])
    assert store.run(queries.get("fragmented-risk")) == []
    rows[1] = dict(rows[1], risk_factors="pregnancy;injury")
    rows[2] = dict(rows[2], risk_factors="pregnancy;mental_health")
    write_review(tmp_path / "in", "rev-a", people=people, chronology=rows, agencies=agencies)
    store.load([tmp_path / "in"])
    found = {r["subject"]: r["groups"] for r in store.run(queries.get("fragmented-risk"))}
    assert found == {
        "Baby B": [{"agencies": ["Calder Hospital"], "factors": ["injury", "pregnancy"]},
                   {"agencies": ["Northbrook Health Visiting"], "factors": ["mental_health", "pregnancy"]}],
        "Jade": [{"agencies": ["Calder Hospital"], "factors": ["injury", "pregnancy"]},
                 {"agencies": ["Northbrook Health Visiting"], "factors": ["mental_health", "pregnancy"]},
                 {"agencies": ["Northbrook Police"], "factors": ["threats_to_kill"]}]}


def test_unshared_risk_on_the_examples(examples_store):
    rows = [r for r in examples_store.run(queries.get("unshared-risk"), {"review": "dhr-northbrook-2021"})
            if r["subject"] == "Jade" and r["date"] == "2020-03-11"]
    [row] = rows
    assert row["agency"] == "Northbrook Police" and row["risk"][:2] == ["DASH 15", "risk level high"]
    assert row["not_shared_with"] == ["Hollins Road Surgery", "Northbrook Midwifery Service"]
    assert [e["line"] for e in row["evidence"]] == [13, 18, 23]


def test_a_share_reaches_through_a_chain_in_time_order(tmp_path, store):
    rows = [
        chronology_row("2020-01-01", "Northbrook Police", "Jade", "incident", "Threat to kill.",
             risk_factors="threats_to_kill", referred_to="Northbrook MARAC"),
        chronology_row("2020-01-10", "Northbrook MARAC", "Jade", "meeting", "MARAC heard the case.",
             shared_with="Elm Tree Surgery"),
        chronology_row("2020-02-01", "Elm Tree Surgery", "Jade", "appointment", "Seen by GP."),
        chronology_row("2020-02-02", "Hollins Road Surgery", "Jade", "appointment", "Seen by other GP."),
    ]
    store.load([write_review(tmp_path, chronology=rows, agencies=[
        {"name": "Northbrook Police", "type": "police", "aliases": ""}, {"name": "Northbrook MARAC", "type": "marac", "aliases": ""},
        {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""}, {"name": "Hollins Road Surgery", "type": "gp", "aliases": ""}])])
    [row] = store.run(queries.get("unshared-risk"))
    assert row["not_shared_with"] == ["Hollins Road Surgery"]  # the surgery reached through the MARAC is not listed
    # the same chain in the wrong order (the MARAC shared before it heard of the risk) carries nothing
    rows[1]["date"] = "2019-12-31"
    store.load([write_review(tmp_path, chronology=rows)])
    [row] = store.run(queries.get("unshared-risk"))
    assert row["not_shared_with"] == ["Elm Tree Surgery", "Hollins Road Surgery"]
    assert store.run(queries.get("unshared-risk"), {"window_days": 20}) == []  # both surgeries saw her after 20 days


def test_a_referral_told_by_its_receiver_reaches_it(tmp_path, store):
    """"IDVA referral received from police" in the IDVA's own record: the police's risk reached the IDVA service (a
    flow from the police to it, at that contact), in unshared-risk, fragmented-risk and victim-perpetrator-divide alike;
    not under --signals coded, nor once the reading is rejected."""
    from dhrgraph.queries.signals import reject_signal

    rows = [
        chronology_row("2020-01-01", "Northbrook Police", "Jade;Dean", "incident",
             "Threat to kill.", risk_factors="threats_to_kill"),
        chronology_row("2020-01-10", "Northbrook IDVA Service", "Jade", "call",
             "IDVA referral received from police. Jade spoken to.", risk_factors="coercive_control"),
        chronology_row("2020-02-01", "Elm Tree Surgery", "Jade", "appointment",
             "Seen by GP.", risk_factors="mental_health"),
    ]
    agencies = [{"name": "Northbrook Police", "type": "police", "aliases": ""},
                {"name": "Northbrook IDVA Service", "type": "da_service", "aliases": ""},
                {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""}]
    store.load([write_review(tmp_path, chronology=rows, agencies=agencies)])

    def found(**params):
        unshared = [(r["agency"], r["date"], r["not_shared_with"]) for r in store.run(queries.get("unshared-risk"), params)
                    if r["subject"] == "Jade"]
        fragmented = [g["agencies"] for r in store.run(queries.get("fragmented-risk"), params) if r["subject"] == "Jade"
                      for g in r["groups"]]
        return unshared, fragmented

    assert found() == ([("Northbrook Police", "2020-01-01", ["Elm Tree Surgery"])],
                       [["Elm Tree Surgery"], ["Northbrook IDVA Service", "Northbrook Police"]])
    before = ([("Northbrook Police", "2020-01-01", ["Elm Tree Surgery", "Northbrook IDVA Service"])],
              [["Elm Tree Surgery"], ["Northbrook IDVA Service"], ["Northbrook Police"]])
    assert found(signals="coded") == before
    reject_signal(store, "contact:rev-a#3/referred_by/Northbrook Police")
    assert found() == before


def test_unknown_query_and_parameter_list_the_valid_ones(tmp_path, cli):
    cli("load", str(write_review(tmp_path)))
    result = cli("query", "missed-maracs")
    assert result.exit_code == 1
    assert "Unknown query 'missed-maracs'. Closest: missed-marac. Available: " in result.stderr and "unshared-risk" in result.stderr
    result = cli("query", "unshared-risk", "--param", "window=3")
    assert result.exit_code == 1
    assert "Unknown parameter(s) window for query 'unshared-risk'. Valid: review, signals, window_days, dash_high" in result.stderr
    result = cli("query", "unshared-risk", "--param", "window_days=soon")
    assert result.exit_code == 1 and "parameter 'window_days' must be int, got 'soon'" in result.stderr


def test_query_json_is_an_array_even_when_empty(tmp_path, cli):
    cli("load", str(write_review(tmp_path)))
    result = cli("query", "victim-perpetrator-divide", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    listing = json.loads(cli("queries", "--format", "json").stdout)
    assert [q["name"] for q in listing] == ALL
    assert all(q["title"] and q["description"] and isinstance(q["parameters"], list) for q in listing)


def test_path_json_and_unknown_agency(tmp_path, cli):
    cli("load", str(write_review(tmp_path)))
    result = cli("path", "Elm Tree Surgery", "Northbrook MARAC", "--format", "json")
    [path] = json.loads(result.stdout)
    assert path["hops"] == [{"from": "Elm Tree Surgery", "to": "Northbrook MARAC", "date": "2019", "kind": "referral",
                             "signal": "coded", "about": ["Dean"],
                             "evidence": {"review": "rev-a", "file": "rev-a/chronology.csv", "line": 5, "record": 5,
                                          "date": "2019", "agency": "Elm Tree Surgery", "event": "appointment",
                                          "summary": "Annual review.", "risk_level": None, "dash_score": None,
                                          "risk_factors": []}}]
    assert json.loads(cli("path", "NP", "Elm Tree Surgery", "--format", "json").stdout) == []
    result = cli("path", "Northbrook Polise", "Elm Tree Surgery")
    assert result.exit_code == 1
    assert "No agency 'Northbrook Polise'. Similar names: Northbrook Police, Northbrook MARAC" in result.stderr


def test_findings_report_markdown_and_html(tmp_path, cli):
    cli("load", str(EXAMPLES))
    markdown = cli("findings", "--review", "dhr-ashworth-2022").stdout
    assert markdown.startswith("# dhrgraph findings: review dhr-ashworth-2022")
    assert "dhr-kingsmere-2020" not in markdown and "dhr-ashworth-2022/chronology.csv record 16" in markdown
    report = tmp_path / "report.html"
    result = cli("findings", "--output", str(report))
    assert result.exit_code == 0
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "unshared-risk" in page
    assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:)?//", page)
    for name in ALL:
        assert f"id='{name}'" in page


@pytest.mark.neo4j
def test_one_review_gives_the_serial_perpetrators_with_a_record_in_it(both):
    """serial-perpetrators' rows cross reviews on purpose: one review gives every row of the run over every review
    that lists it among the perpetrator's reviews (``other_reviews`` then naming the rest). Neo4j starts from the
    review's people and every record the identity map joins to them (its ``review_cypher``)."""
    query = queries.get("serial-perpetrators")
    assert query.review_cypher is not None and "$members" in query.review_cypher
    crossing = 0
    for store in both:
        every = store.run(query, {})
        crossing += sum(len(row["reviews"]) > 1 for row in every)
        for review in store.review_names():
            expected = [{**row, "other_reviews": [r for r in row["reviews"] if r != review]} for row in every if review in row["reviews"]]
            assert store.run(query, {"review": review}) == expected, (review, store.backend)
    assert crossing  # the corpus has perpetrators joined across reviews: the identity map's records are followed
