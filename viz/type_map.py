"""A region's agency map by type: agency types as nodes, readable at hundreds of reviews.

An agency-by-agency flow map is a tangle at 4 reviews and unreadable at 500 (hundreds of agencies,
thousands of gap lines). Here each agency type (police, gp, da_service ...) is one node, sized by the
reviews in which an agency of that type worked with the family; an arrow from one type to another
carries the referrals and shares between agencies of those types, summed over the reviews. For each
pair of types, the **gap share** is the share of the reviews in which both worked with the family
(recorded contacts about its people) and nothing passed between them, either way, through any agency
of the two types. The heatmap beside the graph shows every pair's gap share; the graph draws a
dashed red line for pairs whose gap share is at least ``GAP_LINE_SHARE`` (a checkbox hides them).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from dhrgraph.graph.errors import UnknownName
from dhrgraph.graph.store import Store
from dhrgraph.queries.themes import type_label
from dhrgraph.viz.chart import Chart
from dhrgraph.viz.overview import Overview
from dhrgraph.viz.page import View, count, esc
from dhrgraph.viz.style import GAP, agency_style, flow_style

__all__ = ["type_flows", "type_flows_view", "GAP_LINE_SHARE"]

GAP_LINE_SHARE = 0.5
GAPS = "gaps"
CSS = """
aside{width:36rem}
table.heat{border-collapse:collapse;font-size:.7rem;margin-top:.4rem}
.heat th{font-weight:600;padding:1px 3px;white-space:nowrap}
.heat thead th{writing-mode:vertical-rl;transform:rotate(180deg);height:7.5rem;text-align:left}
.heat td{width:1.25rem;height:1.25rem;text-align:center;border:1px solid #fff;color:#1b1b1b}
"""


def type_flows(ov: Overview) -> dict:
    """The map's numbers: ``working`` (type -> reviews), ``flows`` ((from type, to type, kind) -> count),
    ``pairs`` ((type, type) sorted -> (reviews both worked, reviews with nothing between them))."""
    working: dict[str, set[str]] = defaultdict(set)
    exchanged: dict[str, set[frozenset]] = defaultdict(set)
    flows: dict[tuple[str, str, str], int] = defaultdict(int)
    for c in ov.contacts:
        if c.subjects:
            working[ov.agencies[c.agency].type].add(c.review)
    for (a, b, kind), contacts in ov.flows().items():  # referrals and shares, a received one counted once
        pair = (ov.agencies[a].type, ov.agencies[b].type)
        flows[(*pair, kind)] += len(contacts)
        for c in contacts:
            exchanged[c.review].add(frozenset(pair))
    pairs = {}
    for a, b in combinations(sorted(working), 2):
        both = working[a] & working[b]
        if both:
            silent = [r for r in both if frozenset((a, b)) not in exchanged[r]]
            pairs[(a, b)] = (len(both), len(silent))
    return {"working": {t: len(r) for t, r in working.items()}, "flows": dict(flows), "pairs": pairs}


def _heat(share: float) -> str:
    """White (0) to red (1)."""
    fade = round(255 * (1 - share))
    return f"rgb(255,{fade},{fade})"


def _heatmap(types: list[str], pairs: dict[tuple[str, str], tuple[int, int]]) -> str:
    head = "".join(f"<th title='{esc(type_label(t))}'>{esc(type_label(t))}</th>" for t in types)
    rows = []
    for a in types:
        cells = []
        for b in types:
            key = (min(a, b), max(a, b))
            if a == b or key not in pairs:
                cells.append("<td style='background:#f5f5f5'></td>")
                continue
            both, silent = pairs[key]
            share = silent / both
            cells.append(f"<td style='background:{_heat(share)}' title='{esc(type_label(a))} and {esc(type_label(b))}: "
                         f"nothing passed between them in {silent} of the {both} reviews where both worked with the family "
                         f"({round(100 * share)}%)'>{round(10 * share) if both else ''}</td>")
        rows.append(f"<tr><th>{esc(type_label(a))}</th>{''.join(cells)}</tr>")
    return (f"<section><h2>Reviews where both worked with the family and nothing passed between them</h2>"
            "<p>Darker is more often (the digit is tenths: 7 means 70%). Hover a cell for the counts.</p>"
            f"<table class='heat'><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>")


def type_flows_view(store: Store, review: str | None = None, signals: str = "all") -> View:
    """Agency types, the referrals and shares between them summed over the reviews, and how often
    two types that both worked with a family exchanged nothing (a heatmap and dashed lines)."""
    whole = Overview.of_store(store, None if review is None else [review], signals)
    if review is not None and review not in whole.reviews:
        raise UnknownName(f"No review {review!r}. Reviews: {', '.join(whole.reviews) or 'none loaded'}")
    ov = whole.for_reviews([review]) if review else whole
    numbers = type_flows(ov)
    working, flows, pairs = numbers["working"], numbers["flows"], numbers["pairs"]
    types = sorted({*working, *(t for key in flows for t in key[:2])})
    chart = Chart()
    for t in types:
        chart.node(t, f"{type_label(t)}\n{count(working.get(t, 0), 'review')}", agency_style(t),
                   f"{type_label(t)}: agencies of this type worked with the family in {count(working.get(t, 0), 'review')}",
                   size=12 + 4 * (working.get(t, 0) ** 0.5))
    for (a, b, kind), n in sorted(flows.items()):
        if a != b:
            chart.edge(("flow", a, b, kind), a, b, flow_style(kind),
                       f"{count(n, kind)} from {type_label(a)} to {type_label(b)}, over {_scope(ov)}", label=str(n), weight=n)
    drawn = 0
    for (a, b), (both, silent) in sorted(pairs.items()):
        if silent / both >= GAP_LINE_SHARE:
            drawn += 1
            chart.edge(("gap", a, b), a, b, GAP, f"{type_label(a)} and {type_label(b)} both worked with the family in "
                       f"{both} review(s); nothing passed between them in {silent} ({round(100 * silent / both)}%)",
                       label=f"{round(100 * silent / both)}%", toggle=GAPS)
    subtitle = (f"{count(len(types), 'agency type')} over {_scope(ov)}. Arrows: referrals and shares between agencies of "
                "two types, summed over the reviews (the number says how many). Dashed red: the two types both worked with "
                f"the family and nothing passed between them in at least {round(100 * GAP_LINE_SHARE)}% of those reviews.")
    sidebar = f"<style>{CSS}</style>" + _heatmap(types, pairs)
    return chart.view("Agency types: information flows across reviews", subtitle, sidebar=sidebar,
                      toggles={GAPS: f"Types that mostly exchanged nothing ({drawn})"})


def _scope(ov: Overview) -> str:
    reviews = ov.reviews
    return ", ".join(reviews) if len(reviews) <= 3 else f"{len(reviews)} reviews"
