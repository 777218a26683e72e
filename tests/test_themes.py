"""Learning across reviews: the theme table, recommendations, on both backends, against hand-checkable
definitions on the examples and against synth's answer key."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dhrgraph import queries
from dhrgraph import synth
from helpers import EXAMPLES, clear_neo4j, counts, write_csv, write_review
from dhrgraph.graph.backends import Settings, open_store
from dhrgraph.queries import recommendations as recs
from dhrgraph.queries.signals import list_signals
from dhrgraph.queries.triage import run_query
from dhrgraph.queries.themes import REVIEW_DATES, THEME_CONTACTS, THEME_REVIEWS, run_themes, theme_catalogue

# the four examples with coded risk columns and one chronology.csv each: the table is checked against their files
REVIEWS = ["dhr-ashworth-2022", "dhr-caldervale-2019", "dhr-kingsmere-2020", "dhr-northbrook-2021"]


@pytest.fixture
def examples(store):
    """The store with the four coded example reviews loaded."""
    store.load([EXAMPLES / review for review in REVIEWS])
    return store


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def split(cell: str) -> list[str]:
    return [x.strip() for x in (cell or "").split(";") if x.strip()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth-themes")
    synth.generate(folder, reviews=40, seed=21)
    return folder, json.loads((folder / "answer_key.json").read_text(encoding="utf-8"))


# --- the examples, by hand-checkable definitions ------------------------------------------------------

def test_themes_on_the_examples_follow_their_definitions(examples):
    table = run_themes(examples, every=True)
    assert table.reviews == REVIEWS
    got = {r["theme"]: r for r in table.rows}
    assert [r["theme"] for r in table.rows] == [t.id for t in theme_catalogue()]
    # read straight from the files: every contact counts (the examples give no index date)
    expected: dict[str, set[str]] = {}
    for review in REVIEWS:
        folder = EXAMPLES / review
        chronology, people = read(folder / "chronology.csv"), read(folder / "people.csv")
        for row in chronology:
            for factor in split(row["risk_factors"]):
                expected.setdefault(f"risk_factor:{factor}", set()).add(review)
            if row["dash_score"] and int(row["dash_score"]) >= 14:
                expected.setdefault("dash:high", set()).add(review)
        if any(p["role"] == "child" for p in people) or any("child_in_household" in split(r["risk_factors"]) for r in chronology):
            expected.setdefault("victim:children_in_household", set()).add(review)
    for theme, reviews in expected.items():
        assert set(got[theme]["review_ids"]) == reviews, theme
        assert got[theme]["reviews"] == len(reviews) and got[theme]["share"] == round(len(reviews) / 4, 4)
    # Dean / Mr K (P-0417) abused Jade in Northbrook and Lauren in Calder Vale (examples/README.md)
    assert got["perpetrator:earlier_victims"]["review_ids"] == ["dhr-caldervale-2019", "dhr-northbrook-2021"]
    # the good-practice review has no finding of any query
    for query in queries.catalogue():
        found = sorted({r for row in examples.run(query) for r in {row["review"], *row.get("reviews", [])}})
        assert got[f"query:{query.name}"]["review_ids"] == found
        assert "dhr-kingsmere-2020" not in found
    # every mark cites rows of its own review (earlier victims: of the other reviews too)
    for row in table.rows:
        for review, items in row["evidence"].items():
            ours = [e for e in items if e["review"] == review]
            assert ours and (ours == items or row["theme"] == "perpetrator:earlier_victims"), (row["theme"], review)


def test_filters_select_the_reviews(examples):
    assert run_themes(examples, reviews=["dhr-ashworth-2022", "dhr-kingsmere-2020"]).reviews == ["dhr-ashworth-2022", "dhr-kingsmere-2020"]
    # Ashworth: a son killed his mother (relationships.csv), the others are partners
    kinds = {r: next(x["relationship"] for x in read(EXAMPLES / r / "relationships.csv") if x["abusive"] == "yes") for r in REVIEWS}
    assert kinds["dhr-ashworth-2022"] == "child"
    assert run_themes(examples, types=["family"]).reviews == ["dhr-ashworth-2022"]
    assert run_themes(examples, types=["partner"]).reviews == [r for r in REVIEWS if r != "dhr-ashworth-2022"]
    # dated by the last contact: Calder Vale 2019-08-14, Kingsmere 2020-02-16, Northbrook 2021-06-19, Ashworth 2022-01-08
    assert run_themes(examples, date_from="2020-01-01", date_to="2021-12-31").reviews == ["dhr-kingsmere-2020", "dhr-northbrook-2021"]
    narrowed = run_themes(examples, date_from="2021-01-01")
    shares = {r["theme"]: (r["reviews"], r["share"]) for r in narrowed.rows}
    assert shares["query:missed-marac"] == (1, 0.5)  # Northbrook of Northbrook and Ashworth
    assert run_themes(examples, area="Nowhere").rows == []
    assert {r["group"] for r in run_themes(examples, groups=["victim"]).rows} == {"victim"}


def test_dismissed_findings_do_not_count(examples):
    """A finding dismissed in triage (a decision of kind triage keyed by its id) is not a theme occurrence."""
    rows = run_query(examples, queries.get("missed-marac"))  # the findings with the ids `dhrgraph triage` takes
    assert {r["review"] for r in rows} == {"dhr-caldervale-2019", "dhr-northbrook-2021"}
    examples.put_decisions([{"kind": "triage", "key": r["id"], "status": "dismissed"} for r in rows if r["review"] == "dhr-caldervale-2019"])
    examples.record_decision("triage", rows[-1]["id"], status="confirmed")
    got = {r["theme"]: r for r in run_themes(examples).rows}
    assert got["query:missed-marac"]["review_ids"] == ["dhr-northbrook-2021"]


# --- synth's answer key ------------------------------------------------------------------------------

def test_themes_and_recommendations_equal_the_answer_key(store, corpus):
    folder, key = corpus
    store.load([folder])
    table = run_themes(store, every=True, signals="coded")  # the key's themes are the coded columns' reading
    got = {r["theme"]: r["review_ids"] for r in table.rows}
    assert key["themes"] and all(got[theme] == reviews for theme, reviews in key["themes"].items())
    assert table.dates == key["review_dates"]
    # the filters: a type, some reviews, a date range, each against the key
    partner = sorted(r for r, t in key["review_types"].items() if t == "partner")
    some = sorted(key["review_dates"])[::3]
    late = sorted(r for r, d in key["review_dates"].items() if d >= "2018-01-01")
    for filters, kept in (({"types": ["partner"]}, partner), ({"reviews": some}, some), ({"date_from": "2018-01-01"}, late)):
        table = run_themes(store, every=True, signals="coded", **filters)
        assert table.reviews == kept
        got = {r["theme"]: r for r in table.rows}
        for theme, reviews in key["themes"].items():
            expected = [r for r in reviews if r in kept]
            assert got[theme]["review_ids"] == expected and got[theme]["reviews"] == len(expected)
            assert got[theme]["share"] == round(len(expected) / len(kept), 4)
    rows = recs.recommendation_rows(store)
    planted = key["recommendations"]
    assert len(rows) == planted["count"]
    assert sorted(f"{r['review']}/{r['id']}" for r in recs.overdue(rows, planted["as_of"])) == planted["overdue"]
    repeated = [{"theme": r["theme"], "agency_type": r["agency_type"], "reviews": sorted(r["review_ids"])} for r in recs.repeated(rows)]
    assert sorted(repeated, key=lambda r: (r["theme"], r["agency_type"])) == planted["repeated"]
    police = recs.recommendation_rows(store, agency="police")
    assert police and {r["agency_type"] for r in police} == {"police"}


def test_risk_factor_themes_read_the_text_too(store, corpus):
    """By default a risk factor counts where the summary states it (synth's key of real text signals) as well as
    where the column codes it; --signals coded counts the columns only."""
    folder, key = corpus
    store.load([folder])
    coded = {r["theme"]: set(r["review_ids"]) for r in run_themes(store, every=True, signals="coded", groups=["risk_factor"]).rows}
    read: dict[str, set[str]] = {}
    for sentence in key["text_signals"]:
        for signal in sentence["real"]:
            kind, _, value = signal.partition("/")
            if kind == "risk_factor":
                read.setdefault(f"risk_factor:{value}", set()).add(sentence["review"])
    assert any(read[theme] - coded[theme] for theme in read)  # the text adds reviews the columns miss
    every = {r["theme"]: set(r["review_ids"]) for r in run_themes(store, every=True, groups=["risk_factor"]).rows}
    assert all(reviews <= every[theme] for theme, reviews in read.items())
    # and exactly what `dhrgraph signals` lists as read from the text (synth's other summaries say some too)
    listed: dict[str, set[str]] = {}
    for signal in list_signals(store):
        if signal["kind"] == "risk_factor":
            listed.setdefault(f"risk_factor:{signal['value']}", set()).add(signal["review"])
    assert every == {theme: reviews | listed.get(theme, set()) for theme, reviews in coded.items()}


@pytest.mark.neo4j
def test_both_backends_give_identical_theme_rows(request, tmp_path_factory, corpus):
    env = request.getfixturevalue("neo4j_env")
    clear_neo4j(env)
    embedded = open_store(Settings(workspace=str(tmp_path_factory.mktemp("ws-themes"))))
    neo4j = open_store(Settings(backend="neo4j", neo4j_uri=env["NEO4J_URI"], neo4j_user=env["NEO4J_USERNAME"],
                                neo4j_password=env["NEO4J_PASSWORD"], neo4j_database=env.get("NEO4J_DATABASE", "neo4j")))
    try:
        for store in (embedded, neo4j):
            store.load([EXAMPLES, corpus[0]])
        for query in (THEME_CONTACTS, THEME_REVIEWS, REVIEW_DATES, recs.RECOMMENDATIONS):
            rows = embedded.run(query)
            assert rows and neo4j.run(query) == rows, query.name
        assert run_themes(neo4j, every=True).rows == run_themes(embedded, every=True).rows
        assert recs.repeated(recs.recommendation_rows(neo4j)) == recs.repeated(recs.recommendation_rows(embedded))
    finally:
        embedded.close()
        neo4j.close()


# --- the command line ------------------------------------------------------------------------------------

def test_themes_command_table_json_csv_and_files(cli, tmp_path):
    assert cli("load", *(str(EXAMPLES / review) for review in REVIEWS)).exit_code == 0
    table = cli("themes", "--group", "perpetrator").stdout.splitlines()
    assert table[0].split() == ["theme", *REVIEWS, "reviews", "share"]
    assert table[2].split() == ["perpetrator:earlier_victims", "v", "v", "2/4", "50%"]
    rows = json.loads(cli("themes", "--type", "family", "--format", "json").stdout)
    assert rows and all(r["review_ids"] == ["dhr-ashworth-2022"] and r["share"] == 1.0 for r in rows)
    assert set(rows[0]) == {"theme", "label", "group", "reviews", "share", "review_ids", "evidence"}
    lines = cli("themes", "--review", "dhr-kingsmere-2020", "--format", "csv").stdout.splitlines()
    assert lines[0] == "theme,label,group,reviews,share,review_ids"
    assert not any(line.startswith("query:") for line in lines)  # good practice: no finding
    assert json.loads(cli("themes", "--from", "2030-01-01", "--format", "json").stdout) == []
    result = cli("themes", "--review", "dhr-nowhere")
    assert result.exit_code == 1 and "No review 'dhr-nowhere'" in result.stderr
    result = cli("themes", "--group", "nonsense")
    assert result.exit_code == 2 and "choose from query, risk_factor" in result.output
    page = tmp_path / "themes.html"
    assert cli("themes", "--output", str(page), "--redact").exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "href='#ev-" in html and "dhr-northbrook-2021/chronology.csv:13" in html
    book = tmp_path / "themes.xlsx"
    assert cli("themes", "--group", "perpetrator", "--output", str(book)).exit_code == 0
    from openpyxl import load_workbook

    wb = load_workbook(book)
    sheet = wb["themes"]
    header = [c.value for c in sheet[1]]
    assert header == ["theme", "label", "group", *REVIEWS, "reviews", "share"]
    first = [c.value for c in sheet[2]]
    assert first[0] == "perpetrator:earlier_victims" and first[-2:] == [2, 0.5]
    assert sheet.cell(2, 3 + REVIEWS.index("dhr-caldervale-2019") + 1).hyperlink.location.startswith("evidence!A")
    assert {r[1] for r in wb["evidence"].iter_rows(min_row=2, values_only=True) if r[0] == "perpetrator:earlier_victims"} == \
        {"dhr-caldervale-2019", "dhr-northbrook-2021"}


def test_recommendations_command_on_the_examples(cli, tmp_path):
    assert cli("load", *(str(EXAMPLES / review) for review in REVIEWS)).exit_code == 0
    files = sorted(EXAMPLES.glob("*/recommendations.csv"))
    written = [(f.parent.name, r) for f in files for r in read(f)]
    rows = json.loads(cli("recommendations", "--format", "json").stdout)
    assert [(r["review"], r["id"]) for r in rows] == [(review, r["id"]) for review, r in written]
    # the lessons given twice or more: counted from the files by hand (theme, addressee type)
    repeated = json.loads(cli("recommendations", "--repeated", "--format", "json").stdout)
    assert [(r["theme"], r["agency_type"], r["review_ids"]) for r in repeated] == [
        ("training", "gp", ["dhr-caldervale-2019", "dhr-northbrook-2021", "dhr-ashworth-2022"]),
        ("agency_silent:gp", "gp", ["dhr-caldervale-2019", "dhr-northbrook-2021"]),
        ("information_sharing", "partnership", ["dhr-northbrook-2021", "dhr-ashworth-2022"]),
        ("query:missed-marac", "police", ["dhr-caldervale-2019", "dhr-northbrook-2021"]),
        ("query:victim-perpetrator-divide", "partnership", ["dhr-northbrook-2021", "dhr-ashworth-2022"]),
        ("training", "police", ["dhr-caldervale-2019", "dhr-northbrook-2021"]),
    ]
    assert repeated[0]["dates"] == ["2019-08-14", "2021-06-19", "2022-01-08"]
    overdue = json.loads(cli("recommendations", "--overdue", "--as-of", "2023-01-01", "--format", "json").stdout)
    # due before 2023 and open or in progress: Calder Vale 2 (2020-12, in progress) and 3; Northbrook R1, R2, R4
    assert [(r["review"], r["id"]) for r in overdue] == [("dhr-caldervale-2019", "2"), ("dhr-caldervale-2019", "3"),
                                                        ("dhr-northbrook-2021", "R1"), ("dhr-northbrook-2021", "R2"),
                                                        ("dhr-northbrook-2021", "R4")]
    assert overdue[0]["due"] == "2020-12" and overdue[0]["due_by"] == "2020-12-31" and overdue[0]["days_overdue"] == 731
    gp = json.loads(cli("recommendations", "--agency", "Elm Tree Surgery", "--format", "json").stdout)
    assert [(r["review"], r["id"]) for r in gp] == [("dhr-northbrook-2021", "R2")]
    page = tmp_path / "repeated.html"
    assert cli("recommendations", "--repeated", "--output", str(page)).exit_code == 0
    assert "agency_silent:gp" in page.read_text(encoding="utf-8")
    assert cli("recommendations", "--as-of", "2023-01-01").exit_code == 2


def test_bad_recommendations_are_reported_by_file_line_and_column(tmp_path, cli):
    folder = write_review(tmp_path)
    write_csv(folder / "recommendations.csv", [
        {"id": "1", "agency": "Northbrook Police", "text": "Refer to MARAC.", "themes": "query:missed-marac", "due": "2021-01", "status": "open"},
        {"id": "1", "agency": "", "text": "", "themes": "query:no-such-query", "due": "31/31/2021", "status": "maybe"},
    ])
    result = cli("load", str(folder))
    assert result.exit_code == 1 and "Traceback" not in result.output
    file = f"{folder}/recommendations.csv"
    for expected in (f"{file}:3:1: column 'id': duplicate id '1' (first at line 2)",
                     f"{file}:3:2: column 'agency': agency is empty; give an agency of the review, or national or partnership",
                     f"{file}:3:3: column 'text': text is empty",
                     f"{file}:3:4: column 'themes': unknown theme 'query:no-such-query'",
                     f"{file}:3:5: column 'due': no such date '31/31/2021'",
                     f"{file}:3:6: column 'status': unknown status 'maybe'; allowed: done, in_progress, not_accepted, open"):
        assert expected in result.stderr, expected
    assert counts(cli)["reviews"] == 0


def test_recommendations_reload_whole_and_address_their_agency(tmp_path, store):
    folder = write_review(tmp_path)
    write_csv(folder / "recommendations.csv", [
        {"id": "1", "agency": "NP", "text": "Refer to MARAC.", "themes": "query:missed-marac; training", "due": "2021", "status": "in progress"},
        {"id": "2", "agency": "National", "text": "Guidance.", "themes": "", "due": "", "status": ""},
    ])
    store.load([folder])
    rows = recs.recommendation_rows(store)
    assert [(r["id"], r["agency"], r["agency_type"], r["status"], r["due_by"], r["themes"]) for r in rows] == [
        ("1", "Northbrook Police", "police", "in_progress", "2021-12-31", ["query:missed-marac", "training"]),
        ("2", "national", "national", "open", None, [])]
    (folder / "recommendations.csv").unlink()
    store.load([folder])
    assert recs.recommendation_rows(store) == []


# --- the region's map by agency type --------------------------------------------------------------------

def test_type_map_sums_flows_and_gaps_over_reviews(examples):
    from dhrgraph.loaders.vocab import agency_key, infer_agency_type
    from dhrgraph.viz.overview import Overview
    from dhrgraph.viz.type_map import type_flows

    working: dict[str, set] = {}
    flows: dict[tuple, int] = {}
    exchanged: dict[str, set] = {}
    for review in REVIEWS:
        folder = EXAMPLES / review
        types = {agency_key(n): a["type"] for a in read(folder / "agencies.csv") for n in [a["name"], *split(a["aliases"])]}
        names = {agency_key(n): a["name"] for a in read(folder / "agencies.csv") for n in [a["name"], *split(a["aliases"])]}
        type_of = lambda n: types.get(agency_key(n)) or infer_agency_type(n)  # noqa: E731
        for row in read(folder / "chronology.csv"):
            source = type_of(row["agency"])
            working.setdefault(source, set()).add(review)
            for column, kind in (("referred_to", "referral"), ("shared_with", "share")):
                for target in dict.fromkeys(names.get(agency_key(n), n) for n in split(row[column])):
                    if agency_key(target) == agency_key(names.get(agency_key(row["agency"]), row["agency"])):
                        continue
                    flows[(source, type_of(target), kind)] = flows.get((source, type_of(target), kind), 0) + 1
                    exchanged.setdefault(review, set()).add(frozenset((source, type_of(target))))
    got = type_flows(Overview.of_store(examples))
    assert got["working"] == {t: len(r) for t, r in working.items()}
    assert got["flows"] == flows
    for (a, b), (both, silent) in got["pairs"].items():
        shared = working[a] & working[b]
        assert both == len(shared)
        assert silent == sum(1 for r in shared if frozenset((a, b)) not in exchanged.get(r, set()))
    assert got["pairs"] and any(silent for _, silent in got["pairs"].values())


def test_viz_flows_by_type_command(cli, tmp_path):
    assert cli("load", *(str(EXAMPLES / review) for review in REVIEWS)).exit_code == 0
    page = tmp_path / "region.html"
    result = cli("viz", "--flows", "--by", "type", "--output", str(page))
    assert result.exit_code == 0 and "Agency types" in result.stdout
    html = page.read_text(encoding="utf-8")
    assert "table class='heat'" in html and "Content-Security-Policy" in html
    assert cli("viz", "--review", "dhr-ashworth-2022", "--by", "type", "--output", str(page)).exit_code == 2


@pytest.mark.browser
def test_theme_matrix_and_type_map_draw_in_a_browser(tmp_path):
    from test_browser import ARTIFACTS, Chromium, chromium_binary
    from dhrgraph.graph.embedded import EmbeddedStore
    from dhrgraph.viz.themes import themes_view
    from dhrgraph.viz.type_map import type_flows_view

    store = EmbeddedStore(tmp_path / "ws")
    store.load([EXAMPLES / review for review in REVIEWS])
    matrix = themes_view(run_themes(store)).write(tmp_path / "themes.html")
    region = type_flows_view(store).write(tmp_path / "region.html")
    browser = Chromium(chromium_binary(), tmp_path)
    try:
        browser.open(matrix)
        assert browser.evaluate("document.querySelectorAll('table.themes tbody tr').length") == len(run_themes(store).rows)
        first = browser.evaluate("document.querySelector('table.themes tbody tr td').textContent")
        browser.evaluate("document.querySelectorAll('table.themes thead th')[6].click()")  # Reviews: most first
        top = browser.evaluate("document.querySelector('table.themes tbody tr td.num').textContent")
        assert top == "4/4" and first.startswith("One person who abused")
        browser.screenshot(ARTIFACTS / "themes.png")
        assert browser.errors() == []
        browser.open(region)
        canvas = browser.evaluate("(() => { const c = document.querySelector('#network canvas'); return c ? c.width : 0; })()")
        assert canvas > 300 and browser.evaluate("document.querySelectorAll('table.heat td').length") > 20
        browser.screenshot(ARTIFACTS / "flows-by-type.png")
        assert browser.errors() == []
    finally:
        browser.close()
