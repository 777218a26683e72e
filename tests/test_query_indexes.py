"""The indexes the NetworkX implementations read instead of rescanning a person's contacts (queries/common.py:
``contacts_in_review``, ``flows_in_review``) hold what their definitions say, and the queries that skip to a date
window by bisecting (unshared-risk, professional-churn) give the rows of a scan of every contact. Embedded only:
these are the NetworkX side's own structures (tests/test_catalogue.py compares the rows with the Cypher's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dhrgraph import queries, synth
from dhrgraph.graph.embedded import EmbeddedStore, _model
from dhrgraph.graph.store import Store
from dhrgraph.queries import common, continuity

from helpers import EXAMPLES


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("indexes")
    # combined layout: people known in several reviews by global_id, and read (text) flows
    synth.generate(base / "corpus", reviews=24, seed=5, layout="combined")
    ws = base / "ws"
    EmbeddedStore(ws).load([base / "corpus"])
    return ws


@pytest.fixture(scope="module")
def examples_workspace(tmp_path_factory) -> Path:
    ws = tmp_path_factory.mktemp("indexes-examples") / "ws"  # the examples: flows read from the text
    EmbeddedStore(ws).load([EXAMPLES])
    return ws


def _signal_settings(G) -> list[dict | None]:
    read = sorted({d.get("signal") for ends in G._succ.values() for keys in ends.values() for d in keys.values()
                   if d["type"] in common.FLOW_TYPES and d.get("signal")})
    return [None, {"signals": "all", "rejected_signals": []}, {"signals": "coded", "rejected_signals": []},
            {"signals": "all", "rejected_signals": read[: len(read) // 2 + 1]}]


def test_contacts_in_review_is_contacts_by_person_split_by_review(workspace):
    G = _model(EmbeddedStore(workspace).opened)
    index, by_person = common.contacts_in_review(G), common.contacts_by_person(G)
    expected: dict[tuple[str, str], list] = {}
    for person, pairs in by_person.items():
        for pair in pairs:
            expected.setdefault((person, pair[0]["review"]), []).append(pair)
    assert list(index) == list(expected) and len({review for _, review in index}) > 1
    global_people = {person for person, _ in index if person.startswith("person:global:")}
    assert any(sum(1 for p, _ in index if p == person) > 1 for person in global_people)
    for key, (pairs, dates) in index.items():
        assert pairs == expected[key]
        assert dates == [c["date"] for c, _ in pairs]  # synth's dates are ISO and in chronology order


def test_contacts_in_review_gives_no_dates_when_they_are_out_of_order():
    assert common.dates_in_order(["2020-01-01", "2020-01-01", "2020-02-03"])
    assert not common.dates_in_order(["2020-02-01", "2020-01-01"])
    assert not common.dates_in_order(["2020-1-1", "2020-01-02"])  # not 10-character ISO: text order is not date order
    assert not common.dates_in_order([None, "2020-01-02"])


@pytest.mark.parametrize("which", ["workspace", "examples_workspace"])
def test_flows_in_review_are_flows_about_split_by_review(request, which):
    G = _model(EmbeddedStore(request.getfixturevalue(which)).opened)
    people = G.by_label("Person")
    checked, read = 0, 0
    for p in _signal_settings(G):
        for person in people:
            flows = common.flows_about(G, person, p)
            for review in {G._node[cid]["review"] for *_, cid in flows} | {"no such review"}:
                expected = [f for f in flows if G._node[f[3]]["review"] == review]
                assert common.flows_in_review(G, person, review, p) == expected
                checked += len(expected)
                # a flow read from the text: its relationship to the agency it went to, or (received, REFERRED_BY) to
                # the one it came from
                read += sum(1 for _, start, end, cid in expected
                            if any(d.get("signal") for a in (start, end) for d in G._succ[cid].get(a, {}).values()))
    assert checked and (read or which == "workspace")  # the examples have flows read from the text


@pytest.mark.parametrize("name, settings", [
    ("unshared-risk", [{"window_days": days} for days in (1, 2, 3, 5, 7, 10, 14, 21, 30, 60, 90, 180, 400)]),
    ("professional-churn", [{"years": years, "min_professionals": 2} for years in (1, 2, 3, 5)]),
])
def test_a_query_that_bisects_dates_gives_the_rows_of_a_scan(workspace, monkeypatch, name, settings):
    query = queries.get(name)
    bisected = [Store._run_bound(EmbeddedStore(workspace), query, query.bind(params)) for params in settings]
    # dates never in order: every contact of the person (in the review) is tested
    monkeypatch.setattr(common, "dates_in_order", lambda dates: False)
    monkeypatch.setattr(continuity, "dates_in_order", lambda dates: False)
    scanned = [Store._run_bound(EmbeddedStore(workspace), query, query.bind(params)) for params in settings]
    assert bisected == scanned and all(scanned)
