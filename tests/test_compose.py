"""docker-compose.yml, checked by compose-go: the loader Docker Compose itself uses (no Docker engine
runs on our machines). ``tools/compose-check`` is built once per session with Go; under CI=true a
missing Go toolchain fails the run, elsewhere these tests skip saying so."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import IN_CI

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
PASSWORD = "not-a-real-password-7Qz"


@pytest.fixture(scope="session")
def compose_check(tmp_path_factory) -> Path:
    if shutil.which("go") is None:
        message = "the docker-compose.yml checks need Go (https://go.dev/dl/) to build tools/compose-check"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    binary = tmp_path_factory.mktemp("compose-check") / "compose-check"
    built = subprocess.run(["go", "build", "-o", str(binary), "."], cwd=ROOT / "tools" / "compose-check",
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    return binary


def _config(compose_check: Path, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")} | env
    # run from an empty folder: compose reads no .env here, only what the environment gives it
    return subprocess.run([str(compose_check), str(COMPOSE)], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_compose_refuses_to_start_without_a_password(compose_check, tmp_path):
    result = _config(compose_check, tmp_path)
    assert result.returncode == 1
    assert "required variable NEO4J_PASSWORD is missing a value" in result.stderr
    assert "set NEO4J_PASSWORD in .env (see .env.example)" in result.stderr


def test_compose_file_as_documented(compose_check, tmp_path):
    result = _config(compose_check, tmp_path, NEO4J_PASSWORD=PASSWORD)
    assert result.returncode == 0, result.stderr
    neo4j = json.loads(result.stdout)["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    # special-category data: both ports reachable from this machine only
    assert {(p["host_ip"], p["target"], p["published"]) for p in neo4j["ports"]} == {
        ("127.0.0.1", 7474, "7474"), ("127.0.0.1", 7687, "7687")}
    env = neo4j["environment"]
    assert env["NEO4J_AUTH"] == f"neo4j/{PASSWORD}"  # the user's password, no default
    assert env["NEO4J_server_memory_heap_initial__size"] == env["NEO4J_server_memory_heap_max__size"]
    assert env["NEO4J_dbms_usage__report_enabled"] == "false"  # nothing leaves the machine
    assert [v["target"] for v in neo4j["volumes"]] == ["/data"]
    health = " ".join(neo4j["healthcheck"]["test"])
    assert "cypher-shell" in health and "RETURN 1" in health
    assert "${NEO4J_AUTH#neo4j/}" in health  # $$ escaped: the container's shell reads it, compose does not


def test_env_example_documents_every_variable_and_sets_no_password():
    example = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
                   if line and not line.startswith("#"))
    assert set(example) >= {"NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"}
    assert example["NEO4J_PASSWORD"] == ""
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()
