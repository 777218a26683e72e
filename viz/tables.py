"""Rows as a page: a sortable table in ``viz.page``'s offline template (no network, everything escaped)."""

from __future__ import annotations

import json

from typing import Any, Sequence

from dhrgraph.queries.render import _flat
from dhrgraph.viz.page import View, esc, page

__all__ = ["rows_view"]

CSS = """
main.rows{display:block;overflow:auto;padding:.6rem 1rem}
table.rows{border-collapse:collapse;font-size:.85rem}
.rows th,.rows td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
.rows thead th{position:sticky;top:0;background:#f3f3f3;cursor:pointer}
"""

def sortable_script(selector: str) -> str:
    """Inline JS: clicking a header of the table ``selector`` sorts its rows by that column (numbers as
    numbers, a cell's ``data-sort`` before its text), again for the other way."""
    return _SORTABLE.replace("SELECTOR", json.dumps(selector))


_SORTABLE = """
(function () {
  var table = document.querySelector(SELECTOR), body = table.tBodies[0];
  table.querySelectorAll("thead th").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var down = th.dataset.order !== "desc";
      th.dataset.order = down ? "desc" : "asc";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.sort || a.cells[column].textContent,
            y = b.cells[column].dataset.sort || b.cells[column].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return down ? -c : c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  document.body.dataset.rendered = "1";
})();
"""


def rows_view(title: str, rows: list[dict[str, Any]], columns: Sequence[str]) -> View:
    """``rows``' ``columns`` as a sortable table (click a header)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(_flat(row.get(c)))}</td>" for c in columns) + "</tr>" for row in rows)
    subtitle = f"{len(rows)} row(s). Click a column header to sort."
    html = f"<main class='rows'><table class='rows'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></main>"
    return View(title, page(title, subtitle, html, head=f"<style>{CSS}</style>", script=sortable_script("table.rows")))
