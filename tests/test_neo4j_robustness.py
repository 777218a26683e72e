"""Neo4j robustness: clear one-line connection errors that never show the password, and a load that
survives the server being killed mid-load (no partial review; a re-run gives exactly a clean load).

Everything here needs a real server: the session one (``neo4j_env``), and for the kill test a
throwaway one of its own, started with ``tools/neo4j-local`` on a data dir in ``tmp_path`` so the
session server is never touched.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import EXAMPLES, ROOT, clear_neo4j, require_launcher
from dhrgraph.graph.backends import Settings, open_store

pytestmark = pytest.mark.neo4j

WRONG_PASSWORD = "Wr0ng-zebra-Passw0rd-4711"
LAUNCHER = ROOT / "tools" / "neo4j-local"


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cli_env(neo4j_env: dict, **overrides: str | None) -> dict[str, str | None]:
    """NEO4J_* for the CLI; an override of None unsets that variable."""
    env: dict[str, str | None] = {"DHRGRAPH_BACKEND": None, "NEO4J_URI": neo4j_env["NEO4J_URI"],
                                  "NEO4J_USERNAME": neo4j_env["NEO4J_USERNAME"], "NEO4J_PASSWORD": neo4j_env["NEO4J_PASSWORD"],
                                  "NEO4J_DATABASE": neo4j_env.get("NEO4J_DATABASE", "neo4j")}
    env.update(overrides)
    return env


def run_cli(env: dict[str, str | None], *command: str):
    """The real CLI in this process (click's runner): returns (exit code, stdout, stderr)."""
    from dhrgraph.cli import main

    result = CliRunner().invoke(main, ["--backend", "neo4j", *command], env=env)
    return result.exit_code, result.stdout, result.stderr


def run_cli_process(env: dict[str, str | None], *command: str, timeout: float = 300):
    """The real CLI as its own process, so that Python warnings and the driver's log lines show as a user sees them."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "DHRGRAPH_"))}
    full.update({k: v for k, v in env.items() if v is not None})
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--backend", "neo4j", *command], cwd=ROOT,
                          capture_output=True, text=True, env=full, timeout=timeout)
    return done.returncode, done.stdout, done.stderr


def assert_one_clear_line(code: int, stdout: str, stderr: str, expected: str, secrets: list[str]) -> None:
    everything = stdout + stderr
    assert code == 1, everything
    assert "Traceback" not in everything
    for secret in secrets:
        assert secret not in everything
    lines = [line for line in everything.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{everything}"
    assert lines[0].startswith("Error: ") and expected in lines[0], lines[0]


def reset_auth_failures(neo4j_env: dict) -> None:
    """A successful login, so the wrong-password attempts never add up to Neo4j's lock-out (3 in a row)."""
    with open_store(Settings(backend="neo4j", neo4j_uri=neo4j_env["NEO4J_URI"], neo4j_user=neo4j_env["NEO4J_USERNAME"],
                             neo4j_password=neo4j_env["NEO4J_PASSWORD"], neo4j_database=neo4j_env.get("NEO4J_DATABASE", "neo4j"))):
        pass


# --- connection failures: one clear line, exit 1, never the password ------------------------------

CASES = {
    "wrong-password": ({"NEO4J_PASSWORD": WRONG_PASSWORD}, "refused the credentials of user"),
    "unreachable": ({"NEO4J_URI": "bolt://127.0.0.1:{port}"}, "Cannot reach Neo4j at bolt://127.0.0.1:"),
    "unreachable-routing": ({"NEO4J_URI": "neo4j://127.0.0.1:{port}"}, "Cannot reach Neo4j at neo4j://127.0.0.1:"),
    "wrong-database": ({"NEO4J_DATABASE": "nosuchdb"}, "has no database 'nosuchdb'"),
    "missing-uri": ({"NEO4J_URI": None}, "needs NEO4J_URI"),
    "malformed-uri": ({"NEO4J_URI": "http://x"}, "Bad NEO4J_URI 'http://x'"),
    "password-in-uri": ({"NEO4J_URI": f"bolt://neo4j:{WRONG_PASSWORD}@127.0.0.1:{{port}}"}, "Bad NEO4J_URI 'bolt://***@127.0.0.1:"),
}


def case_env(neo4j_env: dict, case: str) -> tuple[dict, str]:
    overrides, expected = CASES[case]
    port = str(free_port())
    return cli_env(neo4j_env, **{k: v.replace("{port}", port) if v else v for k, v in overrides.items()}), expected


@pytest.mark.parametrize("command", [["stats"], ["load", str(EXAMPLES)]], ids=["stats", "load"])
@pytest.mark.parametrize("case", list(CASES))
def test_connection_failure_is_one_clear_line(neo4j_env, case, command):
    env, expected = case_env(neo4j_env, case)
    try:
        code, out, err = run_cli(env, *command)
    finally:
        if case == "wrong-password":
            reset_auth_failures(neo4j_env)
    assert_one_clear_line(code, out, err, expected, [WRONG_PASSWORD, neo4j_env["NEO4J_PASSWORD"]])


@pytest.mark.parametrize("case", list(CASES))
def test_connection_failure_is_one_clear_line_in_a_real_process(neo4j_env, case):
    """As a user sees it: no Python warning or driver log line besides the message."""
    env, expected = case_env(neo4j_env, case)
    try:
        code, out, err = run_cli_process(env, "stats")
    finally:
        if case == "wrong-password":
            reset_auth_failures(neo4j_env)
    assert_one_clear_line(code, out, err, expected, [WRONG_PASSWORD, neo4j_env["NEO4J_PASSWORD"]])


def test_password_never_in_the_output_of_a_normal_run(neo4j_env):
    clear_neo4j(neo4j_env)
    env = cli_env(neo4j_env)
    password = neo4j_env["NEO4J_PASSWORD"]
    for runner in (run_cli, run_cli_process):
        for command in (["load", str(EXAMPLES)], ["stats"], ["stats", "--format", "json"]):
            code, out, err = runner(env, *command)
            assert code == 0, out + err
            assert password not in out and password not in err
    from dhrgraph.loaders import read_reviews

    assert f'"contacts": {sum(len(r.contacts) for r in read_reviews([EXAMPLES]).reviews)}' in out


# --- the server killed mid-load -------------------------------------------------------------------

# The load runs with transactions of at most SMALL_TX contacts (the store's TX_CONTACTS if that is
# smaller), so a corpus that loads in a few seconds spans many transactions and the server can be
# killed while some have committed and others have not.
SMALL_TX = 1_000
LOAD_WITH_SMALL_TX = f"""
import sys
import dhrgraph.graph.neo4j_store as store
assert hasattr(store, "TX_CONTACTS"), "graph.neo4j_store.TX_CONTACTS is gone: update this test"
store.TX_CONTACTS = min(store.TX_CONTACTS, {SMALL_TX})
from dhrgraph.cli import main
main(args=sys.argv[1:], prog_name="dhrgraph")
"""


def need_launcher() -> None:
    require_launcher("the kill-mid-load test (it starts its own server)")


class Throwaway:
    """A Neo4j server of this test's own: tools/neo4j-local with its own state dir and a data dir that outlives restarts."""

    def __init__(self, root: Path):
        self.env = {**os.environ, "DHRGRAPH_NEO4J_STATE": str(root / "state"), "NEO4J_LOCAL_DATA": str(root / "data"),
                    "NEO4J_LOCAL_HEAP": "1g"}
        for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE", "NEO4J_LOCAL_PORT"):
            self.env.pop(key, None)
        self.data = root / "data"
        self.settings: dict[str, str] = {}

    def start(self, port: int | None = None) -> dict[str, str]:
        env = dict(self.env, **({"NEO4J_LOCAL_PORT": str(port)} if port else {}))
        done = subprocess.run([str(LAUNCHER), "start"], capture_output=True, text=True, env=env, timeout=900)
        assert done.returncode == 0, f"tools/neo4j-local start failed:\n{done.stderr[-3000:]}"
        self.settings = dict(line[len("export "):].split("=", 1) for line in done.stdout.splitlines() if line.startswith("export "))
        return self.settings

    def pid(self) -> int:
        return int((Path(self.env["DHRGRAPH_NEO4J_STATE"]) / "pid").read_text().strip())

    def kill(self) -> None:
        """kill -9: no shutdown hook, no checkpoint; the store must recover from its transaction log."""
        pid = self.pid()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
            except OSError:
                return
            if state == "Z":
                return
            time.sleep(0.05)
        raise AssertionError(f"the server (pid {pid}) did not die")

    def stop(self) -> None:
        subprocess.run([str(LAUNCHER), "stop"], capture_output=True, text=True, env=self.env, timeout=120)

    def store(self):
        s = self.settings
        return open_store(Settings(backend="neo4j", neo4j_uri=s["NEO4J_URI"], neo4j_user=s["NEO4J_USERNAME"],
                                   neo4j_password=s["NEO4J_PASSWORD"], neo4j_database=s.get("NEO4J_DATABASE", "neo4j")))

    def read(self, cypher: str) -> list[dict]:
        with self.store() as store:
            return store.read(cypher)


def chronology_rows(corpus: Path) -> dict[str, int]:
    counts = {}
    for folder in sorted(p for p in corpus.iterdir() if (p / "chronology.csv").is_file()):
        with open(folder / "chronology.csv", newline="", encoding="utf-8") as fh:
            counts[folder.name] = sum(1 for _ in csv.DictReader(fh))
    return counts


def test_server_killed_mid_load_leaves_no_partial_review_and_a_rerun_equals_a_clean_load(tmp_path):
    need_launcher()
    from dhrgraph import synth
    from dhrgraph.queries.core import DUMP

    corpus = tmp_path / "corpus"
    synth.generate(corpus, reviews=300, seed=1)  # ~15,000 contacts in ~50-row reviews: ~15 transactions of 1,000
    expected = chronology_rows(corpus)
    assert len(expected) == 300 and sum(expected.values()) > 10 * SMALL_TX

    server = Throwaway(tmp_path)
    try:
        first = server.start()
        old_port = int(first["NEO4J_URI"].rsplit(":", 1)[1])
        load = subprocess.Popen([sys.executable, "-c", LOAD_WITH_SMALL_TX, "--backend", "neo4j", "load", str(corpus)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**{k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "DHRGRAPH_"))}, **first})
        # kill the server as soon as the first transaction has committed
        deadline = time.monotonic() + 300
        with server.store() as store:
            while store.read("MATCH (r:Review) RETURN count(r) AS n")[0]["n"] == 0:
                assert load.poll() is None, f"the load ended before the server was killed:\n{load.stdout.read()}{load.stderr.read()}"
                assert time.monotonic() < deadline, "no review committed within 300 s"
                time.sleep(0.02)
            server.kill()

        # restart on the same data dir (another port, so the dying load cannot reach it) while the load gives up
        restarted: dict = {}
        port = free_port()
        while port == old_port:
            port = free_port()
        starter = threading.Thread(target=lambda: restarted.update(server.start(port)))
        starter.start()
        try:
            out, err = load.communicate(timeout=300)
        finally:
            starter.join(timeout=900)
        assert restarted, "the server did not restart on its data dir"

        assert load.returncode == 1, out + err
        assert "Traceback" not in out + err
        assert first["NEO4J_PASSWORD"] not in out + err
        load_stderr = [line for line in err.splitlines() if line.strip()]  # checked last, after the graph

        # every review that made it is whole: all its contacts and people, nothing of the others
        present = {r["review"]: r for r in server.read("""
            MATCH (r:Review)
            RETURN r.name AS review,
                   COUNT { (r)<-[:IN_REVIEW]-(:Contact) } AS contacts,
                   COUNT { (r)<-[:IN_REVIEW]-(:Person) } AS people""")}
        assert 0 < len(present) < len(expected), f"{len(present)} of {len(expected)} reviews: the kill was not mid-load"
        for name, row in present.items():
            assert row["contacts"] == expected[name], f"review {name}: {row['contacts']} of {expected[name]} contacts"
        people = {p.name: sum(1 for _ in csv.DictReader(open(p / "people.csv", encoding="utf-8"))) for p in corpus.iterdir() if p.is_dir()}
        for name, row in present.items():
            assert row["people"] == people[name], f"review {name}: {row['people']} of {people[name]} people"
        assert server.read("MATCH (c:Contact) WHERE NOT (c)-[:IN_REVIEW]->(:Review) RETURN count(c) AS n")[0]["n"] == 0
        assert server.read("MATCH (p:Person) WHERE NOT (p)-[:IN_REVIEW]->(:Review) RETURN count(p) AS n")[0]["n"] == 0

        # the re-run (default transactions, plain CLI) completes the graph: exactly a clean load's
        code, out, err = run_cli_process(restarted, "load", str(corpus))
        assert code == 0, out + err
        assert f"Loaded {len(expected)} review(s)" in out
        with server.store() as store:
            after = store.run(DUMP)
        with open_store(Settings(workspace=str(tmp_path / "clean"))) as clean:
            clean.load([corpus])
            reference = clean.run(DUMP)
        assert len(after) == len(reference)
        # the first difference, not pytest's diff of two whole-graph dumps (minutes for ~60,000 rows)
        first = next((i for i, (a, b) in enumerate(zip(after, reference)) if a != b), None)
        assert first is None, f"row {first} of the dump differs: {after[first]!r} != {reference[first]!r}"

        assert len(load_stderr) == 1 and load_stderr[0].startswith("Error: ") and "Neo4j" in load_stderr[0], \
            "the failed load should say one clear line, got:\n" + "\n".join(load_stderr)
    finally:
        server.stop()
        shutil.rmtree(server.data, ignore_errors=True)
