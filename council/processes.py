"""Child processes that die with their parent, however the parent ends.

council starts processes of its own: the embedded model's server, grader workers, sandbox
interpreters. When the council process is killed (kill -9 included), none of them may live
on, and none may keep its stdout open (a pipe reading council's output would never reach
EOF). Two mechanisms, because neither covers every case alone:

- `PR_SET_PDEATHSIG` makes the kernel signal the child when its parent dies, at once. But
  it fires when the *thread* that forked the child exits, so a child started from a worker
  thread would die early; it is set only for children forked from the main thread.
- a daemon thread in the child polls `os.getppid()`: when the parent is gone the child is
  re-parented (to init or a subreaper) and exits within `poll_seconds`. This works for any
  start method and any thread, and is what children council starts call first.
"""

from __future__ import annotations

import os
import threading
import time

PARENT_POLL_SECONDS = 0.2


def usable_cpus() -> int:
    """The CPUs this process may run on (affinity and cgroup cpusets), not the machine's."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def exit_when_parent_dies(
    parent_pid: int, poll_seconds: float = PARENT_POLL_SECONDS
) -> threading.Thread:
    """Start a daemon thread that ends this process (`os._exit`, no cleanup that could
    hang) once `parent_pid` is no longer its parent; the first line of every child."""
    expected = parent_pid

    def watch() -> None:
        while os.getppid() == expected:
            time.sleep(poll_seconds)
        os._exit(70)  # EX_SOFTWARE: our owner is gone

    if os.getppid() != expected:
        os._exit(70)
    thread = threading.Thread(target=watch, name="council-parent-watch", daemon=True)
    thread.start()
    return thread
