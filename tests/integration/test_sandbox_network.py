"""The network allow-list, against a service this test makes itself: a network namespace
joined to the host by a veth pair, serving HTTP on two ports. Listed, a port is reached;
not listed (another port, the host's side of the link, or no list at all), it is not."""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from council.errors import SandboxUnavailableError
from council.tools.sandbox import SandboxConfig, open_sandbox
from tests.integration.test_sandbox import docker_ready
from tests.support.servers import wait_for_http

pytestmark = [
    pytest.mark.docker,
    pytest.mark.skipif(not docker_ready(), reason="no Docker engine/image here"),
    pytest.mark.skipif(
        os.geteuid() != 0 or not all(shutil.which(t) for t in ("ip", "nft", "nsenter")),
        reason="making a network namespace and setting rules need root, ip, nft, nsenter",
    ),
]
TEST_NET = ipaddress.IPv4Network("198.51.100.0/24")
"""TEST-NET-2 (RFC 5737): documentation addresses, never routed anywhere real."""
LISTED, UNLISTED = 8001, 8002


class Service(BaseModel):
    address: str
    host_side: str


def free_link() -> ipaddress.IPv4Network:
    """A /30 of TEST-NET-2 no route on this host uses yet (other runs may hold some)."""
    routes = subprocess.run(["ip", "-4", "route"], capture_output=True, text=True).stdout
    used = {ipaddress.IPv4Network(word, strict=False) for word in routes.split() if "/" in word}
    start = os.getpid() % 64
    for index in range(64):
        link = list(TEST_NET.subnets(new_prefix=30))[(start + index) % 64]
        if not any(link.overlaps(network) for network in used):
            return link
    pytest.skip("no free /30 in TEST-NET-2 on this host")


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    namespace = f"council-t{os.getpid()}"
    host_link, inner_link = f"ct{os.getpid()}h", f"ct{os.getpid()}s"
    link = free_link()
    host_side, address = (str(ip) for ip in list(link.hosts())[:2])
    steps = [
        ["ip", "netns", "add", namespace],
        ["ip", "link", "add", host_link, "type", "veth", "peer", "name", inner_link],
        ["ip", "link", "set", inner_link, "netns", namespace],
        ["ip", "addr", "add", f"{host_side}/30", "dev", host_link],
        ["ip", "link", "set", host_link, "up"],
        ["ip", "-n", namespace, "addr", "add", f"{address}/30", "dev", inner_link],
        ["ip", "-n", namespace, "link", "set", inner_link, "up"],
        ["ip", "-n", namespace, "link", "set", "lo", "up"],
    ]
    servers: list[subprocess.Popen[bytes]] = []
    try:
        for step in steps:
            subprocess.run(step, check=True)
        for port in (LISTED, UNLISTED):
            serve = ["python3", "-m", "http.server", str(port), "--bind", address]
            server = subprocess.Popen(
                ["ip", "netns", "exec", namespace, *serve],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd="/",
            )
            servers.append(server)
            wait_for_http(f"http://{address}:{port}/", server)
        yield Service(address=address, host_side=host_side)
    finally:
        for server in servers:
            server.kill()
            server.wait()
        subprocess.run(["ip", "netns", "del", namespace], check=False)  # takes the veth pair


def fetch(address: str, port: int) -> str:
    return f"""
import urllib.request
try:
    print(urllib.request.urlopen("http://{address}:{port}/", timeout=5).status)
except OSError as exc:
    print("unreachable", exc)
"""


async def reach(config: SandboxConfig, address: str, port: int) -> str:
    async with open_sandbox("docker", config) as session:
        result = await session.run(fetch(address, port))
    assert result.error is None, result
    return result.stdout.strip()


async def test_a_listed_address_and_port_is_reachable(service: Service) -> None:
    config = SandboxConfig(allow_net=(f"{service.address}:{LISTED}",), preload=())
    assert await reach(config, service.address, LISTED) == "200"


async def test_another_port_of_a_listed_address_is_not(service: Service) -> None:
    config = SandboxConfig(allow_net=(f"{service.address}:{LISTED}",), preload=())
    assert (await reach(config, service.address, UNLISTED)).startswith("unreachable")


async def test_the_host_is_not_reachable_when_not_listed(service: Service) -> None:
    """The host's side of the link answers on the host; only the service is listed."""
    with subprocess.Popen(
        ["python3", "-m", "http.server", str(LISTED), "--bind", service.host_side],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd="/",
    ) as host_server:
        try:
            wait_for_http(f"http://{service.host_side}:{LISTED}/", host_server)
            config = SandboxConfig(allow_net=(f"{service.address}:{LISTED}",), preload=())
            assert (await reach(config, service.host_side, LISTED)).startswith("unreachable")
        finally:
            host_server.kill()


async def test_a_listed_network_allows_every_port(service: Service) -> None:
    config = SandboxConfig(allow_net=(f"{service.address}/32",), preload=())
    async with open_sandbox("docker", config) as session:
        listed = await session.run(fetch(service.address, LISTED))
        other = await session.run(fetch(service.address, UNLISTED))
    assert (listed.stdout.strip(), other.stdout.strip()) == ("200", "200")


async def test_no_list_means_no_network(service: Service) -> None:
    config = SandboxConfig(preload=())
    assert (await reach(config, service.address, LISTED)).startswith("unreachable")


async def test_the_process_sandbox_refuses_a_list_it_cannot_enforce() -> None:
    config = SandboxConfig(allow_net=("10.0.0.1:80",), preload=())
    with pytest.raises(SandboxUnavailableError, match="cannot enforce"):
        async with open_sandbox("process", config):
            pass
