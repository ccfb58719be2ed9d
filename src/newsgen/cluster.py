"""Parsing and rendering on a Dask cluster (`scheduler:` in newsgen.yaml, `newsgen build
--scheduler tcp://HOST:8786`), through distributed's concurrent.futures executor. The workers
need no shared file system: jobs carry the article files' bytes, the bodies of the pages they
render and the site's theme files, and results carry parsed articles and pages back.

Connecting checks that the scheduler answers within a timeout, that it has workers, and that
every worker runs the same newsgen code, the same Python and the same libraries as this
machine (pages must be byte-identical to a local build). Dask's `distributed` is an optional
dependency: `pip install 'newsgen[dask]'`.
"""

from __future__ import annotations

import pickle
import platform
import sys
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from importlib import metadata
from typing import Any, Callable

from newsgen.errors import BuildFailed, NewsgenError
from newsgen.incremental.keys import package_fingerprint
from newsgen.shipping import receive

CONNECT_TIMEOUT = 10.0
"""Seconds to wait for the scheduler to answer and for its first worker."""

LIBRARIES = ("distributed", "dask", "cloudpickle", "jinja2", "babel", "markdown", "cmarkgfm", "nh3",
             "pillow", "pyyaml", "python-dateutil")
"""Libraries whose versions must match between this machine and every worker: those that shape
pages, and those that carry the jobs."""


def software() -> dict[str, str]:
    """What this process runs: newsgen's version and code, Python's version, and the libraries'."""
    found = {"newsgen": package_fingerprint().removeprefix("newsgen "), "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def shares_files(executor: Executor | None) -> bool:
    """Whether the executor's workers see this machine's files (the site folder and its cache):
    those of a process pool do; a cluster's are sent everything they need."""
    return getattr(executor, "shares_site_folder", True)


class ClusterExecutor(Executor):
    """A concurrent.futures Executor running jobs on a Dask cluster's workers, as many at a time
    as the cluster has threads, and the build's Shipping (newsgen/shipping.py) for them.

    A worker sees none of this machine's files: every job goes as one pickle, with the values
    the build shipped (scattered once to every worker, as Dask data, so a worker that joins or
    restarts mid-build fetches them from another) handed over before it is unpickled. Jobs are
    submitted without hashing their arguments (Dask would hash every job's records: that cost
    more than the jobs)."""

    shares_site_folder = False

    def __init__(self, client: Any):
        self._client = client
        self._executor = client.get_executor(pure=False)
        self._max_workers = max(1, sum(client.nthreads().values()))
        self._shipped: dict[str, Any] = {}

    def put(self, data: bytes, digest: str) -> None:
        if digest not in self._shipped:
            self._shipped[digest] = self._client.scatter(data, broadcast=True, hash=False)

    def remove(self) -> None:
        self._shipped.clear()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        job = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        return self._executor.submit(run_job, dict(self._shipped), job)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait)


def run_job(shipped: dict[str, bytes], job: bytes) -> Any:
    """Worker side: receive the build's shipped values, then run the job."""
    for digest, data in shipped.items():
        receive(digest, data)
    fn, args, kwargs = pickle.loads(job)
    return fn(*args, **kwargs)


@contextmanager
def cluster_executor(address: str, timeout: float | None = None) -> Iterator[ClusterExecutor]:
    """An executor on the Dask cluster whose scheduler is at address, checked and ready; the
    connection closes when the block ends. Raises NewsgenError, in one line, when distributed is
    not installed, the scheduler does not answer in time or no worker joins; BuildFailed naming
    each worker whose software differs from this machine's. timeout: seconds, CONNECT_TIMEOUT if None."""
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    try:
        from distributed import Client
    except ImportError:
        raise NewsgenError(f"scheduler {address}: building on a Dask cluster needs Dask's distributed "
                           "library: pip install 'newsgen[dask]'") from None
    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise NewsgenError(f"scheduler {address}: no Dask scheduler answered within {timeout:g} s ({reason})") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise NewsgenError(f"scheduler {address}: no worker joined within {timeout:g} s; "
                               f"start some with `dask worker {address}`") from None
        _check_workers(client, address)
        yield ClusterExecutor(client)
    finally:
        client.close()


def _check_workers(client: Any, address: str) -> None:
    here = software()
    problems = []
    for worker, theirs in sorted(client.run(software).items()):
        differences = [f"{name} {_shown(theirs.get(name, 'not installed'))} (here {_shown(version)})"
                       for name, version in here.items() if theirs.get(name) != version]
        if differences:
            problems.append(f"worker {worker} runs other software than this machine: " + ", ".join(differences))
    if problems:
        raise BuildFailed(problems + [f"scheduler {address}: every worker needs the same newsgen, Python and "
                                      f"libraries as this machine (Python {sys.version.split()[0]})"])


def _shown(version: str) -> str:
    """newsgen's version ends in a 64-digit digest of its code: shown by its first 12 digits."""
    return " ".join(word[:12] if len(word) == 64 else word for word in version.split())
