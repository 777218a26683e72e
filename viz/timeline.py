"""The timeline view: one person's merged chronology as swimlanes, "who knew what, when".

One lane per agency (in the order agencies first knew of the person, by a contact or by being
told), one mark per contact coloured by the risk it shows, hollow dashed marks with "?" for
uncertain dates, a faint bar across the month or year of a date known only that far, and for every
referral or share an arrow from the contact down (or up) to a small diamond in the receiving
agency's lane: the moment that agency was told. Drawn as inline SVG that scales to the window,
with a few lines of JS for tooltips; no library.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Callable

from dhrgraph.graph.store import Store
from dhrgraph.viz.overview import Agency, Contact
from dhrgraph.viz.page import View, count, esc, page
from dhrgraph.viz.redact import Names
from dhrgraph.viz.style import RISK_COLOURS, agency_style, flow_style, legend_html, risk_colour, risk_words
from dhrgraph.viz.views import load

__all__ = ["timeline_view"]

LABEL_WIDTH = 270
TOP = 46
ROW = 20           # height of one row of marks in a lane
LANE_PAD = 10
RADIUS = 7
MIN_GAP = 2 * RADIUS + 3  # marks closer than this in one lane stack into rows
MONTHS = "JFMAMJJASOND"

SCRIPT = """
(function () {
  var tip = document.getElementById("tip");
  document.querySelectorAll("[data-tip]").forEach(function (el) {
    el.addEventListener("mouseenter", function () { tip.textContent = el.dataset.tip; tip.hidden = false; });
    el.addEventListener("mousemove", function (e) {
      var x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
      var y = e.clientY + 14 + tip.offsetHeight > window.innerHeight ? e.clientY - tip.offsetHeight - 10 : e.clientY + 14;
      tip.style.left = x + "px"; tip.style.top = y + "px";
    });
    el.addEventListener("mouseleave", function () { tip.hidden = true; });
  });
  document.body.dataset.rendered = "1";
})();
"""
CSS = """
main.timeline{display:block;overflow:auto;background:#fff}
.timeline .legend{padding:0 1rem .4rem;border-bottom:1px solid #eee}
.timeline .legend ul{display:flex;flex-wrap:wrap;gap:.1rem 1.2rem}
.timeline svg.chart{display:block;width:100%;height:auto}
.lane-label{font-size:13px}.axis{font-size:11px;fill:#555}.count{fill:#777;font-size:11px}
.mark:hover{stroke:#000;stroke-width:2.5}
.flow{fill:none;stroke-width:1.7;opacity:.85}.flow:hover{stroke-width:3.5;opacity:1}
"""


@dataclass
class Item:
    """Something drawn in a lane: a contact's mark, or a diamond where the agency was told."""

    contact: Contact
    x: float
    received: str = ""  # the kind of flow (referral | share) for a diamond
    row: int = 0


def _day(c: Contact) -> dt.date:
    return dt.date.fromisoformat(c.props["date"])


def _period_end(c: Contact) -> dt.date:
    start = _day(c)
    precision = c.props.get("date_precision", "day")
    if precision == "year":
        return dt.date(start.year, 12, 31)
    if precision == "month":
        return dt.date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    return start


def _tip(c: Contact, agencies: dict[str, Agency], names: Names) -> str:
    p = c.props
    lines = [f"{'Uncertain date ' if p.get('uncertain') else ''}{p['date_text']}{' ' + p['time'] if p.get('time') else ''}"
             f" · {agencies[c.agency].name}",
             " · ".join(filter(None, [p["event"].replace("_", " "), p.get("risk_level") and f"{p['risk_level']} risk",
                                      p.get("dash_score") is not None and f"DASH {p['dash_score']}"]))]
    if p.get("risk_factors"):
        lines.append("Risk factors: " + ", ".join(f.replace("_", " ") for f in p["risk_factors"]))
    lines += list(filter(None, [names.summary(p.get("summary")),
                                names.professional(p.get("professional")) and f"Professional: {p['professional']}"]))
    lines += [f"{'Referred to' if kind == 'referral' else 'Shared with'} {agencies[target].name}" for kind, target in c.flows]
    lines += [f"Referral received from {agencies[sender].name}" for sender in c.received if sender in agencies]
    if p.get("referral_outcome") and not names.redact:
        lines.append(f"Outcome: {p['referral_outcome']}")
    lines.append(f"Source: {names.text(p['file'])}:{p['line']}" + (f" ({p['source']})" if p.get("source") and not names.redact else ""))
    return "\n".join(lines)


def _stack(items: list[Item]) -> int:
    """Give items that would overlap in one lane their own rows; return the number of rows."""
    ends: list[float] = []
    for item in sorted(items, key=lambda i: (i.x, i.contact.order_key)):
        item.row = next((r for r, last in enumerate(ends) if item.x - last >= MIN_GAP), len(ends))
        ends[item.row:item.row + 1] = [item.x]
    return max(len(ends), 1)


def timeline_view(store: Store, person: str, review: str | None = None, *, redact: bool = False, signals: str = "all") -> View:
    """A person's chronology as swimlanes, one per agency, from every review (or ``review`` only); text
    signals count as in the queries (``signals``; never one the analyst rejected)."""
    pid = store.resolve_person(person, review)  # refuses an unknown review
    whole, names = load(store, redact, None if review is None else [review], signals)
    scope = whole.for_reviews([review]) if review else whole
    contacts = [c for c in scope.contacts if pid in c.subjects]
    title = f"{names.person(scope.people[pid])}: who knew what, when"
    if not contacts:
        return View(title, page(title, "No agency recorded a contact about this person.", "<main></main>", script=SCRIPT))
    start, end = min(map(_day, contacts)), max(map(_period_end, contacts))
    span = max((end - start).days, 30)
    width = max(900, min(2600, 26 * len(contacts)))

    def x(day: dt.date) -> float:
        return round(LABEL_WIDTH + ((day - start).days + span * 0.02) / (span * 1.04) * width, 1)

    lanes: dict[str, list[Item]] = {}
    for c in contacts:
        lanes.setdefault(c.agency, []).append(Item(c, x(_day(c))))
        for kind, target in c.flows:
            lanes.setdefault(target, []).append(Item(c, x(_day(c)), received=kind))
    tops, heights = {}, {}
    y = TOP
    for agency, items in lanes.items():
        tops[agency], heights[agency] = y, _stack(items) * ROW + 2 * LANE_PAD
        y += heights[agency]
    height, total = y + 8, LABEL_WIDTH + width + 30

    def centre(item: Item, agency: str) -> float:
        return tops[agency] + LANE_PAD + ROW / 2 + item.row * ROW

    parts = [_markers(), *_axis(start, end, x, height)]
    for n, (agency, items) in enumerate(lanes.items()):
        parts += _lane(whole.agencies[agency], items, tops[agency], height=heights[agency], width=total, shaded=bool(n % 2))
    marks = {i.contact.id: i for items in lanes.values() for i in items if not i.received}
    for agency, items in lanes.items():
        for item in items:
            if item.received:
                source = marks[item.contact.id]
                parts += _receipt(item, whole.agencies[agency], centre(item, agency), centre(source, source.contact.agency),
                                  whole.agencies)
    for item in marks.values():
        parts += _mark(item, x, centre(item, item.contact.agency), _tip(item.contact, whole.agencies, names))
    parts += _end(contacts, x, height)
    svg = (f"<svg class='chart' viewBox='0 0 {total} {height}' style='min-width:{round(total * 0.7)}px' role='img' "
           f"aria-label='{esc(title)}' font-family='system-ui,sans-serif'>{''.join(parts)}</svg>")
    styles = [*(agency_style(whole.agencies[a].type) for a in lanes), *(flow_style(k) for c in contacts for k, _ in c.flows)]
    subtitle = (f"{count(len(contacts), 'contact')}, {contacts[0].props['date_text']} to {contacts[-1].props['date_text']} "
                f"({', '.join(sorted({names.review(c.review) for c in contacts}))}). One lane per agency, one mark per contact coloured by "
                "the risk it shows; an arrow runs from a referral or share to a diamond in the lane of the agency told. "
                "Hover for details.")
    body = f"<main class='timeline'>{legend_html(styles, _mark_legend(contacts))}{svg}</main>"
    return View(title, page(title, subtitle, body, head=f"<style>{CSS}</style>", script=SCRIPT))


def _end(contacts: list[Contact], x: Callable[[dt.date], float], height: float) -> list[str]:
    """The death that ends the chronology (graph.model.chronology_end): a line across every lane."""
    deaths = [c for c in contacts if c.props.get("event") == "death"]
    if not deaths:
        return []
    at = x(_day(deaths[0]))
    tip = f"{deaths[0].props['date_text']}: the death. The chronology ends here; nothing after it is a missed opportunity."
    return [f"<line class='end' x1='{at}' y1='{TOP - 14}' x2='{at}' y2='{height}' stroke='#111' stroke-width='2' "
            f"stroke-dasharray='2 3' data-tip='{esc(tip)}'/>",
            f"<text class='axis' x='{at + 4}' y='{TOP - 4}' data-tip='{esc(tip)}'>end of chronology</text>"]


def _lane(agency: Agency, items: list[Item], top: float, *, height: float, width: float, shaded: bool) -> list[str]:
    """A lane's band and its label: the agency's name, type colour, and how often it saw or was told."""
    contacts = sum(1 for i in items if not i.received)
    told = len(items) - contacts
    counts = ", ".join(filter(None, [contacts and count(contacts, "contact"), told and f"told {count(told, 'time')}"]))
    name = agency.name if len(agency.name) <= 32 else agency.name[:31] + "…"
    tip = f"{agency.name}\n{agency.type.replace('_', ' ')}\n{counts}"
    return [f"<rect x='0' y='{top}' width='{width}' height='{height}' fill='{'#f3f6f9' if shaded else '#ffffff'}'/>",
            f"<rect x='8' y='{top + height / 2 - 12}' width='12' height='12' rx='2' fill='{agency_style(agency.type).colour}'/>",
            f"<text class='lane-label' x='26' y='{top + height / 2 - 2}' data-tip='{esc(tip)}'>{esc(name)}"
            f"<tspan class='count' x='26' dy='15'>{esc(counts)}</tspan></text>"]


def _receipt(item: Item, target: Agency, y: float, source_y: float, agencies: dict[str, Agency]) -> list[str]:
    """The arrow from a contact to the lane of the agency it referred or shared to, and the diamond there."""
    c, kind = item.contact, item.received
    colour = flow_style(kind).colour
    tip = (f"{'Referral' if kind == 'referral' else 'Information shared'} {c.props['date_text']}: "
           f"{agencies[c.agency].name} → {target.name}")
    ends_above = y < source_y
    tip_y = y + (RADIUS if ends_above else -RADIUS)
    bend = item.x + 26
    return [f"<path class='flow' d='M{item.x + RADIUS - 2},{source_y} Q{bend},{(source_y + y) / 2} {item.x + 2},{tip_y}' "
            f"stroke='{colour}' marker-end='url(#arrow-{kind})' data-tip='{esc(tip)}'/>",
            f"<polygon points='{item.x},{y - 6} {item.x + 6},{y} {item.x},{y + 6} {item.x - 6},{y}' fill='#ffffff' "
            f"stroke='{colour}' stroke-width='2' data-tip='{esc(tip)}'/>"]


def _markers() -> str:
    """Arrowheads, one per kind of flow."""
    heads = "".join(f"<marker id='arrow-{kind}' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
                    f"orient='auto'><path d='M0,0 L10,5 L0,10 z' fill='{flow_style(kind).colour}'/></marker>"
                    for kind in ("referral", "share"))
    return f"<defs>{heads}</defs>"


def _axis(start: dt.date, end: dt.date, x: Callable[[dt.date], float], height: float) -> list[str]:
    """Year lines with labels; month lines (lettered when the span is short)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    parts = [] if start.month == 1 else [f"<text class='axis' x='{x(start)}' y='{TOP - 24}' font-weight='700'>{start.year}</text>"]
    for year in range(start.year, end.year + 1):
        for month in range(1, 13):
            day = dt.date(year, month, 1)
            if not start <= day <= end:
                continue
            px = x(day)
            if month == 1:
                parts.append(f"<line x1='{px}' y1='{TOP - 36}' x2='{px}' y2='{height}' stroke='#90a4ae'/>"
                             f"<text class='axis' x='{px + 3}' y='{TOP - 24}' font-weight='700'>{year}</text>")
            elif months <= 48:
                parts.append(f"<line x1='{px}' y1='{TOP - 12}' x2='{px}' y2='{height}' stroke='#e3e8ec'/>")
            if month != 1 and months <= 30:
                parts.append(f"<text class='axis' x='{px + 2}' y='{TOP - 4}'>{MONTHS[month - 1]}</text>")
    return parts


def _mark(item: Item, x: Callable[[dt.date], float], cy: float, tip: str) -> list[str]:
    c, cx = item.contact, item.x
    colour = risk_colour(c.risk)
    parts = []
    if c.props.get("date_precision", "day") != "day":
        width = max(x(_period_end(c)) - cx, 2)
        parts.append(f"<rect x='{cx}' y='{cy - 4}' width='{width}' height='8' rx='4' fill='{colour}' opacity='.3' data-tip='{esc(tip)}'/>")
    if c.props.get("uncertain"):
        parts.append(f"<circle class='mark' cx='{cx}' cy='{cy}' r='{RADIUS}' fill='#ffffff' stroke='{colour}' stroke-width='2' "
                     f"stroke-dasharray='3 2' data-tip='{esc(tip)}'/><text x='{cx}' y='{cy + 4}' text-anchor='middle' "
                     f"font-size='11' font-weight='700' fill='{colour}' pointer-events='none'>?</text>")
    else:
        parts.append(f"<circle class='mark' cx='{cx}' cy='{cy}' r='{RADIUS}' fill='{colour}' stroke='#263238' stroke-width='1' "
                     f"data-tip='{esc(tip)}'/>")
    return parts


def _mark_legend(contacts: list[Contact]) -> list[tuple[str, str]]:
    """Legend rows for the kinds of mark this timeline has."""
    risks = {c.risk for c in contacts}
    rows = [(f"<circle cx='18' cy='10' r='7' fill='{RISK_COLOURS[level]}' stroke='#263238'/>", f"Contact: {risk_words(level)}")
            for level in ("high", "medium", "standard", None) if level in risks]
    if any(c.props.get("uncertain") for c in contacts):
        rows.append(("<circle cx='18' cy='10' r='7' fill='#fff' stroke='#607d8b' stroke-width='2' stroke-dasharray='3 2'/>"
                     "<text x='18' y='14' text-anchor='middle' font-size='11' font-weight='700' fill='#607d8b'>?</text>",
                     "Uncertain date"))
    if any(c.props.get("date_precision", "day") != "day" for c in contacts):
        rows.append(("<rect x='4' y='6' width='28' height='8' rx='4' fill='#607d8b' opacity='.3'/>",
                     "Date known only to the month or year (the bar spans it)"))
    if any(c.flows for c in contacts):
        rows.append(("<polygon points='18,4 24,10 18,16 12,10' fill='#fff' stroke='#3949ab' stroke-width='2'/>",
                     "The agency was told (referral or share)"))
    return rows
