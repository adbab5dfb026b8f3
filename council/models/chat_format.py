"""A model's own chat template, rendered into the one raw prompt a `/completions` call sends.

Why: a server that does not extend a final assistant message (llama-cpp-python's, which
serves the embedded model, renders every chat with `add_generation_prompt` and so opens a
new assistant turn) can still continue a turn through its raw completion endpoint, as
Qwen2.5-Math's math_eval.py does with vLLM (prompt plus the text generated so far). The
prompt must then be the model's own rendering, so it is rendered as llama.cpp's Python
server renders its chat endpoint: llama-cpp-python's `Jinja2ChatFormatter` (its sandboxed
jinja2 environment, `trim_blocks` and `lstrip_blocks`, Hugging Face's `tojson`, the
template's `bos_token` and `eos_token`).

A conversation that ends with a partial assistant message is left open the way Hugging
Face's `apply_chat_template(continue_final_message=True)` leaves it (transformers,
`render_jinja_template` in src/transformers/utils/chat_template_utils.py), which vLLM's and
SGLang's `continue_final_message` use: the whole chat is rendered without a generation
prompt and cut right after the final message's text, so its end-of-turn token and what
follows are dropped. For templates that copy a message's text unchanged (ChatML: Qwen2.5,
SmolLM2) the prompt is the first prompt plus the turn so far, byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from council.errors import ConfigError


class ChatTemplate(BaseModel):
    """A jinja chat template, as in a GGUF's `tokenizer.chat_template` or a Hugging Face
    `tokenizer_config.json`, with the special-token texts it may name."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(min_length=1)
    bos_token: str = ""
    eos_token: str = ""

    def prompt(self, messages: Sequence[dict[str, Any]], *, open_turn: bool = False) -> str:
        """The prompt for `messages` (OpenAI-style role/content dicts): with the generation
        prompt, or, with `open_turn`, ending inside the final assistant message."""
        if not open_turn:
            return _formatter(self, add_generation_prompt=True)(messages=list(messages)).prompt
        if not messages or messages[-1].get("role") != "assistant":
            raise ConfigError(
                "an open turn needs the conversation to end with an assistant message"
            )
        rendered = _formatter(self, add_generation_prompt=False)(messages=list(messages)).prompt
        return _cut_after_final_message(rendered, str(messages[-1].get("content") or ""))


def _cut_after_final_message(rendered: str, final: str) -> str:
    """Hugging Face's continue_final_message cut (see the module docstring)."""
    if final.strip() not in rendered:
        raise ConfigError(
            "the chat template drops part of the final assistant message, so the turn "
            "cannot be continued as a raw prompt; use another continuation"
        )
    at = rendered.rindex(final.strip())
    if rendered[at : at + len(final.lstrip())] == final:
        return rendered[: at + len(final.lstrip())]
    return rendered[: at + len(final.strip())]  # the template trimmed trailing space


@lru_cache(maxsize=16)
def _formatter(template: ChatTemplate, *, add_generation_prompt: bool) -> Any:
    """A compiled formatter per template (compiling costs milliseconds; a run renders one
    template many times). Imported here: llama_cpp loads its native library on import."""
    # start-up: 0.5-0.6 s (llama_cpp loads its native library), on the --help path
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    return Jinja2ChatFormatter(
        template=template.text,
        eos_token=template.eos_token,
        bos_token=template.bos_token,
        add_generation_prompt=add_generation_prompt,
    )
