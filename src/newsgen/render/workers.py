"""Running render jobs on a concurrent.futures Executor: in order, a few batches ahead.

Jobs carry small records; the site outline, which every job needs, travels once per build as a
file (ShippedOnce). The executor is a process pool on one machine; its workers read the site
folder and the build cache.
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
from newsgen.render.environment import make_environment
from newsgen.render.teasers import TeaserMemo
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
    name = repr(config)
    if name not in _environments:
        _environments.clear()
        _environments[name] = make_environment(config)
    return _environments[name]


_teasers: dict[str, TeaserMemo] = {}


def worker_teasers(build_id: str) -> TeaserMemo:
    """The teasers this worker process rendered in the build named build_id (a new build starts
    with none)."""
    if build_id not in _teasers:
        _teasers.clear()
        _teasers[build_id] = TeaserMemo()
    return _teasers[build_id]


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


@dataclasses.dataclass(frozen=True)
class Shipping:
    """Where a build puts the values it ships to its worker processes, and the files it wrote
    there (the build removes them when it ends)."""

    folder: Path
    files: list[Path] = dataclasses.field(default_factory=list)

    def remove(self) -> None:
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files.clear()


def ship(value: T, shipping: Shipping | None) -> T:
    """Put value (a ShippedOnce) in the shipping folder, when the build has one (it has worker
    processes), so that it pickles as the file's name.

    Unlike what the cache keeps from build to build (data only, incremental/codec.py), this file
    is a pickle: it lives for one build, and a worker unpickles it only when its bytes have the
    digest of the bytes this build pickled, which the worker gets from this process, not from the
    file. A file planted or changed in the folder is refused, never unpickled."""
    if shipping is None or "_ng_shipped" in value.__dict__:
        return value
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    path = shipping.folder / f"{digest}.pickle"
    if not path.exists():
        write_atomic(path, data)
    shipping.files.append(path)
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
