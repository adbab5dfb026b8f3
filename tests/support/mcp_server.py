"""A tiny MCP server for the tests, written with the SDK's FastMCP (`MCPServer` in mcp 2).

    python tests/support/mcp_server.py              # stdio
    python tests/support/mcp_server.py --http PORT  # streamable HTTP on 127.0.0.1:PORT/mcp

`multiply` gives an answer a model could not guess (the test checks the council answer is
the server's), `secret_word` proves the call reached this process.
"""

from __future__ import annotations

import argparse

from mcp.server.mcpserver import MCPServer

server = MCPServer("council-test-tools")


@server.tool()
def multiply(a: int, b: int) -> int:
    """Multiply two whole numbers exactly."""
    return a * b


@server.tool()
def secret_word(salt: str = "") -> str:
    """The word only this server knows."""
    return "pelican" + salt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--http", type=int, default=None, help="serve streamable HTTP here")
    args = parser.parse_args()
    if args.http is None:
        server.run("stdio")
    else:
        server.run("streamable-http", host="127.0.0.1", port=args.http)


if __name__ == "__main__":
    main()
