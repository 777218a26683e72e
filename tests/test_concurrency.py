"""Readers during loads see the old or the new state, never an error (both backends)."""

from __future__ import annotations

import threading

from helpers import CHRONOLOGY, write_review
from dhrgraph.graph.backends import open_store
from dhrgraph.queries.core import STATS

LOADS = 8
READERS = 3


def _contacts(settings) -> int:
    with open_store(settings) as store:
        if settings.backend == "neo4j":  # one count, read from the count store at once
            return store.read("MATCH (c:Contact) RETURN count(c) AS n")[0]["n"]
        return store.run(STATS)[0]["contacts"]


def test_readers_during_loads_see_the_old_or_the_new_state(tmp_path, settings):
    whole = write_review(tmp_path / "v1", "rev-c")
    part = write_review(tmp_path / "v2", "rev-c", chronology=CHRONOLOGY[:2])
    with open_store(settings) as store:
        store.load([whole])
    states = {len(CHRONOLOGY), 2}
    done = threading.Event()
    errors: list[BaseException] = []
    seen: list[int] = []

    def writer() -> None:
        try:
            with open_store(settings) as store:
                for i in range(LOADS):
                    store.load([part if i % 2 == 0 else whole])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            done.set()

    def reader() -> None:
        while not done.is_set():
            try:
                seen.append(_contacts(settings))
            except BaseException as exc:  # noqa: BLE001 - a reader must never fail
                errors.append(exc)
                return

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors, errors
    assert seen and set(seen) <= states, seen
    assert _contacts(settings) == len(CHRONOLOGY)  # the last load was the whole review


def test_a_reader_whose_files_vanish_starts_again_from_the_new_manifest(tmp_path, monkeypatch):
    """The race of issue 11, made certain: a load switches the manifest and removes the old file
    between the reader's manifest read and its file read."""
    from dhrgraph.graph import embedded
    from dhrgraph.graph.backends import Settings

    settings = Settings(workspace=str(tmp_path / "ws"))
    whole = write_review(tmp_path / "v1", "rev-c")
    part = write_review(tmp_path / "v2", "rev-c", chronology=CHRONOLOGY[:2])
    with open_store(settings) as store:
        store.load([whole])
    reader = embedded.EmbeddedStore(tmp_path / "ws")
    original = embedded.EmbeddedStore._read_json
    calls = {"n": 0}

    def read_json_after_a_load(self, entry):
        calls["n"] += 1
        if calls["n"] == 1:
            embedded.EmbeddedStore(tmp_path / "ws").load([part])  # the old file is gone now
        return original(self, entry)

    monkeypatch.setattr(embedded.EmbeddedStore, "_read_json", read_json_after_a_load)
    assert reader.run(STATS)[0]["contacts"] == 2
    assert calls["n"] == 2  # read once, found missing, read again from the new manifest
