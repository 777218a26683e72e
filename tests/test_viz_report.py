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


@pytest.mark.parametrize("corpus", ["examples", "synth"])
def test_report_pages_drawn_together_are_the_pages_drawn_alone(store, tmp_path, corpus):
    if corpus == "examples":
        store.load([EXAMPLES])
    else:  # more than LARGE nodes: laid out in advance; agencies and people shared by many pages
        synth.generate(tmp_path / "corpus", reviews=70, seed=11, layout="combined")
        store.load([tmp_path / "corpus"])
    sections = build_report(store).raw
    links = views.write_report_views(store, tmp_path / "report.html", sections)
    alone = _pages_alone(store, sections)
    assert len(links) >= 3 and set(links) == set(alone)
    for name, link in links.items():
        together = data_of((tmp_path / link).read_text(encoding="utf-8"))
        assert together == alone[name], name
    if corpus == "synth":
        assert max(len(page["nodes"]) for page in alone.values()) > LARGE


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
