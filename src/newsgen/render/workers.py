"""Running render jobs on a concurrent.futures Executor: in order, a few batches ahead.

Jobs carry small records; the site outline, which every job needs, travels once per build (see
newsgen/shipping.py). The executor is a process pool on one machine, whose workers read the site
folder and the build cache, or a Dask cluster (newsgen/cluster.py), whose workers are sent what
they need.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Executor, Future
from itertools import chain, islice
from typing import Any, Callable, Iterable, Iterator, TypeVar

from jinja2 import Environment

from newsgen.config import SiteConfig
from newsgen.render.environment import ThemeFiles, make_environment
from newsgen.render.teasers import TeaserMemo

T = TypeVar("T")
B = TypeVar("B")


def run_ordered(executor: Executor, function: Callable[..., T], batches: Iterable[B],
                *args: Any) -> Iterator[tuple[B, T]]:
    """(batch, function(batch, *args)) for every batch, in batch order, at most a few running
    ahead of the consumer (so finished pages never pile up in memory)."""
    ahead = 2 * (getattr(executor, "_max_workers", None) or 2) + 2
    pending: deque[tuple[B, Future]] = deque()
    try:
        for batch in batches:
            pending.append((batch, executor.submit(function, batch, *args)))
            if len(pending) >= ahead:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        for _, future in pending:
            future.cancel()


STARTING_BATCHES = 16
"""Batches a step runs here rather than start the workers of a pool that starts on demand (whose
`started` is false): forking two workers from a 10,000-article build, which then make their own
template environment and teasers, cost about 1 CPU s more than rendering 370 pages here and saved
no time."""


def run_batches(executor: Executor | None, function: Callable[..., T], batches: Iterable[B], *args: Any,
                local: Callable[[B], T], few: int = 2) -> Iterator[tuple[B, T]]:
    """Like run_ordered, but without an executor, or for `few` batches or fewer (STARTING_BATCHES
    when the executor's workers have not started), each batch runs here through local(batch):
    sending a few pages costs more than rendering them, starting worker processes more still."""
    if not getattr(executor, "started", True):
        few = max(few, STARTING_BATCHES)
    batches = iter(batches)
    head = list(islice(batches, few + 1)) if executor is not None else []
    if executor is None or len(head) <= few:
        for batch in chain(head, batches):
            yield batch, local(batch)
        return
    yield from run_ordered(executor, function, chain(head, batches), *args)


_environments: dict[str, Environment] = {}


def worker_environment(config: SiteConfig, build_id: str, theme: ThemeFiles | None = None) -> Environment:
    """The Jinja environment of this worker process for config, made once: from the site's theme
    files sent with the job (theme, named by its digest), else from the site folder, once per build
    (an environment reads each template once, see make_environment)."""
    name = repr(config) + (theme.digest if theme is not None else build_id)
    if name not in _environments:
        _environments.clear()
        _environments[name] = make_environment(config, theme)
    return _environments[name]


_teasers: dict[str, TeaserMemo] = {}


def worker_teasers(build_id: str) -> TeaserMemo:
    """The teasers this worker process rendered in the build named build_id (a new build starts
    with none)."""
    if build_id not in _teasers:
        _teasers.clear()
        _teasers[build_id] = TeaserMemo()
    return _teasers[build_id]
