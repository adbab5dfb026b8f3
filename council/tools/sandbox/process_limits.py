"""A process sandbox's own process limit on a shared machine.

`RLIMIT_NPROC` counts every process of the *user*, machine-wide: set for `nobody`, it also
counts every other `nobody` process (Docker sandboxes' included), so a busy machine stops
the sandbox from starting and a fork bomb in one sandbox starves the others. So each
process sandbox gets a limit of its own, by the first of these the machine offers:

- a **pids cgroup** of its own (cgroup v2 where this process may create one, or the v1
  `pids` hierarchy): the kernel caps the tasks in it, whatever their user, and closing
  the sandbox kills everything in it;
- as root, a **user id of its own**, leased from a reserved range (see `UidLease`), so
  `RLIMIT_NPROC` counts that sandbox's processes only;
- not root, a **user namespace** of its own: the kernel counts `RLIMIT_NPROC` per user
  namespace, so again only the sandbox's processes count (and it gets a network
  namespace of its own without root).

Root gets the cgroup and the uid when both exist. Only when none exists is the limit the
old shared one; `council sandbox doctor` says which is in use.

Why not only `RLIMIT_NPROC` with a fresh uid everywhere: changing uid needs root.
Why not only cgroups: many machines (containers, CI runners) cannot create one.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import grp
import itertools
import os
import pwd
import resource
import secrets
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CGROUP_GROUP = "council-sandboxes"
"""The cgroup under which each process sandbox's own cgroup is made."""
UID_BASE = 0x7000_0000
UID_COUNT = 65_536
"""The reserved uid range: 1879048192-1879113727, in the block systemd documents as
unused by any allocator (docs/UIDS-GIDS.md: 1879048192-2147352575), far above login,
system, dynamic-service (61184-65519) and container (524288-1879048191) ranges."""
LEASE_DIR = Path("/run/council-sandbox")
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


# -- cgroups ------------------------------------------------------------------------------
class Mount(BaseModel):
    model_config = ConfigDict(frozen=True)

    root: str = Field(description="the path inside the hierarchy that is mounted")
    point: Path
    fstype: str
    options: tuple[str, ...]


def read_mounts(mountinfo: Path = Path("/proc/self/mountinfo")) -> list[Mount]:
    mounts = []
    for line in mountinfo.read_text().splitlines():
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        mounts.append(
            Mount(
                root=fields[3],
                point=Path(fields[4]),
                fstype=tail[0],
                options=tuple(tail[2].split(",")),
            )
        )
    return mounts


def own_cgroups(cgroup_file: Path = Path("/proc/self/cgroup")) -> dict[str, str]:
    """{controller list (`pids`, or "" for v2): path} of this process."""
    paths = {}
    for line in cgroup_file.read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") or [""]:
            paths[controller] = path
    return paths


def _on_disk(mount: Mount, path: str) -> Path:
    relative = os.path.relpath(path, mount.root) if mount.root != "/" else path.lstrip("/")
    return mount.point if relative in ("", ".") else mount.point / relative


class PidsCgroups(BaseModel):
    """Where sandbox cgroups are made: `parent` has the pids controller for its children."""

    model_config = ConfigDict(frozen=True)

    version: Literal[1, 2]
    parent: Path

    def describe(self) -> str:
        return f"a pids cgroup of its own (cgroup v{self.version}, under {self.parent})"


def _writable(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK)


def _words(path: Path) -> list[str]:
    try:
        return path.read_text().split()
    except OSError:
        return []


def _v2_parent(mount: Mount, own: str) -> Path | None:
    """The deepest cgroup from ours upward where we may make a child with `pids`: one that
    already enables pids for its children, or has no processes so that it can."""
    directory = _on_disk(mount, own)
    while True:
        try:
            available = (directory / "cgroup.controllers").read_text().split()
            enabled = (directory / "cgroup.subtree_control").read_text().split()
            busy = bool((directory / "cgroup.procs").read_text().strip())
        except OSError:
            available, enabled, busy = [], [], True
        is_root = directory == mount.point
        if (
            _writable(directory)
            and "pids" in available
            and ("pids" in enabled or not busy or is_root)
        ):
            return directory
        if is_root:
            return None
        directory = directory.parent


def find_pids_cgroups(
    mountinfo: Path = Path("/proc/self/mountinfo"),
    cgroup_file: Path = Path("/proc/self/cgroup"),
) -> PidsCgroups | None:
    """Where this process can make pids cgroups, or None. Makes the parent group (and, in
    v2, enables pids below it) as a side effect; nothing else."""
    try:
        mounts = read_mounts(mountinfo)
        own = own_cgroups(cgroup_file)
    except (OSError, ValueError):
        return None
    for mount in mounts:
        if mount.fstype == "cgroup2" and "" in own:
            base = _v2_parent(mount, own[""])
            if base is None:
                continue
            parent = base / CGROUP_GROUP
            try:
                for directory in (base, parent):
                    directory.mkdir(exist_ok=True)
                    if "pids" not in _words(directory / "cgroup.subtree_control"):
                        (directory / "cgroup.subtree_control").write_text("+pids")
            except OSError:
                continue
            return PidsCgroups(version=2, parent=parent)
    for mount in mounts:
        if mount.fstype == "cgroup" and "pids" in mount.options and "pids" in own:
            parent = _on_disk(mount, own["pids"]) / CGROUP_GROUP
            try:
                parent.mkdir(exist_ok=True)
            except OSError:
                continue
            if _writable(parent) and (parent / "pids.max").exists():
                return PidsCgroups(version=1, parent=parent)
    return None


_counter = itertools.count()


class SandboxCgroup:
    """One sandbox's pids cgroup: made at start, joined by the sandbox's first process
    before it execs, killed and removed at close."""

    def __init__(self, groups: PidsCgroups, pids: int) -> None:
        remove_stale(groups)
        self.path = groups.parent / f"sandbox-{os.getpid()}-{next(_counter)}"
        self.path.mkdir()
        (self.path / "pids.max").write_text(str(pids))
        self._procs = str(self.path / "cgroup.procs")

    def join(self) -> None:
        """In the child, before exec: async-signal-safe enough (open, write, close)."""
        fd = os.open(self._procs, os.O_WRONLY)
        try:
            os.write(fd, str(os.getpid()).encode())
        finally:
            os.close(fd)

    def pids(self) -> list[int]:
        try:
            return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def remove(self, deadline_seconds: float = 5.0) -> None:
        """Kill everything in it (round after round: a fork bomb refills it) and remove it."""
        kill_file = self.path / "cgroup.kill"
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            if kill_file.exists():
                with contextlib.suppress(OSError):
                    kill_file.write_text("1")
            for pid in self.pids():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.01)


def remove_stale(groups: PidsCgroups) -> None:
    """Remove empty sandbox cgroups whose owner process is gone (a killed council)."""
    for path in groups.parent.glob("sandbox-*-*"):
        owner = path.name.split("-")[1]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            with contextlib.suppress(OSError):
                path.rmdir()


# -- a uid of its own ---------------------------------------------------------------------
def _subordinate_ranges(files: tuple[Path, ...]) -> list[range]:
    ranges = []
    for path in files:
        with contextlib.suppress(OSError):
            for line in path.read_text().splitlines():
                parts = line.strip().split(":")
                if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                    ranges.append(range(int(parts[1]), int(parts[1]) + int(parts[2])))
    return ranges


def _live_uids(proc: Path = Path("/proc")) -> set[int]:
    uids = set()
    for entry in proc.iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                uids.add(entry.stat().st_uid)
    return uids


def _named(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        pass
    try:
        grp.getgrgid(uid)
        return True
    except KeyError:
        return False


class UidLease:
    """A uid (and the gid of the same number) that no one else uses while it is held.

    Never collides: the uid is in the reserved range, has no passwd or group entry, is in
    no `/etc/subuid`/`/etc/subgid` range, runs no process, and its lock file in
    `LEASE_DIR` is held (flock) by this process, which the kernel releases however this
    process ends. Root only (setuid)."""

    def __init__(self, uid: int, lock_fd: int) -> None:
        self.uid = uid
        self._lock_fd: int | None = lock_fd

    @classmethod
    def acquire(
        cls,
        lease_dir: Path = LEASE_DIR,
        base: int = UID_BASE,
        count: int = UID_COUNT,
        subordinate: tuple[Path, ...] = (Path("/etc/subuid"), Path("/etc/subgid")),
    ) -> UidLease:
        lease_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        taken_ranges = _subordinate_ranges(subordinate)
        running = _live_uids()
        start = secrets.randbelow(count)
        for step in range(count):
            uid = base + (start + step) % count
            if uid in running or any(uid in r for r in taken_ranges) or _named(uid):
                continue
            fd = os.open(
                lease_dir / f"uid-{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600
            )
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    continue
                raise
            return cls(uid, fd)
        raise OSError(errno.EUSERS, f"every uid in {base}-{base + count - 1} is in use")

    def kill_all(self) -> None:
        """Kill every process running as this uid (what escaped the supervisor): a child
        that becomes the uid and signals -1, which reaches exactly that uid's processes."""
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                ["/bin/sh", "-c", "kill -9 -1"],
                user=self.uid,
                group=self.uid,
                extra_groups=[],
                env={"PATH": "/usr/bin:/bin"},
                check=False,
                timeout=10,
            )

    def release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


# -- a user namespace of its own (not root) -----------------------------------------------
def enter_user_namespace() -> None:
    """In the child: a user namespace (RLIMIT_NPROC counts per user namespace, so only the
    sandbox's own processes count) and a network namespace with no interfaces up, mapping
    our own uid and gid to themselves."""
    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER | CLONE_NEWNET)")
    for name, text in (
        ("setgroups", "deny"),
        ("uid_map", f"{uid} {uid} 1"),
        ("gid_map", f"{gid} {gid} 1"),
    ):
        fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)


@functools.cache
def user_namespaces_work() -> bool:
    """Whether an unprivileged user namespace can be made here (some distributions forbid
    it). Asked once per process by starting `/bin/true` in one."""
    try:
        done = subprocess.run(
            ["/bin/true"], preexec_fn=enter_user_namespace, check=False, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


# -- the plan -----------------------------------------------------------------------------
class ProcessIsolation(BaseModel):
    """How a process sandbox gets a process limit (and a network namespace) of its own."""

    model_config = ConfigDict(frozen=True)

    cgroups: PidsCgroups | None = None
    own_uid: bool = Field(
        default=False, description="root: a uid of its own from the reserved range"
    )
    user_namespace: bool = Field(default=False, description="not root: a user namespace of its own")

    @property
    def own_limit(self) -> bool:
        return self.cgroups is not None or self.own_uid or self.user_namespace

    @property
    def isolated_network(self) -> bool:
        return self.own_uid or self.user_namespace

    def describe(self) -> str:
        ways = []
        if self.cgroups is not None:
            ways.append(self.cgroups.describe())
        if self.own_uid:
            ways.append(f"a uid of its own from {UID_BASE}-{UID_BASE + UID_COUNT - 1}")
        if self.user_namespace:
            ways.append("a user namespace of its own (RLIMIT_NPROC counts only its processes)")
        if not ways:
            return (
                f"RLIMIT_NPROC shared with every process of uid {os.getuid()} (no pids cgroup, "
                "not root, no user namespaces): a busy machine can stop it"
            )
        return " and ".join(ways)


def plan_isolation() -> ProcessIsolation:
    is_root = os.geteuid() == 0
    return ProcessIsolation(
        cgroups=find_pids_cgroups(),
        own_uid=is_root,
        user_namespace=not is_root and user_namespaces_work(),
    )


def child_setup(
    plan: ProcessIsolation,
    *,
    cgroup: SandboxCgroup | None,
    uid: int | None,
    pids: int,
    limits: Callable[[], None],
) -> Callable[[], None]:
    """What the sandbox's first process does between fork and exec, in this order: its own
    session, its cgroup (while it may still write there), its namespaces, its rlimits, and
    last its uid."""

    def setup() -> None:
        os.setsid()
        if cgroup is not None:
            cgroup.join()
        if uid is not None:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
        elif plan.user_namespace:
            enter_user_namespace()
        limits()
        if uid is not None or plan.user_namespace or cgroup is None:
            # counted per uid (its own), per user namespace (its own), or, as a last
            # resort, shared with the user's other processes
            resource.setrlimit(resource.RLIMIT_NPROC, (pids, pids))
        if uid is not None:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)

    return setup
