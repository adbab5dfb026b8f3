"""council as an MCP server: its tools (`server`) and the `council mcp` command."""
