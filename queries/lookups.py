"""What a store answers through the catalogue's named queries: a query by name, a person's or an
agency's node id from the names an analyst types, a timeline, paths between agencies, the graph as
networkx, and which reviews are loaded (for ``Store.load``).

``Lookups`` is mixed into each concrete store (``class EmbeddedStore(Lookups, Store)``), so that the
store interface (``graph/store.py``) imports nothing from ``queries/`` while ``store.query(...)``,
``store.timeline(...)`` and the rest stay methods of every store (README, Python API).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dhrgraph.graph.errors import UnknownName
from dhrgraph.graph.store import Rows
from dhrgraph.loaders.vocab import agency_key
from dhrgraph.queries.base import get
from dhrgraph.queries.core import AGENCIES, FIND_PERSON, TIMELINE
from dhrgraph.queries.intake import REVIEW_SIZES
from dhrgraph.queries.paths import PATHS
from dhrgraph.queries.scope import check_review, closest, person_names

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Lookups"]


class Lookups:
    """Named-query answers for a store (a ``graph.store.Store``; see the module docstring)."""

    run: Any  # Store.run

    def loaded_reviews(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """Of these review ids, those the graph holds: review -> {path, contacts, agencies that recorded them}."""
        return {r["review"]: r for r in self.run(REVIEW_SIZES, {"names": names})}

    def query(self, name: str, **params: Any) -> Rows:
        """Run a named query of the catalogue (see ``dhrgraph queries``): ``store.query("missed-marac", review="x")``."""
        query = get(name)
        check_review(self, params.get("review"))
        return Rows(self.run(query, params))

    def graph(self, review: str | None = None) -> "nx.MultiDiGraph":
        """The graph (or one review of it) as a networkx MultiDiGraph in the documented model (README,
        Graph model): node attribute ``label``, edge attribute ``type``, the other properties as stored."""
        from dhrgraph.graph.embedded import build_graph  # the embedded store's own module imports this one

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
