"""The persistent build cache in `.newsgen-cache/` of the site folder.

Parsed articles live in one SQLite file, each row keyed by a hash of the source file's bytes,
its path as shown in messages, and everything else that shapes the parse (the relevant config,
newsgen's version and code, the versions of Markdown, PyYAML and dateutil). A stale entry can
therefore never be served: a change to any of these gives a new key. Each row holds the record
in the data-only format of codec.py, and a checksum of it; a row that fails the checksum or does
not decode, or a file that is not a database, is treated as missing and rebuilt, never trusted.

Worker processes open the store themselves (see `open_store`), so records cross process
boundaries as keys, not as bodies.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from typing import Iterable

from newsgen.config import SiteConfig
from newsgen.incremental.codec import InvalidEntry, Unencodable, decode_result, encode_result
from newsgen.incremental.keys import cache_dir
from newsgen.model import FileResult

class ArticleStore:
    """Loader results by key, in `.newsgen-cache/articles.sqlite`: the whole record, and its stub
    (the record without its body) that the main process reads. `zone_name` is the site's
    `timezone` (its dates are stored by that name, see codec.py)."""

    def __init__(self, path: Path, zone_name: str):
        self.path = path
        self.zone_name = zone_name
        self._connection: sqlite3.Connection | None = None
        self._pid = -1

    def _connect(self) -> sqlite3.Connection | None:
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, stub BLOB, stub_sum TEXT,"
                               " data BLOB, data_sum TEXT)")
        except sqlite3.DatabaseError:
            return None
        self._connection, self._pid = connection, os.getpid()
        return connection

    def reset_if_broken(self) -> None:
        """Called once per build in the parent: a file that is not a usable database is removed."""
        connection = self._connect()
        try:
            if connection is None:
                raise sqlite3.DatabaseError
            connection.execute("SELECT count(*) FROM entries WHERE key = ''").fetchone()
            return
        except sqlite3.DatabaseError:
            pass
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        self._connect()

    def get_many(self, keys: Iterable[str], stubs: bool = False) -> dict[str, FileResult]:
        """The trusted entries among keys (only their stubs: records without bodies, when
        stubs=True); damaged ones are left out, and so rebuilt."""
        keys = list(keys)
        connection = self._connect()
        if connection is None or not keys:
            return {}
        columns = "stub, stub_sum" if stubs else "data, data_sum"
        found: dict[str, FileResult] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                rows = connection.execute(
                    f"SELECT key, {columns} FROM entries WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                for key, data, checksum in rows:
                    if not isinstance(data, bytes) or _checksum(data) != checksum:
                        continue
                    try:
                        found[key] = decode_result(data, self.zone_name)
                    except InvalidEntry:  # rebuilt, never trusted
                        continue
        except sqlite3.DatabaseError:
            return found
        return found

    def put_many(self, entries: dict[str, tuple[FileResult, FileResult]]) -> None:
        """Store (whole record, stub) pairs by key: the stub is the record without its bodies. A
        record the format cannot hold (a date in a zone it does not know) is left out: its file
        is parsed again on every build."""
        connection = self._connect()
        if connection is None or not entries:
            return
        rows = []
        for key, (value, bare) in entries.items():
            try:
                data, stub = encode_result(value, self.zone_name), encode_result(bare, self.zone_name)
            except Unencodable:
                continue
            rows.append((key, stub, _checksum(stub), data, _checksum(data)))
        try:
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", rows)
        except sqlite3.DatabaseError:
            pass  # a cache that cannot be written only costs speed

    def prune(self, keep: Iterable[str]) -> None:
        """Drop entries no article uses any more, once they outnumber the ones in use."""
        keep = set(keep)
        connection = self._connect()
        if connection is None:
            return
        try:
            (count,) = connection.execute("SELECT count(*) FROM entries").fetchone()
            if count <= 2 * len(keep) + 100:
                return
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
                connection.execute("DELETE FROM keep")
                connection.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keep))
                connection.execute("DELETE FROM entries WHERE key NOT IN (SELECT key FROM keep)")
        except sqlite3.DatabaseError:
            pass

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None

    def __getstate__(self) -> dict:
        return {"path": self.path, "zone_name": self.zone_name}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"], state["zone_name"])  # type: ignore[misc]


def _checksum(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def open_store(config: SiteConfig) -> ArticleStore:
    store = ArticleStore(cache_dir(config) / "articles.sqlite", config.timezone)
    store.reset_if_broken()
    return store
