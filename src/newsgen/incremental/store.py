"""The persistent build cache in `.newsgen-cache/` of the site folder.

Parsed articles live in one SQLite file, each row keyed by a hash of the source file's bytes,
its path as shown in messages, and everything else that shapes the parse (the relevant config,
newsgen's version and code, the versions of Markdown, PyYAML and dateutil). A stale entry can
therefore never be served: a change to any of these gives a new key. Each row also stores a
checksum of its data; a row that fails it, does not unpickle, or a file that is not a database,
is treated as missing and rebuilt, never trusted.

Worker processes open the store themselves (see `open_store`), so records cross process
boundaries as keys, not as bodies.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from pathlib import Path
from typing import Any, Iterable

from newsgen.config import SiteConfig
from newsgen.incremental.keys import cache_dir

class ArticleStore:
    """Pickled loader results by key, in `.newsgen-cache/articles.sqlite`: the whole record, and
    its stub (the record without its body) that the main process reads."""

    def __init__(self, path: Path):
        self.path = path
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

    def get_many(self, keys: Iterable[str], stubs: bool = False) -> dict[str, Any]:
        """The trusted entries among keys (only their stubs: records without bodies, when
        stubs=True); damaged ones are left out, and so rebuilt."""
        keys = list(keys)
        connection = self._connect()
        if connection is None or not keys:
            return {}
        columns = "stub, stub_sum" if stubs else "data, data_sum"
        found: dict[str, Any] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                rows = connection.execute(
                    f"SELECT key, {columns} FROM entries WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                for key, data, checksum in rows:
                    if not isinstance(data, bytes) or _checksum(data) != checksum:
                        continue
                    try:
                        found[key] = pickle.loads(data)
                    except Exception:  # a damaged entry is rebuilt, never trusted
                        continue
        except sqlite3.DatabaseError:
            return found
        return found

    def put_many(self, entries: dict[str, tuple[Any, Any]]) -> None:
        """Store (whole record, stub) pairs by key: the stub is the record without its bodies."""
        connection = self._connect()
        if connection is None or not entries:
            return
        rows = []
        for key, (value, bare) in entries.items():
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            stub = pickle.dumps(bare, protocol=pickle.HIGHEST_PROTOCOL)
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
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])  # type: ignore[misc]


def _checksum(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def open_store(config: SiteConfig) -> ArticleStore:
    store = ArticleStore(cache_dir(config) / "articles.sqlite")
    store.reset_if_broken()
    return store
