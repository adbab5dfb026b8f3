"""Errors users see. Each message says what went wrong and what to do about it."""

from __future__ import annotations


class CouncilError(Exception):
    """Base for errors the CLI reports as a one-line message instead of a traceback."""


class ConfigError(CouncilError):
    """Bad configuration: a graph file, a model option, a data set path."""


class GraphShapeError(ConfigError):
    """A graph that cannot run as drawn; `nodes` names where, so config files can point at
    the line that defines them."""

    def __init__(self, message: str, nodes: list[str] | None = None) -> None:
        super().__init__(message)
        self.nodes = nodes or []


class ModelError(CouncilError):
    """A model could not be called."""


class UnknownModelError(ModelError):
    pass


class MissingCredentialsError(ModelError):
    pass


class ModelUnreachableError(ModelError):
    pass


class ContextLengthError(ModelError):
    """This call's prompt and reply do not fit the model's context: that problem's own
    failure (a long question), not the run's."""


class SandboxUnavailableError(CouncilError):
    """Code tools were asked for but no sandbox can run; never fall back to the host."""


class DatasetError(CouncilError):
    """A malformed data set: the message names the file and line."""


class ModelCrashedError(ModelError):
    """The process running a model died (a native crash, an out-of-memory kill). A run
    cannot go on with that model: the bench stops (keeping what finished) and says how to
    resume."""


RUN_FAULTS: tuple[type[CouncilError], ...] = (ModelError, SandboxUnavailableError)
"""Failures of the run's environment rather than of one problem or one tool call: a model
that cannot be reached or refuses the key, a sandbox that cannot start. They would repeat
on every call, so tools let them propagate (instead of handing the model an error text) and
the bench stops after a few in a row (`council.bench.faults`)."""
