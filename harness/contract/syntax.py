"""YAML syntax errors → one ``Problem`` each, worded for people, with a hint for the fix.

libyaml reports what its parser expected ("did not find expected key"); the user needs to
know which line to look at and the usual cause: a tab, an unclosed bracket, a value with
``': '`` in it, a second ``---`` document.
"""

from __future__ import annotations

import yaml

from harness.errors import Location, Problem

_DEFAULT_HINT = (
    "check indentation and quoting near this line; a value with ': ' or '#' needs quotes"
)


def syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    """The problem of a scanner/parser/composer error, at the line libyaml stopped on."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "syntax error"
    if exc.context and problem.startswith("but "):  # "expected a single document ..."
        problem = f"{exc.context}, {problem}"
    elif exc.context:
        problem += f" ({exc.context.removeprefix('while ')})"
    return Problem(Location(file, line, column), f"invalid YAML: {problem}", _hint(exc, text))


def _hint(exc: yaml.MarkedYAMLError, text: str) -> str:
    problem, context = exc.problem or "", exc.context or ""
    if _tab_near(exc.problem_mark, text):
        return "indent with spaces: YAML does not allow tabs for indentation"
    if "single document" in context:
        return "a contract is one YAML document: remove the second '---'"
    if "nesting depth" in problem:
        return "no contract needs this depth; flatten the structure"
    if "flow" in context and exc.context_mark is not None:
        opened = exc.context_mark.line + 1
        return (
            f"close the '{{' or '[' opened on line {opened}, and separate its entries with ','; "
            "quote values that contain ',', ':', '{' or '}'"
        )
    if "mapping values are not allowed" in problem:
        return "quote a value that contains ': ' (e.g. \"a: b\"), or fix the indentation"
    if "found unexpected end of stream" in problem or "quoted scalar" in context:
        return "a quoted value is not closed; add the closing quote"
    if "could not find expected ':'" in problem:
        return "a key needs ': ' after it; a long plain value cannot span lines unindented"
    return _DEFAULT_HINT


def _tab_near(mark: yaml.Mark | None, text: str) -> bool:
    if mark is None:
        return False
    lines = text.splitlines()
    if mark.line >= len(lines):
        return False
    line = lines[mark.line]
    return "\t" in line[: mark.column + 1] and not line[: mark.column].strip(" \t")


def reader_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    """A character YAML does not accept (control characters, NUL): find it by value."""
    character = exc.character if isinstance(exc.character, str) else chr(int(exc.character))
    index = text.find(character)
    if index < 0:
        line, column = 1, 1
    else:
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
    message = f"invalid character U+{ord(character):04X} in the file ({exc.reason})"
    hint = "remove it: YAML allows no control characters other than tab and newline"
    return Problem(Location(file, line, column), message, hint)
