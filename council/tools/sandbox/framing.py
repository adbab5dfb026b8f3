"""The host side of the sandbox wire format, plus Docker's attach-stream demultiplexing.

Frames: a 4-byte big-endian length and JSON. Readers always drain their stream to the end
of what arrives (a stalled attach stream made `docker kill` hang on this machine), and
only complete frames leave them.
"""

from __future__ import annotations

import json
import struct
from importlib import resources
from typing import Any

HEADER = struct.Struct(">I")
DOCKER_HEADER = struct.Struct(">BxxxI")
STDOUT = 1

# Runs first in the sandbox's python3: read the supervisor's source from stdin, run it.
BOOTSTRAP = (
    "import os,struct\n"
    "def r(n):\n"
    "    b=b''\n"
    "    while len(b)<n:\n"
    "        c=os.read(0,n-len(b))\n"
    "        if not c: raise SystemExit(1)\n"
    "        b+=c\n"
    "    return b\n"
    "src=r(struct.unpack('>I',r(4))[0])\n"
    "exec(compile(src,'council-supervisor','exec'),{'__name__':'__main__'})\n"
)


def supervisor_source() -> bytes:
    return (resources.files("council.tools.sandbox") / "supervisor.py").read_bytes()


def encode(message: dict[str, Any] | bytes) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return HEADER.pack(len(body)) + body


class FrameDecoder:
    """Feed bytes in, get whole messages out."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        self._buffer += data
        messages = []
        while len(self._buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self._buffer)
            if len(self._buffer) < HEADER.size + size:
                break
            body = bytes(self._buffer[HEADER.size : HEADER.size + size])
            del self._buffer[: HEADER.size + size]
            messages.append(json.loads(body))
        return messages


class DockerStreamDemux:
    """Split Docker's multiplexed attach stream (8-byte headers) into stdout bytes;
    stderr is kept only as a short tail for diagnostics."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.stderr_tail = b""

    def feed(self, data: bytes) -> bytes:
        self._buffer += data
        stdout = bytearray()
        while len(self._buffer) >= DOCKER_HEADER.size:
            stream, size = DOCKER_HEADER.unpack_from(self._buffer)
            if len(self._buffer) < DOCKER_HEADER.size + size:
                break
            payload = bytes(self._buffer[DOCKER_HEADER.size : DOCKER_HEADER.size + size])
            del self._buffer[: DOCKER_HEADER.size + size]
            if stream == STDOUT:
                stdout += payload
            else:
                self.stderr_tail = (self.stderr_tail + payload)[-4096:]
        return bytes(stdout)
