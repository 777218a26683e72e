"""Big answers are written piece by piece (issue 16: at 1M contacts `findings --format json` wrote 369 MB, and
holding that text took the command's peak from 1.3 to 2.9 GB). The pieces, put together, are exactly the text
rendered at once, in every format, whatever the piece size; and the CLI writes the same bytes as before."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dhrgraph.cli import main
from dhrgraph.graph.embedded import EmbeddedStore
from dhrgraph.queries import findings as findings_module
from dhrgraph.queries import render as render_module
from dhrgraph.queries.findings import build_report, finding_rows, html_chunks, markdown_chunks
from dhrgraph.queries.outputs import json_safe, json_text


@pytest.fixture(scope="module")
def report(examples_workspace):
    return build_report(EmbeddedStore(examples_workspace))


@pytest.mark.parametrize("size", [1, 2, 7, 10**9])
def test_pieces_make_the_whole_text(report, monkeypatch, size):
    rows = finding_rows(report)
    assert len(rows) > 7
    whole = {fmt: "".join(render_module.render_chunks(rows, fmt)) for fmt in ("json", "csv", "table")}
    markdown = "".join(markdown_chunks(report))
    html = "".join(html_chunks(report, {"missed-marac": "report-views/missed-marac.html"}))
    monkeypatch.setattr(render_module, "CHUNK_ROWS", size)
    monkeypatch.setattr(findings_module, "CHUNK_ROWS", size)
    for fmt in ("json", "csv", "table"):
        pieces = list(render_module.render_chunks(rows, fmt))
        assert "".join(pieces) == whole[fmt], fmt
        if fmt != "table" and size < len(rows):
            assert len(pieces) > 2, fmt  # really in pieces
    assert whole["json"] == json_safe(json_text(rows, indent=True))  # the text of the whole list at once
    pieces = list(markdown_chunks(report))
    assert "".join(pieces) == markdown and (size >= len(rows) or len(pieces) > 2)
    pieces = list(html_chunks(report, {"missed-marac": "report-views/missed-marac.html"}))
    assert "".join(pieces) == html and (size >= len(rows) or len(pieces) > 3)
    assert "\0" not in html and html.startswith("<!doctype html>") and "report-views/missed-marac.html" in html


def test_no_rows_render_as_before():
    assert render_module.render([], "json") == "[]"
    assert render_module.render([], "csv") == "\r\n"
    assert render_module.render([], "table") == "(no rows)"


@pytest.mark.parametrize("args, suffix", [(["--format", "json"], None), (["--format", "csv"], None), ([], None),
                                          (["--output"], ".json"), (["--output"], ".csv"), (["--output"], ".md"),
                                          (["--output"], ".html")])
def test_the_cli_writes_the_same_bytes_in_pieces(examples_workspace, tmp_path, monkeypatch, args, suffix):
    def run() -> str:
        if suffix is None:
            result = CliRunner().invoke(main, ["--workspace", str(examples_workspace), "findings", *args], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            return result.output
        out = tmp_path / f"report{suffix}"
        result = CliRunner().invoke(main, ["--workspace", str(examples_workspace), "findings", *args, str(out)],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return out.read_text(encoding="utf-8")
    whole = run()
    monkeypatch.setattr(render_module, "CHUNK_ROWS", 1)
    monkeypatch.setattr(findings_module, "CHUNK_ROWS", 1)
    assert run() == whole
    assert whole.endswith("\n") and not whole.endswith("\n\n\n")
