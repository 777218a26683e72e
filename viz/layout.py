"""A precomputed layout for large graphs, so the browser draws them at once with physics off.

A small deterministic layout: each connected component is laid out on its own (a
Fruchterman-Reingold force layout, seeded, for small components, its pairwise forces computed as
numpy arrays; rings by distance from the best-connected node for large ones, where pairwise forces
would cost too much), and the components are packed in rows, largest first.
"""

from __future__ import annotations

import math
import random

import networkx as nx

__all__ = ["layout"]

FORCE_LIMIT = 80      # components up to this size get the force layout
SPACING = 160.0       # pixels between neighbouring nodes, roughly (an agency box is up to 190 wide)
SEED = 7


def layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Positions (x, y) in pixels for every node of ``graph``; the same graph always gives the same layout."""
    parts = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    placed = [_place(graph, nodes) for nodes in parts]  # a connected part: its nodes' links are all inside it
    row_width = max(SPACING * 12, math.sqrt(sum(_area(p) for p in placed)) * 1.3)
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for part in placed:
        width, height = _size(part)
        if x and x + width > row_width:
            x, y, row_height = 0.0, y + row_height + SPACING, 0.0
        left, top = min(p[0] for p in part.values()), min(p[1] for p in part.values())
        for node, (px, py) in part.items():
            positions[node] = (round(x + px - left, 1), round(y + py - top, 1))
        x += width + SPACING
        row_height = max(row_height, height)
    return positions


def _place(graph: nx.Graph, nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Positions of ``nodes``, a connected part of ``graph`` (so that their links are all between them)."""
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    return _force(graph, nodes) if len(nodes) <= FORCE_LIMIT else _rings(graph, nodes)


def _force(graph: nx.Graph, nodes: list[str], iterations: int = 120) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold (neighbours attract, everyone repels, the step cools down), then scaled so
    that nodes sit about ``SPACING`` from their nearest neighbour. The pairwise forces of a step are one
    array operation (numpy): the same sums as a loop over every pair, 50-100 times faster."""
    index = {n: i for i, n in enumerate(nodes)}
    adjacency = graph.adj  # the links of ``nodes``, a connected part of ``graph``, each once
    links = tuple(sorted({(min(i, index[b]), max(i, index[b])) for a, i in index.items() for b in adjacency[a] if b != a}))
    key = (len(nodes), links, iterations)  # the layout depends on nothing else: a part of the same shape, laid out
    placed = _SHAPES.get(key)              # once (a report's pages hold hundreds of small parts, most alike)
    if placed is None:
        if len(_SHAPES) > 20_000:  # a long session (a notebook) keeps no more than this
            _SHAPES.clear()
        placed = _SHAPES[key] = _force_links(len(nodes), links, iterations)
    return {n: placed[i] for n, i in index.items()}


_SHAPES: dict[tuple, list[tuple[float, float]]] = {}  # (nodes, links, iterations) -> positions by node index


def _force_links(count: int, links: tuple[tuple[int, int], ...], iterations: int) -> list[tuple[float, float]]:
    import numpy as np  # only a large chart lays itself out here; small views never import numpy

    rng = random.Random(SEED)
    k = SPACING
    side = k * math.sqrt(count)
    xs = np.array([rng.uniform(0, side) for _ in range(count)])
    ys = np.array([rng.uniform(0, side) for _ in range(count)])
    first = np.array([i for i, _ in links], dtype=np.intp)
    second = np.array([j for _, j in links], dtype=np.intp)
    step = side / 8
    for _ in range(iterations):
        dx, dy = xs[:, None] - xs[None, :], ys[:, None] - ys[None, :]
        push = k * k / np.maximum(dx * dx + dy * dy, 0.01)  # (k^2 / d) along the unit vector (dx / d)
        dx_total, dy_total = (dx * push).sum(axis=1), (dy * push).sum(axis=1)
        ldx, ldy = xs[first] - xs[second], ys[first] - ys[second]
        pull = np.hypot(ldx, ldy) / k  # (d^2 / k) along the unit vector
        np.subtract.at(dx_total, first, ldx * pull)
        np.subtract.at(dy_total, first, ldy * pull)
        np.add.at(dx_total, second, ldx * pull)
        np.add.at(dy_total, second, ldy * pull)
        length = np.maximum(np.hypot(dx_total, dy_total), 0.01)
        move = np.minimum(length, step) / length
        xs, ys = xs + dx_total * move, ys + dy_total * move
        step = max(step * 0.95, 1.0)
    apart = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
    np.fill_diagonal(apart, np.inf)
    nearest = np.sort(apart.min(axis=1))
    scale = SPACING / max(float(nearest[len(nearest) // 2]), 1.0)
    return [(float(x) * scale, float(y) * scale) for x, y in zip(xs, ys)]


def _rings(graph: nx.Graph, nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Rings around the best-connected node by distance; each node near its parent's angle."""
    root = max(nodes, key=lambda n: (graph.degree(n), n))
    parent: dict[str, str | None] = {root: None}
    depth = {root: 0}
    queue = [root]
    for node in queue:  # breadth first, neighbours in name order: the same tree every time
        for other in sorted(graph[node]):
            if other not in parent:
                parent[other], depth[other] = node, depth[node] + 1
                queue.append(other)
    angle = {root: 0.0}
    pos = {root: (0.0, 0.0)}
    for ring_depth in range(1, max(depth.values()) + 1):
        ring = sorted((n for n in queue if depth[n] == ring_depth), key=lambda n: (angle[parent[n]], n))
        radius = max(ring_depth * SPACING * 2.5, len(ring) * SPACING / (2 * math.pi))
        for i, node in enumerate(ring):
            angle[node] = 2 * math.pi * i / len(ring)
            pos[node] = (radius * math.cos(angle[node]), radius * math.sin(angle[node]))
    return pos


def _size(part: dict[str, tuple[float, float]]) -> tuple[float, float]:
    xs, ys = [p[0] for p in part.values()], [p[1] for p in part.values()]
    return max(xs) - min(xs), max(ys) - min(ys)


def _area(part: dict[str, tuple[float, float]]) -> float:
    width, height = _size(part)
    return (width + SPACING) * (height + SPACING)
