"""An agent with a custom tool. Models with native function calling get it as a tool
schema; models without it (like the embedded SmolLM2) call it by writing a ```tool block.

    python examples/custom_tool.py
"""

from __future__ import annotations

from council import (
    CouncilGraph,
    GraphRunner,
    ModelSettings,
    ModelSpec,
    build_model,
    define_agent,
    tool,
)

UNIT_FACTORS = {("km", "mi"): 0.621371, ("mi", "km"): 1.609344, ("kg", "lb"): 2.204623}


@tool
def convert_units(value: float, source: str, target: str) -> str:
    """Convert a value between units (km, mi, kg, lb)."""
    factor = UNIT_FACTORS.get((source, target))
    if factor is None:
        return f"cannot convert {source} to {target}"
    return f"{value * factor:.4f} {target}"


def build(model_name: str = "local/smollm2") -> GraphRunner:
    agent = define_agent(
        "converter",
        system="You answer unit questions. Use the convert_units tool for the arithmetic."
        "{tool_help}",
        task="Question: {problem}\n{format}",
        model=build_model(ModelSpec(name=model_name)),
        tools=[convert_units],
        settings=ModelSettings(max_tokens=160, temperature=0.0),
    )
    graph = CouncilGraph("converter")
    graph.add_agent("converter", agent, starts_round=True)
    graph.add_node("finish", "finish_last_answer")
    graph.add_edge("START", "converter")
    graph.add_edge("converter", "finish")
    graph.add_edge("finish", "END")
    return GraphRunner(graph, max_rounds=1)


def main() -> None:
    result = build().run("How many miles is 42 km?")
    for step in result.steps:
        extra = f" [{step.tool.tool} {step.tool.arguments}]" if step.tool else ""
        print(f"{step.role} {step.kind}{extra}: {step.content[:160]}")
    print("answer:", result.answer)


if __name__ == "__main__":
    main()
