"""Write pages into the output folder atomically: stage everything, then swap folders.

A failed build (an exception while pages are still being produced) removes the staging
folder and leaves the previous output exactly as it was.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .errors import BuildFailed, NewsgenError
from .model import Page


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


def write_site(pages: Iterable[Page], output_dir: Path,
               finish: Callable[[Path], None] | None = None) -> WriteReport:
    """Write every page into a staging folder beside output_dir, then swap it in.

    `finish`, when given, runs on the complete staging folder before the swap (the search
    indexer writes its files there); if it raises, the old output stays."""
    output_dir.parent.mkdir(parents=True, exist_ok=True)
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
        if finish is not None:
            finish(staging)
        os.chmod(staging, 0o755)
        _swap_in(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteReport(len(written), total)


def _swap_in(staging: Path, output_dir: Path) -> None:
    if not output_dir.exists():
        os.rename(staging, output_dir)
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
