"""The analyst's decisions: kept in the store apart from the reviews, on both backends."""

from __future__ import annotations

from helpers import EXAMPLES, write_review
from dhrgraph.graph.backends import Settings, open_store
from dhrgraph.graph.transfer import export_workspace, import_workspace


def test_decisions_are_recorded_replaced_listed_and_removed(store):
    assert store.decisions() == []
    store.record_decision("triage", "f-2", status="dismissed", note="referral made by phone")
    store.record_decision("triage", "f-1", status="confirmed", note=None)
    store.record_decision("identity", "a|b", decision="same", people=["a", "b"])
    assert store.decisions("triage") == [{"kind": "triage", "key": "f-1", "status": "confirmed"},
                                         {"kind": "triage", "key": "f-2", "status": "dismissed",
                                          "note": "referral made by phone"}]
    store.record_decision("triage", "f-1", status="needs-info")
    assert [d["status"] for d in store.decisions("triage")] == ["needs-info", "dismissed"]
    assert [d["kind"] for d in store.decisions()] == ["identity", "triage", "triage"]
    assert store.decisions("identity")[0]["people"] == ["a", "b"]
    assert store.remove_decision("triage", "f-2") is True
    assert store.remove_decision("triage", "f-2") is False
    assert [d["key"] for d in store.decisions("triage")] == ["f-1"]


def test_decisions_survive_reloading_a_review(tmp_path, store):
    folder = write_review(tmp_path)
    store.load([folder])
    store.record_decision("triage", "f-1", status="confirmed")
    store.load([folder])
    assert store.decisions("triage") == [{"kind": "triage", "key": "f-1", "status": "confirmed"}]


def test_decisions_travel_with_export_and_import(tmp_path, store):
    store.load([EXAMPLES])
    store.record_decision("triage", "f-1", status="dismissed", note="seen at MARAC")
    export_workspace(store, tmp_path / "exported")
    with open_store(Settings(workspace=str(tmp_path / "exported"))) as exported:
        assert exported.decisions() == store.decisions()
    fresh = open_store(Settings(workspace=str(tmp_path / "fresh")))
    import_workspace(fresh, tmp_path / "exported")
    assert fresh.decisions() == [{"kind": "triage", "key": "f-1", "status": "dismissed", "note": "seen at MARAC"}]
