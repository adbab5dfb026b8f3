"""What a reference fixture's inputs give a council run besides the problem: a MATH
problem's type and level (`inputs.math_type`, `math_level`) and the web searches the
reference made (`inputs.web_search`: each query and the snippets its rendering got)."""

from __future__ import annotations

from typing import Any

from council.problem_info import ProblemInfo
from council.tools.search import SearchHit


class FixtureSearch:
    """A search backend answering the reference's queries with the snippets its rendering's
    stub for Bing returned; a query the reference did not send fails the test."""

    name = "fixture"

    def __init__(self, searches: list[dict[str, Any]]) -> None:
        self.results = {s["query"]: list(s["snippets"]) for s in searches}
        self.queries: list[str] = []

    async def search(self, query: str, k: int) -> list[SearchHit]:
        self.queries.append(query)
        assert query in self.results, f"council searched {query!r}; the reference did not"
        return [SearchHit(id=str(i), text=t) for i, t in enumerate(self.results[query][:k])]


def problem_info(inputs: dict[str, Any]) -> ProblemInfo | None:
    """A MATH problem's type and level, when the fixture gives them."""
    if "math_type" not in inputs and "math_level" not in inputs:
        return None
    return ProblemInfo(subject=inputs.get("math_type"), level=inputs.get("math_level"))
