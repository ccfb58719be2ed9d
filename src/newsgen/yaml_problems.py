"""What PyYAML's errors mean for a person editing the file: the line at fault and how to fix it,
for the two mistakes its own messages hide (a tab in the indentation, `key:value` with no space).
Used for `newsgen.yaml` and for YAML front matter."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

TAB_PROBLEM = "tabs cannot indent YAML; indent with spaces"
_KEY_WITHOUT_SPACE = re.compile(r"^[ ]*([A-Za-z_][\w-]*):(?![/\\])(\S.*?)\s*$")
"""`page_size:20`, not `base_url: http://x` (a value) nor `C:\\` or `http://` (text that YAML reads whole)."""


@dataclass(frozen=True)
class YamlProblem:
    line: int | None
    """0-based line of the text; None when PyYAML gave none."""
    message: str


def explain_yaml_error(exc: yaml.YAMLError, text: str) -> YamlProblem:
    """The line and message to show for a YAML error in `text`."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
    lines = text.split("\n")
    line = mark.line if mark is not None else None
    if mark is not None and (tab := _tab_problem(problem, lines, mark.line, mark.column)):
        return YamlProblem(mark.line, tab)
    if line is not None and problem.startswith(("could not find expected ':'", "mapping values are not allowed")):
        start = context_mark.line if context_mark is not None else max(0, line - 1)
        for number in range(min(start, line), min(line, len(lines) - 1) + 1):
            if hint := key_without_space(lines[number]):
                return YamlProblem(number, hint)
    return YamlProblem(line, problem)


def key_without_space(line: str) -> str | None:
    """`'page_size:20' is not a key and value; put a space after the colon`, for such a line."""
    match = _KEY_WITHOUT_SPACE.match(line)
    if match is None:
        return None
    return f"'{line.strip()}' is not a key and value; put a space after the colon"


def _tab_problem(problem: str, lines: list[str], line: int, column: int) -> str | None:
    """What to say when the error is about a tab: one in the indentation, or (for PyYAML's pure
    Python loader) one inside a line."""
    text = lines[line] if line < len(lines) else ""
    if "tab character" not in problem and "'\\t'" not in problem and text[column:column + 1] != "\t":
        return None
    if "\t" in text[:column + 1] and not text[:column + 1].strip():
        return TAB_PROBLEM
    return "a tab cannot stand here in YAML; use spaces" if "\t" in text else TAB_PROBLEM
