"""Write pages into the output folder, atomically, touching only files whose bytes changed.

Two ways, both leaving the previous site complete when a build fails:

- Whole tree (first build, `--clean`, or no trusted manifest): every page goes into a staging
  folder beside the output folder, which is then swapped in with renames. A failure before the
  swap removes the staging folder; the old output is untouched.
- Changes only (a manifest says what the output holds, path -> content hash): pages whose
  bytes differ go into a staging folder; nothing in the output is touched while pages are being
  produced, so a failed or killed build leaves it as it was. Then the new manifest is written
  beside the old one and a journal (staged files to move in, files to delete) is committed with
  an atomic rename; only then are files renamed into place. A build killed after the commit is
  finished by the next build, which replays the journal (every step can be repeated safely)
  before it reads the manifest.

The manifest carries the output folder's device and inode: an output folder replaced or removed
by hand no longer matches, and the next build writes the whole tree again.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .errors import BuildFailed, NewsgenError
from .model import KeptPage, Page

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class WriteReport:
    pages_written: int
    bytes_written: int
    pages_unchanged: int = 0
    pages_deleted: int = 0
    digests: dict[str, str] = field(default_factory=dict, repr=False)
    """Content hash of every file the output now holds, by path."""


def content_digest(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=16).hexdigest()


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


@dataclass(frozen=True)
class Manifest:
    """What a previous build left in the output folder, as recorded in `path`."""

    path: Path
    digests: dict[str, str]
    """Content hash by output path; empty when the output is unknown (then the whole tree is written)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Whatever the build stored beside the hashes (page keys and traces)."""

    @property
    def trusted(self) -> bool:
        return bool(self.digests)


def _root_id(output_dir: Path) -> list[int] | None:
    try:
        info = os.stat(output_dir)
    except OSError:
        return None
    return [info.st_dev, info.st_ino]


def read_manifest(manifest_path: Path, output_dir: Path) -> Manifest:
    """The manifest of output_dir, after finishing any interrupted write; empty if not trusted."""
    recover_interrupted_write(output_dir, manifest_path)
    empty = Manifest(manifest_path, {})
    try:
        data = json.loads(manifest_path.read_bytes())
    except (OSError, ValueError):
        return empty
    if (not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION
            or data.get("root") != _root_id(output_dir) or not isinstance(data.get("files"), dict)):
        return empty
    return Manifest(manifest_path, data["files"], data.get("extra") or {})


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _encode_manifest(output_dir: Path, digests: dict[str, str], extra: dict[str, Any]) -> bytes:
    return json.dumps({"version": MANIFEST_VERSION, "root": _root_id(output_dir), "files": digests,
                       "extra": extra}, separators=(",", ":")).encode()


class _Staging:
    """A staging folder beside the output folder, made when the first file arrives."""

    def __init__(self, output_dir: Path):
        self.output_dir = output_dir
        self.path: Path | None = None
        self._folders: set[str] = set()
        self.bytes = 0
        self.committed = False
        """Set once a journal names the staged files: then they belong to the journal."""

    def write(self, relative: str, content: bytes) -> None:
        if self.path is None:
            self.output_dir.parent.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=f".{self.output_dir.name}.staging-", dir=self.output_dir.parent))
        folder = posixpath.dirname(relative)
        if folder not in self._folders:
            (self.path / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        with open(self.path / relative, "wb") as handle:
            handle.write(content)
        self.bytes += len(content)

    def remove(self) -> None:
        if self.path is not None and not self.committed:
            shutil.rmtree(self.path, ignore_errors=True)


def write_site(pages: Iterable[Page | KeptPage], output_dir: Path, manifest: Manifest | None = None,
               extra: Callable[[dict[str, str]], dict[str, Any]] | None = None) -> WriteReport:
    """Write pages into output_dir. With a trusted manifest, only changed files are written and
    files no longer produced are deleted; otherwise the whole tree is staged and swapped in.
    The new manifest (with `extra(digests)` beside the hashes) is saved when manifest is given."""
    previous = manifest.digests if manifest is not None and manifest.trusted else None
    staging = _Staging(output_dir)
    digests: dict[str, str] = {}
    written: list[str] = []
    try:
        for page in pages:
            relative = safe_relative_path(page.path)
            if relative in digests:
                raise BuildFailed([f"two pages would be written to {relative}"])
            if isinstance(page, KeptPage):
                if previous is None or relative not in previous:
                    raise BuildFailed([f"internal error: {relative} kept from a build that did not write it"])
                digests[relative] = previous[relative]
                continue
            digest = content_digest(page.content)
            digests[relative] = digest
            if previous is None or previous.get(relative) != digest:
                staging.write(relative, page.content)
                written.append(relative)
        manifest_bytes = None
        if manifest is not None:
            manifest_bytes = lambda: _encode_manifest(output_dir, digests, extra(digests) if extra else {})  # noqa: E731
        if previous is None:
            _swap_whole_tree(staging, output_dir)
            if manifest_bytes is not None:
                _write_atomic(manifest.path, manifest_bytes())
        else:
            deleted = sorted(set(previous) - set(digests))
            _apply_changes(staging, output_dir, written, deleted, manifest.path, manifest_bytes())  # type: ignore[union-attr,misc]
            return WriteReport(len(written), staging.bytes, len(digests) - len(written), len(deleted), digests)
    except BaseException:
        staging.remove()
        raise
    return WriteReport(len(written), staging.bytes, len(digests) - len(written), 0, digests)


def _swap_whole_tree(staging: _Staging, output_dir: Path) -> None:
    if staging.path is None:  # no pages at all: still an (empty) site
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        staging.path = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.staging-", dir=output_dir.parent))
    os.chmod(staging.path, 0o755)
    if not output_dir.exists():
        os.rename(staging.path, output_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.old-", dir=output_dir.parent))
    os.rmdir(retired)
    os.rename(output_dir, retired)
    try:
        os.rename(staging.path, output_dir)
    except OSError:
        os.rename(retired, output_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def journal_path(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.newsgen-journal"


def _apply_changes(staging: _Staging, output_dir: Path, written: list[str], deleted: list[str],
                   manifest_path: Path, manifest_bytes: bytes) -> None:
    if not written and not deleted:
        _write_atomic(manifest_path, manifest_bytes)
        return
    following = manifest_path.with_name(manifest_path.name + ".next")
    _write_atomic(following, manifest_bytes)
    journal = {"staging": str(staging.path) if staging.path else None, "moves": written, "deletes": deleted,
               "manifest": str(manifest_path), "next": str(following)}
    _write_atomic(journal_path(output_dir), json.dumps(journal).encode())  # the commit point
    staging.committed = True
    _replay(journal, output_dir)
    journal_path(output_dir).unlink()


def _replay(journal: dict[str, Any], output_dir: Path) -> None:
    """Move staged files into place and delete old ones; safe to run again after a crash."""
    staging = Path(journal["staging"]) if journal.get("staging") else None
    folders: set[Path] = set()
    for relative in journal["moves"]:
        target = output_dir / relative
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        if staging is not None and (staging / relative).exists():
            os.replace(staging / relative, target)
    for relative in journal["deletes"]:
        target = output_dir / relative
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != output_dir and parent.is_relative_to(output_dir):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
    following = Path(journal["next"])
    if following.exists():
        os.replace(following, journal["manifest"])
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)


def recover_interrupted_write(output_dir: Path, manifest_path: Path | None = None) -> bool:
    """Finish a change-only write that was killed after its commit; drop staging left by killed
    builds. Returns whether a journal was replayed."""
    journal_file = journal_path(output_dir)
    replayed = False
    try:
        journal = json.loads(journal_file.read_bytes())
    except (OSError, ValueError):
        journal = None
    if isinstance(journal, dict) and "moves" in journal:
        _replay(journal, output_dir)
        replayed = True
    journal_file.unlink(missing_ok=True)
    if output_dir.parent.is_dir():
        for leftover in output_dir.parent.glob(f".{output_dir.name}.staging-*"):
            shutil.rmtree(leftover, ignore_errors=True)
    if manifest_path is not None:
        manifest_path.with_name(manifest_path.name + ".next").unlink(missing_ok=True)
    return replayed
