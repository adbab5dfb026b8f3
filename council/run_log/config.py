"""`config.json`: what determines a run's results (its data set, protocol, options,
models, prompt templates, grader), written once by the session that starts the run and
compared on every resume, so a resumed run computes what it began computing."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_serializer

from council.errors import ConfigError
from council.models.settings import LOCAL_CONTEXT_TOKENS, TokenPrice
from council.protocols.definition import ProtocolCard
from council.protocols.options import ProtocolOptions
from council.protocols.run_spec import RunSpec

CONFIG_FILE = "config.json"
DatasetFormat = Literal["auto", "gsm8k", "math", "jsonl"]


class DatasetSpec(BaseModel):
    """Where problems come from and which ones to take."""

    source: str = Field(description="a named set (gsm8k, math500) or a .jsonl path")
    format: DatasetFormat = "auto"
    question_field: str | None = None
    answer_field: str | None = None
    id_field: str | None = None
    limit: int | None = Field(default=None, ge=1)
    shuffle: bool = False
    seed: int = 0


RESUMABLE_CHANGES = frozenset(
    {
        "dataset.limit",
        "options.settings.timeout_seconds",
        "options.settings.max_retries",
        "options.settings.retry_backoff_seconds",
        "options.settings.max_retry_wait_seconds",
        "options.settings.requests_per_minute",
        "options.settings.tokens_per_minute",
        "options.reward.api_base",
    }
)
"""A larger --limit only adds problems (the order is fixed before the limit); how long a
call is waited for, how often it is retried, how fast requests are sent and where a server
is reached change no answer. (Models' addresses are compared without `api_base`: see
`RunConfig.compared`.)"""


class ModelRecord(BaseModel):
    role: str
    name: str
    api_base: str | None = None
    """Where the model was reached: recorded, never compared on resume (a server restarted
    on another port serves the same model); each session's is in `sessions.jsonl`."""
    price: TokenPrice | None = None
    """The declared price (`--price`), which the run's costs were computed with."""
    context_tokens: int | None = None
    """A `local/` model's context (`--context`; a run recorded before it was kept: 8192)."""


class RunConfig(BaseModel):
    """Everything that changes results. A resumed run must match it exactly."""

    dataset: DatasetSpec
    protocol: str
    options: ProtocolOptions
    models: list[ModelRecord]
    tools: list[str] = Field(default_factory=list)
    sandbox: str = "docker"
    allow_net: list[str] = Field(
        default_factory=list, description="what sandboxed code could reach (--allow-net)"
    )
    memory: bool = False
    mcp: list[str] = Field(default_factory=list, description="MCP servers whose tools agents had")
    data_sha256: str | None = Field(
        default=None, description="sha256 of the data file's bytes (None: a named set)"
    )
    prompt_hashes: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="sha256 of each agent's prompt templates"
    )
    grader: str = Field(default="", description="grader revision and math-verify version")
    card: ProtocolCard | None = Field(
        default=None,
        description="a built-in protocol as it ran: every role's decoding and templates, its "
        "counts, reference and deviations (None: a graph file)",
    )

    def compared(self) -> dict[str, Any]:
        """The config as a resume compares it: the models by role, name and declared price
        (the run's costs must be one price's), not by address (it may move between
        sessions)."""
        data = self.model_dump(mode="json")
        data["models"] = [
            {
                key: m[key]
                for key in ("role", "name", "price", "context_tokens")
                if m.get(key) is not None
            }
            | _context_of_older_runs(m)
            for m in data["models"]
        ]
        return data

    @field_serializer("options")
    def _options_the_protocol_uses(self, options: ProtocolOptions) -> dict[str, Any]:
        """Only the options the protocol reads, and decoding: one it ignores changes no
        result, so neither its value nor a changed default of it should block a resume."""
        used = RunSpec(graph=self.protocol).uses()
        recorded = options.model_dump(mode="json", include=set(used))
        # the decoding the user set, and only that: what each role ran with is in `card`
        recorded["settings"] = options.settings.model_dump(mode="json", exclude_unset=True)
        return recorded


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_sha256(source: str) -> str | None:
    """The data file's content hash; None for a named set (gsm8k, math500), which is
    fixed by name."""
    path = Path(source)
    return file_sha256(path) if path.is_file() else None


def read_config(run_dir: Path) -> RunConfig | None:
    """The run's config (None: the directory has none yet); one this version cannot read
    is an error naming the file."""
    path = run_dir / CONFIG_FILE
    if not path.exists():
        return None
    try:
        return RunConfig.model_validate_json(path.read_text())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise ConfigError(
            f"{path} is not a config this version of council reads: {first['msg']} at {where}"
        ) from exc


def _differences(saved: Any, current: Any, prefix: str = "") -> list[str]:
    if isinstance(saved, dict) and isinstance(current, dict):
        keys = sorted(set(saved) | set(current))
        return [
            d for k in keys for d in _differences(saved.get(k), current.get(k), f"{prefix}{k}.")
        ]
    return [prefix.rstrip(".")] if saved != current else []


def _lookup(data: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _short(value: Any) -> str:
    text = str(value)
    return text[:12] if isinstance(value, str) and len(value) == 64 else text


def _model_words(model: dict[str, Any]) -> str:
    price = model.get("price")
    priced = (
        f" at ${price['input_per_million']:g}/${price['output_per_million']:g} per M tokens"
        if price
        else ""
    )
    context = model.get("context_tokens")
    held = f" with a {context}-token context" if context else ""
    return f"{model['role']}: {model['name']}{held}{priced}"


def _describe(name: str, saved: dict[str, Any], current: dict[str, Any]) -> str:
    old, new = _lookup(saved, name), _lookup(current, name)
    if name == "data_sha256":
        return f"the data file's content changed (sha256 {_short(old)}… → {_short(new)}…)"
    if name.startswith("prompt_hashes."):
        return f"prompt template {name.removeprefix('prompt_hashes.')} changed"
    if name == "models":
        return (
            "the models changed ("
            + ", ".join(map(_model_words, old or []))
            + " → "
            + ", ".join(map(_model_words, new or []))
            + ")"
        )
    if name == "grader":
        return f"the grader changed ({old} → {new})"
    return f"{name} {old} → {new}"


def _context_of_older_runs(model: dict[str, Any]) -> dict[str, Any]:
    """A local/ model recorded without its context ran with the default one."""
    if str(model.get("name", "")).startswith("local/") and model.get("context_tokens") is None:
        return {"context_tokens": LOCAL_CONTEXT_TOKENS}
    return {}


def check_or_save_config(run_dir: Path, config: RunConfig) -> bool:
    """Save the config of a new run; for an existing one, refuse any difference (the data
    file is compared by content, so a moved file resumes and an edited one does not).
    Returns True when resuming."""
    saved = read_config(run_dir)
    if saved is None:
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / CONFIG_FILE).write_text(config.model_dump_json(indent=2))
        return False
    resumable = set(RESUMABLE_CHANGES)
    if saved.data_sha256 is not None and saved.data_sha256 == config.data_sha256:
        resumable.add("dataset.source")
    old, new = saved.compared(), config.compared()
    differences = [d for d in _differences(old, new) if d not in resumable]
    if differences:
        shown = "; ".join(_describe(d, old, new) for d in differences)
        raise ConfigError(
            f"{run_dir} holds a run with a different configuration: {shown}; "
            "resume with the same data, prompts, grader and options, or use a new --out"
        )
    return True
