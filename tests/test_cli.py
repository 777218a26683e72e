"""The CLI as a user meets it: help everywhere, documented everywhere, exact output."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from dhrgraph.cli import main
from helpers import CHRONOLOGY, ROOT, write_review

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += commands(command, f"{prefix}{name} ")
    return found


@pytest.mark.parametrize("name, command", commands(main), ids=[n for n, _ in commands(main)])
def test_every_command_has_help_with_an_example_and_a_readme_entry(name, command):
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert command.help and len(command.help.split()) >= 5, f"{name} has no real help text"
    assert "Example:" in result.output
    uses = re.compile(rf"dhrgraph (--\S+ \S+ )*{re.escape(name)}\b")  # global options may come first
    assert uses.search(result.output.split("Example:")[1]), f"{name}'s help has no example of it"
    assert f"### dhrgraph {name}" in README and uses.search(README), f"README.md does not document `dhrgraph {name}`"


def test_python_cli_py_works_too(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0
    assert "dhrgraph" in result.stdout


def test_stats_json_is_one_object(tmp_path, cli):
    assert cli("load", str(write_review(tmp_path))).exit_code == 0
    result = cli("stats", "--format", "json")
    assert json.loads(result.stdout) == {"reviews": 1, "people": 3, "agencies": 3, "contacts": len(CHRONOLOGY), "relationships": 2}


def test_timeline_json_rows_have_the_documented_keys(tmp_path, cli):
    cli("load", str(write_review(tmp_path)))
    rows = json.loads(cli("timeline", "Jade", "--format", "json").stdout)
    assert [r["date"] for r in rows] == ["2019-03-04", "?2019-05"]
    assert {"date", "uncertain", "agency", "agency_type", "event", "summary", "source"} <= set(rows[0])
    assert rows[1]["uncertain"] is True


def test_timeline_table_and_csv(tmp_path, cli):
    cli("load", str(write_review(tmp_path)))
    table = cli("timeline", "Dean").stdout.splitlines()
    assert [c.strip() for c in table[0].split("  ") if c.strip()] == ["date", "agency", "event", "risk", "referred to",
                                                                       "shared with", "summary"]
    assert table[2].startswith("2019 ") and "Elm Tree Surgery" in table[2]
    csv_out = cli("timeline", "Dean", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("date,uncertain,time,sequence,agency,agency_type,event,summary,source")
    assert len(csv_out) == 1 + sum("Dean" in r["subject"] for r in CHRONOLOGY)


def test_unknown_and_ambiguous_people_say_what_to_do(tmp_path, cli):
    cli("load", str(write_review(tmp_path, "rev-a")), str(write_review(tmp_path, "rev-b")))
    result = cli("timeline", "Kyle")
    assert result.exit_code == 1
    assert "No person 'Kyle'" in result.stderr and "Traceback" not in result.output
    result = cli("timeline", "Jade")
    assert result.exit_code == 1
    assert "'Jade' names 2 different people: rev-a (victim), rev-b (victim). Give --review to choose one." in result.stderr
    assert cli("timeline", "Jade", "--review", "rev-b").exit_code == 0


def test_empty_json_is_an_empty_array(tmp_path, cli):
    rows = [dict(CHRONOLOGY[0], subject="Jade")]
    cli("load", str(write_review(tmp_path, chronology=rows)))
    result = cli("timeline", "Child A", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
