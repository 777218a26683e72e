"""Working through findings: a stable id for each finding, its severity, and the analyst's decision.

* **id**: ``f-`` and 12 hex digits of a hash of the query name, the finding's review and subject keys,
  and the *content* of the chronology rows it cites (review, date, agency, event, summary), never
  their line numbers: reloading the same facts, or inserting a row above them, keeps every id.
* **severity**: ``high`` when a cited row records a risk-to-life factor (threats to kill,
  strangulation, weapon, pregnancy, separation, stalking, escalation) or a DASH of ``dash_high``
  (14) or more; ``medium`` when a cited row records any risk factor or a risk level of medium or
  high; ``low`` otherwise. "Records" counts what the row's text says (a text signal, unless rejected
  or the run is ``--signals coded``) as well as its columns. Reports list high first.
* **triage**: a decision of kind ``triage`` in the store (``Store.record_decision``), keyed by the
  finding id, with ``status`` (confirmed | dismissed | needs-info), an optional ``note`` and, to
  report it when its finding disappears, the finding's ``query``, ``review`` and sentence. A
  finding with no decision has status ``new``. A decision whose finding is no longer produced is
  *orphaned*: reported, never dropped.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from dhrgraph.graph.errors import DhrgraphError, UnknownName
from dhrgraph.graph.store import TRIAGE
from dhrgraph.queries.base import Query, catalogue
from dhrgraph.queries.common import DASH_HIGH, RISK_TO_LIFE_FACTORS
from dhrgraph.queries.statuses import DISMISSED, NEW, STATUSES

__all__ = ["STATUSES", "NEW", "DISMISSED", "SEVERITIES", "finding_id", "severity", "annotate", "run_query", "run_catalogue",
           "record_triage", "orphaned", "Orphan", "TRIAGE", "with_status", "run_named", "finding_ids",
           "answer_ahead", "answer_ahead_apart"]

SEVERITIES = ("high", "medium", "low")
# the keys that say whom a finding is about (one query's rows have some of them)
SUBJECT_KEYS = ("subject", "person", "perpetrator", "victim")
CONTENT_KEYS = ("review", "date", "agency", "event", "summary")


# the text ids are hashed from is json.dumps(..., ensure_ascii=False)'s; dumps with an option makes a new encoder per
# call (a third of annotating a few thousand rows): one encoder, and a list of texts written directly as it writes it
_ID_TEXT = json.JSONEncoder(ensure_ascii=False).encode
_TEXT = json.encoder.encode_basestring  # a str as that encoder writes it


def _cited_text(values: list) -> str:
    if all(v is None or type(v) is str for v in values):
        return "[" + ", ".join("null" if v is None else _TEXT(v) for v in values) + "]"
    return _ID_TEXT(values)


def finding_id(query: str, row: dict) -> str:
    """The finding's stable id: from the query, whom it is about and what its evidence rows say."""
    cited = sorted(_cited_text([e.get(k) for k in CONTENT_KEYS]) for e in row.get("evidence", []))
    about = [row.get("review"), *(str(row.get(k)) for k in SUBJECT_KEYS if row.get(k) is not None)]
    text = _ID_TEXT([query, about, cited])
    return "f-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _recorded(item: dict) -> tuple[list[str], int | None, str | None]:
    """An evidence item's risk factors, DASH score and risk level: its columns, and what its text says that counts
    (``read``, from ``signals.text_marks``; none under ``--signals coded``), a coded score or level first."""
    found = list(item.get("risk_factors") or ())
    dash, level = item.get("dash_score"), item.get("risk_level")
    read = item.get("read")
    if read:
        found += [f for f in read.get("risk_factors", ()) if f not in found]
        dash = dash if dash is not None else read.get("dash_score")
        level = level if level is not None else read.get("risk_level")
    return found, dash, level


def severity(row: dict, dash_high: int = DASH_HIGH.default) -> str:
    """``high``, ``medium`` or ``low`` (see the module's docstring), from what the cited rows record: coded, and
    read from their text where text signals count."""
    high = medium = False
    for item in row.get("evidence", []):
        found, dash, level = _recorded(item)
        if any(f in RISK_TO_LIFE_FACTORS for f in found) or (dash is not None and dash >= dash_high):
            high = True
            break
        medium = medium or bool(found) or level in ("medium", "high")
    return "high" if high else "medium" if medium else "low"


def annotate(query: Query, rows: list[dict], decisions: dict[str, dict], ids: list[str] | None = None) -> list[dict]:
    """Each row with ``query``, ``id``, ``severity``, ``status`` and ``note``, highest severity first
    (the query's own order within a severity); ``ids``: each row's ``finding_id``, when known (``finding_ids``)."""
    out = []
    for row, fid in zip(rows, ids or [finding_id(query.name, row) for row in rows]):
        decision = decisions.get(fid, {})
        out.append({"query": query.name, "id": fid, "severity": severity(row), "status": decision.get("status", NEW),
                    "note": decision.get("note"), **row})
    return sorted(out, key=lambda r: SEVERITIES.index(r["severity"]))


# from this many rows a run's finding ids are kept beside the workspace (fewer cost under a millisecond)
KEEP_IDS = 100


def finding_ids(store: Any, query: Query, params: dict[str, Any], rows: list[dict]) -> list[str]:
    """Each row's ``finding_id``. Over every review a store that keeps derived values (``Store.remembered``) keeps
    them, keyed by a hash of the rows themselves (ids are a function of the rows alone): a report over 600 reviews
    spent 0.3 s of its 4.6 s hashing the JSON text of 8,000 findings' evidence, the rows' hash costs 0.04 s."""
    def compute() -> list[str]:
        return [finding_id(query.name, row) for row in rows]
    if len(rows) < KEEP_IDS or params.get("review") is not None:
        return compute()
    import orjson

    try:
        digest = hashlib.sha256(orjson.dumps(rows)).hexdigest()
        scope = hashlib.sha256(orjson.dumps(params, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
    except TypeError:  # not JSON values: computed
        return compute()
    return store.remembered(f"ids-{query.name}-{scope}", {"rows": digest}, compute,
                            valid=lambda ids: isinstance(ids, list) and len(ids) == len(rows)
                            and all(isinstance(i, str) for i in ids))


def _decisions(store: Any) -> dict[str, dict]:
    return {d["key"]: d for d in store.decisions(TRIAGE)}


def run_query(store: Any, query: Query, params: dict[str, Any] | None = None) -> list[dict]:
    """One query's rows, annotated (see ``annotate``)."""
    rows = store.run(query, params or {})
    return annotate(query, rows, _decisions(store), finding_ids(store, query, params or {}, rows))


def run_named(store: Any, name: str, params: dict[str, Any], review: str | None = None, *,
              redact: bool = False) -> list[dict]:
    """The ``query`` command: one query by name (unknown names refused with the closest), ``review``
    checked, rows annotated, and redacted when asked."""
    from dhrgraph.queries.base import get
    from dhrgraph.queries.redact import Redactor
    from dhrgraph.queries.scope import check_review

    query = get(name)
    check_review(store, review)
    rows = run_query(store, query, {**params, **({"review": review} if review else {})})
    return Redactor.of_store(store).rows(rows) if redact else rows


def run_catalogue(store: Any, review: str | None = None, signals: str = "all") -> list[tuple[Query, list[dict]]]:
    """Every catalogue query's annotated rows; ``signals`` 'coded' leaves out what was only read from the text
    (for the queries that read signals)."""
    decisions = _decisions(store)
    return [(query, annotate(query, rows, decisions, ids)) for query, rows, ids in _catalogue(store, review, signals)]


def _catalogue(store: Any, review: str | None = None, signals: str = "all") -> Iterator[tuple[Query, list[dict], list[str]]]:
    """Each catalogue query with its rows and their finding ids, one query at a time (the store computes them
    together first: ``Store.prefetch``)."""
    def params(query: Query) -> dict:
        reads_signals = signals != "all" and any(p.name == "signals" for p in query.params)
        return {**({"review": review} if review else {}), **({"signals": signals} if reads_signals else {})}
    runs = [(query, params(query)) for query in catalogue()]
    store.prefetch(runs)
    for query, bound in runs:
        rows = store.run(query, bound)
        yield query, rows, finding_ids(store, query, bound, rows)


def with_status(rows: list[dict], statuses: Iterable[str] | None) -> list[dict]:
    """The rows whose status is one of ``statuses`` (all when None or empty)."""
    wanted = set(statuses or ())
    return [r for r in rows if not wanted or r["status"] in wanted]


def answer_ahead(store: Any, when: bool | None = None) -> int | None:
    """After a load: compute every catalogue query's answers over every review (as ``findings`` does) so that a store
    that keeps them has them before the first command asks (``Store.answers_ahead``: both stores, from
    ``ANSWER_AHEAD_CONTACTS`` contacts); ``when`` True asks for it at any size, False skips it. The number of
    findings, or None when skipped."""
    if when is False or not store.answers_ahead(asked=bool(when)):
        return None
    from dhrgraph.queries.base import get

    found = sum(len(rows) for _, rows, _ in _catalogue(store))  # each query's rows let go before the next
    # the one command over every review that is not a catalogue query; last: the graph it reads stays open in the
    # store (first, it took the answers' peak at 1M from 1.7 to 2.2 GB)
    store.run(get("stats"), {})
    return found


def answer_ahead_apart(store: Any, settings: Any, when: bool | None = None) -> int | None:
    """``answer_ahead`` in a fresh process that opens the store by its ``settings`` (``graph.backends.Settings``):
    what a load leaves in its own process is not the answers' memory (at 1M contacts the load's process still held
    0.9 GB after it, and answering there peaked at 2.3 GB; in a process of its own, 1.7 GB)."""
    if when is False or not store.answers_ahead(asked=bool(when)):
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return pool.submit(_answer_ahead_in, settings).result()
    except BrokenProcessPool:
        raise DhrgraphError("the reviews are loaded, but computing the catalogue's answers ahead stopped (its process "
                            "ended: out of memory?); each command computes what it needs instead") from None


def _answer_ahead_in(settings: Any) -> int | None:
    from dhrgraph.graph.backends import open_store

    with open_store(settings) as store:
        return answer_ahead(store, True)


def record_triage(store: Any, fid: str, status: str, note: str | None = None) -> dict:
    """Record the analyst's decision on the finding ``fid``; return the finding, annotated anew."""
    if status not in STATUSES:
        raise DhrgraphError(f"Unknown status {status!r}. Use one of: {', '.join(STATUSES)}")
    findings = {row["id"]: row for _, rows in run_catalogue(store) for row in rows}
    if fid not in findings:
        close = difflib.get_close_matches(fid, list(findings), n=5, cutoff=0.5)
        hint = f" Closest: {', '.join(close)}." if close else ""
        raise UnknownName(f"No finding {fid!r}.{hint} Ids are listed by `dhrgraph findings --format table`.")
    row = findings[fid]
    store.record_decision(TRIAGE, fid, status=status, note=note or None, query=row["query"], review=row["review"],
                          finding=row["finding"])
    return {**row, "status": status, "note": note or None}


@dataclass(frozen=True)
class Orphan:
    """A decision whose finding is no longer produced (the facts or the rules changed)."""

    id: str
    status: str
    note: str | None
    query: str | None
    review: str | None
    finding: str | None


def orphaned(store: Any, sections: list[tuple[Query, list[dict]]], review: str | None = None) -> list[Orphan]:
    """The triage decisions (of ``review``, or all) whose finding is not among ``sections``' rows.
    ``sections`` must be unfiltered by status."""
    current = {row["id"] for _, rows in sections for row in rows}
    return [Orphan(d["key"], d.get("status", ""), d.get("note"), d.get("query"), d.get("review"), d.get("finding"))
            for d in store.decisions(TRIAGE) if d["key"] not in current and (review is None or d.get("review") == review)]
