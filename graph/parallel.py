"""Work shared with one forked process: the second core of a two-core machine, for a command's heaviest step.

``halves(tasks, weight, work)`` splits ``tasks`` into two halves of about equal weight, forks once, and runs
``work`` on one half in the child and on the other in this process; the child's answer (a dict of JSON
values) comes back through a pipe as JSON. The child inherits everything this process has read (modules,
the workspace's manifest), so it starts at once and nothing is sent to it. Anything that goes wrong in the
child (an exception, a crash) makes this process do that half itself: the answer is always the one ``work``
gives in one process, as JSON gives it back, only sooner.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, Callable, Iterable, TypeVar

import orjson

__all__ = ["halves", "forks", "split", "PROCESSES"]

T = TypeVar("T")


PROCESSES = "DHRGRAPH_PROCESSES"  # set to 1: never fork (a shared machine, a debugger)


def forks() -> bool:
    """Whether ``halves`` may fork here: Linux (elsewhere forking a process that has used the system's libraries is
    not safe, e.g. macOS), a second core, and ``DHRGRAPH_PROCESSES`` not 1."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and (os.cpu_count() or 1) > 1 \
        and os.environ.get(PROCESSES, "").strip() != "1"


def split(tasks: Iterable[T], weight: Callable[[T], float]) -> tuple[list[T], list[T]]:
    """Two lists of ``tasks`` of about equal total weight (the heaviest first, each to the lighter list), each in
    the order ``tasks`` gave them."""
    tasks = list(tasks)
    sides: tuple[list[int], list[int]] = ([], [])
    load = [0.0, 0.0]
    for at in sorted(range(len(tasks)), key=lambda i: -weight(tasks[i])):
        side = 0 if load[0] <= load[1] else 1
        sides[side].append(at)
        load[side] += weight(tasks[at])
    return [tasks[i] for i in sorted(sides[0])], [tasks[i] for i in sorted(sides[1])]


def _end_with(parent: int) -> None:
    """In a forked child: be ended (SIGKILL) when the process that forked it ends, as a command killed with SIGKILL
    does (its child computed on for nobody until its half was done); and end now if that already happened."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux: forks() is Linux only)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def halves(tasks: list[T], weight: Callable[[T], float], work: Callable[[list[T]], dict[str, Any]],
           fork: bool = True) -> dict[str, Any]:
    """``work(tasks)``'s answer (a dict of JSON values), computed as ``work(one half) | work(the other half)``, the
    second half in a forked child when ``fork`` and ``forks()``. The answer is always as JSON gives it back (tuples
    become lists, as the child's do), whichever process computed it, forked or not: the same answer either way, and
    the same as one kept as JSON. A value that is not JSON is a TypeError. ``work`` may write files of its own tasks
    only (whatever the child did not answer is done again here, so a file it left half written is written again)."""
    if not fork or not forks() or len(tasks) < 2:
        return orjson.loads(orjson.dumps(work(tasks)))
    mine, theirs = split(tasks, weight)
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: its half, as JSON, then gone without running this process's exit handlers
        status = 1
        try:
            _end_with(parent)
            os.close(read_end)
            data = orjson.dumps(work(theirs))
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        except BaseException:  # noqa: BLE001 - any failure (a value that is not JSON too): the parent does this half
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    pipe = os.fdopen(read_end, "rb")
    try:
        answer = orjson.loads(orjson.dumps(work(mine)))
        data = pipe.read()
    finally:
        pipe.close()  # first: a child still writing then fails (EPIPE) and ends instead of waiting for a reader
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return {**answer, **orjson.loads(orjson.dumps(work(theirs)))}
    return {**answer, **orjson.loads(data)}
