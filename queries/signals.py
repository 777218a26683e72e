"""Signals: every coded and text-derived risk fact of a contact, the analyst's rejections, and how the
catalogue's evidence says which kind of signal it rests on.

A *signal* is one fact about a contact: a risk factor, a DASH score, a risk level, a referral or a
share. A *coded* signal is in the chronology's columns; a *text* signal was read from the summary
at load (``loaders/textsignals.py``) and carries its phrase, span and rule. A signal's id is
``<contact id>/<kind>/<value>`` (``contact:dhr-x-2021#13/risk_factor/strangulation``): stable across
reloads, so a rejection (a decision of kind "signal", ``Store.record_decision``) keeps applying.
Queries ignore rejected text signals at query time; coded signals are the agencies' own record and
cannot be rejected.
"""

from __future__ import annotations

from typing import Any

from dhrgraph.graph.errors import DhrgraphError, UnknownName
from dhrgraph.graph.nxgraph import ModelGraph
from dhrgraph.loaders.textsignals import parse_signal_id, signal_id
from dhrgraph.queries.base import Param, Query, REVIEW_PARAM, register, yes_no
from dhrgraph.queries.common import CONTACT_ID, CONTACT_TEXT, SIGNALS

__all__ = ["CONTACT_SIGNALS", "list_signals", "reject_signal", "restore_signal", "mark_evidence", "text_said", "text_read", "text_marks", "rejected_ids", "signal_params",
           "SIGNAL_COLUMNS", "DECISION_KIND"]

DECISION_KIND = "signal"
SIGNAL_COLUMNS = ("id", "review", "record", "date", "agency", "kind", "value", "source", "phrase", "status")
CODED = (("risk_factor", "risk_factors"), ("dash", "dash_score"), ("risk_level", "risk_level"),
         ("referred_to", "referred_to"), ("shared_with", "shared_with"))
TEXT_KEYS = ("text_signals", "text_phrases", "text_starts", "text_ends", "text_rules", "text_coded")
CONTACT_KEYS = ("id", "review", "file", "line", "record", "date_text", "order_key", "risk_factors", "dash_score",
                "risk_level", "referred_to", "shared_with", *TEXT_KEYS)

# --- the contacts' signals, as stored ---------------------------------------------------------

# Given contacts are sought by id (the unique index), not found by filtering every contact: that scan was most
# of the Neo4j time of marking a catalogue query's evidence (100k contacts: 0.45 s of server CPU for 4,041 ids).
CONTACT_SIGNALS_CYPHER = """
CALL () {
  UNWIND coalesce($contacts, []) AS id
  MATCH (c:Contact {id: id})
  RETURN DISTINCT c
  UNION
  WITH $contacts AS given WHERE given IS NULL
  MATCH (c:Contact)
  RETURN c
}
WITH c WHERE ($review IS NULL OR c.review = $review) AND (NOT $with_text OR size(coalesce(c.text_signals, [])) > 0)
MATCH (a:Agency)-[:RECORDED]->(c)
RETURN c {.id, .review, .file, .line, .record, .date_text, .order_key, .risk_factors, .dash_score, .risk_level,
          .referred_to, .shared_with, .text_signals, .text_phrases, .text_starts, .text_ends, .text_rules,
          .text_coded} AS contact, a.name AS agency
"""


def contact_signals_networkx(G: ModelGraph, p: dict) -> list[dict]:
    node = G._node
    wanted = p["contacts"]
    ids = [c for c in wanted if c in node and node[c]["label"] == "Contact"] if wanted is not None else G.by_label("Contact")
    rows = []
    for cid in ids:
        c = node[cid]
        if (p["review"] is not None and c["review"] != p["review"]) or (p["with_text"] and not c.get("text_signals")):
            continue
        agency = next(node[a]["name"] for a, _ in G.incoming(cid, "RECORDED"))
        rows.append({"contact": {k: c.get(k) for k in CONTACT_KEYS}, "agency": agency})
    return rows


def _finish_contact_signals(rows: list[dict], p: dict) -> list[dict]:
    return sorted(rows, key=lambda r: (r["contact"]["review"], r["contact"]["order_key"]))


CONTACT_SIGNALS = register(Query(
    name="contact-signals", title="Contacts' signals",
    description="Each contact's coded columns and what its text says, with the recording agency.",
    cypher=CONTACT_SIGNALS_CYPHER, networkx=contact_signals_networkx, finish=_finish_contact_signals, listed=False,
    params=(REVIEW_PARAM, Param("contacts", None, "only these contact ids (a list)", list),
            Param("with_text", False, "only contacts whose text gave signals", yes_no)),
))


def rejected_ids(store: Any) -> list[str]:
    """Ids of the text signals the analyst rejected."""
    return [d["key"] for d in store.decisions(DECISION_KIND)]


def signal_params(store: Any, signals: str = "all") -> dict[str, Any]:
    """Which text signals count, as the queries get it (``signals``: all or coded; the rejected ones never):
    the ``p`` of ``queries.common``'s readers (``factors``, ``is_risk_signal``, ``is_flow`` ...), for views."""
    return {"signals": SIGNALS.parse(signals), "rejected_signals": rejected_ids(store)}


# --- the listing (dhrgraph signals) ------------------------------------------------------------

def _signal_rows(row: dict, rejected: dict[str, dict]) -> list[dict]:
    c, agency = row["contact"], row["agency"]
    base = {"review": c["review"], "record": c.get("record") or c["line"], "date": c["date_text"], "agency": agency}
    out = []
    for kind, column in CODED:
        value = c.get(column)
        for v in (value if isinstance(value, list) else [] if value is None else [value]):
            out.append({"id": signal_id(c["id"], kind, v), **base, "kind": kind, "value": str(v), "source": "coded",
                        "phrase": None, "status": "", "coded": True})
    for key, phrase, start, end, rule, coded in zip(*(c.get(k) or () for k in TEXT_KEYS)):
        kind, _, value = key.partition("/")
        sid = f"{c['id']}/{key}"
        decision = rejected.get(sid)
        out.append({"id": sid, **base, "kind": kind, "value": value, "source": "text", "phrase": phrase,
                    "status": "rejected" if decision else "", "coded": coded, "start": start, "end": end, "rule": rule,
                    **({"note": decision.get("note")} if decision else {})})
    return out


def list_signals(store: Any, review: str | None = None, contact: str | None = None, uncoded: bool = False) -> list[dict]:
    """Every coded and text signal of a review's (or one contact's) contacts, in chronology order.

    ``uncoded``: only what the text says and the columns do not (the "written but never coded" list).
    Rows: id, review, record, date, agency, kind, value, source (coded | text), phrase, status
    ('' or 'rejected'); text rows also give the span (start, end), the rule and any rejection note.
    """
    contacts = [_contact_id(contact)] if contact else None
    rows = store.run(CONTACT_SIGNALS, {"review": review, "contacts": contacts})
    if contact and not rows:
        raise UnknownName(f"No contact {contact!r}. Give it as REVIEW#LINE (the line in the chronology file), "
                          f"e.g. dhr-northbrook-2021#13.")
    rejected = {d["key"]: d for d in store.decisions(DECISION_KIND)}
    out = [s for row in rows for s in _signal_rows(row, rejected)]
    if uncoded:
        out = [s for s in out if s["source"] == "text" and not s["coded"]]
    for s in out:
        del s["coded"]
    return out


def _contact_id(text: str) -> str:
    return text if text.startswith("contact:") else f"contact:{text}"


def _text_signal(store: Any, sid: str) -> dict:
    parsed = parse_signal_id(sid)
    if parsed is None:
        raise DhrgraphError(f"{sid!r} is not a signal id; ids look like contact:REVIEW#LINE/KIND/VALUE "
                            f"(see the id column of `dhrgraph signals`).")
    contact, _, _ = parsed
    contacts = store.run(CONTACT_SIGNALS, {"review": None, "contacts": [contact]})
    rows = [s for row in contacts for s in _signal_rows(row, {}) if s["id"] == sid]
    if not rows:
        raise UnknownName(f"No signal {sid!r}: the contact's text does not say that. See `dhrgraph signals --contact "
                          f"{contact.removeprefix('contact:')}`.")
    text = [s for s in rows if s["source"] == "text"]
    if not text:
        raise DhrgraphError(f"{sid!r} is a coded signal (the agency's own record); only text-derived signals can be rejected.")
    if text[0]["coded"]:
        raise DhrgraphError(f"{sid!r} is also in the contact's coded columns (the agency's own record), which queries "
                            f"use whatever the text says; only what the text alone says can be rejected.")
    return text[0]


def reject_signal(store: Any, sid: str, note: str | None = None) -> dict:
    """Record the analyst's rejection of a text signal (kept across reloads, exported and imported)."""
    _text_signal(store, sid)
    return store.record_decision(DECISION_KIND, sid, note=note)


def restore_signal(store: Any, sid: str) -> bool:
    """Forget a rejection; False when the signal was not rejected."""
    return store.remove_decision(DECISION_KIND, sid)


# --- evidence: coded or text ---------------------------------------------------------------------

def text_said(contact: dict, skip: set[str] | frozenset[str]) -> list[str]:
    """The phrases of a contact's text (its ``text_signals``, ``text_phrases`` and ``text_coded``) that say what its
    columns do not, leaving out the signals in ``skip`` (rejected: ``CONTACT/KEY`` ids)."""
    return [phrase for key, phrase, coded in zip(contact.get("text_signals") or (), contact.get("text_phrases") or (),
                                                 contact.get("text_coded") or ())
            if not coded and f"{contact['id']}/{key}" not in skip]


# the kinds of text signal a finding's severity reads (``triage.severity``), and the evidence item's key for each
READ_KEYS = {"risk_factor": "risk_factors", "dash": "dash_score", "risk_level": "risk_level"}


def text_read(contact: dict, skip: set[str] | frozenset[str]) -> dict[str, Any]:
    """The risk a contact's text says and its columns do not, as ``triage.severity`` reads it: ``risk_factors``
    (a list), ``dash_score`` and ``risk_level`` (the first written), each only when there is one; the signals in
    ``skip`` (rejected) left out. A coded score or level still wins over a written one (``severity`` decides)."""
    read: dict[str, Any] = {}
    for key, coded in zip(contact.get("text_signals") or (), contact.get("text_coded") or ()):
        kind, _, value = key.partition("/")
        column = READ_KEYS.get(kind)
        if column is None or coded or f"{contact['id']}/{key}" in skip:
            continue
        if column == "risk_factors":
            read.setdefault(column, []).append(value)
        elif column not in read:
            read[column] = int(value) if column == "dash_score" else value
    return read


def text_marks(contact: dict, skip: set[str] | frozenset[str] | None) -> dict[str, Any]:
    """What marks an evidence item citing ``contact`` (with its ``id`` and text columns): ``signal: 'text'`` with the
    ``phrases`` its text says and its columns do not (``text_said``) and, when any of them is a risk factor, DASH
    score or risk level, ``read``: those values (``text_read``); else ``signal: 'coded'``. ``skip``: the rejected
    signals' ids, or None when only coded signals count (``--signals coded``)."""
    phrases = text_said(contact, skip) if skip is not None else []
    if not phrases:
        return {"signal": "coded"}
    read = text_read(contact, skip)
    return {"signal": "text", "phrases": phrases, **({"read": read} if read else {})}


def mark_evidence(store: Any, rows: list[dict], signals: str, rejected: list[str]) -> list[dict]:
    """Mark each evidence item of catalogue rows ``signal: 'text'`` (with ``phrases``: what its contact's text
    says that its columns do not, and that counts) or ``signal: 'coded'``. An item a query marked already (with
    ``text_marks``, from its own read of the contact) is left as it is."""
    items = [item for row in rows for item in row.get("evidence", ())
             if isinstance(item, dict) and "line" in item and "signal" not in item]
    if not items:
        return rows
    marks: dict[str, dict[str, Any]] = {}
    skip = frozenset(rejected)
    coded = {"signal": "coded"}
    if signals == "all":  # an item with its contact's text (``CONTACT_TEXT``, from the query's read) is marked by it
        for item in items:
            if item.get(CONTACT_TEXT) and item.get(CONTACT_ID) not in marks:
                said, phrases, in_columns = item[CONTACT_TEXT]
                marks[item[CONTACT_ID]] = text_marks({"id": item[CONTACT_ID], "text_signals": said,
                                                      "text_phrases": phrases, "text_coded": in_columns}, skip)
    # each item carries its contact's id to the end of the run (a review read from agency files names its
    # contacts by file and record, not by line); an item that cites no contact (a relationship row) has none;
    # an item whose query said what its contact's text holds is not looked up again
    ids = sorted({c for item in items if (c := item.get(CONTACT_ID)) and CONTACT_TEXT not in item}) \
        if signals == "all" else []
    if ids:
        # a contact whose text gave no signal is marked coded: only the others are fetched (at 1M contacts on Neo4j,
        # fragmented-risk's 270,000 cited contacts were most of its run)
        for row in store.run(CONTACT_SIGNALS, {"review": None, "contacts": ids, "with_text": True}):
            marks[row["contact"]["id"]] = text_marks(row["contact"], skip)
    for item in items:
        item.update(marks.get(item.get(CONTACT_ID)) or coded)
    return rows
