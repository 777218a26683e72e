"""Files for ``neo4j-admin database import full``: the first load of a big archive into an empty Neo4j database.

``dhrgraph load`` writes into Neo4j through Cypher transactions, and the server's own writing is its limit
(README, "Against the ceiling"). Neo4j's offline importer writes the store files directly: for an empty database
it is the fastest way in. ``dhrgraph export --neo4j-import DIR`` writes what it reads, from any store (the
embedded workspace after ``dhrgraph load`` is the usual one):

- per label and per relationship type, CSV files with a header file each (a group per set of columns and value
  types: a property's type is the header's, so rows whose values differ in type go to groups of their own);
- ``import.args``: the importer's options and files, paths relative to DIR, for
  ``neo4j-admin database import full neo4j --overwrite-destination @import.args`` run in DIR
  (``tools/neo4j-local import DIR`` runs it on its own server's data folder);
- ``dhrgraph-import.json``: what the database must hold afterwards (the number of nodes of each label and of
  relationships of each type, the reviews) and the analyst's decisions.

``dhrgraph --backend neo4j import DIR`` then finishes (``Neo4jStore.finish_admin_import``): it checks that the
database holds exactly those counts, creates dhrgraph's constraints, gives the graph a stamp, writes the
decisions, and answers the catalogue ahead as ``dhrgraph load`` does. The graph is the one ``dhrgraph load``
writes, property for property and type for type (``tests/test_admin_import.py`` compares the two databases'
dumps). Shared nodes (people with a global id, agencies, risk factors) take each review's properties in turn,
the last one's winning, as ``MERGE ... SET n += row`` does.

CSV as the importer reads it: text quoted (a quote doubled; newlines inside quotes: ``--multiline-fields``), an
absent property an empty field without quotes, a list's items joined by U+001F (``--array-delimiter``). Two lists
cannot be written that way, an empty one and one empty text, nor an item holding U+001F: such a graph is refused
with the node and property named (``dhrgraph --backend neo4j import`` of a workspace writes it through Cypher).
"""

from __future__ import annotations

import csv
import json
import math
import os
import shlex
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from dhrgraph.graph.embedded import _write_atomic
from dhrgraph.graph.errors import StoreError
from dhrgraph.graph.parallel import halves
from dhrgraph.graph.model import LABELS, REL_TYPES, SHARED_LABELS, Batch, check_batch
from dhrgraph.loaders.gcpause import gc_paused

__all__ = ["MANIFEST", "ARGS", "IMPORT_FORMAT", "ImportFiles", "write_import", "read_manifest", "admin_command"]

MANIFEST = "dhrgraph-import.json"
ARGS = "import.args"
IMPORT_FORMAT = "dhrgraph-neo4j-import"
ARRAY_DELIMITER = "\x1f"
# The importer's options (besides the files): ids are the nodes' text ids (one id space: a node id names its
# label); nothing is dropped silently (--bad-tolerance=0: any bad row fails the import).
OPTIONS = ("--id-type=string", "--multiline-fields=true", "--array-delimiter=\\u001F", "--bad-tolerance=0")


def admin_command(folder: str | os.PathLike, database: str = "neo4j") -> str:
    """The command that imports ``folder`` into the (stopped) server's ``database``, replacing it."""
    return (f"cd {shlex.quote(str(folder))} && neo4j-admin database import full {shlex.quote(database)} "
            f"--overwrite-destination @{ARGS}")


class _Absent(int):
    """Written by ``csv`` (QUOTE_NONNUMERIC) as an empty field without quotes: an absent property. A number to
    the writer, so it is not quoted; an empty text would be written "", which is an empty text to the importer."""

    __slots__ = ()

    def __str__(self) -> str:
        return ""

    __repr__ = __str__


ABSENT = _Absent(0)
_WORDS = {True: "true", False: "false"}  # only ever looked up with a bool
# The importer's name of a Python type, for a property and for a list's items.
_TYPES = {str: "string", int: "long", float: "double", bool: "boolean"}
NONE = type(None)


class _Group:
    """One CSV file and its header file: rows of one label or type with the same columns, each column's values of
    one type. The header is written last, so a column's type is its first value's; a row whose value has another
    type goes to a group of its own."""

    def __init__(self, name: str, columns: tuple, skip: int, file: Path):
        self.name, self.columns, self.skip, self.file = name, columns, skip, file.name
        self.kinds: list[type | None] = [None] * len(columns)  # per column: its values' type, None while unknown
        self.items: list[type | None] = [None] * len(columns)  # per list column: its items' type
        self.plans: dict[tuple, tuple[list, list[int]] | None] = {}  # by a row's value types: (conversions, list places)
        self.handle = open(file, "w", encoding="utf-8", newline="")
        # text as it is unless it needs quotes, an absent value (None) an empty field; a row holding an empty text
        # is written with every text quoted (an empty field would be an absent one) and absent values as ABSENT
        self.writer = csv.writer(self.handle, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        self.quoted = csv.writer(self.handle, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        self.rows = 0

    def accept(self, types: tuple, row: list | tuple) -> tuple[list, list[int]] | None:
        """How to write the row, if its values' types are this group's (or new to it); None when they are not."""
        plan = self.plans.get(types, False)
        if plan is False:
            plan = self.plans[types] = self._plan(types)
        if plan is None:
            return None
        for i in plan[1]:  # a list's items' type is the column's too
            value = row[i]
            if _unwritable(value):
                raise _Unwritable(i)
            known = self.items[i - self.skip]
            if known is None:
                self.items[i - self.skip] = type(value[0])
            elif type(value[0]) is not known:
                return None
        return plan

    def write(self, row: list | tuple) -> None:
        if "" in row:
            self.quoted.writerow([ABSENT if v is None else v for v in row])
        else:
            self.writer.writerow(row)
        self.rows += 1

    def _plan(self, types: tuple) -> tuple[list, list[int]] | None:
        for t, known in zip(types[self.skip:], self.kinds):
            if t is not NONE and known is not None and t is not known:
                return None
        conversions: list[tuple[int, Callable[[Any], Any]]] = []
        lists = []
        for i, t in enumerate(types):
            if i < self.skip or t is NONE:
                continue
            if t is not list and t not in _TYPES:
                raise _Unwritable(i)
            self.kinds[i - self.skip] = t
            if t is list:
                lists.append(i)
                conversions.append((i, _join))
            elif t is bool:
                conversions.append((i, _WORDS.__getitem__))
            elif t is float:
                conversions.append((i, _finite))
        return conversions, lists

    def header(self) -> list[str]:
        names = [":START_ID", ":END_ID"] if self.skip else []
        for column, kind, item in zip(self.columns, self.kinds, self.items):
            if kind is None or (kind is list and item is None):
                names.append(column)  # absent in every row written: its type does not matter
            elif kind is list:
                names.append(f"{column}:{_TYPES[item]}[]")
            elif column == "id" and not self.skip:
                names.append("id:ID")
            else:
                names.append(f"{column}:{_TYPES[kind]}")
        return names


@dataclass
class ImportFiles:
    """What ``write_import`` wrote: the counts the database must hold, the groups' files by label or type."""

    folder: Path
    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    reviews: list[str] = field(default_factory=list)
    files: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


class _Writer:
    def __init__(self, folder: Path, prefix: str = ""):
        self.folder, self.prefix = folder, prefix
        self.groups: dict[tuple[str, tuple], list[_Group]] = {}
        self.routes: dict[tuple, tuple[_Group, list]] = {}  # rows without lists: their group and conversions by types
        self.files: dict[str, int] = {}

    def row(self, kind: str, name: str, columns: tuple, row: list | tuple, skip: int) -> None:
        """Write one node (``skip`` 0: its columns) or relationship (``skip`` 2: start and end, then its columns)."""
        types = tuple(map(type, row))
        route = self.routes.get((name, columns, types))
        if route is None:
            group, conversions = self._route(kind, name, columns, types, row, skip)
        else:
            group, conversions = route
        if conversions:
            row = list(row)
            for i, convert in conversions:
                row[i] = convert(row[i])
        group.write(row)

    def _route(self, kind: str, name: str, columns: tuple, types: tuple, row: list | tuple, skip: int) -> tuple[_Group, list]:
        groups = self.groups.setdefault((name, columns), [])
        try:
            for group in groups:
                plan = group.accept(types, row)
                if plan is not None:
                    break
            else:
                number = self.files[name] = self.files.get(name, -1) + 1
                group = _Group(name, columns, skip, self.folder / f"{kind}-{name}-{self.prefix}{number}.csv")
                groups.append(group)
                plan = group.accept(types, row)
                if plan is None:
                    raise AssertionError("a new group takes any row")
        except _Unwritable as exc:
            at = exc.args[0]
            subject = f"{name} {row[0]} -> {row[1]}" if skip else f"{name} {row[columns.index('id')]}"
            raise StoreError(f"{subject}: property {columns[at - skip]!r} is {row[at]!r}, which neo4j-admin's CSV cannot "
                             "hold (an empty list, one empty text, mixed or unknown item types, U+001F in an item, or a "
                             "value of another type than text, integer, number or true/false); load this graph through "
                             "Cypher instead: `dhrgraph --backend neo4j import WORKSPACE`") from None
        conversions, lists = plan
        if not lists:  # a row with a list is routed each time: its items' type is checked
            self.routes[(name, columns, types)] = (group, conversions)
        return group, conversions

    def rows(self) -> dict[str, int]:
        """Rows written, by label or relationship type."""
        counts: dict[str, int] = {}
        for groups in self.groups.values():
            for group in groups:
                counts[group.name] = counts.get(group.name, 0) + group.rows
        return counts

    @contextmanager
    def writing(self) -> Iterator["_Writer"]:
        """The writer, with the garbage collector paused; its files closed without headers if writing fails."""
        try:
            with gc_paused():
                yield self
        except BaseException:
            self.close(headers=False)
            raise

    def close(self, headers: bool = True) -> dict[str, list[tuple[str, str]]]:
        files: dict[str, list[tuple[str, str]]] = {}
        for groups in self.groups.values():
            for group in groups:
                group.handle.close()
                if not headers:
                    continue
                header = group.file.removesuffix(".csv") + ".header.csv"
                with open(self.folder / header, "w", encoding="utf-8", newline="") as out:
                    csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n").writerow(group.header())
                files.setdefault(group.name, []).append((header, group.file))
        return files


class _Unwritable(Exception):
    pass


def _unwritable(value: list) -> bool:
    """Whether a list cannot travel in the importer's CSV (see the module's docstring)."""
    if not value or value == [""]:
        return True
    first = type(value[0])
    return (first not in _TYPES or any(type(v) is not first for v in value)
            or (first is str and any(ARRAY_DELIMITER in v for v in value)))


def _join(values: list) -> str:
    if type(values[0]) is bool:
        return ARRAY_DELIMITER.join([_WORDS[v] for v in values])
    if type(values[0]) is float:
        values = [_finite(v) for v in values]
    return ARRAY_DELIMITER.join(map(str, values))


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise StoreError(f"a property is {value!r}, which neo4j-admin's CSV cannot hold; load this graph through "
                         "Cypher instead: `dhrgraph --backend neo4j import WORKSPACE`")
    return value


# An export of at least this many reviews shares the work with a second process (``graph.parallel.halves``), each
# writing the files of its half; a store read through a connection (Neo4j's driver) is never forked.
FORK_REVIEWS = 50


def write_import(store: Any, folder: str | os.PathLike) -> ImportFiles:
    """Write the importer's files for every review of ``store`` (``graph.store.Store``), in its order, and its
    decisions, into ``folder``: empty, or one written here before (its files are replaced). The reviews are read
    one by one (``Store.review_json``) and let go once written; an embedded store's in two processes."""
    target = Path(folder)
    if target.exists() and any(target.iterdir()) and not (target / MANIFEST).exists():
        raise StoreError(f"{target} is not empty and not a folder of `dhrgraph export --neo4j-import`; choose an empty folder")
    target.mkdir(parents=True, exist_ok=True)
    (target / MANIFEST).unlink(missing_ok=True)  # written last: a folder without it is unfinished
    for old in target.glob("*.csv"):
        old.unlink()
    names = store.review_names()
    place = {name: i for i, name in enumerate(names)}

    def work(part: list[str]) -> dict[str, Any]:
        """Write ``part``'s reviews (files named by the place of its first review: each half its own); return what
        the manifest needs and the shared nodes' properties, each with its review's place."""
        prefix = f"{place[part[0]]}-" if part else ""
        writer = _Writer(target, prefix)
        shared: list[tuple[int, str, dict[str, Any]]] = []

        def add(data: dict[str, Any]) -> None:
            batch = Batch.from_json(data)
            check_batch(batch)
            at = place[batch.review]
            for label in LABELS:
                table = batch.nodes[label]
                if label in SHARED_LABELS:  # merged across reviews (the last review's values win): written at the end
                    for props in table.dicts():  # they travel as JSON, which has no NaN or infinity
                        for value in props.values():
                            if type(value) is float:
                                _finite(value)
                        shared.append((at, label, props))
                    continue
                columns = tuple(table.columns)
                for row in table.rows:
                    writer.row("nodes", label, columns, row, 0)
            for rel_type in REL_TYPES:
                table = batch.edges[rel_type]
                columns = tuple(table.columns)
                for row in table.rows:
                    writer.row("relationships", rel_type, columns, row, 2)

        with writer.writing():
            store.review_json(part, each=add)
        return {prefix: {"files": writer.close(), "rows": writer.rows(), "shared": shared}}

    fork = store.backend == "embedded" and len(names) >= FORK_REVIEWS
    parts = halves(names, lambda name: 1, work, fork=fork)
    result = ImportFiles(target, {label: 0 for label in LABELS}, {t: 0 for t in REL_TYPES}, reviews=names)
    files: dict[str, list[tuple[str, str]]] = {}
    nodes: dict[str, dict[str, dict[str, Any]]] = {label: {} for label in SHARED_LABELS}
    for prefix in sorted(parts, key=lambda p: int(p[:-1] or 0)):
        part = parts[prefix]
        for name, pairs in part["files"].items():
            files.setdefault(name, []).extend(map(tuple, pairs))
        for name, count in part["rows"].items():
            (result.nodes if name in result.nodes else result.relationships)[name] += count
    for _, label, props in sorted((entry for part in parts.values() for entry in part["shared"]), key=lambda e: e[0]):
        nodes[label].setdefault(props["id"], {}).update(props)
    with _Writer(target, "shared-").writing() as writer:
        for label, merged in nodes.items():
            for props in merged.values():
                columns = tuple(sorted(props))
                writer.row("nodes", label, columns, [props[k] for k in columns], 0)
    for name, pairs in writer.close().items():
        files.setdefault(name, []).extend(pairs)
    for name, count in writer.rows().items():
        result.nodes[name] += count  # shared nodes only
    result.files = files
    lines = list(OPTIONS)
    for name in (*LABELS, *REL_TYPES):
        kind = "nodes" if name in LABELS else "relationships"
        lines += [f"--{kind}={name}={header},{data}" for header, data in files.get(name, [])]
    (target / ARGS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = {"format": IMPORT_FORMAT, "version": 1, "nodes": result.nodes, "relationships": result.relationships,
                "reviews": result.reviews, "decisions": store.decisions()}
    _write_atomic(target / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return result


def read_manifest(folder: str | os.PathLike) -> dict[str, Any] | None:
    """The manifest of a folder of ``write_import``, or None when ``folder`` is not one."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        if (Path(folder) / ARGS).exists() or any(Path(folder).glob("nodes-*.csv")):
            raise StoreError(f"{folder} holds the files of an unfinished `dhrgraph export --neo4j-import` (no {MANIFEST}: "
                             "the export stopped); export again")
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: cannot read it ({exc.__class__.__name__}); write the folder again with "
                         "`dhrgraph export --neo4j-import DIR`") from None
    if not isinstance(manifest, dict) or manifest.get("format") != IMPORT_FORMAT:
        raise StoreError(f"{path} is not a manifest of `dhrgraph export --neo4j-import`")
    return manifest
