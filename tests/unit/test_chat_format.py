"""`ChatTemplate`: a conversation rendered with a model's own jinja template, and a final
assistant message left open the way Hugging Face's apply_chat_template(
continue_final_message=True) leaves it (the expected prompts are written out here)."""

from __future__ import annotations

import pytest

from council.errors import ConfigError
from council.models.chat_format import ChatTemplate

TRIMMING = ChatTemplate(
    text="{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content | trim }}"
    "{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}",
    bos_token="<s>",
    eos_token="</s>",
)
"""Trims each message, as Llama 3's template does."""


def test_the_first_prompt_ends_with_the_generation_prompt() -> None:
    prompt = TRIMMING.prompt([{"role": "user", "content": " Q "}])
    assert prompt == "<s><user>Q</s><assistant>"


def test_an_open_turn_ends_right_after_the_final_message() -> None:
    messages = [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "So x"}]
    assert TRIMMING.prompt(messages, open_turn=True) == "<s><user>Q</s><assistant>So x"


def test_trailing_space_a_template_trims_is_not_put_back() -> None:
    """Hugging Face cuts after the stripped text when the template dropped the spacing."""
    messages = [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "So x\n"}]
    assert TRIMMING.prompt(messages, open_turn=True) == "<s><user>Q</s><assistant>So x"


def test_an_open_turn_needs_an_assistant_message_and_a_template_that_keeps_it() -> None:
    with pytest.raises(ConfigError, match="assistant message"):
        TRIMMING.prompt([{"role": "user", "content": "Q"}], open_turn=True)
    dropping = ChatTemplate(text="{% for m in messages %}{{ m.role }};{% endfor %}")
    turn = [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "So"}]
    with pytest.raises(ConfigError, match="drops part of the final assistant message"):
        dropping.prompt(turn, open_turn=True)
