"""One renderer for every command's rows: an aligned table, JSON (always an array) or CSV.

Cells are made safe for where they go by ``queries.outputs``: CSV cells that a spreadsheet would
run as formulas are neutralised, and control characters never reach a terminal."""

from __future__ import annotations

import io
import json
from typing import Any, Iterator, Sequence

from dhrgraph.queries.outputs import csv_writer, json_safe, json_text, terminal_safe

__all__ = ["render", "render_chunks", "table_rows", "FORMATS", "one_row_per_evidence", "EVIDENCE_COLUMNS"]

FORMATS = ("table", "json", "csv")
TABLE_CELL_WIDTH = 60
CHUNK_ROWS = 1000  # rows rendered at a time (``render_chunks``)


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render(rows: list[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> str:
    """Rows as text. ``columns`` picks and orders the table's columns; JSON and CSV keep every key.

    >>> render([{"a": 1, "b": [2, 3]}], "csv")
    'a,b\\r\\n1,2; 3\\r\\n'
    """
    return "".join(render_chunks(rows, fmt, columns))


def render_chunks(rows: list[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> Iterator[str]:
    """``render``'s text in pieces of ``CHUNK_ROWS`` rows (JSON and CSV): a command writes each as it comes, so the
    whole text of a big answer is never held at once (at 1M contacts, `findings --format json` wrote 369 MB, and
    holding that text, encoded too, took its peak from 1.3 to 2.9 GB)."""
    if fmt == "json":
        if not rows:
            yield json_safe(json_text(rows, indent=True))
            return
        # the same text as the whole list indented at once: each piece's rows without the piece's brackets
        for at in range(0, len(rows), CHUNK_ROWS):
            text = json_safe(json_text(rows[at:at + CHUNK_ROWS], indent=True))
            yield ("[\n" if at == 0 else ",\n") + text[2:-2]
        yield "\n]"
        return
    if fmt == "csv":
        split = _has_evidence(rows)  # decided once for every piece
        keys = list(dict.fromkeys(k for row in _per_evidence(rows, split) for k in row))
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(keys)
        for at in range(0, len(rows), CHUNK_ROWS):
            writer.writerows([_flat(row.get(k)) for k in keys] for row in _per_evidence(rows[at:at + CHUNK_ROWS], split))
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()
        return
    yield _table(rows, columns)


def _table(rows: list[dict[str, Any]], columns: Sequence[str] | None) -> str:
    if not rows:
        return "(no rows)"
    keys = list(columns or dict.fromkeys(k for row in rows for k in row))
    rows = [{terminal_safe(k): v for k, v in row.items()} for row in rows] if any(map(_unsafe, keys)) else rows
    keys = [terminal_safe(k) for k in keys]
    # cells are cut to keep columns aligned; the last column needs no alignment, so it stays whole
    cells = [[_shorten(_flat(row.get(k))) for k in keys[:-1]] + [terminal_safe(" ".join(_flat(row.get(keys[-1])).split()))] for row in rows]
    widths = [max(len(k), *(len(r[i]) for r in cells)) for i, k in enumerate(keys)]
    lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines)


def _unsafe(key: str) -> bool:
    return terminal_safe(key) != key


EVIDENCE_COLUMNS = ("review", "file", "record", "line", "date", "agency", "event", "summary")


def one_row_per_evidence(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For CSV: a row with ``evidence`` becomes one row per evidence item, the item in columns
    ``evidence_review``, ``evidence_file``, ``evidence_record`` ... (the finding's columns repeated)."""
    return list(_per_evidence(rows, _has_evidence(rows)))


def _has_evidence(rows: list[dict[str, Any]]) -> bool:
    """Whether rows are split by their evidence: when any row has a list of it."""
    return any(isinstance(row.get("evidence"), list) for row in rows)


def _per_evidence(rows: list[dict[str, Any]], split: bool) -> Iterator[dict[str, Any]]:
    """``one_row_per_evidence``'s rows one by one (each split by its evidence when ``split``)."""
    for row in rows:
        if not split:
            yield row
            continue
        base = {k: v for k, v in row.items() if k != "evidence"}
        for item in row.get("evidence") or [{}]:
            yield {**base, **{f"evidence_{k}": item.get(k) for k in EVIDENCE_COLUMNS}}


def _shorten(text: str) -> str:
    text = terminal_safe(" ".join(text.split()))
    return text if len(text) <= TABLE_CELL_WIDTH else text[: TABLE_CELL_WIDTH - 1] + "…"


def table_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For tables: the simple columns, how many rows the finding cites, and the finding sentence last
    (the one column a table never cuts). JSON and CSV keep everything."""
    out = []
    for row in rows:
        short = {k: v for k, v in row.items() if k not in ("evidence", "finding")
                 and not (isinstance(v, list) and v and isinstance(v[0], dict)) and not isinstance(v, dict)}
        short["cites"] = len(row.get("evidence", []))
        if "finding" in row:
            short["finding"] = row["finding"]
        out.append(short)
    return out
