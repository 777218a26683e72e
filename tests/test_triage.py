"""Triage: finding ids stay the same for the same facts, whatever columns a row gains (analysts' decisions
are keyed on them)."""

from __future__ import annotations

import json

from helpers import EXAMPLES, ROOT
from dhrgraph.queries.triage import finding_id, run_catalogue

# The id of every finding the examples gave before rows carried node ids (``ids``), written by that
# version (commit e2c914c) and never by this one: a decision recorded then must still find its finding.
RECORDED_IDS = ROOT / "tests" / "data" / "finding-ids-examples.json"


def test_finding_ids_of_the_examples_are_those_recorded_before(store):
    store.load([EXAMPLES])
    recorded = json.loads(RECORDED_IDS.read_text(encoding="utf-8"))
    now = {query.name: sorted(row["id"] for row in rows) for query, rows in run_catalogue(store)}
    # a query added to the catalogue since has no recorded ids; every recorded query gives the same ones
    assert {name: now.get(name) for name in recorded} == recorded


def test_the_node_ids_of_a_row_are_not_part_of_its_finding_id(store):
    store.load([EXAMPLES])
    checked = 0
    for query, rows in run_catalogue(store):
        for row in rows:
            bare = {k: v for k, v in row.items() if k != "ids"}
            moved = {**row, "ids": {"people": ["person:other"], "agencies": [], "contacts": []}}
            assert finding_id(query.name, row) == finding_id(query.name, bare) == finding_id(query.name, moved) == row["id"]
            checked += 1
    assert checked
