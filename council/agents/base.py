"""The agent loop shared by every role: prompt, call, use tools, parse, recover.

Roles differ only in prompts, output schema and which tools they may call, so one loop
serves them all; a role is a few lines of data on top of `Agent`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Generic, Literal, TypeVar, cast

from pydantic import BaseModel, Field

from council.agents.output import AgentOutput
from council.agents.parsing import OutputParseError
from council.agents.prompting import AgentPrompts
from council.agents.tool_text import find_text_tool_calls, strip_tool_blocks
from council.messages import Message
from council.models.base import CallInfo, ChatModel, Completion
from council.models.settings import ModelSettings
from council.tools.base import ToolContext, ToolRegistry
from council.usage import Usage

OutputT = TypeVar("OutputT", bound=AgentOutput)


class ToolTrace(BaseModel):
    """One tool call made while an agent worked: what ran and what came back."""

    tool: str
    arguments: dict[str, object] = Field(default_factory=dict)
    output: str
    via: Literal["native", "fenced"] = "native"


class AgentResult(BaseModel, Generic[OutputT]):
    role: str
    output: OutputT
    text: str
    parse: Literal["ok", "repaired", "fallback"]
    usage: list[Usage] = Field(default_factory=list)
    model: str = ""
    tool_traces: list[ToolTrace] = Field(default_factory=list)


class Agent(Generic[OutputT]):
    """A role: prompts, an output schema, a model, and optionally tools."""

    role: str = "agent"
    prompts: AgentPrompts
    output_type: type[OutputT]
    default_max_tokens: int = 512
    """Used when the settings leave max_tokens unset: verdicts need far fewer than proofs."""

    def __init__(
        self,
        model: ChatModel,
        *,
        role: str | None = None,
        prompts: AgentPrompts | None = None,
        output_type: type[OutputT] | None = None,
        tools: ToolRegistry | None = None,
        settings: ModelSettings | None = None,
        max_tool_turns: int = 4,
    ) -> None:
        self.model = model
        if role is not None:
            self.role = role
        if prompts is not None:
            self.prompts = prompts
        if output_type is not None:
            self.output_type = output_type
        self.tools = tools or ToolRegistry()
        if settings is not None and settings.max_tokens is None:
            settings = settings.model_copy(update={"max_tokens": self.default_max_tokens})
        self.settings = settings
        self.max_tool_turns = max_tool_turns

    def __repr__(self) -> str:
        return f"{type(self).__name__}(role={self.role!r}, model={self.model.name!r})"

    def build_messages(
        self, variables: Mapping[str, object], history: Sequence[Message] = ()
    ) -> list[Message]:
        values = {"format": self.output_type.FORMAT, **variables}
        return [
            Message.system(self.prompts.system.render(values)),
            *history,
            Message.user(self.prompts.task.render(values)),
        ]

    async def run(
        self,
        variables: Mapping[str, object],
        *,
        history: Sequence[Message] = (),
        context: ToolContext | None = None,
        call: CallInfo | None = None,
    ) -> AgentResult[OutputT]:
        messages = self.build_messages(variables, history)
        usage: list[Usage] = []
        traces: list[ToolTrace] = []
        call = call or CallInfo(agent=self.role, role=self.role)
        completion = await self._complete_with_tools(messages, usage, traces, context, call)
        text = completion.text
        try:
            return self._result(self.output_type.parse(text), text, "ok", usage, traces)
        except OutputParseError as first_error:
            repair = self.prompts.repair.render(
                {"error": str(first_error), "format": self.output_type.FORMAT}
            )
            retry_messages = [*messages, Message.assistant(text), Message.user(repair)]
            retry = await self.model.complete(retry_messages, settings=self.settings, call=call)
            usage.append(retry.usage)
            try:
                return self._result(
                    self.output_type.parse(retry.text), retry.text, "repaired", usage, traces
                )
            except OutputParseError:
                fallback = self.output_type.fallback(text)
                return self._result(fallback, text, "fallback", usage, traces)

    def _result(
        self,
        output: AgentOutput,
        text: str,
        parse: Literal["ok", "repaired", "fallback"],
        usage: list[Usage],
        traces: list[ToolTrace],
    ) -> AgentResult[OutputT]:
        return AgentResult[OutputT](
            role=self.role,
            output=cast(OutputT, output),
            text=text,
            parse=parse,
            usage=usage,
            model=self.model.name,
            tool_traces=traces,
        )

    async def _complete_with_tools(
        self,
        messages: list[Message],
        usage: list[Usage],
        traces: list[ToolTrace],
        context: ToolContext | None,
        call: CallInfo,
    ) -> Completion:
        """Call the model, running tool calls (native or fenced code) until it answers."""
        native = bool(self.tools) and self.model.supports_native_tools
        schemas = [t.openai_schema() for t in self.tools] if native else None
        for turn in range(self.max_tool_turns + 1):
            completion = await self.model.complete(
                messages, tools=schemas, settings=self.settings, call=call
            )
            usage.append(completion.usage)
            last_turn = turn == self.max_tool_turns
            if completion.tool_calls and self.tools and not last_turn:
                messages.append(Message.assistant(completion.text, completion.tool_calls))
                for request in completion.tool_calls:
                    arguments = dict(request.arguments)
                    output = await self._run_tool(request.name, arguments, context)
                    traces.append(
                        ToolTrace(
                            tool=request.name, arguments=arguments, output=output, via="native"
                        )
                    )
                    messages.append(
                        Message.tool(output, tool_call_id=request.id, name=request.name)
                    )
                continue
            requests = find_text_tool_calls(completion.text, self.tools) if self.tools else []
            if not requests:
                return completion
            outputs = []
            for text_call in requests:
                output = await self._run_tool(text_call.tool, text_call.arguments, context)
                traces.append(
                    ToolTrace(
                        tool=text_call.tool,
                        arguments=text_call.arguments,
                        output=output,
                        via="fenced",
                    )
                )
                outputs.append(output)
            if last_turn or self._has_final_answer(completion.text):
                return completion
            messages.append(Message.assistant(completion.text))
            messages.append(Message.user("```output\n" + "\n".join(outputs) + "\n```\nContinue."))
        return completion

    def _has_final_answer(self, text: str) -> bool:
        try:
            self.output_type.parse(strip_tool_blocks(text), allow_prose=False)
        except OutputParseError:
            return False
        return True

    async def _run_tool(
        self, name: str, arguments: dict[str, object], context: ToolContext | None
    ) -> str:
        from council.tools.base import ToolError

        try:
            result = await self.tools.get(name).run(arguments, context or ToolContext())
        except ToolError as exc:
            return f"error: {exc}"
        return result.to_text()
