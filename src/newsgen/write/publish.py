"""Write pages into the output folder atomically, touching only files whose bytes changed.

Every build stages a complete new site in a folder beside the output folder, then swaps it in
with one atomic `renameat2(RENAME_EXCHANGE)` where Linux offers it, so a build that fails or is
killed at any moment leaves either the old or the new site in place; the next build removes what
a killed one left behind (and puts the old site back if the kill fell between the two renames of
the fallback). One build at a time writes beside an output folder (a lock on its parent).

- Whole tree (first build, `--clean`, or no trusted manifest): every page is written into the
  staging folder.
- Changes only (a manifest says what the output holds, path -> content hash): the staging folder
  is the standby, the site as it was before the last swap (`.NAME.standby` beside the output,
  kept by that swap instead of removed, its files hard links shared with the output where they
  are the same). The build brings it up to date with the changes of the last two builds: a new
  file whose bytes the standby lacks is written beside its place and renamed over it (never
  written in place: its inode may be the output's), or hard-linked from the output when the
  output has those bytes; files the new site does not have are removed (one listing of the
  folder); then it is swapped in, and the previous site becomes the standby. So staging costs
  what changed and a listing, not a link per file of the site. Without a standby the manifest vouches
  for (the first rebuild after a whole-tree write, or one after a kill), pages whose bytes differ
  are written into a new staging folder and every other file is hard-linked there from the
  current output (no copy). A build that changes nothing stages nothing and swaps nothing.

`finish`, when given, runs on the complete staging folder before the swap (the search indexer
writes its files there); if it raises, the old output stays.

The standby is renamed to a staging folder's name before the build changes anything in it, so a
build killed while updating it leaves a staging folder, which the next build removes; the
manifest records the standby (its device and inode, a random token written into it, and the
files where it differs from the output) after each swap, and a standby it does not describe is
removed.

Every output folder holds an OUTPUT_MARK file: a folder holding files is replaced only if it has
one, or if the site's manifest records it (check_output_folder).

The manifest carries the output folder's device and inode: an output folder replaced or removed
by hand no longer matches, and the next build writes the whole tree again.
"""

from __future__ import annotations

import ctypes
import errno
import glob
import hashlib
import json
import os
import posixpath
import secrets
import shutil
import stat
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from newsgen.errors import BuildFailed, NewsgenError
from newsgen.model import KeptPage, Page

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

MANIFEST_VERSION = 1


@dataclass(frozen=True)
class WriteReport:
    pages_written: int
    pages_unchanged: int = 0
    """Files kept as they were (their bytes equal the previous output's); 0 for a whole-tree write."""
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


OUTPUT_MARK = ".newsgen-output"
"""A file newsgen leaves in every output folder it writes: a folder holding files is replaced only if it has one."""
OUTPUT_MARK_TEXT = b"newsgen writes this folder; every build replaces it whole.\n"


def check_output_folder(output_dir: Path, protected: Iterable[Path], inside: dict[str, Path],
                        recorded: bool) -> None:
    """Refuse an output folder that is a file; that is, or holds, a protected folder (the whole
    output folder is replaced on every build); that is, or lies inside, one of the site's folders
    named in `inside` (the content folder would read it back, the cache is newsgen's own); or
    that holds files newsgen did not write: files but no OUTPUT_MARK, unless `recorded` (the
    site's cache describes this folder as the output of an earlier build) (`-o ~` must not wipe a
    home folder, `-o docs` must not lose the notes kept beside an index.html)."""
    out = output_dir.resolve()
    if out.exists() and not out.is_dir():
        raise NewsgenError(f"output folder {output_dir} is a file, and a build would replace it with the site; "
                           "choose another output folder")
    for folder in protected:
        folder = folder.resolve()
        if folder == out or folder.is_relative_to(out):
            raise NewsgenError(f"output folder {output_dir} would replace {folder}; choose another output folder")
    for name, folder in inside.items():
        if out.is_relative_to(folder.resolve()):
            where = "is" if out == folder.resolve() else "is inside"
            raise NewsgenError(f"output folder {output_dir} {where} the {name} folder {folder}; "
                               "choose another output folder")
    if out.is_dir() and any(out.iterdir()) and not (out / OUTPUT_MARK).is_file() and not recorded:
        raise NewsgenError(f"output folder {output_dir} holds files newsgen did not write (it has no {OUTPUT_MARK} "
                           "file), and a build replaces it whole; empty it or choose another output folder")


@dataclass(frozen=True)
class Manifest:
    """What a previous build left in the output folder, as recorded in `path`."""

    path: Path
    digests: dict[str, str]
    """Content hash by output path; empty when the output is unknown (then the whole tree is written)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Whatever the build stored beside the hashes (page keys, and what the nothing-changed check needs)."""
    root: list[int] | None = None
    """Device and inode of the output folder the hashes describe."""
    standby: "Standby | None" = None
    """The previous site kept beside the output folder, as the build that made it recorded it."""

    @property
    def trusted(self) -> bool:
        return bool(self.digests)


@dataclass(frozen=True)
class Standby:
    """The site as it was before the last swap, kept beside the output folder (see the module's
    description): its folder's device and inode, and its content hash by path where it differs
    from the output's (None: it has no such file)."""

    root: list[int]
    differs: dict[str, str | None]
    token: str
    """A random text the build wrote into the standby (STANDBY_TOKEN): a folder made by hand
    there can get the device and inode a removed standby had."""

    def digest(self, relative: str, output: dict[str, str]) -> str | None:
        return self.differs[relative] if relative in self.differs else output.get(relative)


def standby_folder(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.standby"


STANDBY_TOKEN = ".newsgen-standby"
"""The file in the standby holding its token (removed with every other file the new site does not
have when the standby is staged)."""


def _read_standby(data: Any) -> Standby | None:
    if not isinstance(data, dict):
        return None
    root, differs, token = data.get("root"), data.get("differs"), data.get("token")
    if (not isinstance(root, list) or len(root) != 2 or not all(isinstance(v, int) for v in root)
            or not isinstance(differs, dict) or not isinstance(token, str) or not token
            or not all(isinstance(v, str) or v is None for v in differs.values())):
        return None
    return Standby(root, differs, token)


def _root_id(output_dir: Path) -> list[int] | None:
    try:
        info = os.stat(output_dir)
    except OSError:
        return None
    return [info.st_dev, info.st_ino]


def read_manifest(manifest_path: Path, output_dir: Path) -> Manifest:
    """The manifest of output_dir; empty if missing, damaged or describing another folder."""
    empty = Manifest(manifest_path, {})
    try:
        data = json.loads(manifest_path.read_bytes())
    except (OSError, ValueError):
        return empty
    root = _root_id(output_dir)
    if (not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION or root is None
            or data.get("root") != root or not isinstance(data.get("files"), dict)):
        return empty
    return Manifest(manifest_path, data["files"], data.get("extra") or {}, root, _read_standby(data.get("standby")))


def link_site_copy(source: Manifest, source_dir: Path, target_dir: Path, target_manifest: Path) -> bool:
    """Make target_dir (which must not exist) a copy of the site in source_dir, every file hard-linked
    (copied where links are refused), with a manifest at target_manifest saying it holds what
    `source` says source_dir holds: a build into target_dir then renders and writes what differs
    from it, as a build into source_dir would. Both writers replace files and never write into
    one, so the two folders stay apart. Nothing is made, and False returned, when source is not
    trusted, a file it lists is missing, or a file cannot be linked or copied; the copy is made
    under the lock of source_dir's writers, so no build swaps a site in while it is read."""
    if not source.trusted or os.path.lexists(target_dir):
        return False
    staging = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.staging-", dir=target_dir.parent))
    try:
        with _locked(source_dir.parent):
            if _root_id(source_dir) != source.root:
                raise OSError(errno.ESTALE, "replaced since its manifest was read", str(source_dir))
            _link_tree(str(source_dir), str(staging))
            if not all(os.path.isfile(os.path.join(staging, path)) for path in source.digests):
                raise OSError(errno.ENOENT, "a file its manifest lists is missing", str(source_dir))
        os.rename(staging, target_dir)
        staging = target_dir
        write_atomic(target_manifest, _encode_manifest(target_dir, source.digests, source.extra))
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        return False
    return True


def _link_tree(source: str, target: str) -> None:
    """Hard-link (else copy) every file of the folder source into the existing folder target,
    making its folders. Symbolic links are left out: a build writes none (one put there by hand
    is not the site's, and a listed path that is one is then missing from the copy)."""
    with os.scandir(source) as entries:
        for entry in entries:
            placed = os.path.join(target, entry.name)
            if entry.is_symlink():
                continue
            if entry.is_dir():
                os.mkdir(placed)
                _link_tree(entry.path, placed)
            else:
                _link_or_copy(entry.path, placed)


def _link_or_copy(source: str, target: str) -> None:
    """A hard link to source at target, or a copy where the file system refuses the link."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(source, target)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a reader sees the old bytes or the new, never a part, and a
    failed write leaves no temporary file (its name is per process, so two builds of one site
    cannot write into each other's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError) and not exc.filename:  # a failed write names no file: name it
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise


def _encode_manifest(output_dir: Path, digests: dict[str, str], extra: dict[str, Any],
                     standby: Standby | None = None) -> bytes:
    record = {"version": MANIFEST_VERSION, "root": _root_id(output_dir), "files": digests, "extra": extra}
    if standby is not None:
        record["standby"] = {"root": standby.root, "differs": standby.differs, "token": standby.token}
    return json.dumps(record, separators=(",", ":")).encode()


class _Staging:
    """The folder a build stages the new site in, beside the output folder, opened when the first
    file arrives: the standby (`standby`, what the manifest says it holds) renamed to a staging
    folder's name, when there is one the manifest vouches for; else a new folder."""

    def __init__(self, output_dir: Path, standby: Standby | None = None, output: dict[str, str] | None = None):
        self.output_dir = output_dir
        self.path: Path | None = None
        self._folders: set[str] = set()
        self._standby = standby
        self._output = output or {}
        self.reused = False
        """Whether the folder is the standby (its files are replaced, never written in place)."""

    def open(self) -> Path:
        if self.path is None:
            standby = standby_folder(self.output_dir)
            if self._standby is not None and _is_standby(standby, self._standby):
                self.path = _unused_name(self.output_dir, "staging")
                os.rename(standby, self.path)
                self.reused = True
            else:
                self.path = Path(tempfile.mkdtemp(prefix=f".{self.output_dir.name}.staging-", dir=self.output_dir.parent))
                (self.path / OUTPUT_MARK).write_bytes(OUTPUT_MARK_TEXT)
        return self.path

    def _folder_of(self, relative: str) -> str:
        """The staged file's path as text (pathlib's parsing cost more than the links themselves)."""
        root = str(self.open())
        folder = posixpath.dirname(relative)
        if folder not in self._folders:
            try:
                os.makedirs(os.path.join(root, folder), exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                if not self.reused:
                    raise
                self._clear_way(root, folder)  # a file of the standby where the new site has a folder
                os.makedirs(os.path.join(root, folder), exist_ok=True)
            self._folders.add(folder)
        target = os.path.join(root, relative)
        if self.reused and os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)  # a folder of the standby where the new site has a file
        return target

    @staticmethod
    def _clear_way(root: str, folder: str) -> None:
        """Remove the files standing where the folders of `folder` go."""
        path = root
        for part in folder.split("/"):
            path = os.path.join(path, part)
            if os.path.lexists(path) and (os.path.islink(path) or not os.path.isdir(path)):
                os.unlink(path)

    def _holds(self, relative: str, digest: str) -> bool:
        """Whether the reused standby holds these bytes at this path already."""
        return self.reused and self._standby.digest(relative, self._output) == digest  # type: ignore[union-attr]

    def write(self, relative: str, content: bytes, digest: str) -> None:
        if self._holds(relative, digest):
            return
        target = self._folder_of(relative)
        if not self.reused:
            with open(target, "wb") as handle:
                handle.write(content)
            return
        temporary = f"{target}.{os.getpid()}.newsgen-tmp"
        with open(temporary, "wb") as handle:
            handle.write(content)
        os.replace(temporary, target)

    def link(self, relative: str, digest: str) -> None:
        """The current output's file, hard-linked (copied where links are refused)."""
        if self._holds(relative, digest):
            return
        source, target = os.path.join(self.output_dir, relative), self._folder_of(relative)
        placed = f"{target}.{os.getpid()}.newsgen-tmp" if self.reused else target
        try:
            _link_or_copy(source, placed)
        except FileNotFoundError:
            raise NewsgenError(f"{source} was removed by hand; run `newsgen build --clean`") from None
        if placed != target:
            os.replace(placed, target)

    def drop_others(self, digests: dict[str, str], kept_folders: frozenset[str]) -> None:
        """In a reused standby, remove every file the new site does not hold (and the folders left
        empty): files of pages gone since, the parts of a search index the next step writes
        again. The folders in kept_folders are left as they are."""
        if not self.reused:
            return
        root = str(self.path)

        def clear(folder: str, relative: str) -> bool:  # True when the folder is left empty
            empty = True
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = f"{relative}{entry.name}"
                    if entry.is_dir(follow_symlinks=False):
                        if name in kept_folders:
                            empty = False
                        elif clear(entry.path, f"{name}/"):
                            os.rmdir(entry.path)
                        else:
                            empty = False
                    elif name in digests or name == OUTPUT_MARK:
                        empty = False
                    else:
                        os.unlink(entry.path)
            return empty

        clear(root, "")

    def remove(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


def _unused_name(output_dir: Path, kind: str) -> Path:
    """A new path beside output_dir named `.NAME.KIND-...` (a staging or retired folder), not yet made."""
    path = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.{kind}-", dir=output_dir.parent))
    os.rmdir(path)
    return path


def _is_standby(folder: Path, recorded: Standby) -> bool:
    """Whether folder is the standby the manifest recorded (the same folder, not a link, holding
    its token)."""
    try:
        found = os.stat(folder, follow_symlinks=False)
        if not stat.S_ISDIR(found.st_mode) or [found.st_dev, found.st_ino] != recorded.root:
            return False
        token = folder / STANDBY_TOKEN
        return not token.is_symlink() and token.read_text(encoding="ascii") == recorded.token
    except (OSError, UnicodeError):
        return False


def write_site(pages: Iterable[Page | KeptPage], output_dir: Path, manifest: Manifest | None = None,
               extra: Callable[[dict[str, str]], dict[str, Any]] | None = None,
               finish: Callable[[Path, dict[str, str]], None] | None = None,
               retire: Callable[[Path], None] | None = None,
               finish_keeps: frozenset[str] = frozenset()) -> WriteReport:
    """Write pages into output_dir: stage a complete new site beside it, then swap it in. With a
    trusted manifest, only changed files are written (the others are hard-linked) and a build
    that changes nothing swaps nothing. The new manifest (with `extra(digests)` beside the
    hashes) is saved when manifest is given. `finish(staging, digests)`, when given, runs on the
    complete staging folder (with the content hash of every file in it) before the swap; if it
    raises, the old output stays. The folder holding the previous site after the swap is kept as
    the standby when the manifest said what it holds; else it is removed at once, or handed to
    `retire` (to remove once readers have moved to the new site: a folder beside the output that
    a build finds there is removed, see _clean_leftovers). The folders named in `finish_keeps`
    (relative paths) are left whole in a reused standby, for `finish` to keep or replace (an
    unchanged shard of the search index); any other file no page makes is removed first."""
    make_output_parent(output_dir)
    with _locked(output_dir.parent):
        _clean_leftovers(output_dir)
        try:
            _drop_stale_standby(output_dir, manifest)
            return _write_staged(pages, output_dir, manifest, extra, finish, retire or remove_retired, finish_keeps)
        except OSError as exc:  # a full disk, a file where a folder should be, ...
            if exc.filename and not _beside_output(exc.filename, output_dir):  # a file of the build's cache
                raise NewsgenError(f"cannot write {exc.filename}: {exc.strerror or exc}; the site was not built, "
                                   "and the previous site was left as it was") from None
            raise NewsgenError(f"cannot write the site to {output_dir}: {_reason(exc)}; "
                               "the previous site was left as it was") from None


def _beside_output(filename: str, output_dir: Path) -> bool:
    """Whether a path is in the output folder, or in a staging or retired folder beside it."""
    path, out = Path(os.path.abspath(filename)), Path(os.path.abspath(output_dir))
    if path.is_relative_to(out):
        return True
    if path == out.parent or not path.is_relative_to(out.parent):
        return False
    return path.relative_to(out.parent).parts[0].startswith(f".{out.name}.")


def make_output_parent(output_dir: Path) -> None:
    """Create the folder the output folder goes in (a build checks this before it writes its cache)."""
    try:
        output_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NewsgenError(f"cannot create the output folder {output_dir}: {_reason(exc)}") from None


def _write_staged(pages: Iterable[Page | KeptPage], output_dir: Path, manifest: Manifest | None,
                  extra: Callable[[dict[str, str]], dict[str, Any]] | None,
                  finish: Callable[[Path, dict[str, str]], None] | None,
                  retire: Callable[[Path], None], finish_keeps: frozenset[str]) -> WriteReport:
    previous = manifest.digests if manifest is not None and manifest.trusted else None
    if previous is not None and _root_id(output_dir) != manifest.root:  # type: ignore[union-attr]
        raise NewsgenError(f"output folder {output_dir} changed while this build ran (another build?); build again")
    standby = manifest.standby if previous is not None else None  # type: ignore[union-attr]
    staging = _Staging(output_dir, standby, previous)
    if previous is None:
        staging.open()  # no pages at all is still an (empty) site
    digests: dict[str, str] = {}
    sources: dict[str, str] = {}  # the site's files copied as they are, by output path
    written: list[str] = []
    pending: list[tuple[str, str]] = []  # unchanged files and their hashes, staged once something changes
    try:
        for page in pages:
            relative = safe_relative_path(page.path)
            source = page.source if isinstance(page, Page) else ""
            if relative in digests:
                raise BuildFailed([_collision(relative, source or sources.get(relative, ""))])
            if source:
                sources[relative] = source
            if isinstance(page, KeptPage):
                if previous is None or relative not in previous:
                    raise BuildFailed([f"internal error: {relative} kept from a build that did not write it"])
                digests[relative] = previous[relative]
                _keep(staging, pending, relative, previous[relative])
                continue
            digest = content_digest(page.content)
            digests[relative] = digest
            if previous is not None and previous.get(relative) == digest:
                _keep(staging, pending, relative, digest)
                continue
            if staging.path is None:
                _link_all(staging, pending)
            staging.write(relative, page.content, digest)
            written.append(relative)
        deleted = sorted(set(previous) - set(digests)) if previous is not None else []
        if deleted and staging.path is None:
            _link_all(staging, pending)
        if staging.path is not None:
            staging.drop_others(digests, finish_keeps)
            if finish is not None:
                finish(staging.path, digests)
            os.chmod(staging.path, 0o755)
            previous_site = _swap_in(staging.path, output_dir)
            staging.path = None
            standby = _keep_as_standby(previous_site, output_dir, previous, digests) if previous_site else None
            if previous_site is not None and standby is None:
                retire(previous_site)
        if manifest is not None:
            _save_manifest(manifest.path, _encode_manifest(output_dir, digests, extra(digests) if extra else {},
                                                           standby), output_dir)
    except BaseException:
        staging.remove()
        raise
    return WriteReport(len(written), len(digests) - len(written), len(deleted), digests)


def _collision(relative: str, copied: str) -> str:
    """The error for two pages with one output path, naming the site's file among them, if any."""
    if copied:
        return f"{copied}: would be written to {relative}, which newsgen writes itself; rename or remove the file"
    return f"two pages would be written to {relative}"


def _save_manifest(path: Path, data: bytes, output_dir: Path) -> None:
    """Save the manifest of the site just published. If it cannot be written, the previous one is
    removed as well (it no longer describes the output), so the next build writes every file again."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        with suppress(OSError):
            path.unlink(missing_ok=True)
        raise NewsgenError(f"the site was published to {output_dir}, but the build cache file {path} could not be "
                           f"written: {exc.strerror or exc}; the next build will write every file again") from None


def _keep(staging: _Staging, pending: list[tuple[str, str]], relative: str, digest: str) -> None:
    if staging.path is None:
        pending.append((relative, digest))
    else:
        staging.link(relative, digest)


def _link_all(staging: _Staging, pending: list[tuple[str, str]]) -> None:
    staging.open()
    for relative, digest in pending:
        staging.link(relative, digest)
    pending.clear()


def _keep_as_standby(previous_site: Path, output_dir: Path, previous: dict[str, str] | None,
                     digests: dict[str, str]) -> Standby | None:
    """Keep the folder holding the previous site as the standby, if the manifest said what it
    holds (`previous`) and it is a folder; its record (None: not kept)."""
    if previous is None or previous_site.is_symlink() or not previous_site.is_dir():
        return None
    folder = standby_folder(output_dir)
    token = secrets.token_hex(16)
    try:
        if os.path.lexists(folder):  # only a build killed at the wrong moment leaves one here
            _drop_stale_standby(output_dir, None)
        os.rename(previous_site, folder)
        (folder / STANDBY_TOKEN).write_text(token, encoding="ascii")
    except OSError:  # the site is published: it goes without a standby (the next build stages it whole)
        return None
    differs: dict[str, str | None] = {path: previous.get(path) for path, digest in digests.items()
                                      if previous.get(path) != digest}
    differs.update((path, digest) for path, digest in previous.items() if path not in digests)
    root = _root_id(folder)
    return Standby(root, differs, token) if root is not None else None


def _drop_stale_standby(output_dir: Path, manifest: Manifest | None) -> None:
    """Remove a standby the manifest does not vouch for (see the module's description)."""
    folder = standby_folder(output_dir)
    if not os.path.lexists(folder):
        return
    recorded = manifest.standby if manifest is not None and manifest.trusted else None
    if recorded is not None and _root_id(output_dir) == manifest.root and _is_standby(folder, recorded):  # type: ignore[union-attr]
        return
    if folder.is_symlink() or not folder.is_dir():
        folder.unlink()
    else:
        shutil.rmtree(folder, ignore_errors=True)


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


def remove_retired(folder: Path) -> None:
    """Remove the folder that held the previous site (write_site's default `retire`)."""
    shutil.rmtree(folder, ignore_errors=True)


def _swap_in(staging: Path, output_dir: Path) -> Path | None:
    """Put the staged site at output_dir; the folder now holding the previous site, if any."""
    if not output_dir.exists():
        os.rename(staging, output_dir)
        return None
    if output_dir.is_dir() and not output_dir.is_symlink() and _exchange(staging, output_dir):
        return staging  # it now holds the previous site
    retired = _unused_name(output_dir, "old")
    os.rename(output_dir, retired)
    try:
        os.rename(staging, output_dir)
    except OSError:
        os.rename(retired, output_dir)
        raise
    return retired
