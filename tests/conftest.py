"""Shared fixtures: real files, a real Neo4j server, and one suite run on both backends.

The Neo4j server is the one in NEO4J_URI if set (e.g. docker compose), else a throwaway server
started once per test session by ``tools/neo4j-local`` from Maven Central jars. Under CI=true a
missing server fails the run; elsewhere the Neo4j tests are skipped with one line saying how to
enable them.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhrgraph.graph.backends import Settings, open_store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
IN_CI = os.environ.get("CI", "").lower() == "true"


# --- writing review files ---------------------------------------------------------------------

PEOPLE = [
    {"person": "Jade", "role": "victim", "sex": "female", "age": "29", "global_id": ""},
    {"person": "Dean", "role": "perpetrator", "sex": "male", "age": "33", "global_id": ""},
    {"person": "Child A", "role": "child", "sex": "female", "age": "4", "global_id": ""},
]
RELATIONSHIPS = [
    {"person": "Dean", "other": "Jade", "relationship": "partner", "abusive": "yes"},
    {"person": "Jade", "other": "Child A", "relationship": "parent", "abusive": "no"},
]
AGENCIES = [
    {"name": "Northbrook Police", "type": "police", "aliases": "NP"},
    {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""},
    {"name": "Northbrook MARAC", "type": "marac", "aliases": ""},
]
CHRONOLOGY = [
    {"date": "2019-03-04", "time": "22:10", "sequence": "1", "agency": "NP", "subject": "Jade;Dean", "event": "incident",
     "summary": "Officers attended; Jade had a cut lip. DASH 15, high risk.", "dash_score": "15", "risk_level": "high",
     "risk_factors": "threats_to_kill;strangulation", "referred_to": "", "shared_with": ""},
    {"date": "2019-03-04", "time": "23:30", "sequence": "2", "agency": "Northbrook Police", "subject": "Dean", "event": "arrest",
     "summary": "Dean arrested for assault.", "dash_score": "", "risk_level": "", "risk_factors": "", "referred_to": "", "shared_with": ""},
    {"date": "?2019-05", "time": "", "sequence": "", "agency": "Elm Tree Surgery", "subject": "Jade", "event": "appointment",
     "summary": "Low mood; no routine enquiry recorded.", "dash_score": "", "risk_level": "", "risk_factors": "", "referred_to": "", "shared_with": ""},
    {"date": "2019", "time": "", "sequence": "", "agency": "Elm Tree Surgery", "subject": "Dean", "event": "appointment",
     "summary": "Annual review.", "dash_score": "", "risk_level": "", "risk_factors": "", "referred_to": "Northbrook MARAC", "shared_with": ""},
]


def write_csv(path: Path, rows: list[dict], fieldnames: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = fieldnames or list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_review(root: Path, name: str = "rev-a", people=None, relationships=None, agencies=None, chronology=None) -> Path:
    """A small valid review folder; pass any table to replace it (``[]`` writes a header-less empty file)."""
    folder = root / name
    for file, rows, default in (("people.csv", people, PEOPLE), ("relationships.csv", relationships, RELATIONSHIPS),
                                ("agencies.csv", agencies, AGENCIES), ("chronology.csv", chronology, CHRONOLOGY)):
        rows = default if rows is None else rows
        if rows == []:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / file).write_bytes(b"")
        else:
            write_csv(folder / file, rows)
    return folder


# --- Neo4j --------------------------------------------------------------------------------------

def require_launcher(what: str, alternative: str = "") -> None:
    """tools/neo4j-local needs Java and Maven: without them fail under CI=true, else skip saying why."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        message = f"{what} need {' and '.join(missing)} (Java 17 + Maven) for tools/neo4j-local {alternative}".rstrip()
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


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


def clear_neo4j(env: dict) -> None:
    with open_store(Settings.from_env(env, backend="neo4j")) as store:
        store.clear()


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


def counts(cli) -> dict:
    """The store's counts through ``dhrgraph stats``; a workspace that a failed first load never created
    counts as empty (reading it says so rather than showing zeros)."""
    import json

    result = cli("stats", "--format", "json")
    if result.exit_code == 1 and "no workspace at" in result.stderr:
        return {"reviews": 0, "people": 0, "agencies": 0, "contacts": 0, "relationships": 0}
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def cli_args(settings: Settings) -> tuple[list[str], dict[str, str]]:
    """Global CLI options and environment that point the CLI at ``settings``' store."""
    if settings.backend == "embedded":
        return ["--workspace", settings.workspace], {"DHRGRAPH_BACKEND": "embedded"}
    return ["--backend", "neo4j"], {"NEO4J_URI": settings.neo4j_uri, "NEO4J_USERNAME": settings.neo4j_user,
                                    "NEO4J_PASSWORD": settings.neo4j_password, "NEO4J_DATABASE": settings.neo4j_database}


@pytest.fixture
def cli(settings):
    """Run the real CLI against ``settings``' store: cli("stats", "--format", "json")."""
    from dhrgraph.cli import main

    runner = CliRunner()
    args, env = cli_args(settings)

    def run(*command: str, input: str | None = None):
        return runner.invoke(main, [*args, *command], env=env, input=input, catch_exceptions=False)
    return run
