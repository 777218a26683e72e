"""A load into a big embedded workspace computes the catalogue's answers ahead (issue 16).

An analyst loads the archive once and then asks question after question: the first `query` or `findings` after
the load should read answers, not compute them. `dhrgraph load` therefore runs the catalogue over every review
once the reviews are written, when the store keeps answers (the embedded store) and holds at least
``ANSWER_AHEAD_CONTACTS`` contacts, or when asked (`--answers`); `--no-answers` skips it. The answers are the
ones computed afresh, and a command after the load builds no graph for them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dhrgraph import queries, synth
from dhrgraph.graph import embedded
from dhrgraph.graph.embedded import EmbeddedStore
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


def test_asked_a_load_answers_ahead_on_the_embedded_store_only(cli, settings, corpus, monkeypatch):
    built = []
    monkeypatch.setattr(embedded, "PARALLEL_CONTACTS", 10**12)  # every graph built in this process, counted here
    monkeypatch.setattr(embedded, "_build_graph", lambda reviews, share, build=embedded._build_graph: built.append(1) or build(reviews, share))
    result = cli("load", str(corpus), "--answers")
    assert result.exit_code == 0, result.output
    answered = ANSWERED.search(result.output)
    if settings.backend == "neo4j":  # the server keeps no answers: nothing to compute ahead, and it says so
        assert answered is None
        assert "the neo4j store keeps no answers" in result.output
        return
    assert answered is not None, result.output
    assert not built  # computed in a process of its own (the load's memory is not the answers')
    findings = _findings(cli)
    assert not built  # and `findings` after it only read them
    assert int(answered.group(1)) == len(findings) > 0
    kept = {p.name.split("-", 1)[1].rsplit("-", 1)[0] for p in (Path(settings.workspace) / "derived").glob("parts-*.json")}
    assert {q.name for q in queries.catalogue()} <= kept


def test_the_answers_kept_ahead_are_the_computed_ones(tmp_path, corpus):
    from click.testing import CliRunner
    from dhrgraph.cli import main

    ahead, fresh = tmp_path / "ahead", tmp_path / "fresh"
    for workspace, flag in ((ahead, "--answers"), (fresh, "--no-answers")):
        result = CliRunner().invoke(main, ["--workspace", str(workspace), "load", str(corpus), flag], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert not (fresh / "derived").exists() or not list((fresh / "derived").glob("parts-*.json"))
    computed = EmbeddedStore(fresh)
    computed.remembered = lambda name, inputs, compute, valid=None: compute()
    computed._rows_by_cluster = lambda entries, runs, joins=None: [None] * len(runs)  # the whole graph, nothing kept
    expected = [(q.name, rows) for q, rows in run_catalogue(computed)]
    assert [(q.name, rows) for q, rows in run_catalogue(EmbeddedStore(ahead))] == expected
    assert sum(len(rows) for _, rows in expected) > 0


@pytest.mark.parametrize("flag, threshold, answers", [
    ((), 10**9, False),             # below the size: not computed
    ((), 1, True),                  # from the size on: computed
    (("--no-answers",), 1, False),  # skipped when asked
])
def test_by_default_a_load_answers_ahead_from_a_size_on(tmp_path, corpus, monkeypatch, flag, threshold, answers):
    from click.testing import CliRunner
    from dhrgraph.cli import main

    monkeypatch.setattr(embedded, "ANSWER_AHEAD_CONTACTS", threshold)
    workspace = tmp_path / "ws"
    result = CliRunner().invoke(main, ["--workspace", str(workspace), "load", str(corpus), *flag], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (ANSWERED.search(result.output) is not None) == answers
    assert bool(list(workspace.glob("derived/parts-*.json"))) == answers
