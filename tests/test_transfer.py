"""Moving graphs between the embedded store and Neo4j, GraphML for Gephi, and ad-hoc Cypher."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from helpers import EXAMPLES, cli_args, write_review
from dhrgraph.graph.backends import Settings, open_store
from dhrgraph.queries.core import DUMP


def test_export_import_round_trip_through_any_store(tmp_path, settings, cli):
    """examples -> this store -> export folder -> embedded workspace and back into a fresh store: same graph."""
    assert cli("load", str(EXAMPLES)).exit_code == 0
    with open_store(settings) as store:
        original = store.run(DUMP)
    exported = tmp_path / "exported"
    result = cli("export", "--to", str(exported), "--graphml", str(tmp_path / "graph.graphml"))
    assert result.exit_code == 0, result.output
    assert f"Exported {sum(1 for p in EXAMPLES.iterdir() if p.is_dir())} review(s)" in result.stdout
    # the export is a workspace: the embedded store opens it as it is
    with open_store(Settings(workspace=str(exported))) as opened:
        assert opened.run(DUMP) == original
    # and it imports into an empty store of the same backend
    if settings.backend == "embedded":
        target = Settings(workspace=str(tmp_path / "fresh"))
    else:
        from helpers import clear_neo4j

        clear_neo4j({"NEO4J_URI": settings.neo4j_uri, "NEO4J_USERNAME": settings.neo4j_user,
                     "NEO4J_PASSWORD": settings.neo4j_password, "NEO4J_DATABASE": settings.neo4j_database})
        target = settings
    from click.testing import CliRunner

    from dhrgraph.cli import main

    args, env = cli_args(target)
    result = CliRunner().invoke(main, [*args, "import", str(exported)], env=env)
    assert result.exit_code == 0, result.output
    with open_store(target) as store:
        assert store.run(DUMP) == original
    graph = nx.read_graphml(tmp_path / "graph.graphml")
    assert graph.number_of_nodes() == sum(1 for r in original if r["kind"] == "node")
    assert graph.number_of_edges() == sum(1 for r in original if r["kind"] == "edge")
    assert graph.nodes["person:global:P-0417"]["label"] == "Person"


def test_export_refuses_a_folder_that_is_not_a_workspace(tmp_path, cli):
    cli("load", str(write_review(tmp_path)))
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("keep me", encoding="utf-8")
    result = cli("export", "--to", str(tmp_path / "busy"))
    assert result.exit_code == 1 and "is not empty and not a dhrgraph workspace" in result.stderr
    result = cli("import", str(tmp_path / "busy"))
    assert result.exit_code == 1 and "is not a dhrgraph workspace (no manifest.json)" in result.stderr


def test_cypher_needs_neo4j(tmp_path):
    from click.testing import CliRunner

    from dhrgraph.cli import main

    result = CliRunner().invoke(main, ["--workspace", str(tmp_path), "cypher", "RETURN 1"])
    assert result.exit_code == 1 and "cypher needs the Neo4j backend" in result.stderr


@pytest.mark.neo4j
def test_cypher_reads_by_default_and_writes_only_when_asked(tmp_path, neo4j_env):
    from click.testing import CliRunner

    from dhrgraph.cli import main
    from helpers import clear_neo4j

    clear_neo4j(neo4j_env)
    env = {**neo4j_env, "DHRGRAPH_BACKEND": "neo4j"}
    runner = CliRunner()
    assert runner.invoke(main, ["load", str(write_review(tmp_path))], env=env).exit_code == 0
    result = runner.invoke(main, ["cypher", "MATCH (a:Agency {type: $type}) RETURN a.name AS name", "--param", "type=police",
                                  "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"name": "Northbrook Police"}]
    nasty = "x'}) DETACH DELETE n //"
    result = runner.invoke(main, ["cypher", "CREATE (n:Note {text: $text}) RETURN n.text AS text", "--param", f"text={nasty}"], env=env)
    assert result.exit_code == 1 and "Neo4j refused the query" in result.stderr
    assert "Traceback" not in result.output
    result = runner.invoke(main, ["cypher", "--write", "CREATE (n:Note {text: $text}) RETURN n.text AS text", "--param",
                                  f"text={nasty}", "--format", "json"], env=env)
    assert json.loads(result.stdout) == [{"text": nasty}]
    result = runner.invoke(main, ["cypher", "MATCH (n) RETURN count(n) AS n", "--format", "json"], env=env)
    assert json.loads(result.stdout)[0]["n"] > 1  # the injected text deleted nothing
    result = runner.invoke(main, ["cypher", "MATCH (n) RETURN count(n) AS n", "--param", "limit=[1, 2]"], env=env)
    assert result.exit_code == 0
    assert neo4j_env["NEO4J_PASSWORD"] not in result.output


@pytest.mark.neo4j
def test_the_readme_neo4j_browser_queries_run(neo4j_env):
    """The three queries the README tells users to save in Neo4j Browser are valid and find something."""
    import re

    from helpers import ROOT, clear_neo4j

    clear_neo4j(neo4j_env)
    blocks = re.findall(r"```cypher\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 3
    settings = Settings(backend="neo4j", neo4j_uri=neo4j_env["NEO4J_URI"], neo4j_user=neo4j_env["NEO4J_USERNAME"],
                        neo4j_password=neo4j_env["NEO4J_PASSWORD"], neo4j_database=neo4j_env.get("NEO4J_DATABASE", "neo4j"))
    with open_store(settings) as store:
        store.load([EXAMPLES])
        for block in blocks:
            assert store.read(block), block.splitlines()[0]
