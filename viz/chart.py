"""A link chart drawn by vis-network: nodes and edges with their styles, highlights and focus
sets, turned into a self-contained page.

Node and edge ids in the page are opaque ("n1", "e1"): graph ids carry pseudonyms, which must not
reach a redacted file. Up to ``LARGE`` nodes the browser lays the chart out (vis physics with a
fixed seed, then physics off); above it the layout is computed here and physics stays off, edge
labels are dropped and edges hide while dragging, so thousands of nodes stay usable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Hashable

from dhrgraph.viz.page import View, esc, json_block, page, vis_assets
from dhrgraph.viz.style import GROUP_COLOURS, GROUP_NOTE, HIGHLIGHT, HIGHLIGHT_NOTE, EdgeStyle, NodeStyle, legend_html

__all__ = ["Chart", "Focus", "LARGE"]

LARGE = 300

SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById("view-data").textContent);
  function tip(text) { var el = document.createElement("div"); el.className = "tip"; el.textContent = text; return el; }
  data.nodes.concat(data.edges).forEach(function (item) { if (item.title) item.title = tip(item.title); });
  var nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);
  var network = new vis.Network(document.getElementById("network"), {nodes: nodes, edges: edges}, data.options);
  // the groups of the finding in focus (the only finding, or the one clicked) are drawn as shaded areas
  var current = data.focus.length === 1 ? data.focus[0] : null;
  function hull(points) {
    var cross = function (o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); };
    points.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var lower = [], upper = [];
    points.forEach(function (p) {
      while (lower.length > 1 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
      lower.push(p);
    });
    points.slice().reverse().forEach(function (p) {
      while (upper.length > 1 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
      upper.push(p);
    });
    return lower.slice(0, -1).concat(upper.slice(0, -1));
  }
  network.on("beforeDrawing", function (ctx) {
    if (!current) return;
    current.groups.forEach(function (group, i) {
      var points = [];
      group.nodes.forEach(function (id) {
        var box = network.getBoundingBox(id);
        [[box.left, box.top], [box.right, box.top], [box.left, box.bottom], [box.right, box.bottom]]
          .forEach(function (p) { points.push(p); });
      });
      if (!points.length) return;
      var shape = hull(points), colour = data.groupColours[i % data.groupColours.length];
      ctx.save();
      ctx.beginPath();
      shape.forEach(function (p, j) { if (j) ctx.lineTo(p[0], p[1]); else ctx.moveTo(p[0], p[1]); });
      ctx.closePath();
      ctx.lineJoin = "round"; ctx.lineWidth = 44; ctx.strokeStyle = colour; ctx.fillStyle = colour;
      ctx.stroke(); ctx.fill();
      // the label above the group's top, kept inside the visible canvas (a group at the edge of the picture had half
      // its label cut off)
      var top = shape.reduce(function (a, b) { return b[1] < a[1] ? b : a; });
      ctx.font = "bold 15px system-ui, sans-serif"; ctx.fillStyle = "#263238"; ctx.textAlign = "center";
      var half = ctx.measureText(group.label).width / 2, scale = network.getScale(), view = network.getViewPosition();
      var box = document.getElementById("network"), w = box.clientWidth / scale / 2, h = box.clientHeight / scale / 2;
      var x = Math.max(view.x - w + half + 6, Math.min(view.x + w - half - 6, top[0]));
      ctx.fillText(group.label, x, Math.max(view.y - h + 20, top[1] - 26));
      ctx.restore();
    });
  });
  network.once("afterDrawing", function () { document.body.dataset.rendered = "1"; });
  network.once("stabilizationIterationsDone", function () { network.setOptions({physics: false}); });
  document.querySelectorAll("[data-focus]").forEach(function (button) {
    button.addEventListener("click", function () {
      current = data.focus[Number(button.dataset.focus)];
      document.querySelectorAll(".findings li").forEach(function (li) { li.classList.remove("active"); });
      button.closest("li").classList.add("active");
      network.setSelection({nodes: current.nodes, edges: current.edges}, {unselectAll: true, highlightEdges: false});
      network.fit({nodes: current.nodes, animation: {duration: 400}});
      network.redraw();
    });
  });
  document.querySelectorAll("[data-toggle]").forEach(function (box) {
    box.addEventListener("change", function () {
      edges.update(data.edges.filter(function (e) { return e.toggle === box.dataset.toggle; })
        .map(function (e) { return {id: e.id, hidden: !box.checked}; }));
    });
  });
})();
"""


@dataclass
class Focus:
    """One finding's nodes and edges (by key), for the findings list to select."""

    nodes: set[Hashable] = field(default_factory=set)
    edges: set[Hashable] = field(default_factory=set)
    groups: list[tuple[str, list[Hashable]]] = field(default_factory=list)  # (label, node keys): shaded when in focus


class Chart:
    """Nodes and edges keyed by graph keys, drawn with one style each."""

    def __init__(self) -> None:
        self._nodes: dict[Hashable, dict] = {}
        self._edges: dict[Hashable, dict] = {}
        self._styles: dict[NodeStyle | EdgeStyle, None] = {}
        self._pairs: dict[frozenset, int] = {}
        self.highlighted: set[Hashable] = set()

    def node(self, key: Hashable, label: str, style: NodeStyle, tip: str, *, size: float | None = None) -> None:
        """A node drawn in ``style`` (``size`` overrides the style's) with ``tip`` on hover."""
        self._styles[style] = None
        colour = {"background": style.colour, "border": "#37474f",
                  "highlight": {"background": style.colour, "border": HIGHLIGHT},
                  "hover": {"background": style.colour, "border": "#000000"}}
        self._nodes[key] = {
            "id": f"n{len(self._nodes) + 1}", "label": label, "title": tip, "shape": style.shape, "color": colour,
            "size": size or style.size, "borderWidth": 1.5, "borderWidthSelected": 5,
            "font": {"color": style.font_colour if style.shape == "box" else "#1b1b1b", "size": 14},
            "shapeProperties": {"borderDashes": [4, 3] if style.dashed else False},
        }

    def edge(self, key: Hashable, start: Hashable, end: Hashable, style: EdgeStyle, tip: str, *,
             label: str = "", weight: int = 1, toggle: str = "") -> None:
        """An edge between two drawn nodes; ``weight`` thickens it. Edges in a ``toggle`` set are an
        overlay the page can show or hide: they do not pull on the layout. Parallel edges curve apart."""
        self._styles[style] = None
        pair = frozenset((start, end))
        parallel = self._pairs.get(pair, 0)
        self._pairs[pair] = parallel + 1
        self._edges[key] = {
            "id": f"e{len(self._edges) + 1}", "from": self._nodes[start]["id"], "to": self._nodes[end]["id"],
            "label": label, "title": tip, "toggle": toggle,
            "color": {"color": style.colour, "highlight": HIGHLIGHT, "hover": style.colour, "opacity": 1.0},
            "width": style.width + (1.6 * math.log2(weight) if weight > 1 else 0), "selectionWidth": 3,
            "dashes": [8, 6] if style.dashed else False, "arrows": {"to": {"enabled": style.arrow, "scaleFactor": 0.7}},
            "smooth": {"enabled": bool(parallel), "type": "curvedCW", "roundness": 0.25 * parallel},
            "physics": not toggle,
        }

    def ids(self, focus: Focus) -> dict[str, Any]:
        """The page ids of a focus set (keys not drawn are left out)."""
        return {"nodes": sorted(self._nodes[k]["id"] for k in focus.nodes if k in self._nodes),
                "edges": sorted(self._edges[k]["id"] for k in focus.edges if k in self._edges),
                "groups": [{"label": label, "nodes": [self._nodes[k]["id"] for k in keys if k in self._nodes]}
                           for label, keys in focus.groups]}

    def highlight(self, focus: Focus) -> None:
        """Draw these nodes and edges with a halo; once anything is highlighted, the rest fades."""
        self.highlighted |= {k for k in focus.nodes if k in self._nodes} | {k for k in focus.edges if k in self._edges}

    # --- the page ----------------------------------------------------------------------------------

    def _items(self) -> tuple[list[dict], list[dict]]:
        nodes = [dict(n) for n in self._nodes.values()]
        edges = [dict(e) for e in self._edges.values()]
        if not self.highlighted:
            return nodes, edges
        halo = {"enabled": True, "color": HIGHLIGHT, "size": 18, "x": 0, "y": 0}
        for key, node in zip(self._nodes, nodes):
            if key in self.highlighted:
                node.update(borderWidth=5, shadow=halo, color={**node["color"], "border": HIGHLIGHT})
            else:
                node["opacity"] = 0.3
        for key, edge in zip(self._edges, edges):
            if key in self.highlighted:
                edge.update(shadow={**halo, "size": 10}, width=edge["width"] + 1.5)
            else:
                edge["color"] = {**edge["color"], "opacity": 0.2}
                edge["font"] = {"color": "#bbbbbb"}
        return nodes, edges

    def _options(self, large: bool) -> dict:
        options = {
            "autoResize": True,
            "layout": {"randomSeed": 7, "improvedLayout": not large},
            "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large, "multiselect": True},
            "nodes": {"font": {"face": "system-ui, sans-serif"}, "margin": 8, "widthConstraint": {"maximum": 190}},
            "edges": {"font": {"size": 12, "align": "middle", "strokeWidth": 4, "color": "#37474f"},
                      "selfReference": {"size": 18}},
        }
        if large:
            options["physics"] = {"enabled": False}
        else:
            options["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                                  "forceAtlas2Based": {"gravitationalConstant": -120, "centralGravity": 0.012,
                                                       "springLength": 150, "springConstant": 0.06, "avoidOverlap": 0.8},
                                  "stabilization": {"enabled": True, "iterations": 800, "fit": True}}
        return options

    @staticmethod
    def _lay_out(nodes: list[dict], edges: list[dict]) -> None:
        """Fixed positions for a large chart (every link, overlays too, keeps its ends near); no edge labels or curves."""
        import networkx as nx  # only a large chart is laid out here: small views never import NetworkX

        from dhrgraph.viz.layout import layout

        graph = nx.Graph()
        graph.add_nodes_from(n["id"] for n in nodes)
        graph.add_edges_from((e["from"], e["to"]) for e in edges)
        positions = layout(graph)
        for node in nodes:
            node["x"], node["y"] = positions[node["id"]]
        for edge in edges:
            edge.update(label="", smooth={"enabled": False})

    def view(self, title: str, subtitle: str, *, sidebar: str = "", focus: list[Focus] = (), note: str = "",
             toggles: dict[str, str] | None = None) -> View:
        """The chart as a page: the network left, the legend, toggles and ``sidebar`` markup right.
        ``toggles`` maps an edge ``toggle`` set to the label of a checkbox that shows or hides it."""
        nodes, edges = self._items()
        large = len(nodes) > LARGE
        if large:
            self._lay_out(nodes, edges)
            note = " ".join(filter(None, [note, f"{len(nodes)} nodes: laid out in advance, without animation."]))
        data = {"nodes": nodes, "edges": edges, "options": self._options(large),
                "focus": [self.ids(f) for f in focus], "groupColours": GROUP_COLOURS}
        extra = [(f"<circle cx='18' cy='10' r='6' fill='#eee' stroke='{HIGHLIGHT}' stroke-width='4'/>", HIGHLIGHT_NOTE)] \
            if self.highlighted else []
        if any(f.groups for f in focus):
            extra.append((f"<rect x='2' y='2' width='32' height='16' rx='8' fill='{GROUP_COLOURS[0]}'/>", GROUP_NOTE))
        controls = "".join(f"<label><input type='checkbox' data-toggle='{esc(name)}' checked> {esc(label)}</label>"
                           for name, label in (toggles or {}).items())
        aside = legend_html(self._styles, extra) + (f"<section class='controls'><h2>Show</h2>{controls}</section>"
                                                    if controls else "") + sidebar
        script, style = vis_assets()
        body = f"<main><div id='network' role='img' aria-label='{esc(title)}'></div><aside>{aside}</aside></main>" \
               + json_block("view-data", data)
        return View(title, page(title, subtitle, body, head=f"<style>{style}</style><script>{script}</script>",
                                script=SCRIPT, note=note))
