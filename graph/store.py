"""The store interface: what every command needs from a graph, whichever backend holds it.

A backend fills in three hooks (``_replace``, ``_run``, ``close``); loading, running named queries
and person look-up live here once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol, runtime_checkable

from dhrgraph.graph.errors import DhrgraphError, UnknownName
from dhrgraph.graph.model import Batch, review_batch
from dhrgraph.loaders.gcpause import gc_paused
from dhrgraph.loaders.vocab import agency_key
from dhrgraph.queries.base import Query, bind_params
from dhrgraph.queries.core import AGENCIES, FIND_PERSON, TIMELINE
from dhrgraph.queries.intake import REVIEW_SIZES
from dhrgraph.queries.paths import PATHS
from dhrgraph.queries.scope import check_review, closest, person_names

if TYPE_CHECKING:
    import networkx as nx
    import pandas

    from dhrgraph.loaders import Problem, ReadResult

__all__ = ["Store", "LoadReport", "Rows", "CypherReader", "gc_paused"]

Progress = Callable[[int], None]


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
    def _run(self, query: Query, implementation: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Run ``implementation``, the one of ``query``'s that this store runs; return its raw rows."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def batches(self, reviews: list[str] | None = None) -> Iterable[Batch]:
        """Every review (or only ``reviews``, in store order) as graph rows."""

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

    # --- shared ------------------------------------------------------------------------------

    def replace_reviews(self, batches: Iterable[Batch], progress: Progress | None = None) -> None:
        self._replace(batches, progress)

    def load(self, paths: list[str | Path], progress: Progress | None = None) -> LoadReport:
        """Validate everything under ``paths``, then replace each review whole (LoadError: nothing written)."""
        from dhrgraph.loaders import read_reviews  # the readers and validators: only loads import them

        result = read_reviews(paths)
        return self.load_reviews(result, progress)

    def load_reviews(self, result: ReadResult, progress: Progress | None = None) -> LoadReport:
        """Replace each review of an already validated read, whole. A lone file that would replace a
        loaded review with only some of its agencies' contacts is refused (LoadError: nothing written)."""
        before = self.loaded_reviews([r.id for r in result.reviews])
        _refuse_partial_reviews(result, before)
        with gc_paused():
            # built one at a time while the store writes the previous ones (and never all held at once)
            self.replace_reviews((review_batch(r) for r in result.reviews), progress)
        return LoadReport(
            reviews=[r.id for r in result.reviews], people=sum(len(r.people) for r in result.reviews),
            contacts=sum(len(r.contacts) for r in result.reviews),
            relationships=sum(len(r.relationships) for r in result.reviews), warnings=result.warnings,
            replaced=[(r.id, before[r.id]["contacts"], len(r.contacts)) for r in result.reviews if r.id in before],
        )

    def loaded_reviews(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """Of these review ids, those the graph holds: review -> {path, contacts, agencies that recorded them}."""
        return {r["review"]: r for r in self.run(REVIEW_SIZES, {"names": names})}

    def run(self, query: Query, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        # a query builds many objects that all stay alive until it returns: the cyclic collector would
        # scan them again and again in vain (measured: 40% of `themes` over 500 reviews)
        with gc_paused():
            return self._run_bound(query, bind_params(query, params or {}))

    def _run_bound(self, query: Query, bound: dict[str, Any]) -> list[dict[str, Any]]:
        if query.prepare:
            bound = {**bound, **query.prepare(self, bound)}
        implementation = query.implementation(self)
        if "signals" not in bound:
            rows = self._run(query, implementation, {**query.constants, **bound})
            return query.finish(rows, bound) if query.finish else rows
        # a query that reads text-derived signals ignores the ones the analyst rejected, and says of
        # each evidence item whether text-derived signals count in it (see queries/signals.py)
        from dhrgraph.queries.signals import mark_evidence, rejected_ids

        rejected = rejected_ids(self)
        rows = self._run(query, implementation, {**query.constants, **bound, "rejected_signals": rejected})
        rows = query.finish(rows, bound) if query.finish else rows
        return mark_evidence(self, rows, bound["signals"], rejected)

    def query(self, name: str, **params: Any) -> Rows:
        """Run a named query of the catalogue (see ``dhrgraph queries``): ``store.query("missed-marac", review="x")``."""
        from dhrgraph.queries.base import get

        query = get(name)
        check_review(self, params.get("review"))
        return Rows(self.run(query, params))

    def graph(self, review: str | None = None) -> "nx.MultiDiGraph":
        """The graph (or one review of it) as a networkx MultiDiGraph in the documented model (README,
        Graph model): node attribute ``label``, edge attribute ``type``, the other properties as stored."""
        from dhrgraph.graph.embedded import build_graph

        check_review(self, review)
        return build_graph(self.batches([review] if review is not None else None))

    def resolve_person(self, name: str, review: str | None = None) -> str:
        """The node id of the one person called ``name`` (pseudonym, global id or id)."""
        rows = self.run(FIND_PERSON, {"name": name, "review": review})
        ids = sorted({r["id"] for r in rows})
        if not ids:
            check_review(self, review)
            where = f" in review {review!r}" if review else ""
            close = closest(name, person_names(self, review))
            hint = f" Closest: {', '.join(close)}." if close else " Check the pseudonym in people.csv (or give a global_id)."
            raise UnknownName(f"No person {name!r}{where}.{hint}")
        if len(ids) > 1:
            places = ", ".join(f"{r['review']} ({r['role']})" for r in rows)
            raise UnknownName(f"{name!r} names {len(ids)} different people: {places}. Give --review to choose one.")
        return ids[0]

    def timeline(self, person: str, review: str | None = None) -> list[dict[str, Any]]:
        return self.run(TIMELINE, {"person": self.resolve_person(person, review), "review": review})

    def resolve_agency(self, name: str) -> str:
        """The node id of the agency called ``name``: its name or an alias, in any case or spacing."""
        agencies = self.run(AGENCIES)
        key = agency_key(name)
        named = [a for a in agencies if agency_key(a["name"]) == key]  # a name is one agency's, by construction
        if named:
            return named[0]["id"]
        aliased = [a for a in agencies if key in {agency_key(n) for n in a["aliases"]}]
        if len(aliased) == 1:
            return aliased[0]["id"]
        if aliased:  # reviews may give one short form to different agencies: never pick one silently
            listing = ", ".join(sorted(a["name"] for a in aliased))
            raise UnknownName(f"{name!r} is an alias of {len(aliased)} agencies (declared by different reviews): {listing}. "
                              "Give the agency's full name.")
        words = set(key.split())
        similar = [a["name"] for a in agencies if words & set(agency_key(a["name"]).split())]
        similar = list(dict.fromkeys(closest(name, [a["name"] for a in agencies]) + sorted(similar)))
        shown = similar or [a["name"] for a in agencies]
        listing = ", ".join(shown[:20]) + (f", ... ({len(shown)} in all)" if len(shown) > 20 else "")
        raise UnknownName(f"No agency {name!r}. {'Similar names' if similar else 'Agencies'}: {listing}")

    def paths(self, source: str, target: str, subject: str | None = None, review: str | None = None,
              after: str | None = None, before: str | None = None, **options: Any) -> list[dict[str, Any]]:
        """Time-respecting paths of referrals and shares from agency ``source`` to agency ``target``."""
        params = {"from": self.resolve_agency(source), "to": self.resolve_agency(target), "review": review,
                  "subject": self.resolve_person(subject, review) if subject else None, "after": after, "before": before}
        return self.run(PATHS, {**params, **options})

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
