"""Answers kept in the Neo4j database (issue 16): the catalogue's rows over every review, their finding ids and
the identity map, kept beside the graph so that the first `query` or `findings` after a load reads them.

A kept answer is keyed by the graph's stamp (a generation every dhrgraph write sets anew, and the count store's
numbers of nodes and relationships, which a write made elsewhere moves), the inputs and the code. It must never
outlive what it was computed from: a load, `cypher --write`, a node added from another client, a rejected signal
and a damaged part each make it computed again; a triage decision does not (the status is added after the run).
Everything here runs on the session's real server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import clear_neo4j
from dhrgraph import queries, synth
from dhrgraph.graph import neo4j_store
from dhrgraph.graph.backends import Settings, open_store
from dhrgraph.graph.neo4j_store import Neo4jStore

pytestmark = pytest.mark.neo4j

QUERY = "unshared-risk"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("neo4j-answers") / "corpus"
    synth.generate(folder, reviews=10, seed=7, layout="combined")
    return folder


@pytest.fixture()
def env(neo4j_env, corpus) -> dict:
    clear_neo4j(neo4j_env)
    with _open(neo4j_env) as store:
        store.load([corpus])
    return neo4j_env


def _open(env: dict) -> Neo4jStore:
    return open_store(Settings.from_env(env, backend="neo4j"))


@pytest.fixture()
def ran(monkeypatch) -> list[str]:
    """The names of the queries whose Cypher (or Neo4j implementation) ran: not read from what was kept."""
    names: list[str] = []
    run = Neo4jStore._run
    monkeypatch.setattr(Neo4jStore, "_run", lambda self, query, implementation, params: names.append(query.name)
                        or run(self, query, implementation, params))
    return names


def _computed(store: Neo4jStore, query: str, params: dict | None = None) -> list[dict]:
    """The query's rows computed afresh, nothing read or kept."""
    store.remembered = lambda name, inputs, compute, valid=None: compute()
    try:
        return store.run(queries.get(query), params or {})
    finally:
        del store.remembered


def _kept(store: Neo4jStore) -> list[str]:
    return sorted({row["name"] for row in store.read(f"MATCH (a:{neo4j_store.ANSWER_LABEL}) RETURN a.name AS name")})


def _cli(env: dict, *command: str):
    from dhrgraph.cli import main

    return CliRunner().invoke(main, ["--backend", "neo4j", *command], env=env, catch_exceptions=False)


def test_every_catalogue_query_over_every_review_is_kept_exactly(env, ran):
    every = list(queries.catalogue())
    with _open(env) as store:
        expected = {q.name: _computed(store, q.name) for q in every}
        assert sum(map(len, expected.values())) > 20
        for attempt in ("cold", "warm"):
            ran.clear()
            assert {q.name: store.run(q, {}) for q in every} == expected, attempt
            # cold: each query once (and the person records each identity map is made from); warm: none
            assert sorted(n for n in ran if n in expected) == (sorted(expected) if attempt == "cold" else []), attempt
            assert attempt == "cold" or ran == []
        kept = _kept(store)
    assert {q.name for q in every} <= {name.split("-", 1)[1].rsplit("-", 1)[0] for name in kept if name.startswith("rows-")}


def test_a_load_gives_the_graph_a_new_stamp(env, corpus, ran):
    with _open(env) as store:
        before = store.run(queries.get(QUERY), {})
        assert _kept(store)
        store.load([corpus])  # the same reviews again: another generation, the kept answers dropped
        assert _kept(store) == []
        ran.clear()
        assert store.run(queries.get(QUERY), {}) == before
        assert ran == [QUERY]


def test_a_cypher_write_makes_the_rows_computed_again(env, ran):
    with _open(env) as store:
        before = store.run(queries.get(QUERY), {})
        contact = before[0]["evidence"][0]
    # the cited contact's text no longer says anything: a row resting on it changes
    result = _cli(env, "cypher", "--write", "MATCH (c:Contact {review: $r, line: $l}) SET c.summary = 'Seen.', c.text_signals = [] "
                  "RETURN count(c) AS changed", "--param", f"r={contact['review']}", "--param", f"l={contact['line']}")
    assert result.exit_code == 0, result.output
    with _open(env) as store:
        ran.clear()
        after = store.run(queries.get(QUERY), {})
        assert ran == [QUERY]
        assert after == _computed(store, QUERY)


def test_a_node_added_from_another_client_makes_the_rows_computed_again(env, ran):
    from neo4j import GraphDatabase

    with _open(env) as store:
        store.run(queries.get(QUERY), {})
        ran.clear()
        store.run(queries.get(QUERY), {})
        assert ran == []  # kept
        with GraphDatabase.driver(env["NEO4J_URI"], auth=(env["NEO4J_USERNAME"], env["NEO4J_PASSWORD"])) as other:
            other.execute_query("CREATE (:Agency {id: 'agency:elsewhere', name: 'Elsewhere'})", database_=store.database)
        store.run(queries.get(QUERY), {})
        assert ran == [QUERY]


def test_a_triage_decision_keeps_the_rows_and_a_rejected_signal_does_not(env, ran):
    from dhrgraph.queries.signals import list_signals, reject_signal
    from dhrgraph.queries.triage import record_triage, run_named

    with _open(env) as store:
        rows = run_named(store, QUERY, {})
        record_triage(store, rows[0]["id"], "dismissed", "seen")
        ran.clear()
        again = run_named(store, QUERY, {})
        assert QUERY not in ran and again[0]["status"] == "dismissed" and again[0]["id"] == rows[0]["id"]
        signal = next(s for row in rows for item in row["evidence"]
                      for s in list_signals(store, contact=f"{item['review']}#{item['line']}", uncoded=True))
        reject_signal(store, signal["id"])
        ran.clear()
        after = store.run(queries.get(QUERY), {})
        assert ran == [QUERY] and after == _computed(store, QUERY)


@pytest.mark.parametrize("damage", ["a.data = $bad", "a.parts = null", "a.data = 'text'", "a.part = 7"])
def test_a_damaged_kept_answer_is_computed_again(env, ran, damage):
    with _open(env) as store:
        rows = store.run(queries.get(QUERY), {})
        # damaged in place (no node added, the stamp unchanged): the parts no longer make the value
        store.driver.execute_query(f"MATCH (a:{neo4j_store.ANSWER_LABEL}) WHERE a.name STARTS WITH $name SET {damage}",
                                   name=f"rows-{QUERY}-", bad=b"not zlib", database_=store.database)
        ran.clear()
        assert store.run(queries.get(QUERY), {}) == rows
        assert ran == [QUERY]


def test_a_value_computed_while_the_graph_changed_is_never_used(env, corpus):
    with _open(env) as store:
        def compute():
            store.load([corpus])  # meanwhile: another generation
            return {"computed": "from the graph before"}
        assert store.remembered("racing", {}, compute) == {"computed": "from the graph before"}
        assert store.remembered("racing", {}, lambda: {"computed": "again"}) == {"computed": "again"}


def test_a_value_json_would_change_is_not_kept(env):
    with _open(env) as store:
        value = {"pair": ("a", "b")}
        assert store.remembered("not-json", {}, lambda: value) is value
        assert "not-json" not in _kept(store)
        assert store.remembered("not-json", {}, lambda: {"other": 1}) == {"other": 1}
        assert "not-json" in _kept(store)


def test_kept_answers_are_not_part_of_the_graph(env, tmp_path):
    with _open(env) as store:
        dumped = store.run(queries.get("dump"), {})
        store.run(queries.get(QUERY), {})
        assert _kept(store)
        assert store.run(queries.get("dump"), {}) == dumped
    result = _cli(env, "export", "--to", str(tmp_path / "export"))
    assert result.exit_code == 0, result.output
    assert neo4j_store.ANSWER_LABEL not in "".join(p.read_text("utf-8") for p in (tmp_path / "export").rglob("*") if p.is_file())


def test_a_database_written_before_kept_answers_works_and_gets_a_stamp(env, corpus, ran):
    """A database loaded by a dhrgraph that kept no answers has no DhrgraphState node: its answers are kept by the
    counts alone until the next load gives it a generation."""
    with _open(env) as store:
        store.driver.execute_query(f"MATCH (n) WHERE n:{neo4j_store.STATE_LABEL} OR n:{neo4j_store.ANSWER_LABEL} DELETE n",
                                   database_=store.database)
        expected = _computed(store, QUERY)
        ran.clear()
        assert store.run(queries.get(QUERY), {}) == expected and ran == [QUERY]
        ran.clear()
        assert store.run(queries.get(QUERY), {}) == expected and ran == []  # kept
        store.load([corpus])
        assert store.read(f"MATCH (s:{neo4j_store.STATE_LABEL}) RETURN s.generation AS g")[0]["g"]
        ran.clear()
        assert store.run(queries.get(QUERY), {}) == expected and ran == [QUERY]
