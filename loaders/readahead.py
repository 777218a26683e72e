"""Reading the summaries in a second process while a load validates and writes (issue 17).

Reading what each contact's summary says (``textsignals.review_signals``) costs a large load about a third of its
time in one process. A load first validates every review, then writes them; a ``Readahead`` given to
``read_reviews`` is handed each review as soon as it is validated and sends what the reading needs (the review's
summaries, recording agencies, subjects, people's and agencies' names, and the coded columns the ``text_*``
columns are compared with) to a worker process, which reads them and sends back each review's ``text_*`` columns
(``graph.model.text_columns``: plain lists and strings). The load's main process meanwhile validates the next
reviews and writes; ``review_batch`` takes the columns of each review (``take``) instead of reading it.

The worker is started at the beginning of the load, before any file is read, and only when the input files hold at
least ``threshold`` bytes (a small load, and every test's, reads in-process as before: starting Python costs more
than it saves). Where the worker is the slower (no sentence repeats, or a busy machine), the load, waiting on it,
reads the last reviews it has not reached itself and tells it to skip them. The worker's output is the in-process
reading's, byte for byte: it runs the same functions on the same values. If the worker dies, cannot be started, or
answers nothing for ``STALL`` seconds while the load waits on it (then the load ends it), the reviews it has not
answered are read in the load's own process: the graph is the same either way, only slower.
A load that fails (a validation error, a failed write) ends the worker and keeps nothing of what it read.

The wire: length-prefixed pickles over the worker's stdin and stdout, between this module's two ends only (the
worker is this module run as ``python -m dhrgraph.loaders.readahead``; nothing else writes to the pipes).
"""

from __future__ import annotations

import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
from types import SimpleNamespace
from typing import Any, BinaryIO

__all__ = ["Readahead", "THRESHOLD", "PIPE_BYTES"]

# bytes of input files from which a second process is worth starting: about 20,000 contacts of synth's chronology
# (starting Python and importing the reading takes about 0.15 s of the other core; the reading of such a load about
# as long in one process)
THRESHOLD = 4_000_000

# bytes of each pipe to and from the worker (Linux's F_SETPIPE_SZ; its default is 64 KiB, an unprivileged process may
# ask for up to /proc/sys/fs/pipe-max-size, 1 MiB by default): a load of 100k contacts sends the worker 9.5 MB of
# summaries, and through 64 KiB the sending thread blocked and woke over and over, handing the GIL back and forth
# with the load's own thread: measured 1 December, 11 alternated runs each, the load with the worker took a median
# 1.61 s with 64 KiB pipes and 1.45 s with 1 MiB ones (1.27 s without extraction)
PIPE_BYTES = 1 << 20

# seconds the load waits on a worker that answers nothing (alive, but stuck: a hung import, a stopped process)
# before it ends the worker and reads the rest itself; synth's slowest review takes the worker well under a second
STALL = 60.0

_HEADER = struct.Struct("<Q")
_END = None  # the last message of a load: the worker answers what it has and exits


class Readahead:
    """Reads reviews' summaries in a worker process during a load (see the module docstring).

    ``threshold``: bytes of input files from which the worker is started (0: always); ``command``: the worker's
    command line (tests start one that dies); ``share``: while the load waits on the worker for a review, it reads
    the last reviews the worker has not reached itself (False: only the worker reads, for tests); ``stall``: seconds
    the load waits with no answer from the worker before it ends the worker and reads the rest itself."""

    def __init__(self, threshold: int = THRESHOLD, command: list[str] | None = None, share: bool = True,
                 stall: float = STALL):
        self.threshold = threshold
        self.stall = stall
        self.share = share  # while waiting on the worker, read the reviews it has not reached here (``take``)
        self.read_here = 0  # reviews so read
        self.command = command or [sys.executable, "-m", "dhrgraph.loaders.readahead"]
        self.started = False     # a worker was started
        self.failed = False      # the worker died, stalled, or could not be started, before its last answer
        self.stalled = False     # the load ended a worker that answered nothing for ``stall`` seconds
        self._heard = 0.0        # time.monotonic() of the worker's start or last answer
        self.answered = 0        # reviews whose columns the worker sent
        self._order: dict[int, int] = {}  # id(review) -> its number (the reviews stay alive in the read result)
        self._reviews: list[Any] = []
        self._declared: dict[int, Any] = {}  # id -> a source's declared agencies, sent once (kept alive here)
        self._results: dict[int, Any] = {}
        self._frontier = -1  # the last review the worker answered (it answers in order)
        self._claimed = sys.maxsize  # the reviews from this one on are read in the load's process (``take``)
        self._own: dict[int, Any] = {}  # their columns
        self._done = threading.Condition()
        self._closed = False
        self._finished = False
        self._process: subprocess.Popen | None = None
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    # --- the load's side ----------------------------------------------------------------------

    def begin(self, paths: list) -> None:
        """A load of ``paths`` begins: start the worker if their files hold ``threshold`` bytes or more."""
        if self.threshold <= 0 or _size(paths, self.threshold) >= self.threshold:
            self._start()

    def submit(self, review: Any) -> None:
        """A validated review: the worker reads it."""
        if not self.started or self._closed or self.failed:
            return
        self._order[id(review)] = len(self._reviews)
        self._reviews.append(review)
        self._send(review)

    def finish(self) -> None:
        """Every review is submitted: the worker answers the rest and exits."""
        if self.started and not self._closed:
            self._finished = True
            self._claimed = len(self._reviews)
            self._outbox.put(_END)

    def take(self, review: Any) -> tuple | None:
        """``graph.model.text_columns`` of ``review`` as the worker read it (``()`` when no contact has a signal); None
        when it did not (never submitted, no worker, the worker died): then the load reads it in its own process."""
        number = self._order.get(id(review))
        if number is None or not self.started:
            return None
        while True:
            if number >= self._claimed:  # read here while waiting (below)
                return self._own.pop(number, None)
            with self._done:
                if number in self._results or self.failed or self._closed:
                    return self._results.pop(number, None)
                # Waiting on the worker: read the last review it has not reached here instead, and tell it to skip
                # that one (the two meet in the middle where the worker is the slower, as where no sentence repeats)
                last = self._claimed - 1
                if not (self.share and self._finished and last > number and last > self._frontier + 1):
                    left = self._heard + self.stall - time.monotonic()
                    if left > 0:
                        self._done.wait(left)
                        continue
                    self.failed = self.stalled = True  # stuck: end it; this review and the rest are read here
                    self._done.notify_all()
                    self._process.kill()
                    return None
                self._claimed = last
            self._outbox.put(("skip", last))
            self._own[last] = read(self._reviews[last])
            self.read_here += 1

    def close(self) -> None:
        """End the worker (the load is over, or failed) and forget everything it read."""
        self._closed = True
        process = self._process
        if process is not None and self._finished and not self.failed and self.answered == len(self._reviews):
            try:
                process.wait(timeout=5)  # it answered everything: it is exiting
            except subprocess.TimeoutExpired:
                pass
        if process is not None and process.poll() is None:
            process.kill()
        self._outbox.put(_END)
        for thread in self._threads:  # the pipes end with the worker: both threads return
            thread.join()
        if process is not None:
            process.wait()
            for pipe in (process.stdin, process.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
        with self._done:
            self._results.clear()
            self._own.clear()
            self._done.notify_all()
        self._reviews.clear()
        self._order.clear()
        self._declared.clear()

    def __enter__(self) -> "Readahead":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing -----------------------------------------------------------------------------

    def _start(self) -> None:
        self.started = True
        self._heard = time.monotonic()
        try:
            self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.DEVNULL)
        except OSError:
            self._fail()
            return
        for pipe in (self._process.stdin, self._process.stdout):
            _widen(pipe)
        self._threads = [threading.Thread(target=self._sender, name="readahead-send", daemon=True),
                         threading.Thread(target=self._receiver, name="readahead-receive", daemon=True)]
        for thread in self._threads:
            thread.start()

    def _send(self, review: Any) -> None:
        declared = review.declared
        if declared and id(declared) not in self._declared:
            self._declared[id(declared)] = declared
            self._outbox.put(("declared", id(declared), declared))
        c = review.contacts
        self._outbox.put(("review", self._order[id(review)], [p.person for p in review.people], list(review.agencies.values()),
                          id(declared) if declared else None, c.summary, c.agency, c.subjects, c.risk_factors, c.dash_score,
                          c.risk_level, c.referred_to, c.shared_with, c.event))

    def _sender(self) -> None:
        pipe = self._process.stdin
        try:
            while True:
                message = self._outbox.get()
                _write(pipe, message)
                if message is _END:
                    pipe.flush()
                    return
        except (OSError, ValueError):  # the worker is gone
            if not self._closed:
                self._fail()

    def _receiver(self) -> None:
        pipe = self._process.stdout
        try:
            while True:
                message = _read(pipe)
                if message is _END:  # every review answered
                    return
                number, columns = message
                with self._done:
                    self._results[number] = columns
                    self._frontier = number
                    self._heard = time.monotonic()
                    self.answered += 1
                    self._done.notify_all()
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):  # died mid-load (or the load ended it)
            if not self._closed:
                self._fail()

    def _fail(self) -> None:
        with self._done:
            self.failed = True
            self._done.notify_all()


def _widen(pipe: BinaryIO) -> None:
    """Give ``pipe`` ``PIPE_BYTES`` of buffer where the system allows it (Linux), else the most it allows; elsewhere,
    or when refused, it keeps its size (only slower)."""
    try:
        import fcntl
    except ImportError:  # not a POSIX system
        return
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is None:
        return
    size = PIPE_BYTES
    try:
        with open("/proc/sys/fs/pipe-max-size", encoding="ascii") as fh:
            size = min(size, int(fh.read()))
    except (OSError, ValueError):
        pass
    try:
        fcntl.fcntl(pipe.fileno(), setting, size)
    except OSError:
        pass


def _size(paths: list, enough: int) -> int:
    """Bytes of the files under ``paths`` (counted until ``enough``)."""
    total = 0
    for path in map(str, paths):
        if os.path.isfile(path):
            total += os.path.getsize(path)
        for folder, _, files in os.walk(path):
            for name in files:
                try:
                    total += os.path.getsize(os.path.join(folder, name))
                except OSError:
                    pass
                if total >= enough:
                    return total
    return total


def _write(pipe: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    pipe.write(_HEADER.pack(len(data)))
    pipe.write(data)
    if message is _END or message[0] != "declared":
        pipe.flush()


def _read(pipe: BinaryIO) -> Any:
    head = pipe.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError("the pipe ended")
    size = _HEADER.unpack(head)[0]
    data = pipe.read(size)
    if len(data) < size:
        raise EOFError("the pipe ended mid-message")
    return pickle.loads(data)


# --- the worker's side ----------------------------------------------------------------------------

def read(review: Any) -> tuple:
    """``graph.model.text_columns`` of a review, ``()`` when no contact has a signal (the worker's answer)."""
    from dhrgraph.graph.model import text_columns
    from dhrgraph.loaders.textsignals import review_signals

    found = review_signals(review)
    return (text_columns(review.contacts, found) if found else None) or ()


def _serve(inbox: BinaryIO, outbox: BinaryIO) -> None:
    """Answer each review with its ``text_columns`` until the load's last message, but those the load reads itself
    (the reviews from its last "skip" on). The messages are taken off the pipe by a thread of their own, so that a
    "skip" is seen while reviews are being read."""
    from dhrgraph.loaders.records import Contacts, Review

    messages: queue.SimpleQueue = queue.SimpleQueue()
    skip = [sys.maxsize]

    def drain() -> None:
        try:
            while True:
                message = _read(inbox)
                if message is not _END and message[0] == "skip":
                    skip[0] = min(skip[0], message[1])
                    continue
                messages.put(message)
                if message is _END:
                    return
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            messages.put(EOFError)  # the load ended first

    threading.Thread(target=drain, name="readahead-drain", daemon=True).start()
    declared: dict[int, Any] = {}
    while True:
        message = messages.get()
        if message is EOFError:
            return
        if message is _END:
            _write(outbox, _END)
            outbox.flush()
            return
        if message[0] == "declared":
            declared[message[1]] = message[2]
            continue
        (_, number, people, agencies, source, summary, agency, subjects, risk_factors, dash_score, risk_level,
         referred_to, shared_with, event) = message
        if number >= skip[0]:
            continue
        contacts = Contacts(summary=summary, agency=agency, subjects=subjects, risk_factors=risk_factors,
                            dash_score=dash_score, risk_level=risk_level, referred_to=referred_to, shared_with=shared_with,
                            event=event)
        review = Review(id="", path="", people=[SimpleNamespace(person=name) for name in people],
                        agencies={a.name: a for a in agencies}, contacts=contacts,
                        declared=declared[source] if source is not None else {})
        _write(outbox, (number, read(review)))


def main() -> None:
    import gc

    gc.disable()  # the worker's objects live as long as it does (as a load's under gc_paused)
    try:
        # imported and built before the first review arrives (the load is parsing its files meanwhile)
        from dhrgraph.graph import model  # noqa: F401  (``read``'s imports)
        from dhrgraph.loaders import records, textsignals  # noqa: F401

        textsignals.prepare()
        _serve(sys.stdin.buffer, sys.stdout.buffer)
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass  # the load ended first: nothing to answer


if __name__ == "__main__":
    main()
