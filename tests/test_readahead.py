"""A load's summaries read in a second process while it validates and writes (loaders/readahead.py, issue 17):
the same graph as reading them in the load's own process, nothing kept of a failed load, and a worker that dies
or cannot start leaves the reading to the load's process."""

from __future__ import annotations

import csv
import sys

import pytest

from dhrgraph import synth
from dhrgraph.loaders import LoadError, read_reviews, textsignals
from dhrgraph.loaders.readahead import THRESHOLD, Readahead, _size
from dhrgraph.queries.core import DUMP


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """12 reviews, 1,800 contacts; every 40th row's summary also says it was referred to one of the source's
    agencies, which its coded columns do not say (a flow only the text records)."""
    folder = tmp_path_factory.mktemp("corpus")
    synth.generate(folder, reviews=12, seed=4, contacts=1800, layout="combined")
    with (folder / "agencies.csv").open(encoding="utf-8", newline="") as fh:
        agencies = [row["name"] for row in csv.DictReader(fh)]
    with (folder / "chronology.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    column, agency = rows[0].index("summary"), rows[0].index("agency")
    for n, row in enumerate(rows[1::40]):
        row[column] += f" Referred to {next(a for a in agencies[n % len(agencies):] + agencies if a != row[agency])}."
    with (folder / "chronology.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return folder


def _dump(store) -> list[dict]:
    return store.run(DUMP)  # sorted


def _not_in_this_process(monkeypatch):
    """Reading a summary in the load's own process fails the test (the worker, a process of its own, is unaffected)."""
    def refuse(review):
        raise AssertionError("read in the load's process")
    monkeypatch.setattr(textsignals, "review_signals", refuse)


def test_the_second_process_gives_the_graph_the_load_gives_alone(corpus, store, monkeypatch):
    reviews = read_reviews([corpus])
    store.load_reviews(reviews)
    alone = _dump(store)
    text = [r for r in alone if r["label"] == "Contact" and r["props"].get("text_signals")]
    flows = [r for r in alone if r["label"] in ("REFERRED_TO", "SHARED_WITH") and r["props"].get("source") == "text"]
    assert len(text) > 300 and flows, "the corpus has text signals and flows only the text records"
    store.clear()
    textsignals.clear_caches()
    with monkeypatch.context() as patched:
        _not_in_this_process(patched)
        readings = Readahead(threshold=0, share=False)
        store.load_reviews(read_reviews([corpus], read_ahead=readings))
    assert readings.started and not readings.failed and readings.answered == len(reviews.reviews)
    assert _dump(store) == alone
    assert readings._process.poll() == 0  # the worker answered everything and exited


def test_the_load_reads_the_reviews_the_worker_has_not_reached(corpus, store):
    """A slow worker (0.2 s a review): the load reads the last reviews itself while waiting, the worker the first."""
    store.load_reviews(read_reviews([corpus]))
    alone = _dump(store)
    store.clear()
    slow = ("import time\nfrom dhrgraph.loaders import readahead as r\nread = r.read\n"
            "def slow(review):\n    time.sleep(0.2)\n    return read(review)\nr.read = slow\nr.main()")
    readings = Readahead(threshold=0, command=[sys.executable, "-c", slow])
    report = store.load_reviews(read_reviews([corpus], read_ahead=readings))
    assert not readings.failed and readings.answered >= 1 and readings.read_here >= 1
    assert readings.answered + readings.read_here >= len(report.reviews)
    assert _dump(store) == alone


def test_the_review_files_are_byte_identical(corpus, tmp_path):
    from dhrgraph.graph.embedded import EmbeddedStore

    files = []
    for read_ahead in (False, Readahead(threshold=0)):
        with EmbeddedStore(tmp_path / f"ws-{bool(read_ahead)}") as store:
            store.load_reviews(read_reviews([corpus], read_ahead=read_ahead))
            files.append({p.name: p.read_bytes() for p in (tmp_path / f"ws-{bool(read_ahead)}" / "reviews").glob("*.json")})
    assert len(files[0]) == 12 and files[0] == files[1]


@pytest.mark.parametrize("worker", [
    pytest.param("import sys; sys.stdin.buffer.read(100); sys.exit(3)", id="dies-at-once"),
    # the real worker, killed after answering three reviews
    pytest.param("import os\nfrom dhrgraph.loaders import readahead as r\nwrite, sent = r._write, []\n"
                 "def once(pipe, message):\n    write(pipe, message)\n    sent.append(1)\n"
                 "    if len(sent) == 3: pipe.flush(); os._exit(9)\nr._write = once\nr.main()", id="dies-midway"),
])
def test_a_worker_that_dies_leaves_the_reading_to_the_load(corpus, store, worker):
    store.load_reviews(read_reviews([corpus]))
    alone = _dump(store)
    store.clear()
    readings = Readahead(threshold=0, command=[sys.executable, "-c", worker])
    report = store.load_reviews(read_reviews([corpus], read_ahead=readings))
    assert readings.started and readings.failed and readings.answered < len(report.reviews)
    assert _dump(store) == alone


@pytest.mark.parametrize("share", [False, True], ids=["worker-only", "shared"])
def test_a_worker_that_answers_nothing_is_ended_and_the_load_reads(corpus, store, share):
    """A worker alive but stuck (it takes every message and answers none): after ``stall`` seconds without an
    answer the load ends it and reads the rest itself; the graph is the same."""
    store.load_reviews(read_reviews([corpus]))
    alone = _dump(store)
    store.clear()
    stuck = "import sys, time\nsys.stdin.buffer.read()\ntime.sleep(600)"
    readings = Readahead(threshold=0, command=[sys.executable, "-c", stuck], share=share, stall=1.0)
    store.load_reviews(read_reviews([corpus], read_ahead=readings))
    assert readings.stalled and readings.failed and readings.answered == 0
    assert readings._process.poll() is not None  # ended, not left sleeping
    assert _dump(store) == alone


def test_a_worker_that_cannot_start_leaves_the_reading_to_the_load(corpus, tmp_path):
    from dhrgraph.graph.embedded import EmbeddedStore

    with EmbeddedStore(tmp_path / "a") as store:
        store.load_reviews(read_reviews([corpus]))
        alone = _dump(store)
    readings = Readahead(threshold=0, command=[str(tmp_path / "no-such-program")])
    with EmbeddedStore(tmp_path / "b") as store:
        store.load_reviews(read_reviews([corpus], read_ahead=readings))
        assert readings.failed and _dump(store) == alone


def test_a_failed_validation_ends_the_worker_and_keeps_nothing(corpus, tmp_path, store):
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in corpus.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    with (broken / "chronology.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[-1][rows[0].index("date")] = "the day after"  # the last review's last row: the others are read by then
    with (broken / "chronology.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    store.load_reviews(read_reviews([corpus]))
    before = _dump(store)
    readings = Readahead(threshold=0)
    with pytest.raises(LoadError, match="the day after"):
        store.load_reviews(read_reviews([broken], read_ahead=readings))
    assert readings.started and readings._process.poll() is not None  # ended, not left running
    assert _dump(store) == before


def test_a_failed_write_ends_the_worker(corpus, tmp_path, monkeypatch):
    from dhrgraph.graph import store as store_module
    from dhrgraph.graph.embedded import EmbeddedStore

    built = []

    def failing(review, **kwargs):
        built.append(review.id)
        if len(built) == 3:
            raise OSError("disk full")
        return batch(review, **kwargs)

    batch = store_module.review_batch
    monkeypatch.setattr(store_module, "review_batch", failing)
    readings = Readahead(threshold=0)
    with EmbeddedStore(tmp_path / "ws") as store:
        with pytest.raises(OSError, match="disk full"):
            store.load_reviews(read_reviews([corpus], read_ahead=readings))
        assert store.review_names() == []  # the embedded store switches its manifest only after the last review
    assert readings._process.poll() is not None


def test_a_small_load_reads_in_its_own_process(tmp_path, corpus):
    assert _size([corpus], THRESHOLD) < THRESHOLD  # 1,800 contacts
    readings = Readahead()
    result = read_reviews([corpus], read_ahead=readings)
    assert result.readings is readings and not readings.started
    readings.close()
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * THRESHOLD)
    assert _size([tmp_path], THRESHOLD) >= THRESHOLD and _size([big], THRESHOLD) >= THRESHOLD


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pipe sizes are Linux's (F_SETPIPE_SZ)")
def test_the_pipes_to_and_from_the_worker_are_widened(tmp_path):
    """Both pipes get PIPE_BYTES (or the system's most), not the 64 KiB default: measured, the load with the worker
    was a median 0.16 s slower through 64 KiB pipes at 100k contacts (loaders/readahead.py)."""
    import fcntl
    from pathlib import Path

    from dhrgraph.loaders.readahead import PIPE_BYTES

    most = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    readings = Readahead(threshold=0)
    try:
        readings.begin([tmp_path])
        assert readings.started and not readings.failed
        sizes = [fcntl.fcntl(pipe.fileno(), fcntl.F_GETPIPE_SZ)
                 for pipe in (readings._process.stdin, readings._process.stdout)]
    finally:
        readings.close()
    assert sizes == [min(PIPE_BYTES, most)] * 2 and sizes[0] > 65536
