"""The interpreter that runs inside a sandbox. Standard library only; sent to the sandbox's
`python3` over stdin at start, so it always matches the installed council.

A supervisor process keeps a forked worker that executes code and keeps its globals.
When the worker dies (crash, `os.kill`, out of memory) or overruns its time, the
supervisor kills its process group and forks a fresh one: the session goes on.

Wire format, both directions: a 4-byte big-endian length, then that many bytes of JSON.
"""

import ast
import contextlib
import json
import os
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


def execute(code, namespace, limit):
    stdout, stderr = BoundedText(limit), BoundedText(limit)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = stdout, stderr
    value = error = None
    try:
        tree = ast.parse(code, "<sandbox>", "exec")
        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr):
            tree.body.pop()
            exec(compile(tree, "<sandbox>", "exec"), namespace)
            result = eval(compile(ast.Expression(last.value), "<sandbox>", "eval"), namespace)
            if result is not None:
                value = repr(result)[:limit]
        else:
            exec(compile(tree, "<sandbox>", "exec"), namespace)
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


def worker_loop(requests, responses):
    namespace = {"__name__": "__main__"}
    me = os.getpid()
    while True:
        message = read_frame(requests)
        if message is None:
            os._exit(0)
        result = execute(message["code"], namespace, message["limit"])
        if os.getpid() != me:
            os._exit(0)  # a process the code forked must never answer for the worker
        write_frame(responses, result)


def spawn_worker():
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
    os.close(to_worker)
    os.close(from_worker)


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
    }
    result.update(fields)
    return result


def run_call(worker, message):
    pid, to_worker, from_worker = worker
    try:
        write_frame(to_worker, {"code": message["code"], "limit": message["limit"]})
    except OSError:
        return None, empty_result(error=death_reason(pid), restarted=True)
    deadline = time.monotonic() + message["timeout"]
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None, empty_result(
                error=f"timed out after {message['timeout']:.1f} s; the interpreter was "
                "restarted and its state lost",
                timed_out=True,
                restarted=True,
            )
        ready, _, _ = select.select([from_worker], [], [], remaining)
        if ready:
            break
    result = read_frame(from_worker)
    if result is None:
        return None, empty_result(
            error=death_reason(pid) + "; it was restarted and its state lost", restarted=True
        )
    result.update(timed_out=False, restarted=False)
    return worker, result


def main():
    for module in sys.argv[1:]:
        with contextlib.suppress(ImportError):
            __import__(module)  # warm imports are inherited by every forked worker
    protocol_in = os.dup(0)
    protocol_out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    worker = spawn_worker()
    write_frame(protocol_out, {"ready": True, "pid": os.getpid()})
    while True:
        message = read_frame(protocol_in)
        if message is None:
            break
        started = time.perf_counter()
        if message.get("op") == "reset":
            stop_worker(worker)
            worker = spawn_worker()
            result = empty_result()
        else:
            kept, result = run_call(worker, message)
            if kept is None:
                stop_worker(worker)
                worker = spawn_worker()
        result["duration_ms"] = (time.perf_counter() - started) * 1000
        write_frame(protocol_out, result)
    stop_worker(worker)


if __name__ == "__main__":
    main()
