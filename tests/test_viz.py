"""The views as files: what each draws, what a query highlights, that every page is offline and
escaped, and that a redacted page holds no name. On both backends (the ``store`` and ``cli``
fixtures); the browser tests are in test_browser.py."""

from __future__ import annotations

import csv
import json
import re

import networkx as nx
import pytest

from dhrgraph import viz
from helpers import CHRONOLOGY, EXAMPLES, PEOPLE, write_review
from dhrgraph.graph.errors import UnknownName
from dhrgraph.graph.model import agency_id, contact_ids, person_id
from dhrgraph.queries import base
from dhrgraph.queries.base import Query

NORTHBROOK = "dhr-northbrook-2021"
VIEW_DATA = re.compile(r"<script type='application/json' id='view-data'>(.*?)</script>", re.S)
EXTERNAL = re.compile(r"""(?:\b(?:src|href|action)\s*=\s*["']?\s*|url\(\s*["']?\s*|@import\s+["']?)(?:https?:)?//""", re.I)


def data_of(html: str) -> dict:
    """The nodes, edges, options and focus sets a chart page draws."""
    match = VIEW_DATA.search(html)
    assert match, "no view data in the page"
    return json.loads(match.group(1))


def labels(data: dict) -> dict[str, str]:
    """Node id -> label (first line)."""
    return {n["id"]: n["label"].split("\n")[0] for n in data["nodes"]}


def edges_between(data: dict, start: str, end: str) -> list[dict]:
    names = labels(data)
    return [e for e in data["edges"] if names[e["from"]] == start and names[e["to"]] == end]


def ours(html: str) -> str:
    """The page without vis-network's inlined script and stylesheet (third-party text)."""
    script, style = viz.page.vis_assets()
    return html.replace(script, "").replace(style, "")


def assert_offline(html: str) -> None:
    assert not EXTERNAL.search(html), EXTERNAL.search(html).group(0)
    mine = ours(html).lower()
    assert "<link" not in mine and "bootstrap" not in mine and "cdn" not in mine
    assert "Content-Security-Policy" in html and "connect-src 'none'" in html
    assert "class='legend'" in html


def example_people() -> set[str]:
    """Every pseudonym and global id of the examples."""
    found = set()
    for path in EXAMPLES.glob("*/people.csv"):
        for row in csv.DictReader(path.open(encoding="utf-8")):
            found |= {row["person"], row["global_id"]} - {""}
    return found


def example_chronology(column: str) -> set[str]:
    return {row[column] for path in EXAMPLES.glob("*/chronology.csv")
            for row in csv.DictReader(path.open(encoding="utf-8")) if row[column]}


@pytest.fixture
def examples(store):
    store.load([EXAMPLES])
    return store


# --- review ---------------------------------------------------------------------------------------

def test_review_view_draws_people_agencies_contacts_relationships_and_flows(examples):
    data = data_of(viz.review_view(examples, NORTHBROOK).html)
    names = labels(data)
    assert {"Jade", "Dean", "Child A", "Child B", "Ms L", "Mrs H", "Northbrook Police", "Elm Tree Surgery",
            "Northbrook Children's Services"} <= set(names.values())
    assert "Lauren" not in names.values() and "Calder Vale Police" not in names.values()  # other reviews stay out
    # contacts are one line per agency-person pair: the count on it, the risk in its colour, every row on hover
    police = edges_between(data, "Northbrook Police", "Jade")
    assert len(police) == 1 and police[0]["label"] == "7" and police[0]["color"]["color"] == "#d32f2f"
    assert "chronology.csv:13" in police[0]["title"] and "DASH up to 15" in police[0]["title"]
    assert "Officers attended" in police[0]["title"]  # summaries on hover
    abuse = edges_between(data, "Dean", "Jade")
    family = edges_between(data, "Jade", "Child A")
    assert abuse[0]["arrows"]["to"]["enabled"] and not abuse[0]["dashes"] and abuse[0]["label"] == "abuse (partner)"
    assert family[0]["dashes"] and not family[0]["arrows"]["to"]["enabled"]
    assert edges_between(data, "Northbrook Police", "Northbrook Children's Services")[0]["label"] == "4"
    assert data["options"]["physics"]["enabled"] and data["options"]["layout"]["randomSeed"] == 7


def test_review_view_unknown_review_lists_the_loaded_ones(examples):
    with pytest.raises(UnknownName, match="No review 'nope'. Reviews: dhr-ashworth-2022"):
        viz.review_view(examples, "nope")


# --- person -------------------------------------------------------------------------------------

def test_person_view_walks_across_reviews_to_the_depth_asked(examples):
    near = set(labels(data_of(viz.person_view(examples, "P-0417", 1).html)).values())
    assert {"Mr K / Dean", "Jade", "Lauren / Ms L", "Elm Tree Surgery", "Calder Vale Police"} <= near
    assert "Mrs H" not in near and "Northbrook Homes" not in near  # two links away
    far = set(labels(data_of(viz.person_view(examples, "Dean", 2).html)).values())
    assert {"Mrs H", "Northbrook Homes", "Ms M"} <= far and "Irene" not in far


# --- query --------------------------------------------------------------------------------------

def test_unshared_risk_highlights_the_agency_and_the_agencies_it_never_reached(examples):
    from dhrgraph import queries

    rows = examples.run(queries.get("unshared-risk"), {"review": NORTHBROOK})
    data = data_of(viz.query_view(examples, "unshared-risk", {"review": NORTHBROOK}).html)
    names = labels(data)
    assert len(data["focus"]) == len(rows) > 0
    for row, focus in zip(rows, data["focus"]):
        named = {names[n] for n in focus["nodes"]}
        assert {row["agency"], row["subject"], *row["not_shared_with"]} <= named
        missing = [e for e in data["edges"] if e["id"] in focus["edges"] and e["toggle"] == "gaps"]
        assert {(names[e["from"]], names[e["to"]]) for e in missing} == {(row["agency"], b) for b in row["not_shared_with"]}
    lit = {n["id"] for n in data["nodes"] if n.get("shadow")}
    assert lit == {n for f in data["focus"] for n in f["nodes"]}
    assert all(n.get("opacity") == 0.3 for n in data["nodes"] if n["id"] not in lit)
    html = viz.query_view(examples, "unshared-risk", {"review": NORTHBROOK}).html
    assert html.count("data-focus=") == len(rows) and rows[0]["finding"].replace("'", "&#x27;") in html


def test_a_divide_shades_the_two_sides(examples):
    data = data_of(viz.query_view(examples, "victim-perpetrator-divide", {"review": NORTHBROOK}).html)
    names = labels(data)
    (focus,) = data["focus"]
    sides = {g["label"]: {names[n] for n in g["nodes"]} for g in focus["groups"]}
    assert sides == {"Saw only the victim": {"Hollins Road Surgery", "Northbrook Children's Services", "Northbrook Health Visiting",
                                             "Northbrook Homes", "Northbrook Midwifery Service"},
                     "Saw only the perpetrator": {"Elm Tree Surgery", "Northbrook Mental Health Trust", "Horizon Recovery Northbrook"}}


def test_any_query_gets_its_named_people_agencies_and_evidence_highlighted(examples, monkeypatch):
    """A query the views know nothing about (as a serial-perpetrator query would be): the nodes its rows
    name (``ids``, never read from its words) and the rows its evidence cites are found generically."""
    row = {"review": NORTHBROOK, "reviews": ["dhr-caldervale-2019", NORTHBROOK], "perpetrator": "someone",
           "victims": ["words the views never read"], "finding": "Dean abused Jade and Lauren.",
           "ids": {"people": [person_id(NORTHBROOK, "Dean", "P-0417"), person_id(NORTHBROOK, "Jade", None),
                              person_id(NORTHBROOK, "Ms L", "P-0388")],
                   "agencies": [agency_id("Calder Vale Police"), agency_id("Northbrook Police")],
                   "contacts": contact_ids(NORTHBROOK, [13])},
           "evidence": [{"review": NORTHBROOK, "file": f"{NORTHBROOK}/relationships.csv", "line": 2, "date": None, "agency": None},
                        {"review": NORTHBROOK, "file": f"{NORTHBROOK}/chronology.csv", "line": 13, "date": "2020-03-11",
                         "agency": "Northbrook Police"}]}
    monkeypatch.setitem(base._REGISTRY, "test-serial", Query(
        name="test-serial", title="Serial", description="test", cypher="RETURN 1 AS one",
        networkx=lambda G, p: [{"one": 1}], finish=lambda rows, p: [dict(row)]))
    data = data_of(viz.query_view(examples, "test-serial").html)
    names = labels(data)
    (focus,) = data["focus"]
    assert {names[n] for n in focus["nodes"]} == {"Mr K / Dean", "Jade", "Lauren / Ms L", "Calder Vale Police", "Northbrook Police"}
    lit_edges = {(names[e["from"]], names[e["to"]], e["label"]) for e in data["edges"] if e["id"] in focus["edges"]}
    assert ("Mr K / Dean", "Jade", "abuse (partner)") in lit_edges  # the cited relationship
    assert ("Mr K / Dean", "Lauren / Ms L", "abuse (ex partner)") in lit_edges  # between named people
    assert ("Northbrook Police", "Jade", "7") in lit_edges and ("Northbrook Police", "Mr K / Dean", "9") in lit_edges


def test_a_query_without_findings_draws_its_review_and_says_so(examples):
    html = viz.query_view(examples, "unshared-risk", {"review": "dhr-kingsmere-2020"}).html
    assert "No findings in dhr-kingsmere-2020." in html
    assert "Kingsmere MARAC" in set(labels(data_of(html)).values())


# --- flows --------------------------------------------------------------------------------------

def test_flows_view_weighs_flows_and_marks_agencies_that_never_exchanged(examples):
    data = data_of(viz.flows_view(examples, NORTHBROOK).html)
    names = labels(data)
    assert all(n["shape"] in ("box", "diamond") for n in data["nodes"])  # agencies only
    share = edges_between(data, "Northbrook Police", "Northbrook Children's Services")
    assert share[0]["label"] == "4" and share[0]["width"] > edges_between(data, "Elm Tree Surgery", "Horizon Recovery Northbrook")[0]["width"]
    gaps = {frozenset((names[e["from"]], names[e["to"]])) for e in data["edges"] if e["toggle"] == "gaps"}
    assert frozenset(("Elm Tree Surgery", "Northbrook Police")) in gaps
    assert frozenset(("Northbrook Police", "Northbrook Children's Services")) not in gaps
    assert all(e["dashes"] and e["physics"] is False for e in data["edges"] if e["toggle"] == "gaps")
    kingsmere = data_of(viz.flows_view(examples, "dhr-kingsmere-2020").html)
    assert not [e for e in kingsmere["edges"] if e["toggle"] == "gaps"]  # the good-practice review talked throughout


def test_a_referral_told_by_its_receiver_is_drawn_once(tmp_path, store):
    """"Police referral received" in the IDVA's record is an arrow from the police to the IDVA service in the flows
    view, the type map and the timeline's tooltip; when the police's own record holds the referral before it, the
    two rows are one referral (not counted twice), and the pair is no gap."""
    from dhrgraph.viz.type_map import type_flows

    agencies = [{"name": "Northbrook Police", "type": "police", "aliases": ""},
                {"name": "Northbrook IDVA Service", "type": "da_service", "aliases": ""},
                {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""}]
    rows = [{"date": "2020-01-01", "agency": "Northbrook Police", "subject": "Jade;Dean", "event": "incident",
             "summary": "Threat to kill.", "referred_to": ""},
            {"date": "2020-01-10", "agency": "Northbrook IDVA Service", "subject": "Jade", "event": "call",
             "summary": "Police referral received. Jade spoken to.", "referred_to": ""},
            {"date": "2020-01-20", "agency": "Elm Tree Surgery", "subject": "Jade", "event": "appointment",
             "summary": "Seen.", "referred_to": ""}]
    for coded, expected in (("", 1), ("Northbrook IDVA Service", 1)):
        rows[0]["referred_to"] = coded  # the police's own record holds the referral, or it does not
        store.load([write_review(tmp_path, chronology=rows, agencies=agencies)])
        data = data_of(viz.flows_view(store, "rev-a").html)
        arrows = edges_between(data, "Northbrook Police", "Northbrook IDVA Service")
        assert [e for e in arrows if e.get("toggle") != "gaps"] and not [e for e in arrows if e.get("toggle") == "gaps"]
        assert type_flows(viz.views.load(store, reviews=["rev-a"])[0])["flows"][("police", "da_service", "referral")] == expected
    assert "Referral received from Northbrook Police" in viz.timeline_view(store, "Jade", "rev-a").html
    rows[1]["summary"] = "Jade spoken to."  # no referral anywhere: a gap, no arrow
    rows[0]["referred_to"] = ""
    store.load([write_review(tmp_path, chronology=rows, agencies=agencies)])
    data = data_of(viz.flows_view(store, "rev-a").html)
    assert [e.get("toggle") for e in edges_between(data, "Northbrook Police", "Northbrook IDVA Service")
            + edges_between(data, "Northbrook IDVA Service", "Northbrook Police")] == ["gaps"]


def test_a_large_chart_is_laid_out_in_advance_without_physics(tmp_path):
    from dhrgraph import synth
    from dhrgraph.graph.embedded import EmbeddedStore

    synth.generate(tmp_path / "corpus", reviews=200, seed=7)
    store = EmbeddedStore(tmp_path / "workspace")
    store.load([tmp_path / "corpus"])
    data = data_of(viz.flows_view(store).html)
    assert len(data["nodes"]) > viz.chart.LARGE
    assert data["options"]["physics"] == {"enabled": False}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])  # no two on one spot
    graph = nx.Graph([(e["from"], e["to"]) for e in data["edges"]])
    assert viz.layout.layout(graph) == viz.layout.layout(graph.copy())  # the same layout every time


# --- timeline -----------------------------------------------------------------------------------

def test_timeline_has_a_lane_per_agency_marks_by_risk_and_uncertain_dates(tmp_path, store):
    store.load([write_review(tmp_path)])
    html = viz.timeline_view(store, "Jade").html
    jade_rows = [r for r in CHRONOLOGY if "Jade" in r["subject"].split(";")]
    assert html.count("class='mark'") == len(jade_rows)
    assert html.count("class='lane-label'") == 2  # Northbrook Police, Elm Tree Surgery
    assert "fill='#d32f2f'" in html  # the DASH 15 incident
    assert "stroke-dasharray='3 2'" in html and ">?</text>" in html and "Uncertain date ?2019-05" in html
    assert "<script src" not in html and "vis.Network" not in html  # plain SVG and a few lines of JS
    dean = viz.timeline_view(store, "Dean").html
    assert "Northbrook MARAC" in dean and dean.count("<polygon points=") >= 1  # told only: a lane with a diamond


def test_timeline_draws_referrals_and_shares_between_lanes(examples):
    html = viz.timeline_view(examples, "Jade", NORTHBROOK).html
    assert html.count("class='flow'") == 7  # 4 police shares, a GP referral, the midwife's 2 shares
    assert "Information shared 2020-03-11: Northbrook Police → Northbrook Children&#x27;s Services" in html


# --- every view: offline, escaped, redacted --------------------------------------------------------

ALL_VIEWS = {
    "review": lambda s, **kw: viz.review_view(s, NORTHBROOK, **kw),
    "person": lambda s, **kw: viz.person_view(s, "P-0417", 3, **kw),
    "flows": lambda s, **kw: viz.flows_view(s, **kw),
    "timeline": lambda s, **kw: viz.timeline_view(s, "P-0417", **kw),
}


def every_view(store, **options) -> dict[str, str]:
    """The HTML of every view of the examples, and of every query in the catalogue."""
    from dhrgraph import queries

    pages = {name: build(store, **options).html for name, build in ALL_VIEWS.items()}
    pages.update({q.name: viz.query_view(store, q.name, **options).html for q in queries.catalogue()})
    return pages


def test_every_view_is_one_offline_file_with_a_legend(examples):
    for name, html in every_view(examples).items():
        assert_offline(html)
        assert html.startswith("<!doctype html>") and "<meta charset='utf-8'>" in html, name


def test_redacted_views_hold_no_name_summary_or_professional(examples):
    people, summaries, professionals = example_people(), example_chronology("summary"), example_chronology("professional")
    for name, html in every_view(examples, redact=True).items():
        assert_offline(html)
        assert not [p for p in people if p in html], name
        data = ours(html)  # the data; vis-network's own script holds none
        assert not [p for p in professionals if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", data)], name
        assert not [s for s in summaries if s[:40] in data], name
    data = data_of(viz.review_view(examples, NORTHBROOK, redact=True).html)
    # numbered within the review in people.csv order; a role held by one person has no number
    assert set(labels(data).values()) >= {"Victim", "Perpetrator", "Child 1", "Child 2", "Previous partner", "Family member"}


def test_redaction_labels_do_not_depend_on_the_rest_of_the_workspace(store):
    store.load([EXAMPLES / NORTHBROOK])
    alone = labels(data_of(viz.review_view(store, NORTHBROOK, redact=True).html))
    store.load([EXAMPLES])
    assert labels(data_of(viz.review_view(store, NORTHBROOK, redact=True).html)) == alone
    again = labels(data_of(viz.person_view(store, "Jade", 2, redact=True).html))
    assert again == labels(data_of(viz.person_view(store, "Jade", 2, redact=True).html))
    # Lauren is the victim in caldervale and Dean's previous partner (Ms L) in northbrook
    assert "Victim / Previous partner" in again.values()


def test_data_is_escaped_everywhere(tmp_path, store):
    name = "O'Neil \"Jo\" </script><img src=x onerror=alert(1)> & <u>"
    people = [dict(PEOPLE[0], person=name), *PEOPLE[1:]]
    chronology = [dict(r, subject=r["subject"].replace("Jade", name), summary=r["summary"] + " </script><script>alert(2)</script>")
                  for r in CHRONOLOGY]
    relationships = [{"person": "Dean", "other": name, "relationship": "partner", "abusive": "yes"}]
    store.load([write_review(tmp_path, people=people, chronology=chronology, relationships=relationships)])
    for html in (viz.review_view(store, "rev-a").html, viz.timeline_view(store, name).html,
                 viz.person_view(store, "Dean").html, viz.query_view(store, "unshared-risk").html):
        assert "</script><img" not in html and "<script>alert" not in html and "<u>" not in ours(html)
        assert ours(html).count("<script") == ours(html).count("</script>")
    data = data_of(viz.review_view(store, "rev-a").html)
    assert name in labels(data).values()  # the JSON gives it back exactly


# --- the commands ---------------------------------------------------------------------------------

def test_viz_command_writes_each_view(tmp_path, cli):
    assert cli("load", str(EXAMPLES)).exit_code == 0
    for args, title in [(["--review", NORTHBROOK], "who was in contact with whom"),
                        (["--person", "Dean", "--depth", "1"], "the neighbourhood across reviews"),
                        (["--query", "unshared-risk", "--param", "window_days=90", "--review", NORTHBROOK], "(unshared-risk)"),
                        (["--flows"], "Information flows between agencies")]:
        out = tmp_path / f"{args[0][2:]}.html"
        result = cli("viz", *args, "--output", str(out))
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"Wrote {out}: ") and title in result.stdout
        assert_offline(out.read_text(encoding="utf-8"))
    redacted = tmp_path / "redacted.html"
    assert cli("viz", "--review", NORTHBROOK, "--redact", "--output", str(redacted)).exit_code == 0
    assert "Jade" not in redacted.read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    ([], "give exactly one of --review ID, --person P, --query NAME or --flows"),
    (["--person", "Dean", "--flows"], "give exactly one of"),
    (["--review", NORTHBROOK, "--depth", "2"], "--depth goes with --person"),
    (["--flows", "--param", "a=1"], "--param goes with --query"),
])
def test_viz_command_usage_errors(tmp_path, cli, args, message):
    result = cli("viz", *args, "--output", str(tmp_path / "x.html"))
    assert result.exit_code == 2 and message in result.output and not (tmp_path / "x.html").exists()


def test_viz_command_reports_unknown_names(tmp_path, cli):
    cli("load", str(EXAMPLES))
    result = cli("viz", "--query", "nope", "--output", str(tmp_path / "x.html"))
    assert result.exit_code == 1 and "Unknown query 'nope'" in result.stderr
    result = cli("viz", "--person", "Kyle", "--output", str(tmp_path / "x.html"))
    assert result.exit_code == 1 and "No person 'Kyle'" in result.stderr


def test_timeline_output_writes_the_swimlanes(tmp_path, cli):
    cli("load", str(EXAMPLES))
    out = tmp_path / "jade.html"
    result = cli("timeline", "Jade", "--review", NORTHBROOK, "--output", str(out), "--redact")
    assert result.exit_code == 0 and result.stdout == f"Wrote {out}.\n"
    html = out.read_text(encoding="utf-8")
    assert "Victim: who knew what, when" in html and "Jade" not in html
    # the rows redact too, and a file named for another format gets that format
    rows = cli("timeline", "Jade", "--review", NORTHBROOK, "--redact", "--format", "json")
    assert rows.exit_code == 0 and "Jade" not in rows.stdout and json.loads(rows.stdout)[0]["summary"] is None
    result = cli("timeline", "Jade", "--review", NORTHBROOK, "--output", str(tmp_path / "jade.csv"))
    assert result.exit_code == 0 and (tmp_path / "jade.csv").read_text(encoding="utf-8").startswith("date,")
    result = cli("timeline", "Jade", "--review", NORTHBROOK, "--output", str(tmp_path / "jade.pdf"))
    assert result.exit_code == 1 and "use one of .csv, .html, .json" in result.stderr


def test_findings_report_links_each_section_to_its_view(tmp_path, cli):
    cli("load", str(EXAMPLES))
    report = tmp_path / "report.html"
    assert cli("findings", "--review", NORTHBROOK, "--output", str(report)).exit_code == 0
    html = report.read_text(encoding="utf-8")
    links = re.findall(r"<a href='(report-views/[^']+)'>Open the picture", html)
    assert "report-views/unshared-risk.html" in links
    for link in links:
        view = (tmp_path / link).read_text(encoding="utf-8")
        assert_offline(view)
        assert data_of(view)["focus"]
    assert cli("findings", "--output", str(tmp_path / "notes.md")).exit_code == 0
    assert not (tmp_path / "notes-views").exists()  # Markdown gets no pictures


# --- which signals count ----------------------------------------------------------------------------

def test_views_count_risk_as_the_queries_do_with_coded_and_rejected_signals(examples, cli, tmp_path):
    """A contact high only by what its summary says draws its agency-person line red; not with --signals
    coded, and not once the analyst rejected those text signals (as the queries ignore them)."""
    from dhrgraph.queries.common import DASH_HIGH, is_risk_signal
    from dhrgraph.queries.signals import reject_signal
    from dhrgraph.viz.overview import Overview
    from dhrgraph.viz.style import risk_colour

    ov = Overview.of_store(examples)

    def by_text(c) -> bool:
        return c.risk == "high" and not is_risk_signal(c.props, DASH_HIGH.default, {"signals": "coded"})

    # an agency-person pair whose one high contact is high by its text alone
    (agency, person), contacts = next((key, cs) for key, cs in sorted(ov.pairs().items())
                                      if sum(c.risk == "high" for c in cs) == 1 and any(map(by_text, cs)))
    contact = next(filter(by_text, contacts))
    review = contact.review
    ends = (ov.agencies[agency].name, ov.people[person].memberships[review]["name"])

    def colour(html: str) -> str:
        (edge,) = edges_between(data_of(html), *ends)
        return edge["color"]["color"]

    assert colour(viz.review_view(examples, review).html) == risk_colour("high")
    out = tmp_path / "coded.html"
    assert cli("viz", "--review", review, "--signals", "coded", "--output", str(out)).exit_code == 0
    assert colour(out.read_text(encoding="utf-8")) != risk_colour("high")
    assert colour(viz.review_view(examples, review, signals="coded").html) != risk_colour("high")
    for key, coded in zip(contact.props["text_signals"], contact.props["text_coded"]):
        if not coded:
            reject_signal(examples, f"{contact.id}/{key}")
    assert colour(viz.review_view(examples, review).html) != risk_colour("high")
    assert not is_risk_signal(contact.props, DASH_HIGH.default, {"signals": "all", "rejected_signals": [
        f"{contact.id}/{key}" for key in contact.props["text_signals"]]})  # the queries' reading agrees
