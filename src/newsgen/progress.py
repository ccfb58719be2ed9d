"""A build's progress on the terminal: a one-line bar on stderr, only on a terminal and only
for builds that take more than a moment; stage timings for `--verbose`."""

from __future__ import annotations

import sys
import time
from typing import TextIO

STAGE_NAMES = {"load": "reading articles", "index": "indexing", "write": "writing pages"}


class ProgressBar:
    """A `build(progress=...)` callback. Draws nothing on a pipe or a file, nor before `delay` seconds."""

    def __init__(self, stream: TextIO | None = None, delay: float = 0.6, width: int = 28,
                 enabled: bool | None = None, interval: float = 0.1):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.delay = delay
        self.interval = interval
        """Fewest seconds between two draws (the last one of a stage is always drawn)."""
        self.width = width
        self.started = time.perf_counter()
        self.stages: list[tuple[str, float]] = []
        """(stage, start time) in order, for stage timings."""
        self._last_draw = 0.0
        self._drawn = False

    def __call__(self, stage: str, done: int, expected: int | None) -> None:
        now = time.perf_counter()
        if not self.stages or self.stages[-1][0] != stage:
            self.stages.append((stage, now))
        if not self.enabled or now - self.started < self.delay:
            return
        if now - self._last_draw < self.interval and done != expected:
            return
        self._last_draw = now
        self._drawn = True
        self.stream.write("\r\033[K" + render_bar(STAGE_NAMES.get(stage, stage), done, expected, self.width))
        self.stream.flush()

    def close(self) -> None:
        """Erase the bar, leaving the line for the summary."""
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False

    def timings(self) -> list[tuple[str, float]]:
        """Seconds spent in each stage, in order."""
        ends = [start for _, start in self.stages[1:]] + [time.perf_counter()]
        return [(stage, end - start) for (stage, start), end in zip(self.stages, ends)]


def render_bar(label: str, done: int, expected: int | None, width: int = 28) -> str:
    """`writing pages [#########.........]  512/1540`; with no total, `writing pages 1541 …` or
    `reading articles …`."""
    if not expected:
        return f"{label} {done} …" if done else f"{label} …"
    filled = min(width, width * done // expected)
    return f"{label} [{'#' * filled}{'.' * (width - filled)}] {done:>{len(str(expected))}}/{expected}"
