"""The search cache: one folder of Pagefind's output per index shard, trusted only when every byte checks.

`.newsgen-cache/search/<key>/` holds a shard's files and a MANIFEST (its key, and each file's path,
size and SHA-256), written last into a staging folder that is then renamed into place, so a killed
build never leaves half an entry. An entry is used only by copying it: its folder name must equal
its manifest's key, and every file is hashed as it is copied; a missing, extra or altered file drops
the entry (the caller indexes the shard again), so a damaged entry is never published.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import tempfile
from pathlib import Path
from typing import Callable

MANIFEST = "MANIFEST"
CHUNK = 1 << 20


class DamagedEntry(Exception):
    """A cache entry whose files differ from its manifest (the message says how)."""


def store_entry(cache: Path, key: str, bundle: Path, keep: Callable[[str], bool]) -> None:
    """Copy the files of `bundle` that `keep(relative path)` accepts into the entry `key`: staged, its
    manifest written last, then renamed into place. A cache that cannot be written is passed over (it
    only saves time)."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache))
        try:
            files = []
            for relative in _files(bundle):
                if keep(relative):
                    files.append([relative, *_copy_hashed(bundle / relative, staging / relative)])
            manifest = json.dumps({"key": key, "files": files}, indent=0).encode()
            (staging / MANIFEST).write_bytes(manifest)
            target = cache / key
            if target.exists():
                shutil.rmtree(target)
            os.rename(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        pass


def copy_entry(cache: Path, key: str, target: Path, keep: Callable[[str], bool]) -> bool:
    """Copy the entry `key`'s files that `keep` accepts into `target` (a folder that must not exist),
    checking every file against the manifest; False when there is no entry. Raises DamagedEntry, after
    removing `target` and the entry, when the entry does not match its manifest."""
    entry = cache / key
    if not entry.is_dir():
        return False
    try:
        _copy_checked(entry, key, target, keep)
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        if not (exc.filename and Path(exc.filename).is_relative_to(entry)):
            raise  # the output could not be written (a full disk): not the entry's fault
        raise _damaged(entry, exc) from None
    except (DamagedEntry, ValueError, KeyError, TypeError) as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise _damaged(entry, exc) from None
    return True


def _damaged(entry: Path, problem: Exception) -> DamagedEntry:
    """Remove an entry found damaged; the DamagedEntry saying how."""
    shutil.rmtree(entry, ignore_errors=True)
    if isinstance(problem, OSError):
        return DamagedEntry(f"unreadable: {problem.strerror}")
    return DamagedEntry(str(problem) if isinstance(problem, DamagedEntry) else "its manifest is unreadable")


def _listed_files(entry: Path, key: str) -> dict[str, tuple[int, str]]:
    """Each file the entry's manifest lists, with its size and SHA-256. Raises DamagedEntry when the
    manifest names another key (and ValueError, KeyError or TypeError when it is unreadable)."""
    manifest = json.loads((entry / MANIFEST).read_bytes())
    if manifest["key"] != key:
        raise DamagedEntry(f"its manifest names another key ({str(manifest['key'])[:16]}…)")
    return {str(path): (int(size), str(digest)) for path, size, digest in manifest["files"]}


def link_published(cache: Path, key: str, published: Path, target: Path, keep: Callable[[str], bool]) -> bool:
    """Hard-link into `target` the files of a shard as the live site publishes it (`published`), when
    they are, by path, the files that `keep` accepts of the entry `key` (Pagefind names its index
    files by a hash of their content): an unchanged shard costs no copy. The live site is trusted as
    the writer trusts it (its manifest); a folder that differs from the entry's manifest is passed
    over (False, nothing linked)."""
    try:
        present = _published_files(cache, key, published, keep)
        if present is None:
            return False
        for folder in sorted({posixpath.dirname(relative) for relative in present}):
            (target / folder).mkdir(parents=True, exist_ok=True)
        for relative in present:
            os.link(published / relative, target / relative)
    except (OSError, DamagedEntry, ValueError, KeyError, TypeError):
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def holds_published(cache: Path, key: str, folder: Path, keep: Callable[[str], bool]) -> bool:
    """Whether `folder` holds, by path, exactly the files that `keep` accepts of the entry `key`: a
    shard a site published, trusted as link_published trusts the live site."""
    try:
        return _published_files(cache, key, folder, keep) is not None
    except (OSError, DamagedEntry, ValueError, KeyError, TypeError):
        return False


def _published_files(cache: Path, key: str, folder: Path, keep: Callable[[str], bool]) -> list[str] | None:
    """The files under `folder` when they are the ones `keep` accepts of the entry `key`, else None."""
    wanted = {path for path in _listed_files(cache / key, key) if keep(path)}
    present = _files(folder)
    return present if set(present) == wanted else None


def read_checked(cache: Path, key: str, relative: str) -> bytes | None:
    """The bytes of one file of the entry `key`, checked against its manifest; None when there is no
    entry. Raises DamagedEntry, after removing the entry, when the manifest does not list the file,
    or the file is missing or differs from it."""
    entry = cache / key
    if not entry.is_dir():
        return None
    try:
        listed = _listed_files(entry, key)
        if relative not in listed:
            raise DamagedEntry(f"missing file {relative}")
        data = (entry / relative).read_bytes()
        if (len(data), hashlib.sha256(data).hexdigest()) != listed[relative]:
            raise DamagedEntry(f"{relative} does not match its checksum")
    except (OSError, DamagedEntry, ValueError, KeyError, TypeError) as exc:
        raise _damaged(entry, exc) from None
    return data


def _copy_checked(entry: Path, key: str, target: Path, keep: Callable[[str], bool]) -> None:
    listed = _listed_files(entry, key)
    present = set(_files(entry)) - {MANIFEST}
    if present != set(listed):
        odd = sorted(present ^ set(listed))
        raise DamagedEntry(f"{'missing' if odd[0] in listed else 'unexpected'} file {odd[0]}")
    for relative in sorted(listed):
        if not keep(relative):
            continue
        size, digest = _copy_hashed(entry / relative, target / relative)
        if (size, digest) != listed[relative]:
            raise DamagedEntry(f"{relative} does not match its checksum")


def _files(folder: Path) -> list[str]:
    """Every file under folder, as sorted relative POSIX paths."""
    found = []
    for parent, dirs, names in os.walk(folder):
        dirs.sort()
        base = Path(parent).relative_to(folder)
        found += [(base / name).as_posix() for name in sorted(names)]
    return found


def _copy_hashed(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file, returning the size and SHA-256 of the bytes copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
    return size, digest.hexdigest()
