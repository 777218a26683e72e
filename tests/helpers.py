"""Plain helpers the tests share (constants, file writers, Neo4j and CLI plumbing): imported as a normal
module (``from helpers import write_review``), as pytest recommends for what is not a fixture. The
fixtures themselves are in ``conftest.py``."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

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


def clear_neo4j(env: dict) -> None:
    with open_store(Settings.from_env(env, backend="neo4j")) as store:
        store.clear()


# --- the CLI --------------------------------------------------------------------------------------

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
