"""Options shared by the commands that run models (solve, bench, chat)."""

from __future__ import annotations

import argparse

from council.config import ROLES


def add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("models")
    group.add_argument(
        "--model",
        default=None,
        help="litellm model string for every role (default: local/smollm2, embedded, offline)",
    )
    group.add_argument("--api-base", default=None, help="base URL of an OpenAI-compatible server")
    group.add_argument("--api-key", default=None, help="API key (default: from the environment)")
    group.add_argument("--temperature", type=float, default=None)
    group.add_argument("--max-tokens", type=int, default=None)
    group.add_argument("--seed", type=int, default=None)
    for role in ROLES:
        group.add_argument(f"--{role}-model", default=None, help=f"model for the {role} only")


def add_tool_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tools",
        default="",
        help="comma-separated tool sets for solver and verifier: python,sympy,calculator",
    )
    parser.add_argument(
        "--sandbox",
        choices=["docker", "process"],
        default="docker",
        help="where code runs; 'process' is NOT a security boundary",
    )


def council_config_from_args(args: argparse.Namespace) -> object:
    """Build a `CouncilConfig` from parsed options (imported lazily by handlers)."""
    from pydantic import SecretStr

    from council.config import CouncilConfig
    from council.models.factory import resolve_model_name
    from council.models.settings import ModelSettings, ModelSpec

    changes = {
        key: value
        for key, value in (
            ("temperature", args.temperature),
            ("max_tokens", args.max_tokens),
            ("seed", args.seed),
        )
        if value is not None
    }
    settings = ModelSettings(**changes)
    api_key = SecretStr(args.api_key) if args.api_key else None

    def spec(name: str | None) -> ModelSpec:
        return ModelSpec(
            name=resolve_model_name(name),
            api_base=args.api_base,
            api_key=api_key,
            settings=settings,
        )

    role_models = {
        role: spec(getattr(args, f"{role}_model"))
        for role in ROLES
        if getattr(args, f"{role}_model", None)
    }
    tools = [t.strip() for t in getattr(args, "tools", "").split(",") if t.strip()]
    return CouncilConfig(
        model=spec(args.model),
        role_models=role_models,
        max_rounds=getattr(args, "max_rounds", 3),
        tools=tools,
        sandbox=getattr(args, "sandbox", "docker"),
    )
