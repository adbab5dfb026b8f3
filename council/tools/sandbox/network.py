"""Network policy for sandboxes: none by default; an explicit allow-list of hosts or CIDRs
(and optionally a port) for users who need a package mirror or a data service.

The allow-list is enforced outside the sandbox: the host writes a default-deny nftables
ruleset into the sandbox's own network namespace before any code runs. The code inside has
no CAP_NET_ADMIN there (Docker drops every capability; the process sandbox runs as an
unprivileged user), so it cannot change the rules, and the rules end with the namespace:
nothing is left behind on the host, however the sandbox ends.

Inspect's Docker sandbox does the same in spirit (a default-deny nftables policy in the
sandbox's network namespace, installed by a privileged helper before the workload starts:
`inspect_ai/util/_sandbox/docker/network.py`); council allows addresses and ports, not
domain names through a proxy, so names are resolved once, on the host, at start.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import socket
import subprocess
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from council.errors import SandboxUnavailableError

HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
ALLOW_NET_FORMAT = "HOST[:PORT], HOST a name, an IPv4 address or an IPv4 CIDR (10.0.0.0/8)"


class NetworkAllow(BaseModel):
    """One allow-list entry: `host` (a name, an IPv4 address or an IPv4 CIDR) and, when
    given, the one port (TCP and UDP) allowed there; without a port, every port."""

    model_config = ConfigDict(frozen=True)

    host: str
    port: int | None = Field(default=None, ge=1, le=65535)

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        """`"10.0.0.5:3128"`, `"mirror.local"` and `"10.0.0.0/8"` as written on the command
        line or in a config file."""
        if not isinstance(value, str):
            return value
        host, colon, port = value.strip().rpartition(":")
        if not colon:
            host, port = value.strip(), ""
        if not port.isdigit() and colon:
            raise PydanticCustomError(
                "allow_net", f"{value!r}: the port must be a number ({ALLOW_NET_FORMAT})"
            )
        return {"host": host, "port": int(port) if port else None}

    @model_validator(mode="after")
    def _valid_host(self) -> NetworkAllow:
        if ":" in self.host or self.host.startswith("["):
            raise PydanticCustomError(
                "allow_net", f"{self.host!r}: IPv6 is not supported yet ({ALLOW_NET_FORMAT})"
            )
        if "/" in self.host or self.host.replace(".", "").isdigit():
            try:
                ipaddress.IPv4Network(self.host, strict=False)
            except ValueError as exc:
                raise PydanticCustomError(
                    "allow_net", f"{self.host!r} is not an IPv4 address or CIDR: {exc}"
                ) from None
        elif not HOSTNAME.match(self.host):
            raise PydanticCustomError(
                "allow_net", f"{self.host!r} is not a host name ({ALLOW_NET_FORMAT})"
            )
        return self

    @property
    def is_name(self) -> bool:
        return "/" not in self.host and not self.host.replace(".", "").isdigit()

    def __str__(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"


class AllowedDestination(BaseModel):
    """An allow-list entry with its name resolved: what the rules are written from."""

    model_config = ConfigDict(frozen=True)

    network: ipaddress.IPv4Network
    port: int | None = None
    name: str | None = Field(default=None, description="the host name it was resolved from")


def resolve(entries: tuple[NetworkAllow, ...]) -> list[AllowedDestination]:
    """Every entry as addresses, names resolved now on the host (IPv4). A name that does
    not resolve is refused: a silently empty rule would look like a broken service."""
    destinations: list[AllowedDestination] = []
    for entry in entries:
        if not entry.is_name:
            network = ipaddress.IPv4Network(entry.host, strict=False)
            destinations.append(AllowedDestination(network=network, port=entry.port))
            continue
        try:
            infos = socket.getaddrinfo(entry.host, None, socket.AF_INET, socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise SandboxUnavailableError(
                f"--allow-net {entry}: {entry.host!r} does not resolve here ({exc.strerror})"
            ) from None
        for address in sorted({str(info[4][0]) for info in infos}):
            destinations.append(
                AllowedDestination(
                    network=ipaddress.IPv4Network(address), port=entry.port, name=entry.host
                )
            )
    return destinations


def host_entries(destinations: list[AllowedDestination]) -> dict[str, str]:
    """`/etc/hosts` lines for the sandbox: the names it may reach, as resolved on the host
    (it cannot ask a resolver that is not on its list)."""
    return {d.name: str(d.network.network_address) for d in destinations if d.name}


NFT_TABLE = "council_sandbox"


def nft_ruleset(destinations: list[AllowedDestination]) -> str:
    """A default-deny ruleset: loopback, replies to allowed connections, and the listed
    destinations out; nothing in but replies. IPv6 is refused too (the `inet` table). What
    is not allowed is rejected, not dropped, so code fails at once ("No route to host")
    instead of waiting out a timeout."""
    allow = []
    for destination in destinations:
        address = (
            str(destination.network.network_address)
            if destination.network.prefixlen == 32
            else str(destination.network)
        )
        if destination.port is None:
            allow.append(f"    ip daddr {address} accept")
        else:
            allow.append(
                f"    ip daddr {address} meta l4proto {{ tcp, udp }} "
                f"th dport {destination.port} accept"
            )
    return "\n".join(
        [
            f"table inet {NFT_TABLE} {{",
            "  chain output {",
            "    type filter hook output priority filter; policy drop;",
            '    oif "lo" accept',
            "    ct state established,related accept",
            *allow,
            "    reject with icmpx type admin-prohibited",
            "  }",
            "  chain input {",
            "    type filter hook input priority filter; policy drop;",
            '    iif "lo" accept',
            "    ct state established,related accept",
            "  }",
            "}",
            "",
        ]
    )


def enforcement_problem(docker_host: str | None = None) -> str | None:
    """Why an allow-list cannot be enforced on this machine, or None when it can."""
    docker_host = docker_host or os.environ.get("DOCKER_HOST")
    if docker_host and not docker_host.startswith("unix://"):
        return (
            f"--allow-net needs the Docker engine on this machine (it writes rules into the "
            f"sandbox's network namespace), not {docker_host}"
        )
    if os.geteuid() != 0:
        return (
            "an allow-list (--allow-net) is written into the sandbox's network namespace, "
            "which needs root on this machine; run as root or drop --allow-net"
        )
    missing = [tool for tool in ("nft", "nsenter") if shutil.which(tool) is None]
    if missing:
        needed = " and ".join(missing)
        return f"--allow-net needs {needed} on the host: apt-get install -y nftables util-linux"
    return None


def apply_in_namespace(pid: int, destinations: list[AllowedDestination]) -> None:
    """Write the ruleset into the network namespace of process `pid` (root, on this host)."""
    problem = enforcement_problem()
    if problem:
        raise SandboxUnavailableError(problem)
    done = subprocess.run(
        ["nsenter", f"--net=/proc/{pid}/ns/net", "nft", "-f", "-"],
        input=nft_ruleset(destinations),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SandboxUnavailableError(
            f"cannot set the sandbox's network allow-list: {done.stderr.strip()[:300]}"
        )
