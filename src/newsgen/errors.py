"""The one error hierarchy. Only the CLI catches these and prints them."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class NewsgenError(Exception):
    """Base of every error newsgen reports to a user (no traceback)."""


@dataclass(frozen=True)
class SourceError:
    """A problem in one input file, at one line (1-based; 0 when the whole file is concerned)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}: {self.message}"
        return f"{self.path}: {self.message}"


class SourceProblem(NewsgenError):
    """Raised by a reader for one problem; the loader turns it into a SourceError."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line

    def __reduce__(self):  # survive the trip back from a worker process
        return (type(self), (self.message, self.line))


class BuildFailed(NewsgenError):
    """Every error found in a build, reported together."""

    def __init__(self, errors: list[SourceError] | list[str], warnings: list[str] | tuple[str, ...] = ()):
        self.errors = [str(error) for error in errors]
        self.warnings = tuple(warnings)  # found before the build failed; the CLI prints them too
        count = len(self.errors)
        super().__init__(numbered_list(f"build failed with {count} error{'s' if count != 1 else ''}:", self.errors))

    def __reduce__(self):  # arrive whole from a worker process (pickle would pass the message as `errors`)
        return (type(self), (self.errors, self.warnings))


def numbered_list(heading: str, errors: list[str]) -> str:
    """A heading, then one numbered line per error: how every collected error is shown."""
    return "\n".join([heading] + [f"  {number}. {error}" for number, error in enumerate(errors, 1)])


class ConfigError(NewsgenError):
    """An invalid newsgen.yaml; the message names the file, line and key."""


def display_path(path: Path, root: Path | None = None) -> str:
    """A path as a user should see it in messages: relative to root (or the cwd) when inside it."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


_describer = reprlib.Repr()
_describer.maxlevel, _describer.maxlist, _describer.maxdict, _describer.maxstring = 1, 4, 4, 60


def describe(value: Any) -> str:
    """A short repr for messages: bounded, so a huge or self-referencing YAML value (aliases
    can make a billion-element tree) never takes long to show."""
    return _describer.repr(value)
