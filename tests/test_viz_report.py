"""The query pages written beside a findings report, drawn together (tooltips written once for every page,
issue 16), are the pages each query draws on its own; and the precomputed layout's array arithmetic is the
Fruchterman-Reingold step written pair by pair. On both backends (the ``store`` fixture)."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from dhrgraph import synth
from dhrgraph.queries.findings import build_report
from dhrgraph.viz import layout, views
from dhrgraph.viz.chart import LARGE
from helpers import EXAMPLES
from test_viz import data_of


def _pages_alone(store, sections) -> dict[str, dict]:
    """Each section's page drawn by itself, sharing nothing with the others."""
    reviews = sorted({r for s in sections for r in views._reviews_of(s.rows, None)})
    whole, names = views.load(store, reviews=reviews)
    return {s.query.name: data_of(views._query_page(whole, names, s.query, s.rows, None).html)
            for s in sections if s.rows}


@pytest.mark.parametrize("corpus,forked", [("examples", False), ("examples", True), ("synth", False), ("synth-many", True)])
def test_report_pages_drawn_together_are_the_pages_drawn_alone(store, tmp_path, corpus, forked, monkeypatch):
    """Drawn together in one process, or shared with a forked one (``forked``): each page as drawn alone."""
    monkeypatch.setattr(views, "PARALLEL_ROWS", 0 if forked else 10**9)
    if corpus == "examples":
        store.load([EXAMPLES])
    else:  # more than LARGE nodes: laid out in advance; agencies and people shared by many pages
        synth.generate(tmp_path / "corpus", reviews=70, seed=11, layout="combined")
        store.load([tmp_path / "corpus"])
    if corpus == "synth":  # every page drawn in full; "synth-many": pages over more than 30 reviews draw their findings
        monkeypatch.setattr(views, "FULL_REVIEWS", 1000)
    else:
        monkeypatch.setattr(views, "FULL_REVIEWS", 30)
    sections = build_report(store).raw
    links = views.write_report_views(store, tmp_path / "report.html", sections)
    alone = _pages_alone(store, sections)
    assert len(links) >= 3 and set(links) == set(alone)
    for name, link in links.items():
        together = data_of((tmp_path / link).read_text(encoding="utf-8"))
        assert together == alone[name], name
    spans = [len(views._reviews_of(s.rows, None)) for s in sections if s.rows]
    if corpus == "synth":
        assert max(len(page["nodes"]) for page in alone.values()) > LARGE
    if corpus == "synth-many":  # both kinds of page in one report, read once
        assert min(spans) <= views.FULL_REVIEWS < max(spans)


def _force_pair_by_pair(graph: nx.Graph, nodes: list[str], iterations: int = 120) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold as the textbook writes it: a loop over every pair of nodes, then over every link."""
    rng = random.Random(layout.SEED)
    index = {n: i for i, n in enumerate(nodes)}
    links = sorted((min(index[a], index[b]), max(index[a], index[b])) for a, b in graph.edges() if a != b)
    k, count = layout.SPACING, len(nodes)
    side = k * math.sqrt(count)
    xs = [rng.uniform(0, side) for _ in nodes]
    ys = [rng.uniform(0, side) for _ in nodes]
    step = side / 8
    for _ in range(iterations):
        fx, fy = [0.0] * count, [0.0] * count
        for i in range(count):
            for j in range(count):
                if i != j:
                    dx, dy = xs[i] - xs[j], ys[i] - ys[j]
                    push = k * k / max(dx * dx + dy * dy, 0.01)
                    fx[i] += dx * push
                    fy[i] += dy * push
        for i, j in links:
            dx, dy = xs[i] - xs[j], ys[i] - ys[j]
            pull = math.hypot(dx, dy) / k
            fx[i], fy[i], fx[j], fy[j] = fx[i] - dx * pull, fy[i] - dy * pull, fx[j] + dx * pull, fy[j] + dy * pull
        for i in range(count):
            length = max(math.hypot(fx[i], fy[i]), 0.01)
            xs[i] += fx[i] / length * min(length, step)
            ys[i] += fy[i] / length * min(length, step)
        step = max(step * 0.95, 1.0)
    nearest = sorted(min(math.hypot(xs[i] - xs[j], ys[i] - ys[j]) for j in range(count) if j != i) for i in range(count))
    scale = layout.SPACING / max(nearest[len(nearest) // 2], 1.0)
    return {n: (xs[i] * scale, ys[i] * scale) for n, i in index.items()}


@pytest.mark.parametrize("size,seed", [(2, 1), (3, 2), (6, 3), (9, 4), (12, 5)])
def test_force_layout_is_the_pair_by_pair_step(size, seed):
    graph = nx.relabel_nodes(nx.gnm_random_graph(size, size + 2, seed=seed), lambda i: f"n{i}")
    nodes = sorted(graph)
    fast, plain = layout._force(graph, nodes), _force_pair_by_pair(graph, nodes)
    assert fast.keys() == plain.keys()
    for node in nodes:  # the same sums in another order: equal up to rounding, a fraction of a pixel apart
        assert math.dist(fast[node], plain[node]) < 0.01, (node, fast[node], plain[node])


def _drawn(store, monkeypatch, full_reviews: int) -> dict[str, tuple]:
    """Each query page of a report (examples) as (the chart's node keys, edge keys, the findings' focus sets, the
    pairs' contact counts, the page) with ``FULL_REVIEWS`` set to ``full_reviews``."""
    from dhrgraph.viz.chart import Chart

    monkeypatch.setattr(views, "FULL_REVIEWS", full_reviews)
    seen = []
    original = Chart.view

    def view(self, *args, **kwargs):
        page = original(self, *args, **kwargs)
        counts = {k: e["label"] for k, e in self._edges.items() if k[0] == "contacts"}
        seen.append((set(self._nodes), set(self._edges), [(set(f.nodes), set(f.edges), f.groups) for f in kwargs.get("focus", ())],
                     counts, page.html))
        return page
    monkeypatch.setattr(Chart, "view", view)
    sections = [s for s in build_report(store).raw if s.rows]
    whole, names = views.load(store, reviews=sorted({r for s in sections for r in views._reviews_of(s.rows, None)}))
    pages = {}
    for s in sections:
        views._query_page(whole, names, s.query, s.rows, None)
        pages[s.query.name] = seen.pop()
    return pages


def test_a_page_over_many_reviews_draws_every_finding_and_its_evidence(examples, monkeypatch):
    full = _drawn(examples, monkeypatch, 1000)
    few = _drawn(examples, monkeypatch, 1)  # every page over more than one review draws what its findings name
    whole, _ = views.load(examples, reviews=examples.review_names())
    contacts = {c.id: c for c in whole.contacts}
    sections = {s.query.name: s.rows for s in build_report(examples).raw if s.rows}
    over_many = [name for name, rows in sections.items() if len(views._reviews_of(rows, None)) > 1]
    assert len(over_many) >= 3
    smaller = 0
    for name in over_many:
        nodes, edges, focus, counts, page = few[name]
        full_nodes, full_edges, full_focus, _, full_page = full[name]
        assert focus == full_focus, name  # the same focus set for every finding ...
        for f_nodes, f_edges, _ in focus:  # ... and everything in it drawn
            assert f_nodes <= nodes and f_edges <= edges, name
        assert nodes <= full_nodes and edges <= full_edges, name
        smaller += len(nodes) < len(full_nodes)
        cited = views._cited(sections[name])
        for cid in cited:  # every cited contact is drawn: a line from its agency to each drawn person it is about
            c = contacts[cid]
            assert c.agency in nodes and (not c.subjects or any(s in nodes for s in c.subjects)), (name, cid)
            assert all(("contacts", c.agency, s) in edges for s in c.subjects if s in nodes), (name, cid)
        for (_, agency, person), label in counts.items():  # and a line counts the contacts cited, not all of them
            assert int(label) == sum(1 for cid in cited if contacts[cid].agency == agency and person in contacts[cid].subjects)
        assert "drawn is what the findings name" in page and "drawn is what" not in full_page, name
        assert {n["id"] for n in data_of(page)["nodes"]} == {f"n{i + 1}" for i in range(len(nodes))}
    assert smaller  # it draws less


def test_pages_over_few_reviews_are_drawn_in_full(examples, monkeypatch):
    default = _drawn(examples, monkeypatch, views.FULL_REVIEWS)
    full = _drawn(examples, monkeypatch, 10 ** 6)
    assert default.keys() == full.keys() and default
    for name, drawn in default.items():
        assert drawn == full[name], name  # the same page, byte for byte


def test_a_page_draws_its_first_findings_and_says_how_many_there_are(examples, tmp_path, monkeypatch):
    """A query with more findings than ``MAX_DRAWN`` draws the first of them (a report's order: highest severity
    first) and says so; the page is the page of those findings alone, and every finding stays in the report."""
    sections = [s for s in build_report(examples).raw if len(s.rows) >= 3]
    assert sections
    whole, names = views.load(examples, reviews=examples.review_names())
    expected = {s.query.name: data_of(views._query_page(whole, names, s.query, s.rows[:2], None).html) for s in sections}
    monkeypatch.setattr(views, "MAX_DRAWN", 2)
    links = views.write_report_views(examples, tmp_path / "report.html", sections)
    for s in sections:
        page = (tmp_path / links[s.query.name]).read_text(encoding="utf-8")
        assert data_of(page) == expected[s.query.name], s.query.name
        assert len(data_of(page)["focus"]) == 2
        assert f"Drawn: the first 2 of {len(s.rows)} findings (highest severity first)" in page
    name = sections[0].query.name
    alone = views.query_view(examples, name)  # `dhrgraph viz --query`: the query's order
    assert len(data_of(alone.html)["focus"]) == 2 and f"the first 2 of {len(sections[0].rows)} findings (in the order the query gives them)" in alone.html
    monkeypatch.setattr(views, "MAX_DRAWN", 10**6)
    assert "Drawn: the first" not in views.query_view(examples, name).html


@pytest.mark.parametrize("redact", [False, True])
def test_the_command_writes_the_page_first_and_the_same_views(store, cli, tmp_path, monkeypatch, redact):
    """`findings --output report.html` plans the pictures (``ReportViews``), writes the page, lets the rows go and
    then draws: the page and every picture are the ones written with every row held (the views first, as before),
    and the plan holds each section's first ``MAX_DRAWN`` findings only."""
    from dhrgraph.queries.findings import to_html
    from dhrgraph.queries.outputs import write_text

    monkeypatch.setattr(views, "MAX_DRAWN", 3)
    cli("load", str(EXAMPLES))
    flags = ["--redact"] if redact else []
    (tmp_path / "before").mkdir()
    result = cli("findings", "--output", str(tmp_path / "cmd" / "report.html"), *flags)  # its folder made, as a view's
    assert result.exit_code == 0, result.output
    report = build_report(store, redact=redact)
    links = views.write_report_views(store, tmp_path / "before" / "report.html", report.raw, redact=redact)
    write_text(tmp_path / "before" / "report.html", to_html(report, links))
    assert (tmp_path / "cmd" / "report.html").read_bytes() == (tmp_path / "before" / "report.html").read_bytes()
    pages = sorted(p.name for p in (tmp_path / "before" / "report-views").iterdir())
    assert len(pages) >= 3 and pages == sorted(p.name for p in (tmp_path / "cmd" / "report-views").iterdir())
    for page in pages:
        assert data_of((tmp_path / "cmd" / "report-views" / page).read_text(encoding="utf-8")) == \
            data_of((tmp_path / "before" / "report-views" / page).read_text(encoding="utf-8")), page
    planned = views.ReportViews(tmp_path / "report.html", report.raw)
    assert planned.links == links
    sizes = {s.query.name: len(s.rows) for s in report.raw if s.rows}
    assert max(sizes.values()) > 3  # some section has more findings than are drawn
    assert {query.name: (len(drawn), total) for query, drawn, total, _ in planned.pages} == \
        {name: (min(n, 3), n) for name, n in sizes.items()}
