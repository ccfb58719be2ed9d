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
from typing import Callable, Iterable, Iterator

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
    pages_unchanged: int = 0
    """Pages whose bytes equal the file at the same path in the previous output."""


def safe_relative_path(path: str) -> str:
    """The path if it stays inside the output folder; otherwise a BuildFailed naming it."""
    normal = posixpath.normpath(path.replace("\\", "/"))
    if (path.startswith(("/", "\\")) or normal == ".." or normal.startswith("../")
            or ":" in normal.split("/")[0] or "\x00" in normal):
        raise BuildFailed([f"refusing to write outside the output folder: {path!r}"])
    return normal


def check_output_folder(output_dir: Path, protected: Iterable[Path], content_dir: Path | None = None) -> None:
    """Refuse an output folder that is, or holds, a protected folder (the whole output folder is
    replaced on every build), that lies inside the content folder (it would be read back), or
    that holds files but is no site (`-o ~` must not wipe a home folder)."""
    out = output_dir.resolve()
    for folder in protected:
        folder = folder.resolve()
        if folder == out or folder.is_relative_to(out):
            raise NewsgenError(f"output folder {output_dir} would replace {folder}; choose another output folder")
    if content_dir is not None and out.is_relative_to(content_dir.resolve()):
        raise NewsgenError(f"output folder {output_dir} is inside the content folder {content_dir}; "
                           "choose another output folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise NewsgenError(f"output folder {output_dir} holds files but no index.html, so it is not a site newsgen "
                           "built, and a build replaces it whole; empty it or choose another output folder")


def write_site(pages: Iterable[Page], output_dir: Path,
               finish: Callable[[Path], None] | None = None) -> WriteReport:
    """Write every page into a staging folder beside output_dir, then swap it in.

    `finish`, when given, runs on the complete staging folder before the swap (the search
    indexer writes its files there); if it raises, the old output stays."""
    try:
        output_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NewsgenError(f"cannot create the output folder {output_dir}: {_reason(exc)}") from None
    with _locked(output_dir.parent):
        _clean_leftovers(output_dir)
        try:
            return _write_staged(pages, output_dir, finish)
        except OSError as exc:  # a full disk, a file where a folder should be, ...
            raise NewsgenError(f"cannot write the site to {output_dir}: {_reason(exc)}; "
                               "the previous site was left as it was") from None


def _write_staged(pages: Iterable[Page], output_dir: Path, finish: Callable[[Path], None] | None) -> WriteReport:
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.staging-", dir=output_dir.parent))
    written: set[str] = set()
    total = 0
    unchanged = 0
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
            unchanged += _same_bytes(output_dir / relative, page.content)
        if finish is not None:
            finish(staging)
        os.chmod(staging, 0o755)
        _swap_in(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteReport(len(written), total, unchanged)


def _same_bytes(path: Path, content: bytes) -> bool:
    """Whether the file holds exactly content (a size check first, so most changes cost one stat)."""
    try:
        return path.stat().st_size == len(content) and path.read_bytes() == content
    except OSError:
        return False


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
