"""Named queries as plain data: a name, a title, a description, parameters, and implementations.

A query holds its implementations keyed by the language a store runs (``Store.language``): its
Cypher (``"cypher"``, run by the Neo4j store and by any other Cypher store) and its NetworkX
function (``"networkx"``, run by the embedded store over a ``ModelGraph``) side by side in one
module, plus an optional ``finish`` step that all share (sorting, wording) so that every store gives
identical rows. A query that one store answers differently adds one entry under that store's name
(``Store.backend``), which wins over its language's.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from dhrgraph.graph.errors import DhrgraphError, UnknownName

if TYPE_CHECKING:
    import networkx as nx

    from dhrgraph.graph.nxgraph import ModelGraph

__all__ = ["Param", "Query", "yes_no", "register", "get", "catalogue", "bind_params", "REVIEW_PARAM", "CYPHER", "NETWORKX", "Gaps"]

Rows = list[dict[str, Any]]


# Whole-number parameters are windows (days, years) and thresholds (counts, scores): from 1 unless a
# parameter says otherwise, and at most a century of days, so that date arithmetic never overflows.
INT_HIGH = 36_500


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    help: str
    type: type = str
    low: int = 1  # for int parameters: the smallest value allowed
    high: int = INT_HIGH  # for int parameters: the largest value allowed
    choices: tuple = ()  # the only values allowed, when given

    def parse(self, text: str) -> Any:
        if self.choices and text not in self.choices:
            raise DhrgraphError(f"parameter {self.name!r} must be one of {', '.join(map(str, self.choices))}, got {text!r}")
        if self.type is str:
            return text
        try:
            return self.check(self.type(text.strip()))
        except ValueError:
            raise DhrgraphError(f"parameter {self.name!r} must be {self.type.__name__}, got {text!r}") from None

    def check(self, value: Any) -> Any:
        """``value`` if it is allowed; a clear error otherwise (a window of 0 or -5 days, 10^20 days)."""
        if self.type is int and value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or not self.low <= value <= self.high:
                raise DhrgraphError(f"parameter {self.name!r} must be a whole number from {self.low} to {self.high}, got {value!r}")
        return value


def yes_no(text: str) -> bool:
    """A yes/no parameter's value from its text (true/false, yes/no, 1/0)."""
    value = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(str(text).strip().lower())
    if value is None:
        raise ValueError(text)
    return value


REVIEW_PARAM = Param("review", None, "only this review (default: all reviews)")

# What a finding says did not pass, by agency names: (from, to) links that a risk signal did not
# travel, and labelled groups of agencies with no referral or share between them.
Gaps = tuple[list[tuple[str, str]], list[tuple[str, list[str]]]]

# the languages a query is written in (a store's ``language`` names the one it runs)
CYPHER = "cypher"
NETWORKX = "networkx"


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    # the two everyday implementations, by keyword (``cypher=...``, ``networkx=...``); both end up in
    # ``implementations``, and these attributes read from there
    cypher: str | None = None
    networkx: Callable[["ModelGraph | nx.MultiDiGraph", dict], Rows] | None = None
    params: tuple[Param, ...] = ()
    finish: Callable[[Rows, dict], Rows] | None = None
    constants: dict[str, Any] = field(default_factory=dict)  # fixed vocabularies both implementations read
    listed: bool = True  # part of the missed-connections catalogue shown by `dhrgraph queries`
    reference: dict[str, Any] = field(default_factory=dict)  # domain facts the query applies, shown by `dhrgraph queries`
    # parameters computed from the store before the query runs (both backends get the same values),
    # e.g. the identity map of queries that follow a person across reviews: prepare(store, bound) -> dict
    prepare: Callable[[Any, dict], dict] | None = None
    # what a finding row says did not pass between agencies, for the views to draw (see ``Gaps``)
    gaps: Callable[[dict], "Gaps"] | None = None
    # the node labels and relationship types its NetworkX implementation reads (empty: any): a store may hand it
    # a graph of only those, e.g. the person records without every review's contacts; "Label.property": of that
    # label's nodes it reads only their ids and that property (the counts read only the contacts' ids)
    reads: tuple[str, ...] = ()
    # the Cypher of a run about one review (``review`` given) when it can start from that review's contacts (see
    # ``queries.common.recorded_about_cypher``); a Cypher store runs it instead of ``cypher`` for such a run
    review_cypher: str | None = None
    # language ("cypher", "networkx") or store name -> implementation; a store name wins over its language
    implementations: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        keyed = {CYPHER: self.cypher, NETWORKX: self.networkx}
        # the keywords win, so that dataclasses.replace(query, cypher=...) replaces the Cypher
        merged = {**self.implementations, **{k: v for k, v in keyed.items() if v is not None}}
        if not merged:
            raise ValueError(f"query {self.name!r} has no implementation")
        object.__setattr__(self, "implementations", merged)
        object.__setattr__(self, "cypher", merged.get(CYPHER))
        object.__setattr__(self, "networkx", merged.get(NETWORKX))

    def implementation(self, store: Any) -> Any:
        """What ``store`` runs for this query: the entry under its name (``store.backend``) if the query
        has one, else the one in its language (``store.language``)."""
        for key in (getattr(store, "backend", None), getattr(store, "language", None)):
            if key in self.implementations:
                return self.implementations[key]
        raise DhrgraphError(f"query {self.name!r} has no implementation that the {store.backend or type(store).__name__} store runs "
                            f"(it has: {', '.join(self.implementations)})")

    def bind(self, params: dict[str, Any]) -> dict[str, Any]:
        """The parameters a run gets: defaults overlaid with ``params`` (see ``bind_params``)."""
        return bind_params(self, params)

    def run_bound(self, store: Any, bound: dict[str, Any]) -> Rows:
        """Run on ``store`` with parameters already bound (``Store.run`` calls this; use that): compute the
        prepared ones, hand the store's implementation to its ``_run`` hook, and finish the rows."""
        if self.prepare:
            bound = {**bound, **self.prepare(store, bound)}
        implementation = self.implementation(store)
        from dhrgraph.queries.common import strip_row_ids

        if "signals" not in bound:
            rows = store._run(self, implementation, {**self.constants, **bound})
            return strip_row_ids(self.finish(rows, bound) if self.finish else rows)
        # a query that reads text-derived signals ignores the ones the analyst rejected, and says of
        # each evidence item whether text-derived signals count in it (see queries/signals.py)
        from dhrgraph.queries.signals import mark_evidence, rejected_ids

        rejected = rejected_ids(store)
        rows = store._run(self, implementation, {**self.constants, **bound, "rejected_signals": rejected})
        rows = self.finish(rows, bound) if self.finish else rows
        return strip_row_ids(mark_evidence(store, rows, bound["signals"], rejected))

    def describe(self) -> dict:
        return {
            "name": self.name, "title": self.title, "description": self.description,
            "parameters": [{"name": p.name, "default": p.default, "help": p.help} for p in self.params],
            **({"reference": self.reference} if self.reference else {}),
        }


_REGISTRY: dict[str, Query] = {}
_MODULES: dict[str, str] = {}  # query name -> the module that registered it

# The catalogue's order, by topic (the module a query is defined in): people across reviews, then
# information sharing, risk assessment, children and continuity; a module not named here comes after
# these, in name order, and within a module queries keep the order they are registered in.
CATALOGUE_ORDER = ("people", "sharing", "risk", "joined", "children", "continuity")


def register(query: Query) -> Query:
    if query.name in _REGISTRY:
        raise ValueError(f"a query named {query.name!r} is already registered; give the new one another name")
    _REGISTRY[query.name] = query
    _MODULES[query.name] = sys._getframe(1).f_globals.get("__name__", "").rpartition(".")[2]
    return query


def _catalogue_rank(query: Query) -> tuple[int, str]:
    module = _MODULES[query.name]
    return (CATALOGUE_ORDER.index(module), "") if module in CATALOGUE_ORDER else (len(CATALOGUE_ORDER), module)


def _import_catalogue() -> None:
    """Import every module of the ``queries`` package once: each registers its queries as it is imported."""
    global _IMPORTED
    if _IMPORTED:
        return
    _IMPORTED = True
    import importlib
    import pkgutil

    import dhrgraph.queries as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")


_IMPORTED = False


def get(name: str) -> Query:
    _import_catalogue()
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, [q.name for q in catalogue()], n=3, cutoff=0.5)
        hint = f" Closest: {', '.join(close)}." if close else ""
        raise UnknownName(f"Unknown query {name!r}.{hint} Available: {', '.join(q.name for q in catalogue())}") from None


def catalogue() -> list[Query]:
    """The missed-connections queries, in the order shown to users (``CATALOGUE_ORDER``)."""
    _import_catalogue()
    return sorted((q for q in _REGISTRY.values() if q.listed), key=_catalogue_rank)  # sorted is stable


def bind_params(query: Query, given: dict[str, Any]) -> dict[str, Any]:
    """Defaults overlaid with ``given`` (strings are parsed to each parameter's type)."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        valid = ", ".join(known) or "none"
        raise UnknownName(f"Unknown parameter(s) {', '.join(unknown)} for query {query.name!r}. Valid: {valid}")
    bound = {p.name: p.default for p in query.params}
    for name, value in given.items():
        bound[name] = known[name].parse(value) if isinstance(value, str) and (known[name].type is not str or known[name].choices) \
            else known[name].check(value)
    return bound
