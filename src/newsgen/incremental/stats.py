"""What the previous scan found about each article file, so that a scan reads only the files that
changed (the rule git's index uses).

A file whose size, modification time, change time and inode are as recorded, found at the same
path as shown and with the same neighbours under the same parse settings, has the bytes it had:
its recorded cache key stands without reading it. Any write to a file changes its change time,
even one that puts the size and modification time back. A file modified in the same second as
the scan that recorded it, or later, is read again whatever its stats say: a write in that second
after the scan read it could leave every recorded stat as it was on a file system with coarse
timestamps.

The record is a cache: damaged or missing, every file is read, as without it.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsgen.incremental.keys import cache_dir
from newsgen.config import SiteConfig

VERSION = 1
_SECOND = 1_000_000_000


def file_stats_path(config: SiteConfig) -> Path:
    return cache_dir(config) / "files.json"


def context_digest(shown: str, neighbours: str) -> str:
    """What shaped a file's key besides its bytes and the parse settings: the path as shown and
    what its neighbours say about it."""
    return hashlib.blake2b(f"{shown}\0{neighbours}".encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()


@dataclass(frozen=True)
class KnownFiles:
    """The article files of one scan: by path, their stats, what shaped their key, and the key."""

    parse_context: str
    """parse_key() of the scan's settings: under other settings no key stands."""
    scanned_ns: int
    """When the scan began (the clock, in nanoseconds)."""
    files: dict[str, list[Any]] = field(default_factory=dict)
    """path -> [size, mtime_ns, ctime_ns, inode, context digest, key]."""

    def key(self, path: str, stat: os.stat_result, context: str) -> str | None:
        """The file's recorded key, if its stats say its bytes are as recorded and `context`
        (context_digest) is as recorded; else None."""
        entry = self.files.get(path)
        if entry is None or stat.st_mtime_ns // _SECOND >= self.scanned_ns // _SECOND:
            return None
        if entry[:4] != [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]:
            return None
        return entry[5] if entry[4] == context else None

    @staticmethod
    def entry(stat: os.stat_result, context: str, key: str) -> list[Any]:
        return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, context, key]


def read_known_files(path: Path) -> KnownFiles | None:
    """The record at path, if it is whole; else None."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if (not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("context"), str)
            or not isinstance(data.get("scanned_ns"), int) or not isinstance(data.get("files"), dict)):
        return None
    files = {name: entry for name, entry in data["files"].items()
             if isinstance(entry, list) and len(entry) == 6 and all(isinstance(v, int) for v in entry[:4])
             and all(isinstance(v, str) for v in entry[4:])}
    return KnownFiles(data["context"], data["scanned_ns"], files)


def save_known_files(path: Path, known: KnownFiles) -> None:
    """Write the record whole or not at all (a failure leaves no record: every file is read next time)."""
    data = json.dumps({"version": VERSION, "context": known.parse_context, "scanned_ns": known.scanned_ns,
                       "files": known.files}, separators=(",", ":")).encode()
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        with suppress(OSError):
            temporary.unlink()
        with suppress(OSError):
            path.unlink()
