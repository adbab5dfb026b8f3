"""What a sandbox is allowed, decided without starting one: the allow-list's syntax and
rules, where a pids cgroup can be made, and which uid a process sandbox may lease."""

from __future__ import annotations

import argparse
import ipaddress
import os
import pwd
from pathlib import Path

import pytest
from pydantic import ValidationError

from council.command_line import add_tool_options, council_config_from_args
from council.protocols.run_spec import sandbox_config
from council.tools.sandbox.network import (
    AllowedDestination,
    NetworkAllow,
    host_entries,
    nft_ruleset,
    resolve,
)
from council.tools.sandbox.process_limits import UidLease, find_pids_cgroups


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("10.0.0.5:3128", "10.0.0.5", 3128),
        ("10.0.0.0/8", "10.0.0.0/8", None),
        ("10.1.0.0/16:443", "10.1.0.0/16", 443),
        ("mirror.example.org", "mirror.example.org", None),
        ("localhost:8080", "localhost", 8080),
    ],
)
def test_allow_entries_parse_from_text(text: str, host: str, port: int | None) -> None:
    entry = NetworkAllow.model_validate(text)
    assert (entry.host, entry.port) == (host, port)
    assert str(entry) == text


@pytest.mark.parametrize(
    "text", ["10.0.0.5:http", "10.0.0.0/33", "[::1]:80", "bad_name!", "10.0.0.5:70000"]
)
def test_bad_allow_entries_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        NetworkAllow.model_validate(text)


def test_the_ruleset_denies_by_default_and_lists_each_destination() -> None:
    rules = nft_ruleset(
        [
            AllowedDestination(network=ipaddress.IPv4Network("10.0.0.5"), port=3128),
            AllowedDestination(network=ipaddress.IPv4Network("192.168.0.0/16")),
        ]
    )
    assert "type filter hook output priority filter; policy drop;" in rules
    assert "type filter hook input priority filter; policy drop;" in rules
    assert "ip daddr 10.0.0.5 meta l4proto { tcp, udp } th dport 3128 accept" in rules
    assert "ip daddr 192.168.0.0/16 accept" in rules
    assert rules.count("accept") == 6  # lo and replies, both ways, and the two listed
    assert rules.index("reject") > rules.index("192.168.0.0/16")  # the rest is refused


def test_names_resolve_on_the_host_and_go_to_the_sandbox_hosts_file() -> None:
    destinations = resolve((NetworkAllow.model_validate("localhost:80"),))
    assert [str(d.network) for d in destinations] == ["127.0.0.1/32"]
    assert host_entries(destinations) == {"localhost": "127.0.0.1"}


def test_the_cli_flag_reaches_the_run_config_and_the_sandbox() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    for name in ("api_base", "api_key", "temperature", "max_tokens", "seed", "timeout"):
        parser.add_argument(f"--{name.replace('_', '-')}", default=None)
    add_tool_options(parser)
    args = parser.parse_args(["--allow-net", "10.0.0.5:3128", "--allow-net", "10.9.0.0/16"])
    config = council_config_from_args(args)
    sandbox = sandbox_config(config)  # type: ignore[arg-type]
    assert [str(entry) for entry in sandbox.allow_net] == ["10.0.0.5:3128", "10.9.0.0/16"]


# -- pids cgroups -------------------------------------------------------------------------
def fake_v2(tmp_path: Path, *, delegated: str) -> tuple[Path, Path]:
    """A cgroup2 tree: root > user.slice > app.slice > me.scope (where we run)."""
    root = tmp_path / "cgroup"
    me = root / "user.slice" / "app.slice" / "me.scope"
    me.mkdir(parents=True)
    for directory in (root, root / "user.slice", root / "user.slice" / "app.slice", me):
        (directory / "cgroup.controllers").write_text("cpu memory pids\n")
        (directory / "cgroup.subtree_control").write_text("")
        (directory / "cgroup.procs").write_text("")
    (me / "cgroup.procs").write_text(f"{os.getpid()}\n")
    (root / delegated / "cgroup.subtree_control").write_text("cpu pids\n")
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(f"41 31 0:38 / {root} rw,relatime - cgroup2 cgroup2 rw\n")
    own = tmp_path / "self-cgroup"
    own.write_text("0::/user.slice/app.slice/me.scope\n")
    return mountinfo, own


def test_v2_sandboxes_go_under_the_nearest_cgroup_that_can_have_pids_children(
    tmp_path: Path,
) -> None:
    mountinfo, own = fake_v2(tmp_path, delegated="user.slice/app.slice")
    groups = find_pids_cgroups(mountinfo, own)
    assert groups is not None and groups.version == 2
    assert groups.parent == tmp_path / "cgroup/user.slice/app.slice/council-sandboxes"
    assert (groups.parent / "cgroup.subtree_control").read_text() == "+pids"


def test_v1_sandboxes_go_under_our_own_pids_cgroup(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    (pids / "job").mkdir(parents=True)
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(f"39 31 0:36 / {pids} rw,relatime - cgroup cgroup rw,pids\n")
    own = tmp_path / "self-cgroup"
    own.write_text("8:pids:/job\n4:memory:/\n0::/\n")
    # a real pids hierarchy makes pids.max in every new directory; a tmp dir does not
    (pids / "job" / "council-sandboxes").mkdir()
    (pids / "job" / "council-sandboxes" / "pids.max").write_text("max")
    groups = find_pids_cgroups(mountinfo, own)
    assert groups is not None and groups.version == 1
    assert groups.parent == pids / "job" / "council-sandboxes"


def test_no_cgroup_where_none_can_be_made(tmp_path: Path) -> None:
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text("31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw\n")
    own = tmp_path / "self-cgroup"
    own.write_text("0::/\n")
    assert find_pids_cgroups(mountinfo, own) is None


# -- uids ---------------------------------------------------------------------------------
def test_leased_uids_never_collide(tmp_path: Path) -> None:
    """Three uids: one has a passwd entry, one is in a subuid range; the third is the only
    one to lease, and a second lease must not get it while the first holds it."""
    named = pwd.getpwnam("nobody").pw_uid
    base = named - 1  # base: free? base + 1: nobody; base + 2: in a subordinate range
    subuid = tmp_path / "subuid"
    subuid.write_text(f"someone:{base + 2}:1\n")
    if any(entry.pw_uid == base for entry in pwd.getpwall()):
        pytest.skip(f"uid {base} is named on this machine")
    first = UidLease.acquire(tmp_path / "leases", base=base, count=3, subordinate=(subuid,))
    assert first.uid == base
    with pytest.raises(OSError, match="in use"):
        UidLease.acquire(tmp_path / "leases", base=base, count=3, subordinate=(subuid,))
    first.release()
    again = UidLease.acquire(tmp_path / "leases", base=base, count=3, subordinate=(subuid,))
    assert again.uid == base
    again.release()
