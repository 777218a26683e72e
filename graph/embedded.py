"""The embedded store: a NetworkX graph kept in a workspace folder. No server needed.

Layout of a workspace (``./.dhrgraph`` by default)::

    manifest.json            which reviews the graph holds, in load order, and their files
    reviews/<sha256>.json    one review's graph rows (columns + rows, plain JSON: safe to share)
    decisions.json           the analyst's decisions (triage, identities ...), apart from the reviews

Every file is written to a temporary name and renamed into place, and the manifest is switched
last, so a load either lands whole or not at all. A lock file keeps two loads from interleaving.
The NetworkX graph is rebuilt from the review files when first needed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

import networkx as nx
import orjson

from graph.errors import StoreError
from graph.model import LABELS, Batch
from graph.store import Progress, Store, gc_paused
from queries.base import Query

__all__ = ["EmbeddedStore", "FORMAT", "build_graph", "build_graph_from_json"]

WRITERS = 8  # threads writing review files (file creation is slow on some disks: measured 0.8 ms each)
FORMAT = "dhrgraph-workspace"
DECISIONS_FORMAT = "dhrgraph-decisions"
VERSION = 1


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class EmbeddedStore(Store):
    backend = "embedded"

    def __init__(self, workspace: str | os.PathLike):
        self.root = Path(workspace)
        self._graph: nx.MultiDiGraph | None = None

    # --- workspace files ---------------------------------------------------------------------

    @property
    def _manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def _manifest(self) -> dict:
        if not self._manifest_path.exists():
            return {"format": FORMAT, "version": VERSION, "reviews": []}
        try:
            manifest = json.loads(self._manifest_path.read_text("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StoreError(f"{self._manifest_path} is damaged ({exc}); delete the workspace folder and load again") from None
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise StoreError(f"{self.root} is not a dhrgraph workspace of version {VERSION}")
        return manifest

    @contextmanager
    def _locked(self) -> Iterator[None]:
        (self.root / "reviews").mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read_json(self, entry: dict) -> dict:
        path = self.root / entry["file"]
        try:
            data = orjson.loads(path.read_bytes())
            if data["review"] != entry["id"]:
                raise KeyError("review")
            return data
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise StoreError(f"{path} (review {entry['id']!r}) is missing or damaged ({exc.__class__.__name__}); load that review again") from None

    def batches(self, reviews: list[str] | None = None) -> Iterable[Batch]:
        wanted = None if reviews is None else set(reviews)
        for entry in self._manifest()["reviews"]:
            if wanted is None or entry["id"] in wanted:
                yield Batch.from_json(self._read_json(entry))

    def review_names(self) -> list[str]:
        return [entry["id"] for entry in self._manifest()["reviews"]]

    def clear(self) -> None:
        with self._locked():
            for path in [self._manifest_path, self._decisions_path, *(self.root / "reviews").glob("*.json")]:
                path.unlink(missing_ok=True)
        self._graph = None

    # --- Store hooks ---------------------------------------------------------------------------

    def _replace(self, batches: Iterable[Batch], progress: Progress | None) -> None:
        with self._locked(), ThreadPoolExecutor(WRITERS) as writers:
            manifest = self._manifest()
            entries = {e["id"]: e for e in manifest["reviews"]}
            done = 0
            # Files are written and flushed to disk by threads (file I/O releases the GIL) while the next
            # review is encoded; the manifest is switched only once every one of them is on disk.
            written = []
            for batch in batches:
                data = orjson.dumps(batch.to_json())
                name = f"reviews/{hashlib.sha256(data).hexdigest()[:32]}.json"
                if not (self.root / name).exists():
                    written.append(writers.submit(_write_atomic, self.root / name, data))
                # manifest order is load order: a reloaded review moves to the end, because the last review
                # written sets the properties of shared nodes, as in Neo4j
                entries.pop(batch.review, None)
                entries[batch.review] = {"id": batch.review, "file": name, "contacts": batch.contact_count}
                done += batch.contact_count
                if progress:
                    progress(done)
            for future in written:
                future.result()  # the first failure (e.g. a full disk) ends the load before the manifest changes
            manifest["reviews"] = list(entries.values())
            _write_atomic(self._manifest_path, json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
            in_use = {e["file"] for e in manifest["reviews"]}
            for path in (self.root / "reviews").glob("*.json"):
                if f"reviews/{path.name}" not in in_use:
                    path.unlink()
        self._graph = None

    @property
    def graph(self) -> nx.MultiDiGraph:
        if self._graph is None:
            with gc_paused():
                self._graph = build_graph_from_json(self._read_json(e) for e in self._manifest()["reviews"])
        return self._graph

    def _run(self, query: Query, params: dict[str, Any]) -> list[dict[str, Any]]:
        return query.networkx(self.graph, params)

    # --- decisions -----------------------------------------------------------------------------

    @property
    def _decisions_path(self) -> Path:
        return self.root / "decisions.json"

    def _read_decisions(self) -> dict[str, dict[str, dict]]:
        """kind -> key -> decision."""
        path = self._decisions_path
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("format") != DECISIONS_FORMAT or not isinstance(data.get("decisions"), list):
                raise ValueError("not a decisions file")
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError, AttributeError) as exc:
            raise StoreError(f"{path} is damaged ({exc}); restore it from an export, or delete it to forget every decision") from None
        by_kind: dict[str, dict[str, dict]] = {}
        for decision in data["decisions"]:
            by_kind.setdefault(decision["kind"], {})[decision["key"]] = decision
        return by_kind

    def decisions(self, kind: str | None = None) -> list[dict[str, Any]]:
        by_kind = self._read_decisions()
        kinds = sorted(by_kind) if kind is None else [kind]
        return [by_kind.get(k, {})[key] for k in kinds for key in sorted(by_kind.get(k, {}))]

    def _write_decisions(self, by_kind: dict[str, dict[str, dict]]) -> None:
        rows = [by_kind[k][key] for k in sorted(by_kind) for key in sorted(by_kind[k])]
        data = {"format": DECISIONS_FORMAT, "version": VERSION, "decisions": rows}
        _write_atomic(self._decisions_path, json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))

    def put_decisions(self, decisions: Iterable[dict[str, Any]]) -> None:
        with self._locked():
            by_kind = self._read_decisions()
            for decision in decisions:
                by_kind.setdefault(decision["kind"], {})[decision["key"]] = dict(decision)
            self._write_decisions(by_kind)

    def remove_decision(self, kind: str, key: str) -> bool:
        with self._locked():
            by_kind = self._read_decisions()
            if by_kind.get(kind, {}).pop(key, None) is None:
                return False
            self._write_decisions(by_kind)
            return True

    def close(self) -> None:
        self._graph = None


def build_graph(batches: Iterable[Batch]) -> nx.MultiDiGraph:
    """One MultiDiGraph of many reviews, in load order (see ``build_graph_from_json``)."""
    return build_graph_from_json(b.to_json() for b in batches)


def build_graph_from_json(reviews: Iterable[dict]) -> nx.MultiDiGraph:
    """One MultiDiGraph of many reviews' columnar JSON, in load order.

    A shared node (a person with a global_id, an agency, a risk factor) takes each review's
    properties in turn, so the last loaded review's values win, as the Neo4j store's
    ``MERGE ... SET n += row`` does.

    Opening a workspace is what every command pays for, so this fills NetworkX's adjacency
    dictionaries directly (the layout ``MultiDiGraph.add_edge`` builds: one key dict shared by
    ``_succ[u][v]`` and ``_pred[v][u]``, keys 0, 1, ...) instead of calling ``add_edges_from``,
    which costs three times as much. Relationships without properties share one attribute dict
    per type: treat edge data as read-only.
    """
    G = nx.MultiDiGraph()
    nodes, succ, pred = G._node, G._succ, G._pred
    by_label: dict[str, list[str]] = {label: [] for label in LABELS}
    for data in reviews:
        for label, table in data["nodes"].items():
            columns, index = table["columns"], by_label[label]
            for row in table["rows"]:
                props = {k: v for k, v in zip(columns, row) if v is not None}
                props["label"] = label
                node_id = props["id"]
                if node_id in nodes:
                    nodes[node_id].update(props)
                    continue
                nodes[node_id] = props
                succ[node_id], pred[node_id] = {}, {}
                index.append(node_id)
        for rel_type, table in data["edges"].items():
            columns = table["columns"]
            plain = {"type": rel_type}
            for row in table["rows"]:
                start, end = row[0], row[1]
                attrs = plain
                if columns:
                    attrs = {k: v for k, v in zip(columns, row[2:]) if v is not None}
                    attrs["type"] = rel_type
                try:
                    keys = succ[start].get(end)
                    if keys is None:
                        keys = succ[start][end] = pred[end][start] = {}
                except KeyError:
                    raise StoreError(f"review {data['review']!r} has a relationship to a missing node; load that review again") from None
                keys[len(keys)] = attrs
    G.graph["by_label"] = by_label
    return G
