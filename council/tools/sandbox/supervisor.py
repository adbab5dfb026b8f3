"""The interpreter that runs inside a sandbox. Standard library only; sent to the sandbox's
`python3` over stdin at start, so it always matches the installed council.

A supervisor process keeps a forked worker that executes code and keeps its globals.
When the worker dies (crash, `os.kill`, out of memory) or overruns its time, the
supervisor kills everything the worker started and forks a fresh one: the session goes on.
A call that returns but leaves threads or processes running gets the same restart, and its
result says so: otherwise that work would spin on after the call, unseen and unbounded.

The supervisor is a child subreaper, so whatever the code starts stays its descendant
(a double fork and `setsid` do not escape), and "everything the worker started" is found
by walking /proc from the supervisor down.

It ends, taking all of that with it, when its owner is gone: end of input (the host
closed its pipe or Docker's attach socket; owned containers close stdin when that socket
drops), a changed parent pid (a process-sandbox host that died while the pipe was kept
open elsewhere), SIGTERM, or, for named sessions, an idle timeout. It polls for these in
its own waits, idle and mid-call, instead of a thread (forking a threaded process is
fragile) or PR_SET_PDEATHSIG alone (that fires when the forking *thread* exits, and in
Docker the parent is tini, not the host).

Options come as one JSON argument: {"preload": [...], "idle_timeout": seconds or null,
"activity_file": a path or null (where the time of the last call is written, for
`council sandbox ps`)}.

Wire format, both directions: a 4-byte big-endian length, then that many bytes of JSON.
"""

import ast
import collections
import contextlib
import json
import os
import pickle
import select
import signal
import struct
import sys
import time
import traceback

HEADER = struct.Struct(">I")


def read_exact(fd, size):
    chunks = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd):
    header = read_exact(fd, HEADER.size)
    if header is None:
        return None
    body = read_exact(fd, HEADER.unpack(header)[0])
    return None if body is None else json.loads(body)


def write_frame(fd, message):
    body = json.dumps(message).encode()
    data = HEADER.pack(len(body)) + body
    while data:
        written = os.write(fd, data)
        data = data[written:]


class BoundedText:
    """A stdout/stderr stand-in that keeps the first `limit` characters and counts the rest,
    so a flood of output costs memory only up to the limit."""

    def __init__(self, limit):
        self.limit = limit
        self.parts = []
        self.kept = 0
        self.dropped = 0

    def write(self, text):
        text = str(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

    def text(self):
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n[output truncated: {self.dropped} more characters]"
        return out


def captured(run, limit):
    """Run `run()` with stdout and stderr captured (each bounded by `limit`); its return
    value is the shown value. Any exception, SystemExit included, is reported as the
    traceback from the sandbox's own code down, not raised."""
    stdout, stderr = BoundedText(limit), BoundedText(limit)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr
    value = error = None
    try:
        value = run()
    except BaseException:  # report everything, SystemExit included
        kind, exc, tb = sys.exc_info()
        while tb is not None and tb.tb_frame.f_code.co_filename != "<sandbox>":
            tb = tb.tb_next
        error = "".join(traceback.format_exception(kind, exc, tb))[-limit:]
    finally:
        sys.stdout, sys.stderr = saved
    return {
        "stdout": stdout.text(),
        "stderr": stderr.text(),
        "value": value,
        "error": error,
        "truncated": bool(stdout.dropped or stderr.dropped),
    }


def execute(code, namespace, limit, value_of="last_statement"):
    if value_of == "last_line":
        return execute_by_lines(code, namespace, limit)

    def run():
        tree = ast.parse(code, "<sandbox>", "exec")
        last = tree.body[-1] if tree.body else None
        if not isinstance(last, ast.Expr):
            exec(compile(tree, "<sandbox>", "exec"), namespace)
            return None
        tree.body.pop()
        exec(compile(tree, "<sandbox>", "exec"), namespace)
        result = eval(compile(ast.Expression(last.value), "<sandbox>", "eval"), namespace)
        return None if result is None else repr(result)[:limit]

    return captured(run, limit)


def execute_by_lines(code, namespace, limit):
    """Qwen2.5-Math's executor in auto mode (QwenLM/Qwen2.5-Math `evaluation/
    python_executor.py` lines 31-35 and 104-138): the program is its stripped lines; when the
    last line contains `print(` the whole program runs and what it printed is the result,
    else every line but the last runs and the last line is evaluated, its `str()` the result
    (in `value`; a last line that is no expression is a SyntaxError). Like the reference,
    a program that mentions `input(` is refused with a bare RuntimeError and a value that
    cannot be pickled is an error."""
    lines = code.strip().split("\n")

    def run_piece(piece):
        if "input(" in piece:
            raise RuntimeError()
        exec(compile(piece, "<sandbox>", "exec"), namespace)

    def run():
        if "print(" in lines[-1]:
            run_piece("\n".join(lines))
            return None
        run_piece("\n".join(lines[:-1]))
        # eval() of a string skips leading blanks; compile() would not
        result = eval(compile(lines[-1].lstrip(" \t"), "<sandbox>", "eval"), namespace)
        text = str(result)
        pickle.dumps(result)
        return text[:limit]

    return captured(run, limit)


def worker_loop(requests, responses):
    namespace = {"__name__": "__main__"}
    me = os.getpid()
    while True:
        message = read_frame(requests)
        if message is None:
            os._exit(0)
        # "fresh": an empty namespace for this call only, as the reference executor gives
        # each program (its globals start as {}, so __name__ is not "__main__")
        scope = {} if message.get("namespace") == "fresh" else namespace
        result = execute(
            message["code"], scope, message["limit"], message.get("value_of", "last_statement")
        )
        if os.getpid() != me:
            os._exit(0)  # a process the code forked must never answer for the worker
        write_frame(responses, result)


def spawn_worker():
    supervisor = os.getpid()
    to_worker_r, to_worker_w = os.pipe()
    from_worker_r, from_worker_w = os.pipe()
    for attempt in range(50):  # the last worker's processes may still be exiting
        try:
            pid = os.fork()
            break
        except BlockingIOError:
            time.sleep(0.1 * (attempt + 1) / 5)
    else:
        pid = os.fork()
    if pid == 0:
        os.setsid()  # its own process group, so a timeout kills everything it started
        os.close(to_worker_w)
        os.close(from_worker_r)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)  # protocol fds are private; stray fd writes go nowhere
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        die_with_parent(supervisor)
        worker_loop(to_worker_r, from_worker_w)
    os.close(to_worker_r)
    os.close(from_worker_w)
    return pid, to_worker_w, from_worker_r


def stop_worker(worker):
    pid, to_worker, from_worker = worker
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    kill_descendants()  # what escaped the process group (setsid, double forks)
    os.close(to_worker)
    os.close(from_worker)


PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def prctl(option, value):
    """Best effort: a platform without it keeps the other safeguards."""
    with contextlib.suppress(Exception):
        # child process: this runs in the sandbox's python3, where ctypes may be missing
        # (a minimal build); without it the supervisor keeps its other safeguards
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def die_with_parent(parent):
    """The worker is forked by the supervisor's only thread, so PDEATHSIG is reliable here:
    if the supervisor is killed outright, the worker does not run on."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)


def process_table():
    """{pid: (parent pid, state)} of every process this one can see."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()  # after "pid (command) "
        table[int(entry)] = (int(fields[1]), fields[0].decode())
    return table


def descendants(root, table):
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    found, queue = [], list(children.get(root, ()))
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, ()))
    return found


def reap(pids):
    for pid in pids:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)


def kill_descendants(deadline_seconds=3.0):
    """SIGKILL every process below the supervisor, round after round until none is left
    (a fork bomb's children appear between rounds), reaping the ones reparented to us."""
    me = os.getpid()
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        table = process_table()
        below = descendants(me, table)
        if not below:
            return
        for pid in below:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        reap(pid for pid in below if table[pid][0] == me)
        time.sleep(0.01)


def leftovers(worker_pid):
    """(threads, processes) the last call left running: threads of the worker besides
    its main one, and running processes below the supervisor besides the worker. Orphans
    that already exited are reaped on the way. A short grace lets finishing work finish."""
    me = os.getpid()
    deadline = time.monotonic() + 0.5
    while True:
        try:
            threads = len(os.listdir(f"/proc/{worker_pid}/task")) - 1
        except OSError:
            threads = 0
        table = process_table()
        below = [pid for pid in descendants(me, table) if pid != worker_pid]
        reap(pid for pid in below if table[pid][0] == me and table[pid][1] in "ZX")
        processes = sum(1 for pid in below if table[pid][1] not in "ZX")
        if (threads == 0 and processes == 0) or time.monotonic() > deadline:
            return threads, processes
        time.sleep(0.02)


def leftover_note(threads, processes):
    counted = []
    if threads:
        counted.append(f"{threads} thread{'s' if threads != 1 else ''}")
    if processes:
        counted.append(f"{processes} process{'es' if processes != 1 else ''}")
    return (
        f"the code left {' and '.join(counted)} running after the call, so the interpreter "
        "was restarted to stop them: its globals, from this call and earlier ones, are gone"
    )


def death_reason(pid):
    # Its pipe closes a moment before the kernel has its exit status: wait a little for it.
    # Code that closed its own pipe but lives on is killed, so this never hangs.
    deadline = time.monotonic() + 2.0
    try:
        while True:
            reaped, status = os.waitpid(pid, os.WNOHANG)
            if reaped:
                break
            if time.monotonic() > deadline:
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
                return "the interpreter stopped answering and was killed"
            time.sleep(0.005)
    except ChildProcessError:
        return "the interpreter exited"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        hint = " (killed, or out of memory)" if number == signal.SIGKILL else ""
        return f"the interpreter was killed by signal {number}{hint}"
    return "the interpreter exited"


def empty_result(**fields):
    result = {
        "stdout": "",
        "stderr": "",
        "value": None,
        "error": None,
        "truncated": False,
        "timed_out": False,
        "restarted": False,
        "note": None,
    }
    result.update(fields)
    return result


POLL_SECONDS = 0.25


class OwnerGone(Exception):
    """The host that owns this sandbox is gone (or idle too long): stop everything."""


class Host:
    """The protocol stream from the host, read so that its end, a change of parent and the
    idle timeout are all noticed within POLL_SECONDS, whatever the supervisor is doing."""

    def __init__(self, fd, idle_timeout):
        self.fd = fd
        self.idle_timeout = idle_timeout
        self.parent = os.getppid()
        self.pending: collections.deque[dict] = collections.deque()
        self.last_call = time.monotonic()

    def check_parent(self):
        if os.getppid() != self.parent:
            raise OwnerGone("the host process is gone")

    def _take(self):
        message = read_frame(self.fd)
        if message is None:
            raise OwnerGone("the host closed the stream")
        return message

    def next_message(self):
        """The next request; raises OwnerGone at end of input or after the idle timeout."""
        if self.pending:
            return self.pending.popleft()
        while True:
            self.check_parent()
            wait = POLL_SECONDS
            if self.idle_timeout is not None:
                left = self.last_call + self.idle_timeout - time.monotonic()
                if left <= 0:
                    raise OwnerGone("idle timeout")
                wait = min(wait, left)
            ready, _, _ = select.select([self.fd], [], [], wait)
            if ready:
                return self._take()

    def wait_for(self, fd, seconds):
        """Wait up to `seconds` for `fd` to be readable, watching the host meanwhile (a
        request arriving mid-call is kept for later). True when `fd` is readable."""
        deadline = time.monotonic() + seconds
        while True:
            self.check_parent()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            ready, _, _ = select.select([fd, self.fd], [], [], min(remaining, POLL_SECONDS))
            if self.fd in ready:
                self.pending.append(self._take())
            if fd in ready:
                return True


def run_call(worker, message, host):
    pid, to_worker, from_worker = worker
    try:
        write_frame(
            to_worker,
            {
                "code": message["code"],
                "limit": message["limit"],
                "value_of": message.get("value_of", "last_statement"),
                "namespace": message.get("namespace", "session"),
            },
        )
    except OSError:
        return None, empty_result(error=death_reason(pid), restarted=True)
    if not host.wait_for(from_worker, message["timeout"]):
        return None, empty_result(
            error=f"timed out after {message['timeout']:.1f} s; the interpreter was "
            "restarted and its state lost",
            timed_out=True,
            restarted=True,
        )
    result = read_frame(from_worker)
    if result is None:
        return None, empty_result(
            error=death_reason(pid) + "; it was restarted and its state lost", restarted=True
        )
    result.update(timed_out=False, restarted=False, note=None)
    threads, processes = leftovers(pid)
    if threads or processes:
        result.update(restarted=True, note=leftover_note(threads, processes))
        return None, result
    return worker, result


def record_activity(path):
    if path:
        with contextlib.suppress(OSError), open(path, "w") as handle:
            handle.write(f"{time.time():.3f}")


def stop_everything(*_):
    kill_descendants()
    os._exit(0)


def main():
    options = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    for module in options.get("preload", ()):
        with contextlib.suppress(ImportError):
            __import__(module)  # warm imports are inherited by every forked worker
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGTERM, stop_everything)
    activity_file = options.get("activity_file")
    host = Host(os.dup(0), options.get("idle_timeout"))
    protocol_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    worker = spawn_worker()
    record_activity(activity_file)
    write_frame(protocol_out, {"ready": True, "pid": os.getpid()})
    try:
        while True:
            message = host.next_message()
            started = time.perf_counter()
            if message.get("op") == "reset":
                stop_worker(worker)
                worker = spawn_worker()
                result = empty_result()
            else:
                kept, result = run_call(worker, message, host)
                if kept is None:
                    stop_worker(worker)
                    worker = spawn_worker()
            result["duration_ms"] = (time.perf_counter() - started) * 1000
            host.last_call = time.monotonic()
            record_activity(activity_file)
            write_frame(protocol_out, result)
    except (OwnerGone, OSError):
        pass
    stop_everything()


if __name__ == "__main__":
    main()
