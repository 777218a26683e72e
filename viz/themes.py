"""The theme-by-review matrix as a page and as a workbook.

The page is seed 003's table made live: themes down, reviews across, a mark where a theme occurred
(each mark links to the chronology rows it rests on, listed below the table), the count and share at
the side with a bar for the share; click a column header to sort. One self-contained file with
``viz.page``'s template and Content-Security-Policy (no network). The workbook (openpyxl) holds the
same matrix, an evidence sheet the marks link to, and a bar chart of the shares.
"""

from __future__ import annotations

import os
from pathlib import Path

from dhrgraph.queries.findings import cite
from dhrgraph.queries.themes import ThemeTable
from dhrgraph.viz.tables import sortable_script
from dhrgraph.viz.page import View, esc, page

__all__ = ["themes_view", "write_themes_workbook"]

CSS = """
main.matrix{display:block;overflow:auto;padding:.6rem 1rem}
table.themes{border-collapse:collapse;font-size:.85rem}
.themes th,.themes td{border:1px solid #ddd;padding:.2rem .45rem}
.themes thead th{position:sticky;top:0;background:#f3f3f3;cursor:pointer;white-space:nowrap}
.themes thead th.review{writing-mode:vertical-rl;transform:rotate(180deg);max-height:11rem}
.themes td.mark{text-align:center}.themes td.mark a{text-decoration:none;color:#b0003a;font-weight:700}
.themes td.num{text-align:right;white-space:nowrap}.themes td.share{text-align:left}
.bar{display:inline-block;height:.7rem;background:#3949ab;vertical-align:middle;margin-right:.35rem}
.group td{background:#eceff1;font-weight:600}
.evidence h3{font-size:.9rem;margin:.8rem 0 .2rem}.evidence ul{margin:0;font-size:.82rem}
:target{background:#fff8e1}
"""


def themes_view(table: ThemeTable, *, redact: bool = False) -> View:
    """The matrix as one offline page. The table names no person (themes, review ids, agencies and
    chronology rows), so ``redact`` changes nothing but the subtitle saying so."""
    reviews, total = table.reviews, len(table.reviews)
    head = ("<tr><th>Theme</th><th>Group</th>"
            + "".join(f"<th class='review' title='{esc(r)}'>{esc(r)}</th>" for r in reviews)
            + "<th>Reviews</th><th>Share</th></tr>")
    body, evidence = [], []
    for i, row in enumerate(table.rows):
        cells = []
        for j, review in enumerate(reviews):
            if review in row["evidence"]:
                anchor = f"ev-{i}-{j}"
                cells.append(f"<td class='mark' data-sort='1'><a href='#{anchor}' title='{esc(review)}: "
                             f"{len(row['evidence'][review])} row(s)'>&#10003;</a></td>")
                items = "".join(f"<li>{esc(cite(e, short=True, always_file=True))}</li>" for e in row["evidence"][review])
                evidence.append(f"<div id='{anchor}'><h3>{esc(row['label'])} <code>{esc(row['theme'])}</code>: "
                                f"{esc(review)}</h3><ul>{items or '<li>(no row cited)</li>'}</ul></div>")
            else:
                cells.append("<td class='mark' data-sort='0'></td>")
        percent = round(100 * row["share"])
        body.append(f"<tr><td title='{esc(row['theme'])}'>{esc(row['label'])}<br><code>{esc(row['theme'])}</code></td>"
                    f"<td>{esc(row['group'])}</td>{''.join(cells)}"
                    f"<td class='num' data-sort='{row['reviews']}'>{row['reviews']}/{total}</td>"
                    f"<td class='num share' data-sort='{row['share']}'><span class='bar' style='width:{percent * 1.2:.0f}px'></span>"
                    f"{percent}%</td></tr>")
    title = "Themes across reviews"
    subtitle = (f"{len(table.rows)} themes over {total} review(s). A mark means the theme occurred in that review: "
                "click it for the chronology rows it rests on. Click a column header to sort; the bar shows the share "
                "of reviews." + (" Redacted: the table names no person." if redact else ""))
    html = (f"<main class='matrix'><table class='themes'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
            f"<section class='evidence'><h2>Evidence</h2>{''.join(evidence)}</section></main>")
    return View(title, page(title, subtitle, html, head=f"<style>{CSS}</style>", script=sortable_script("table.themes")))


def write_themes_workbook(table: ThemeTable, path: str | os.PathLike) -> Path:
    """The matrix, its evidence and a bar chart of shares as an .xlsx workbook."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    book = Workbook()
    sheet = book.active
    sheet.title = "themes"
    sheet.append(["theme", "label", "group", *table.reviews, "reviews", "share"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    evidence = book.create_sheet("evidence")
    evidence.append(["theme", "review", "file", "line", "date", "agency"])
    share_column = 5 + len(table.reviews)
    for row in table.rows:
        line = [row["theme"], row["label"], row["group"]] + ["" for _ in table.reviews] + [row["reviews"], row["share"]]
        sheet.append(line)
        r = sheet.max_row
        for j, review in enumerate(table.reviews):
            items = row["evidence"].get(review)
            if items is None:
                continue
            cell = sheet.cell(row=r, column=4 + j, value="v")
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"evidence!A{evidence.max_row + 1}")
            for e in items or [{"file": "", "line": None, "date": None, "agency": None}]:
                evidence.append([row["theme"], review, e["file"], e["line"], e.get("date"), e.get("agency")])
        sheet.cell(row=r, column=share_column).number_format = "0%"
    if table.rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Share of reviews"
        chart.add_data(Reference(sheet, min_col=share_column, min_row=1, max_row=sheet.max_row), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=sheet.max_row))
        chart.height, chart.width = max(8, 0.5 * len(table.rows)), 18
        book.create_sheet("chart").add_chart(chart, "A1")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target
