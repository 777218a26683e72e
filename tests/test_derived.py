"""Values derived from the whole graph (the identity map) kept beside an embedded workspace.

`findings --review` and the queries that follow a person across reviews need the identity map, made
from every review's person records and the analyst's identity decisions (and record linkage). The
embedded store keeps it in ``derived/`` with the key of what it was made from, so a one-review command
reads only its reviews. A kept value must never outlive its inputs: a load, an identity decision and
a change of code each make it computed again, and a damaged file is recomputed, never an error.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dhrgraph import queries, synth
from dhrgraph.graph import embedded
from dhrgraph.graph import store as store_module
from dhrgraph.graph.embedded import EmbeddedStore
from dhrgraph.queries.identity import decide, identity_params, person_records

SERIAL = "serial-perpetrators"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("derived") / "corpus"
    synth.generate(folder, reviews=16, seed=5, layout="combined")
    return folder


@pytest.fixture()
def workspace(tmp_path, corpus) -> Path:
    workspace = tmp_path / "ws"
    EmbeddedStore(workspace).load([corpus])
    return workspace


def _fresh_map(workspace: Path, min_probability: float | None) -> dict:
    """The identity map computed now from the whole graph, nothing kept."""
    store = EmbeddedStore(workspace)
    store.remembered = lambda name, inputs, compute, valid=None: json.loads(json.dumps(compute()))
    return identity_params(store, min_probability)


def _two_unjoined_records(workspace: Path) -> tuple[str, str]:
    """Two person records in different reviews, not one node, not joined by the identity map."""
    records = [r for r in person_records(EmbeddedStore(workspace)) if r["global_id"] is None and r["identified"] is not False]
    joined = _fresh_map(workspace, 0.5)["identity"]
    left = next(r for r in records if r["id"] not in joined)
    right = next(r for r in records if r["review"] != left["review"] and r["id"] not in joined)
    return f"{left['review']}/{left['person']}", f"{right['review']}/{right['person']}"


def test_a_kept_identity_map_is_the_computed_one_and_spares_the_whole_graph(workspace):
    for min_probability in (None, 0.5):
        kept = workspace / "derived" / ("identity-map.json" if min_probability is None else f"identity-map-{min_probability}.json")
        assert not kept.exists()
        assert identity_params(EmbeddedStore(workspace), min_probability) == _fresh_map(workspace, min_probability)
        assert kept.exists()
        again = EmbeddedStore(workspace)
        assert identity_params(again, min_probability) == _fresh_map(workspace, min_probability)
        assert again._graph is None  # read from derived/, no review opened
    assert {"identity-map-0.5.json", "identity-map.json"} <= {p.name for p in (workspace / "derived").iterdir()}


def test_the_identity_map_is_the_same_made_from_the_whole_graph(workspace):
    """A run over every review of a query with a prepare step opens the whole graph first, and the identity map is
    then made from its person records: the same map as from the people-only graph a fresh store reads."""
    store = EmbeddedStore(workspace)
    store.remembered = lambda name, inputs, compute, valid=None: json.loads(json.dumps(compute()))
    assert store.opened is not None and store._partial == {}
    for min_probability in (None, 0.5):
        assert identity_params(store, min_probability) == _fresh_map(workspace, min_probability)
    assert store._partial == {}  # read from the whole graph, no graph of its own


def test_an_identity_decision_makes_it_computed_again(workspace):
    store = EmbeddedStore(workspace)
    before = identity_params(store, None)
    a, b = _two_unjoined_records(workspace)
    decide(EmbeddedStore(workspace), a, b, "same")
    after = identity_params(EmbeddedStore(workspace), None)
    assert after != before and after == _fresh_map(workspace, None)
    assert any({link["left"]["review"], link["right"]["review"]} == {a.split("/")[0], b.split("/")[0]} for link in after["links"])


def test_a_load_makes_it_computed_again(workspace, corpus, tmp_path):
    before = identity_params(EmbeddedStore(workspace), 0.5)
    # the corpus again without its first review's perpetrator's abuse: a load that changes the person records
    changed = tmp_path / "changed"
    shutil.copytree(corpus, changed)
    relationships = (changed / "relationships.csv").read_text("utf-8").splitlines()
    header, rows = relationships[0], relationships[1:]
    assert "abusive" in header
    kept = [row for row in rows if not row.startswith(rows[0].split(",")[0] + ",")]
    (changed / "relationships.csv").write_text("\n".join([header, *kept]) + "\n", "utf-8")
    EmbeddedStore(workspace).load([changed])
    after = identity_params(EmbeddedStore(workspace), 0.5)
    assert after == _fresh_map(workspace, 0.5)
    assert identity_params(EmbeddedStore(workspace), 0.5) == after
    # and the kept one of before is not what a store of the changed workspace reads
    kept_key = json.loads((workspace / "derived" / "identity-map-0.5.json").read_bytes())["key"]
    EmbeddedStore(workspace).load([corpus])
    assert json.loads((workspace / "derived" / "identity-map-0.5.json").read_bytes())["key"] == kept_key  # not rewritten by a load
    assert identity_params(EmbeddedStore(workspace), 0.5) == before


def test_other_code_makes_it_computed_again(workspace, monkeypatch):
    identity_params(EmbeddedStore(workspace), None)
    path = workspace / "derived" / "identity-map.json"
    kept = json.loads(path.read_bytes())
    kept["value"] = {"identity": {"planted": "by old code"}, "members": {}, "links": []}
    path.write_bytes(json.dumps(kept).encode())
    assert identity_params(EmbeddedStore(workspace), None)["identity"] == {"planted": "by old code"}  # the key is all that counts
    monkeypatch.setattr(store_module, "_CODE_VERSION", ["another version of dhrgraph"])
    assert identity_params(EmbeddedStore(workspace), None) == _fresh_map(workspace, None)


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[1, 2]", b'{"format": "dhrgraph-derived", "key": "x"}'])
def test_a_damaged_kept_value_is_computed_again(workspace, damage):
    identity_params(EmbeddedStore(workspace), 0.5)
    path = workspace / "derived" / "identity-map-0.5.json"
    path.write_bytes(damage)
    assert identity_params(EmbeddedStore(workspace), 0.5) == _fresh_map(workspace, 0.5)
    assert json.loads(path.read_bytes())["format"] == "dhrgraph-derived"  # and rewritten


def test_a_read_only_workspace_computes_it_each_time(workspace, monkeypatch):
    def refuse(path, data):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(embedded, "_write_atomic", refuse)
    assert identity_params(EmbeddedStore(workspace), None) == _fresh_map(workspace, None)
    assert not (workspace / "derived" / "identity-map.json").exists()


def test_clear_forgets_derived_values(workspace):
    identity_params(EmbeddedStore(workspace), None)
    EmbeddedStore(workspace).clear()
    assert not list((workspace / "derived").glob("*.json"))


def test_one_review_of_a_person_joined_across_reviews_runs_on_the_joined_reviews_only(workspace):
    """A `same` decision joins two records in different reviews: serial-perpetrators of one of those reviews opens
    both reviews (and no others than the identity map joins) and gives the whole graph's rows."""
    a, b = _two_unjoined_records(workspace)
    decide(EmbeddedStore(workspace), a, b, "same")
    query = queries.get(SERIAL)
    whole = EmbeddedStore(workspace)
    whole._graph_for = lambda query, params: whole.opened
    for review in (a.split("/")[0], b.split("/")[0]):
        expected = whole.run(query, {"review": review, "min_victims": 1})
        scoped = EmbeddedStore(workspace)
        assert scoped.run(query, {"review": review, "min_victims": 1}) == expected
        assert scoped._graph is None
        opened = [{g.nodes[r]["name"] for r in g.graph["by_label"]["Review"]} for g in scoped._scoped.values()]
        assert any({a.split("/")[0], b.split("/")[0]} <= reviews for reviews in opened)
        assert all(len(reviews) < len(whole.review_names()) for reviews in opened)


# --- rows of queries over every review ------------------------------------------------------------

def _computed(workspace: Path) -> EmbeddedStore:
    """A store that keeps nothing: every run computed from the whole graph (not cluster by cluster)."""
    store = EmbeddedStore(workspace)
    store.remembered = lambda name, inputs, compute, valid=None: compute()
    store._rows_by_cluster = lambda entries, runs, joins=None: [None] * len(runs)
    return store


def test_every_catalogue_query_over_every_review_is_kept_exactly(workspace, monkeypatch):
    every = [q for q in queries.catalogue()]
    assert len(every) >= 10
    expected = {(q.name, signals): _computed(workspace).run(q, {"signals": signals} if any(p.name == "signals" for p in q.params)
                                                              else {}) for q in every for signals in ("all", "coded")}
    built = []
    monkeypatch.setattr(embedded, "PARALLEL_CONTACTS", 10**12)  # every graph built in this process, counted here
    monkeypatch.setattr(embedded, "_build_graph", lambda reviews, share, build=embedded._build_graph: built.append(1) or build(reviews, share))
    for attempt in ("cold", "warm"):
        store = EmbeddedStore(workspace)
        built.clear()
        for (name, signals), rows in expected.items():
            query = queries.get(name)
            assert store.run(query, {"signals": signals} if any(p.name == "signals" for p in query.params) else {}) == rows, (name, attempt)
        assert bool(built) == (attempt == "cold")  # warm: every run read its kept rows, no review
    kept = [p.name for p in (workspace / "derived").iterdir()]
    assert any(name.startswith("parts-unshared-risk-") for name in kept)  # cluster by cluster
    assert any(name.startswith("parts-serial-perpetrators-") for name in kept)  # clusters joined by the identity map
    assert any(name.startswith("rows-person-records-") for name in kept)  # not about one review: the whole run


def test_a_rejected_signal_makes_the_rows_computed_again(workspace):
    from dhrgraph.queries.signals import list_signals, reject_signal

    query = queries.get("unshared-risk")
    before = EmbeddedStore(workspace).run(query, {})
    assert EmbeddedStore(workspace).run(query, {}) == before  # kept
    # a signal only the text of a cited contact gives (uncoded): the rows rest on it
    store = EmbeddedStore(workspace)
    signal = next(s for row in before for item in row["evidence"]
                  for s in list_signals(store, contact=f"{item['review']}#{item['line']}", uncoded=True))
    reject_signal(EmbeddedStore(workspace), signal["id"])
    after = EmbeddedStore(workspace).run(query, {})
    assert after == _computed(workspace).run(query, {}) and after != before


def test_a_triage_decision_keeps_the_rows_and_shows_its_status(workspace):
    from dhrgraph.queries.triage import record_triage, run_named

    rows = run_named(EmbeddedStore(workspace), "unshared-risk", {})
    record_triage(EmbeddedStore(workspace), rows[0]["id"], "dismissed", "seen")
    store = EmbeddedStore(workspace)
    again = run_named(store, "unshared-risk", {})
    assert store._graph is None  # the kept rows: triage is added after the run
    assert again[0]["id"] == rows[0]["id"] and again[0]["status"] == "dismissed"
    assert again == run_named(_computed(workspace), "unshared-risk", {})


def test_a_load_removes_kept_rows(workspace, corpus, monkeypatch):
    from dhrgraph.queries import triage

    monkeypatch.setattr(triage, "KEEP_IDS", 1)
    triage.run_named(EmbeddedStore(workspace), "stats", {})  # not about one review: kept whole
    triage.run_named(EmbeddedStore(workspace), "unshared-risk", {})
    assert list((workspace / "derived").glob("rows-*.json")) and list((workspace / "derived").glob("ids-*.json"))
    parts = sorted((workspace / "derived").glob("parts-*.json"))
    assert parts
    EmbeddedStore(workspace).load([corpus])
    assert not list((workspace / "derived").glob("rows-*.json")) and not list((workspace / "derived").glob("ids-*.json"))
    # the clusters' rows stay: each is keyed by its own reviews' files, read only while they are current
    assert sorted((workspace / "derived").glob("parts-*.json")) == parts


def test_kept_finding_ids_are_the_computed_ones_and_follow_the_rows(workspace, monkeypatch):
    """Finding ids over every review are kept beside the rows, keyed by the rows themselves: cold and warm they are
    ``finding_id`` of each row, and rows that differ (here: a row's evidence cut) never get the kept ids."""
    from dhrgraph.queries import triage

    monkeypatch.setattr(triage, "KEEP_IDS", 1)
    for attempt in ("cold", "warm"):
        ran = triage.run_catalogue(EmbeddedStore(workspace))
        assert sum(len(rows) for _, rows in ran) > 50
        for query, rows in ran:
            assert [r["id"] for r in rows] == [triage.finding_id(query.name, _plain(r)) for r in rows], (query.name, attempt)
    assert len(list((workspace / "derived").glob("ids-*.json"))) >= 5
    store = EmbeddedStore(workspace)
    query = queries.get("unshared-risk")
    rows = store.run(query, {})
    cut = [{**rows[0], "evidence": rows[0]["evidence"][1:]}] + rows[1:]
    assert triage.finding_ids(store, query, {}, rows) == [triage.finding_id(query.name, r) for r in rows]
    fresh = triage.finding_ids(store, query, {}, cut)
    assert fresh == [triage.finding_id(query.name, r) for r in cut] and fresh[0] != triage.finding_id(query.name, rows[0])


def _plain(row: dict) -> dict:
    """A finding row without what ``annotate`` adds."""
    return {k: v for k, v in row.items() if k not in ("query", "id", "severity", "status", "note")}


def test_a_value_json_would_change_is_not_kept(workspace):
    store = EmbeddedStore(workspace)
    value = {"pair": ("a", "b")}
    assert store.remembered("not-json", {}, lambda: value) is value
    assert not (workspace / "derived" / "not-json.json").exists()
    assert store.remembered("not-json", {}, lambda: {"other": 1}) == {"other": 1}  # nothing was kept under the name
    assert (workspace / "derived" / "not-json.json").exists()  # a JSON value is


def test_a_value_computed_while_a_decision_was_recorded_is_not_kept(workspace):
    store = EmbeddedStore(workspace)

    def compute():
        store.record_decision("identity", "x|y", decision="different", left="x", right="y")  # meanwhile
        return {"computed": "before the decision"}

    assert store.remembered("racing", {}, compute) == {"computed": "before the decision"}
    assert not (workspace / "derived" / "racing.json").exists()


def test_a_value_computed_while_a_load_switched_the_manifest_is_not_kept(workspace, corpus):
    store = EmbeddedStore(workspace)

    def compute():
        manifest = workspace / "manifest.json"
        manifest.write_bytes(manifest.read_bytes() + b" ")  # another state of the workspace meanwhile
        return {"computed": "from the state before"}

    assert store.remembered("racing", {}, compute) == {"computed": "from the state before"}
    assert not (workspace / "derived" / "racing.json").exists()


def test_a_kept_value_of_the_wrong_shape_is_computed_again(workspace):
    query = queries.get("stats")  # not about one review: kept whole
    rows = EmbeddedStore(workspace).run(query, {})
    identity_params(EmbeddedStore(workspace), None)
    for path, wrong in [(next((workspace / "derived").glob("rows-stats-*.json")), ["not a row"]),
                        (workspace / "derived" / "identity-map.json", {"identity": []})]:
        kept = json.loads(path.read_bytes())
        kept["value"] = wrong  # the current key, a value no run gives
        path.write_bytes(json.dumps(kept).encode())
    assert EmbeddedStore(workspace).run(query, {}) == rows
    assert identity_params(EmbeddedStore(workspace), None) == _fresh_map(workspace, None)


def _json_like():
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(1 << 70), max_value=1 << 70),
                        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner, inner), st.frozensets(scalars, max_size=2),
        st.dictionaries(st.one_of(st.text(max_size=3), st.integers(0, 3)), inner, max_size=3)), max_leaves=12)


def test_json_exact_says_whether_json_gives_a_value_back_equal():
    """A value is kept only when JSON gives it back equal (``store.json_exact``, checked before keeping it): the walk
    must agree with writing the value's JSON and reading it back, on every kind of value."""
    import orjson
    from hypothesis import given, settings

    from dhrgraph.graph.store import json_exact

    @settings(max_examples=400, deadline=None)
    @given(_json_like())
    def check(value):
        try:
            same = orjson.loads(orjson.dumps(value)) == value
        except (TypeError, orjson.JSONEncodeError):
            same = False
        assert json_exact(value) == same
    check()
