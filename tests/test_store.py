"""The store contract, run on both backends: loading, idempotency, replacement, identities, order."""

from __future__ import annotations

import csv
import json

import openpyxl

from helpers import AGENCIES, CHRONOLOGY, PEOPLE, RELATIONSHIPS, write_csv, write_review
from dhrgraph.graph.backends import open_store
from dhrgraph.queries.core import DUMP, STATS


def csv_rows(path) -> int:
    with open(path, newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_load_counts_match_the_files(tmp_path, store):
    folder = write_review(tmp_path)
    report = store.load([folder])
    assert report.reviews == ["rev-a"]
    assert report.contacts == csv_rows(folder / "chronology.csv")
    [stats] = store.run(STATS)
    assert stats == {"reviews": 1, "people": csv_rows(folder / "people.csv"), "contacts": csv_rows(folder / "chronology.csv"),
                     "relationships": csv_rows(folder / "relationships.csv"),
                     # the MARAC is only a referral target here; every agency named anywhere is a node
                     "agencies": len({a["name"] for a in AGENCIES})}


def test_loading_twice_leaves_the_graph_identical(tmp_path, store):
    folder = write_review(tmp_path)
    store.load([folder])
    first = store.run(DUMP)
    store.load([folder])
    assert store.run(DUMP) == first


def test_reloading_a_changed_review_replaces_it_whole(tmp_path, store):
    folder = write_review(tmp_path)
    store.load([folder])
    shorter = [r for r in CHRONOLOGY if r["agency"] != "Elm Tree Surgery"]
    write_review(tmp_path, chronology=shorter)
    store.load([folder])
    dump = store.run(DUMP)
    contacts = [r for r in dump if r["label"] == "Contact"]
    assert len(contacts) == len(shorter)
    # the surgery and the MARAC were only named by the removed rows: no stale agency is left
    assert sorted(r["props"]["name"] for r in dump if r["label"] == "Agency") == ["Northbrook Police"]
    assert all(r["end"] in {n["start"] for n in dump if n["kind"] == "node"} for r in dump if r["kind"] == "edge")


def test_other_reviews_are_untouched_by_a_reload(tmp_path, store):
    a = write_review(tmp_path, "rev-a")
    b = write_review(tmp_path, "rev-b")
    store.load([a, b])
    before = [r for r in store.run(DUMP) if "rev-b" in r["start"] or "rev-b" in (r["end"] or "")]
    write_review(tmp_path, "rev-a", chronology=CHRONOLOGY[:1])
    store.load([a])
    after = [r for r in store.run(DUMP) if "rev-b" in r["start"] or "rev-b" in (r["end"] or "")]
    assert after == before
    assert store.run(STATS)[0]["contacts"] == len(CHRONOLOGY) + 1


def test_global_id_makes_one_person_across_reviews(tmp_path, store):
    people_a = [dict(p, global_id="P-0417" if p["person"] == "Dean" else "") for p in PEOPLE]
    people_b = [dict(p, person="Mr K" if p["person"] == "Dean" else p["person"], global_id="P-0417" if p["person"] == "Dean" else "")
                for p in PEOPLE]
    rel_b = [dict(r, person="Mr K" if r["person"] == "Dean" else r["person"]) for r in RELATIONSHIPS]
    chron_b = [dict(r, subject=r["subject"].replace("Dean", "Mr K")) for r in CHRONOLOGY]
    store.load([write_review(tmp_path, "rev-a", people=people_a),
                write_review(tmp_path, "rev-b", people=people_b, relationships=rel_b, chronology=chron_b)])
    [stats] = store.run(STATS)
    assert stats["people"] == 2 * len(PEOPLE) - 1
    # one timeline across both reviews, found by either pseudonym or the global id
    for name in ("Dean", "Mr K", "P-0417"):
        rows = store.timeline(name)
        assert {r["review"] for r in rows} == {"rev-a", "rev-b"}
    assert len(store.timeline("Dean")) == 2 * sum("Dean" in r["subject"] for r in CHRONOLOGY)


def test_timeline_is_in_date_order_with_partial_and_uncertain_dates(tmp_path, store):
    rows = [
        dict(CHRONOLOGY[0], date="2019-03-05", sequence="2", time="", subject="Jade", summary="second on the 5th"),
        dict(CHRONOLOGY[0], date="05/03/2019", sequence="1", time="", subject="Jade", summary="first on the 5th"),
        dict(CHRONOLOGY[0], date="2019-03", sequence="", time="", subject="Jade", summary="some day in March"),
        dict(CHRONOLOGY[0], date="?2019", sequence="", time="", subject="Jade", summary="some time in 2019, uncertain"),
        dict(CHRONOLOGY[0], date="2019-02-28", sequence="", time="", subject="Jade", summary="end of February"),
        dict(CHRONOLOGY[0], date="2018-12-31", sequence="", time="", subject="Jade", summary="new year's eve"),
    ]
    store.load([write_review(tmp_path, chronology=rows)])
    timeline = store.timeline("Jade")
    assert [r["summary"] for r in timeline] == ["new year's eve", "some time in 2019, uncertain", "end of February",
                                                "some day in March", "first on the 5th", "second on the 5th"]
    assert [(r["date"], r["uncertain"]) for r in timeline][:3] == [("2018-12-31", False), ("?2019", True), ("2019-02-28", False)]
    assert timeline[0]["agency"] == "Northbrook Police" and timeline[0]["agency_type"] == "police"  # "NP" is an alias


def test_names_that_look_like_cypher_are_stored_verbatim(tmp_path, store):
    nasty = "Ann' }) DETACH DELETE n //`"
    people = [dict(PEOPLE[0], person=nasty), *PEOPLE[1:]]
    rel = [dict(RELATIONSHIPS[0], other=nasty)]
    chron = [dict(CHRONOLOGY[0], subject=nasty, summary="`) MATCH (n) DETACH DELETE n; \"quoted\"")]
    store.load([write_review(tmp_path, people=people, relationships=rel, chronology=chron)])
    [row] = store.timeline(nasty)
    assert row["summary"] == "`) MATCH (n) DETACH DELETE n; \"quoted\""
    assert store.run(STATS)[0]["people"] == len(PEOPLE)


def test_workbook_and_combined_csv_load_like_the_folder(tmp_path, settings):
    tables = {"people": PEOPLE, "relationships": RELATIONSHIPS, "agencies": AGENCIES, "chronology": CHRONOLOGY}
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in tables.items():
        sheet = book.create_sheet(title.capitalize())
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append([int(v) if v.isdigit() else v for v in row.values()])
    book.save(tmp_path / "rev-a.xlsx")
    combined = tmp_path / "combined"
    for name, rows in tables.items():
        write_csv(combined / f"{name}.csv", rows if name == "agencies" else [{"review": "rev-a", **r} for r in rows])

    def graph_of(path, workspace):
        with open_store(settings.__class__(**{**settings.__dict__, "workspace": str(tmp_path / workspace)})) as store:
            store.load([path])
            dump = store.run(DUMP)
        for row in dump:  # provenance names the source file, which differs by design
            row["props"].pop("file", None)
            row["props"].pop("path", None)
        return dump

    folder = graph_of(write_review(tmp_path / "folders"), "ws-folder")
    assert graph_of(tmp_path / "rev-a.xlsx", "ws-book") == folder
    assert graph_of(combined, "ws-combined") == folder


def test_contacts_keep_their_provenance(tmp_path, store):
    store.load([write_review(tmp_path)])
    contacts = [r["props"] for r in store.run(DUMP) if r["label"] == "Contact"]
    assert sorted((c["file"], c["line"]) for c in contacts) == [("rev-a/chronology.csv", n) for n in range(2, 2 + len(CHRONOLOGY))]
    related = [r["props"] for r in store.run(DUMP) if r["label"] == "RELATED"]
    assert sorted((r["file"], r["line"]) for r in related) == [("rev-a/relationships.csv", 2), ("rev-a/relationships.csv", 3)]


def test_dump_is_json_serialisable(tmp_path, store):
    store.load([write_review(tmp_path)])
    assert json.loads(json.dumps(store.run(DUMP)))


def test_the_store_interface_imports_nothing_from_queries():
    """The seam: graph/store.py runs the query objects it is given and knows no query (queries/lookups.py
    holds what a store answers through named queries)."""
    import ast

    from helpers import ROOT

    tree = ast.parse((ROOT / "graph" / "store.py").read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] + \
        [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert imported and not [m for m in imported if m and (m.startswith("dhrgraph.queries") or m.startswith("queries"))]


def test_write_replaces_each_review_whole(tmp_path, store):
    """``Store.write``, the one public write (export and import use it): batches of another store's reviews."""
    from dhrgraph.graph.backends import Settings

    source = open_store(Settings(workspace=str(tmp_path / "source")))
    source.load([write_review(tmp_path, "r1")])
    store.write(source.batches())
    store.write(source.batches())  # again: replaced, not doubled
    assert store.run(DUMP) == source.run(DUMP)
    source.close()


def test_review_json_with_some_contacts_is_the_whole_reviews_with_only_those(tmp_path, store):
    """``review_json(..., contacts=, whole=)`` (what a page over many reviews reads): of the reviews not in ``whole``
    only the contacts given and their relationships, every other node as the whole review has it; on Neo4j the others
    are not read from the server. Review ids holding '#' (a contact's id is contact:<review>#<key>) included."""
    from dhrgraph.graph.store import only_contacts

    names = ["rev-a", "rev-a#2", "rev-b"]
    store.load([write_review(tmp_path, name) for name in names])
    full = store.review_json(names)
    assert [d["review"] for d in full] == names
    ids = {d["review"]: [row[d["nodes"]["Contact"]["columns"].index("id")] for row in d["nodes"]["Contact"]["rows"]]
           for d in full}
    assert all(len(v) >= 3 for v in ids.values())
    keep = {ids["rev-a"][0], ids["rev-a#2"][1], ids["rev-b"][0], ids["rev-b"][2], "contact:rev-c#1", "contact:rev-a#2#999"}
    some = store.review_json(names, contacts=keep, whole={"rev-b"})
    expected = [d if d["review"] == "rev-b" else only_contacts(d, keep) for d in full]
    assert _tables(some) == _tables(expected)
    assert [len(d["nodes"]["Contact"]["rows"]) for d in some] == [1, 1, len(ids["rev-b"])]
    assert all(len(d["edges"]["ABOUT"]["rows"]) < len(f["edges"]["ABOUT"]["rows"]) for d, f in zip(some[:2], full[:2]))
    assert _tables(store.review_json(names, contacts=set())) == _tables([only_contacts(d, set()) for d in full])
    assert store.review_json(["rev-a"], lambda d: {"review": d["review"]}, contacts=keep) == [{"review": "rev-a"}]


def _tables(reviews: list[dict]) -> list[dict]:
    """Columnar review JSON as each table's rows of their values that are not None (Neo4j stores no null property,
    so a table's columns are those its rows have)."""
    def rows(table: dict, ends: bool) -> list[dict]:
        columns = (["start", "end"] if ends else []) + table["columns"]
        return [{c: v for c, v in zip(columns, row) if v is not None} for row in table["rows"]]
    return [{"review": d["review"], **{f"node:{k}": rows(t, False) for k, t in d["nodes"].items()},
             **{f"edge:{k}": rows(t, True) for k, t in d["edges"].items()}} for d in reviews]
