"""Running render jobs on a concurrent.futures Executor: in order, a few batches ahead.

Anything that honours the Executor interface works (a process pool, or a Dask cluster's
`Client.get_executor()` when every worker sees the site folder); jobs carry small records.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections import deque
from concurrent.futures import Executor, Future
from itertools import chain, islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from jinja2 import Environment

from newsgen.config import SiteConfig
from newsgen.write.publish import write_atomic

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


def run_batches(executor: Executor | None, function: Callable[..., T], batches: Iterable[B], *args: Any,
                local: Callable[[B], T], few: int = 2) -> Iterator[tuple[B, T]]:
    """Like run_ordered, but without an executor, or for `few` batches or fewer, each batch runs
    here through local(batch): starting worker processes costs more than rendering a few pages."""
    batches = iter(batches)
    head = list(islice(batches, few + 1)) if executor is not None else []
    if executor is None or len(head) <= few:
        for batch in chain(head, batches):
            yield batch, local(batch)
        return
    yield from run_ordered(executor, function, chain(head, batches), *args)


_environments: dict[str, Environment] = {}


def worker_environment(config: SiteConfig) -> Environment:
    """The Jinja environment of this worker process for config, made once."""
    from newsgen.render.environment import make_environment

    name = repr(config)
    if name not in _environments:
        _environments.clear()
        _environments[name] = make_environment(config)
    return _environments[name]


class ShippedOnce:
    """For a frozen dataclass that many jobs carry (the site's outline): once `ship()` has put it
    in a file, it pickles as that file's name, and each worker process reads the file once.
    Pickled whole with every batch, the outline of a 10,000-article site (1 MB) cost more than
    rendering the pages it was sent with."""

    def __reduce__(self) -> tuple:
        shipped = self.__dict__.get("_ng_shipped")
        if shipped is not None:
            return (_load_shipped, shipped)
        return (type(self), tuple(getattr(self, f.name) for f in dataclasses.fields(self)))  # type: ignore[arg-type]


def ship(env: Environment, value: T) -> T:
    """Put value (a ShippedOnce) in the build's shipping folder, when the build has one (it has
    worker processes); the build removes the files it shipped when it ends."""
    folder: Path | None = getattr(env, "newsgen_ship_dir", None)
    if folder is None or "_ng_shipped" in value.__dict__:
        return value
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    path = folder / f"{digest}.pickle"
    if not path.exists():
        write_atomic(path, data)
    env.newsgen_shipped.append(path)  # type: ignore[attr-defined]
    object.__setattr__(value, "_ng_shipped", (str(path), digest))
    return value


_received: dict[str, Any] = {}


def _load_shipped(path: str, digest: str) -> Any:
    """Worker side: the shipped value, read from its file the first time it arrives."""
    if digest not in _received:
        data = Path(path).read_bytes()
        if hashlib.blake2b(data, digest_size=16).hexdigest() != digest:
            raise OSError(f"{path}: changed while the build was running")
        value = pickle.loads(data)
        object.__setattr__(value, "_ng_shipped", (path, digest))
        _received.clear()
        _received[digest] = value
    return _received[digest]
