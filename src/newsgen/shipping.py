"""Values that every job of a build needs (the site's outline, the site's theme files), sent to
the workers once per build instead of with every job.

A ShippedOnce value, once `ship()` has put it somewhere, pickles as a reference (where, digest)
and a worker unpickles the value itself once. Where it is put depends on the workers:

- a process pool on this machine (FolderShipping): a file in the build cache, which each worker
  reads the first time a job refers to it;
- a Dask cluster (newsgen/cluster.py): the pickled bytes are scattered to every worker, and the
  cluster executor hands them over (`receive`) before it unpickles a job's arguments.

Unlike what the cache keeps from build to build (data only, incremental/codec.py), a shipped value
is a pickle: it lives for one build, and a worker unpickles it only when its bytes have the digest
of the bytes this build pickled, which the worker gets from this process with the job, not from
the file. A file planted or changed in the folder is refused, never unpickled.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol, TypeVar

from newsgen.write.publish import write_atomic

T = TypeVar("T")


class ShippedOnce:
    """For a frozen dataclass that many jobs carry (the site's outline): once shipped, it pickles
    as a reference to where it was put, and each worker process unpickles it once. Pickled whole
    with every batch, the outline of a 10,000-article site (1 MB) cost more than rendering the
    pages it was sent with."""

    def __reduce__(self) -> tuple:
        shipped = self.__dict__.get("_ng_shipped")
        if shipped is not None:
            return (_load_shipped, shipped)
        return (type(self), tuple(getattr(self, f.name) for f in dataclasses.fields(self)))  # type: ignore[arg-type]


class Shipping(Protocol):
    """Where a build puts the values it ships."""

    def put(self, data: bytes, digest: str) -> str | None:
        """Keep the pickled value for the build's workers; where a worker finds it (None: it is
        handed over with each job)."""

    def remove(self) -> None:
        """Forget what the build put (when it ends)."""


@dataclasses.dataclass(frozen=True)
class FolderShipping:
    """For worker processes on this machine: a file per value in `folder`, removed when the build ends."""

    folder: Path
    files: list[Path] = dataclasses.field(default_factory=list)

    def put(self, data: bytes, digest: str) -> str:
        path = self.folder / f"{digest}.pickle"
        if not path.exists():
            write_atomic(path, data)
        self.files.append(path)
        return str(path)

    def remove(self) -> None:
        for path in self.files:
            path.unlink(missing_ok=True)
        self.files.clear()


def ship(value: T, shipping: Shipping | None) -> T:
    """Put value (a ShippedOnce) where the build's workers find it, when the build has workers,
    so that it pickles as a reference."""
    if shipping is None or "_ng_shipped" in value.__dict__:
        return value
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    digest = _digest(data)
    object.__setattr__(value, "_ng_shipped", (shipping.put(data, digest), digest))
    return value


_received: OrderedDict[str, Any] = OrderedDict()
_KEEP = 8
"""Values a worker keeps, the most recently received first: those of the build it works for
(outlines, the theme's files) and of the one before."""


def receive(digest: str, data: bytes) -> None:
    """Worker side: a shipped value handed over with a job, unpickled the first time."""
    if digest in _received:
        _received.move_to_end(digest)
    else:
        _keep(digest, _unpickled(data, digest, None, f"shipped value {digest}"))


def _load_shipped(where: str | None, digest: str) -> Any:
    """Worker side: the shipped value, read from its file the first time it arrives."""
    if digest not in _received:
        if where is None:
            raise OSError(f"shipped value {digest} did not arrive with the job")
        _keep(digest, _unpickled(Path(where).read_bytes(), digest, where, where))
    return _received[digest]


def _unpickled(data: bytes, digest: str, where: str | None, name: str) -> Any:
    if _digest(data) != digest:
        raise OSError(f"{name}: changed while the build was running")
    value = pickle.loads(data)
    object.__setattr__(value, "_ng_shipped", (where, digest))
    return value


def _keep(digest: str, value: Any) -> None:
    _received[digest] = value
    while len(_received) > _KEEP:
        _received.popitem(last=False)


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
