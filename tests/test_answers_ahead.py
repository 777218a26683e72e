"""A load into a big store computes the catalogue's answers ahead (issue 16), on both backends.

An analyst loads the archive once and then asks question after question: the first `query` or `findings` after
the load should read answers, not compute them. `dhrgraph load` therefore runs the catalogue over every review
once the reviews are written, when the store keeps answers (the embedded store in its workspace, Neo4j in its
database) and holds at least ``ANSWER_AHEAD_CONTACTS`` contacts, or when asked (`--answers`); `--no-answers` skips
it. The answers are the ones computed afresh, and a command after the load computes nothing for them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dhrgraph import queries, synth
from dhrgraph.graph import embedded, neo4j_store
from dhrgraph.graph import store as store_module
from dhrgraph.graph.backends import open_store
from dhrgraph.graph.neo4j_store import Neo4jStore
from dhrgraph.queries.triage import run_catalogue

ANSWERED = re.compile(r"Answered the catalogue ahead: (\d+) finding\(s\)")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ahead") / "corpus"
    synth.generate(folder, reviews=12, seed=11, layout="combined")
    return folder


def _findings(cli) -> list[dict]:
    result = cli("findings", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _kept(settings) -> set[str]:
    """The queries whose rows over every review the store keeps: in the workspace's derived/, in the database."""
    if settings.backend == "embedded":
        names = [p.stem for p in (Path(settings.workspace) / "derived").glob("parts-*.json")]
    else:
        with open_store(settings) as store:
            names = [r["name"] for r in store.read(f"MATCH (a:{neo4j_store.ANSWER_LABEL}) WHERE a.name STARTS WITH 'rows-' "
                                                   "RETURN DISTINCT a.name AS name")]
    return {name.split("-", 1)[1].rsplit("-", 1)[0] for name in names}


@pytest.fixture()
def computing(monkeypatch) -> list[str]:
    """What a command computes in this process: a graph built (embedded), a query's Cypher run (Neo4j)."""
    done: list[str] = []
    monkeypatch.setattr(embedded, "PARALLEL_CONTACTS", 10**12)  # every graph built in this process, counted here
    monkeypatch.setattr(embedded, "_build_graph", lambda reviews, share, build=embedded._build_graph: done.append("graph") or build(reviews, share))
    run = Neo4jStore._run
    monkeypatch.setattr(Neo4jStore, "_run", lambda self, query, implementation, params: done.append(query.name)
                        or run(self, query, implementation, params))
    return done


def test_asked_a_load_answers_ahead_and_findings_reads_them(cli, settings, corpus, computing):
    catalogue = {q.name for q in queries.catalogue()}
    result = cli("load", str(corpus), "--answers")
    assert result.exit_code == 0, result.output
    answered = ANSWERED.search(result.output)
    assert answered is not None, result.output
    assert not [done for done in computing if done == "graph" or done in catalogue]  # in a process of its own
    findings = _findings(cli)
    assert not [done for done in computing if done == "graph" or done in catalogue]  # `findings` only read them
    assert int(answered.group(1)) == len(findings) > 0
    assert catalogue <= _kept(settings)


def test_the_answers_kept_ahead_are_the_computed_ones(cli, settings, corpus):
    result = cli("load", str(corpus), "--answers")
    assert result.exit_code == 0, result.output
    with open_store(settings) as computed:
        computed.remembered = lambda name, inputs, compute, valid=None: compute()
        computed._rows_by_cluster = lambda entries, runs: [None] * len(runs)  # embedded: the whole graph, nothing kept
        expected = [(q.name, rows) for q, rows in run_catalogue(computed)]
    with open_store(settings) as ahead:
        assert [(q.name, rows) for q, rows in run_catalogue(ahead)] == expected
    assert sum(len(rows) for _, rows in expected) > 0


@pytest.mark.parametrize("flag, threshold, answers", [
    ((), 10**9, False),             # below the size: not computed
    ((), 1, True),                  # from the size on: computed
    (("--no-answers",), 1, False),  # skipped when asked
])
def test_by_default_a_load_answers_ahead_from_a_size_on(cli, settings, corpus, monkeypatch, flag, threshold, answers):
    monkeypatch.setattr(store_module, "ANSWER_AHEAD_CONTACTS", threshold)
    result = cli("load", str(corpus), *flag)
    assert result.exit_code == 0, result.output
    assert (ANSWERED.search(result.output) is not None) == answers
    assert bool(_kept(settings)) == answers
