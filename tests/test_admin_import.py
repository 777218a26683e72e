"""neo4j-admin's offline import (``dhrgraph export --neo4j-import``, ``tools/neo4j-local import``, ``dhrgraph
--backend neo4j import``) against the loader: one workspace written both ways gives the same database, node for
node, property for property and type for type.

The import runs on a server of this module's own (``Throwaway``: it is stopped while neo4j-admin writes its data
folder); the loader's side runs on the session server.
"""

from __future__ import annotations

import collections
import csv
import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dhrgraph.graph.admin_import import ARGS, MANIFEST, write_import
from dhrgraph.graph.embedded import EmbeddedStore
from dhrgraph.graph.errors import StoreError
from dhrgraph.graph.model import Batch
from dhrgraph.queries.core import DUMP
from helpers import EXAMPLES, ROOT, clear_neo4j, require_launcher
from test_neo4j_robustness import Throwaway

LAUNCHER = ROOT / "tools" / "neo4j-local"
NASTY = ['He said "leave", then left', "a,b;c", "line one\nline two\r\nthree", "  spaced  ", "back\\slash",
         "Zoë — “quoted” ünïcode", "'single'", "#hash", "=1+1", "", "null", "true", "12"]


def odd_review() -> Batch:
    """A review whose values test the CSV: texts with quotes, commas, newlines and spaces, an empty text, numbers
    as text, a float, true/false and their lists, and a property whose type differs from another review's."""
    review, person, agency = "review:odd", "person:odd/Jo", "agency:odd police"
    contacts = [{"id": f"contact:odd#{i}", "review": "odd", "agency": "Odd Police", "date": "2020-01-0%d" % (i + 1),
                 "date_precision": "day", "date_text": "2020-01-0%d" % (i + 1), "event": "incident", "file": "odd/c.csv",
                 "line": i + 2, "record": i + 1, "order_key": f"2020-01-0{i + 1}|{i}", "summary": text, "uncertain": bool(i % 2),
                 "risk_factors": ["threats_to_kill", text or "x"]}
                for i, text in enumerate(NASTY[:8])]
    return Batch.from_dicts("odd", nodes={
        "Review": [{"id": review, "name": "odd", "path": "odd", "title": NASTY[9], "area": NASTY[10], "ratio": 0.1,
                    "scores": [1.5, -0.0, 1e-300], "flags": [True, False], "verified": True, "index_date": 20200101}],
        "Person": [{"id": person, "name": "Jo", "sex": "female"}],
        "Agency": [{"id": agency, "name": "Odd Police", "type": "police"}],
        "Contact": contacts,
        "Recommendation": [{"id": "recommendation:odd/R1", "review": "odd", "ref": "R1", "text": NASTY[0], "themes": [NASTY[1], NASTY[2]]}],
    }, edges={
        "RECORDED": [(agency, c["id"], {}) for c in contacts],
        "ABOUT": [(c["id"], person, {}) for c in contacts],
        "IN_REVIEW": [(person, review, {"role": "victim", "name": "Jo", "aliases": [NASTY[5], NASTY[11]], "age": 30,
                                        "identified": True}),
                      (agency, review, {"name": "Odd Police", "aliases": [NASTY[12]]}),
                      ("recommendation:odd/R1", review, {})] + [(c["id"], review, {}) for c in contacts],
        "ADDRESSED_TO": [("recommendation:odd/R1", agency, {})],
    })


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """The example reviews and ``odd_review``, with an analyst's decision, in an embedded workspace."""
    folder = tmp_path_factory.mktemp("admin") / "ws"
    store = EmbeddedStore(folder)
    store.load([EXAMPLES])
    store.write([odd_review()])
    store.put_decisions([{"kind": "identity", "key": "person:a|person:b", "decision": "same", "note": NASTY[2]}])
    return folder


def run(env: dict, *command: str):
    from dhrgraph.cli import main

    result = CliRunner().invoke(main, list(command), env=env)
    return result.exit_code, result.stdout, result.stderr


def neo4j_cli_env(settings: dict) -> dict:
    return {"DHRGRAPH_BACKEND": None, "NEO4J_URI": settings["NEO4J_URI"], "NEO4J_USERNAME": settings["NEO4J_USERNAME"],
            "NEO4J_PASSWORD": settings["NEO4J_PASSWORD"], "NEO4J_DATABASE": settings.get("NEO4J_DATABASE", "neo4j")}


def dumped(store) -> list[str]:
    """The whole graph, each row as JSON (1 and 1.0, "1" and 1, true and 1 differ), and the decisions."""
    return [json.dumps(row, sort_keys=True) for row in store.run(DUMP)] + [json.dumps(store.decisions(), sort_keys=True)]


@pytest.mark.neo4j
def test_neo4j_admin_import_gives_the_database_the_loader_writes(tmp_path, workspace, neo4j_env):
    require_launcher("the neo4j-admin import test (it starts its own server)")
    folder = tmp_path / "for-neo4j"
    code, out, err = run({"DHRGRAPH_BACKEND": None}, "--workspace", str(workspace), "export", "--neo4j-import", str(folder))
    assert code == 0, err
    assert f"neo4j-admin database import full neo4j --overwrite-destination @{ARGS}" in out

    server = Throwaway(tmp_path / "server")
    done = subprocess.run([str(LAUNCHER), "import", str(folder)], capture_output=True, text=True, env=server.env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    settings = server.start()
    try:
        code, out, err = run(neo4j_cli_env(settings), "--backend", "neo4j", "import", str(folder))
        assert code == 0, err
        assert "the database holds what the folder holds" in out
        with server.store() as store:
            imported = dumped(store)
            records, _, _ = store.driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name", database_=store.database)
            constraints = {record["name"] for record in records}
            # the imported database takes a review loaded again as a loaded one does (its constraints and indexes)
            store.load([EXAMPLES / "dhr-ashworth-2022"])
            reloaded = dumped(store)
    finally:
        server.stop()

    clear_neo4j(neo4j_env)
    code, out, err = run(neo4j_cli_env(neo4j_env), "--backend", "neo4j", "import", str(workspace))  # through Cypher
    assert code == 0, err
    from dhrgraph.graph.backends import Settings, open_store

    with open_store(Settings.from_env(neo4j_env, backend="neo4j")) as store:
        loaded = dumped(store)
    assert len(imported) > 1000
    assert imported == loaded
    assert reloaded == loaded
    assert {"dhrgraph_Contact_id", "dhrgraph_Person_id", "dhrgraph_DhrgraphState_id"} <= constraints


@pytest.mark.neo4j
def test_finishing_checks_the_database_holds_the_folder(tmp_path, workspace, neo4j_env):
    folder = tmp_path / "for-neo4j"
    write_import(EmbeddedStore(workspace), folder)
    env = neo4j_cli_env(neo4j_env)
    clear_neo4j(neo4j_env)
    code, out, err = run(env, "--backend", "neo4j", "import", str(folder))
    assert code == 1
    assert "is empty" in err and "neo4j-admin database import full neo4j" in err and "Traceback" not in err

    from dhrgraph.graph.backends import Settings, open_store

    with open_store(Settings.from_env(neo4j_env, backend="neo4j")) as store:
        store.load([EXAMPLES])  # the examples without the odd review: not what the folder holds
        before = dumped(store)
        held = sum(batch.contact_count for batch in store.batches())
        code, out, err = run(env, "--backend", "neo4j", "import", str(folder))
        assert code == 1
        expected = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["nodes"]["Contact"]
        assert "does not hold what" in err and f"Contact: {held} (the folder: {expected})" in err and "nothing was changed" in err
        assert dumped(store) == before


def test_the_files_are_what_neo4j_admin_reads(tmp_path, workspace):
    folder = tmp_path / "for-neo4j"
    files = write_import(EmbeddedStore(workspace), folder)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    store = EmbeddedStore(workspace)
    contacts = sum(batch.contact_count for batch in store.batches())
    assert manifest["nodes"]["Contact"] == contacts == files.nodes["Contact"] > 180
    assert manifest["reviews"] == store.review_names()
    assert manifest["decisions"] == store.decisions()
    args = (folder / ARGS).read_text(encoding="utf-8").splitlines()
    assert "--bad-tolerance=0" in args and "--array-delimiter=\\u001F" in args
    listed = [part for line in args if line.startswith("--nodes=") or line.startswith("--relationships=")
              for part in line.split("=", 2)[2].split(",")]
    assert sorted(listed) == sorted(p.name for p in folder.glob("*.csv"))
    # a property whose values differ in type between rows is two groups, each header saying its type
    headers = {p.name: next(csv.reader(open(p, encoding="utf-8"))) for p in folder.glob("nodes-Review-*.header.csv")}
    typed = [h for h in headers.values() if "index_date:long" in h]
    assert typed and any("index_date:string" in h for h in headers.values())
    assert "scores:double[]" in typed[0] and "flags:boolean[]" in typed[0] and "ratio:double" in typed[0]
    assert "verified:boolean" in typed[0]
    # the empty title is quoted (an empty text: every text of its row is), an absent property an empty field
    data = {h: f for h, f in files.files["Review"]}
    odd = next((folder / data[h]).read_text(encoding="utf-8") for h, names in headers.items() if names == typed[0])
    assert re.search(r',""(,|\n)', odd) and '"null"' in odd


@pytest.mark.parametrize("value", [[], [""], ["a\x1fb"], [1, "a"], [{"k": 1}]])
def test_a_list_the_files_cannot_hold_is_refused_naming_it(tmp_path, value):
    batch = odd_review()
    table = batch.nodes["Person"]
    table.columns.append("nicknames")
    table.rows = [(*row, value) for row in table.rows]
    store = EmbeddedStore(tmp_path / "ws")
    store.write([batch])
    with pytest.raises(StoreError) as caught:
        write_import(store, tmp_path / "out")
    assert "Person person:odd/Jo: property 'nicknames'" in str(caught.value)
    assert "dhrgraph --backend neo4j import" in str(caught.value)
    assert not (tmp_path / "out" / MANIFEST).exists()


def test_the_folder_must_be_empty_or_an_earlier_one(tmp_path, workspace):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(StoreError) as caught:
        write_import(EmbeddedStore(workspace), tmp_path / "busy")
    assert "not empty" in str(caught.value)
    write_import(EmbeddedStore(workspace), tmp_path / "again")
    first = sorted(p.name for p in (tmp_path / "again").iterdir())
    write_import(EmbeddedStore(workspace), tmp_path / "again")
    assert sorted(p.name for p in (tmp_path / "again").iterdir()) == first


def test_embedded_store_refuses_finishing_an_admin_import(tmp_path, workspace):
    folder = tmp_path / "for-neo4j"
    write_import(EmbeddedStore(workspace), folder)
    code, out, err = run({"DHRGRAPH_BACKEND": None}, "--workspace", str(tmp_path / "other"), "import", str(folder))
    assert code == 1
    assert "give --backend neo4j" in err and "Traceback" not in err
    assert not (tmp_path / "other").exists()


def rows_of(folder: Path) -> tuple[collections.Counter, dict]:
    """Every row of the files ``import.args`` names, as (label or type, its header's columns with the row's fields),
    and the manifest."""
    rows: collections.Counter = collections.Counter()
    for line in (folder / ARGS).read_text(encoding="utf-8").splitlines():
        if line.startswith(("--nodes=", "--relationships=")):
            name, files = line.split("=", 2)[1:]
            header, data = files.split(",")
            columns = next(csv.reader(open(folder / header, encoding="utf-8", newline="")))
            for row in csv.reader(open(folder / data, encoding="utf-8", newline="")):
                rows[(name, tuple(zip(columns, row)))] += 1
    return rows, json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def test_two_processes_write_what_one_does(tmp_path, workspace, monkeypatch):
    from dhrgraph.graph import admin_import

    monkeypatch.setattr(admin_import, "FORK_REVIEWS", 2)
    write_import(EmbeddedStore(workspace), tmp_path / "two")
    monkeypatch.setenv("DHRGRAPH_PROCESSES", "1")
    write_import(EmbeddedStore(workspace), tmp_path / "one")
    two, one = rows_of(tmp_path / "two"), rows_of(tmp_path / "one")
    assert two == one
    assert sum(one[0].values()) == sum(one[1]["nodes"].values()) + sum(one[1]["relationships"].values()) > 1000
    from dhrgraph.graph.parallel import forks

    monkeypatch.delenv("DHRGRAPH_PROCESSES")
    if forks():  # each half wrote files of its own, named by its first review's place
        assert len({p.name.split("-")[2] for p in (tmp_path / "two").glob("nodes-Contact-*.csv")}) == 2


@pytest.mark.neo4j
def test_neo4j_writes_the_files_the_embedded_store_writes(tmp_path, workspace, neo4j_env):
    from dhrgraph.graph.backends import Settings, open_store
    from dhrgraph.graph.transfer import import_workspace

    clear_neo4j(neo4j_env)
    with open_store(Settings.from_env(neo4j_env, backend="neo4j")) as store:
        import_workspace(store, workspace)
        write_import(store, tmp_path / "from-neo4j")
    write_import(EmbeddedStore(workspace), tmp_path / "from-embedded")
    (neo4j_rows, neo4j_manifest), (embedded_rows, embedded_manifest) = rows_of(tmp_path / "from-neo4j"), rows_of(tmp_path / "from-embedded")
    assert neo4j_rows == embedded_rows
    assert sorted(neo4j_manifest.pop("reviews")) == sorted(embedded_manifest.pop("reviews"))  # each store's order
    assert neo4j_manifest == embedded_manifest


def test_a_failed_export_leaves_no_folder_to_import(tmp_path, workspace):
    batch = odd_review()
    table = batch.nodes["Person"]
    table.columns.append("nicknames")
    table.rows = [(*row, []) for row in table.rows]
    store = EmbeddedStore(tmp_path / "ws")
    store.load([EXAMPLES])
    store.write([batch])
    with pytest.raises(StoreError):
        write_import(store, tmp_path / "out")
    assert any((tmp_path / "out").glob("*.csv")) and not (tmp_path / "out" / MANIFEST).exists()
    code, out, err = run({"DHRGRAPH_BACKEND": None}, "--workspace", str(tmp_path / "other"), "import", str(tmp_path / "out"))
    assert code == 1
    assert "unfinished `dhrgraph export --neo4j-import`" in err and "Traceback" not in err
