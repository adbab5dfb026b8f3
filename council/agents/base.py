"""The agent loop shared by every role: prompt, call, use tools, parse, recover.

Roles differ only in prompts, output schema and which tools they may call, so one loop
serves them all; a role is a few lines of data on top of `Agent`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar, cast

from pydantic import BaseModel, Field

from council.agents import texts
from council.agents.output import AgentOutput
from council.agents.parsing import OutputParseError
from council.agents.prompting import AgentPrompts, PromptTemplate
from council.agents.tool_text import find_text_tool_calls, strip_tool_blocks
from council.calls import CallPurpose, CallRecord
from council.messages import Message
from council.models.base import CallInfo, ChatModel, Completion
from council.models.settings import ModelSettings
from council.tools.base import ToolContext, ToolError, ToolRegistry
from council.tools.builtin import SANDBOXED_TOOLS
from council.tracing import model_span, tool_span

OutputT = TypeVar("OutputT", bound=AgentOutput)


class ToolTrace(BaseModel):
    """One tool call made while an agent worked: what ran and what came back."""

    tool: str
    arguments: dict[str, object] = Field(default_factory=dict)
    output: str
    via: Literal["native", "fenced"] = "native"


ParseOutcome = Literal["ok", "repaired", "fallback"]


class AgentResult(BaseModel, Generic[OutputT]):
    """One turn: the parsed output, the reply it came from, and every call it took.

    `prompt` is the task message this turn was given: an agent that keeps its own
    conversation (a debater) replays its earlier prompts and replies in later rounds.
    `truncated`: the final reply was cut at the token limit, so its answer is not trusted."""

    role: str
    output: OutputT
    text: str
    parse: ParseOutcome
    prompt: str = ""
    truncated: bool = False
    calls: list[CallRecord] = Field(default_factory=list)
    model: str = ""
    tool_traces: list[ToolTrace] = Field(default_factory=list)


@dataclass
class _TurnRecord:
    """What a turn gathered besides its output, while it runs."""

    prompt: str
    truncated: bool
    calls: list[CallRecord]
    traces: list[ToolTrace]


class Agent(Generic[OutputT]):
    """A role: prompts, an output schema, a model, and optionally tools."""

    role: str = "agent"
    prompts: AgentPrompts
    output_type: type[OutputT]
    own_variables: frozenset[str] = frozenset()
    """Template variables the agent fills itself (e.g. the passages a retriever found),
    allowed in its prompts besides the graph's prompt variables."""
    extra_templates: tuple[PromptTemplate, ...] = ()
    """Templates the agent renders besides its prompts (tool-planner's Bing extractor and
    code fixer), so a protocol's card lists them and a run's manifest hashes them."""
    reads: frozenset[str] = frozenset()
    """Prompt variables the agent reads besides those its templates name (a module that
    extends what earlier modules found, `module_context`, without showing it in every
    prompt); the graph computes them for it like its templates' fields."""
    max_tool_turns: int = 4
    """Tool rounds before the agent must answer (a program-of-thought agent runs one)."""
    repair: bool = True
    """Re-ask once when the reply cannot be read. Off for agents that follow a paper's
    script, where an unreadable reply is simply no answer (and no extra call is made)."""

    def __init__(
        self,
        model: ChatModel,
        *,
        role: str | None = None,
        prompts: AgentPrompts | None = None,
        output_type: type[OutputT] | None = None,
        tools: ToolRegistry | None = None,
        settings: ModelSettings | None = None,
        max_tool_turns: int | None = None,
    ) -> None:
        self.model = model
        if role is not None:
            self.role = role
        if prompts is not None:
            self.prompts = prompts
        if output_type is not None:
            self.output_type = output_type
        self.tools = tools or self.default_tools()
        self.settings = settings
        self.max_tool_turns = (
            max_tool_turns if max_tool_turns is not None else type(self).max_tool_turns
        )

    def default_tools(self) -> ToolRegistry:
        """The tools a role brings when none are given (a program runner, python)."""
        return ToolRegistry()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(role={self.role!r}, model={self.model.name!r})"

    def template_hashes(self) -> dict[str, str]:
        """Every template this agent renders, by name: its prompts, then its extra ones."""
        return {**self.prompts.hashes(), **{t.name: t.sha256 for t in self.extra_templates}}

    def build_messages(
        self,
        variables: Mapping[str, object],
        history: Sequence[Message] = (),
        conversation: Sequence[Message] = (),
    ) -> list[Message]:
        """System prompt (omitted when it renders empty), earlier chat turns, this agent's
        own earlier exchanges in this run, then the task (the follow-up template, when the
        agent has one and has spoken before)."""
        values = {"format": self.output_type.FORMAT, **variables}
        system = self.prompts.system.render(values)
        task = self.prompts.task
        if conversation and self.prompts.followup is not None:
            task = self.prompts.followup
        return [
            *([Message.system(system)] if system.strip() else []),
            *history,
            *conversation,
            Message.user(task.render(values)),
        ]

    async def run(
        self,
        variables: Mapping[str, object],
        *,
        history: Sequence[Message] = (),
        conversation: Sequence[Message] = (),
        context: ToolContext | None = None,
        call: CallInfo | None = None,
    ) -> AgentResult[OutputT]:
        messages = self.build_messages(variables, history, conversation)
        prompt = messages[-1].content
        calls: list[CallRecord] = []
        traces: list[ToolTrace] = []
        call = call or CallInfo(agent=self.role, role=self.role)
        completion = await self._complete_with_tools(messages, calls, traces, context, call)
        text = completion.text
        truncated = completion.finish_reason == "length"
        done = _TurnRecord(prompt=prompt, truncated=truncated, calls=calls, traces=traces)
        try:
            return self._result(self.output_type.parse(text), text, "ok", done)
        except OutputParseError as first_error:
            if not self.repair or truncated:
                return self._result(self.output_type.fallback(text), text, "fallback", done)
            repair = self.prompts.repair.render(
                {"error": str(first_error), "format": self.output_type.FORMAT}
            )
            retry_messages = [*messages, Message.assistant(text), Message.user(repair)]
            retry = await self._complete(retry_messages, None, calls, call, "repair")
            done.truncated = retry.finish_reason == "length"
            try:
                output = self.output_type.parse(retry.text)
                return self._result(output, retry.text, "repaired", done)
            except OutputParseError:
                return self._result(self.output_type.fallback(text), text, "fallback", done)

    async def _complete(
        self,
        messages: Sequence[Message],
        tools: list[dict[str, object]] | None,
        calls: list[CallRecord],
        call: CallInfo,
        purpose: CallPurpose,
        settings: ModelSettings | None = None,
    ) -> Completion:
        """One model call, recorded whole (see `council.calls`), in a span when tracing.
        `settings`: this call's, where they differ from the agent's (a continuation)."""
        settings = settings or self.settings
        with model_span(self.model.name, call, settings) as span:
            completion = await self.model.complete(
                messages, tools=tools, settings=settings, call=call
            )
            span.finish(completion)
        calls.append(
            CallRecord(
                role=self.role,
                agent=call.agent or self.role,
                model=self.model.name,
                round=call.round,
                sample=call.sample,
                purpose=purpose,
                messages=list(messages),
                reply=completion.text,
                tool_calls=completion.tool_calls,
                finish_reason=completion.finish_reason,
                decoding=completion.decoding,
                usage=completion.usage,
            )
        )
        return completion

    def _result(
        self,
        output: AgentOutput,
        text: str,
        parse: ParseOutcome,
        done: _TurnRecord,
    ) -> AgentResult[OutputT]:
        return AgentResult(  # not AgentResult[OutputT](...): a runtime subscript per turn
            role=self.role,
            output=cast(OutputT, output),
            text=text,
            parse=parse,
            prompt=done.prompt,
            truncated=done.truncated,
            calls=done.calls,
            model=self.model.name,
            tool_traces=done.traces,
        )

    async def _complete_with_tools(
        self,
        messages: list[Message],
        calls: list[CallRecord],
        traces: list[ToolTrace],
        context: ToolContext | None,
        call: CallInfo,
    ) -> Completion:
        """Call the model, running tool calls (native or fenced code) until it answers."""
        native = bool(self.tools) and self.model.supports_native_tools
        schemas = [t.openai_schema() for t in self.tools] if native else None
        for turn in range(self.max_tool_turns + 1):
            purpose: CallPurpose = "answer" if turn == 0 else "tool"
            completion = await self._complete(messages, schemas, calls, call, purpose)
            last_turn = turn == self.max_tool_turns
            if completion.tool_calls and self.tools and not last_turn:
                messages.append(Message.assistant(completion.text, completion.tool_calls))
                for request in completion.tool_calls:
                    arguments = dict(request.arguments)
                    output = await self._run_tool(request.name, arguments, context, call)
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
                output = await self._run_tool(text_call.tool, text_call.arguments, context, call)
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
            messages.append(Message.user(texts.TOOL_OUTPUT.render({"outputs": "\n".join(outputs)})))
        return completion

    def _has_final_answer(self, text: str) -> bool:
        try:
            self.output_type.parse(strip_tool_blocks(text), allow_prose=False)
        except OutputParseError:
            return False
        return True

    async def _run_tool(
        self,
        name: str,
        arguments: dict[str, object],
        context: ToolContext | None,
        call: CallInfo | None = None,
    ) -> str:
        """A tool that fails, however it fails, is an observation for the model, not a
        crash of the run."""

        with tool_span(name, call, sandboxed=name in SANDBOXED_TOOLS) as span:
            output = await self._tool_output(name, arguments, context)
            span.finish(output)
        return output

    async def _tool_output(
        self, name: str, arguments: dict[str, object], context: ToolContext | None
    ) -> str:

        try:
            result = await self.tools.get(name).run(arguments, context or ToolContext())
        except ToolError as exc:
            return f"error: {exc}"
        except Exception as exc:
            return f"error: the tool {name!r} failed: {type(exc).__name__}: {exc}"
        return result.to_text()
