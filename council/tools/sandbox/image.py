"""Building the sandbox image: python3, sympy, numpy and tini on Debian bookworm.

With a registry, from the Dockerfile beside this module; without one (offline machines),
from a minimal Debian rootfs made by debootstrap from Debian's own package mirrors, then
`docker import`. Both give the same interpreter, libraries and init.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import docker

from council.errors import SandboxUnavailableError

BuildMethod = Literal["auto", "dockerfile", "debootstrap"]
PACKAGES = "python3,python3-sympy,python3-numpy,tini"
INIT = ("/usr/bin/tini", "--")
"""The container's PID 1, Debian's `tini`, installed in the image and set as its entrypoint.

Why tini and not the supervisor as PID 1: PID 1 gets no default signal handlers (a
`docker stop` would wait out its grace period) and inherits every orphan in the
container; tini forwards signals, reaps zombies, and exits with its child, in 1 MB that
has had those corner cases fixed for years. Why in the image: Docker's `init: True`
bind-mounts the host's `docker-init` into every container, a host file inside the sandbox.
"""
REGISTRY_PROBE = ("registry-1.docker.io", 443)


def image_exists(client: Any, tag: str) -> bool:
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def registry_reachable(timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection(REGISTRY_PROBE, timeout=timeout):
            return True
    except OSError:
        return False


def build_from_dockerfile(client: Any, tag: str, log: Callable[[str], None]) -> None:
    context = Path(str(resources.files("council.tools.sandbox")))
    log(f"building {tag} from {context / 'Dockerfile'}")
    client.images.build(path=str(context), dockerfile="Dockerfile", tag=tag, rm=True)


def build_from_debootstrap(client: Any, tag: str, log: Callable[[str], None]) -> None:
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise SandboxUnavailableError(
            "building the sandbox image offline needs debootstrap: apt-get install debootstrap"
        )
    if os.geteuid() != 0:
        raise SandboxUnavailableError("debootstrap needs root: run `sudo council sandbox build`")
    with tempfile.TemporaryDirectory(prefix="council-rootfs-") as work:
        rootfs = Path(work) / "rootfs"
        log(f"debootstrap bookworm into {rootfs} (about a minute)")
        done = subprocess.run(
            [debootstrap, "--variant=minbase", f"--include={PACKAGES}", "bookworm", str(rootfs)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SandboxUnavailableError(
                f"debootstrap failed ({done.returncode}): {done.stderr.strip()[-800:]}"
            )
        archive = Path(work) / "rootfs.tar"
        log(f"packing {archive}")
        with tarfile.open(archive, "w") as tar:
            tar.add(rootfs, arcname=".")
        repository, _, version = tag.partition(":")
        log(f"docker import as {tag}")
        client.api.import_image(
            src=str(archive),
            repository=repository,
            tag=version or "latest",
            changes=[
                "USER 65534:65534",
                "WORKDIR /work",
                "ENTRYPOINT " + json.dumps(list(INIT)),
            ],
        )


def build_image(
    client: Any,
    tag: str,
    *,
    method: BuildMethod = "auto",
    force: bool = False,
    log: Callable[[str], None] = print,
) -> str:
    """Build the image unless it exists; returns what was done."""
    if not force and image_exists(client, tag):
        return f"{tag} already exists (use --force to rebuild)"
    if method == "auto":
        method = "dockerfile" if registry_reachable() else "debootstrap"
        log(
            f"registry {'reachable' if method == 'dockerfile' else 'not reachable'}: "
            f"building with {method}"
        )
    if method == "dockerfile":
        build_from_dockerfile(client, tag, log)
    else:
        build_from_debootstrap(client, tag, log)
    return f"built {tag} with {method}"
