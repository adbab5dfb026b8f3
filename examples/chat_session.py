"""A chat session from a script: a follow-up question that only makes sense in context,
a thread that is still there when the program runs again, and memory of verified solves.
Runs offline with the embedded model.

    python examples/chat_session.py                # a new thread in a temporary folder
    python examples/chat_session.py --dir ~/chat   # run twice: the second run resumes it
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from council import (
    ChatSession,
    CouncilConfig,
    ModelSettings,
    ModelSpec,
    ProtocolOptions,
    RunResult,
    RunSpec,
    build_model,
)
from council.chat.threads import ThreadStore
from council.memory import MemoryPolicy, MemoryStore

QUESTIONS = ["What is 15 + 27?", "Now multiply that result by 2."]


async def chat(folder: Path) -> None:
    spec = ModelSpec(name="local/smollm2", settings=ModelSettings(max_tokens=160))
    config = CouncilConfig(model=spec)
    runner = RunSpec(graph="solve", config=config, options=ProtocolOptions(rounds=1)).build()
    memory = MemoryPolicy.with_model(
        MemoryStore(folder / "memory.sqlite", namespace="example"), build_model(spec)
    )
    async with ThreadStore(folder / "threads.sqlite") as threads:
        session = ChatSession(threads, runner, thread_id="example", memory=memory)
        earlier = (await session.thread()).turns
        print(f"thread {session.thread_id}: {len(earlier)} earlier turns")
        for question in QUESTIONS:
            print(f"\nyou> {question}")
            async for item in session.stream(question):
                if isinstance(item, RunResult):
                    print(f"answer: {item.answer} ({item.status})")
                else:
                    print(f"  {item.role}: {item.content[:100]!r}")
        turns = (await session.thread()).turns
        print(
            f"\nthe thread now holds {len(turns)} turns; memory holds "
            f"{len(memory.store.entries())} entries"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None, help="where threads and memory live")
    args = parser.parse_args()
    if args.dir is not None:
        asyncio.run(chat(args.dir.expanduser()))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(chat(Path(folder)))


if __name__ == "__main__":
    main()
