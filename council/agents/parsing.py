"""Reading structured output out of free text.

Small models rarely emit valid JSON and often ignore formats. We accept, in order: a JSON
object (fenced or bare, with the usual slips fixed), `LABEL: value` lines, then whatever
the schema itself can recover from prose. Each stage is lenient about layout and strict
about content: a value that does not validate is a parse failure, not a guess.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

_FENCE = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.DOTALL)


class OutputParseError(ValueError):
    """Text that does not contain the expected structure."""


def find_json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object in `text` that parses, after light repair."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)]
    candidates += _balanced_objects(text)
    for candidate in candidates:
        for attempt in (candidate, _repair_json(candidate)):
            try:
                value = json.loads(attempt)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
    return None


def _balanced_objects(text: str) -> list[str]:
    found: list[str] = []
    depth = 0
    start = -1
    for index, char in enumerate(text):
        if char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                found.append(text[start : index + 1])
    return found


def _repair_json(candidate: str) -> str:
    fixed = re.sub(r",\s*([}\]])", r"\1", candidate)  # trailing commas
    fixed = re.sub(r"\bTrue\b", "true", fixed)
    fixed = re.sub(r"\bFalse\b", "false", fixed)
    fixed = re.sub(r"\bNone\b", "null", fixed)
    if '"' not in fixed:
        fixed = fixed.replace("'", '"')
    return fixed


@lru_cache(maxsize=256)
def _label_pattern(labels: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(label).replace("_", "[ _]") for label in labels)
    return re.compile(
        rf"^[ \t>*#-]*\**\s*({alternatives})\s*\**\s*[:=]\s*", re.IGNORECASE | re.MULTILINE
    )


def labeled_fields(text: str, labels: list[str]) -> dict[str, str]:
    """`LABEL: value` blocks; a value runs until the next known label. Case-insensitive.
    A label given twice keeps its last value: a model that drafts and then corrects itself
    means the correction."""
    if not labels:
        return {}
    matches = list(_label_pattern(tuple(labels)).finditer(text))
    out: dict[str, str] = {}
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        key = match.group(1).lower().replace(" ", "_")
        value = text[match.end() : end].strip().strip("*").strip()
        if value:
            out[key] = value
    return out


def numbered_items(text: str) -> list[str]:
    """Items of a numbered or bulleted list, in order."""
    items = []
    for line in text.splitlines():
        match = re.match(r"^\s*(?:\d+[.)]|[-*•])\s+(.+)$", line)
        if match:
            items.append(match.group(1).strip())
    return items
