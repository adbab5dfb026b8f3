"""Re-exported from `benchmarks.openai_stub`, where the benchmark scripts (which must not
import `tests`) find it too; `python -m tests.support.openai_stub` still serves."""

import asyncio

from benchmarks.openai_stub import StubBehaviour, main, openai_stub, serve_forever

__all__ = ["StubBehaviour", "openai_stub", "serve_forever"]

if __name__ == "__main__":
    asyncio.run(main())
