"""The store interface: what every command needs from a graph, whichever backend holds it.

A backend fills in its hooks (``_replace``, ``_run``, ``batches``, ``clear``, ``close``, the decisions);
loading lives here once. The seam imports nothing from ``queries/``: a store runs the query object it
is given (``Query.bind`` binds the parameters; ``Query.run_bound`` calls the store's ``_run`` with the
implementation in the store's ``language`` and finishes the rows), and what a store answers through
the catalogue's named queries (person and agency look-up, timelines, paths, ``store.query``) is
``queries.lookups.Lookups``, mixed into each concrete store.
"""

from __future__ import annotations

import hashlib
import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Protocol, runtime_checkable

from dhrgraph.graph.errors import DhrgraphError
from dhrgraph.graph.model import Batch, review_batch
from dhrgraph.loaders.gcpause import gc_paused
from dhrgraph.loaders.vocab import agency_key

if TYPE_CHECKING:
    import pandas

    from dhrgraph.loaders import Problem, ReadResult

__all__ = ["Store", "LoadReport", "Rows", "CypherReader", "gc_paused", "ANSWER_AHEAD_CONTACTS", "code_version"]

Progress = Callable[[int], None]

# a load into a store of at least this many contacts computes the catalogue's answers ahead (``answers_ahead``):
# below it, a query computes them in a few tenths of a second
ANSWER_AHEAD_CONTACTS = 20_000
# what a kept derived value (``Store.remembered``) is written as, and the names it may have
DERIVED_FORMAT = "dhrgraph-derived"
DERIVED_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,80}")
DERIVED_VERSION = 1
# the kind of the analyst's triage decisions (``queries.triage``): the one kind no query's rows depend on (a
# finding's status is added to its row after the run), so kept rows are not keyed by them
TRIAGE = "triage"


class Rows(list):
    """A query's rows (plain dicts), with a conversion for notebooks."""

    def to_pandas(self) -> "pandas.DataFrame":
        """The rows as a pandas DataFrame (pandas is an optional extra: ``pip install 'dhrgraph[pandas]'``)."""
        try:
            import pandas
        except ImportError:
            raise DhrgraphError("to_pandas needs pandas, an optional extra: pip install 'dhrgraph[pandas]'") from None
        return pandas.DataFrame(list(self))


@runtime_checkable
class CypherReader(Protocol):
    """A store that runs Cypher as it is given (the ``cypher`` command); checked with ``isinstance``."""

    def read(self, cypher: str, params: dict[str, Any] | None = None, write: bool = False) -> list[dict[str, Any]]: ...


@dataclass
class LoadReport:
    reviews: list[str]
    people: int
    contacts: int
    relationships: int
    warnings: list[Problem]
    replaced: list[tuple[str, int, int]] = field(default_factory=list)  # (review, contacts before, contacts now)


class Store(ABC):
    backend: str = ""  # the store's registered name (``--backend``)
    # the language of the query implementations it runs ("cypher", "networkx"): a second Cypher store
    # runs every query's Cypher (see ``Query.implementation``)
    language: str = ""

    # --- hooks -------------------------------------------------------------------------------

    @abstractmethod
    def _replace(self, batches: Iterable[Batch], progress: Progress | None) -> None:
        """Replace each batch's review whole (delete the old one, write the new) atomically per review."""

    @abstractmethod
    def _run(self, query: Any, implementation: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Run ``implementation``, the one of ``query``'s (a ``queries.base.Query``) that this store runs;
        return its raw rows."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def batches(self, reviews: list[str] | None = None) -> Iterable[Batch]:
        """Every review (or only ``reviews``, in store order) as graph rows."""

    def review_json(self, reviews: list[str], each: Callable[[dict[str, Any]], dict[str, Any]] | None = None, *,
                    contacts: Collection[str] | None = None, whole: Collection[str] = ()) -> list[dict[str, Any]]:
        """These reviews' columnar JSON (``Batch.to_json``), shared nodes as the whole graph holds them, as
        ``batches`` gives them: what a view reads (a store may read it without making ``Batch`` objects). ``each``
        is applied to each review's as it is read (what a page over thousands of reviews keeps of them: holding
        them all first took 2.5 GB at 1M contacts). With ``contacts`` (ids), of the reviews not in ``whole`` only
        those contacts are given (``only_contacts``; a store may leave the others unread)."""
        keep = None if contacts is None else set(contacts)
        return [(each or _same)(only_contacts(batch.to_json(), keep, whole)) for batch in self.batches(reviews)]

    @abstractmethod
    def loaded_reviews(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """Of these review ids, those the graph holds: review -> {path, contacts, agencies that recorded them}
        (``queries.lookups.Lookups`` answers it with a named query)."""

    @abstractmethod
    def review_names(self) -> list[str]:
        """The names of the reviews the store holds, in the store's order."""

    @abstractmethod
    def clear(self) -> None:
        """Delete everything: every review and every decision."""

    # --- decisions: what the analyst decided (triage, identities, rejected signals) ---------------
    # Kept apart from the reviews: loading a review again never touches them; export and import
    # carry them. A decision is a flat dict: ``kind``, ``key`` (unique within its kind) and fields
    # whose values are text, numbers, booleans or lists of those (what Neo4j can store).

    @abstractmethod
    def decisions(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Every decision of ``kind`` (of every kind when None), ordered by kind and key."""

    @abstractmethod
    def put_decisions(self, decisions: Iterable[dict[str, Any]]) -> None:
        """Record decisions, each replacing any earlier one with the same kind and key."""

    @abstractmethod
    def remove_decision(self, kind: str, key: str) -> bool:
        """Forget one decision; False when there was none."""

    def record_decision(self, kind: str, key: str, **fields: Any) -> dict[str, Any]:
        """Record one decision (None fields are left out); return it as stored."""
        decision = {"kind": kind, "key": key, **{k: v for k, v in fields.items() if v is not None}}
        self.put_decisions([decision])
        return decision

    def remembered(self, name: str, inputs: dict[str, Any], compute: Callable[[], Any],
                   valid: Callable[[Any], bool] | None = None) -> Any:
        """``compute()``, a JSON value derived from the whole graph and ``inputs`` (what else it depends on,
        e.g. the analyst's decisions it reads: JSON values). A store that keeps such values beside its data
        (the embedded store) returns the kept one while the graph, ``inputs`` and dhrgraph's code are unchanged
        (and ``valid(kept)`` holds, when given: a kept file is data, checked like any other); ``name`` names the
        value (one kept value per name). This one computes it every time."""
        return compute()

    def prefetch(self, runs: list[tuple[Any, dict[str, Any]]]) -> None:
        """Say ahead which queries (``(query, params)``) a command will ``run``: a store may compute them together,
        sooner than one by one (the embedded store builds each cluster of reviews' graph once for all of them).
        ``run`` gives the same rows either way. This one does nothing."""

    keeps_answers = False  # whether ``remembered`` keeps values beside the store's data

    def answers_ahead(self, asked: bool = False) -> bool:
        """Whether to compute the catalogue's answers right after a load (``triage.answer_ahead``): the store keeps
        them (``keeps_answers``) and, unless ``asked``, holds ``ANSWER_AHEAD_CONTACTS`` contacts or more, enough that a
        command computing them would be slow."""
        return self.keeps_answers and (asked or self._contacts_held() >= ANSWER_AHEAD_CONTACTS)

    def _contacts_held(self) -> int:
        """How many contacts the store holds (``answers_ahead``)."""
        return 0

    # --- shared ------------------------------------------------------------------------------

    def write(self, batches: Iterable[Batch], progress: Progress | None = None) -> None:
        """Replace each batch's review whole, atomically per review. The one public write: ``load`` writes
        what it validated through it, and export and import write the batches of a workspace."""
        self._replace(batches, progress)

    def load(self, paths: list[str | Path], progress: Progress | None = None) -> LoadReport:
        """Validate everything under ``paths``, then replace each review whole (LoadError: nothing written)."""
        from dhrgraph.loaders import read_reviews  # the readers and validators: only loads import them

        result = read_reviews(paths, read_ahead=True)
        return self.load_reviews(result, progress)

    def load_reviews(self, result: ReadResult, progress: Progress | None = None) -> LoadReport:
        """Replace each review of an already validated read, whole. A lone file that would replace a
        loaded review with only some of its agencies' contacts is refused (LoadError: nothing written).
        The summaries read in a second process while validating (``result.readings``) are taken, then closed."""
        readings = result.readings
        try:
            before = self.loaded_reviews([r.id for r in result.reviews])
            _refuse_partial_reviews(result, before)
            with gc_paused():
                # built one at a time while the store writes the previous ones (and never all held at once)
                self.write((review_batch(r, readings=readings) for r in result.reviews), progress)
        finally:
            if readings is not None:
                readings.close()
        return LoadReport(
            reviews=[r.id for r in result.reviews], people=sum(len(r.people) for r in result.reviews),
            contacts=sum(len(r.contacts) for r in result.reviews),
            relationships=sum(len(r.relationships) for r in result.reviews), warnings=result.warnings,
            replaced=[(r.id, before[r.id]["contacts"], len(r.contacts)) for r in result.reviews if r.id in before],
        )

    def run(self, query: Any, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The rows of ``query`` (a ``queries.base.Query``) with ``params``: the query binds them and runs here."""
        # a query builds many objects that all stay alive until it returns: the cyclic collector would
        # scan them again and again in vain (measured: 40% of `themes` over 500 reviews)
        with gc_paused():
            return self._run_bound(query, query.bind(params or {}))

    def _run_bound(self, query: Any, bound: dict[str, Any]) -> list[dict[str, Any]]:
        """The rows of ``query`` with its bound parameters (a store may keep rows it has computed)."""
        return query.run_bound(self, bound)

    def _reads_everything(self, query: Any, params: dict[str, Any]) -> bool:
        """Whether a run of ``query`` reads the whole graph: no review named, no contacts given."""
        return not isinstance(params.get("review"), str) and not (isinstance(params.get("contacts"), list) and params["contacts"])

    def _rows_key(self, query: Any, bound: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """The name and inputs (``remembered``) of the kept rows of a run over every review; None for a run that is
        not kept (one review, named contacts, parameters that are not JSON values). Its rows depend only on the
        graph, ``bound`` and the decisions other than triage (identity decisions, rejected signals): a triage status
        is added to rows after the run."""
        if not self._reads_everything(query, bound):
            return None
        import orjson

        try:
            params = orjson.dumps(bound, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # a parameter that is not a JSON value: not kept
            return None
        decisions = [d for d in self.decisions() if d["kind"] != TRIAGE]
        return (f"rows-{query.name}-{hashlib.sha256(params).hexdigest()[:16]}",
                {"query": query.name, "bound": orjson.loads(params), "decisions": decisions})

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def only_contacts(data: dict[str, Any], keep: set[str] | None, whole: Collection[str] = ()) -> dict[str, Any]:
    """A review's columnar JSON with only the contacts in ``keep`` and the relationships of those (a relationship's
    row starts with its two ends); every other node as it is. As it is when ``keep`` is None or the review is in
    ``whole``."""
    if keep is None or data["review"] in whole:
        return data
    table = data["nodes"].get("Contact")
    if not table or not table["rows"]:
        return data
    at = table["columns"].index("id")
    dropped = {row[at] for row in table["rows"]} - keep
    if not dropped:
        return data
    nodes = {**data["nodes"], "Contact": {"columns": table["columns"], "rows": [r for r in table["rows"] if r[at] not in dropped]}}
    edges = {rel_type: {"columns": t["columns"], "rows": [r for r in t["rows"] if r[0] not in dropped and r[1] not in dropped]}
             for rel_type, t in data["edges"].items()}
    return {**data, "nodes": nodes, "edges": edges}


def _same(value: Any) -> Any:
    return value


def json_exact(value: Any) -> bool:
    """Whether JSON (orjson) gives ``value`` back equal: dicts with text keys, lists, text, booleans, None, integers of
    at most 64 bits and finite floats, nested (a tuple, a set, a subclass of str ... would come back otherwise). A kept
    value is checked so before it is kept. Walking it is cheaper than reading its JSON back and comparing: at 1M
    contacts, fragmented-risk's rows 0.49 s and +131 MB against 0.76 s and +592 MB (README, Performance, round a17)."""
    stack = [value]
    while stack:
        x = stack.pop()
        kind = type(x)
        if kind is str or x is None or kind is bool:
            continue
        if kind is dict:
            if any(type(k) is not str for k in x):
                return False
            stack.extend(x.values())
        elif kind is list:
            stack.extend(x)
        elif kind is int:
            if not -(1 << 63) <= x < (1 << 64):
                return False
        elif kind is float:
            if not math.isfinite(x):
                return False
        else:
            return False
    return True


def derived_key(name: str, inputs: dict[str, Any], **state: Any) -> str:
    """The key a value derived from the whole graph is kept by (``Store.remembered``): its name, the store's ``state``
    it was computed from (the embedded store's review files, Neo4j's stamp), its ``inputs`` and dhrgraph's code."""
    import orjson

    return hashlib.sha256(orjson.dumps({"name": name, **state, "inputs": inputs, "code": code_version()},
                                       option=orjson.OPT_SORT_KEYS)).hexdigest()


def derived_document(name: str, key: str, value: Any) -> bytes | None:
    """What a store keeps of ``value`` under ``key`` (JSON, as ``derived_value`` reads it), or None when JSON would
    not give the value back equal (``json_exact``): such a value is not kept."""
    import orjson

    if not json_exact(value):
        return None
    try:
        return orjson.dumps({"format": DERIVED_FORMAT, "version": DERIVED_VERSION, "name": name, "key": key, "value": value})
    except (TypeError, orjson.JSONEncodeError):
        return None


def derived_value(data: bytes, key: str, valid: Callable[[Any], bool] | None = None) -> tuple[bool, Any]:
    """(True, the value) that ``data`` (a ``derived_document``) keeps under ``key``; (False, None) when it is damaged,
    another key's, or not ``valid`` (a kept value is data, checked like any other)."""
    import orjson

    try:
        kept = orjson.loads(data)
    except orjson.JSONDecodeError:
        return False, None
    if isinstance(kept, dict) and kept.get("format") == DERIVED_FORMAT and kept.get("key") == key and "value" in kept \
            and (valid is None or valid(kept["value"])):
        return True, kept["value"]
    return False, None


def rows_valid(rows: Any) -> bool:
    """Whether a kept value is a query's rows (a list of dicts)."""
    return isinstance(rows, list) and all(isinstance(row, dict) for row in rows)


def local(query: Any) -> bool:
    """Whether ``query``'s rows about a review depend only on the reviews sharing a person with it, or joined to it by
    the identity map when it has a ``prepare`` step (the catalogue's queries that take a review). Its rows are ordered
    by review first (``finish_rows``), so the rows of its clusters, put in review order, are the whole graph's."""
    return any(p.name == "review" for p in query.params)


_CODE_VERSION: list[str] = []


def code_version() -> str:
    """A hash of dhrgraph's own code (the modules of the package, of graph/, loaders/ and queries/) and of the
    versions of the libraries derived values are computed with: a kept value is never used by other code."""
    if not _CODE_VERSION:
        from importlib import metadata

        root = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256()
        for path in sorted([*root.glob("*.py"), *(p for d in ("graph", "loaders", "queries") for p in (root / d).glob("*.py"))]):
            digest.update(f"{path.relative_to(root)}\0".encode())
            digest.update(path.read_bytes())
        for library in ("splink", "duckdb", "networkx"):
            try:
                digest.update(f"{library}={metadata.version(library)}\0".encode())
            except metadata.PackageNotFoundError:
                digest.update(f"{library}=none\0".encode())
        _CODE_VERSION.append(digest.hexdigest())
    return _CODE_VERSION[0]


def _refuse_partial_reviews(result: ReadResult, loaded: dict[str, dict[str, Any]]) -> None:
    """A single file (not a review folder) naming a review that the graph holds with contacts of agencies
    the file lacks would replace the whole review with part of it: refuse, pointing to the review folder."""
    from dhrgraph.loaders import LoadError, Problem

    problems = []
    for review in result.reviews:
        before = loaded.get(review.id)
        if before is None or Path(review.path).suffix.lower() != ".csv" or not Path(review.path).is_file():
            continue
        agencies = {agency_key(name) for name in set(review.contacts.agency)}
        missing = [name for name in before["agencies"] if agency_key(name) not in agencies]
        if not missing:
            continue
        folder = before.get("path") or review.id
        problems.append(Problem(review.path, 1, None, None,
                                f"this file names review {review.id!r}, which the graph holds with {before['contacts']} contacts "
                                f"(also from {', '.join(missing)}); loading it alone would replace that review with this file's "
                                f"{len(review.contacts)}. Put it in the review folder's chronologies/ and load the folder: "
                                f"dhrgraph load {folder}"))
    if problems:
        raise LoadError(problems)
