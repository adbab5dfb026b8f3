"""The `council` command line. Subcommands import their heavy dependencies lazily."""
