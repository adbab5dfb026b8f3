"""The terminal loop behind `council chat`: commands, live steps, Ctrl-C per turn.

All conversation logic lives in `ChatSession`; this module only reads lines, prints steps
and maps Ctrl-C to cancelling the running turn (the session and the thread carry on).
"""

from __future__ import annotations

import asyncio
import signal

from rich.console import Console

from council.chat.session import ChatSession
from council.cli.render import print_step
from council.errors import CouncilError
from council.graphs.run import RunResult
from council.runner import RunnerFactory

HELP = """commands:
  /new            start a new thread
  /graph NAME     switch graph (solve, single, self-consistency, debate, mad, tir, pot,
                  best-of-n, moa, refine, tool-planner, cascade, or a file)
  /model NAME     switch model (a litellm model string, or local/smollm2)
  /memory         show what is remembered
  /steps on|off   show or hide the agents' steps
  /help           this text
  /quit           leave (Ctrl-D works too; Ctrl-C stops the current turn)"""

"""Builds a runner for (graph name or file, model name or None for the configured one)."""


class ChatRepl:
    def __init__(self, session: ChatSession, make_runner: RunnerFactory, console: Console) -> None:
        self.session = session
        self.make_runner = make_runner
        self.console = console
        self.show_steps = True
        self.current: asyncio.Task[None] | None = None

    async def read_line(self) -> str | None:
        try:
            return await asyncio.to_thread(input, "you> ")
        except EOFError:
            return None

    def on_interrupt(self) -> None:
        if self.current is not None and not self.current.done():
            self.current.cancel()
        else:
            self.console.print("\n(Ctrl-C stops a running turn; /quit leaves)")
            print("you> ", end="", flush=True)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, self.on_interrupt)
        thread = await self.session.thread()
        self.console.print(
            f"council chat: thread {self.session.thread_id} "
            f"({len(thread.turns)} earlier turns), graph "
            f"{self.session.graph_name}. /help for commands."
        )
        try:
            while (line := await self.read_line()) is not None:
                line = line.strip()
                if line.startswith("/"):
                    if not self.command(line):
                        break
                elif line:
                    await self.turn(line)
        finally:
            loop.remove_signal_handler(signal.SIGINT)

    async def turn(self, question: str) -> None:
        self.current = asyncio.create_task(self.print_turn(question))
        try:
            await self.current
        except asyncio.CancelledError:
            self.console.print("(turn stopped)")
        except CouncilError as exc:  # a failed turn is reported; the session goes on
            self.console.print(f"error: {exc}")
        finally:
            self.current = None

    async def print_turn(self, question: str) -> None:
        async for item in self.session.stream(question):
            if isinstance(item, RunResult):
                if item.failure is not None:  # ended with no answer: say why
                    self.console.print(f"error: {item.failure}", markup=False)
                continue
            if self.show_steps or item.kind == "final":
                print_step(self.console, item)

    def command(self, line: str) -> bool:
        """Run a /command; False means leave."""
        name, _, argument = line.partition(" ")
        argument = argument.strip()
        if name == "/quit":
            return False
        if name == "/help":
            self.console.print(HELP)
        elif name == "/new":
            self.console.print(f"new thread {self.session.new_thread()}")
        elif name == "/graph" and argument:
            self.switch(graph=argument, model=self.session.model_name)
        elif name == "/model" and argument:
            self.switch(graph=self.session.graph_name, model=argument)
        elif name == "/steps" and argument in ("on", "off"):
            self.show_steps = argument == "on"
            self.console.print(f"steps {argument}")
        elif name == "/memory":
            self.show_memory()
        else:
            self.console.print(f"unknown command {line!r}\n{HELP}")
        return True

    def switch(self, *, graph: str, model: str | None) -> None:
        """Build the new runner first, so a bad name leaves the session as it was."""
        try:
            runner = self.make_runner(graph, model)
        except CouncilError as exc:
            self.console.print(f"error: {exc}")
            return
        self.session.use(runner, graph_name=graph, model_name=model)
        self.console.print(f"graph: {graph}, model: {model or 'default'}")

    def show_memory(self) -> None:
        memory = self.session.memory
        if memory is None:
            self.console.print("memory is off")
            return
        entries = memory.store.entries()
        if not entries:
            self.console.print("nothing remembered yet")
        for entry in entries[-10:]:
            self.console.print(
                f"#{entry.id} ({entry.kind}, helped {entry.helped}) {entry.text[:160]}"
            )
