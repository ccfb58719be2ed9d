"""Write pages into the output folder atomically: stage everything, then swap folders.

A failed build (an exception while pages are still being produced) removes the staging
folder and leaves the previous output exactly as it was. The swap is one atomic
`renameat2(RENAME_EXCHANGE)` where Linux offers it, so a build killed at any moment leaves
either the old or the new site in place; the next build removes what a killed one left
behind (and puts the old site back if the kill fell between the two renames of the fallback).
"""

from __future__ import annotations

import ctypes
import errno
import glob
import os
import posixpath
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import BuildFailed, NewsgenError
from .model import Page

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class WriteReport:
    pages_written: int
    bytes_written: int


def safe_relative_path(path: str) -> str:
    """The path if it stays inside the output folder; otherwise a BuildFailed naming it."""
    normal = posixpath.normpath(path.replace("\\", "/"))
    if (path.startswith(("/", "\\")) or normal == ".." or normal.startswith("../")
            or ":" in normal.split("/")[0] or "\x00" in normal):
        raise BuildFailed([f"refusing to write outside the output folder: {path!r}"])
    return normal


def check_output_folder(output_dir: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder that is, or holds, the site or content folder (it gets replaced)."""
    out = output_dir.resolve()
    for folder in protected:
        folder = folder.resolve()
        if folder == out or folder.is_relative_to(out):
            raise NewsgenError(f"output folder {output_dir} would replace {folder}; choose another output_dir")


def write_site(pages: Iterable[Page], output_dir: Path) -> WriteReport:
    """Write every page into a staging folder beside output_dir, then swap it in."""
    try:
        output_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NewsgenError(f"cannot create the output folder {output_dir}: {_reason(exc)}") from None
    with _locked(output_dir.parent):
        _clean_leftovers(output_dir)
        try:
            return _write_staged(pages, output_dir)
        except OSError as exc:  # a full disk, a file where a folder should be, ...
            raise NewsgenError(f"cannot write the site to {output_dir}: {_reason(exc)}; "
                               "the previous site was left as it was") from None


def _write_staged(pages: Iterable[Page], output_dir: Path) -> WriteReport:
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.staging-", dir=output_dir.parent))
    written: set[str] = set()
    total = 0
    try:
        for page in pages:
            relative = safe_relative_path(page.path)
            if relative in written:
                raise BuildFailed([f"two pages would be written to {relative}"])
            written.add(relative)
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.content)
            total += len(page.content)
        os.chmod(staging, 0o755)
        _swap_in(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteReport(len(written), total)


def _reason(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One writer at a time per output parent folder (a lock on the folder itself: no lock file)."""
    if fcntl is None:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _clean_leftovers(output_dir: Path) -> None:
    """Remove staging and retired folders a killed build left beside output_dir; if the kill
    came between the fallback swap's two renames, put the previous site back first."""
    parent, name = output_dir.parent, glob.escape(output_dir.name)
    retired = sorted(parent.glob(f".{name}.old-*"), key=lambda p: p.stat().st_mtime)
    if retired and not output_dir.exists():
        os.rename(retired.pop(), output_dir)
    for leftover in retired + list(parent.glob(f".{name}.staging-*")):
        shutil.rmtree(leftover, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
try:
    _renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
except (OSError, TypeError):  # pragma: no cover - no C library to ask (Windows)
    _renameat2 = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False when the system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap_in(staging: Path, output_dir: Path) -> None:
    if not output_dir.exists():
        os.rename(staging, output_dir)
        return
    if output_dir.is_dir() and not output_dir.is_symlink() and _exchange(staging, output_dir):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous site
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.old-", dir=output_dir.parent))
    os.rmdir(retired)
    os.rename(output_dir, retired)
    try:
        os.rename(staging, output_dir)
    except OSError:
        os.rename(retired, output_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
