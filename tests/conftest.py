"""Shared fixtures: real files, a real Neo4j server, and one suite run on both backends.

The Neo4j server is the one in NEO4J_URI if set (e.g. docker compose), else a throwaway server
started once per test session by ``tools/neo4j-local`` from Maven Central jars. Under CI=true a
missing server fails the run; elsewhere the Neo4j tests are skipped with one line saying how to
enable them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhrgraph.graph.backends import Settings, open_store
from helpers import EXAMPLES, ROOT, clear_neo4j, cli_args, require_launcher


# --- synth's planted corpus ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """synth's 40-review corpus (seed 21) and its answer key, made once for the modules that check the catalogue
    against what it plants (small enough to load into Neo4j quickly; a module may define its own ``corpus``). Read
    only."""
    import json

    from dhrgraph import synth

    folder = tmp_path_factory.mktemp("synth")
    synth.generate(folder, reviews=40, seed=21)
    return folder, json.loads((folder / "answer_key.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def examples_workspace(tmp_path_factory) -> Path:
    """An embedded workspace with the example reviews loaded, made once (tests may remove its ``derived/``, never
    load into it)."""
    from dhrgraph.graph.embedded import EmbeddedStore

    workspace = tmp_path_factory.mktemp("examples-workspace") / "ws"
    EmbeddedStore(workspace).load([EXAMPLES])
    return workspace


# --- Neo4j --------------------------------------------------------------------------------------

@pytest.fixture
def examples(store):
    """The store with the four example reviews loaded."""
    store.load([EXAMPLES])
    return store


@pytest.fixture(scope="session")
def neo4j_env():
    """NEO4J_* settings of a real server, started here if none is given."""
    if os.environ.get("NEO4J_URI"):
        yield {k: os.environ[k] for k in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE") if k in os.environ}
        return
    launcher = ROOT / "tools" / "neo4j-local"
    require_launcher("Neo4j tests", "or NEO4J_URI set to a server")
    state = Path(os.environ.get("DHRGRAPH_NEO4J_STATE", "")) if os.environ.get("DHRGRAPH_NEO4J_STATE") else None
    env = dict(os.environ)
    if state is None:
        env["DHRGRAPH_NEO4J_STATE"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / f"dhrgraph-neo4j-test-{os.getpid()}")
    started = subprocess.run([str(launcher), "start"], capture_output=True, text=True, env=env, timeout=900)
    if started.returncode != 0:
        pytest.fail(f"tools/neo4j-local start failed:\n{started.stderr[-3000:]}")
    settings = {}
    for line in started.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            key, value = line[len("export "):].split("=", 1)
            settings[key] = value
    try:
        yield settings
    finally:
        subprocess.run([str(launcher), "stop"], capture_output=True, text=True, env=env, timeout=120)


# --- one suite, two backends --------------------------------------------------------------------

@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def settings(request, tmp_path) -> Settings:
    """Settings of an empty store of each backend."""
    if request.param == "embedded":
        return Settings(backend="embedded", workspace=str(tmp_path / "workspace"))
    env = request.getfixturevalue("neo4j_env")
    clear_neo4j(env)
    return Settings(backend="neo4j", neo4j_uri=env["NEO4J_URI"], neo4j_user=env["NEO4J_USERNAME"],
                    neo4j_password=env["NEO4J_PASSWORD"], neo4j_database=env.get("NEO4J_DATABASE", "neo4j"))


@pytest.fixture
def store(settings):
    with open_store(settings) as opened:
        yield opened


@pytest.fixture
def cli(settings):
    """Run the real CLI against ``settings``' store: cli("stats", "--format", "json")."""
    from dhrgraph.cli import main

    runner = CliRunner()
    args, env = cli_args(settings)

    def run(*command: str, input: str | None = None):
        return runner.invoke(main, [*args, *command], env=env, input=input, catch_exceptions=False)
    return run
