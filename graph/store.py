"""The store interface: what every command needs from a graph, whichever backend holds it.

A backend fills in three hooks (``_replace``, ``_run``, ``close``); loading, running named queries
and person look-up live here once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from graph.errors import UnknownName
from graph.model import Batch, review_batch
from loaders import Problem, ReadResult, read_reviews
from loaders.gcpause import gc_paused
from loaders.vocab import agency_key
from queries.base import Query, bind_params
from queries.core import AGENCIES, FIND_PERSON, TIMELINE
from queries.paths import PATHS

__all__ = ["Store", "LoadReport", "gc_paused"]

Progress = Callable[[int], None]


@dataclass
class LoadReport:
    reviews: list[str]
    people: int
    contacts: int
    relationships: int
    warnings: list[Problem]


class Store(ABC):
    backend: str = ""

    # --- hooks -------------------------------------------------------------------------------

    @abstractmethod
    def _replace(self, batches: Iterable[Batch], progress: Progress | None) -> None:
        """Replace each batch's review whole (delete the old one, write the new) atomically per review."""

    @abstractmethod
    def _run(self, query: Query, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Run one query's implementation for this backend; return its raw rows."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def batches(self) -> Iterable[Batch]:
        """Every review as graph rows (for export)."""

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

    # --- shared ------------------------------------------------------------------------------

    def replace_reviews(self, batches: Iterable[Batch], progress: Progress | None = None) -> None:
        self._replace(batches, progress)

    def load(self, paths: list[str | Path], progress: Progress | None = None) -> LoadReport:
        """Validate everything under ``paths``, then replace each review whole (LoadError: nothing written)."""
        result = read_reviews(paths)
        return self.load_reviews(result, progress)

    def load_reviews(self, result: ReadResult, progress: Progress | None = None) -> LoadReport:
        """Replace each review of an already validated read, whole."""
        with gc_paused():
            # built one at a time while the store writes the previous ones (and never all held at once)
            self.replace_reviews((review_batch(r) for r in result.reviews), progress)
        return LoadReport(
            reviews=[r.id for r in result.reviews], people=sum(len(r.people) for r in result.reviews),
            contacts=sum(len(r.contacts) for r in result.reviews),
            relationships=sum(len(r.relationships) for r in result.reviews), warnings=result.warnings,
        )

    def run(self, query: Query, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        bound = bind_params(query, params or {})
        if "signals" not in bound:
            rows = self._run(query, {**query.constants, **bound})
            return query.finish(rows, bound) if query.finish else rows
        # a query that reads text-derived signals ignores the ones the analyst rejected, and says of
        # each evidence item whether text-derived signals count in it (see queries/signals.py)
        from queries.signals import mark_evidence, rejected_ids

        rejected = rejected_ids(self)
        rows = self._run(query, {**query.constants, **bound, "rejected_signals": rejected})
        rows = query.finish(rows, bound) if query.finish else rows
        return mark_evidence(self, rows, bound["signals"], rejected)

    def resolve_person(self, name: str, review: str | None = None) -> str:
        """The node id of the one person called ``name`` (pseudonym, global id or id)."""
        rows = self.run(FIND_PERSON, {"name": name, "review": review})
        ids = sorted({r["id"] for r in rows})
        if not ids:
            where = f" in review {review!r}" if review else ""
            raise UnknownName(f"No person {name!r}{where}. Check the pseudonym in people.csv (or give a global_id).")
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
        for agency in agencies:
            if key in {agency_key(n) for n in (agency["name"], *agency["aliases"])}:
                return agency["id"]
        words = set(key.split())
        similar = [a["name"] for a in agencies if words & set(agency_key(a["name"]).split())]
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
