"""The embedded store: a NetworkX graph kept in a workspace folder. No server needed.

Layout of a workspace (``./.dhrgraph`` by default)::

    manifest.json            which reviews the graph holds, in load order, and their files
    reviews/<sha256>.json    one review's graph rows (columns + rows, plain JSON: safe to share)
    decisions.json           the analyst's decisions (triage, identities ...), apart from the reviews
    derived/<name>.json      values derived from the whole graph (the identity map, the rows of queries over
                             every review; a catalogue query's rows cluster by cluster in parts-*.json), kept
                             with the key of everything they were computed from; any file here may be deleted
                             (it is computed again)

Every file is written to a temporary name and renamed into place, and the manifest is switched
last, so a load either lands whole or not at all. A lock file keeps two loads from interleaving.
The graph (a ``PlainGraph``: NetworkX's layout) is rebuilt from the review files when first needed.

Readers take no lock (a workspace can be read from a read-only copy): a reader reads the manifest,
then the files it names; when one of them is gone because a load switched the manifest and removed
it meanwhile, the reader starts again from the new manifest. So a reader sees the old or the new
state, never a mix and never a false "damaged". A file that is present but damaged is rewritten by
the next load of its review; temporary files a killed load left behind are removed by the next load.
"""

from __future__ import annotations

import dataclasses
import fcntl
import gc
import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Iterator

import orjson

from dhrgraph.graph.errors import StoreError
from dhrgraph.graph.model import LABELS, SHARED_LABELS, Batch, check_batch
from dhrgraph.graph.nxgraph import ModelGraph, PlainGraph
from dhrgraph.graph.store import (DERIVED_FORMAT, DERIVED_NAME, DERIVED_VERSION, Progress, Store, code_version,
                                  derived_document, derived_key, derived_value, gc_paused, local, only_contacts, rows_valid)
from dhrgraph.queries.base import NETWORKX, Query
from dhrgraph.queries.intake import REVIEW_SIZES
from dhrgraph.queries.lookups import Lookups
from dhrgraph.queries.scope import REVIEWS

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["EmbeddedStore", "FORMAT", "build_graph", "build_graph_from_json", "plain_graph", "plain_graph_of_json"]

# a run over every review of a query computed cluster by cluster forks a second process for half the clusters
# when those to compute hold at least this many contacts (below it, forking costs more than it saves)
PARALLEL_CONTACTS = 20_000
WRITERS = 8  # threads writing review files (file creation is slow on some disks: measured 0.8 ms each)
FORMAT = "dhrgraph-workspace"
DECISIONS_FORMAT = "dhrgraph-decisions"
VERSION = 1
READ_ATTEMPTS = 50  # a reader starts again at most this many times while loads keep switching the manifest
_REVIEW_FILE = re.compile(r"reviews/[0-9a-f]{32}\.json")  # what a manifest may name: nothing outside reviews/
# What a manifest entry's "index" holds of its review (label -> node id -> properties): the Review node and
# the nodes other reviews can share (a person only when a global_id makes it shareable). With it a command
# about one review opens that review's file alone and still gives shared nodes the properties the last
# loaded review set, exactly as the whole graph has them.
INDEXED = ("Review", *SHARED_LABELS)
_GLOBAL_PERSON = "person:global:"


class _Missing(StoreError):
    """A review file the manifest names is not there (a load may have just replaced it)."""


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``data``."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class EmbeddedStore(Lookups, Store):
    backend = "embedded"
    language = NETWORKX
    keeps_answers = True  # in derived/

    def __init__(self, workspace: str | os.PathLike):
        self.root = Path(workspace)
        self._forget()

    # --- workspace files ---------------------------------------------------------------------

    @property
    def _manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def _manifest(self, reading: bool = True) -> dict:
        """The manifest, checked: a damaged one is one clear error, never a traceback."""
        if reading and not self.root.exists():
            raise StoreError(f"no workspace at {self.root}: load reviews first (dhrgraph --workspace {self.root} load ...), "
                             "or check --workspace")
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"the workspace {self.root} is not a folder")
        try:
            raw = self._manifest_path.read_bytes()
        except FileNotFoundError:
            return {"format": FORMAT, "version": VERSION, "reviews": []}
        except OSError as exc:
            raise StoreError(f"cannot read {self._manifest_path}: {exc.strerror or exc.__class__.__name__}") from None
        return self._checked_manifest(raw)

    def _checked_manifest(self, raw: bytes) -> dict:
        if raw == self._read_raw:  # the manifest as last read (a command reads it several times): parsed once
            return self._read_manifest
        manifest = self._check_manifest(raw)
        self._read_raw, self._read_manifest = raw, manifest
        return manifest

    def _check_manifest(self, raw: bytes) -> dict:
        damaged = f"{self._manifest_path} is damaged"
        try:
            manifest = json.loads(raw.decode("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StoreError(f"{damaged} ({exc}); delete the workspace folder and load again") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise StoreError(f"{self.root} is not a dhrgraph workspace of version {VERSION} (its manifest.json is not one)")
        reviews = manifest.get("reviews")
        if not isinstance(reviews, list):
            raise StoreError(f"{damaged} ('reviews' is not a list); delete the workspace folder and load again")
        for i, entry in enumerate(reviews):
            if not (isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("file"), str)
                    and _REVIEW_FILE.fullmatch(entry["file"])):
                raise StoreError(f"{damaged} (entry {i + 1} of 'reviews' needs an id and a file reviews/<hash>.json); "
                                 "delete the workspace folder and load again")
            index = entry.get("index")  # absent in workspaces written before it: those commands open the whole graph
            if index is not None and not (isinstance(index, dict) and all(
                    label in INDEXED and isinstance(ids, dict) and all(isinstance(p, dict) for p in ids.values())
                    for label, ids in index.items())):
                raise StoreError(f"{damaged} (entry {i + 1} of 'reviews' has an 'index' that is not label -> id -> "
                                 "properties); delete the workspace folder and load again")
        return manifest

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            (self.root / "reviews").mkdir(parents=True, exist_ok=True)
            lock = open(self.root / ".lock", "w")
        except OSError as exc:
            raise StoreError(f"cannot write the workspace {self.root}: {exc.strerror or exc.__class__.__name__}"
                             f"{f' ({exc.filename})' if exc.filename else ''}") from None
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read_json(self, entry: dict) -> dict:
        path = self.root / entry["file"]
        try:
            data = orjson.loads(path.read_bytes())
            if not isinstance(data, dict) or data.get("review") != entry["id"]:
                raise KeyError("review")
            if not isinstance(data.get("nodes"), dict) or not isinstance(data.get("edges"), dict):
                raise KeyError("nodes")
            return data
        except FileNotFoundError:
            raise _Missing(f"{path} (review {entry['id']!r}) is missing; load that review again") from None
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise StoreError(f"{path} (review {entry['id']!r}) is damaged ({exc.__class__.__name__}); load that review again") from None

    def _consistent(self, read):
        """``read(entries)`` over the reviews of one manifest: started again when a load switched the
        manifest and removed a file meanwhile (old or new state, never an error for that)."""
        for _ in range(READ_ATTEMPTS):
            try:
                before = self._manifest_path.read_bytes()
            except FileNotFoundError:
                before = None
            except OSError as exc:
                raise StoreError(f"cannot read {self._manifest_path}: {exc.strerror or exc.__class__.__name__}") from None
            if before is None:
                self._manifest()  # says so when there is no workspace at all
                return read([])
            try:
                return read(self._checked_manifest(before)["reviews"])
            except _Missing:
                try:
                    if self._manifest_path.read_bytes() != before:
                        continue  # a load switched the manifest: read the new state
                except OSError:
                    pass
                raise
        raise StoreError(f"{self.root} kept changing while being read ({READ_ATTEMPTS} loads meanwhile); try again")

    def batches(self, reviews: list[str] | None = None) -> Iterable[Batch]:
        wanted = None if reviews is None else set(reviews)

        def read(entries: list[dict]) -> list[Batch]:
            out = []
            # some reviews: shared nodes as the whole graph holds them (as Neo4j's batches give them)
            final = None if wanted is None or any("index" not in e for e in entries) else _final_props(entries)
            for entry in entries:
                if wanted is not None and entry["id"] not in wanted:
                    continue
                try:
                    data = self._read_json(entry)
                    batch = Batch.from_json(data if final is None else _with_props(data, final))
                    check_batch(batch)
                except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                    raise StoreError(f"{self.root / entry['file']} (review {entry['id']!r}) is damaged ({exc}); load that review again") from None
                out.append(batch)
            return out
        return self._consistent(read)

    def review_json(self, reviews: list[str], each: Callable[[dict], dict] | None = None, *,
                    contacts: Collection[str] | None = None, whole: Collection[str] = ()) -> list[dict]:
        """As the store's, straight from the review files (no ``Batch`` made and checked): a report's views read
        hundreds of reviews; a damaged file is refused when its graph is built (``plain_graph_of_json``)."""
        wanted = set(reviews)
        each = each or (lambda data: data)
        keep = None if contacts is None else set(contacts)

        def read(entries: list[dict]) -> list[dict]:
            final = None if any("index" not in e for e in entries) else _final_props(entries)
            with gc_paused():
                return [each(only_contacts(data if final is None else _with_props(data, final), keep, whole))
                        for data in (self._read_json(e) for e in entries if e["id"] in wanted)]
        return self._consistent(read)

    def review_names(self) -> list[str]:
        return [entry["id"] for entry in self._manifest()["reviews"]]

    def clear(self) -> None:
        with self._locked():
            for path in [self._manifest_path, self._decisions_path, *(self.root / "reviews").glob("*.json"),
                         *(self.root / "derived").glob("*.json")]:
                path.unlink(missing_ok=True)
        self._forget()

    # --- Store hooks ---------------------------------------------------------------------------

    def _replace(self, batches: Iterable[Batch], progress: Progress | None) -> None:
        with self._locked(), ThreadPoolExecutor(WRITERS) as writers:
            manifest = self._manifest(reading=False)
            self._read_raw = None  # this load changes the manifest it read: never serve that from the cache again
            entries = {e["id"]: e for e in manifest["reviews"]}
            done = 0
            # Files are written and flushed to disk by threads (file I/O releases the GIL) while the next
            # review is encoded; the manifest is switched only once every one of them is on disk.
            written = []
            for batch in batches:
                data = orjson.dumps(batch.to_json())
                name = f"reviews/{hashlib.sha256(data).hexdigest()[:32]}.json"
                if not _holds(self.root / name, data):  # a damaged file of the same name is rewritten
                    written.append(writers.submit(_write_atomic, self.root / name, data))
                # manifest order is load order: a reloaded review moves to the end, because the last review
                # written sets the properties of shared nodes, as in Neo4j
                entries.pop(batch.review, None)
                entries[batch.review] = {"id": batch.review, "file": name, "contacts": batch.contact_count,
                                         "index": index_of(batch.to_json())}
                done += batch.contact_count
                if progress:
                    progress(done)
            for future in written:
                future.result()  # the first failure (e.g. a full disk) ends the load before the manifest changes
            for entry in entries.values():  # a workspace written before the index: index its other reviews once
                if "index" not in entry:
                    try:
                        entry["index"] = index_of(self._read_json(entry))
                    except StoreError:
                        pass  # a damaged file stays unindexed (commands then open the whole graph, which says so)
            manifest["reviews"] = list(entries.values())
            _write_atomic(self._manifest_path, json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
            in_use = {e["file"] for e in manifest["reviews"]}
            for path in (self.root / "reviews").glob("*.json"):
                if f"reviews/{path.name}" not in in_use:
                    path.unlink(missing_ok=True)
            # kept rows of the graph before, and their finding ids: never read again
            for path in [*(self.root / "derived").glob("rows-*.json"), *(self.root / "derived").glob("ids-*.json")]:
                path.unlink(missing_ok=True)
            # under the lock no other write is under way: every temporary file is a killed load's
            for path in [*self.root.glob(".*.tmp"), *(self.root / "reviews").glob(".*.tmp"), *(self.root / "derived").glob(".*.tmp")]:
                path.unlink(missing_ok=True)
        self._forget()

    def _forget(self) -> None:
        if getattr(self, "_frozen", False):  # what the store kept may go: the collector sees its objects again
            gc.unfreeze()
        self._frozen = False
        self._graph = None
        self._read_raw: bytes | None = None
        self._read_manifest: dict = {}
        self._scoped: dict[tuple[str, ...], PlainGraph] = {}
        self._partial: dict[tuple[str, ...], PlainGraph] = {}  # by what a query reads (``_graph_of``)
        self._prefetched: dict[str, tuple[dict, list[dict]]] = {}  # rows computed ahead (``prefetch``): name -> inputs, rows

    @property
    def opened(self) -> PlainGraph:
        """The whole workspace as one graph (a ``PlainGraph``: networkx's layout), built once per store (queries
        read it; read only)."""
        if self._graph is None:
            with gc_paused():
                self._graph = self._consistent(lambda entries: _plain_graph_from_json(self._read_json(e) for e in entries))
                self._keep()
        return self._graph

    def _keep(self) -> None:
        """Keep what was just built (a graph of a million objects, alive until the store forgets it) out of the cyclic
        collector's scans (``gc.freeze``; ``_forget`` undoes it). Measured at 120k contacts: the first collection
        after the build scanned it all in vain (0.2 s), and a query run without the collector paused took 30% longer."""
        gc.freeze()
        self._frozen = True

    def _run_bound(self, query: Query, bound: dict[str, Any]) -> list[dict[str, Any]]:
        """As the store's; a run that reads every review is kept (``remembered``): its rows depend only on the
        graph, ``bound`` and the decisions other than triage (identity decisions, rejected signals), and a
        triage status is added to rows after the run. One-review runs are not kept: their own graph is small."""
        kept = self._rows_key(query, bound)
        if kept is None:
            return super()._run_bound(query, bound)
        name, inputs = kept
        prefetched = self._prefetched.pop(name, None)
        if prefetched is not None and prefetched[0] == inputs:
            return prefetched[1]
        if local(query) and self._graph is None:  # by cluster (kept cluster by cluster); on the whole graph when open
            run = self._prepared(query, bound, inputs)
            rows = self._consistent(lambda entries: self._rows_by_cluster(entries, [run]))[0]
            if rows is not None:
                return rows

        def compute() -> list[dict[str, Any]]:
            if query.prepare is not None:
                # it runs on the whole graph (``_graph_for``): opened first, its prepare step (the identity map's
                # person records) reads it too instead of reading every review file for a graph of its own
                self.opened  # noqa: B018
            return super(EmbeddedStore, self)._run_bound(query, bound)
        return self.remembered(name, inputs, compute, valid=rows_valid)

    def _prepared(self, query: Query, bound: dict[str, Any], inputs: dict[str, Any]
                  ) -> tuple[Query, dict[str, Any], dict[str, Any], list[tuple[str, str]]]:
        """A run of ``query`` as it is computed cluster by cluster: a query with a ``prepare`` step (the identity
        map) gets its prepared parameters now, once (and kept), and the pairs of reviews they join; the inputs its
        clusters' rows are kept by then include them (``prepared``)."""
        if query.prepare is None:
            return query, bound, inputs, []
        prepared = query.prepare(self, bound)
        digest = hashlib.sha256(orjson.dumps(prepared, option=orjson.OPT_SORT_KEYS)).hexdigest()
        return (dataclasses.replace(query, prepare=None), {**bound, **prepared}, {**inputs, "prepared": digest},
                _joins(prepared) or [])

    def _contacts_held(self) -> int:
        try:
            return sum(e.get("contacts", 0) for e in self._manifest()["reviews"])
        except StoreError:
            return 0

    def prefetch(self, runs: list[tuple[Query, dict[str, Any]]]) -> None:
        """As the store's: the runs over every review of ``_local`` queries are computed together, cluster by cluster
        (``_rows_by_cluster``), each cluster's graph built once for all of them: the clusters every identity map
        among them joins (a cluster holding several of another query's clusters gives it the same rows). Their
        ``run`` then returns what this computed."""
        if self._graph is not None:
            return  # the whole graph is open: each query runs on it
        todo = []
        for query, params in runs:
            bound = query.bind(params)
            kept = self._rows_key(query, bound) if local(query) else None
            if kept is None:
                continue
            todo.append((kept, self._prepared(query, bound, kept[1])))
        if todo:
            computed = self._consistent(lambda entries: self._rows_by_cluster(entries, [run for _, run in todo]))
            for ((name, inputs), _), rows in zip(todo, computed):
                if rows is not None:
                    self._prefetched[name] = (inputs, rows)

    def _rows_by_cluster(self, entries: list[dict], runs: list[tuple[Query, dict[str, Any], dict[str, Any], list]]
                         ) -> list[list[dict[str, Any]] | None]:
        """The rows over every review of each run (a ``_local`` query, its bound parameters, the inputs its rows are
        kept by, and the pairs of reviews its identity map joins: ``_prepared``), computed cluster by cluster on each
        cluster's own graph, built once for all the runs. A run's clusters (``_clusters``) are the reviews joined by
        a person who is one node, and by its identity map's joins; the graphs built are the clusters of every run's
        joins together, each a union of each run's own clusters, which it gives the same rows: a review's rows
        depend only on its own cluster. They are split between this process and a forked one
        (``graph.parallel.halves``) when those to compute hold ``PARALLEL_CONTACTS`` or more. Each run's rows are
        kept by its own clusters (``derived/parts-<query>-<params>.json``, by the key of everything they were
        computed from), so a run alone and the same run among others (``prefetch``) keep and read the same parts,
        and after a load only the clusters it changed are computed again. The same rows, in the same order, as the
        query on the whole graph: a review's rows depend only on its cluster and on the properties shared nodes
        have in the whole graph, which each cluster's graph is given. None for a run whose rows name several
        reviews and that follows no identity map (its rows could not be put together), and for every run on a
        workspace written before the manifest's index: the caller runs those on the whole graph."""
        from dhrgraph.graph.parallel import halves

        if not entries or any("index" not in e for e in entries):
            return [None] * len(runs)
        started = self._manifest_path.read_bytes(), self._decisions_bytes()
        final = _final_props(entries)
        built = _clusters(entries, [pair for run in runs for pair in run[3]])  # the graphs built
        held: dict[tuple[str, ...], bytes] = {}  # what a cluster's rows depend on besides the run: its files, shared nodes

        def depends(cluster: list[dict]) -> bytes:
            at = tuple(e["id"] for e in cluster)
            if at not in held:
                shared = sorted({node_id for e in cluster for label, ids in e["index"].items() if label != "Review" for node_id in ids})
                held[at] = orjson.dumps({"reviews": [[e["id"], e["file"]] for e in cluster],
                                         "shared": [[node_id, final[node_id]] for node_id in shared]}, option=orjson.OPT_SORT_KEYS)
            return held[at]
        where = {e["id"]: b for b, cluster in enumerate(built) for e in cluster}
        # each run: (query, bound, name of its kept parts, its clusters' keys, the parts kept, its clusters' keys in each
        # graph built, which of its keys each review's rows go to)
        plans = []
        for query, bound, inputs, joins in runs:
            run = orjson.dumps({**inputs, "code": code_version()}, option=orjson.OPT_SORT_KEYS)
            name = _parts_name(query, inputs)
            own = _clusters(entries, joins)
            keys = [hashlib.sha256(run + b"\0" + depends(cluster)).hexdigest() for cluster in own]
            key_of = {e["id"]: key for key, cluster in zip(keys, own) for e in cluster}
            in_built: list[list[str]] = [[] for _ in built]
            for key, cluster in zip(keys, own):
                in_built[where[cluster[0]["id"]]].append(key)
            plans.append((query, bound, name, keys, self._kept_parts(name, keys), in_built, key_of))
        tasks = [(b, [i for i, plan in enumerate(plans) if any(key not in plan[4] for key in plan[5][b])]) for b in range(len(built))]
        tasks = [task for task in tasks if task[1]]

        def work(some: list[tuple[int, list[int]]]) -> dict[str, list[dict]]:
            out = {}
            for b, wanted in some:
                G = _plain_graph_from_json(self._read_json(e) for e in built[b])
                for node_id in G._node.keys() & final.keys():
                    G._node[node_id] = final[node_id]
                try:
                    for i in wanted:
                        query, bound, key_of, keys = plans[i][0], plans[i][1], plans[i][6], plans[i][5][b]
                        rows = query.run_bound(_ClusterStore(self.root, G), dict(bound))
                        for key in keys:
                            out[key] = []
                        for row in rows:  # each to its review's cluster (None: not one review's row, refused below)
                            out[key_of.get(row.get("review"), keys[0]) if isinstance(row.get("review"), str) else keys[0]].append(row)
                finally:
                    G.graph.clear()  # the model wrapper and its indexes refer to G: freed now, not by a (paused) collector
            return out

        def weight(task: tuple[int, list[int]]) -> int:
            return sum(e.get("contacts", 1) for e in built[task[0]]) * len(task[1])
        try:  # as JSON gives them back (computed here or by the child): cold rows are the kept rows, exactly
            computed = halves(tasks, weight, work, fork=sum(map(weight, tasks)) >= PARALLEL_CONTACTS)
        except TypeError:  # a value that is not JSON: no clusters then (the caller runs on the whole graph)
            return [None] * len(runs)
        out: list[list[dict[str, Any]] | None] = []
        for (query, bound, name, keys, kept, _, _), (_, _, inputs, _) in zip(plans, runs):
            parts = {key: kept[key] if key in kept else computed[key] for key in keys}
            rows = [row for key in keys for row in parts[key]]
            # a row about several reviews only when the identity map joins them (then they are in one cluster)
            if any(not isinstance(row.get("review"), str) or ("reviews" in row and "prepared" not in inputs) for row in rows):
                out.append(None)
                continue
            rows.sort(key=lambda row: row["review"])  # stable: each review's rows stay in the order its cluster gave them
            if not kept.exact or any(key not in kept for key in keys):
                self._keep_parts(name, parts, started)
            out.append(rows)
        return out

    def _kept_parts(self, name: str, keys: list[str]) -> "_Parts":
        """The kept rows of the clusters ``keys`` (``_Parts``: ``exact`` when the file holds those and no others).
        Only those are held: after dhrgraph's code or the reviews changed, a file's other clusters are rows no key
        reads (at 1M contacts the twelve catalogue queries' stale parts held 0.9 GB while each was computed again)."""
        try:
            kept = orjson.loads((self.root / "derived" / f"{name}.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return _Parts()
        parts = kept.get("parts") if isinstance(kept, dict) and kept.get("format") == DERIVED_FORMAT else None
        del kept
        if not isinstance(parts, dict):
            return _Parts()
        wanted = _Parts((key, parts[key]) for key in keys if key in parts and rows_valid(parts[key]))
        wanted.exact = len(wanted) == len(parts)
        return wanted

    def _keep_parts(self, name: str, parts: dict[str, list[dict]], started: tuple[bytes, bytes | None]) -> None:
        """Keep the clusters' rows (JSON values: ``halves`` gives them as JSON gives them back), when no load and no
        decision came meanwhile."""
        try:
            data = orjson.dumps({"format": DERIVED_FORMAT, "version": DERIVED_VERSION, "name": name, "parts": parts})
            if (self._manifest_path.read_bytes(), self._decisions_bytes()) == started:
                (self.root / "derived").mkdir(exist_ok=True)
                _write_atomic(self.root / "derived" / f"{name}.json", data)
        except (TypeError, orjson.JSONEncodeError, OSError):
            pass  # not JSON values, or a read-only workspace: computed again next time

    def _reads_everything(self, query: Query, params: dict[str, Any]) -> bool:
        """Whether a run of ``query`` reads the whole graph (``_graph_for``): no review named, no contacts given."""
        return query is not REVIEWS and super()._reads_everything(query, params)

    def _run(self, query: Query, implementation: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
        return implementation(_model(self._graph_for(query, params)), params)

    def _graph_for(self, query: Query, params: dict[str, Any]) -> PlainGraph:
        """The smallest graph that gives ``query`` the rows the whole graph gives: the reviews its parameters
        name (``review``, or the reviews of the ``contacts`` it is given) with the reviews that share a person
        with them, or only the Review nodes for the list of reviews; the whole graph for a query that follows
        people across reviews (a ``prepare`` step) or reads them all. A review's graph is preferred even when the
        whole graph is open (``findings --review`` opens both): queries over it are many times faster."""
        if query.prepare is not None:
            # a prepared identity map joins records of different reviews: one review's graph then also holds the
            # reviews those joins reach (each join's two records' reviews), so every person it follows is whole
            joins = _joins(params)
            graph = None
            if joins is not None and isinstance(params.get("review"), str):
                graph = self.review_graph([params["review"]], joins=joins)
            return self.opened if graph is None else graph
        if query is REVIEWS:
            graph = self._consistent(_reviews_graph)
        elif query.reads and self._graph is None and not isinstance(params.get("review"), str):
            graph = self._graph_of(query.reads)
        elif isinstance(params.get("review"), str):
            graph = self.review_graph([params["review"]])
        elif params.get("review") is None and isinstance(params.get("contacts"), list) and params["contacts"] \
                and self._graph is None:  # named contacts (the evidence of rows): the reviews they are in
            graph = self.review_graph([], contacts=params["contacts"])
        else:
            graph = None
        return self.opened if graph is None else graph

    def review_graph(self, reviews: Iterable[str], contacts: list[str] | None = None,
                     joins: Iterable[tuple[str, str]] = ()) -> PlainGraph | None:
        """The graph of ``reviews`` (or of the reviews of these contact ids) and the reviews sharing a person with
        them (one node by a global_id, or two records that ``joins``, pairs of review ids, say are one person),
        shared nodes holding the properties they have in the whole graph; None for a workspace written
        before the manifest's index (then only the whole graph is exact)."""
        def read(entries: list[dict]) -> PlainGraph | None:
            if any("index" not in e for e in entries):
                return None
            wanted = set(reviews) | _reviews_of_contacts(contacts or (), {e["id"] for e in entries})
            needed = _with_shared_people(entries, wanted, joins)
            key = tuple(e["id"] for e in entries if e["id"] in needed)
            if key not in self._scoped:
                with gc_paused():
                    G = _plain_graph_from_json(self._read_json(e) for e in entries if e["id"] in needed)
                for node_id, props in _final_props(entries, G._node).items():
                    G._node[node_id] = props
                self._scoped[key] = G
            return self._scoped[key]
        return self._consistent(read)

    def _graph_of(self, reads: tuple[str, ...]) -> PlainGraph:
        """The whole graph's nodes of the labels in ``reads`` and its relationships of the types in ``reads`` between
        them, as the whole graph holds them (shared nodes' properties, node and relationship order): what a query
        that declares what it reads (``Query.reads``) needs, without building every review's contacts. A
        ``Label.property`` in ``reads`` gives that label's nodes with their id and the properties named so only."""
        key = tuple(sorted(reads))
        if key not in self._partial:
            wanted = {name for name in reads if "." not in name}
            narrow: dict[str, list[str]] = {}  # "Label.property": of that label's nodes, only their ids and these
            for name in reads:
                if "." in name:
                    label, prop = name.split(".", 1)
                    narrow.setdefault(label, ["id"]).append(prop)

            def read(entries: list[dict]) -> PlainGraph:
                kept: set[str] = set()  # node ids kept so far: a relationship may end at a node an earlier review brought

                def only(data: dict) -> dict:
                    nodes = {label: table for label, table in data["nodes"].items() if label in wanted}
                    for label, table in data["nodes"].items():
                        if label in narrow and label not in wanted:
                            at = [table["columns"].index(c) for c in dict.fromkeys(narrow[label]) if c in table["columns"]]
                            nodes[label] = {"columns": [table["columns"][i] for i in at],
                                            "rows": [[row[i] for i in at] for row in table["rows"]]}
                    for table in nodes.values():
                        at = table["columns"].index("id")
                        kept.update(row[at] for row in table["rows"])
                    edges = {rel_type: {"columns": table["columns"], "rows": [r for r in table["rows"] if r[0] in kept and r[1] in kept]}
                             for rel_type, table in data["edges"].items() if rel_type in wanted}
                    return {**data, "nodes": nodes, "edges": edges}
                return _plain_graph_from_json(only(self._read_json(e)) for e in entries)
            with gc_paused():
                self._partial[key] = self._consistent(read)
                self._keep()
        return self._partial[key]

    def loaded_reviews(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """As the store's, from the named reviews' own files: a load need not open the whole graph."""
        wanted = set(names)
        entries = [e for e in self._manifest(reading=False)["reviews"] if e["id"] in wanted]  # a first load has none
        if self._graph is not None or not entries:
            return super().loaded_reviews(names) if entries else {}
        rows = []
        for entry in entries:  # each file on its own: a damaged one is skipped, since loading it again repairs it
            try:
                graph = _plain_graph_from_json([orjson.loads((self.root / entry["file"]).read_bytes())])
            except Exception:  # noqa: BLE001 - any damage (bytes, JSON, shape): the review then counts as not loaded
                continue
            rows += REVIEW_SIZES.networkx(ModelGraph(graph), {"names": names})
        return {r["review"]: r for r in REVIEW_SIZES.finish(rows, {})}

    # --- values derived from the whole graph -------------------------------------------------------

    def remembered(self, name: str, inputs: dict[str, Any], compute: Any, valid: Any = None) -> Any:
        """As the store's, kept in ``derived/<name>.json`` (plain JSON, written atomically) with the key of what it
        was computed from: the reviews' files (their names are hashes of their content) in load order, ``inputs``
        and dhrgraph's code (``code_version``). A kept value is used only when its key is the current one; a
        missing, damaged or stale file is computed again (and rewritten when the workspace is writable). A value
        that JSON would not give back equal (a tuple, a set, a non-text key) is returned and not kept."""
        if not DERIVED_NAME.fullmatch(name):
            raise ValueError(f"not a derived value's name: {name!r}")
        path = self.root / "derived" / f"{name}.json"
        try:
            before = self._manifest_path.read_bytes()
            decided = self._decisions_bytes()
        except OSError:
            return compute()
        reviews = [[e["id"], e["file"]] for e in self._checked_manifest(before)["reviews"]]
        key = derived_key(name, inputs, reviews=reviews)
        try:
            found, kept = derived_value(path.read_bytes(), key, valid)
            if found:
                return kept
        except OSError:
            pass  # none kept yet: computed below
        value = compute()
        data = derived_document(name, key, value)
        if data is None:
            return value  # not a JSON value (tuples ...): a kept one would differ from it
        try:
            # no load and no decision meanwhile: the value is the key's
            if self._manifest_path.read_bytes() == before and self._decisions_bytes() == decided:
                (self.root / "derived").mkdir(exist_ok=True)
                _write_atomic(path, data)
        except OSError:
            pass  # a read-only workspace: computed each time
        return value

    # --- decisions -----------------------------------------------------------------------------

    @property
    def _decisions_path(self) -> Path:
        return self.root / "decisions.json"

    def _decisions_bytes(self) -> bytes | None:
        try:
            return self._decisions_path.read_bytes()
        except FileNotFoundError:
            return None

    def _read_decisions(self) -> dict[str, dict[str, dict]]:
        """kind -> key -> decision."""
        path = self._decisions_path
        if not path.exists():
            return {}
        try:
            data = json.loads(path.read_text("utf-8"))
            if not isinstance(data, dict) or data.get("format") != DECISIONS_FORMAT or not isinstance(data.get("decisions"), list) \
                    or not all(isinstance(d, dict) and isinstance(d.get("kind"), str) and isinstance(d.get("key"), str) for d in data["decisions"]):
                raise ValueError("not a decisions file")
        except (OSError, json.JSONDecodeError, UnicodeDecodeError, ValueError, AttributeError) as exc:
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
        self._forget()


class _ClusterStore(EmbeddedStore):
    """What a query run over one cluster of reviews sees (``EmbeddedStore._rows_by_cluster``): the workspace's files
    and decisions, and the cluster's graph as the whole graph; nothing it computes is kept."""

    def __init__(self, workspace: Path, graph: PlainGraph):
        super().__init__(workspace)
        self._graph = graph

    def _run_bound(self, query: Query, bound: dict[str, Any]) -> list[dict[str, Any]]:
        return Store._run_bound(self, query, bound)


def _parts_name(query: Query, inputs: dict[str, Any]) -> str:
    """The derived file of a query's rows cluster by cluster, by its parameters (``inputs``: ``_rows_key``'s)."""
    return f"parts-{query.name}-{hashlib.sha256(orjson.dumps(inputs['bound'], option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]}"


def _clusters(entries: list[dict], joins: Iterable[tuple[str, str]] = ()) -> list[list[dict]]:
    """The manifest's entries in clusters: reviews joined, transitively, by a person who is one node in both (a
    global_id) or by ``joins`` (pairs of reviews holding two records of one person, as the identity map joins them);
    each cluster in manifest order, the clusters in the order of their first review."""
    parent = list(range(len(entries)))

    def root(at: int) -> int:
        while parent[at] != at:
            parent[at] = parent[parent[at]]
            at = parent[at]
        return at
    holder: dict[Any, int] = {}
    at_review = {entry["id"]: at for at, entry in enumerate(entries)}
    for at, entry in enumerate(entries):
        for node_id in entry["index"].get("Person", ()):
            first = holder.setdefault(node_id, at)
            if first != at:
                parent[root(at)] = root(first)
    for left, right in joins:
        if left in at_review and right in at_review:
            parent[root(at_review[right])] = root(at_review[left])
    groups: dict[int, list[dict]] = {}
    for at, entry in enumerate(entries):
        groups.setdefault(root(at), []).append(entry)
    return list(groups.values())


def index_of(data: dict) -> dict[str, dict[str, dict]]:
    """What a manifest entry indexes of one review's JSON (see ``INDEXED``): label -> node id -> properties."""
    out: dict[str, dict[str, dict]] = {}
    for label in INDEXED:
        table = data["nodes"].get(label)
        if not table or not table["rows"]:
            continue
        columns = table["columns"]
        ids = {}
        for row in table["rows"]:
            props = {k: v for k, v in zip(columns, row) if v is not None}
            if label != "Person" or props["id"].startswith(_GLOBAL_PERSON):
                ids[props["id"]] = props
        if ids:
            out[label] = ids
    return out


def _final_props(entries: list[dict], only: Any = None) -> dict[str, dict]:
    """Shared node id -> its properties in the whole graph: each review's in manifest (load) order, the later
    ones updating the earlier, with ``label`` placed as ``build_graph_from_json`` places it."""
    final: dict[str, dict] = {}
    for entry in entries:
        for label, ids in entry["index"].items():
            if label == "Review":
                continue
            for node_id, props in ids.items():
                if only is not None and node_id not in only:
                    continue
                merged = final.get(node_id)
                if merged is None:
                    final[node_id] = {**props, "label": label}
                else:
                    merged.update(props)
                    merged["label"] = label
    return final


def _with_props(data: dict, final: dict[str, dict]) -> dict:
    """A review's JSON with its shared nodes' rows holding ``final`` properties."""
    nodes = dict(data["nodes"])
    for label in SHARED_LABELS:
        table = nodes.get(label)
        if not table or not table["rows"]:
            continue
        at = table["columns"].index("id")
        dicts = [{k: v for k, v in final[row[at]].items() if k != "label"} if row[at] in final
                 else {k: v for k, v in zip(table["columns"], row) if v is not None} for row in table["rows"]]
        columns = sorted({k for d in dicts for k in d})
        nodes[label] = {"columns": columns, "rows": [[d.get(c) for c in columns] for d in dicts]}
    return {**data, "nodes": nodes}


def _reviews_of_contacts(contacts: Iterable[str], names: set[str]) -> set[str]:
    """The reviews (of ``names``) that contact ids ``contact:<review>#<key>`` name; a review id may hold ``#``."""
    out = set()
    for contact in contacts:
        if not contact.startswith("contact:"):
            continue
        at = contact.find("#", 8)
        while at != -1:
            if contact[8:at] in names:
                out.add(contact[8:at])
            at = contact.find("#", at + 1)
    return out


def _with_shared_people(entries: list[dict], wanted: set[str], joins: Iterable[tuple[str, str]] = ()) -> set[str]:
    """``wanted`` and every review joined to it through people who are one node (a global_id) or through
    ``joins`` (pairs of reviews holding two records of one person), transitively: their clusters' reviews."""
    return {e["id"] for cluster in _clusters(entries, joins) if any(e["id"] in wanted for e in cluster) for e in cluster}


def _joins(params: dict[str, Any]) -> list[tuple[str, str]] | None:
    """The pairs of reviews an identity map (``queries.identity.identity_params``: ``identity``, ``members`` and
    ``links``, each link's ``left`` and ``right`` a record {review, person}) joins; None for other parameters."""
    links = params.get("links")
    if not (isinstance(params.get("identity"), dict) and isinstance(params.get("members"), dict) and isinstance(links, list)):
        return None
    try:
        return [(link["left"]["review"], link["right"]["review"]) for link in links]
    except (KeyError, TypeError):
        return None


def _reviews_graph(entries: list[dict]) -> PlainGraph | None:
    """Only the Review nodes, from the manifest's index (what the list of reviews reads); None without an index."""
    if any("index" not in e for e in entries):
        return None
    G = PlainGraph()
    by_label: dict[str, list[str]] = {label: [] for label in LABELS}
    for entry in entries:
        for node_id, props in entry["index"].get("Review", {}).items():
            G._node[node_id] = {**props, "label": "Review"}
            G._succ[node_id], G._pred[node_id] = {}, {}
            by_label["Review"].append(node_id)
    G.graph["by_label"] = by_label
    return G


def _model(G: PlainGraph) -> ModelGraph:
    """The one wrapper of a graph the store opened (it never changes), so the indexes queries derive from it
    are made once for every query run on it (``queries.common.derived``)."""
    model = G.graph.get("model")
    if model is None:
        model = G.graph["model"] = ModelGraph(G)
    return model


def build_graph(batches: Iterable[Batch]) -> "nx.MultiDiGraph":
    """One MultiDiGraph of many reviews, in load order (see ``build_graph_from_json``)."""
    return plain_graph(batches).to_networkx()


def plain_graph(batches: Iterable[Batch]) -> PlainGraph:
    """``build_graph``'s graph as a ``PlainGraph`` (the same dictionaries, no NetworkX import), for a reader that
    only reads them (the views)."""
    return _plain_graph_from_json((b.to_json() for b in batches), share=False)


def plain_graph_of_json(reviews: Iterable[dict]) -> PlainGraph:
    """``plain_graph`` of reviews' columnar JSON (``Store.review_json``)."""
    return _plain_graph_from_json(reviews, share=False)


def build_graph_from_json(reviews: Iterable[dict]) -> "nx.MultiDiGraph":
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
    return _plain_graph_from_json(reviews, share=False).to_networkx()


class _Parts(dict):
    """A query's kept rows by cluster key, and whether its file holds exactly these (else it is written again)."""

    exact = False


def _plain_graph_from_json(reviews: Iterable[dict], share: bool = True) -> PlainGraph:
    """As ``build_graph_from_json``, as the ``PlainGraph`` the store's queries read (no networkx import); with
    ``share``, relationships without properties between nodes they alone join share one key dict per type: such a
    graph must never be changed (the store's never is; ``build_graph``'s may be)."""
    try:
        return _build_graph(reviews, share)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise StoreError(f"a review file is damaged ({exc.__class__.__name__}: {exc}); load its review again") from None


def _build_graph(reviews: Iterable[dict], share: bool) -> PlainGraph:
    G = PlainGraph()
    nodes, succ, pred = G._node, G._succ, G._pred
    by_label: dict[str, list[str]] = {label: [] for label in LABELS}
    # Relationships without properties share one attribute dict per type and, with ``share``, one key dict
    # ({0: attributes}) per type between nodes joined by that relationship alone (most are): less memory, less time
    plain: dict[str, dict] = {}
    alone: dict[str, dict] = {}
    shared: set[int] = set()
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
            if rel_type not in plain:
                plain[rel_type] = {"type": rel_type}
                alone[rel_type] = {0: plain[rel_type]} if share else None
                if share:
                    shared.add(id(alone[rel_type]))
            bare, one = plain[rel_type], alone[rel_type]
            width = len(columns)
            for row in table["rows"]:
                start, end = row[0], row[1]
                # a row with every property absent (a contact's IN_REVIEW: most of them) is one without properties
                if width and row.count(None) != width:
                    attrs, keyed = {k: v for k, v in zip(columns, row[2:]) if v is not None}, None
                    attrs["type"] = rel_type
                else:
                    attrs, keyed = bare, one
                try:
                    ends = succ[start]
                    keys = ends.get(end)
                    if keys is None:
                        ends[end] = pred[end][start] = {0: attrs} if keyed is None else keyed
                        continue
                except KeyError:
                    raise StoreError(f"review {data['review']!r} has a relationship to a missing node; load that review again") from None
                if id(keys) in shared:  # a second relationship between two nodes: their own key dict from now on
                    keys = ends[end] = pred[end][start] = dict(keys)
                keys[len(keys)] = attrs
    G.graph["by_label"] = by_label
    return G
