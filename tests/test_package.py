"""dhrgraph as a package: one installed name, and the Python API a notebook uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import networkx as nx
import pytest

import dhrgraph
from helpers import EXAMPLES, ROOT

NOTEBOOK = ROOT / "examples" / "notebook.ipynb"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-3000:]
    [path] = out.glob("dhrgraph-*.whl")
    return path, built.stdout + built.stderr


def test_the_wheel_holds_exactly_one_top_level_name(wheel):
    path, log = wheel
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        top_level = archive.read(next(n for n in names if n.endswith(".dist-info/top_level.txt"))).decode().split()
    assert {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")} == {"dhrgraph"}
    assert top_level == ["dhrgraph"]
    assert "BuildBackendWarning" not in log
    assert not any(n.startswith("dhrgraph/tests/") or n.startswith("dhrgraph/benchmarks/") for n in names)


def test_the_wheel_installs_and_runs_in_a_fresh_venv(wheel, tmp_path):
    path, _ = wheel
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DHRGRAPH_", "NEO4J_", "PYTHON"))}
    installed = subprocess.run([str(bin_dir / "pip"), "install", "-q", str(path)], capture_output=True, text=True,
                               timeout=900, env=clean)
    assert installed.returncode == 0, installed.stderr[-3000:]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=clean, timeout=300)

    assert run(str(bin_dir / "dhrgraph"), "--help").returncode == 0
    corpus = tmp_path / "corpus"
    assert run(str(bin_dir / "dhrgraph"), "synth", "--reviews", "3", "--out", str(corpus)).returncode == 0
    loaded = run(str(bin_dir / "dhrgraph"), "--workspace", str(tmp_path / "ws"), "load", str(corpus))
    assert loaded.returncode == 0 and "Loaded 3 review(s)" in loaded.stdout, loaded.stderr
    found = run(str(bin_dir / "dhrgraph"), "--workspace", str(tmp_path / "ws"), "findings")
    assert found.returncode == 0 and "findings" in found.stdout
    for name in ("graph", "loaders", "queries", "viz", "cli", "synth"):
        assert run(str(bin_dir / "python"), "-c", f"import {name}").returncode != 0, f"{name} is installed at the top level"
    assert run(str(bin_dir / "python"), "-c", "import dhrgraph.queries, dhrgraph.viz").returncode == 0


def test_the_example_notebook_runs(tmp_path, monkeypatch, capsys):
    """Every code cell of examples/notebook.ipynb, in order, in one namespace (what a kernel does)."""
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    cells = [c for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    for cell in cells:
        exec(compile("".join(cell["source"]), str(NOTEBOOK), "exec"), namespace)  # noqa: S102
    assert namespace["report"].reviews and len(namespace["rows"]) == len(namespace["frame"]) > 0
    assert list(namespace["frame"]["subject"].unique()) == ["Jade"]
    html = namespace["view"]._repr_html_()
    assert html.startswith("<iframe") and "Content-Security-Policy" in html and "sandbox='allow-scripts'" in html
    assert "No review 'dhr-northbrok-2021'. Closest: dhr-northbrook-2021" in capsys.readouterr().out


def test_open_and_graph_on_both_backends(settings):
    overrides = {"backend": settings.backend, "workspace": settings.workspace}
    if settings.backend == "neo4j":
        overrides.update(neo4j_uri=settings.neo4j_uri, neo4j_user=settings.neo4j_user,
                         neo4j_password=settings.neo4j_password, neo4j_database=settings.neo4j_database)
    with dhrgraph.open(**overrides) as store:
        store.load([EXAMPLES])
        whole, one = store.graph(), store.graph(review="dhr-kingsmere-2020")
        assert isinstance(one, nx.MultiDiGraph)
        reviews = sorted(n for n, label in whole.nodes(data="label") if label == "Review")
        assert reviews == sorted(f"review:{p.name}" for p in EXAMPLES.iterdir() if p.is_dir())
        assert [n for n, label in one.nodes(data="label") if label == "Review"] == ["review:dhr-kingsmere-2020"]
        contacts = [d for _, d in one.nodes(data=True) if d["label"] == "Contact"]
        assert contacts and {c["review"] for c in contacts} == {"dhr-kingsmere-2020"}
        assert set(one.nodes) <= set(whole.nodes)
        with pytest.raises(dhrgraph.DhrgraphError, match="No review 'nope'"):
            store.graph(review="nope")
