"""Model backends. Every real model goes through litellm; `ScriptedModel` is for tests."""

from council.models.base import CallInfo, ChatModel, Completion
from council.models.factory import build_model, resolve_model_name
from council.models.scripted import ScriptedModel, ScriptedReply
from council.models.settings import DEFAULT_MODEL, ModelSettings, ModelSpec

__all__ = [
    "DEFAULT_MODEL",
    "CallInfo",
    "ChatModel",
    "Completion",
    "ModelSettings",
    "ModelSpec",
    "ScriptedModel",
    "ScriptedReply",
    "build_model",
    "resolve_model_name",
]
