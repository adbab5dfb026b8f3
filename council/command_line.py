"""The command line, as every front end takes it: the flags shared by the commands that run
models (solve, bench, chat, serve, mcp), how they become a `RunSpec`, and how the
long-lived commands (chat, serve, mcp) build a runner per request (`runner_factory`), so
`/model NAME` in the REPL, the web UI's model picker and `solve(model=...)` over MCP mean
the same thing: that model for every role."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, SecretStr, ValidationError

from council.chat.scripted import load_script
from council.config import ROLES, CouncilConfig
from council.errors import ConfigError
from council.models.factory import resolve_model_name
from council.models.roles import RoleModels
from council.models.settings import ModelSettings, ModelSpec, TokenPrice

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

    from council.models.scripted import ScriptedModel
    from council.protocols.run_spec import RunSpec
    from council.runner import GraphRunner, RunnerFactory

Options = TypeVar("Options", bound=BaseModel)


EXIT_PROBLEM_ERRORS = 3
"""A run finished but some problems errored (the same command runs them again)."""
EXIT_BUDGET = 4
"""A budget stopped a run, study or search cleanly (raise it and run the same command)."""


def add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("models")
    group.add_argument(
        "--model",
        default=None,
        help="litellm model string for every role (default: local/smollm2, embedded, offline)",
    )
    group.add_argument("--api-base", default=None, help="base URL of an OpenAI-compatible server")
    group.add_argument("--api-key", default=None, help="API key (default: from the environment)")
    group.add_argument(
        "--price",
        default=None,
        metavar="IN,OUT",
        help="USD per million prompt and completion tokens, e.g. 0.15,0.60: prices every "
        "call (default: litellm's price list for hosted models; none for an --api-base server)",
    )
    group.add_argument(
        "--context",
        type=int,
        default=None,
        metavar="TOKENS",
        help="a local/ model's context, prompt and reply (default 8192; Qwen2.5 was trained "
        "on 32768): a longer one holds longer debates, at more memory",
    )
    group.add_argument("--temperature", type=float, default=None)
    group.add_argument("--max-tokens", type=int, default=None)
    group.add_argument("--seed", type=int, default=None)
    group.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds one model call may take before it is retried (default 120; a slow "
        "or busy server needs more)",
    )
    group.add_argument(
        "--max-retry-wait",
        type=float,
        default=None,
        help="seconds one model call may spend waiting between its tries, all together "
        "(default 300): rate limits are waited out up to this, other failures retried 4 times",
    )
    group.add_argument(
        "--rpm",
        type=float,
        default=None,
        help="the provider's requests-per-minute limit for the model, if it publishes one "
        "(default: learned from its refusals)",
    )
    group.add_argument(
        "--tpm",
        type=float,
        default=None,
        help="the provider's tokens-per-minute limit for the model, if it publishes one",
    )
    for role in ROLES:
        group.add_argument(f"--{role}-model", default=None, help=f"model for the {role} only")
    parser.add_argument(
        "--trace",
        action="store_true",
        help="export OpenTelemetry traces (OTEL_EXPORTER_OTLP_* settings; also COUNCIL_TRACE=1)",
    )


def add_tool_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tools",
        default="",
        help="comma-separated tool sets for solver and verifier: python,sympy,calculator",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="documents for the search tool (tool-planner's knowledge retrieval, or a graph "
        "file's `search`): a .jsonl with a text field per line, or a folder of .txt/.md",
    )
    parser.add_argument(
        "--sandbox",
        choices=["docker", "process"],
        default="docker",
        help="where code runs; 'process' is NOT a security boundary",
    )
    parser.add_argument(
        "--allow-net",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="let sandboxed code reach this host, IPv4 address or CIDR (on this port only, "
        "when given); repeatable; default: no network at all (Docker sandbox, root)",
    )
    parser.add_argument(
        "--mcp",
        action="append",
        default=[],
        metavar="SERVER",
        help="give agents the tools of an MCP server: a command ('python my_server.py', "
        "stdio) or a streamable HTTP URL; repeatable",
    )


def add_protocol_options(group: Any) -> None:
    """The protocol options (`ProtocolOptions`), the same flags for every command that
    runs or shows a protocol; unset flags leave the protocol's own defaults."""
    group.add_argument(
        "--agents", type=int, default=None, help="debaters (debate), proposers (moa)"
    )
    group.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="debate rounds / solve attempts / moa layers (default: the protocol's)",
    )
    group.add_argument(
        "--samples", type=int, default=None, help="samples (self-consistency, best-of-n)"
    )
    group.add_argument(
        "--early-stop",
        action="store_true",
        default=None,
        help="end a debate once every debater commits to one value (Du et al. run all rounds)",
    )
    group.add_argument(
        "--max-executions", type=int, default=None, help="code runs per answer (tir; default 4)"
    )
    group.add_argument(
        "--scorer",
        choices=["vote", "verifier", "execution", "reward-model"],
        default=None,
        help="how best-of-n picks its answer (default verifier)",
    )
    group.add_argument(
        "--first-samples",
        type=int,
        default=None,
        help="cascade: samples that must agree on one value (2)",
    )
    group.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="cascade: vote share that answers after the last sample (0.6)",
    )
    group.add_argument(
        "--final-stage",
        choices=["none", "tir", "debate"],
        default=None,
        help="cascade: last stage when the ballots disagree (none)",
    )
    group.add_argument("--reward-api-base", default=None, help="reward model server (best-of-n)")
    group.add_argument("--reward-model", default=None, help="reward model name (best-of-n)")
    group.add_argument(
        "--reward-api", choices=["pooling", "classify"], default="pooling", help="its endpoint"
    )


def protocol_values(args: argparse.Namespace) -> dict[str, Any]:
    """The protocol options given on the command line, and only those: an option the
    chosen protocol does not use is refused by name (`ProtocolDefinition.check_options`)."""
    names = (
        "agents",
        "rounds",
        "samples",
        "early_stop",
        "max_executions",
        "scorer",
        "corpus",
        "first_samples",
        "threshold",
        "final_stage",
    )
    values = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    if args.reward_api_base or args.reward_model:
        if not (args.reward_api_base and args.reward_model):
            raise ConfigError("a reward model needs both --reward-api-base and --reward-model")
        values["reward"] = {
            "api_base": args.reward_api_base,
            "model": args.reward_model,
            "api": args.reward_api,
        }
    return values


def run_spec_from_args(args: argparse.Namespace, graph: str | None) -> RunSpec:
    """The `RunSpec` the flags give: models, tools and sandbox, and only the protocol
    options given (the protocol's definition fills in the rest). Commands without protocol
    flags (chat, serve, mcp) pass the corpus alone, if given."""
    # start-up: the graph layer, which `council --help` must not import (council.main)
    from council.protocols.options import ProtocolOptions
    from council.protocols.run_spec import RunSpec  # start-up: as above

    config = council_config_from_args(args)
    if hasattr(args, "samples"):
        values = protocol_values(args)
    else:
        values = {"corpus": args.corpus} if getattr(args, "corpus", None) else {}
    options = validated(ProtocolOptions, **values, settings=config.model.settings)
    return RunSpec(
        graph=graph or "solve",
        options=options,
        config=config,
        model_given=bool(args.model),
        cache=getattr(args, "cache", None),
    )


def council_config_from_args(args: argparse.Namespace) -> CouncilConfig:
    """Build a `CouncilConfig` from parsed options."""
    changes = {
        key: value
        for key, value in (
            ("temperature", args.temperature),
            ("max_tokens", args.max_tokens),
            ("seed", args.seed),
            ("timeout_seconds", args.timeout),
            ("max_retry_wait_seconds", getattr(args, "max_retry_wait", None)),
            ("requests_per_minute", getattr(args, "rpm", None)),
            ("tokens_per_minute", getattr(args, "tpm", None)),
        )
        if value is not None
    }
    settings = validated(ModelSettings, **changes)
    api_key = SecretStr(args.api_key) if args.api_key else None
    price_text = getattr(args, "price", None)
    try:
        price = TokenPrice.parse(price_text) if price_text else None
    except ValueError as exc:
        raise ConfigError(str(exc)) from None

    def spec(name: str | None) -> ModelSpec:
        return validated(
            ModelSpec,
            name=resolve_model_name(name),
            api_base=args.api_base,
            api_key=api_key,
            settings=settings,
            price=price,
            context_tokens=getattr(args, "context", None),
        )

    role_models = {
        role: spec(getattr(args, f"{role}_model"))
        for role in ROLES
        if getattr(args, f"{role}_model", None)
    }
    tools = [t.strip() for t in getattr(args, "tools", "").split(",") if t.strip()]
    return validated(
        CouncilConfig,
        model=spec(args.model),
        role_models=role_models,
        tools=tools,
        mcp=list(getattr(args, "mcp", None) or []),
        sandbox=getattr(args, "sandbox", "docker"),
        allow_net=tuple(getattr(args, "allow_net", None) or ()),
    )


def validated(options: type[Options], /, **values: Any) -> Options:
    """Build options from command-line values; an invalid one is a one-line `ConfigError`
    naming the flag and its valid range. The bounds live on the pydantic models, so the
    library and the CLI refuse the same values."""
    try:
        return options(**values)
    except ValidationError as exc:
        raise ConfigError(describe_invalid(options, exc)) from None


def describe_invalid(model: type[BaseModel], exc: ValidationError) -> str:
    error = exc.errors()[0]
    if not error["loc"]:  # a rule across fields: its own message says what to fix
        return str(error["msg"]).removeprefix("Value error, ")
    name = str(error["loc"][0])
    field = model.model_fields.get(name)
    extra = field.json_schema_extra if field is not None else None
    flag = extra.get("flag") if isinstance(extra, dict) else None
    flag = str(flag) if flag else "--" + name.replace("_", "-")
    valid = _valid_range(field) if field is not None else ""
    got = error.get("input")
    if valid:
        return f"{flag} must be {valid} (got {got})"
    return f"{flag}: {error['msg'].lower()} (got {got})"


def _valid_range(field: FieldInfo) -> str:
    """'a whole number from 1 to 32', 'a number from 0.0 to 2.0', 'at least 1', ..."""
    low = high = None
    low_open = high_open = False
    for bound in field.metadata:
        if getattr(bound, "ge", None) is not None:
            low = bound.ge
        if getattr(bound, "gt", None) is not None:
            low, low_open = bound.gt, True
        if getattr(bound, "le", None) is not None:
            high = bound.le
        if getattr(bound, "lt", None) is not None:
            high, high_open = bound.lt, True
    if low is None and high is None:
        return ""
    kind = "a whole number" if "int" in str(field.annotation) else "a number"
    if low is not None and high is not None and not (low_open or high_open):
        return f"{kind} from {low} to {high}"
    parts = []
    if low is not None:
        parts.append(f"{'above' if low_open else 'at least'} {low}")
    if high is not None:
        parts.append(f"{'below' if high_open else 'at most'} {high}")
    return f"{kind} {' and '.join(parts)}"


def load_scripted(path: Path | None) -> ScriptedModel | None:
    """`--scripted FILE` (a testing aid): every role answers from the JSON script."""
    if path is None:
        return None
    return load_script(path)


def runner_factory(spec: RunSpec, scripted: Path | ScriptedModel | None = None) -> RunnerFactory:
    """Runners for (graph, model) requests, each built from `spec` the one way."""
    model_script = load_scripted(scripted) if isinstance(scripted, Path) else scripted

    def make_runner(graph: str, model: str | None) -> GraphRunner:
        run = spec.with_graph(graph)
        if model and resolve_model_name(model) != spec.config.model.name:
            run = run.on_model(model)
        elif model:
            run = run.model_copy(update={"model_given": True})
        models = RoleModels(model_script) if model_script is not None else None
        return run.build(models=models)

    return make_runner
